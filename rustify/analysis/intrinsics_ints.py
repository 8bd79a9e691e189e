"""Rules for the integer functions and the rest of `math` (family `ints`).

`table()` joins `intrinsics._builtin_table()`; each rule follows CPython 3.11's
argument rules (a float where Python raises TypeError keeps the call in Python)
and produces an `ir.Call` rendered by expr.rs.j2 with the helpers of
runtime_ints.rs.j2. Results that would outgrow i64 re-run in Python (Deopt).
"""

from __future__ import annotations

import builtins
import math

from rustify import ir
from rustify.ir import BOOL, FLOAT, INT


def _intrinsic(*args):
    from rustify.analysis.intrinsics import Intrinsic

    return Intrinsic(*args)


def _scalars(lw, node, args, n):
    from rustify.analysis.intrinsics import _scalar_args

    return _scalar_args(lw, node, args, n)


def _ints(lw, node, name: str, args) -> list[ir.Expr]:
    """Every argument an int or bool (as Python's index protocol wants), cast to int."""
    for a in args:
        if a.type not in (INT, BOOL):
            raise lw.reject(node, f"{name}() of {a.type}: Python accepts ints only here (TypeError otherwise)")
    return [lw.cast(a, INT) for a in args]


def _plain_number(lw, node, name: str, x: ir.Expr) -> None:
    if x.type not in (INT, BOOL, FLOAT):
        raise lw.reject(node, f"{name}() of {x.type} is not translated")


def _pow(lw, node, args):
    if len(args) == 2:
        return lw._binop(node, "pow", (args[0], False), (args[1], False))
    _scalars(lw, node, args, 3)
    return ir.Call(INT, "pow_mod", _ints(lw, node, "pow", args))


def _round(lw, node, args):
    from rustify.analysis.intrinsics import _float_to_int

    if len(args) == 1:
        return _float_to_int("round", "round").lower(lw, node, args)
    x, ndigits = _scalars(lw, node, args, 2)
    _plain_number(lw, node, "round", x)
    (ndigits,) = _ints(lw, node, "round", [ndigits])
    lw.note_deopt()  # round(int, -k) beyond i64 re-runs in Python
    t = FLOAT if x.type == FLOAT else INT
    return ir.Call(t, "round_digits", [lw.cast(x, t), ndigits])


def _int_method(name: str):
    def lower(lw, node, args):
        (n,) = _ints(lw, node, f"int.{name}", _scalars(lw, node, args, 1))
        return ir.Call(INT, f"int.{name}", [n])
    return lower


def _math_trunc(lw, node, args):
    (x,) = _scalars(lw, node, args, 1)
    _plain_number(lw, node, "math.trunc", x)
    if x.type != FLOAT:
        return lw.cast(x, INT)
    lw.note_deopt()  # beyond i64 re-runs in Python
    return ir.Call(INT, "int", [x])


def _math_int_fn(name: str, arity: int, deopts: bool = True):
    def lower(lw, node, args):
        ints = _ints(lw, node, f"math.{name}", _scalars(lw, node, args, arity))
        if deopts:
            lw.note_deopt()
        return ir.Call(INT, f"math.{name}", ints)
    return lower


def _math_gcd(lw, node, args):
    ints = _ints(lw, node, "math.gcd", _scalars(lw, node, args, len(args)))
    if not ints:
        return ir.Const(INT, 0)
    lw.note_deopt()  # gcd(-2**63, 0) is 2**63
    return ir.Call(INT, "math.gcd", ints)


def _math_ldexp(lw, node, args):
    x, e = _scalars(lw, node, args, 2)
    _plain_number(lw, node, "math.ldexp", x)
    if e.type not in (INT, BOOL):
        raise lw.reject(node, "math.ldexp() needs an int exponent (Python raises TypeError for a float)")
    return ir.Call(FLOAT, "math.ldexp", [lw.cast(x, FLOAT), lw.cast(e, INT)])


def _divmod(lw, node, args):
    a, b = _scalars(lw, node, args, 2)
    _plain_number(lw, node, "divmod", a)
    _plain_number(lw, node, "divmod", b)
    if FLOAT in (a.type, b.type):  # float_divmod: both operands as floats, as Python converts them
        return ir.Call(ir.TupleOf((FLOAT, FLOAT)), "divmod_float", [lw.cast(a, FLOAT), lw.cast(b, FLOAT)])
    lw.note_deopt()  # divmod(-2**63, -1) has the quotient 2**63
    return ir.Call(ir.TupleOf((INT, INT)), "divmod_int", [lw.cast(a, INT), lw.cast(b, INT)])


def _math_split(name: str, result: tuple):
    def lower(lw, node, args):
        (x,) = _scalars(lw, node, args, 1)
        _plain_number(lw, node, f"math.{name}", x)
        return ir.Call(ir.TupleOf(result), f"math.{name}", [lw.cast(x, FLOAT)])
    return lower


def _reversed(lw, node, args):
    raise lw.reject(node, "reversed() is translated only as the iterable of a loop over a range "
                          "(`for i in reversed(range(n))`)")


def table() -> list[tuple[object, object]]:
    """(live object, Intrinsic) pairs for this family."""
    from rustify.analysis.intrinsics import _math1, _math2, _math_test

    rows = [
        (builtins.pow, _intrinsic("pow", _pow, "pow(a, b) as `a ** b`; pow(a, b, m) of ints: exact, the modular "
                                               "inverse for b < 0, the sign of m, ValueError for m == 0")),
        (int.bit_length, _intrinsic("int.bit_length", _int_method("bit_length"), "`n.bit_length()` of an int")),
        (int.bit_count, _intrinsic("int.bit_count", _int_method("bit_count"), "`n.bit_count()` of an int")),
        (math.trunc, _intrinsic("math.trunc", _math_trunc, "int or float in, int out (as `int(x)`)")),
        (math.isfinite, _math_test("isfinite")),
        (math.gcd, _intrinsic("math.gcd", _math_gcd, "any number of ints; a result of 2**63 runs Python")),
        (math.factorial, _intrinsic("math.factorial", _math_int_fn("factorial", 1),
                                    "ValueError for negatives; beyond 20! runs Python")),
        (math.comb, _intrinsic("math.comb", _math_int_fn("comb", 2), "exact; a result beyond 64 bits runs Python")),
        (math.perm, _intrinsic("math.perm", _math_int_fn("perm", 2),
                               "two arguments; exact; a result beyond 64 bits runs Python")),
        (math.isqrt, _intrinsic("math.isqrt", _math_int_fn("isqrt", 1, deopts=False),
                                "exact floor square root; ValueError for negatives")),
        (math.ldexp, _intrinsic("math.ldexp", _math_ldexp, "x * 2**i; OverflowError when it overflows")),
        (builtins.divmod, _intrinsic("divmod", _divmod, "a tuple `(a // b, a % b)`: of ints exact (a quotient "
                                                     "of 2**63 runs Python), of floats (or an int with a float) "
                                                     "CPython's float divmod; ZeroDivisionError for b == 0")),
        (math.frexp, _intrinsic("math.frexp", _math_split("frexp", (FLOAT, INT)),
                                "a tuple `(m, e)` with x == m * 2**e, 0.5 <= abs(m) < 1; 0, inf and nan "
                                "give `(x, 0)`")),
        (math.modf, _intrinsic("math.modf", _math_split("modf", (FLOAT, FLOAT)),
                               "a tuple `(fraction, integer part)`, both with the sign of x; inf gives "
                               "`(±0.0, inf)`")),
        (builtins.reversed, _intrinsic("reversed", _reversed, "only as `for i in reversed(range(...))`: the "
                                                              "range's items last to first")),
    ]
    for name in ("acos", "asin", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "log2", "log1p",
                 "expm1", "radians", "degrees"):
        rows.append((getattr(math, name), _math1(name)))
    for name in ("copysign", "fmod", "remainder"):
        rows.append((getattr(math, name), _math2(name)))
    return rows


def round_intrinsic():
    """The rule for builtin round: round(x) to int, round(x, ndigits) as CPython."""
    return _intrinsic("round", _round, "round(x): half to even, an int; round(x, ndigits): a float's correctly "
                                       "rounded decimal (ties to even), an int to a multiple of 10**-ndigits")
