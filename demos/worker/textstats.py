"""The worker demo's Python: loaded into the worker once, then called with each text."""

import collections
import hashlib
import re


def analyze(text: str) -> dict[str, object]:
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", text.lower())
    counts = collections.Counter(words)
    return {
        "characters": len(text),
        "words": len(words),
        "distinct": len(counts),
        "top": counts.most_common(5),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
