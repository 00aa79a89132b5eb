"""What the build says while it works: progress bars on a terminal, plain lines otherwise.

Two choices, made once by the CLI (``configure()``) and read by everything that reports:

* the level: ``quiet`` (warnings and errors only), ``normal``, or ``verbose`` (also every
  command a build step runs, and that command's output, which otherwise goes only to the
  step's log file);
* the mode: ``bars`` (rich: one live row per running step with a spinner and the elapsed time,
  one per download with bytes, rate and time left; finished work scrolls above them as lines)
  or ``plain`` (``[pinnace] ...`` lines, no escape sequences, no carriage-return redraws: CI,
  pipes, ``make test`` logs).  ``auto`` picks bars when stderr is a terminal (and ``TERM`` is
  not ``dumb``); ``PINNACE_PROGRESS=bars|plain|auto`` overrides it.

Every line carries the ``[pinnace] `` prefix in both modes, so logs stay greppable.  A step or
a download that fails says so (``failed after ...``) at every level; its exception goes on.
"""

from __future__ import annotations

import os
import shlex
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported only when bars are drawn
    from rich.console import Console
    from rich.progress import Progress, TaskID

QUIET, NORMAL, VERBOSE = "quiet", "normal", "verbose"
LEVELS = (QUIET, NORMAL, VERBOSE)
MODES = ("auto", "bars", "plain")
ENV = "PINNACE_PROGRESS"
PREFIX = "[pinnace] "


class _State:
    def __init__(self) -> None:
        self.level = NORMAL
        self.bars: bool | None = None  # None: not decided yet (configure() or first use)
        self.lock = threading.RLock()
        self.console: Console | None = None
        self.progress: Progress | None = None
        self.rows = 0  # live rows (running steps and downloads)


_state = _State()


def configure(level: str = NORMAL, mode: str | None = None) -> None:
    """Set the level and the mode (default: ``$PINNACE_PROGRESS``, else ``auto``)."""
    if level not in LEVELS:
        raise ValueError(f"output level {level!r}: expected one of {', '.join(LEVELS)}")
    mode = mode or os.environ.get(ENV) or "auto"
    if mode not in MODES:
        raise ValueError(f"{ENV}={mode!r}: expected one of {', '.join(MODES)}")
    with _state.lock:
        _state.level = level
        _state.bars = _on_terminal() if mode == "auto" else mode == "bars"


def _on_terminal() -> bool:
    term = os.environ.get("TERM", "").lower()
    return sys.stderr.isatty() and term not in ("dumb", "unknown")


def level() -> str:
    return _state.level


def bars() -> bool:
    """Whether live progress rows are drawn (never at the quiet level)."""
    if _state.bars is None:
        configure(_state.level)
    return bool(_state.bars) and _state.level != QUIET


# ------------------------------------------------------------------------------- lines
def _emit(msg: str, style: str = "", prefix: str = PREFIX) -> None:
    with _state.lock:
        if bars():
            from rich.text import Text

            _console().print(Text.assemble((prefix, "dim"), (msg, style)), soft_wrap=True)
        else:
            print(prefix + msg, file=sys.stderr, flush=True)


def log(msg: str) -> None:
    """A line about the build's progress (not at the quiet level)."""
    if _state.level != QUIET:
        _emit(msg)


def detail(msg: str) -> None:
    """A line for ``--verbose`` only."""
    if _state.level == VERBOSE:
        _emit(msg, "cyan")


def command(args: Sequence[object], cwd: object = None) -> None:
    """``$ COMMAND`` for ``--verbose`` only: a command a step runs."""
    if _state.level == VERBOSE:
        _emit("$ " + shlex.join(map(str, args)) + (f"  (in {cwd})" if cwd else ""), "cyan")


def output(line: str) -> None:
    """A line of a command's own output, for ``--verbose`` only (shown as it is)."""
    if _state.level == VERBOSE:
        _emit(line, prefix="")


def warn(msg: str) -> None:
    """A warning: shown at every level."""
    _emit(f"warning: {msg}", "yellow")


def error(msg: str) -> None:
    """An error: shown at every level."""
    _emit(msg, "bold red")


# ------------------------------------------------------------------------------ numbers
def size(n: float) -> str:
    """A byte count in decimal units: ``900 B``, ``3.5 MB``."""
    if n < 1000:
        return f"{n:.0f} B"
    for unit in ("kB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            break
    return f"{n:.1f} {unit}"


def duration(seconds: float) -> str:
    """``0.25s``, ``4.2s``, ``42s``, ``3m 05s``, ``1h 02m``."""
    if seconds < 1:
        return f"{seconds:.2f}s"
    if seconds < 10:
        return f"{seconds:.1f}s"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def _ended(e: BaseException) -> str:
    return "interrupted" if isinstance(e, KeyboardInterrupt) else "failed"


# ------------------------------------------------------------------------- steps, downloads
@contextmanager
def step(name: str, start: str = "started") -> Iterator[None]:
    """A long piece of work: ``[pinnace] NAME: START`` at its start, ``NAME: done in T`` at its
    end, ``NAME: failed after T`` (any level) if it raises; a live row meanwhile."""
    log(f"{name}: {start}")
    t0 = time.monotonic()
    row = _add_row(name, None, "step")
    try:
        yield
    except BaseException as e:
        error(f"{name}: {_ended(e)} after {duration(time.monotonic() - t0)}")
        raise
    finally:
        _remove_row(row)
    log(f"{name}: done in {duration(time.monotonic() - t0)}")


@contextmanager
def download(url: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """Report a download of ``total`` bytes (None: unknown); the caller calls the yielded
    function with the size of each chunk it receives."""
    name = url.rstrip("/").rsplit("/", 1)[-1] or url
    log(f"downloading {url} ({size(total) if total is not None else 'size unknown'})")
    t0 = time.monotonic()
    done = [0]
    row = _add_row(name, total, "download")

    def advance(n: int) -> None:
        done[0] += n
        if row is not None:
            _bar().update(row, advance=n)

    try:
        yield advance
    except BaseException as e:
        got = size(done[0]) + (f" of {size(total)}" if total is not None else "")
        error(f"download of {url} {_ended(e)} after {duration(time.monotonic() - t0)} ({got})")
        raise
    finally:
        _remove_row(row)
    took = time.monotonic() - t0
    rate = f", {size(done[0] / took)}/s" if took > 0 else ""
    log(f"downloaded {name}: {size(done[0])} in {duration(took)}{rate}")


# ------------------------------------------------------------------------------ rich side
def _console() -> Console:
    if _state.console is None:
        from rich.console import Console

        # the decision is ours (configure()): rich draws even if its own checks would not
        _state.console = Console(stderr=True, force_terminal=True, force_interactive=True,
                                 highlight=False)  # fmt: skip
    return _state.console


def _bar() -> Progress:
    assert _state.progress is not None
    return _state.progress


def _add_row(description: str, total: int | None, kind: str) -> TaskID | None:
    if not bars():
        return None
    with _state.lock:
        if _state.progress is None:
            _state.progress = _new_progress(_console())
            _state.progress.start()
        _state.rows += 1
        return _state.progress.add_task(description, total=total, kind=kind)


def _remove_row(row: TaskID | None) -> None:
    if row is None:
        return
    with _state.lock:
        progress = _bar()
        progress.remove_task(row)
        _state.rows -= 1
        if _state.rows == 0:
            progress.stop()
            _state.progress = None


def _new_progress(console: Console) -> Progress:
    from rich.console import RenderableType
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    class Downloads(ProgressColumn):
        """``column`` for download rows, nothing for step rows."""

        def __init__(self, column: ProgressColumn) -> None:
            super().__init__()
            self.column = column

        def render(self, task: Task) -> RenderableType:
            return self.column(task) if task.fields.get("kind") == "download" else ""

    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        Downloads(BarColumn()), Downloads(DownloadColumn()), Downloads(TransferSpeedColumn()),
        console=console, transient=True, refresh_per_second=5,
    )  # fmt: skip
