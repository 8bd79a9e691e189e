"""Ints of any size: the wide specialisation of a signature (`WIDE_INTS` set while lowering).

A function's i64 code re-runs a call in Python when an int outgrows 64 bits. Its wide
specialisation, compiled after that happened once, holds the values that can grow as
CPython's own int objects (`ir.PYINT`, arithmetic in runtime_bigint.rs.j2):

- an int local assigned the result of arithmetic (`p *= 3`, `r = r * i`) is a `PyInt`
  from then on (a constant or a loop counter assigned to it is converted);
- a Python list of ints the function builds or reads (`[[1]]`, `[1] * n`, `rows[-1]`) holds
  `PyInt` items: the same int objects, read without a 64-bit limit;
- arithmetic with a `PyInt` operand (`+ - * // % ** << >> & | ^`, unary `- + ~`, `abs`) and
  comparisons between ints are CPython's, on int objects; an int and a float mixed, `/`,
  and every other use of a `PyInt` are not translated (the wide specialisation then stays
  unbuilt, and the call re-runs in Python as before).

Everything else stays as in the i64 code (loop counters, indices, lengths are i64 and checked:
an overflow there still re-runs in Python). The entry runs the i64 kernel first and the wide
one only when that asked to re-run because of an int overflow (codegen), so the re-run rule
of the i64 code (no visible write before it) holds for the wide kernel's start too.
"""

from __future__ import annotations

import contextvars
import copy
from functools import lru_cache

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import _Reject
from rustify.ir import BOOL, INT, PYINT

# True while lowering a wide specialisation (set by `analysis.analyse(..., wide=True)`).
WIDE_INTS: contextvars.ContextVar[bool] = contextvars.ContextVar("rustify_wide_ints", default=False)

# What the wide specialisation translates (docs/supported-python.md, *Ints past 64 bits*).
WIDE_CONSTRUCTS = (
    ("int local", "a local assigned the result of int arithmetic (`p *= 3`, `r = r * i`) holds a Python int of "
                  "any size; constants and loop counters assigned to it are converted"),
    ("list of ints", "a Python list of ints the function builds or reads (`[[1]]`, `[1] * n`, `rows[-1]`, a list "
                     "appended such ints) holds Python ints of any size; a flat list of ints appended one "
                     "becomes a Python list"),
    ("arithmetic", "`+ - * // % << >> & | ^`, `**` with a constant exponent >= 0, unary `- + ~` and `abs()` with "
                   "an int of any size: CPython's own int operations (ZeroDivisionError, ValueError of a "
                   "negative shift as Python's); `/` and mixing with floats are not translated"),
    ("comparison", "`< <= > >= == !=` between ints of any size, chained as in Python"),
    ("constants", "an int constant past 64 bits, and `+ - * ** <<` of two int constants past 64 bits "
                  "(`10**30`, `1 << 64`), is the int object Python computes"),
    ("results", "returned (an int on one path and an int of any size on another: both int objects), "
                "stored in lists and tuples as the int objects themselves"),
    ("elsewhere", "loop counters, indices and lengths stay 64-bit and checked: past 64 bits there the call "
                  "re-runs in Python, as does any call when the wide specialisation cannot be translated"),
)

# BinOp ops CPython's int objects do here (true division gives a float: not translated).
_OPS = {"add", "sub", "mul", "floordiv", "mod", "pow", "and", "or", "xor", "lshift", "rshift"}


def widen_list(t: ir.Type) -> ir.Type:
    """A Python list type with its int items (at any depth) as `PyInt`; any other type unchanged."""
    if isinstance(t, ir.PyListOf):
        elem = PYINT if t.elem == INT else widen_list(t.elem)
        return t if elem == t.elem else ir.PyListOf(elem)
    return t


class BigIntRules:
    """Mixed into `FunctionLowerer` (first, so it sees assignments and operators before the
    other families); inert unless `self.wide_ints`."""

    wide_ints = False

    def _retag(self, value: ir.Expr) -> ir.Expr:
        """`value` with a list type widened (`widen_list`): the same expression and the same
        Python list (a read, a new list, a variable), only its items are read as int objects."""
        wide = widen_list(value.type)
        if wide == value.type:
            return value
        value = copy.copy(value)
        value.type = wide
        return value

    def _to_pyint(self, value: ir.Expr) -> ir.Expr:
        """An int or bool operand as a Python int object (bool takes part as int, as in Python)."""
        if value.type == PYINT:
            return value
        if value.type not in (INT, BOOL):
            raise _Reject(None, f"arithmetic on an int past 64 bits and {value.type} is not translated")
        self.uses_objects = True
        return ir.Cast(PYINT, value)

    def _cast(self, value: ir.Expr, to: ir.Type) -> ir.Expr:
        """An int object where an i64 is needed (an index, a count, an int argument of a
        function): the same number; past 64 bits the call re-runs in Python, which then does
        what Python does with it. To any other type (a float, ...): not translated."""
        if value.type == PYINT and to != PYINT:
            if to != INT:
                raise _Reject(None, f"an int that may outgrow 64 bits converted to {to} is not translated")
            self.may_deopt = True
            return ir.Cast(INT, value)
        return super()._cast(value, to)

    # ------------------------------------------------------------ locals

    def _store_name(self, s, name: str, value: ir.Expr):
        if self.wide_ints and name not in self.param_types:
            want = self.env.get(name)
            if value.type == INT and (want == PYINT or isinstance(value, (ir.BinOp, ir.UnaryOp))):
                value = self._to_pyint(value)  # a computed int may grow: an int object from here on
            else:
                value = self._retag(value)
        return super()._store_name(s, name, value)

    def _record(self, name: str, value: ir.Expr) -> None:
        if self.wide_ints:
            value = self._retag(value)
        return super()._record(name, value)

    def _as_python_list(self, name: str, value: ir.Expr) -> ir.Expr:
        """A new flat list of ints bound to a local held as a Python list of int objects
        (`xs = [1]`, then `xs.append(p)`) is built as one, its items converted."""
        if (self.wide_ints and self._python_lists().get(name) == PYINT and isinstance(value, ir.NewList)
                and type(value) is ir.NewList and value.type.elem == INT):
            return ir.NewPyList(ir.PyListOf(PYINT), [self._to_pyint(i) for i in value.items], value.count)
        value = super()._as_python_list(name, value)
        return self._retag(value) if self.wide_ints else value

    def _join(self, name: str, seen, seeded_out: dict):
        if self.wide_ints:
            distinct = set(seen.types)
            if PYINT in distinct and distinct <= {PYINT, INT}:
                return PYINT
            widened = {widen_list(t) for t in distinct}
            if len(widened) == 1 and len(distinct) > 1 and isinstance(next(iter(widened)), ir.PyListOf):
                return widened.pop()
        return super()._join(name, seen, seeded_out)

    def _item_value(self, s, base: ir.Expr, value: ir.Expr) -> ir.Expr:
        """An int stored into a list of `PyInt` items becomes an int object (a bool stays a bool:
        it is then a mixed list, refused as before)."""
        if self.wide_ints and getattr(base.type, "elem", None) == PYINT and value.type == INT:
            value = self._to_pyint(value)
        return super()._item_value(s, base, value)

    def _constant(self, node, value) -> ir.Expr:
        """An int constant past 64 bits (`10**40` folded, `2**64`) is an int object."""
        if self.wide_ints and type(value) is int and not -(2**63) <= value < 2**63:
            self.uses_objects = True
            return ir.Const(PYINT, value)
        return super()._constant(node, value)

    def _lower_return(self, s, defined):
        """An int returned on one path and an int object on another: both int objects."""
        stmts, defined, jumps = super()._lower_return(s, defined)
        ret = stmts[-1]
        t = ret.value.type if ret.value is not None else None
        if t == PYINT:
            self.__dict__["_returns_pyint"] = True  # kept across passes
        elif t == INT and self.__dict__.get("_returns_pyint"):
            ret.value = self._to_pyint(ret.value)
            self.returns[-1] = (s, PYINT)
        return stmts, defined, jumps

    # --------------------------------------------------------- operators

    def _binop(self, node, op: str, left, right) -> ir.Expr:
        (lv, lseed), (rv, rseed) = left, right
        folded = self._fold_big(op, lv, rv)
        if folded is not None:
            return folded
        if not (self.wide_ints and PYINT in (lv.type, rv.type)):
            return super()._binop(node, op, left, right)
        lv, rv = (self._guard(lv) if lseed else lv), (self._guard(rv) if rseed else rv)
        symbol = next((k for k, v in rules.BINOPS.items() if v == op), op)
        for v in (lv, rv):
            if v.type not in (INT, BOOL, PYINT):
                raise _Reject(node, f"`{symbol}` of an int that may outgrow 64 bits and {v.type} is not "
                                    "translated (ints of any size mix only with ints)")
        if op not in _OPS:
            raise _Reject(node, f"`{symbol}` of an int that may outgrow 64 bits is not translated")
        if op == "pow" and not (isinstance(rv, ir.Const) and rv.value >= 0):
            raise _Reject(node, "`**` of an int that may outgrow 64 bits takes a constant exponent >= 0 here")
        return ir.BinOp(PYINT, op, self._to_pyint(lv), self._to_pyint(rv), "bigint")

    def _fold_big(self, op: str, lv: ir.Expr, rv: ir.Expr) -> ir.Expr | None:
        """Two int constants whose `+ - * ** <<` is past 64 bits (`10**40`, `1 << 64`): the
        int object constant Python computes; None for anything else (i64 code as before)."""
        if not (self.wide_ints and isinstance(lv, ir.Const) and isinstance(rv, ir.Const)
                and lv.type == INT and rv.type == INT and op in ("add", "sub", "mul", "pow", "lshift")):
            return None
        a, b = lv.value, rv.value
        if op in ("pow", "lshift") and not (0 <= b <= 4096 and abs(a) < 2**64):
            return None  # (a negative exponent or count is the i64 code's to handle; no huge constants)
        value = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
                 "pow": lambda: a ** b, "lshift": lambda: a << b}[op]()
        return self._constant(None, value) if not -(2**63) <= value < 2**63 else None

    def _unary(self, node, operand: ir.Expr) -> ir.Expr:
        if not (self.wide_ints and operand.type == PYINT) or node.op == "not":
            return super()._unary(node, operand)
        if node.op == "+":
            return operand
        return ir.UnaryOp(PYINT, {"-": "neg", "~": "invert"}[node.op], operand)

    def _compare(self, node, defined) -> ir.Expr:
        if not self.wide_ints:
            return super()._compare(node, defined)
        operands = [self._expr(node.left, defined)] + [self._expr(n, defined) for _, n in node.ops]
        if PYINT not in {o.type for o in operands}:
            self.hand_down((node.left, operands[0]), *[(n, o) for (_, n), o in zip(node.ops, operands[1:])])
            return super()._compare(node, defined)
        ops, flat = [], []
        for i, (op_text, _) in enumerate(node.ops):
            op = rules.CMPOPS.get(op_text)
            a, b = operands[i], operands[i + 1]
            if op is None or any(t.type not in (INT, BOOL, PYINT) for t in (a, b)):
                other = next((t.type for t in (a, b) if t.type != PYINT), PYINT)
                raise _Reject(node, f"`{op_text}` of an int that may outgrow 64 bits and {other} is not translated")
            ops.append(op)
            flat += [self._to_pyint(a), self._to_pyint(b)]
        return ir.Compare(BOOL, ops, flat, ["bigint"] * len(ops))

    def _call(self, node: nodes.Call, defined) -> ir.Expr:
        """`abs(x)` of an int object; every other call as before."""
        if (self.wide_ints and isinstance(node.func, nodes.Name) and node.func.name == "abs" and len(node.args) == 1
                and not node.keywords and node.func.name not in self.local_names):
            value = self._expr(node.args[0], defined)
            if value.type == PYINT:
                return ir.UnaryOp(PYINT, "abs", value)
            self.hand_down((node.args[0], value))
        return super()._call(node, defined)


@lru_cache(maxsize=None)
def wide_lowerer(base: type) -> type:
    """The lowerer class of a wide specialisation: `base` (FunctionLowerer) with these rules first."""
    return type("WideFunctionLowerer", (BigIntRules, base), {"wide_ints": True})
