"""A property test of the FFI's conversions (issue 17): random nested values (ints of any size,
floats with NaN, infinities and -0.0, strings with lone surrogates, bytes, lists, dicts, None)
go from Python to JS (`to_js`) and back (`to_py`) unchanged.  It runs inside the wasm build,
with hypothesis fetched from the lock by a plain import."""

from __future__ import annotations

from pathlib import Path

from support.hosts import run_pinnace_python

PROPERTY = r'''
import math
from hypothesis import given, settings, strategies as st
from pinnace.ffi import to_js

def same(a, b):
    """Equal, and of the same type: -0.0 keeps its sign, NaN is NaN, 2**70 stays an int."""
    if isinstance(a, float):
        if math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return type(b) in (int, float) and a == b and math.copysign(1, a) == math.copysign(1, float(b))
    if isinstance(a, bool) or a is None:
        return a is b
    if isinstance(a, (int, str, bytes)):
        return type(b) is type(a) and a == b
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)

text = st.text(st.characters(exclude_categories=()))  # lone surrogates included
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text, st.binary(),
                    st.sampled_from([-0.0, math.inf, -math.inf, math.nan, 2**53, -(2**53) - 1, 2**200, "\ud800", "a\udc00b"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(text, inner, max_size=4)), max_leaves=12)

@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(values)
def round_trip(v):
    back = to_js([v]).to_py()[0]  # inside a JS array: scalars cross the boundary too
    assert same(v, back), (v, back)

round_trip()
print("round trips:", 400)
'''


def test_to_js_and_back_round_trips_random_values(tmp_path: Path) -> None:
    script = tmp_path / "round_trip.py"
    script.write_text(PROPERTY)
    res = run_pinnace_python([str(script)])
    assert res.returncode == 0, res.stderr.decode()[-4000:]
    assert res.stdout.decode().strip() == "round trips: 400"
