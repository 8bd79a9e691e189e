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
    `arg_unwritten` ("object" only): the check for a function that writes nothing the
    caller can see, which may re-run in Python at any point, so the items of its
    containers are checked where they are read instead of all at entry.
    """

    mode: str
    arg: str
    ret: str
    write_back: str | None = None
    arg_unwritten: str | None = None


class IRType(ABC):
    """Base of every IR type (see the module docstring for what each one knows)."""

    item: "Type | None" = None
    has_len = False
    stores_items = False
    # A Python object the kernel holds itself (`Bound<'py, T>`): the kernel runs with the
    # GIL and works on the caller's object, so identity and aliasing are Python's.
    is_object = False

    @property
    def rust_init(self) -> str:
        """The Rust expression a kernel local of this type starts from (never observed:
        the analysis proves every read follows an assignment)."""
        return "Default::default()"

    @property
    def unbox(self) -> str:
        """Rust helper `fn(&Bound<'py, PyAny>) -> R<rust>`: an item read from a Python
        container (exact type checked; a mismatch is a Deopt)."""
        raise NotImplementedError(f"{self.kind} values are not held in Python containers")

    @property
    def box(self) -> str:
        """Rust helper `fn(Python<'py>, rust) -> R<Bound<'py, PyAny>>`: a value stored into
        a Python container."""
        raise NotImplementedError(f"{self.kind} values are not held in Python containers")

    @property
    def check(self) -> str:
        """A constant Rust `Check` tree (runtime_objects.rs.j2): what an argument holding a
        value of this type deep inside a container must look like, checked at entry."""
        raise NotImplementedError(f"{self.kind} values are not held in Python containers")


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
    "np.float64": ("f64", "arg_np_scalar::<f64>", "ret_np_float64"),
    "np.int64": ("i64", "arg_np_scalar::<i64>", "ret_np_int64"),
    # an item of a flat list that holds ints and floats (`list[number]`), each keeping its
    # Python type (Rust `Num`, runtime_numbers.rs.j2); only ever a list item, never an argument
    "number": ("Num", "", ""),
}
# numpy's narrower scalar types (element types of arrays, and numpy scalar arguments):
# name -> Rust type. Arithmetic on them follows numpy (typing_rules.promote, NEP 50).
NARROW_NUMPY = {"np.float32": "f32", "np.int32": "i32", "np.int16": "i16", "np.int8": "i8",
                "np.uint64": "u64", "np.uint32": "u32", "np.uint16": "u16", "np.uint8": "u8", "np.bool": "bool"}
for _name, _rust in NARROW_NUMPY.items():
    _SCALARS[_name] = (_rust, f"arg_np_scalar::<{_rust}>", f"ret_np_scalar::<{_rust}>")
SCALAR_NAMES = tuple(_SCALARS)
# numpy scalar types an argument may be (exactly that type: `numpy.float64`, `numpy.uint8`)
NUMPY_SCALAR_ARGS = ("np.float64", "np.int64", *NARROW_NUMPY)


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
        # the runtime names a numpy scalar by its class: `numpy.float32`
        return "numpy." + self.name[3:] if self.is_numpy else self.name

    @property
    def rust(self) -> str:
        return _SCALARS[self.name][0]



    @property
    def boundary(self) -> Boundary:
        _, arg, ret = _SCALARS[self.name]
        return Boundary("value", arg, ret)

    @property
    def unbox(self) -> str:
        return _BOXED_SCALARS[self.name][0]

    @property
    def box(self) -> str:
        return _BOXED_SCALARS[self.name][1]

    @property
    def check(self) -> str:
        return _BOXED_SCALARS[self.name][2]

    @property
    def in_containers(self) -> bool:
        """Held in Python containers (lists of lists, dict values) by this IR."""
        return self.name in _BOXED_SCALARS

    def __str__(self) -> str:
        return self.name


# scalars an object container may hold: name -> (unbox helper, box helper, Check)
_BOXED_SCALARS = {
    "float": ("unbox_f64", "box_f64", "Check::Float"),
    "int": ("unbox_i64", "box_i64", "Check::Int"),
    "bool": ("unbox_bool", "box_bool", "Check::Bool"),
    "np.float64": ("unbox_np_float64", "box_np_float64", "Check::NpFloat64"),
    "np.int64": ("unbox_np_int64", "box_np_int64", "Check::NpInt64"),
}




@dataclass(frozen=True)
class NoneType(IRType):
    """`None`: what a function without a `return value` gives, a `None` argument (kind
    `None`: the signature specialises on it, so `x is None` is decided when compiling)
    and the `None` constant. Held as Rust's `()`."""

    @property
    def kind(self) -> str:
        return "None"

    @property
    def rust(self) -> str:
        return "()"

    @property
    def boundary(self) -> Boundary:
        return Boundary("value", "arg_none", "ret_none")

    @property
    def box(self) -> str:
        return "box_none"  # `p.attr = None` (objects.py)

    def __str__(self) -> str:
        return "None"


@dataclass(frozen=True)
class RangeIterType(IRType):
    """The iterator of a `range()` (`it = iter(range(n))`, lower/ranges.py): the items left,
    held in a Rust `RangeIter`; `for x in it` and `next(it, d)` take from one state. It never
    crosses the boundary (the local is used only by those two)."""

    @property
    def kind(self) -> str:
        return "range_iterator"

    @property
    def rust(self) -> str:
        return "RangeIter"

    @property
    def boundary(self) -> Boundary:
        raise NotImplementedError("a range iterator is never an argument or a result")

    def __str__(self) -> str:
        return "range_iterator"


RANGE_ITER = RangeIterType()


@dataclass(frozen=True)
class Optional(IRType):
    """`T | None`: a local bound to None on one path and to a `T` on another, or a result that
    is None or a `T` (`inner`: int, float, bool, str or bytes; `optional_inner`). Held as Rust's
    `Option<T>`. Never an argument (a call's None is its own kind, `NoneType`): it leaves the
    kernel as a result, None or the value converted as `inner` converts it.

    Its operations (lower/optional.py): `x is None` / `is not None` / `== None` (`IsNone`),
    truth (None is false, else `inner`'s truth), binding and returning it, and reading it as
    `inner` where a test proved it is not None (`Unwrap`); any other use stays Python."""

    inner: "Type"

    def __post_init__(self):
        if not optional_inner(self.inner):
            raise ValueError(f"no Optional of {self.inner}")

    @property
    def is_object(self) -> bool:
        return self.inner.is_object

    @property
    def kind(self) -> str:
        return f"{self.inner.kind} | None"

    @property
    def rust(self) -> str:
        return f"Option<{self.inner.rust}>"

    @property
    def rust_init(self) -> str:
        return "None"

    @property
    def boundary(self) -> Boundary:
        # a result only: None, or the value as `inner` returns it
        ret = (f"(|py: Python<'py>, v: {self.rust}| -> PyResult<Py<PyAny>> {{ match v {{ "
               f"Some(x) => {self.inner.boundary.ret}(py, x), None => Ok(py.None()) }} }})")
        return Boundary("value", "arg_none", ret)

    def __str__(self) -> str:
        return self.kind


def optional_inner(t) -> bool:
    """`t` may be the `T` of an `Optional[T]` (see `Optional`)."""
    return t in (Scalar("int"), Scalar("float"), Scalar("bool")) or isinstance(t, (Str, Bytes))


# ------------------------------------------------------------------ complex

# name -> (signature kind, Rust type, argument helper, return helper, type of .real/.imag/abs)
_COMPLEX = {
    "complex": ("complex", "Cx", "arg_complex", "ret_complex", "float"),
    "np.complex128": ("numpy.complex128", "Cx", "arg_np_scalar::<Cx>", "ret_np_scalar::<Cx>", "np.float64"),
    "np.complex64": ("numpy.complex64", "Cx32", "arg_np_scalar::<Cx32>", "ret_np_scalar::<Cx32>", "np.float32"),
}
# array dtypes of complex elements (beside ARRAY_DTYPES, the real ones)
COMPLEX_DTYPES = ("complex128", "complex64")


@dataclass(frozen=True)
class Complex(IRType):
    """A complex number: Python's `complex` (CPython's arithmetic, runtime_complex.rs.j2) or
    numpy's complex128/complex64 scalar (numpy's), held as `numpy::Complex64`/`Complex32`.
    An argument is exactly that type (a subclass is its own kind); a result is a new one."""

    name: str

    def __post_init__(self):
        if self.name not in _COMPLEX:
            raise ValueError(f"unknown complex type {self.name!r}")

    is_float = is_int = is_narrow_numpy = False

    @property
    def is_numpy(self) -> bool:
        return self.name.startswith("np.")

    @property
    def part(self) -> Scalar:
        """The type of `.real`, `.imag` and `abs()`."""
        return Scalar(_COMPLEX[self.name][4])

    @property
    def kind(self) -> str:
        return _COMPLEX[self.name][0]

    @property
    def rust(self) -> str:
        return _COMPLEX[self.name][1]

    @property
    def boundary(self) -> Boundary:
        _, _, arg, ret, _ = _COMPLEX[self.name]
        return Boundary("value", arg, ret)

    def __str__(self) -> str:
        return self.name


COMPLEX = Complex("complex")
NP_COMPLEX128 = Complex("np.complex128")
NP_COMPLEX64 = Complex("np.complex64")
_COMPLEX_KINDS = {t.kind: t for t in (COMPLEX, NP_COMPLEX128, NP_COMPLEX64)}


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
        return Boundary("copy", f"list_{_elem_rust(self.elem).lower()}", "ret_list", "write_back")

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
    def storage(self) -> str:
        """The Rust type of one stored element: a bool array is held as its bytes (`u8`; numpy's
        truth of an element is byte != 0, and `a.view(bool)` may hold any byte, which a Rust
        `bool` must never see); reads give a Rust `bool`, stores write 0 or 1."""
        return "u8" if self.elem.name == "np.bool" else _elem_rust(self.elem)

    @property
    def rust(self) -> str:
        if self.ndim == 1:
            return f"Vec<{self.storage}>"
        return f"numpy::ndarray::Array<{self.storage}, {self.dim}>"

    @property
    def boundary(self) -> Boundary:
        prefix = "bool_" if self.elem.name == "np.bool" else ""
        return Boundary("view", f"arr_{prefix}".rstrip("_"), f"ret_{prefix}array" + ("" if self.ndim == 1 else "_nd"))


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

    @property
    def is_object(self) -> bool:
        return any(t.is_object for t in self.items)

    @property
    def rust_init(self) -> str:
        inner = ", ".join(t.rust_init for t in self.items)
        return f"({inner},)" if len(self.items) == 1 else f"({inner})"

    def _arg_converter(self) -> str:
        """A Rust closure `(py, &PyAny) -> PyResult<rust>`: exact tuple of this length, items checked."""
        items = "".join(f"{t.boundary.arg}(py, &t.get_item({i})?)?, " for i, t in enumerate(self.items))
        return (f"(|py: Python<'py>, o: &Bound<'py, PyAny>| -> PyResult<{self.rust}> "
                f"{{ let t = arg_tuple(py, o, {len(self.items)})?; Ok(({items})) }})")

    def _ret_converter(self) -> str:
        """A Rust closure `(py, rust) -> PyResult<Py<PyAny>>` building a new tuple."""
        items = ", ".join(f"{t.boundary.ret}(py, v.{i})?" for i, t in enumerate(self.items))
        return f"(|py: Python<'py>, v: {self.rust}| -> PyResult<Py<PyAny>> {{ ret_tuple(py, [{items}]) }})"

    @property
    def unbox(self) -> str:
        items = "".join(f"{t.unbox}(&*tuple_at(t, {i}))?, " for i, t in enumerate(self.items))
        return (f"(|o: &Bound<'py, PyAny>| -> R<{self.rust}> "
                f"{{ let t = unbox_tuple(o, {len(self.items)})?; Ok(({items})) }})")

    @property
    def box(self) -> str:
        items = ", ".join(f"{t.box}(py, v.{i})?" for i, t in enumerate(self.items))
        return f"(|py: Python<'py>, v: {self.rust}| -> R<Bound<'py, PyAny>> {{ box_tuple(py, [{items}]) }})"

    @property
    def check(self) -> str:
        return f"Check::Tuple(&[{', '.join(t.check for t in self.items)}])"

    def __str__(self) -> str:
        return self.kind


# -------------------------------------------------------- Python objects
# Values the kernel holds as the caller's own objects (`Bound<'py, T>`), read and
# written through the C API with the GIL held: str, bytes, bytearray, and lists,
# dicts and sets whose items have IR types. Arguments are checked deeply at entry
# (every item, `check`), so nothing inside a container can surprise the kernel.


class PyObjectType(IRType):
    """Base of the object-backed types: `py_class` is the PyO3 type (`PyString`)."""

    is_object = True
    py_class = "PyAny"
    init = "PyNone::get(py).to_owned().into_any()"

    @property
    def rust(self) -> str:
        return f"Bound<'py, {self.py_class}>"

    @property
    def rust_init(self) -> str:
        return self.init

    @property
    def boundary(self) -> Boundary:
        return Boundary("object", f"(|py: Python<'py>, o: &Bound<'py, PyAny>| arg_object::<{self.py_class}>(py, o, &{self.check}))",
                        "ret_object", arg_unwritten=f"(|py: Python<'py>, o: &Bound<'py, PyAny>| "
                                                    f"arg_object_shallow::<{self.py_class}>(py, o, &{self.check}))")

    @property
    def unbox(self) -> str:
        return f"unbox_object::<{self.py_class}>"

    @property
    def box(self) -> str:
        return "box_object"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Str(PyObjectType):
    """A Python `str` (exactly: a subclass is its own kind). Indexing and `len` count
    code points, as Python's do."""

    py_class = "PyString"
    init = "PyString::intern(py, \"\")"
    has_len = True

    @property
    def item(self) -> "Str":
        return self

    @property
    def kind(self) -> str:
        return "str"

    @property
    def check(self) -> str:
        return "Check::Str"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class PyInt(PyObjectType):
    """A Python int of any size, held as CPython's own int object (`Bound<PyInt>`): the int
    locals and list items of a function's wide specialisation (lower/bigints.py), compiled
    after its i64 code met an int past 64 bits. Arithmetic and comparisons are CPython's
    (runtime_bigint.rs.j2); an item read from a list is checked to be exactly an int. Never
    an argument kind (arguments stay i64; kind "int" names it inside list kinds)."""

    py_class = "PyInt"
    init = "bi_from(py, 0)"

    @property
    def kind(self) -> str:
        return "int"

    @property
    def check(self) -> str:
        return "Check::AnyInt"

    def __str__(self) -> str:
        return "int"


@dataclass(frozen=True)
class Bytes(PyObjectType):
    """A Python `bytes` (immutable); indexing gives an int."""

    py_class = "PyBytes"
    init = "PyBytes::new(py, b\"\")"
    has_len = True

    @property
    def item(self) -> Scalar:
        return INT

    @property
    def kind(self) -> str:
        return "bytes"

    @property
    def check(self) -> str:
        return "Check::Bytes"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class ByteArray(PyObjectType):
    """A Python `bytearray` (mutable in place); indexing gives an int."""

    py_class = "PyByteArray"
    init = "PyByteArray::new(py, b\"\")"
    has_len = True
    stores_items = True

    @property
    def item(self) -> Scalar:
        return INT

    @property
    def kind(self) -> str:
        return "bytearray"

    @property
    def check(self) -> str:
        return "Check::ByteArray"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class MemoryView(PyObjectType):
    """A `memoryview` the kernel made of a bytes (`source` "bytes") or bytearray: one
    dimension of unsigned bytes (format "B"), CPython's own object (while it lives, the
    bytearray cannot be resized, as in Python). Never an argument kind."""

    source: str = "bytes"
    py_class = "PyMemoryView"
    init = "PyMemoryView::from(PyBytes::new(py, b\"\").as_any())?"

    @property
    def kind(self) -> str:
        return f"memoryview[{self.source}]"

    @property
    def boundary(self) -> Boundary:
        return Boundary("object", "", "ret_object")  # returned to Python; never an argument

    def __str__(self) -> str:
        return "memoryview"


@dataclass(frozen=True)
class PyListOf(PyObjectType):
    """A Python list worked on in place (no copy): the list of a list of lists, a list of
    str or tuples, any list whose identity shows. Its items have one IR type, `elem`."""

    elem: "Type"
    py_class = "PyList"
    init = "PyList::empty(py)"
    has_len = True
    stores_items = True

    @property
    def item(self) -> "Type":
        return self.elem

    @property
    def kind(self) -> str:
        return f"list[{self.elem.kind}]"

    @property
    def check(self) -> str:
        return f"Check::List(&{self.elem.check})"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class PyTupleOf(PyObjectType):
    """A tuple of any length whose items have one IR type, `elem`, held as CPython's own tuple
    object: what `tuple(genexpr)` builds (lower/lists.py). Iterated, indexed (IndexError as
    Python's), measured, compared and returned; never an argument kind (a tuple argument is a
    `TupleOf` of its items' kinds)."""

    elem: "Type"
    py_class = "PyTuple"
    init = "PyTuple::empty(py)"
    has_len = True

    @property
    def item(self) -> "Type":
        return self.elem

    @property
    def kind(self) -> str:
        return f"tuple[{self.elem.kind}, ...]"

    @property
    def boundary(self) -> Boundary:
        return Boundary("object", "", "ret_object")  # returned to Python; never an argument

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class DictOf(PyObjectType):
    """A Python dict worked on in place: keys of one hashable IR type (int, bool, str,
    tuples of them), values of one IR type. Order, hashing and identity are the dict's own."""

    key: "Type"
    value: "Type"
    py_class = "PyDict"
    init = "PyDict::new(py)"
    has_len = True
    stores_items = True

    @property
    def item(self) -> "Type":
        return self.key  # iterating a dict gives its keys

    @property
    def kind(self) -> str:
        return f"dict[{self.key.kind}, {self.value.kind}]"

    @property
    def check(self) -> str:
        return f"Check::Dict(&{self.key.check}, &{self.value.check})"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class SetOf(PyObjectType):
    """A Python set worked on in place: members of one hashable IR type. Iteration order
    is the set's own (CPython's), so results built from it match Python's."""

    elem: "Type"
    py_class = "PySet"
    init = "PySet::empty(py)?"
    has_len = True

    @property
    def item(self) -> "Type":
        return self.elem

    @property
    def kind(self) -> str:
        return f"set[{self.elem.kind}]"

    @property
    def check(self) -> str:
        return f"Check::Set(&{self.elem.check})"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Instance(PyObjectType):
    """An instance of a plain Python class (its own `__dict__` or `__slots__`, no custom
    `__getattribute__`/`__setattr__`/`__getattr__`, no metaclass), exactly of the class
    `module:qualname` (a subclass is its own kind). `attrs` are (name, kind) of the
    attributes the object had when the call was classified; the kernel holds the
    caller's own object, so identity and writes are Python's. Kind:
    `obj[module:qualname, m=float, vx=float]`. The entry checks the class only; an
    attribute is read with its exact type checked (`attr_type`)."""

    module: str
    qualname: str
    attrs: tuple = ()  # ((name, kind), ...)

    @property
    def kind(self) -> str:
        return "obj[" + ", ".join([f"{self.module}:{self.qualname}"] + [f"{n}={k}" for n, k in self.attrs]) + "]"

    def attr_type(self, name: str) -> "Type | None":
        """The IR type of attribute `name` as classified (None: absent, or of a kind no IR type holds)."""
        for n, k in self.attrs:
            if n == name:
                return _parse_item_kind(k)
        return None

    @property
    def spec(self) -> str:
        """The Rust `InstanceSpec` constant naming the class (runtime_instances.rs.j2)."""
        return f'InstanceSpec {{ module: "{self.module}", qualname: "{self.qualname}" }}'

    @property
    def check(self) -> str:
        return f"Check::Instance(&{self.spec})"

    @property
    def boundary(self) -> Boundary:
        return Boundary("object", f"(|py: Python<'py>, o: &Bound<'py, PyAny>| arg_instance(py, o, &{self.spec}))",
                        "ret_object")

    @property
    def unbox(self) -> str:
        return f"(|o: &Bound<'py, PyAny>| unbox_instance(o, &{self.spec}))"

    def __str__(self) -> str:
        return f"{self.qualname} object"



class _NativeContainer(IRType):
    """Base of the native dict and set: held in Rust, never an argument (no signature kind of
    its own; the analysis makes one from a `DictOf`/`SetOf` local, lower/native_maps.py)."""

    has_len = True

    @property
    def rust_init(self) -> str:
        return "NMap::default()"

    @property
    def boundary(self) -> Boundary:
        raise NotImplementedError("a native dict or set is never an argument")


@dataclass(frozen=True)
class NativeDict(_NativeContainer):
    """A dict the kernel made itself and that nothing else sees until it is returned: an
    insertion-ordered Rust map (`NMap`, runtime_native_maps.rs.j2) of native keys (int, bool,
    str, tuples of them) and values, boxed into a Python dict once, in insertion order."""

    key: "Type"
    value: "Type"

    @property
    def item(self) -> "Type":
        return self.key

    @property
    def kind(self) -> str:
        return f"native-dict[{self.key.kind}, {self.value.kind}]"

    @property
    def rust(self) -> str:
        return f"NMap<{self.key.rust}, {self.value.rust}>"

    @property
    def py(self) -> "DictOf":
        return DictOf(self.key, self.value)

    def __str__(self) -> str:
        return str(self.py)


@dataclass(frozen=True)
class NativeSet(_NativeContainer):
    """A set the kernel made itself, that never leaves it and is never iterated (so its order,
    which is CPython's table order for a Python set, never shows): `NMap<member, ()>`."""

    elem: "Type"

    @property
    def item(self) -> "Type":
        return self.elem

    @property
    def kind(self) -> str:
        return f"native-set[{self.elem.kind}]"

    @property
    def rust(self) -> str:
        return f"NMap<{self.elem.rust}, ()>"

    def __str__(self) -> str:
        return str(SetOf(self.elem))



@dataclass(frozen=True)
class DictMirror(_NativeContainer):
    """The native mirror of a dict argument the kernel looks keys up in and does not write
    (`DictMirror` in runtime_native_maps.rs.j2): a hidden local, never a value."""

    key: "Type"
    value: "Type"

    @property
    def kind(self) -> str:
        return f"dict-mirror[{self.key.kind}, {self.value.kind}]"

    @property
    def rust(self) -> str:
        return f"DictMirror<{self.key.rust}, {self.value.rust}>"

    @property
    def rust_init(self) -> str:
        return "DictMirror::default()"



@dataclass(frozen=True)
class ListView(PyObjectType):
    """A flat list of Python floats or ints argument that the kernel only reads, once over
    (a `for`, `sum`, indexing, `len`; lower/list_views.py): read in place (no copy), with the
    GIL held, each item's type checked where it is read (`ListView` in runtime_lists.rs.j2)."""

    elem: Scalar
    py_class = "PyList"
    has_len = True

    @property
    def item(self) -> Scalar:
        return self.elem

    @property
    def kind(self) -> str:
        return f"list[{self.elem.kind}]"

    @property
    def rust(self) -> str:
        return f"ListView<'py, {self.elem.rust}>"

    @property
    def boundary(self) -> Boundary:
        return Boundary("object", f"arg_list_view::<{self.elem.rust}>", "ret_object")


_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _parse_instance_kind(inner: str) -> "Instance | None":
    """`module:qualname, name=kind, ...` (the text between `obj[` and `]`)."""
    parts = _split_kinds(inner)
    module, _, qualname = parts[0].partition(":")
    if not (_DOTTED_NAME.fullmatch(module) and _DOTTED_NAME.fullmatch(qualname)):
        return None
    attrs = []
    for p in parts[1:]:
        name, eq, k = p.partition("=")
        if not eq or not name.isidentifier():
            return None
        attrs.append((name, k))
    return Instance(module, qualname, tuple(attrs))


def hashable(t: "Type") -> bool:
    """May be a dict key or a set member in this IR (floats too: Python allows them)."""
    if isinstance(t, Scalar):
        return t.in_containers
    if isinstance(t, TupleOf):
        return all(hashable(i) for i in t.items)
    return isinstance(t, (Str, Bytes))


STR = Str()
PYINT = PyInt()
BYTES = Bytes()
BYTEARRAY = ByteArray()

Type = Union[Scalar, ListOf, Array, NoneType, Optional, TupleOf, Str, PyInt, Bytes, ByteArray, PyListOf, DictOf, SetOf,
             NativeDict, NativeSet, DictMirror, ListView, RangeIterType]

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
NUMBER = Scalar("number")  # see _SCALARS
_LIST_ELEMS = (FLOAT, INT, NUMBER)
# dtypes an array may hold (uint64 and complex stay Python)
ARRAY_DTYPES = ("float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool")



def parse_kind(kind: str) -> Type | None:
    """The IR type of an argument of signature kind `kind`, or None (it stays Python)."""
    if kind in _COMPLEX_KINDS:
        return _COMPLEX_KINDS[kind]
    if kind in ("float", "int", "bool"):
        return Scalar(kind)
    if kind == "None":
        return NONE
    if kind.startswith("tuple[") and kind.endswith("]"):
        return _parse_tuple_kind(kind[len("tuple["):-1])
    m = _LIST_KIND.fullmatch(kind)
    if m:
        elem = Scalar(m.group(1)) if m.group(1) in _SCALARS else None
        if elem in _LIST_ELEMS:
            return ListOf(elem)  # a flat list of Python numbers: copied into a Vec
    m = _ARRAY_KIND.fullmatch(kind)
    if m:
        if m.group(1) in COMPLEX_DTYPES:
            return Array(Complex("np." + m.group(1)), int(m.group(2)), m.group(3))
        if m.group(1) not in ARRAY_DTYPES:
            return None
        return Array(Scalar("np." + m.group(1)), int(m.group(2)), m.group(3))
    m = _NUMPY_SCALAR_KIND.fullmatch(kind)
    if m and f"np.{m.group(1)}" in NUMPY_SCALAR_ARGS:
        return Scalar(f"np.{m.group(1)}")  # a numpy scalar argument (float32, int32, ...)
    return _parse_object_kind(kind)


_OBJECT_SCALARS = {"str": STR, "bytes": BYTES, "bytearray": BYTEARRAY}


def _parse_object_kind(kind: str) -> Type | None:
    """str, bytes, bytearray, and lists, dicts and sets of item kinds (`_parse_item_kind`)."""
    if kind in _OBJECT_SCALARS:
        return _OBJECT_SCALARS[kind]
    if kind.startswith("obj[") and kind.endswith("]"):
        return _parse_instance_kind(kind[len("obj["):-1])  # an instance of a plain class
    for prefix in ("list[", "dict[", "set["):
        if kind.startswith(prefix) and kind.endswith("]"):
            parts = _split_kinds(kind[len(prefix):-1])
            items = [_parse_item_kind(k) for k in parts]
            if any(t is None for t in items):
                return None
            if prefix == "list[" and len(items) == 1:
                return PyListOf(items[0])
            if prefix == "set[" and len(items) == 1 and hashable(items[0]):
                return SetOf(items[0])
            if prefix == "dict[" and len(items) == 2 and hashable(items[0]):
                return DictOf(items[0], items[1])
            return None
    return None


def _parse_item_kind(kind: str) -> Type | None:
    """The IR type of an item inside a container: Python numbers, numpy float64/int64
    scalars, tuples, str/bytes, and lists (held in place), dicts and sets."""
    if kind in ("float", "int", "bool"):
        return Scalar(kind)
    if kind in ("numpy.float64", "numpy.int64"):
        return Scalar("np." + kind[len("numpy."):])
    if kind.startswith("tuple[") and kind.endswith("]"):
        return _parse_tuple_kind(kind[len("tuple["):-1])
    if kind.startswith("list[") and kind.endswith("]"):
        elem = _parse_item_kind(kind[len("list["):-1])
        return PyListOf(elem) if elem is not None else None
    return _parse_object_kind(kind)


def _split_kinds(inner: str) -> list[str]:
    """`float, tuple[int, bool]` -> ["float", "tuple[int, bool]"] (commas at depth 0)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
    parts.append(inner[start:].strip())
    return parts


def _parse_tuple_kind(inner: str) -> TupleOf | None:
    """`float, tuple[int, bool]` (the text between `tuple[` and `]`): items that are
    Python floats, ints, bools, strs or such tuples, at most MAX_TUPLE_ITEMS of them;
    anything else (numpy scalars, lists, longer tuples) stays Python."""
    if inner == "()":
        return TupleOf(())
    items = [parse_kind(p) for p in _split_kinds(inner)]
    if len(items) > MAX_TUPLE_ITEMS or not all(t in (FLOAT, INT, BOOL, STR, COMPLEX) or isinstance(t, TupleOf) for t in items):
        return None
    return TupleOf(tuple(items))


# Every argument kind the IR has a type for, in the order the docs list them.
SIGNATURE_TYPES: dict[str, Type] = {
    t.kind: t for t in (FLOAT, INT, BOOL, ListOf(FLOAT), ListOf(INT), Array1(NP_FLOAT64), Array1(NP_INT64))
}
SIGNATURE_TYPES[COMPLEX.kind] = COMPLEX
SIGNATURE_TYPES[NONE.kind] = NONE
# ... and the families of numpy kinds (documented as patterns, not one row per combination)
SIGNATURE_KIND_PATTERNS = {
    "obj[<module>:<class>, <attr>=<kind>, ...]": "an instance of exactly that plain Python class (no "
    "metaclass, no `__getattr__`/`__getattribute__`/`__setattr__`; a dataclass or `__slots__` class too), "
    "with the kinds of its attributes at the call; also as a list item (`list[obj[...]]`)",
    "ndarray[<dtype>, <ndim>, C|A]": "numpy array, 1 to 4 dimensions, of dtype " + ", ".join(ARRAY_DTYPES)
    + " (C: C-contiguous; A: any strides, e.g. `x[::3]`, `a.T`, Fortran order)",
    "numpy.<type>": "numpy scalar argument of type " + ", ".join(n[3:] for n in NUMPY_SCALAR_ARGS),
    "ndarray[complex128|complex64, <ndim>, C|A]": "numpy array of complex numbers, in the same layouts",
    "numpy.complex128|complex64": "numpy complex scalar argument",
    "dict[<key>, <value>]": "a dict worked on in place (no copy): keys int, bool, str or tuples of them "
    "(float keys stay Python), values of any item kind (numbers, numpy float64/int64, str, tuples, lists, dicts, sets); "
    "classified by its first item; every item is checked at entry if the function writes to an object "
    "the caller sees, else where it is read (a mismatch re-runs the call in Python); an empty dict (`dict[?, ?]`) stays "
    "Python, since its item types would have to come from the body",
    "set[<member>]": "a set worked on in place, members as dict keys; an empty set (`set[?]`) stays Python",
}
