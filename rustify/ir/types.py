"""The IR's types: one definition per type, shared by every stage.

Each type is a frozen dataclass (a value: hashable, comparable, printable as
its signature kind) that knows, in one place:

- `kind`: the signature kind the runtime observes for an argument of this type
  (`"list[float]"`, `"ndarray[float64, 1, C]"`); `parse_kind` maps a kind back
  to its type (None: no IR type yet, so an argument of that kind stays Python);
- `rust`: the Rust type that holds a value inside the kernel;
- `boundary`: how a value crosses between Python and the kernel (a `Boundary`:
  by value, copied in and written back, or a zero-copy view; and the helpers of
  `rust_templates/boundary.rs.j2` that check, convert and return it);
- what it supports, for the analysis: `item` (what iterating it or indexing it
  with an int gives; None if neither), `has_len`, `stores_items` (element stores
  and appends are allowed).

Adding a type is one class here (with its `parse_kind` entry), its helpers in
boundary.rs.j2, the constructs that use it (analysis) and their differential
cases. The operations on scalars (promotion, result types) are Python's typing
rules and live in `analysis/typing_rules.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Boundary:
    """How a value of one type crosses between Python and the kernel.

    `mode`: "value" (converted in and out by value), "copy" (copied into a Rust
    vector; a mutated argument is written back after the call) or "view"
    (borrowed zero-copy; writes go straight to the caller's buffer).
    `arg`: the boundary.rs.j2 helper that checks an argument's exact type and
    converts it (a mismatch raises Deopt before anything runs); `ret`: the
    helper that turns a kernel result into a Python object; `write_back`: the
    helper that makes the caller's object equal the kernel's copy ("copy" only).
    """

    mode: str
    arg: str
    ret: str
    write_back: str | None = None


class IRType:
    """Base of every IR type (see the module docstring for what each one knows)."""

    item: "Type | None" = None
    has_len = False
    stores_items = False

    @property
    def kind(self) -> str:
        raise NotImplementedError

    @property
    def rust(self) -> str:
        raise NotImplementedError

    @property
    def boundary(self) -> Boundary:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.kind


# ------------------------------------------------------------------ scalars

# name -> (Rust type, argument helper, return helper)
_SCALARS = {
    "float": ("f64", "arg_f64", "ret_float"),
    "int": ("i64", "arg_i64", "ret_int"),
    "bool": ("bool", "arg_bool", "ret_bool"),
    "np.float64": ("f64", "arg_f64", "ret_np_float64"),
    "np.int64": ("i64", "arg_i64", "ret_np_int64"),
}
SCALAR_NAMES = tuple(_SCALARS)


@dataclass(frozen=True)
class Scalar(IRType):
    """A number: Python's float, int (checked i64) and bool, or a numpy scalar."""

    name: str

    def __post_init__(self):
        if self.name not in _SCALARS and self.name != "?":
            raise ValueError(f"unknown scalar type {self.name!r}")

    @property
    def is_float(self) -> bool:
        return self.name in ("float", "np.float64")

    @property
    def is_int(self) -> bool:
        return self.name in ("int", "np.int64")

    @property
    def is_numpy(self) -> bool:
        return self.name.startswith("np.")

    @property
    def kind(self) -> str:
        return self.name

    @property
    def rust(self) -> str:
        return _SCALARS[self.name][0]

    @property
    def boundary(self) -> Boundary:
        _, arg, ret = _SCALARS[self.name]
        return Boundary("value", arg, ret)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class NoneType(IRType):
    """`None`: what a function without a `return value` gives."""

    @property
    def kind(self) -> str:
        return "None"

    @property
    def rust(self) -> str:
        return "()"

    @property
    def boundary(self) -> Boundary:
        return Boundary("value", "", "ret_none")

    def __str__(self) -> str:
        return "None"


# --------------------------------------------------------------- containers


@dataclass(frozen=True)
class ListOf(IRType):
    """A Python list whose elements are all of one scalar type, copied into a `Vec`."""

    elem: Scalar
    has_len = True
    stores_items = True

    @property
    def item(self) -> Scalar:
        return self.elem

    @property
    def kind(self) -> str:
        return f"list[{self.elem}]"

    @property
    def rust(self) -> str:
        return f"Vec<{_elem_rust(self.elem)}>"

    @property
    def boundary(self) -> Boundary:
        return Boundary("copy", f"list_{_elem_rust(self.elem)}", "ret_list", "write_back")

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Array1(IRType):
    """A 1-D C-contiguous numpy array (exactly `numpy.ndarray`, native byte order);
    `elem` is np.float64 or np.int64. Arguments are views; new arrays are `Vec`s."""

    elem: Scalar
    has_len = True
    stores_items = True

    @property
    def item(self) -> Scalar:
        return self.elem

    @property
    def dtype(self) -> str:
        return self.elem.name[3:]

    @property
    def kind(self) -> str:
        return f"ndarray[{self.dtype}, 1, C]"

    @property
    def rust(self) -> str:
        return f"Vec<{_elem_rust(self.elem)}>"

    @property
    def boundary(self) -> Boundary:
        return Boundary("view", "arr", "ret_array")

    def __str__(self) -> str:
        return self.kind


def _elem_rust(elem: Scalar) -> str:
    # `[]` has no element type until something is appended (analysis's UNKNOWN_ELEM)
    return "f64" if elem.name == "?" else elem.rust


Type = Union[Scalar, ListOf, Array1, NoneType]

FLOAT = Scalar("float")
INT = Scalar("int")
BOOL = Scalar("bool")
NP_FLOAT64 = Scalar("np.float64")
NP_INT64 = Scalar("np.int64")
NONE = NoneType()

# ------------------------------------------------------------ signature kinds

_LIST_KIND = re.compile(r"list\[(\w+)\]")
_ARRAY_KIND = re.compile(r"ndarray\[(float64|int64), 1, C\]")
_LIST_ELEMS = (FLOAT, INT)


def parse_kind(kind: str) -> Type | None:
    """The IR type of an argument of signature kind `kind`, or None (it stays Python)."""
    if kind in ("float", "int", "bool"):
        return Scalar(kind)
    m = _LIST_KIND.fullmatch(kind)
    if m:
        elem = Scalar(m.group(1)) if m.group(1) in _SCALARS else None
        return ListOf(elem) if elem in _LIST_ELEMS else None
    m = _ARRAY_KIND.fullmatch(kind)
    if m:
        return Array1(Scalar("np." + m.group(1)))
    return None


# Every argument kind the IR has a type for, in the order the docs list them.
SIGNATURE_TYPES: dict[str, Type] = {
    t.kind: t for t in (FLOAT, INT, BOOL, ListOf(FLOAT), ListOf(INT), Array1(NP_FLOAT64), Array1(NP_INT64))
}
