"""Rules for the builtins over text: `ord`, `chr`, `str` and `bytes` (family `text`).

`table()` joins `intrinsics._builtin_table()`; each rule gives an `ir.Call` named
"text.<helper>" (rendered by expr_text.rs.j2 with runtime_text.rs.j2), or a cheaper
node where one exists (`ord(s[i])` reads the code point, builds no str). `str(x)` of a
float, and every error, is CPython's own.
"""

from __future__ import annotations

import builtins

from rustify import ir
from rustify.ir import BOOL, BYTES, FLOAT, INT, STR


def _intrinsic(*args):
    from rustify.analysis.intrinsics import Intrinsic

    return Intrinsic(*args)


def _one(lw, node, name: str, args) -> ir.Expr:
    if len(args) != 1:
        raise lw.reject(node, f"{name}() with {len(args)} arguments is not translated")
    return args[0]


def _ord(lw, node, args):
    x = _one(lw, node, "ord", args)
    if lw.is_code_point_var(x):
        return x  # a loop variable over a str held as its code point (lower/text.py)
    if x.type != STR:
        raise lw.reject(node, f"ord() of {x.type} is not translated (of a str it is)")
    if isinstance(x, ir.TextItem):
        return ir.TextCodePoint(INT, x.base, x.index)  # `ord(s[i])`: the code point itself
    return ir.Call(INT, "text.ord", [x])


def _chr(lw, node, args):
    x = _one(lw, node, "chr", args)
    if x.type not in (INT, BOOL):
        raise lw.reject(node, f"chr() of {x.type} is not translated (Python takes an int)")
    return ir.Call(STR, "text.chr", [lw.cast(x, INT)])


def _str(lw, node, args):
    if not args:
        return ir.TextConst(STR, "", [])
    x = _one(lw, node, "str", args)
    if x.type == STR:
        return x
    if x.type == INT:
        return ir.Call(STR, "text.str_int", [x])
    if x.type == BOOL:
        return ir.Call(STR, "text.str_bool", [x])
    if x.type == FLOAT or x.type in (ir.NP_FLOAT64, ir.NP_INT64):
        return ir.Call(STR, "text.str_of", [x])  # CPython's (and numpy's) own repr
    raise lw.reject(node, f"str() of {x.type} is not translated")


def _bytes(lw, node, args):
    if not args:
        return ir.TextConst(BYTES, b"", [])
    x = _one(lw, node, "bytes", args)
    if isinstance(x.type, ir.ListOf) and x.type.elem == INT:
        return ir.Call(BYTES, "text.bytes_ints", [x])
    if x.type in (INT, BOOL):
        return ir.Call(BYTES, "text.bytes_zeros", [lw.cast(x, INT)])
    if isinstance(x.type, (ir.PyListOf, ir.Bytes, ir.ByteArray, ir.MemoryView)):
        return ir.Call(BYTES, "text.bytes_of_object", [x])  # the caller's object, read by CPython
    raise lw.reject(node, f"bytes() of {x.type} is not translated (of a list of ints, bytes, bytearray, "
                          "memoryview or an int it is)")


def _bytearray(lw, node, args):
    if not args:
        return ir.TextNewByteArray(ir.BYTEARRAY, None)
    x = _one(lw, node, "bytearray", args)
    if isinstance(x.type, ir.ListOf) and x.type.elem == INT:
        return ir.TextNewByteArray(ir.BYTEARRAY, x)
    if x.type in (INT, BOOL):
        return ir.TextNewByteArray(ir.BYTEARRAY, x)
    if isinstance(x.type, (ir.PyListOf, ir.Bytes, ir.ByteArray, ir.MemoryView)):
        return ir.TextNewByteArray(ir.BYTEARRAY, x)  # the caller's object, read by CPython
    raise lw.reject(node, f"bytearray() of {x.type} is not translated (of a list of ints, bytes, bytearray, "
                          "memoryview or an int it is)")


def table() -> list[tuple[object, object]]:
    """(live object, Intrinsic) pairs for this family."""
    return [
        (builtins.ord, _intrinsic("ord", _ord, "the code point of a one-character str (TypeError otherwise)")),
        (builtins.chr, _intrinsic("chr", _chr, "the str of one code point (ValueError outside range(0x110000))")),
        (builtins.str, _intrinsic("str", _str, "of an int, bool, float (CPython's repr) or str")),
        (builtins.bytes, _intrinsic("bytes", _bytes, "of a list of ints (ValueError outside range(256)), "
                                                     "bytes, bytearray, memoryview, or a count of zero bytes")),
        (builtins.bytearray, _intrinsic("bytearray", _bytearray, "a new bytearray: empty, of a count of zero "
                                                             "bytes, or of a list of ints (ValueError \"byte must be in "
                                                             "range(0, 256)\"), bytes, bytearray or memoryview; "
                                                             "CPython's own constructor and errors")),
    ]
