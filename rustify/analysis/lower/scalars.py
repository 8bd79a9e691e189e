"""Expressions on numbers: constants, arithmetic, comparisons, `and`/`or`, conditionals."""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import _Reject
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64, NP_INT64

# (semantics, op) pairs that can never ask to re-run in Python.
_EXACT_OPS = ({(s, op) for s in (FLOAT, NP_FLOAT64, ir.Scalar("np.float32")) for op in ("add", "sub", "mul")}
              | {(s, op) for s in (INT, NP_INT64) for op in ("and", "or", "xor", "rshift")}
              | {(NP_INT64, "lshift")})
# ops on Python floats that raise ZeroDivisionError as Python does, and never ask to re-run
_RAISING_OPS = {(FLOAT, op) for op in ("truediv", "floordiv", "mod")}


NP_BOOL = ir.Scalar("np.bool")
# operators that convert an int operand to float when the other one is a float
_FLOAT_CONTEXT_OPS = ("add", "sub", "mul", "truediv")
# a numpy scalar type and the Python type of the same kind (a conditional may give either)
_NUMPY_AND_PYTHON = ({NP_FLOAT64, FLOAT}, {NP_INT64, INT}, {NP_BOOL, BOOL})


def _in_truth_context(node) -> bool:
    """`node`'s value is only tested for truth (an if/while/assert test, a conditional's test,
    `not`'s operand, or an operand of `and`/`or` that is itself in such a place)."""
    parent = node.parent
    if isinstance(parent, (nodes.If, nodes.While, nodes.IfExp, nodes.Assert)):
        return parent.test is node
    if isinstance(parent, nodes.UnaryOp):
        return parent.op == "not"
    if isinstance(parent, nodes.BoolOp):
        return _in_truth_context(parent)
    return False


class ScalarRules:
    """Mixed into `FunctionLowerer`; the handlers named in `constructs.py` for this family."""

    def _lower_const(self, node: nodes.Const, defined) -> ir.Expr:
        return self._constant(node, node.value)

    def _lower_binop(self, node: nodes.BinOp, defined) -> ir.Expr:
        op = rules.BINOPS.get(node.op)
        if op is None:
            raise _Reject(node, f"operator `{node.op}` is not translated")
        if op == "mul":
            rep = self._list_repeat(node, defined)
            if rep is not None:
                return rep
        if op in _FLOAT_CONTEXT_OPS and isinstance(node.right, nodes.IfExp) and not isinstance(node.left, nodes.IfExp):
            left = self._expr_raw(node.left, defined)  # lowered first only to learn its type; IR order is Python's
            if left[0].type == FLOAT and not left[1]:  # not a seeded variable (it may hold an int)
                self.float_contexts.add(id(node.right))
            return self._binop(node, op, left, self._expr_raw(node.right, defined))
        if op in _FLOAT_CONTEXT_OPS and isinstance(node.left, nodes.IfExp) and not isinstance(node.right, nodes.IfExp):
            right = self._expr_raw(node.right, defined)
            if right[0].type == FLOAT and not right[1]:
                self.float_contexts.add(id(node.left))
            return self._binop(node, op, self._expr_raw(node.left, defined), right)
        return self._binop(node, op, self._expr_raw(node.left, defined), self._expr_raw(node.right, defined))

    def _lower_unaryop(self, node: nodes.UnaryOp, defined) -> ir.Expr:
        operand = self._expr(node.operand, defined)
        return self._unary(node, operand)

    def _lower_boolop(self, node: nodes.BoolOp, defined) -> ir.Expr:
        values = [self._expr(v, defined) for v in node.values]
        types_ = {v.type for v in values}
        if len(types_) > 1 and _in_truth_context(node) and not any(isinstance(t, ir.Instance) for t in types_):
            # `x[i] > 0 and i < n`, `not (arcmode or caps & MASK)` as a test: only the truth of the
            # operand it stops at is seen, not its type (an object's own __bool__ would run twice in
            # Python, once here and once by the test: it stays Python)
            return ir.BoolOp(BOOL, node.op, [self._truth(v) for v in values])
        if len(types_) != 1 or not isinstance(values[0].type, ir.Scalar):
            raise _Reject(node, "`and`/`or` returns one of its operands; operands of different types "
                                "would give a value-dependent type")
        return ir.BoolOp(values[0].type, node.op, values)

    def _lower_compare(self, node: nodes.Compare, defined) -> ir.Expr:
        return self._compare(node, defined)

    def _lower_ifexp(self, node: nodes.IfExp, defined) -> ir.Expr:
        test = self._truth(self._expr(node.test, defined))
        body, orelse = self._expr(node.body, defined), self._expr(node.orelse, defined)
        pair = {body.type, orelse.type}
        if pair in _NUMPY_AND_PYTHON:
            # `s / n if n else math.nan`: a numpy scalar or the Python one, by the branch taken.
            # The numpy branch runs natively; taking the other re-runs the call in Python.
            numpy_type = next(t for t in pair if t.is_numpy)
            self.may_deopt = True
            rerun = f"`{node.as_string()[:60]}` gives a Python {rules.arith_type(orelse.type if body.type.is_numpy else body.type)}"
            body, orelse = [b if b.type == numpy_type else ir.ReRunInPython(numpy_type, rerun) for b in (body, orelse)]
        elif pair == {INT, FLOAT} and self._in_float_context(node):
            # `float(0 if n < 0 else p[s])`, `t + (r / t if t else 0)`: Python converts the int
            # branch to float right away (int.__float__, correctly rounded), as the cast does
            body, orelse = self._cast(body, FLOAT), self._cast(orelse, FLOAT)
        elif body.type != orelse.type or not isinstance(body.type, ir.Scalar):
            raise _Reject(node, f"conditional expression with branches of different types ({body.type}, {orelse.type})")
        return ir.IfExp(body.type, test, body, orelse)

    def _in_float_context(self, node) -> bool:
        """`node`'s value is converted to float at once: the one argument of the builtin `float()`,
        or an operand of `+ - * /` whose other operand is a float (marked by `_lower_binop`)."""
        if id(node) in self.float_contexts:
            return True
        parent = node.parent
        if (isinstance(parent, nodes.Call) and parent.args == [node] and not parent.keywords
                and isinstance(parent.func, nodes.Name)):
            try:
                return self._maybe_global(parent.func) is float
            except _Reject:
                return False
        return False

    def _constant(self, node, value) -> ir.Expr:
        if isinstance(value, bool):
            return ir.Const(BOOL, value)
        if isinstance(value, int):
            if not -(2**63) <= value < 2**63:
                raise _Reject(node, "integer constant does not fit in 64 bits")
            return ir.Const(INT, value)
        if isinstance(value, float):
            return ir.Const(FLOAT, value)
        if isinstance(value, (str, bytes)):
            return self._text_constant(node, value)  # text.py
        raise _Reject(node, f"value of type {type(value).__name__} is not translated")

    def _binop(self, node, op: str, left: tuple[ir.Expr, bool], right: tuple[ir.Expr, bool]) -> ir.Expr:
        (lv, lseed), (rv, rseed) = left, right
        text = self._text_binop(node, op, lv, rv)  # str/bytes `+` and `*`: text.py
        if text is not None:
            return text
        if not isinstance(lv.type, ir.Scalar) or not isinstance(rv.type, ir.Scalar):
            raise _Reject(node, f"`{node.as_string()}`: arithmetic on {lv.type} and {rv.type} is not translated")
        # A seeded variable can stay unguarded only when the other operand alone
        # decides the semantics (it has the variable's wide type).
        if lseed and not (not rseed and rv.type == lv.type):
            lv = self._guard(lv)
        if rseed and not (not lseed and lv.type == rv.type):
            rv = self._guard(rv)
        if ir.NUMBER in (lv.type, rv.type):
            # an item of a list of ints and floats beside a float: Python converts an int item
            # to float (int.__float__) and does float arithmetic, as the cast does
            if op not in _FLOAT_CONTEXT_OPS or FLOAT not in (lv.type, rv.type):
                raise _Reject(node, f"`{node.as_string()[:60]}`: an item of a list holding ints and floats is "
                                    "translated in `+ - * /` beside a float only (its type would show)")
            return ir.BinOp(FLOAT, op, self._cast(lv, FLOAT), self._cast(rv, FLOAT), FLOAT.name)
        if op in rules.BIT_OPS:
            return self._bit_binop(node, op, lv, rv)
        lv, rv = self._weak_operands(lv, rv)
        sem = rules.promote(lv.type, rv.type)
        if sem is None or sem.is_narrow_numpy:
            self._check_numpy_op(node, op, sem, lv.type, rv.type)
        result = rules.binop_result(op, sem)
        if op == "pow" and sem in (INT, NP_INT64):
            if not isinstance(rv, ir.Const):
                raise _Reject(node, "int ** int with a non-constant exponent: Python's result type depends on the exponent's sign")
            if rv.value < 0:
                if sem == INT:
                    result = FLOAT
        if (sem, op) not in _EXACT_OPS and (sem, op) not in _RAISING_OPS and not (
                sem == INT and self.int_op_cannot_overflow(op, lv, rv)):
            self.may_deopt = True
        if sem.is_numpy and sem.is_float and op in ("add", "sub", "mul"):
            self.note_fp_status()  # numpy's overflow and invalid-value warnings
        return ir.BinOp(result, op, self._cast(lv, sem), self._cast(rv, sem), sem.name)

    def _bit_binop(self, node, op: str, lv: ir.Expr, rv: ir.Expr) -> ir.Expr:
        """`&`, `|`, `^`, `<<`, `>>` on ints and bools (bool with bool stays bool for `&|^`)."""
        symbol = next(k for k, v in rules.BINOPS.items() if v == op)
        if lv.type.is_float or rv.type.is_float:
            raise _Reject(node, f"`{symbol}` on {lv.type} and {rv.type}: Python raises TypeError "
                                "(bit operators are defined for ints only)")
        if lv.type not in (INT, BOOL, NP_INT64) or rv.type not in (INT, BOOL, NP_INT64):
            raise _Reject(node, f"`{symbol}` on {lv.type} and {rv.type} is not translated")
        if lv.type == BOOL and rv.type == BOOL and op in ("and", "or", "xor"):
            return ir.BinOp(BOOL, op, lv, rv, BOOL.name)
        sem = rules.promote(lv.type, rv.type)
        if (sem, op) not in _EXACT_OPS:
            self.may_deopt = True  # `<<` beyond 64 bits re-runs in Python
        return ir.BinOp(sem, op, self._cast(lv, sem), self._cast(rv, sem), sem.name)

    def _unary(self, node, operand: ir.Expr) -> ir.Expr:
        if node.op == "not":
            truth = self._truth(operand)
            if isinstance(truth, ir.Const) and type(truth.value) is bool:
                return ir.Const(BOOL, not truth.value)  # `not isinstance(x, int)`: known when compiling
            return ir.UnaryOp(BOOL, "not", truth)
        if not isinstance(operand.type, ir.Scalar):
            raise _Reject(node, f"unary `{node.op}` on {operand.type}")
        t = rules.arith_type(operand.type)
        if t.is_narrow_numpy and (t.name == "np.bool" or (node.op == "-" and t.name.startswith("np.uint"))):
            raise _Reject(node, f"unary `{node.op}` on {t} is not translated (numpy warns or means something else)")
        if node.op == "-":
            if isinstance(operand, ir.Const) and t in (INT, FLOAT):
                folded = -operand.value  # `-1` is a constant (e.g. for `a ** -1`)
                if t == FLOAT or -(2**63) <= folded < 2**63:
                    return ir.Const(t, folded if t == FLOAT else int(folded))
            if t.is_int:
                self.may_deopt = True
            return ir.UnaryOp(t, "neg", self._cast(operand, t))
        if node.op == "+":
            return self._cast(operand, t)
        if node.op == "~" and (t in (INT, NP_INT64) or (t.is_narrow_numpy and t.is_int)):
            return ir.UnaryOp(t, "invert", self._cast(operand, t))
        raise _Reject(node, f"unary `{node.op}` on {operand.type}")

    def _compare(self, node, defined) -> ir.Expr:
        operands = [self._expr(node.left, defined)] + [self._expr(n, defined) for _, n in node.ops]
        text = self._text_compare(node, operands)  # str/bytes comparisons and `in`: text.py
        if text is not None:
            return text
        ops, modes, cast_operands = [], [], []
        for i, (op_text, _) in enumerate(node.ops):
            op = rules.CMPOPS.get(op_text)
            if op is None:
                raise _Reject(node, f"comparison `{op_text}` is not translated")
            a, b = operands[i], operands[i + 1]
            if not isinstance(a.type, ir.Scalar) or not isinstance(b.type, ir.Scalar):
                raise _Reject(node, f"comparing {a.type} with {b.type} is not translated")
            a, b = self._weak_operands(a, b)
            mode, common = rules.compare_mode(a.type, b.type)
            if mode == "unsupported":
                raise _Reject(node, f"comparing {a.type} with {b.type} is not translated")
            ops.append(op)
            modes.append(mode)
            if mode == "plain":
                cast_operands.append((self._cast(a, common), self._cast(b, common)))
            else:
                cast_operands.append((self._cast(a, rules.arith_type(a.type)), self._cast(b, rules.arith_type(b.type))))
        flat = [e for pair in cast_operands for e in pair]
        # a comparison with a numpy scalar gives numpy's bool; a chain gives its last evaluated link
        numpy_links = {operands[i].type.is_numpy or operands[i + 1].type.is_numpy for i in range(len(ops))}
        if numpy_links == {True, False} and not _in_truth_context(node):
            raise _Reject(node, "a comparison chain whose links give numpy and Python bools: its result's "
                                "type depends on where it stops")
        result = NP_BOOL if numpy_links == {True} else BOOL
        return ir.Compare(result, ops, flat, modes)
