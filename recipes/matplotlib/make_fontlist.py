"""Writes matplotlib's font list of the fonts in its own mpl-data (none of the build machine's),
in the format matplotlib caches it: `python make_fontlist.py OUT.json`, run by the recipe's
post script with a native matplotlib of the same version.  Patch 0002 makes the wasm build read
it, so that a page does not scan and parse every font at each start.  Font paths are stored
relative to mpl-data (matplotlib's own cache format does so), and this refuses any other."""

import json
import sys

from matplotlib import font_manager

_find = font_manager.findSystemFonts


def mpl_data_only(fontpaths=None, fontext="ttf"):
    """findSystemFonts for mpl-data's directories; the build machine's fonts are not listed."""
    return _find(fontpaths, fontext) if fontpaths else []


def main(out: str) -> None:
    font_manager.findSystemFonts = mpl_data_only
    font_manager.json_dump(font_manager.FontManager(), out)
    with open(out) as f:
        data = json.load(f)
    entries = data["ttflist"] + data["afmlist"]
    outside = [e["fname"] for e in entries if e["fname"].startswith("/")]
    if outside or not any(e["name"] == "DejaVu Sans" for e in data["ttflist"]):
        raise SystemExit(f"{out}: not a list of mpl-data's fonts only: {outside[:5]}")
    print(f"{out}: {len(data['ttflist'])} TrueType and {len(data['afmlist'])} AFM fonts")


if __name__ == "__main__":
    main(sys.argv[1])
