"""Tracebacks that show the user's code, not the runtime's machinery.

Two rules, for two kinds of traceback:

* :func:`without_runtime_frames_at_the_ends`: code run for JS (``runPython``, a callback) is
  called by the runtime, so the runtime's frames come first; and where the user's code called
  into the runtime and the runtime raised (a lazy import whose download failed), the
  runtime's frames come last.  Both runs are cut; frames between the user's stay, whoever they
  belong to (a library the user called).
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


def _is_runtime(tb: TracebackType) -> bool:
    return tb.tb_frame.f_code.co_filename.startswith(_state.RUNTIME_DIR)


def without_runtime_frames_at_the_ends(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` from the first frame that is not the runtime's to the last one that is not."""
    while tb is not None and _is_runtime(tb):
        tb = tb.tb_next
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    while frames and _is_runtime(frames[-1]):
        frames.pop()
    if not frames or frames[-1].tb_next is None:
        return frames[0] if frames else None
    return _relinked(frames)


def _relinked(frames: list[TracebackType]) -> TracebackType | None:
    """A new chain of traceback entries for ``frames``, in order (the originals are shared
    with whoever else holds the exception, so they are not changed)."""
    from types import TracebackType

    out = None
    for t in reversed(frames):
        out = TracebackType(out, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return out


def _frames_outside(tb: TracebackType | None, dirs: tuple[str, ...]) -> TracebackType | None:
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(dirs):
            kept.append(tb)
        tb = tb.tb_next
    return _relinked(kept)


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
    """The traceback text JS shows for ``exc`` (the runtime's frames at both ends cut)."""
    exc.__traceback__ = without_runtime_frames_at_the_ends(exc.__traceback__)
    return "".join(traceback.format_exception(exc))


def exit_status(exc: SystemExit) -> int:
    """The process exit status ``exc`` stands for, as CPython's own exit would compute it:
    0 for no code (``sys.exit()``), the code if it is an int, else 1 (``sys.exit("message")``)."""
    code = exc.code
    if code is None:
        return 0
    return int(code) if isinstance(code, int) else 1


def describe(exc: BaseException) -> str:
    """What the FFI hands JS for a Python exception: a header line (its type's name, and for a
    SystemExit a tab and its exit status), a newline, the text."""
    header = type(exc).__name__
    if isinstance(exc, SystemExit):
        header += f"\t{exit_status(exc)}"
    return f"{header}\n{format_exception(exc)}"
