"""Complex numbers: constants (`1j`), arithmetic, `==`/`!=`, truth, `z.real`, `z.imag`,
`z.conjugate()`, and complex elements stored into complex arrays.

Python's `complex` follows CPython 3.11 (an int or float operand becomes `complex(x, 0.0)`
first); numpy's complex128/complex64 scalars follow numpy (`typing_rules.complex_promote`),
whose `+ - *` are the same formulas in their precision and whose `/` is numpy's own (Smith's
method with a reciprocal); numpy's complex `**` is not CPython's and stays Python. Mixed into `FunctionLowerer` first: each rule takes its complex
cases and passes everything else on."""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import _Reject
from rustify.ir import BOOL, FLOAT, INT

# float32 holds every int up to this magnitude exactly (an int constant meeting complex64)
_F32_EXACT_INT = 2**24


def _is_complex(e: ir.Expr) -> bool:
    return isinstance(e.type, ir.Complex)


class ComplexRules:
    """Mixed into `FunctionLowerer`; the complex cases of constants, operators, attributes and stores."""

    def _constant(self, node, value) -> ir.Expr:
        if type(value) is complex:
            return ir.Const(ir.COMPLEX, value)
        return super()._constant(node, value)

    def _binop(self, node, op: str, left, right) -> ir.Expr:
        (lv, lseed), (rv, rseed) = left, right
        if not (_is_complex(lv) or _is_complex(rv)):
            return super()._binop(node, op, left, right)
        # a variable that may still hold its seed constant (`total = 0j` of a complex128 sum)
        # is guarded where the seed's type would give another result type
        lseed, rseed = self._seed_decides(lv, lseed, rv, rseed), self._seed_decides(rv, rseed, lv, lseed)
        if lseed:
            lv = self._guard(lv)
        if rseed:
            rv = self._guard(rv)
        symbol = next(k for k, v in rules.BINOPS.items() if v == op)
        if op in rules.BIT_OPS or op in ("floordiv", "mod"):
            raise _Reject(node, f"`{symbol}` on {lv.type} and {rv.type}: Python raises TypeError "
                                "(complex numbers have no floor division, modulo or bit operators)")
        lv, rv = self._weak_complex64_operands(lv, rv)
        rv = self._float_subclass_operand(lv, rv)
        sem = rules.complex_promote(lv.type, rv.type)
        if sem is None:
            raise _Reject(node, f"`{node.as_string()}`: arithmetic on {lv.type} and {rv.type} is not translated "
                                "(numpy bools, a Python int with complex64, or a non-number)")
        if sem.is_numpy and op == "mul" and any(t == ir.COMPLEX for t in (lv.type, rv.type)) \
                and any(isinstance(t, ir.Scalar) and t.is_numpy for t in (lv.type, rv.type)):
            raise _Reject(node, f"`{node.as_string()}`: numpy multiplies a real numpy scalar by a Python complex "
                                "through its array loop (a fused multiply-add here, whose zero signs differ); "
                                "not translated")
        if sem.is_numpy and op == "pow":
            raise _Reject(node, f"`{symbol}` of {sem}: numpy's complex power differs from CPython's and "
                                "is not translated")
        if sem.is_numpy and op == "truediv":
            self.may_deopt = True  # where numpy's division warns, the call re-runs in Python
        if sem.is_numpy and op in ("add", "sub", "mul"):
            self.note_fp_status()  # numpy's overflow and invalid-value warnings
        return ir.BinOp(sem, op, self._to_complex(lv, sem), self._to_complex(rv, sem), sem.name)

    def _seed_decides(self, v: ir.Expr, seeded: bool, other: ir.Expr, other_seeded: bool) -> bool:
        """`v` is seeded and its seed type (against `other`'s types) gives another complex type than
        its wide type; a seed's value converts to the same complex either way."""
        if not seeded:
            return False
        others = [other.type] + ([self.seeded[other.name]] if other_seeded else [])
        return any(rules.complex_promote(self.seeded[v.name], o) != rules.complex_promote(v.type, o) for o in others)

    def _float_subclass_operand(self, left: ir.Expr, right: ir.Expr) -> ir.Expr:
        """`z op x` with a Python complex `z` and an np.float64 `x`: complex's own method runs first
        (np.float64 is a float subclass, not a complex one) and takes `x` as a float, so the result
        is a Python complex; `x op z` is numpy's."""
        if left.type == ir.COMPLEX and right.type == ir.NP_FLOAT64:
            return self._cast(right, FLOAT)
        return right

    def _weak_complex64_operands(self, a: ir.Expr, b: ir.Expr) -> tuple[ir.Expr, ir.Expr]:
        """An int constant meeting complex64 that float32 holds exactly, as a float constant."""
        def exact(e):
            if isinstance(e, ir.Const) and e.type == INT and abs(e.value) <= _F32_EXACT_INT:
                return ir.Const(FLOAT, float(e.value))
            return e
        if b.type == ir.NP_COMPLEX64:
            a = exact(a)
        if a.type == ir.NP_COMPLEX64:
            b = exact(b)
        return a, b

    def _to_complex(self, value: ir.Expr, to: ir.Complex) -> ir.Expr:
        """`value` as complex type `to` (a number becomes `complex(x, 0.0)`, as CPython and numpy
        convert it; a Python constant is folded)."""
        if value.type == to:
            return value
        if isinstance(value, ir.Const) and to == ir.COMPLEX and value.type in (INT, FLOAT, BOOL):
            return ir.Const(ir.COMPLEX, complex(value.value))
        return ir.Cast(to, value)

    def _unary(self, node, operand: ir.Expr) -> ir.Expr:
        if not _is_complex(operand) or node.op == "not":
            return super()._unary(node, operand)
        if node.op == "-":
            if isinstance(operand, ir.Const):
                return ir.Const(operand.type, -operand.value)
            return ir.UnaryOp(operand.type, "neg", operand)
        if node.op == "+":
            return operand
        raise _Reject(node, f"`~` on {operand.type}: Python raises TypeError")

    def _lower_ifexp(self, node: nodes.IfExp, defined) -> ir.Expr:
        """`z if c else w` with branches of one complex type."""
        body, orelse = self._expr(node.body, defined), self._expr(node.orelse, defined)
        if not (_is_complex(body) or _is_complex(orelse)):
            self.hand_down((node.body, body), (node.orelse, orelse))
            return super()._lower_ifexp(node, defined)
        if body.type != orelse.type:
            raise _Reject(node, f"conditional expression with branches of different types ({body.type}, "
                                f"{orelse.type})")
        test = self._truth(self._expr(node.test, defined))
        return ir.IfExp(body.type, test, body, orelse)

    def _compare(self, node, defined) -> ir.Expr:
        operand_nodes = [node.left] + [n for _, n in node.ops]
        operands = [self._expr(n, defined) for n in operand_nodes]
        if not any(_is_complex(e) for e in operands):
            self.hand_down(*zip(operand_nodes, operands))
            return self._abs_against_constant(super()._compare(node, defined))
        ops, modes, flat, numpy_links = [], [], [], set()
        for i, (op_text, _) in enumerate(node.ops):
            op = rules.CMPOPS.get(op_text)
            a, b = operands[i], operands[i + 1]
            if op is None:
                raise _Reject(node, f"comparison `{op_text}` is not translated")
            if not (_is_complex(a) or _is_complex(b)):
                raise _Reject(node, "a comparison chain mixing complex and real comparisons is not translated")
            if op not in ("eq", "ne"):
                raise _Reject(node, f"`{op_text}` on {a.type} and {b.type}: Python raises TypeError "
                                    "(complex numbers are not ordered)")
            b = self._float_subclass_operand(a, b)
            numpy_links.add(getattr(a.type, "is_numpy", False) or getattr(b.type, "is_numpy", False))
            mode, a, b = self._complex_equality(node, a, b)
            ops.append(op)
            modes.append(mode)
            flat += [a, b]
        if len(numpy_links) > 1:
            raise _Reject(node, "a comparison chain whose links give numpy and Python bools: its result's "
                                "type depends on where it stops")
        # numpy compares a numpy complex (or a complex with a numpy number) and gives numpy's bool
        return ir.Compare(ir.Scalar("np.bool") if numpy_links == {True} else BOOL, ops, flat, modes)

    def _abs_against_constant(self, compare: ir.Expr) -> ir.Expr:
        """`abs(z) < c` (any order, `<`, `<=`, `>`, `>=`) of a Python complex and a float constant
        2**-300 <= c <= 2**300: the mode "cx_abs_const" (or "const_cx_abs") decides it without
        hypot where |z| is clearly away from c, with the same outcome as `abs(z)` itself."""
        if not isinstance(compare, ir.Compare):
            return compare
        for i, op in enumerate(compare.ops):
            a, b = compare.operands[2 * i], compare.operands[2 * i + 1]
            if compare.modes[i] != "plain" or op not in ("lt", "le", "gt", "ge"):
                continue
            for mode, call, const in (("cx_abs_const", a, b), ("const_cx_abs", b, a)):
                if (isinstance(call, ir.Call) and call.func == "complex.abs" and isinstance(const, ir.Const)
                        and const.type == FLOAT and 2.0**-300 <= const.value <= 2.0**300):
                    compare.modes[i] = mode
        return compare

    def _complex_equality(self, node, a: ir.Expr, b: ir.Expr):
        """(mode, left, right) for `a == b` with a complex side: CPython compares a complex with an
        int exactly (imaginary part zero and the real part equal to the int: modes "cx_int" and
        "int_cx"); anything else compares both parts after the conversion of arithmetic."""
        def python_int(t):
            return isinstance(t, ir.Scalar) and rules.arith_type(t) == INT

        if getattr(a.type, "is_numpy", False) or getattr(b.type, "is_numpy", False):
            if any(isinstance(t, ir.Scalar) and rules.arith_type(t).is_int for t in (a.type, b.type)):
                raise _Reject(node, f"comparing {a.type} with {b.type} is not translated (numpy rounds the int)")
        elif python_int(b.type):
            return "cx_int", a, self._cast(b, INT)
        elif python_int(a.type):
            return "int_cx", self._cast(a, INT), b
        sem = rules.complex_promote(a.type, b.type)
        if sem is None:
            raise _Reject(node, f"comparing {a.type} with {b.type} is not translated")
        return "plain", self._to_complex(a, sem), self._to_complex(b, sem)

    # ----------------------------------------------------- attributes and methods

    def _complex_attribute(self, node: nodes.Attribute, defined) -> ir.Expr | None:
        """`z.real`, `z.imag` of a complex local, argument or expression; None if `node` is not one."""
        if node.attrname not in ("real", "imag") or not self._may_be_value(node.expr):
            return None
        base = self._expr(node.expr, defined)
        if not _is_complex(base):
            raise _Reject(node, f"`.{node.attrname}` of {base.type} is not translated")
        return ir.Call(base.type.part, f"complex.{node.attrname}", [base])

    def _complex_method_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`z.conjugate()`; None if `node` is not a method call on a complex value."""
        func = node.func
        if not (isinstance(func, nodes.Attribute) and func.attrname == "conjugate" and self._may_be_value(func.expr)):
            return None
        base = self._expr(func.expr, defined)
        if not _is_complex(base):
            return None
        if node.args or node.keywords:
            raise _Reject(node, "`conjugate()` takes no arguments")
        return ir.Call(base.type, "complex.conjugate", [base])

    def _may_be_value(self, node) -> bool:
        """`node` is a local, an argument or an expression (not a module's name or attribute)."""
        if isinstance(node, nodes.Name):
            return node.name in self.local_names or node.name in self.params
        return not isinstance(node, nodes.Attribute)

    # ----------------------------------------------------------------- stores

    def _element_value(self, s, base, value: ir.Expr) -> ir.Expr:
        """A value stored into a complex array converts as numpy does (a complex128 or float into
        complex64 rounds each part to float32); a complex into a real array discards its imaginary
        part with a warning in numpy and stays Python."""
        elem = getattr(base.type, "elem", None)
        if not isinstance(elem, ir.Complex):
            if _is_complex(value) and isinstance(base.type, ir.Array):
                raise _Reject(s, f"storing {value.type} into {base.type} discards the imaginary part; not translated")
            if _is_complex(value):
                raise _Reject(s, f"storing {value.type} into {base.type} is not translated (lists hold numbers "
                                 "of one real type)")
            return super()._element_value(s, base, value)
        vt = value.type
        if isinstance(vt, ir.Complex) or vt in (FLOAT, ir.NP_FLOAT64, ir.Scalar("np.float32")):
            return self._to_complex(value, elem)
        if elem == ir.NP_COMPLEX128 and vt in (INT, BOOL, ir.NP_INT64):
            return self._to_complex(self._cast(value, INT) if vt == BOOL else value, elem)
        raise _Reject(s, f"storing {vt} into a {base.type.dtype} array is not translated")
