"""Python's typing rules for the scalar types rustify translates.

Pure functions over `ir` types: which semantic type a binary operation follows,
what it returns, how two assignments to one variable join. No AST here.
"""

from __future__ import annotations

from rustify import ir
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64, NP_INT64

# Largest int whose conversion to float is exact, so an int seed can be held as f64.
EXACT_INT_LIMIT = 2**53

BINOPS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow",
          "&": "and", "|": "or", "^": "xor", "<<": "lshift", ">>": "rshift"}
# Operators defined on ints and bools only (a float operand is a TypeError in Python).
BIT_OPS = {"and", "or", "xor", "lshift", "rshift"}
CMPOPS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}


def arith_type(t: ir.Scalar) -> ir.Scalar:
    """bool takes part in arithmetic as int."""
    return INT if t == BOOL else t


def numpy_promote(a: ir.Scalar, b: ir.Scalar) -> ir.Scalar | None:
    """numpy's result type for arithmetic where one side is a narrow numpy scalar (float32,
    int32, uint8, ...), or None when it is not translated. NEP 50: a Python int or float is
    "weak" and takes the numpy operand's type (an int must then fit it: OverflowError), except
    that a Python float with a numpy int gives float64; two numpy types follow
    `np.result_type`. numpy bools and Python ints with float32 stay Python."""
    import numpy as np

    a, b = arith_type(a), arith_type(b)
    if "np.bool" in (a.name, b.name):
        return None
    weak = [t for t in (a, b) if not t.is_numpy]
    if len(weak) == 2:
        return None
    if weak:
        (w,), (n,) = weak, [t for t in (a, b) if t.is_numpy]
        if w == FLOAT:
            return n if n.is_float else NP_FLOAT64
        return None if n.is_float else n
    name = "np." + np.result_type(np.dtype(a.name[3:]), np.dtype(b.name[3:])).name
    return ir.Scalar(name) if name in ir.SCALAR_NAMES else None


def promote(a: ir.Scalar, b: ir.Scalar) -> ir.Scalar:
    """The type whose semantics `a op b` follows (numpy scalars win, then float); for the
    narrow numpy types see `numpy_promote` (its None is a rejection the caller reports)."""
    if arith_type(a).is_narrow_numpy or arith_type(b).is_narrow_numpy:
        return numpy_promote(a, b)
    a, b = arith_type(a), arith_type(b)
    names = {a.name, b.name}
    if "np.float64" in names or ("np.int64" in names and "float" in names):
        return NP_FLOAT64
    if "np.int64" in names:
        return NP_INT64
    if "float" in names:
        return FLOAT
    return INT


def binop_result(op: str, semantics: ir.Scalar) -> ir.Scalar:
    """Result type of `op` under `semantics` (true division of ints gives a float)."""
    if op == "truediv" and semantics == INT:
        return FLOAT
    if op == "truediv" and semantics == NP_INT64:
        return NP_FLOAT64
    if op == "truediv" and semantics.is_narrow_numpy and semantics.is_int:
        return NP_FLOAT64  # numpy divides every integer type in float64
    return semantics


def compare_mode(a: ir.Scalar, b: ir.Scalar) -> tuple[str, ir.Scalar]:
    """How to compare a and b: ("plain", common type) or an exact mixed mode.

    CPython compares int with float exactly; numpy casts both to float64.
    """
    a, b = arith_type(a), arith_type(b)
    if a == b:
        return "plain", a
    if a.is_narrow_numpy or b.is_narrow_numpy:
        # numpy compares ints exactly (a Python int out of the numpy type's range too);
        # a Python float meets float32 as float32 (NEP 50)
        common = numpy_promote(a, b)
        if common is None:
            return "unsupported", None
        if common.is_int or (a.is_int and b.is_int):  # uint64 with int64 too: exact, not in float64
            return "plain", INT
        return "plain", common if common.name == "np.float32" else FLOAT
    if a.is_numpy or b.is_numpy:
        common = promote(a, b)
        return "plain", FLOAT if common.is_float else INT
    if a == INT and b == FLOAT:
        return "int_float", FLOAT
    if a == FLOAT and b == INT:
        return "float_int", FLOAT
    raise AssertionError((a, b))


def list_elem_join(a: ir.Scalar, b: ir.Scalar) -> ir.Scalar | None:
    """Element type of a list holding both; None when Python would keep a mixed list.

    A numpy scalar stored into a list is kept as the matching Python scalar
    (documented in docs/semantics.md).
    """
    plain = {NP_FLOAT64: FLOAT, NP_INT64: INT}
    a, b = plain.get(a, a), plain.get(b, b)
    if a != b and {a, b} <= {INT, FLOAT, ir.NUMBER}:
        return ir.NUMBER  # ints and floats in one list: each item keeps its type (ir.NUMBER)
    return a if a == b else None


SEED_WIDENINGS = {
    # (narrow seed constant type, wide type) pairs a variable may hold
    (INT, FLOAT),
    (INT, NP_FLOAT64),
    (FLOAT, NP_FLOAT64),
    (INT, NP_INT64),
    (ir.COMPLEX, ir.NP_COMPLEX128),  # total = 0j; total += a[i] of a complex128 array
}


def complex_promote(a: ir.Type, b: ir.Type) -> ir.Complex | None:
    """The complex type whose semantics `a op b` follows when either side is complex, or None
    (not translated). Python's complex with Python numbers stays Python's complex; numpy
    follows `np.result_type`, a Python int, float or complex being "weak" (NEP 50: it takes
    the numpy side's precision, a Python complex meeting float32 gives complex64, meeting a
    numpy int complex128). A Python int meeting complex64 and numpy bools stay Python."""
    import numpy as np

    if not all(isinstance(t, (ir.Scalar, ir.Complex)) for t in (a, b)):
        return None
    if not (isinstance(a, ir.Complex) or isinstance(b, ir.Complex)):
        return None  # not a complex operation (two seeds: an int seed times an int seed is an int)
    a = arith_type(a) if isinstance(a, ir.Scalar) else a
    b = arith_type(b) if isinstance(b, ir.Scalar) else b
    numpy_side = [t for t in (a, b) if t.is_numpy]
    if not numpy_side:
        return ir.COMPLEX
    if any(t.name == "np.bool" for t in (a, b)):
        return None
    if len(numpy_side) == 2:
        name = "np." + np.result_type(np.dtype(a.name[3:]), np.dtype(b.name[3:])).name
        return ir.Complex(name) if name in ("np.complex128", "np.complex64") else None
    (weak,) = [t for t in (a, b) if not t.is_numpy]
    (strong,) = numpy_side
    if isinstance(strong, ir.Complex):
        return None if (strong == ir.NP_COMPLEX64 and weak == INT) else strong
    # a Python complex meeting a real numpy scalar
    return ir.NP_COMPLEX64 if strong.name == "np.float32" else ir.NP_COMPLEX128
