"""``pinnace.web``: Python on a web page without JS (docs/page.md).

The loader runs every ``<script type="py">`` of a page (loader-js/src/page.ts); this module is
what those scripts use to reach the page:

* :func:`display` shows objects on the page by their richest representation (``_repr_html_``,
  ``_repr_svg_``, ``_repr_png_``, ``_repr_jpeg_``, ``_repr_markdown_`` (rendered by
  ``_markdown``), then ``repr``; a
  matplotlib figure as a PNG), in the element with id ``target``, or else after the script
  that runs (in a ``<div class="py-output">`` that follows it).
* :func:`when` binds a function, sync or async, to a DOM event of the elements a CSS selector
  matches, now or later: one listener on the document per binding (event delegation), so
  removing elements leaks nothing and no proxy is the user's to manage.  An exception in a
  handler is shown on the page, next to the script that bound it, and on the console.
* :data:`page` finds elements: ``page["#id"]`` (the element, or KeyError), ``page.all(sel)``.
* ``input()`` in a page's scripts asks with the browser's ``prompt()`` dialog; ``await
  ask(prompt)`` asks anywhere.

In a ``<script type="py" worker>`` (its own interpreter in a Web Worker) all of this reaches the
page through ``_page_remote``: synchronously on a cross-origin isolated page, else awaited;
:data:`document` and :data:`window` are the page's there too.
"""

from __future__ import annotations

import base64
import contextvars
import inspect

from . import _page_remote, _state, _tracebacks
from ._page_remote import PageObject
from .ffi import JsProxy, create_proxy

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ask", "display", "page", "when"]  # and document, window: __getattr__ below

#: The <script type="py"> element whose code runs (set by the loader before each script, and so
#: inherited by the tasks and handlers a script starts).
_script: contextvars.ContextVar[Any] = contextvars.ContextVar("pinnace.web script", default=None)


def _document() -> Any:
    if _page_remote.active():
        return PageObject(_page_remote.DOCUMENT, "document")
    import js

    doc = getattr(js, "document", None)
    if doc is None:
        raise RuntimeError("pinnace.web needs a page: this host has no document (a worker, Node)")
    return doc


def enter_script(element: Any) -> None:
    """The loader's: code from now on runs for ``element`` (a <script type="py">)."""
    import builtins

    _script.set(element)
    builtins.input = page_input  # a page's main thread has no stdin: ask the user


def __getattr__(name: str) -> Any:
    """``document`` and ``window``: the page's (in a worker script too)."""
    if name == "document":
        return _document()
    if name == "window":
        if _page_remote.active():
            return PageObject(_page_remote.WINDOW, "window")
        _document()  # the same error where there is no page
        import js

        return js.window
    raise AttributeError(f"module 'pinnace.web' has no attribute {name!r}")


async def ask(prompt: object = "") -> str:
    """Ask the user and await the answer: in a worker script a small form after the script
    (on any page), on the page's main thread the browser's ``prompt()`` dialog."""
    if _page_remote.active():
        return await _page_remote.ask_user(prompt)
    return page_input(prompt)


def page_input(prompt: object = "") -> str:
    """``input()`` for a page's scripts: the browser's ``prompt()`` dialog asks the user (the
    page waits meanwhile); Cancel is an EOFError, as the end of stdin is."""
    import js

    answer = js.prompt(str(prompt))
    if answer is None or not isinstance(answer, str):  # Cancel: null
        raise EOFError("input(): the user cancelled the prompt")
    return answer


def _output_after(script: Any) -> Any:
    """The <div class="py-output"> that follows ``script`` (made on first use)."""
    following = script.nextElementSibling  # jsnull when there is none
    if following and following.classList.contains("py-output") \
            and following.getAttribute("data-for-script") == script.getAttribute("data-pinnace-id"):
        return following
    out = _document().createElement("div")
    out.className = "py-output"
    out.setAttribute("data-for-script", script.getAttribute("data-pinnace-id"))
    script.after(out)
    return out


def _script_output() -> Any:
    """The output element of the running script, or None when no page script runs."""
    script = _script.get()
    return None if script is None else _output_after(script)


_state.page_output = _script_output  # figures shown by matplotlib go there too


def _where(target: str | None) -> Any:
    if target is not None:
        element = _document().getElementById(target.removeprefix("#"))
        if not element:  # jsnull
            raise KeyError(f"display: no element with id {target!r} on the page")
        return element
    output = _script_output()
    return _document().body if output is None else output


def _figure_png(obj: Any) -> bytes | None:
    """A matplotlib figure's PNG (figures have no _repr_png_ of their own)."""
    savefig = getattr(obj, "savefig", None)
    if savefig is None or type(obj).__module__.split(".")[0] != "matplotlib":
        return None
    import io

    buffer = io.BytesIO()
    savefig(buffer, format="png")
    return buffer.getvalue()


def _call_repr(obj: Any, name: str) -> Any:
    method = getattr(obj, name, None)
    if method is None or isinstance(obj, type):
        return None
    data = method()
    if isinstance(data, tuple):  # (data, metadata), as IPython allows
        data = data[0]
    return data


def _representation(obj: Any) -> tuple[str, Any]:
    """("html" | "png" | "jpeg" | "text", data): ``obj``'s richest representation."""
    if isinstance(obj, str):
        return "text", obj
    for name, kind in (("_repr_html_", "html"), ("_repr_svg_", "html"), ("_repr_png_", "png"),
                       ("_repr_jpeg_", "jpeg"), ("_repr_markdown_", "markdown")):  # fmt: skip
        data = _call_repr(obj, name)
        if data is not None:
            if kind == "markdown":
                from ._markdown import to_html

                return "html", to_html(data)
            return kind, data
    png = _figure_png(obj)
    return ("png", png) if png is not None else ("text", repr(obj))


def _element_for(obj: Any) -> Any:
    """A DOM element showing ``obj``."""
    if isinstance(obj, JsProxy) and getattr(obj, "nodeType", None) == 1:
        return obj  # an element: shown as it is
    doc = _document()
    kind, data = _representation(obj)
    out = doc.createElement("div")
    out.className = "py-display"
    if kind == "html":
        out.innerHTML = data
    elif kind == "text":
        out.textContent = data
    else:
        raw = data if isinstance(data, bytes) else base64.b64decode(data)
        img = doc.createElement("img")
        img.src = f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"
        out.append(img)
    return out


def display(*objects: Any, target: str | None = None, append: bool = True) -> None:
    """Show ``objects`` on the page, each by its richest representation (str as text), in the
    element with id ``target`` or after the running script; ``append=False`` replaces what the
    place showed."""
    if _page_remote.active():
        _display_remote(objects, target, append)
        return
    where = _where(target)
    if not append:
        where.replaceChildren()
    for obj in objects:
        where.append(_element_for(obj))


def _display_remote(objects: tuple[Any, ...], target: str | None, append: bool) -> None:
    """display() in a worker script: the page makes the elements (page-remote.ts)."""
    items: list[tuple[str, Any]] = []
    for obj in objects:
        if isinstance(obj, PageObject):
            items.append(("element", obj._h))
            continue
        if isinstance(obj, _page_remote.PageAccess):
            raise _page_remote.SyncAccessError(f"display({obj!r}): await it first")
        kind, data = _representation(obj)
        if kind in ("png", "jpeg"):
            data = base64.b64encode(data).decode() if isinstance(data, bytes) else data
        items.append((kind, data))
    # (on an isolated page a missing target is a KeyError here)
    _page_remote.tell({"op": "display", "target": target, "items": items, "append": append})


def show_error(exc: BaseException, script: Any = None) -> str:
    """Show ``exc``'s traceback (the user's frames) on the page, after ``script`` (else the
    running one, else at the end of the body), as a <pre class="py-error">; the text.  (In a
    worker script: after the worker's script, where the page also logs it to the console.)"""
    text = _tracebacks.format_exception(exc)
    if _page_remote.active():
        _page_remote.post({"op": "error", "text": text})
        return text
    script = script if script is not None else _script.get()
    doc = _document()
    pre = doc.createElement("pre")
    pre.className = "py-error"
    pre.textContent = text
    if script is not None:
        _output_after(script).append(pre)
    else:
        doc.body.append(pre)
    return text


class _Page:
    """The page's elements: ``page["#id"]`` or ``page[".css selector"]`` is the first match (a
    JsProxy of the element; KeyError if none), ``page.all(selector)`` every match."""

    def __getitem__(self, selector: str) -> Any:
        if _page_remote.active() and not _page_remote.isolated():
            return self._await_element(selector)
        element = _document().querySelector(selector)
        if not element:  # jsnull
            raise KeyError(f"no element matches {selector!r} on the page")
        return element

    async def _await_element(self, selector: str) -> Any:
        element = await _document().querySelector(selector)
        if element is None:
            raise KeyError(f"no element matches {selector!r} on the page")
        return element

    def all(self, selector: str) -> list[Any]:
        """Every element that matches (in a worker script on a page that is not isolated, an
        awaitable of the list)."""
        if _page_remote.active():
            return _page_remote.query({"op": "chain", "h": _page_remote.DOCUMENT, "array": True,
                                       "steps": [["get", "querySelectorAll"], ["call", [{"v": selector}]]]})  # fmt: skip
        return list(_document().querySelectorAll(selector))

    @property
    def document(self) -> Any:
        return _document()


page = _Page()

_bindings: list[Any] = []  # the listeners' proxies, one per binding, for the page's lifetime


def when(event: str, selector: str) -> Any:
    """Call the decorated function (sync or async; with the DOM event as its argument, or
    none) on ``event`` at every element matching ``selector``, now or added later."""

    def bind(handler: Any) -> Any:
        script = _script.get()
        takes_event = _accepts_an_argument(handler)
        if _page_remote.active():  # a worker script: the page listens, and tells this worker
            _page_remote.bind(event, selector,
                              lambda dom_event: _call_handler(handler, dom_event, takes_event, None))  # fmt: skip
            return handler

        def fire(dom_event: Any) -> None:
            target = dom_event.target
            if getattr(target, "closest", None) is None or not target.closest(selector):
                return
            context = contextvars.copy_context()
            context.run(_script.set, script)
            context.run(_call_handler, handler, dom_event if takes_event else None, takes_event,
                        script)  # fmt: skip

        listener = create_proxy(fire)
        _bindings.append(listener)
        # capture: events that do not bubble (focus, mouseenter) reach the document too
        _document().addEventListener(event, listener, True)
        return handler

    return bind


def _accepts_an_argument(handler: Any) -> bool:
    try:
        params = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def _call_handler(handler: Any, dom_event: Any, takes_event: bool, script: Any) -> None:
    try:
        result = handler(dom_event) if takes_event else handler()
    except (Exception, KeyboardInterrupt) as exc:  # shown on the page and the console: the
        # handler's caller is JS (a KeyboardInterrupt: a worker script's, interrupted by the page)
        _report(exc, script)
        return
    if inspect.isawaitable(result):
        import asyncio

        task = asyncio.ensure_future(result)
        task.add_done_callback(lambda t: _report(t.exception(), script)
                               if not t.cancelled() and t.exception() is not None else None)  # fmt: skip


def _report(exc: BaseException | None, script: Any) -> None:
    if exc is None:
        return
    if _page_remote.active():
        show_error(exc)  # the page shows it and logs it
        return
    import js

    js.console.error(show_error(exc, script))
