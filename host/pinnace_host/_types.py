"""Wasm value types, signatures, and how Python annotations map onto them."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

ValType = str  # one of "i32", "i64", "f32", "f64"
NUMERIC: tuple[str, ...] = ("i32", "i64", "f32", "f64")
# Extra parameter kinds for host functions: a str / bytes argument arrives as (ptr, len).
LIFTED: tuple[str, ...] = ("str", "bytes")

i32 = Annotated[int, "i32"]
i64 = Annotated[int, "i64"]
f32 = Annotated[float, "f32"]
f64 = Annotated[float, "f64"]


@dataclass(frozen=True)
class Signature:
    """A function type: ``Signature(("i32", "i32"), ("i32",))``; ``str(sig)`` is ``(i32, i32) -> i32``.

    ``params`` may also hold ``"str"``/``"bytes"`` for host functions: the guest passes such an
    argument as two i32 values (pointer, length) into its exported ``memory``.
    """

    params: tuple[str, ...]
    results: tuple[str, ...]

    def __post_init__(self) -> None:
        for kind in self.params:
            if kind not in NUMERIC and kind not in LIFTED:
                raise ValueError(f"unknown parameter type {kind!r} (use i32, i64, f32, f64)")
        for kind in self.results:
            if kind not in NUMERIC:
                raise ValueError(f"unknown result type {kind!r} (use i32, i64, f32, f64)")

    @classmethod
    def parse(cls, text: str) -> Signature:
        """Parse ``"i32, i32 -> i64"`` (parentheses optional; ``"->"`` alone is ``() -> ()``)."""
        if "->" not in text:
            raise ValueError(f"signature {text!r} needs '->' between parameters and results")
        left, right = text.split("->", 1)
        return cls(_type_list(left), _type_list(right))

    def wasm_params(self) -> tuple[str, ...]:
        """The core wasm parameter types (a lifted str/bytes parameter counts as i32, i32)."""
        out: list[str] = []
        for kind in self.params:
            out.extend(("i32", "i32") if kind in LIFTED else (kind,))
        return tuple(out)

    def __str__(self) -> str:
        params = ", ".join(self.params)
        if len(self.results) == 1:
            return f"({params}) -> {self.results[0]}"
        return f"({params}) -> ({', '.join(self.results)})"


def _type_list(text: str) -> tuple[str, ...]:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return tuple(part.strip() for part in text.split(",") if part.strip())


class Caller:
    """Pass-through marker: a host function whose first parameter is annotated ``Caller``
    receives the calling instance (``caller.memory`` is its exported memory)."""

    memory: Any

    def __init__(self, memory: Any) -> None:
        self.memory = memory


def _annotation_kind(annotation: Any, where: str) -> str:
    if typing.get_origin(annotation) is Annotated:
        for meta in typing.get_args(annotation)[1:]:
            if meta in NUMERIC:
                return str(meta)
        annotation = typing.get_args(annotation)[0]
    if annotation is int or annotation is bool:
        return "i32"
    if annotation is float:
        return "f64"
    if annotation is str:
        return "str"
    if annotation is bytes:
        return "bytes"
    raise TypeError(
        f"{where}: cannot map annotation {annotation!r} to a wasm type; "
        "use int, float, str, bytes or pinnace_host.i32/i64/f32/f64"
    )


def signature_from_annotations(func: Callable[..., Any], name: str) -> tuple[Signature, bool]:
    """Return the signature of host function ``func`` and whether it wants a ``Caller`` first."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except (NameError, TypeError) as exc:
        raise TypeError(f"import {name}: cannot read the annotations of {func!r}: {exc}") from exc
    params = list(inspect.signature(func).parameters.values())
    wants_caller = bool(params) and hints.get(params[0].name) is Caller
    if wants_caller:
        params = params[1:]
    kinds = []
    for param in params:
        if param.name not in hints:
            raise TypeError(
                f"import {name}: parameter {param.name!r} of {func.__qualname__} has no "
                "annotation; annotate it or give an explicit signature: (func, 'i32 -> i32')"
            )
        kinds.append(_annotation_kind(hints[param.name], f"import {name}"))
    ret = hints.get("return", inspect.Signature.empty)
    if ret is inspect.Signature.empty:
        raise TypeError(
            f"import {name}: {func.__qualname__} has no return annotation (use -> None)"
        )
    results: tuple[str, ...]
    if ret is None or ret is type(None):
        results = ()
    elif typing.get_origin(ret) is tuple:
        results = tuple(_annotation_kind(a, f"import {name}") for a in typing.get_args(ret))
    else:
        results = (_annotation_kind(ret, f"import {name}"),)
    for kind in results:
        if kind in LIFTED:
            raise TypeError(f"import {name}: a host function can return numbers only, not {kind}")
    return Signature(tuple(kinds), results), wants_caller
