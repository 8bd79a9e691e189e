"""The signature key of a call: one kind string per positional argument.

Cheap on purpose (it runs on every call): a list is classified by its first
element; the native code checks every element and raises `Deopt` on a mismatch.
"""

from __future__ import annotations

_SCALARS = {float: "float", int: "int", bool: "bool"}
_LIST_KINDS = {float: "list[float]", int: "list[int]"}
_DTYPE_NAMES: dict = {}  # numpy dtype -> name; `dtype.name` itself costs microseconds


def kind_of(value: object) -> str:
    """Kind of one argument, e.g. "float", "list[int]", "ndarray[float64, 1, C]"."""
    t = type(value)
    kind = _SCALARS.get(t)
    if kind is not None:
        return kind
    if t is list:
        # An empty list behaves the same for any element type.
        return _LIST_KINDS.get(type(value[0]), "list[object]") if value else "list[float]"
    if t.__name__ == "ndarray" and t.__module__ == "numpy":
        dtype = value.dtype
        name = _DTYPE_NAMES.get(dtype)
        if name is None:
            name = _DTYPE_NAMES[dtype] = dtype.name
        layout = "C" if value.flags.c_contiguous else "A"
        return f"ndarray[{name}, {value.ndim}, {layout}]"
    return f"{t.__module__}.{t.__qualname__}"


def signature_of(args: tuple) -> tuple[str, ...]:
    """Signature key of a positional argument tuple."""
    return tuple(map(kind_of, args))
