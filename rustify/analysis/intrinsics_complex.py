"""Rules for the functions of complex numbers (family `complex`): `complex(...)`, `abs` of a
complex, and the `cmath` functions whose CPython 3.11 algorithms (special-value tables
included) runtime_complex.rs.j2 reproduces bit for bit.

`table()` joins `intrinsics._builtin_table()`; `abs_of_complex` is what `abs()` hands a
complex argument to. Each rule produces an `ir.Call` rendered by expr_complex.rs.j2.
"""

from __future__ import annotations

import builtins
import cmath

from rustify import ir
from rustify.ir import BOOL, FLOAT, INT

# what `float(x)` and `PyComplex_AsCComplex(x)` read exactly
_REAL = (INT, FLOAT, BOOL, ir.NP_FLOAT64, ir.NP_INT64)


def _intrinsic(*args):
    from rustify.analysis.intrinsics import Intrinsic

    return Intrinsic(*args)


def _count(lw, node, args, counts: tuple[int, ...]) -> None:
    if len(args) not in counts:
        raise lw.reject(node, f"expected {' or '.join(map(str, counts))} argument(s), got {len(args)}")


def _real(lw, node, name: str, x: ir.Expr) -> ir.Expr:
    """`x` as the double CPython reads from it (`float(x)`): a Python or numpy float64/int64 number."""
    if x.type not in _REAL:
        raise lw.reject(node, f"{name}() of {x.type} is not translated")
    return lw.cast(x, FLOAT)


def _as_complex(lw, node, name: str, z: ir.Expr) -> ir.Expr:
    """`z` as the Py_complex CPython's `cmath` reads from it (a real number `x` is `x + 0j`)."""
    if z.type in (ir.COMPLEX, ir.NP_COMPLEX128):
        return lw.cast(z, ir.COMPLEX)
    return ir.Call(ir.COMPLEX, "complex.new", [_real(lw, node, name, z), ir.Const(FLOAT, 0.0)])


def _complex(lw, node, args):
    """complex(), complex(x), complex(z), complex(re, im) for real re and im (complex_new)."""
    _count(lw, node, args, (0, 1, 2))
    if not args:
        return ir.Const(ir.COMPLEX, 0j)
    if len(args) == 1:
        return _as_complex(lw, node, "complex", args[0])
    re, im = args
    if isinstance(re.type, ir.Complex) or isinstance(im.type, ir.Complex):
        raise lw.reject(node, "complex(a, b) with a complex argument is not translated")
    return ir.Call(ir.COMPLEX, "complex.new", [_real(lw, node, "complex", re), _real(lw, node, "complex", im)])


def abs_of_complex(lw, node, z: ir.Expr) -> ir.Expr:
    """abs(z): CPython's `_Py_c_abs` for a Python complex, numpy's for its complex scalars."""
    if z.type == ir.COMPLEX:
        return ir.Call(FLOAT, "complex.abs", [z])
    lw.note_deopt()  # where numpy warns of overflow, the call re-runs in Python
    return ir.Call(z.type.part, "np_complex.abs", [z])


def _cmath1(name: str, result: ir.Type, doc: str):
    def lower(lw, node, args):
        if name == "log" and len(args) == 2:
            raise lw.reject(node, "cmath.log(z, base) is not translated (its errors differ from the one-argument form)")
        _count(lw, node, args, (1,))
        return ir.Call(result, f"cmath.{name}", [_as_complex(lw, node, f"cmath.{name}", args[0])])
    return _intrinsic(f"cmath.{name}", lower, doc)


def _rect(lw, node, args):
    _count(lw, node, args, (2,))
    return ir.Call(ir.COMPLEX, "cmath.rect", [_real(lw, node, "cmath.rect", a) for a in args])


def table() -> list[tuple[object, object]]:
    exact = "bit-identical to CPython 3.11, special values (inf, nan, -0.0) and errors included"
    return [
        (builtins.complex, _intrinsic("complex", _complex,
                                      "complex(), complex(x), complex(re, im) of real numbers")),
        (cmath.sqrt, _cmath1("sqrt", ir.COMPLEX, "square root; " + exact)),
        (cmath.exp, _cmath1("exp", ir.COMPLEX, "e ** z; " + exact + " (OverflowError, ValueError)")),
        (cmath.log, _cmath1("log", ir.COMPLEX, "natural logarithm of one argument (a base stays Python); "
                            + exact + " (ValueError for 0)")),
        (cmath.log10, _cmath1("log10", ir.COMPLEX, "base-10 logarithm; " + exact)),
        (cmath.phase, _cmath1("phase", FLOAT, "the argument of z, a float; " + exact)),
        *((getattr(cmath, name), _cmath1(name, ir.COMPLEX, f"complex {name}; " + exact))
          for name in ("cos", "sin", "tan", "cosh", "sinh", "tanh")),
        (cmath.polar, _cmath1("polar", ir.TupleOf((FLOAT, FLOAT)),
                              "(abs(z), phase(z)); OverflowError 'math range error' as CPython")),
        (cmath.rect, _intrinsic("cmath.rect", _rect, "r * (cos(phi) + i sin(phi)) of two real numbers; " + exact)),
        (cmath.isnan, _cmath1("isnan", BOOL, "either part is a NaN")),
        (cmath.isinf, _cmath1("isinf", BOOL, "either part is infinite")),
        (cmath.isfinite, _cmath1("isfinite", BOOL, "both parts are finite")),
    ]
