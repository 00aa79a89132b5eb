"""What Pinnace\x27s tests share: hosts (node, Chromium), test distributions, suites run in wasm,
screenshots, benchmark tables, and the pytest plugin that provides their fixtures."""
