"""Rules for numpy's element-wise math functions on scalars (family `numpy`).

`table()` joins `intrinsics._numpy_table()` (beside the array constructors) once numpy
is imported. The math functions follow
numpy on one scalar: the result is a numpy scalar of numpy's result type (NEP 50: a
Python int or float is weak and takes the numpy operand's type), rendered by
expr_arrays.rs.j2 with the helpers of runtime_arrays.rs.j2. Where numpy would warn
(invalid value, divide by zero, overflow) the call re-runs in Python (Deopt), so the
warning and value come from numpy itself. exp/log/sin/cos are translated only where
the C library's result is numpy's bit for bit (float64 on machines where numpy does not
use its own AVX-512 code for them); float32 stays Python (numpy's own SIMD code).
"""

from __future__ import annotations

import sys

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64, NP_INT64

NP_FLOAT32 = ir.Scalar("np.float32")
NP_BOOL = ir.Scalar("np.bool")
# Python scalars as the numpy scalars a numpy function makes of them
_AS_NUMPY = {FLOAT: NP_FLOAT64, INT: NP_INT64}
# argument types whose float functions (sqrt, exp, ...) numpy computes in float64 / float32
_FLOAT64_DOMAIN = {FLOAT, NP_FLOAT64, INT, NP_INT64, ir.Scalar("np.int32"), ir.Scalar("np.uint32"),
                   ir.Scalar("np.uint64")}
_LIBM_FUNCTIONS = ("exp", "log", "sin", "cos")


def _intrinsic(*args, **kw):
    from rustify.analysis.intrinsics import Intrinsic

    return Intrinsic(*args, **kw)


def numpy_uses_own_float64_math() -> bool:
    """numpy computes float64 exp/log (and sin/cos through SVML) with its own AVX-512 code on
    this machine: those results may differ from the C library's in the last bit."""
    np = sys.modules.get("numpy")
    if np is None:
        return True
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # another numpy layout: assume the worst
        return True
    return any(features.get(f, False) for f in ("AVX512F", "AVX512_SKX"))


def _one_scalar(lw, node, name, args, count=1) -> list[ir.Expr]:
    if len(args) != count:
        raise lw.reject(node, f"np.{name} with {count} argument(s) only (no `out=`, `where=`)")
    for a in args:
        if not isinstance(a.type, ir.Scalar):
            raise lw.reject(node, f"np.{name} of {a.type} (an array) is not translated; scalars only")
        if a.type in (BOOL, NP_BOOL):
            raise lw.reject(node, f"np.{name} of a bool is not translated (numpy gives float16 or bool)")
    return args


def _float_fn(name: str):
    """sqrt, exp, log, sin, cos: float64 (ints of 64 and 32 bits too) or float32 in, numpy scalar out."""
    def lower(lw, node, args):
        (x,) = _one_scalar(lw, node, name, args)
        if x.type == NP_FLOAT32:
            if name in _LIBM_FUNCTIONS:
                raise lw.reject(node, f"np.{name} of float32 is not translated: numpy's own SIMD code and "
                                      "the C library differ in the last bit")
            t = NP_FLOAT32
        elif x.type in _FLOAT64_DOMAIN:
            if name in _LIBM_FUNCTIONS and numpy_uses_own_float64_math():
                raise lw.reject(node, f"np.{name} is not translated on this machine: numpy uses its own "
                                      "AVX-512 code, which may differ from the C library in the last bit")
            t = NP_FLOAT64
        else:
            raise lw.reject(node, f"np.{name} of {x.type} is not translated (numpy computes it in float16 "
                                  "or float32)")
        lw.note_deopt()  # where numpy warns, Python runs
        return ir.Call(t, f"np.{name}", [lw.cast(x, t)])
    if name in _LIBM_FUNCTIONS:
        doc = ("a float64 (or an int64/int32/uint: float64 out), bit for bit numpy's; float32 stays Python "
               "(numpy's own SIMD code), and so does float64 on machines with AVX-512 (see semantics.md)")
    else:
        doc = "a float64 or float32 (or an int64/int32/uint: float64 out), IEEE-exact"
    return _intrinsic(f"numpy.{name}", lower, doc + "; where numpy warns (invalid value, divide by zero, "
                      "overflow) Python runs")


def _same_type_fn(name: str):
    """abs, floor, ceil: the argument's numpy type out (ints pass through floor/ceil)."""
    def lower(lw, node, args):
        (x,) = _one_scalar(lw, node, name, args)
        t = _AS_NUMPY.get(x.type, x.type)
        if t.is_float:
            lw.note_deopt()  # a signalling NaN makes numpy warn
        return ir.Call(t, f"np.{name}", [lw.cast(x, t)])
    doc = ("one number; its numpy type out" + (" (the most negative int wraps, as numpy's)" if name == "abs"
                                                   else " (an int passes through)"))
    return _intrinsic(f"numpy.{name}", lower, doc)


def _common_type(lw, node, name, args) -> ir.Scalar:
    """numpy's result type of numbers meeting in one function (NEP 50: Python scalars are weak)."""
    t = rules.arith_type(args[0].type)
    for a in args[1:]:
        t = rules.promote(t, rules.arith_type(a.type))
        if t is None:
            raise lw.reject(node, f"np.{name} of {', '.join(str(a.type) for a in args)} is not translated "
                                  "(a Python int with float32, or a numpy type pair without a translation)")
    return _AS_NUMPY.get(t, t)


def _minmax_fn(name: str):
    def lower(lw, node, args):
        args = _one_scalar(lw, node, name, args, 2)
        args = list(lw._weak_operands(*args))
        t = _common_type(lw, node, name, args)
        if t.is_float:
            lw.note_deopt()
        return ir.Call(t, f"np.{name}", [lw.cast(a, t) for a in args])
    return _intrinsic(f"numpy.{name}", lower, "two numbers, numpy's result type; NaN propagates, and of "
                      "two equal values (0.0 and -0.0) the second")


def _clip(lw, node, args):
    args = _one_scalar(lw, node, "clip", args, 3)
    x, lo, hi = args
    x, lo = lw._weak_operands(x, lo)
    x, hi = lw._weak_operands(x, hi)
    t = _common_type(lw, node, "clip", [x, lo, hi])
    if t.is_float:
        lw.note_deopt()
    return ir.Call(t, "np.clip", [lw.cast(a, t) for a in (x, lo, hi)])


def _test_fn(name: str):
    def lower(lw, node, args):
        (x,) = _one_scalar(lw, node, name, args)
        t = _AS_NUMPY.get(x.type, x.type)
        return ir.Call(NP_BOOL, f"np.{name}", [lw.cast(x, t)])
    return _intrinsic(f"numpy.{name}", lower, "one number in, `np.bool` out")


# ------------------------------------------------------------------ new arrays


def _fill_value(lw, node, array: ir.Array, value: ir.Expr) -> ir.Expr:
    """`value` as every element of a new `array`, converted as a store into it (numpy's
    OverflowError for a Python int that does not fit; conversions that truncate or wrap
    stay Python)."""
    if not isinstance(value.type, ir.Scalar):
        raise lw.reject(node, f"a fill value of {value.type} is not translated")
    return lw._element_value(node, ir.Var(array, "fill"), value)


def _with_fill(lw, node, new: ir.NewArray, value: ir.Expr) -> ir.NewArray:
    new.fill = _fill_value(lw, node, new.type, value)
    return new


def _np_ones(lw, node, args):
    from rustify.analysis.intrinsics import _np_new

    new = _np_new("ones").lower(lw, node, args)
    return _with_fill(lw, node, new, ir.Const(BOOL, True) if new.type.elem == NP_BOOL else ir.Const(INT, 1))


def _np_full(lw, node, args):
    from rustify.analysis.intrinsics import _dtype, _np_new

    if len(args) != 2:
        raise lw.reject(node, "np.full(shape, value) with two arguments only")
    value = args[1]
    if _dtype(lw, node) is None:  # the value's own dtype (a Python float is float64, ...)
        t = {FLOAT: NP_FLOAT64, INT: NP_INT64, BOOL: NP_BOOL}.get(value.type, value.type)
        if not isinstance(t, ir.Scalar) or t.name[3:] not in ir.ARRAY_DTYPES:
            raise lw.reject(node, f"np.full of a {value.type} value is not translated")
        value = lw.cast(value, t)
    new = _np_new("full").lower(lw, node, args[:1])
    if _dtype(lw, node) is None:
        new = ir.NewArray(ir.Array(value.type, new.type.ndim), new.length, dims=new.dims)
    return _with_fill(lw, node, new, value)


def _np_like_fill(name: str):
    def lower(lw, node, args):
        from rustify.analysis.intrinsics import _np_like

        count = 2 if name == "full_like" else 1
        if len(args) != count:
            raise lw.reject(node, f"np.{name} with {count} argument(s) only")
        new = _np_like(name).lower(lw, node, args[:1])
        value = args[1] if count == 2 else (ir.Const(BOOL, True) if new.type.elem == NP_BOOL else ir.Const(INT, 1))
        return _with_fill(lw, node, new, value)
    return _intrinsic(f"numpy.{name}", lower, "new array with the shape and dtype of a (or `dtype=`), every "
                      "element " + ("the value (converted as a store)" if name == "full_like" else "one"))


def _np_arange(lw, node, args):
    if not 1 <= len(args) <= 3 or not all(a.type in (INT, BOOL) for a in args):
        raise lw.reject(node, "np.arange of 1 to 3 Python ints only (float ranges are start + i * delta "
                              "in numpy's own rounding)")
    if _has_dtype(node):
        raise lw.reject(node, "np.arange with `dtype=` is not translated")
    args = [lw.cast(a, INT) for a in args]
    start, stop, step = (ir.Const(INT, 0), args[0], ir.Const(INT, 1)) if len(args) == 1 else \
        (args[0], args[1], args[2] if len(args) == 3 else ir.Const(INT, 1))
    lw.note_deopt()  # a huge range re-runs in Python
    return ir.Arange(ir.Array(NP_INT64), stop, start=start, step=step)


# ------------------------------------------------------------------ scalar types


def _np_scalar_type(dtype: str):
    """`np.float32(x)`, `np.int8(x)`, ...: x converted as a store into an array of that dtype
    would convert it (numpy's OverflowError for a Python int out of range); the conversions
    numpy's constructor and a store do differently (a float into an int type, an int into a
    narrower numpy int, a rounding into float32) stay Python. No argument gives zero."""
    elem = ir.Complex(f"np.{dtype}") if dtype in ir.COMPLEX_DTYPES else ir.Scalar(f"np.{dtype}")

    def lower(lw, node, args):
        if len(args) > 1 or node.keywords:
            raise lw.reject(node, f"np.{dtype}() with one positional argument only")
        if not args:
            return lw.cast(ir.Const(BOOL, False) if dtype == "bool" else ir.Const(INT, 0), elem)
        if not isinstance(args[0].type, (ir.Scalar, ir.Complex)):
            raise lw.reject(node, f"np.{dtype} of {args[0].type} is not translated (numbers only)")
        return lw._element_value(node, ir.Var(ir.Array(elem), "fill"), args[0])
    return _intrinsic(f"numpy.{dtype}", lower, f"`np.{dtype}(x)` of a number, converted as a store into an "
                      f"array of dtype {dtype} converts it (a Python int out of range raises numpy's "
                      "OverflowError); no argument gives zero; a float into an int type, or a numpy int into "
                      "a narrower one, stays Python")


def _has_dtype(node) -> bool:
    return any(k.arg == "dtype" for k in node.keywords)


def table() -> list[tuple[object, object]]:
    """(live object, Intrinsic) pairs for this family (empty until numpy is imported)."""
    np = sys.modules.get("numpy")
    if np is None:
        return []
    rows = [
        (np.ones, _intrinsic("numpy.ones", _np_ones, "new array of ones, 1 to 4 dimensions, float64 or "
                             "`dtype=`", shape_arg=True)),
        (np.full, _intrinsic("numpy.full", _np_full, "`np.full(shape, v)`: of v's dtype (a Python float is "
                             "float64, an int int64, a bool bool) or `dtype=` (v converted as a store)",
                             shape_arg=True)),
        (np.ones_like, _np_like_fill("ones_like")), (np.full_like, _np_like_fill("full_like")),
        (np.arange, _intrinsic("numpy.arange", _np_arange, "`np.arange(stop)`, `(start, stop[, step])` of "
                               "ints: int64, numpy's length; ZeroDivisionError for step 0")),
    ]
    for name in ("sqrt", "exp", "log", "sin", "cos"):
        rows.append((getattr(np, name), _float_fn(name)))
    for name in ("abs", "floor", "ceil"):
        rows.append((getattr(np, name), _same_type_fn(name)))
    for name in ("minimum", "maximum"):
        rows.append((getattr(np, name), _minmax_fn(name)))
    rows.append((np.clip, _intrinsic("numpy.clip", _clip, "`np.clip(x, lo, hi)` of numbers, numpy's "
                                     "result type: lo if x < lo, then hi if above it (a NaN operand runs Python)")))
    for name in ("isnan", "isinf", "isfinite"):
        rows.append((getattr(np, name), _test_fn(name)))
    for dtype in ir.ARRAY_DTYPES + ir.COMPLEX_DTYPES:
        rows.append((getattr(np, dtype if dtype != "bool" else "bool_"), _np_scalar_type(dtype)))
    return rows
