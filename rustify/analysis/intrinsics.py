"""The registry of functions the translator understands (builtins, math, numpy).

Each entry maps a live Python object (`math.sqrt`, `len`, `np.zeros`) to a rule
that types its arguments and produces IR. `registry()` is also what the docs'
table of supported functions is generated from.
"""

from __future__ import annotations

import builtins
import math
import sys
from dataclasses import dataclass
from typing import Callable

from rustify import ir
from rustify.analysis import intrinsics_text
from rustify.analysis import intrinsics_complex, intrinsics_ints, intrinsics_numpy
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64, NP_INT64


@dataclass(frozen=True)
class Intrinsic:
    """`python_name` as users write it; `lower(lowerer, node, args) -> ir.Expr`."""

    python_name: str
    lower: Callable
    doc: str
    shape_arg: bool = False  # the first argument is an array shape: an int or a tuple of ints
    raw_args: bool = False  # `lower` gets (the argument nodes, definitely assigned names), not IR


def _scalar_args(lw, node, args, n: int | tuple[int, ...]):
    counts = (n,) if isinstance(n, int) else n
    if len(args) not in counts:
        raise lw.reject(node, f"expected {' or '.join(map(str, counts))} argument(s), got {len(args)}")
    for a in args:
        if not isinstance(a.type, ir.Scalar):
            raise lw.reject(node, f"expected a number, got {a.type}")
    return args


def _math1(name: str, may_deopt: bool = False):
    def lower(lw, node, args):
        (x,) = _scalar_args(lw, node, args, 1)
        return ir.Call(FLOAT, f"math.{name}", [lw.cast(x, FLOAT)])
    return Intrinsic(f"math.{name}", lower, "float in, float out; math domain/range errors as in Python")


def _math2(name: str):
    def lower(lw, node, args):
        a, b = _scalar_args(lw, node, args, 2)
        return ir.Call(FLOAT, f"math.{name}", [lw.cast(a, FLOAT), lw.cast(b, FLOAT)])
    return Intrinsic(f"math.{name}", lower, "two floats in, float out")


def _math_log(lw, node, args):
    args = _scalar_args(lw, node, args, (1, 2))
    fargs = [lw.cast(a, FLOAT) for a in args]
    return ir.Call(FLOAT, "math.log" if len(args) == 1 else "math.log_base", fargs)


def _float_to_int(python_name: str, ir_name: str, one_argument_only: str | None = None):
    """Rules for float -> int functions (math.floor, math.ceil, round): ints pass through."""
    def lower(lw, node, args):
        if one_argument_only and len(args) != 1:
            raise lw.reject(node, one_argument_only)
        (x,) = _scalar_args(lw, node, args, 1)
        if x.type in (INT, BOOL):
            return lw.cast(x, INT)
        if x.type != FLOAT:
            raise lw.reject(node, f"{python_name} of {x.type} is not translated")
        lw.note_deopt()  # a result beyond i64 re-runs in Python
        return ir.Call(INT, ir_name, [x])
    return Intrinsic(python_name, lower, "float in, int out (ValueError for nan, OverflowError for inf)")


def _math_test(name: str):
    def lower(lw, node, args):
        (x,) = _scalar_args(lw, node, args, 1)
        return ir.Call(BOOL, f"math.{name}", [lw.cast(x, FLOAT)])
    return Intrinsic(f"math.{name}", lower, "number in, bool out")


def _len(lw, node, args):
    if len(args) != 1 or not getattr(args[0].type, "has_len", False):
        raise lw.reject(node, "len() of a list or an array only")
    if isinstance(args[0].type, ir.Array):
        return ir.ArrayShape(INT, args[0], 0)  # the length of axis 0
    if isinstance(args[0].type, ir.TupleOf):
        return lw.tuple_len(args[0])
    return ir.Call(INT, "len", args)


def _abs(lw, node, args):
    if len(args) == 1 and isinstance(args[0].type, ir.Complex):
        return intrinsics_complex.abs_of_complex(lw, node, args[0])
    (x,) = _scalar_args(lw, node, args, 1)
    if x.type.is_narrow_numpy:
        raise lw.reject(node, f"abs() of {x.type} is not translated")
    t = INT if x.type == BOOL else x.type
    if t.is_int:
        lw.note_deopt()
    return ir.Call(t, "abs", [lw.cast(x, t)])


def _minmax(name: str):
    def lower(lw, node, args):
        if len(args) < 2:
            raise lw.reject(node, f"{name}() of one iterable is not translated; pass the values")
        _scalar_args(lw, node, args, len(args))
        types_ = {a.type for a in args}
        if any(t.is_narrow_numpy for t in types_):
            raise lw.reject(node, f"{name}() of {', '.join(sorted(map(str, types_)))} is not translated")
        if len(types_) != 1:
            raise lw.reject(node, f"{name}() returns one of its arguments; arguments of different types "
                                  f"({', '.join(sorted(map(str, types_)))}) would give a value-dependent type")
        return ir.Call(args[0].type, name, args)
    return Intrinsic(name, lower, "two or more numbers of one type, or one iterable (a list, generator "
                     "expression, ...; ValueError when empty); returns one of them, as Python does; `key=` a "
                     "one-parameter lambda that writes nothing, `len` or `abs`, giving numbers or str (the first item "
                     "with the smallest/largest key, as Python's; str keys compared by CPython's own `<`/`>`)")


def _float(lw, node, args):
    if not args:
        return ir.Const(FLOAT, 0.0)
    (x,) = _scalar_args(lw, node, args, 1)
    return lw.cast(x, FLOAT)


def _int(lw, node, args):
    if not args:
        return ir.Const(INT, 0)
    (x,) = _scalar_args(lw, node, args, 1)
    if x.type.is_float:
        lw.note_deopt()
        return ir.Call(INT, "int", [lw.cast(x, FLOAT)])
    return lw.cast(x, INT)


def _over_iterable(lw, node, args):
    """sum/any/all/sorted/list and min/max of one iterable are lowered before the registry is
    consulted (lower/lists.py `_iterable_builtin_call`); reaching here means a form it refused."""
    raise lw.reject(node, f"`{node.func.as_string()}` of these arguments is not translated")


# builtins over iterables (lower/lists.py), listed here for the docs and the call resolution
_ITERABLE_BUILTINS = [
    (builtins.sum, "sum", "of an iterable (a list, range, generator expression, any iterable object) of "
                          "ints, bools or floats, with `start`; int overflow and an empty float sum re-run in "
                          "Python"),
    (builtins.any, "any", "of an iterable, short-circuiting as Python's"),
    (builtins.all, "all", "of an iterable, short-circuiting as Python's"),
    (builtins.sorted, "sorted", "of an iterable, `reverse=`; CPython's own stable sort on a new list (NaN "
                                "ordered as Python orders it); `key=` (of a list) a one-parameter lambda that writes "
                                "nothing, `len` or `abs`: the keys are computed natively, one per item, and CPython's "
                                "sort orders the items by them; items (or keys) that are lists or tuples holding "
                                "floats, two of which hold a NaN, re-run the call in Python (their comparison asks "
                                "`is` of the floats first, and the kernel's floats may be new objects)"),
    (builtins.list, "list", "`list()`, `list(iterable)`: a new list (of a Python list: the same item objects)"),
    (builtins.tuple, "tuple", "`tuple()`, `tuple(genexpr)`, `tuple([comprehension])`, `tuple(xs)` of a list: a "
                              "new tuple object of any length whose items have one type (iterated, indexed, "
                              "`len`, `==`, returned, stored in containers)"),
    (builtins.zip, "zip", "any number of list and 1-D array variables, shortest wins: as the iterable of a "
                          "`for` loop or a comprehension's `for` clause, and in `list(zip(...))`, "
                          "`sorted(zip(...))` (not of float items: the tuples would hold new float objects, "
                          "and tuple comparison asks `is` first), `dict(zip(ks, vs))` and `dict(enumerate(xs))` "
                          "(a repeated key keeps its first place and takes the last value)"),
    (builtins.next, "next", "`next(iter(x))` and `next(iter(x), default)` (the default of the items' type) of a "
                            "list, tuple, str, bytes, bytearray, dict (its first key) or set (its first member "
                            "in CPython's order: the set's own iterator), StopIteration when empty and no "
                            "default; `next(it, d)` of a range iterator local (see the for loop)"),
]


def _bool(lw, node, args):
    if not args:
        return ir.Const(BOOL, False)
    (x,) = _scalar_args(lw, node, args, 1)
    return lw.truth(x)


def _dtype(lw, node) -> ir.Scalar | None:
    for kw in node.keywords:
        if kw.arg == "dtype":
            np = sys.modules["numpy"]
            value = lw._global(kw.value)
            named = {float: "float64", int: "int64", bool: "bool", complex: "complex128"}.get(value)
            if named is None and isinstance(value, type) and issubclass(value, np.generic):
                named = np.dtype(value).name
            if named in ir.COMPLEX_DTYPES:
                return ir.Complex("np." + named)
            if named not in ir.ARRAY_DTYPES:
                raise lw.reject(node, "dtype must be one of " + ", ".join(ir.ARRAY_DTYPES))
            return ir.Scalar("np." + named)
    return None


def _np_new(name: str):
    def lower(lw, node, args):
        if len(args) != 1:
            raise lw.reject(node, f"np.{name}(shape) with one shape argument only (an int or a tuple of ints)")
        (dims,) = args
        elem = _dtype(lw, node) or NP_FLOAT64
        lw.note_deopt()  # a huge array re-runs in Python rather than allocating
        if len(dims) == 1:
            return ir.NewArray(ir.Array(elem), dims[0])
        return ir.NewArray(ir.Array(elem, len(dims)), dims[0], dims=dims)
    return Intrinsic(f"numpy.{name}", lower, "new array of 1 to 4 dimensions (`n` or `(h, w)`), dtype "
                     "float64 or `dtype=` (np.empty is zero-filled)", shape_arg=True)


def _np_like(name: str):
    def lower(lw, node, args):
        if len(args) != 1 or not isinstance(args[0].type, (ir.ListOf, ir.Array)):
            raise lw.reject(node, f"np.{name}(a) of a list or an array only")
        (a,) = args
        t = a.type
        if isinstance(t, ir.Array):
            if t.ndim > 1 and t.layout != "C":
                raise lw.reject(node, f"np.{name} of a non-C-contiguous N-D array keeps its memory order; not translated")
            elem = _dtype(lw, node) or t.elem
            return ir.NewArray(ir.Array(elem, t.ndim), a, like=True)
        elem = _dtype(lw, node) or (NP_FLOAT64 if t.elem.is_float else NP_INT64)
        return ir.NewArray(ir.Array(elem), a, like=True)
    return Intrinsic(f"numpy.{name}", lower, "new array with the shape and dtype of a (or `dtype=`)")


def _isinstance(lw, node, raw):
    """`isinstance(x, T)`: lowered with the other type tests by the lowerer (objects.py)."""
    return lw._isinstance_call(node, raw[1])


def _astroid_nodes():
    from astroid import nodes

    return nodes


def _builtin_table() -> list[tuple[object, Intrinsic]]:
    table = [
        (builtins.len, Intrinsic("len", _len, "length of a list, tuple, str, bytes, bytearray, dict, set or array; "
                                 "`len(range(...))` of 1 to 3 ints in every form (ValueError for a zero step, as "
                                 "range() raises; OverflowError for a length past sys.maxsize, as len() raises)")),
        (builtins.set, Intrinsic("set", lambda lw, node, args: lw.new_set_call(node, args),
                                 "`set()` (member type from later adds) or `set(xs)` of a list, set, dict or str")),
        (builtins.dict, Intrinsic("dict", lambda lw, node, args: lw.new_dict_call(node, args),
                                  "`dict()`, a new empty dict (item types from later stores)")),
        (builtins.abs, Intrinsic("abs", _abs, "absolute value")),
        (builtins.min, _minmax("min")),
        (builtins.max, _minmax("max")),
        (builtins.float, Intrinsic("float", _float, "number to float")),
        (builtins.int, Intrinsic("int", _int, "truncate to int (ValueError/OverflowError for nan/inf)")),
        (builtins.bool, Intrinsic("bool", _bool, "truth value")),
        (builtins.round, intrinsics_ints.round_intrinsic()),
        (builtins.isinstance, Intrinsic("isinstance", _isinstance,
                                        "`isinstance(x, cls)` of a variable, against builtin and numpy classes "
                                        "(or a tuple of them): x's class is fixed by its type, so the answer is "
                                        "a constant (a bool is an int, a numpy.float64 a float, as in Python)",
                                        raw_args=True)),
    ]
    table += [(f, Intrinsic(name, _over_iterable, doc)) for f, name, doc in _ITERABLE_BUILTINS]
    for name in ("sqrt", "exp", "log10", "sin", "cos", "tan", "fabs", "erf"):
        table.append((getattr(math, name), _math1(name)))
    table.append((math.log, Intrinsic("math.log", _math_log, "natural log, or log(x, base)")))
    for name in ("atan2", "hypot", "pow"):
        table.append((getattr(math, name), _math2(name)))
    for name in ("floor", "ceil"):
        table.append((getattr(math, name), _float_to_int(f"math.{name}", f"math.{name}")))
    for name in ("isnan", "isinf"):
        table.append((getattr(math, name), _math_test(name)))
    table += intrinsics_ints.table()
    table += intrinsics_complex.table()
    table += intrinsics_text.table()
    return table


def _numpy_table() -> list[tuple[object, Intrinsic]]:
    np = sys.modules.get("numpy")
    if np is None:
        return []
    return [(np.zeros, _np_new("zeros")), (np.empty, _np_new("empty")),
            (np.zeros_like, _np_like("zeros_like")), (np.empty_like, _np_like("empty_like"))] + intrinsics_numpy.table()


def registry() -> list[Intrinsic]:
    """Every supported function (numpy's only when numpy is imported)."""
    return [i for _, i in _builtin_table() + _numpy_table()]


# (numpy module or None, {id(live object): (live object, its rule)}): the tables are built once
# per process and numpy (the guards, the fingerprint and the lowering ask thousands of times);
# a function rebound since (`math.sqrt = mine`) is not the object in the table, so it is no rule
_resolved: list = []


def resolve_intrinsic(obj: object) -> Intrinsic | None:
    """The rule for a live function object, or None if it is not supported."""
    np = sys.modules.get("numpy")
    if not _resolved or _resolved[0][0] is not np:
        rules: dict = {}
        for candidate, intrinsic in _builtin_table() + _numpy_table():
            rules.setdefault(id(candidate), (candidate, intrinsic))  # the first rule for an object, as before
        _resolved[:] = [(np, rules)]
    hit = _resolved[0][1].get(id(obj))
    return hit[1] if hit is not None and hit[0] is obj else None
