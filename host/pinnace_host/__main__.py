"""``python -m pinnace_host call|run ...``: the same as ``pinnace host call|run ...``."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
