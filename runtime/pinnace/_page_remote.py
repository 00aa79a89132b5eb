"""The page, as a ``<script type="py" worker>`` reaches it (docs/page.md#worker-scripts).

A worker script runs in a Web Worker with an interpreter of its own; the page runs the loader's
side of this (loader-js/src/page-remote.ts), and the worker's (loader-js/src/worker-script.ts)
gives this module the channel ``_pinnace_page``.  Requests and answers are JSON:

* a request: ``{"op": "chain", "h": handle, "steps": [["get", name] | ["call", [arg...]] |
  ["new", [arg...]], ...], "array": bool}`` (follow the steps from a page object; ``array``:
  answer a list), ``{"op": "set", "h", "steps", "name", "value"}``, ``{"op": "display",
  "target", "items": [[kind, data]...], "append"}``, ``{"op": "error", "text"}``, ``{"op":
  "when", "event", "selector", "binding"}``, ``{"op": "input", "prompt"}``; any request may
  carry ``"release": [handle...]``, the handles Python no longer holds.
* a value, both ways: ``{"v": json value}``, ``{"n": 1}`` (null), ``{"u": 1}`` (undefined),
  ``{"d": "NaN"}``, ``{"i": "123"}`` (a BigInt), ``{"h": handle, "t": type}`` (a page
  object and its constructor's name), ``{"a": [...]}``, ``{"o": {...}}``, ``{"bytes": base64}``; an
  answer may be ``{"e": message, "name": error name}`` instead.

Handle 1 is the page's ``window``, 2 its ``document``.  On a cross-origin isolated page every
access is synchronous (the worker waits for the answer: SharedArrayBuffer and Atomics); on
another page it cannot be, and reading the page is ``await``-ed (:class:`PageAccess`).
"""

from __future__ import annotations

import base64
import json
import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_channel: Any = None  # the worker's _pinnace_page module, once attach() ran
_released: list[int] = []  # handles to give back with the next request
_bindings: dict[int, Any] = {}  # `when` bindings: number -> the function that runs the handler

WINDOW, DOCUMENT = 1, 2

#: Why a worker script cannot wait for the page, and what makes it able to.
NOT_ISOLATED = (
    "this page is not cross-origin isolated, so a worker script cannot wait for it; serving the "
    "page with the headers Cross-Origin-Opener-Policy: same-origin and "
    "Cross-Origin-Embedder-Policy: require-corp (`pinnace serve --isolation` sends them) makes "
    "it so")  # fmt: skip


class SyncAccessError(RuntimeError):
    """A worker script used the page synchronously where it cannot (the page is not
    cross-origin isolated); the message says what to do instead."""


class PageError(Exception):
    """The page's JS failed at what a worker script asked of it; ``name`` is the JS error's."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def attach() -> None:
    """The worker's loader: this interpreter runs a worker script of a page."""
    global _channel
    import builtins

    import _pinnace_page  # type: ignore[import-not-found]

    _channel = _pinnace_page
    builtins.input = page_input


def active() -> bool:
    """Whether this interpreter runs a page's worker script."""
    return _channel is not None


def isolated() -> bool:
    return bool(_channel.isolated)


def encode(value: Any) -> dict[str, Any]:
    if value is None:
        return {"n": 1}
    if isinstance(value, float) and not math.isfinite(value):  # JSON has none of these
        return {"d": "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, (bool, int, float, str)):
        return {"v": value}
    if isinstance(value, PageObject):
        return {"h": value._h}
    if isinstance(value, PageAccess):
        raise SyncAccessError(f"{value!r} is not a value yet: await it first")
    if isinstance(value, (list, tuple)):
        return {"a": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"o": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": base64.b64encode(value).decode()}
    raise TypeError(f"a {type(value).__name__} cannot be sent to the page (send str, numbers, "
                    "lists, dicts, bytes, None or page objects)")  # fmt: skip


def decode(answer: dict[str, Any]) -> Any:
    if "e" in answer:
        name, message = answer.get("name", "Error"), answer["e"]
        if name == "KeyboardInterrupt":
            raise KeyboardInterrupt(message)
        if name == "KeyError":
            raise KeyError(message)
        raise PageError(name, message)
    if "v" in answer:
        return answer["v"]
    if "h" in answer:
        return PageObject(answer["h"], answer.get("t", "object"))
    if "a" in answer:
        return [decode(a) for a in answer["a"]]
    if "d" in answer:
        return float(answer["d"])
    if "i" in answer:
        return int(answer["i"])
    return None  # null, undefined


def _text(request: dict[str, Any]) -> str:
    if _released:
        handles = _released[:]
        del _released[: len(handles)]  # (a __del__ meanwhile appends after them)
        request["release"] = handles
    return json.dumps(request, allow_nan=False)


def request(req: dict[str, Any]) -> Any:
    """Ask the page and wait for its answer (an isolated page only)."""
    if not isolated():
        raise SyncAccessError(f"{NOT_ISOLATED}; else await the access")
    return decode(json.loads(_channel.request(_text(req))))


async def request_async(req: dict[str, Any]) -> Any:
    """Ask the page; the answer, awaited (any page)."""
    return decode(json.loads(await _channel.requestAsync(_text(req))))


def post(req: dict[str, Any]) -> None:
    """Tell the page, without waiting (what fails is shown on the page)."""
    _channel.post(_text(req))


def query(req: dict[str, Any]) -> Any:
    """The page's answer now on an isolated page, else an awaitable of it."""
    return request(req) if isolated() else request_async(req)


def tell(req: dict[str, Any]) -> None:
    """Tell the page: on an isolated page waiting for it (so that a failure is raised here),
    else without waiting (a failure is shown on the page)."""
    if isolated():
        request(req)
    else:
        post(req)


class _Steps:
    """What page objects and accesses share: reading an attribute, indexing, calling and
    ``new()`` are each a step from where they stand (``_step``); writing is ``_write``."""

    __slots__ = ()

    def _step(self, step: list[Any], args: tuple[Any, ...] = ()) -> Any:
        raise NotImplementedError

    def _write(self, key: str | int, value: Any) -> None:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # Python's protocols are not the page's
        return self._step(["get", name])

    def __getitem__(self, key: str | int) -> Any:
        return self._step(["get", key])

    def __call__(self, *args: Any) -> Any:
        return self._step(["call", [encode(a) for a in args]], args)

    def new(self, *args: Any) -> Any:
        """``new`` this JS class with ``args``."""
        return self._step(["new", [encode(a) for a in args]], args)

    def __setattr__(self, name: str, value: Any) -> None:
        self._write(name, value)

    def __setitem__(self, key: str | int, value: Any) -> None:
        self._write(key, value)


def _set(handle: int, steps: list[Any], key: str | int, value: Any) -> None:
    tell({"op": "set", "h": handle, "steps": steps, "name": key, "value": encode(value)})


class PageObject(_Steps):
    """A page object (an element, the document, an event, a function, ...) that a worker
    script holds.  Reading an attribute, calling, indexing and ``new()`` ask the page: on an
    isolated page at once (the answer: a str, number, bool, None, or another PageObject), on
    another one they make a :class:`PageAccess` to await.  Writing an attribute tells the page
    (on a non-isolated page without waiting; an error is shown on the page)."""

    __slots__ = ("_h", "_type", "__weakref__")

    def __init__(self, handle: int, type_name: str) -> None:
        object.__setattr__(self, "_h", handle)
        object.__setattr__(self, "_type", type_name)

    def _step(self, step: list[Any], args: tuple[Any, ...] = ()) -> Any:
        if isolated():
            return request({"op": "chain", "h": self._h, "steps": [step]})
        return PageAccess(self._h, [step], self._type, (self, args))

    def _write(self, key: str | int, value: Any) -> None:
        _set(self._h, [], key, value)

    def __bool__(self) -> bool:
        return True  # a JS object is truthy; null and undefined arrive as None

    def __await__(self) -> Any:
        return self  # `await` of an object the page gave: the same, on any page
        yield  # a generator: __await__ must return an iterator

    def __repr__(self) -> str:
        return f"<page {self._type}>"

    def __del__(self) -> None:
        if self._h > DOCUMENT:
            _released.append(self._h)


class PageAccess(_Steps):
    """An access to the page not yet made (a worker script on a page that is not cross-origin
    isolated): ``document.title``, ``page["#out"].textContent``, ``document.createElement("p")``
    are each one of these, made at once when awaited (one round trip whatever its length).
    Using one as a value before awaiting it is a :class:`SyncAccessError` that says why."""

    # _keep: the page objects its handle and arguments name, held until it is made (their
    # handles must not be given back before); _made: awaited, written, or extended into another
    __slots__ = ("_h", "_steps", "_base", "_keep", "_made")

    def __init__(self, handle: int, steps: list[Any], base: str, keep: tuple[Any, ...] = ()) -> None:
        object.__setattr__(self, "_h", handle)
        object.__setattr__(self, "_steps", steps)
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_keep", keep)
        object.__setattr__(self, "_made", False)

    def _step(self, step: list[Any], args: tuple[Any, ...] = ()) -> PageAccess:
        object.__setattr__(self, "_made", True)
        return PageAccess(self._h, [*self._steps, step], self._base, (*self._keep, args))

    def _write(self, key: str | int, value: Any) -> None:
        object.__setattr__(self, "_made", True)
        _set(self._h, self._steps, key, value)

    def __await__(self) -> Any:
        object.__setattr__(self, "_made", True)
        return self._made_now().__await__()

    async def _made_now(self) -> Any:  # (holds self, and so _keep, until the page answered)
        return await request_async({"op": "chain", "h": self._h, "steps": self._steps})

    def __del__(self) -> None:
        if not self._made and any(kind in ("call", "new") for kind, _ in self._steps):
            import warnings

            warnings.warn(f"{self._path()} was never awaited, so it never ran (this page is not "
                          "cross-origin isolated: a call on it is made when awaited)",
                          RuntimeWarning, stacklevel=2)  # fmt: skip

    def _sync_use(self, *_: Any) -> Any:
        raise SyncAccessError(f"{self._path()} was used as a value before it was awaited, but "
                              f"{NOT_ISOLATED}; else `await {self._path()}`")  # fmt: skip

    __bool__ = __str__ = __int__ = __float__ = __index__ = __len__ = __iter__ = _sync_use
    __contains__ = __lt__ = __le__ = __gt__ = __ge__ = __add__ = __radd__ = _sync_use
    __eq__ = __ne__ = __hash__ = _sync_use  # type: ignore[assignment]

    def _path(self) -> str:
        path = self._base
        for kind, arg in self._steps:
            if kind == "get":
                path += f".{arg}" if isinstance(arg, str) and arg.isidentifier() else f"[{arg!r}]"
            else:
                path = f"{path}(...)" if kind == "call" else f"new {path}(...)"
        return path

    def __repr__(self) -> str:
        return f"<page access {self._path()}, not yet awaited>"


def dispatch(binding: int, event: str) -> None:
    """The worker's loader: a `when` binding fired on the page (``event``: the encoded event)."""
    _bindings[binding](decode(json.loads(event)))
    if len(_released) >= 64:  # handlers that ask nothing of the page: give their events back
        post({"op": "release"})


def bind(event: str, selector: str, run: Any) -> None:
    """Call ``run(event)`` on ``event`` at elements matching ``selector`` on the page."""
    binding = len(_bindings) + 1
    _bindings[binding] = run
    post({"op": "when", "event": event, "selector": selector, "binding": binding})


async def ask_user(prompt: object = "") -> str:
    """Ask the user in a small form after the script and await the answer (any page)."""
    answer = await request_async({"op": "input", "prompt": str(prompt)})
    if answer is None:
        raise EOFError("the user cancelled the question (Escape)")
    return str(answer)


def page_input(prompt: object = "") -> str:
    """``input()`` in a worker script: a small form after the script asks the user, and this
    worker waits (an isolated page only); Escape is an EOFError, as the end of stdin is."""
    if not isolated():
        raise SyncAccessError(f"input() waits for the user, but {NOT_ISOLATED}; else use "
                              "`await pinnace.web.ask(prompt)`")  # fmt: skip
    answer = request({"op": "input", "prompt": str(prompt)})
    if answer is None:
        raise EOFError("input(): the user cancelled the question (Escape)")
    return str(answer)
