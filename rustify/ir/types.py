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
from abc import ABC, abstractmethod
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


class IRType(ABC):
    """Base of every IR type (see the module docstring for what each one knows)."""

    item: "Type | None" = None
    has_len = False
    stores_items = False

    @property
    @abstractmethod
    def kind(self) -> str:
        """The signature kind of an argument of this type."""

    @property
    @abstractmethod
    def rust(self) -> str:
        """The Rust type that holds a value inside the kernel."""

    @property
    @abstractmethod
    def boundary(self) -> Boundary:
        """How a value crosses between Python and the kernel."""

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
# numpy's narrower scalar types (element types of arrays, and numpy scalar arguments):
# name -> Rust type. Arithmetic on them follows numpy (typing_rules.promote, NEP 50).
NARROW_NUMPY = {"np.float32": "f32", "np.int32": "i32", "np.int16": "i16", "np.int8": "i8",
                "np.uint32": "u32", "np.uint16": "u16", "np.uint8": "u8", "np.bool": "bool"}
for _name, _rust in NARROW_NUMPY.items():
    _SCALARS[_name] = (_rust, f"arg_np_scalar::<{_rust}>", f"ret_np_scalar::<{_rust}>")
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
        return self.name in ("float", "np.float64", "np.float32")

    @property
    def is_int(self) -> bool:
        return self.name in ("int", "np.int64") or (self.name.startswith(("np.int", "np.uint")))

    @property
    def is_narrow_numpy(self) -> bool:
        """float32, int32, uint8, np.bool, ...: numpy's rules, not those of float64/int64."""
        return self.name in NARROW_NUMPY


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
class Array(IRType):
    """A numpy array argument or a new array: exactly `numpy.ndarray`, native byte order,
    `ndim` 1 to 4, `elem` one of ARRAY_ELEMS. `layout` "C" (C-contiguous) or "A" (any
    strides: slices with steps, transposes, Fortran order). Arguments are zero-copy views
    (a 1-D C array is a Rust slice, anything else an ndarray view with its strides); new
    arrays are a `Vec` (1-D) or an owned C-order `ndarray::Array`."""

    elem: Scalar
    ndim: int = 1
    layout: str = "C"
    has_len = True
    stores_items = True

    @property
    def item(self) -> Scalar | None:
        return self.elem if self.ndim == 1 else None  # a[i] of an N-D array is a view

    @property
    def dtype(self) -> str:
        return self.elem.name[3:]

    @property
    def is_slice(self) -> bool:
        """Held as a Rust slice (`&[T]` argument, `Vec<T>` local): 1-D and C-contiguous."""
        return self.ndim == 1 and self.layout == "C"

    @property
    def kind(self) -> str:
        return f"ndarray[{self.dtype}, {self.ndim}, {self.layout}]"

    @property
    def dim(self) -> str:
        """The ndarray dimension type (`numpy::ndarray::Ix2`)."""
        return f"numpy::ndarray::Ix{self.ndim}"

    @property
    def rust(self) -> str:
        if self.ndim == 1:
            return f"Vec<{_elem_rust(self.elem)}>"
        return f"numpy::ndarray::Array<{_elem_rust(self.elem)}, {self.dim}>"

    @property
    def boundary(self) -> Boundary:
        return Boundary("view", "arr", "ret_array" if self.ndim == 1 else "ret_array_nd")

    def __str__(self) -> str:
        return self.kind


Array1 = Array  # the 1-D C-contiguous default: `Array1(elem)` is `Array(elem, 1, "C")`


def _elem_rust(elem: Scalar) -> str:
    # `[]` has no element type until something is appended (analysis's UNKNOWN_ELEM)
    return "f64" if elem.name == "?" else elem.rust


# Rust implements Default (a kernel's locals start from it) for tuples of up to 12 items.
MAX_TUPLE_ITEMS = 12


@dataclass(frozen=True)
class TupleOf(IRType):
    """A tuple of fixed length whose items have the types `items` (numbers, and tuples
    of them), held as a Rust tuple. An argument is exactly `tuple` (a subclass or a
    namedtuple is its own kind) with each item checked as that item's argument type;
    a result is a new `tuple` whose items convert as their types do (numpy scalars
    stay numpy scalars). Indexing, `len`, comparison and unpacking are the analysis's
    (lower/tuples.py); `item` is None because only an index the analysis can see
    picks an item's type."""

    items: tuple
    has_len = True

    @property
    def kind(self) -> str:
        return f"tuple[{', '.join(t.kind for t in self.items)}]" if self.items else "tuple[()]"

    @property
    def rust(self) -> str:
        inner = ", ".join(t.rust for t in self.items)
        return f"({inner},)" if len(self.items) == 1 else f"({inner})"

    @property
    def boundary(self) -> Boundary:
        return Boundary("value", self._arg_converter(), self._ret_converter())

    def _arg_converter(self) -> str:
        """A Rust closure `(py, &PyAny) -> PyResult<rust>`: exact tuple of this length, items checked."""
        items = "".join(f"{t.boundary.arg}(py, &t.get_item({i})?)?, " for i, t in enumerate(self.items))
        return (f"(|py: Python<'_>, o: &Bound<'_, PyAny>| -> PyResult<{self.rust}> "
                f"{{ let t = arg_tuple(py, o, {len(self.items)})?; Ok(({items})) }})")

    def _ret_converter(self) -> str:
        """A Rust closure `(py, rust) -> PyResult<Py<PyAny>>` building a new tuple."""
        items = ", ".join(f"{t.boundary.ret}(py, v.{i})?" for i, t in enumerate(self.items))
        return f"(|py: Python<'_>, v: {self.rust}| -> PyResult<Py<PyAny>> {{ ret_tuple(py, [{items}]) }})"

    def __str__(self) -> str:
        return self.kind


Type = Union[Scalar, ListOf, Array, NoneType, TupleOf]

FLOAT = Scalar("float")
INT = Scalar("int")
BOOL = Scalar("bool")
NP_FLOAT64 = Scalar("np.float64")
NP_INT64 = Scalar("np.int64")
NONE = NoneType()

# ------------------------------------------------------------ signature kinds

_LIST_KIND = re.compile(r"list\[(\w+)\]")
_ARRAY_KIND = re.compile(r"ndarray\[(\w+), ([1-4]), (C|A)\]")
_NUMPY_SCALAR_KIND = re.compile(r"numpy\.(\w+)")
_LIST_ELEMS = (FLOAT, INT)
# dtypes an array may hold (uint64 and complex stay Python)
ARRAY_DTYPES = ("float64", "float32", "int64", "int32", "int16", "int8", "uint32", "uint16", "uint8", "bool")



def parse_kind(kind: str) -> Type | None:
    """The IR type of an argument of signature kind `kind`, or None (it stays Python)."""
    if kind in ("float", "int", "bool"):
        return Scalar(kind)
    if kind.startswith("tuple[") and kind.endswith("]"):
        return _parse_tuple_kind(kind[len("tuple["):-1])
    m = _LIST_KIND.fullmatch(kind)
    if m:
        elem = Scalar(m.group(1)) if m.group(1) in _SCALARS else None
        return ListOf(elem) if elem in _LIST_ELEMS else None
    m = _ARRAY_KIND.fullmatch(kind)
    if m:
        if m.group(1) not in ARRAY_DTYPES or m.group(1) == "bool":
            # a bool array may hold any byte (`a.view(bool)`), which a Rust `bool` must
            # never see: bool array arguments stay Python until they are read as bytes
            return None
        return Array(Scalar("np." + m.group(1)), int(m.group(2)), m.group(3))
    m = _NUMPY_SCALAR_KIND.fullmatch(kind)
    if m and f"np.{m.group(1)}" in NARROW_NUMPY:
        return Scalar(f"np.{m.group(1)}")  # a numpy scalar argument (float32, int32, ...)
    return None


def _parse_tuple_kind(inner: str) -> TupleOf | None:
    """`float, tuple[int, bool]` (the text between `tuple[` and `]`): items that are
    Python floats, ints, bools or such tuples, at most MAX_TUPLE_ITEMS of them;
    anything else (numpy scalars, lists, longer tuples) stays Python."""
    if inner == "()":
        return TupleOf(())
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
    parts.append(inner[start:].strip())
    items = [parse_kind(p) for p in parts]
    if len(items) > MAX_TUPLE_ITEMS or not all(t in (FLOAT, INT, BOOL) or isinstance(t, TupleOf) for t in items):
        return None
    return TupleOf(tuple(items))


# Every argument kind the IR has a type for, in the order the docs list them.
SIGNATURE_TYPES: dict[str, Type] = {
    t.kind: t for t in (FLOAT, INT, BOOL, ListOf(FLOAT), ListOf(INT), Array1(NP_FLOAT64), Array1(NP_INT64))
}
# ... and the families of numpy kinds (documented as patterns, not one row per combination)
SIGNATURE_KIND_PATTERNS = {
    "ndarray[<dtype>, <ndim>, C|A]": "numpy array, 1 to 4 dimensions, of dtype " + ", ".join(d for d in ARRAY_DTYPES if d != "bool")
    + " (C: C-contiguous; A: any strides, e.g. `x[::3]`, `a.T`, Fortran order)",
    "numpy.<type>": "numpy scalar argument of type " + ", ".join(n[3:] for n in NARROW_NUMPY),
}
