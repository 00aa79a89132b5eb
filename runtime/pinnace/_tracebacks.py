"""Tracebacks that show the user's code, not the runtime's machinery.

Two rules, for two kinds of traceback:

* :func:`without_leading_runtime_frames`: code run for JS (``runPython``, a callback) is
  called by the runtime, so the runtime's frames come first; they are cut from the front.
  Frames after the user's first one stay, whoever they belong to (a library the user called).
* :func:`without_machinery_frames`: an exception that comes out of a scheduler (Trio) passed
  through the scheduler's frames between the user's; every frame from the given directories is
  dropped, in the exception, its group members, causes and contexts.
"""

from __future__ import annotations

import traceback

from . import _state

TYPE_CHECKING = False  # typing costs tens of milliseconds to import at startup in wasm
if TYPE_CHECKING:
    from types import TracebackType


def without_leading_runtime_frames(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` from the first frame that is not the runtime's on."""
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_state.RUNTIME_DIR):
        tb = tb.tb_next
    return tb


def _frames_outside(tb: TracebackType | None, dirs: tuple[str, ...]) -> TracebackType | None:
    from types import TracebackType

    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(dirs):
            kept.append(tb)
        tb = tb.tb_next
    out = None
    for t in reversed(kept):
        out = TracebackType(out, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return out


def without_machinery_frames(exc: BaseException, dirs: tuple[str, ...],
                             _seen: set[int] | None = None) -> BaseException:  # fmt: skip
    """Drop every frame from ``dirs`` (and the runtime's) from ``exc``'s traceback, those of the
    exceptions of a group, and those of causes and contexts; returns ``exc``."""
    seen = set() if _seen is None else _seen
    if id(exc) in seen:
        return exc
    seen.add(id(exc))
    exc.__traceback__ = _frames_outside(exc.__traceback__, (*dirs, _state.RUNTIME_DIR))
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            without_machinery_frames(inner, dirs, seen)
    for linked in (exc.__cause__, exc.__context__):
        if linked is not None:
            without_machinery_frames(linked, dirs, seen)
    return exc


def format_exception(exc: BaseException) -> str:
    """The traceback text JS shows for ``exc`` (the runtime's leading frames cut)."""
    exc.__traceback__ = without_leading_runtime_frames(exc.__traceback__)
    return "".join(traceback.format_exception(exc))


def describe(exc: BaseException) -> str:
    """What the FFI hands JS for a Python exception: its type's name, a newline, the text."""
    return f"{type(exc).__name__}\n{format_exception(exc)}"
