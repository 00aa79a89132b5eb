"""Backends: ``wasmtime`` (everything) and ``wasmer`` (what the wasmer packages can do here)."""

BACKENDS = ("wasmtime", "wasmer")


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return name
