#!/bin/bash
# Installs the Debian (bookworm) packages Pinnace's build and tests need. Idempotent: packages that
# are already installed are not touched, and apt is only consulted when something is missing.
# Never installs anything from trixie (that would upgrade libc6); the Emscripten .deb is only
# downloaded and unpacked, by `pinnace toolchain install`.
set -euo pipefail
PACKAGES=(
  # LLVM 19 matches Emscripten 3.1.69; lld for wasm-ld
  clang-19 lld-19 llvm-19
  # wasm32-wasi C for pinnace_host's test modules
  wasi-libc libclang-rt-19-dev-wasm32
  # building CPython, libffi, xz, binaryen and the sqlite amalgamation
  build-essential autoconf automake libtool libltdl-dev pkg-config tcl xz-utils cmake ninja-build ccache
  ca-certificates curl git
  # browser tests
  chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-host: installing ${missing[*]}" >&2
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "setup-host: node (>= 18) is required" >&2; exit 1; }
