"""Lower an astroid function body to the typed IR, inferring local types.

Types flow forward from the argument signature. Loops can carry a type back to
an earlier statement, so the body is lowered repeatedly, joining what each
variable was assigned, until nothing changes (a fixed point); the last pass
reports every construct that cannot be translated as a `Reason`.

Statements and expressions are dispatched through the registry in
`constructs.py` (node kind -> `_lower_*` method), which also generates
docs/supported-python.md.
"""

from __future__ import annotations

import builtins
import types
from dataclasses import dataclass, field

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.constructs import EXPRESSIONS, STATEMENTS, lookup
from rustify.analysis.intrinsics import resolve_intrinsic
from rustify.errors import Reason, Untranslatable
from rustify.ir import BOOL, FLOAT, INT, NONE, NP_FLOAT64, NP_INT64

UNKNOWN_ELEM = ir.Scalar("?")  # element type of `[]` before anything is appended
MAX_PASSES = 12


class _Pending(Exception):
    """A variable's type is not known yet in this pass."""


class _Reject(Exception):
    def __init__(self, node: nodes.NodeNG, why: str):
        super().__init__(why)
        self.node, self.why = node, why


class _Poisoned(Exception):
    """A statement reads a variable whose assignment was rejected: already reported, stay quiet."""


@dataclass(frozen=True)
class _UntranslatedArg:
    """The type of an argument whose kind the IR has no type for (`str`, `dict`, a class...).

    The body is still analysed, so every construct that blocks it is reported:
    each use of such an argument is one reason."""

    kind: str

    def __str__(self) -> str:
        return self.kind


@dataclass
class _Assigned:
    """What one pass saw assigned to a variable: types, and constant values."""

    types: list[ir.Type] = field(default_factory=list)
    consts: list[object | None] = field(default_factory=list)


class FunctionLowerer:
    """Lowers one `nodes.FunctionDef` for one signature. Use `lower()`."""

    def __init__(self, fdef: nodes.FunctionDef, func: types.FunctionType, signature: tuple[str, ...]):
        self.fdef = fdef
        self.func = func
        self.signature = signature
        self.params = [a.name for a in fdef.args.args]
        self.param_types = {p: ir.parse_kind(k) or _UntranslatedArg(k) for p, k in zip(self.params, signature)}
        self.env: dict[str, ir.Type] = dict(self.param_types)
        self.seeded: dict[str, ir.Scalar] = {}
        self.local_names = set(fdef.locals) - set(self.params)

    # ----------------------------------------------------------------- driver

    def lower(self) -> ir.Function:
        for _ in range(MAX_PASSES):
            self._begin_pass(final=False)
            self._block(self.fdef.body, set(self.params))
            if not self._join_pass():
                break
        else:
            raise Untranslatable([Reason(self._line(self.fdef), self.fdef.name, "local types did not settle")])
        self._begin_pass(final=True)
        body, _, terminates = self._block(self.fdef.body, set(self.params))
        return_type = self._return_type(terminates)
        for p, t in self.param_types.items():
            if isinstance(t, _UntranslatedArg) and not any(f"`{p}`" in r.why for r in self.reasons):
                self.reasons.insert(0, Reason(self._line(self.fdef), p, f"argument `{p}` is a {t}: "
                                              f"arguments of kind {t} are not translated"))
        if self.reasons:
            raise Untranslatable(self.reasons)
        params = [ir.Param(p, self.param_types[p], p in self.mutated) for p in self.params]
        locals_ = {n: t for n, t in self.env.items() if n not in self.param_types}
        return ir.Function(
            name=self.fdef.name, params=params, locals=locals_, body=body, return_type=return_type,
            signature=self.signature, seeded=dict(self.seeded), may_deopt=self.may_deopt,
            first_line=self.fdef.lineno,
        )

    def _begin_pass(self, final: bool) -> None:
        self.final = final
        self.assigned: dict[str, _Assigned] = {}
        self.returns: list[tuple[nodes.NodeNG, ir.Type]] = []
        self.reasons: list[Reason] = []
        self.mutated: set[str] = set()
        self.may_deopt = False
        self.loop_depth = 0
        # variables assigned by a rejected statement (or from one): their uses are not
        # reported again, so one rejected line gives one reason, not a cascade
        self.poisoned: set[str] = set()

    def _join_pass(self) -> bool:
        """Fold this pass's assignments into `env`; True if anything changed."""
        new_env = dict(self.param_types)
        new_seeded: dict[str, ir.Scalar] = {}
        for name, seen in self.assigned.items():
            if name in self.param_types:
                continue
            joined = self._join(name, seen, new_seeded)
            if joined is not None:
                new_env[name] = joined
        changed = new_env != self.env or new_seeded != self.seeded
        self.env, self.seeded = new_env, new_seeded
        return changed

    def _join(self, name: str, seen: _Assigned, seeded_out: dict) -> ir.Type | None:
        distinct = list(dict.fromkeys(seen.types))
        if len(distinct) == 1:
            return distinct[0]
        lists = [t for t in distinct if isinstance(t, ir.ListOf)]
        if len(lists) == len(distinct):
            elems = [t.elem for t in lists if t.elem != UNKNOWN_ELEM]
            elem = elems[0] if elems else UNKNOWN_ELEM
            for e in elems[1:]:
                elem = rules.list_elem_join(elem, e) or elem
            return ir.ListOf(elem)
        if len(distinct) == 2 and all(isinstance(t, ir.Scalar) for t in distinct):
            for narrow, wide in rules.SEED_WIDENINGS:
                if set(distinct) == {narrow, wide}:
                    consts = [c for t, c in zip(seen.types, seen.consts) if t == narrow]
                    if all(c is not None and abs(c) <= rules.EXACT_INT_LIMIT for c in consts):
                        seeded_out[name] = narrow
                        return wide
        return distinct[-1]  # inconsistent: the final pass reports it

    def _return_type(self, terminates: bool) -> ir.Type:
        types_ = list(dict.fromkeys(t for _, t in self.returns))
        if not types_:
            return NONE
        if not terminates and NONE not in types_:
            self.returns.append((None, NONE))
            types_.append(NONE)
        if len(types_) > 1:
            first_node, first = self.returns[0]
            node, other = next((n, t) for n, t in self.returns if t != first)
            where = f"line {self._line(first_node)}" if first_node is not None else "the first return"
            text = node.as_string() if node is not None else f"end of `{self.fdef.name}`"
            line = self._line(node) if node is not None else self._line(self.fdef)
            tail = " (falling off the end returns None)" if node is None else ""
            self.reasons.append(Reason(line, text[:80], f"returns {other} here but {first} on {where}; "
                                       f"the result type would depend on the path taken{tail}"))
        return types_[0]

    # ------------------------------------------------------------- statements

    def _block(self, stmts, defined: set[str]) -> tuple[list[ir.Stmt], set[str], bool]:
        """Lower a statement list. Returns (IR, definitely assigned names, ends in a jump)."""
        out: list[ir.Stmt] = []
        defined = set(defined)
        for stmt in stmts:
            try:
                lowered, defined, jumps = self._stmt(stmt, defined)
                out.extend(lowered)
                if jumps:
                    return out, defined, True
            except _Pending:
                continue
            except _Poisoned:
                self._poison(stmt, defined)
            except _Reject as r:
                self._reject(r.node, r.why)
                self._poison(stmt, defined)
        return out, defined, False

    def _poison(self, stmt: nodes.NodeNG, defined: set[str]) -> None:
        """The names `stmt` assigns count as defined but unusable (their uses stay quiet)."""
        names = {n.name for n in stmt.nodes_of_class(nodes.AssignName)}
        if isinstance(stmt, nodes.AugAssign) and isinstance(stmt.target, nodes.AssignName):
            names.add(stmt.target.name)
        self.poisoned |= names
        defined |= names

    def _reject(self, node: nodes.NodeNG, why: str) -> None:
        if self.final:
            text = node.as_string().splitlines()[0] if node is not None else "?"
            self.reasons.append(Reason(self._line(node), text[:80], why))

    def _line(self, node) -> int:
        base = getattr(self.func, "__code__", None)
        offset = (base.co_firstlineno - 1) if base else 0
        return (getattr(node, "lineno", None) or 0) + offset

    def _stmt(self, s: nodes.NodeNG, defined: set[str]):
        """Lower one statement through the `constructs.STATEMENTS` registry: (IR, defined, jumps)."""
        construct = lookup(STATEMENTS, s)
        if construct is None:
            raise _Reject(s, f"statement `{type(s).__name__}` is not translated")
        return getattr(self, construct.handler)(s, defined)

    def _lower_assign(self, s: nodes.Assign, defined):
        if len(s.targets) != 1:
            raise _Reject(s, "chained assignment `a = b = ...` is not translated")
        return self._assign(s, s.targets[0], s.value, defined)

    def _lower_ann_assign(self, s: nodes.AnnAssign, defined):
        if s.value is None:
            return [], defined, False
        return self._assign(s, s.target, s.value, defined)

    def _lower_aug_assign(self, s: nodes.AugAssign, defined):
        op = rules.BINOPS.get(s.op[:-1])
        if op is None:
            raise _Reject(s, f"augmented operator `{s.op}` is not translated")
        if isinstance(s.target, nodes.AssignName):
            self._require_defined(s.target, s.target.name, defined)
            current = self._var(s.target.name, s.target, raw=True)
            value = self._binop(s, op, current, self._expr_raw(s.value))
            return [self._store_name(s, s.target.name, value)], defined, False
        if isinstance(s.target, nodes.Subscript):
            base, index = self._subscript_parts(s.target, defined)
            current = self._index(s.target, base, index)
            value = self._binop(s, op, (current, False), self._expr_raw(s.value, defined))
            return [self._store_index(s, s.target, base, index, value)], defined, False
        raise _Reject(s, "augmented assignment to this target is not translated")

    def _lower_expr_stmt(self, s: nodes.Expr, defined):
        if isinstance(s.value, nodes.Const) and isinstance(s.value.value, str):
            return [], defined, False  # docstring
        return [self._expr_stmt(s, defined)], defined, False

    def _lower_if(self, s: nodes.If, defined):
        test = self._truth(self._expr(s.test, defined))
        body, d1, j1 = self._block(s.body, defined)
        orelse, d2, j2 = self._block(s.orelse, defined)
        after = d2 if j1 else d1 if j2 else d1 & d2
        return [ir.If(self._line(s), test, body, orelse)], after, j1 and j2

    def _lower_while(self, s: nodes.While, defined):
        if s.orelse:
            raise _Reject(s, "`while ... else` is not translated")
        test = self._truth(self._expr(s.test, defined))
        self.loop_depth += 1
        body, _, _ = self._block(s.body, defined)
        self.loop_depth -= 1
        return [ir.While(self._line(s), test, body)], defined, False

    def _lower_break(self, s: nodes.Break, defined):
        return [ir.Break(self._line(s))], defined, True

    def _lower_continue(self, s: nodes.Continue, defined):
        return [ir.Continue(self._line(s))], defined, True

    def _lower_pass(self, s: nodes.Pass, defined):
        return [ir.Pass(self._line(s))], defined, False

    def _lower_return(self, s: nodes.Return, defined):
        line = self._line(s)
        if s.value is None:
            self.returns.append((s, NONE))
            return [ir.Return(line, None)], defined, True
        value = self._expr(s.value, defined)
        if isinstance(value.type, (ir.ListOf, ir.Array1)) and not isinstance(value, (ir.NewList, ir.NewArray)):
            if not (isinstance(value, ir.Var) and value.name in self.local_names):
                raise _Reject(s, "returning an argument list or array is not translated yet")
        self.returns.append((s, value.type))
        return [ir.Return(line, value)], defined, True

    def _assign(self, s, target, value_node, defined):
        line = self._line(s)
        if isinstance(target, nodes.AssignName):
            value = self._expr(value_node, defined)
            stmt = self._store_name(s, target.name, value)
            return [stmt], defined | {target.name}, False
        if isinstance(target, nodes.Tuple):
            if not isinstance(value_node, nodes.Tuple) or len(value_node.elts) != len(target.elts):
                raise _Reject(s, "tuple assignment needs a tuple of the same length on the right")
            if not all(isinstance(t, nodes.AssignName) for t in target.elts):
                raise _Reject(s, "tuple assignment to subscripts is not translated")
            names = [t.name for t in target.elts]
            if len(set(names)) != len(names):
                raise _Reject(s, "tuple assignment names one variable twice")
            values = [self._expr(v, defined) for v in value_node.elts]
            if any(isinstance(v.type, (ir.ListOf, ir.Array1)) for v in values):
                raise _Reject(s, "tuple assignment of lists or arrays is not translated")
            stmts = [self._store_name(s, n, v) for n, v in zip(names, values)]
            return [ir.MultiAssign(line, names, [st.value for st in stmts], [st.seed for st in stmts])], defined | set(names), False
        if isinstance(target, nodes.Subscript):
            base, index = self._subscript_parts(target, defined)
            value = self._expr(value_node, defined)
            return [self._store_index(s, target, base, index, value)], defined, False
        raise _Reject(s, "assignment to this target is not translated")

    def _store_name(self, s, name: str, value: ir.Expr) -> ir.Assign:
        if name in self.param_types:
            ptype = self.param_types[name]
            if value.type != ptype or isinstance(ptype, (ir.ListOf, ir.Array1)):
                raise _Reject(s, f"rebinding the argument `{name}` is not translated (it is {ptype})")
        if isinstance(value.type, (ir.ListOf, ir.Array1)) and not isinstance(value, (ir.NewList, ir.NewArray)):
            raise _Reject(s, f"`{name}` would alias another list or array; only new lists/arrays can be bound to a name")
        self._record(name, value)
        wide = self.env.get(name)
        if name in self.seeded and isinstance(value.type, ir.Scalar):
            is_seed = value.type == self.seeded[name]
            if value.type not in (self.seeded[name], wide):
                raise _Reject(s, f"`{name}` holds {self.seeded[name]} and {wide} values; this assigns {value.type}")
            return ir.Assign(self._line(s), name, self._cast(value, wide) if is_seed else value, seed=is_seed)
        if wide is not None and value.type != wide:
            if isinstance(wide, ir.ListOf) and isinstance(value.type, ir.ListOf):
                value.type = wide  # `[]` gets its element type from later appends
            elif self.final:
                raise _Reject(s, f"`{name}` is assigned both {wide} and {value.type}; "
                                 "its type would depend on the path taken")
        return ir.Assign(self._line(s), name, value)

    def _record(self, name: str, value: ir.Expr) -> None:
        seen = self.assigned.setdefault(name, _Assigned())
        seen.types.append(value.type)
        seen.consts.append(value.value if isinstance(value, ir.Const) else None)

    def _store_index(self, s, target, base: ir.Var, index: ir.Expr, value: ir.Expr) -> ir.StoreIndex:
        value = self._element_value(s, base, value)
        if base.name in self.param_types:
            self.mutated.add(base.name)
        if isinstance(base.type, ir.ListOf) and base.name not in self.param_types:
            self._record(base.name, ir.NewList(ir.ListOf(value.type), []))
        return ir.StoreIndex(self._line(s), base.name, index, value)

    def _element_value(self, s, base: ir.Var, value: ir.Expr) -> ir.Expr:
        """Convert `value` for storing into `base`'s elements, as list/numpy would."""
        vt = value.type
        if not isinstance(vt, ir.Scalar):
            raise _Reject(s, "only numbers can be stored into a list or array")
        if isinstance(base.type, ir.Array1):
            elem = base.type.elem
            if elem == NP_INT64 and vt.is_float:
                raise _Reject(s, "storing a float into an int64 array truncates; not translated")
            return self._cast(value, elem)
        elem = base.type.elem
        if elem == UNKNOWN_ELEM:
            return value
        joined = rules.list_elem_join(elem, vt)
        if joined is None:
            raise _Reject(s, f"storing {vt} into a list of {elem} makes a mixed list; not translated")
        return self._cast(value, joined)

    def _expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt:
        call = s.value
        if (isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute)
                and call.func.attrname == "append" and isinstance(call.func.expr, nodes.Name)
                and len(call.args) == 1 and not call.keywords):
            base = self._expr(call.func.expr, defined)
            if not isinstance(base, ir.Var) or not isinstance(base.type, ir.ListOf):
                raise _Reject(s, "`.append` on something that is not a list")
            value = self._element_value(s, base, self._expr(call.args[0], defined))
            if base.name in self.param_types:
                self.mutated.add(base.name)
            else:
                self._record(base.name, ir.NewList(ir.ListOf(value.type), []))
            return ir.Append(self._line(s), base.name, value)
        if isinstance(call, nodes.Call):
            self._call(call, defined)  # says what is wrong with the call itself
        raise _Reject(s, "expression statements other than `list.append(x)` are not translated")

    def _lower_for(self, s: nodes.For, defined):
        line = self._line(s)
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        if not isinstance(s.target, nodes.AssignName):
            raise _Reject(s, "only a single loop variable is translated")
        var = s.target.name
        it = s.iter
        if isinstance(it, nodes.Call) and isinstance(it.func, nodes.Name) and self._global(it.func) is range:
            if it.keywords or not 1 <= len(it.args) <= 3:
                raise _Reject(s, "range() with 1 to 3 positional arguments only")
            args = [self._int_arg(a, defined) for a in it.args]
            if len(args) == 1:
                start, stop, step = ir.Const(INT, 0), args[0], ir.Const(INT, 1)
            elif len(args) == 2:
                start, stop, step = args[0], args[1], ir.Const(INT, 1)
            else:
                start, stop, step = args
            self._record(var, ir.Var(INT, var))
            if var in self.param_types or self.env.get(var, INT) != INT:
                raise _Reject(s, f"loop variable `{var}` is also used with another type")
            self.loop_depth += 1
            body, _, _ = self._block(s.body, defined | {var})
            self.loop_depth -= 1
            return [ir.ForRange(line, var, start, stop, step, body)], defined, False
        seq = self._expr(it, defined)
        if not isinstance(seq, ir.Var) or getattr(seq.type, "item", None) is None:
            raise _Reject(s, "only `for` over range(), a list or a 1-D array is translated")
        elem = seq.type.item
        if elem == UNKNOWN_ELEM:
            raise _Pending()
        self._record(var, ir.Var(elem, var))
        self.loop_depth += 1
        body, _, _ = self._block(s.body, defined | {var})
        self.loop_depth -= 1
        return [ir.ForEach(line, var, seq.name, body)], defined, False

    # ------------------------------------------------------------ expressions

    def _expr(self, node, defined=None) -> ir.Expr:
        """Lower an expression; seeded variables are guarded."""
        value, seeded = self._expr_raw(node, defined)
        return self._guard(value) if seeded else value

    def _guard(self, value: ir.Expr) -> ir.Expr:
        self.may_deopt = True
        return ir.SeedGuard(value.type, value.name)

    def _expr_raw(self, node, defined=None) -> tuple[ir.Expr, bool]:
        """Lower an expression through `constructs.EXPRESSIONS`; (IR, is an unguarded read of a seeded variable)."""
        construct = lookup(EXPRESSIONS, node)
        if construct is None:
            raise _Reject(node, f"expression `{type(node).__name__}` is not translated")
        if construct.node == "Name":
            return self._lower_name(node, defined)
        return getattr(self, construct.handler)(node, defined), False

    def _lower_name(self, node: nodes.Name, defined) -> tuple[ir.Expr, bool]:
        obj = self._maybe_global(node)
        if obj is not _LOCAL:
            return self._constant(node, obj), False
        if defined is not None:
            self._require_defined(node, node.name, defined)
        return self._var(node.name, node, raw=True)

    def _require_defined(self, node, name, defined):
        if name in self.poisoned:
            raise _Poisoned()
        if self.final and defined is not None and name not in defined:
            raise _Reject(node, f"`{name}` may be used before it is assigned (Python would raise UnboundLocalError)")

    def _var(self, name: str, node, raw: bool = False):
        if name in self.poisoned:
            raise _Poisoned()
        t = self.env.get(name)
        if isinstance(t, _UntranslatedArg):
            raise _Reject(node, f"`{name}` is a {t} argument: arguments of kind {t} are not translated")
        if t is None:
            if self.final:
                raise _Reject(node, f"the type of `{name}` could not be inferred")
            raise _Pending()
        var = ir.Var(t, name)
        return (var, name in self.seeded) if raw else var

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
        return self._binop(node, op, self._expr_raw(node.left, defined), self._expr_raw(node.right, defined))

    def _lower_unaryop(self, node: nodes.UnaryOp, defined) -> ir.Expr:
        operand = self._expr(node.operand, defined)
        return self._unary(node, operand)

    def _lower_boolop(self, node: nodes.BoolOp, defined) -> ir.Expr:
        values = [self._expr(v, defined) for v in node.values]
        types_ = {v.type for v in values}
        if len(types_) != 1 or not isinstance(values[0].type, ir.Scalar):
            raise _Reject(node, "`and`/`or` returns one of its operands; operands of different types "
                                "would give a value-dependent type")
        return ir.BoolOp(values[0].type, node.op, values)

    def _lower_compare(self, node: nodes.Compare, defined) -> ir.Expr:
        return self._compare(node, defined)

    def _lower_ifexp(self, node: nodes.IfExp, defined) -> ir.Expr:
        test = self._truth(self._expr(node.test, defined))
        body, orelse = self._expr(node.body, defined), self._expr(node.orelse, defined)
        if body.type != orelse.type or not isinstance(body.type, ir.Scalar):
            raise _Reject(node, f"conditional expression with branches of different types ({body.type}, {orelse.type})")
        return ir.IfExp(body.type, test, body, orelse)

    def _lower_subscript(self, node: nodes.Subscript, defined) -> ir.Expr:
        base, index = self._subscript_parts(node, defined)
        return self._index(node, base, index)

    def _lower_call(self, node: nodes.Call, defined) -> ir.Expr:
        return self._call(node, defined)

    def _lower_attribute(self, node: nodes.Attribute, defined) -> ir.Expr:
        return self._constant(node, self._global(node))

    def _lower_list(self, node: nodes.List, defined) -> ir.Expr:
        items = [self._expr(e, defined) for e in node.elts]
        return self._new_list(node, items, None)

    def _constant(self, node, value) -> ir.Expr:
        if isinstance(value, bool):
            return ir.Const(BOOL, value)
        if isinstance(value, int):
            if not -(2**63) <= value < 2**63:
                raise _Reject(node, "integer constant does not fit in 64 bits")
            return ir.Const(INT, value)
        if isinstance(value, float):
            return ir.Const(FLOAT, value)
        raise _Reject(node, f"value of type {type(value).__name__} is not translated")

    def _cast(self, value: ir.Expr, to: ir.Type) -> ir.Expr:
        if value.type == to:
            return value
        if isinstance(value, ir.Const) and isinstance(to, ir.Scalar) and to in (INT, FLOAT):
            return ir.Const(to, float(value.value) if to == FLOAT else int(value.value))
        return ir.Cast(to, value)

    def _truth(self, value: ir.Expr) -> ir.Expr:
        if value.type == BOOL:
            return value
        if isinstance(value.type, ir.Array1):
            raise _Reject(None, "the truth value of an array is ambiguous")
        return ir.Truth(BOOL, value)

    def _binop(self, node, op: str, left: tuple[ir.Expr, bool], right: tuple[ir.Expr, bool]) -> ir.Expr:
        (lv, lseed), (rv, rseed) = left, right
        if not isinstance(lv.type, ir.Scalar) or not isinstance(rv.type, ir.Scalar):
            raise _Reject(node, f"`{node.as_string()}`: arithmetic on {lv.type} and {rv.type} is not translated")
        # A seeded variable can stay unguarded only when the other operand alone
        # decides the semantics (it has the variable's wide type).
        if lseed and not (not rseed and rv.type == lv.type):
            lv = self._guard(lv)
        if rseed and not (not lseed and lv.type == rv.type):
            rv = self._guard(rv)
        sem = rules.promote(lv.type, rv.type)
        result = rules.binop_result(op, sem)
        if op == "pow" and sem in (INT, NP_INT64):
            if not isinstance(rv, ir.Const):
                raise _Reject(node, "int ** int with a non-constant exponent: Python's result type depends on the exponent's sign")
            if rv.value < 0:
                if sem == INT:
                    result = FLOAT
        if (sem, op) not in _EXACT_OPS:
            self.may_deopt = True
        return ir.BinOp(result, op, self._cast(lv, sem), self._cast(rv, sem), sem.name)

    def _unary(self, node, operand: ir.Expr) -> ir.Expr:
        if node.op == "not":
            return ir.UnaryOp(BOOL, "not", self._truth(operand))
        if not isinstance(operand.type, ir.Scalar):
            raise _Reject(node, f"unary `{node.op}` on {operand.type}")
        t = rules.arith_type(operand.type)
        if node.op == "-":
            if isinstance(operand, ir.Const) and t in (INT, FLOAT):
                folded = -operand.value  # `-1` is a constant (e.g. for `a ** -1`)
                if t == FLOAT or -(2**63) <= folded < 2**63:
                    return ir.Const(t, folded if t == FLOAT else int(folded))
            if t in (INT, NP_INT64):
                self.may_deopt = True
            return ir.UnaryOp(t, "neg", self._cast(operand, t))
        if node.op == "+":
            return self._cast(operand, t)
        if node.op == "~" and t in (INT, NP_INT64):
            return ir.UnaryOp(t, "invert", self._cast(operand, t))
        raise _Reject(node, f"unary `{node.op}` on {operand.type}")

    def _compare(self, node, defined) -> ir.Expr:
        operands = [self._expr(node.left, defined)] + [self._expr(n, defined) for _, n in node.ops]
        ops, modes, cast_operands = [], [], []
        for i, (op_text, _) in enumerate(node.ops):
            op = rules.CMPOPS.get(op_text)
            if op is None:
                raise _Reject(node, f"comparison `{op_text}` is not translated")
            a, b = operands[i], operands[i + 1]
            if not isinstance(a.type, ir.Scalar) or not isinstance(b.type, ir.Scalar):
                raise _Reject(node, f"comparing {a.type} with {b.type} is not translated")
            mode, common = rules.compare_mode(a.type, b.type)
            ops.append(op)
            modes.append(mode)
            if mode == "plain":
                cast_operands.append((self._cast(a, common), self._cast(b, common)))
            else:
                cast_operands.append((self._cast(a, rules.arith_type(a.type)), self._cast(b, rules.arith_type(b.type))))
        flat = [e for pair in cast_operands for e in pair]
        return ir.Compare(BOOL, ops, flat, modes)

    def _subscript_parts(self, node: nodes.Subscript, defined) -> tuple[ir.Var, ir.Expr]:
        base = self._expr(node.value, defined)
        if not isinstance(base, ir.Var) or getattr(base.type, "item", None) is None:
            raise _Reject(node, "indexing is translated for list and 1-D array variables only")
        if isinstance(node.slice, nodes.Slice):
            raise _Reject(node, "slices are not translated")
        index = self._expr(node.slice, defined)
        if not isinstance(index.type, ir.Scalar) or index.type.is_float:
            raise _Reject(node, "index must be an integer")
        return base, self._cast(index, INT)

    def _index(self, node, base: ir.Var, index: ir.Expr) -> ir.Expr:
        elem = base.type.item
        if elem == UNKNOWN_ELEM:
            raise _Pending() if not self.final else _Reject(node, f"element type of `{base.name}` is unknown")
        return ir.Index(elem, base, index)

    def _int_arg(self, node, defined) -> ir.Expr:
        value = self._expr(node, defined)
        if not isinstance(value.type, ir.Scalar) or value.type.is_float:
            raise _Reject(node, "expected an integer")
        return self._cast(value, INT)

    def _list_repeat(self, node: nodes.BinOp, defined) -> ir.Expr | None:
        lst, count = node.left, node.right
        if isinstance(count, nodes.List):
            lst, count = count, lst
        if not isinstance(lst, nodes.List):
            return None
        if len(lst.elts) != 1:
            raise _Reject(node, "`[a, b, ...] * n` is translated for one-element lists only")
        item = self._expr(lst.elts[0], defined)
        self.may_deopt = True  # a huge length re-runs in Python rather than allocating
        return self._new_list(node, [item], self._int_arg(count, defined))

    def _new_list(self, node, items: list[ir.Expr], count) -> ir.Expr:
        elem = UNKNOWN_ELEM
        for item in items:
            if not isinstance(item.type, ir.Scalar) or item.type in (BOOL,):
                raise _Reject(node, f"lists of {item.type} are not translated")
            joined = item.type if elem == UNKNOWN_ELEM else rules.list_elem_join(elem, item.type)
            if joined is None:
                raise _Reject(node, "list literal mixes ints and floats")
            elem = {NP_FLOAT64: FLOAT, NP_INT64: INT}.get(joined, joined)
        return ir.NewList(ir.ListOf(elem), [self._cast(i, elem) for i in items], count)

    def _call(self, node: nodes.Call, defined) -> ir.Expr:
        if node.keywords and not self._only_dtype_keyword(node):
            raise _Reject(node, "keyword arguments are not translated")
        self._reject_method_call(node, defined)
        target = self._global(node.func)
        intrinsic = resolve_intrinsic(target)
        if intrinsic is None:
            name = node.func.as_string()
            wrapped = getattr(target, "__wrapped__", None)
            if isinstance(target, types.FunctionType) or isinstance(wrapped, types.FunctionType):
                how = ", accelerated by rustify" if isinstance(wrapped, types.FunctionType) else ""
                raise _Reject(node, f"calls to other Python functions (`{name}`{how}) are not translated yet")
            if isinstance(target, type):
                raise _Reject(node, f"calling the class `{name}` (building an object) is not translated")
            raise _Reject(node, f"`{name}` is not a supported function")
        args = [self._expr(a, defined) for a in node.args]
        return intrinsic.lower(self, node, args)

    def _reject_method_call(self, node: nodes.Call, defined) -> None:
        """A method call on a local value or a literal (`xs.sort()`, `'. '.join(...)`): say so."""
        func = node.func
        if not isinstance(func, nodes.Attribute):
            return
        base = func.expr
        if isinstance(base, nodes.Const):
            raise _Reject(node, f"methods of {type(base.value).__name__} values "
                                f"(`{type(base.value).__name__}.{func.attrname}`) are not translated")
        if isinstance(base, (nodes.List, nodes.Tuple, nodes.Dict, nodes.Set, nodes.JoinedStr)):
            kind = {nodes.JoinedStr: "str"}.get(type(base), type(base).__name__.lower())
            raise _Reject(node, f"methods of {kind} values (`{kind}.{func.attrname}`) are not translated")
        if isinstance(base, nodes.Name) and (base.name in self.local_names or base.name in self.params):
            value = self._expr(base, defined)
            raise _Reject(node, f"the method `{func.attrname}` of `{base.name}` ({value.type}) is not translated")

    def _only_dtype_keyword(self, node) -> bool:
        return all(k.arg == "dtype" for k in node.keywords)

    # -------------------------------------------------------------- globals

    def _maybe_global(self, node: nodes.Name):
        scope, _ = node.lookup(node.name)
        if scope is self.fdef:
            return _LOCAL
        return self._global(node)

    def _global(self, node) -> object:
        """The live object a global name or attribute chain (`math.sqrt`) refers to."""
        if isinstance(node, nodes.Name):
            if node.name in self.local_names or node.name in self.params:
                raise _Reject(node, f"`{node.name}` is a local variable, not a function")
            g = self.func.__globals__
            if node.name in g:
                return g[node.name]
            if hasattr(builtins, node.name):
                return getattr(builtins, node.name)
            raise _Reject(node, f"name `{node.name}` is not defined")
        if isinstance(node, nodes.Attribute):
            base = self._global(node.expr)
            if not isinstance(base, types.ModuleType):
                raise _Reject(node, "attribute access is translated for modules only (`math.sqrt`)")
            try:
                return getattr(base, node.attrname)
            except AttributeError:
                raise _Reject(node, f"module `{base.__name__}` has no attribute `{node.attrname}`") from None
        raise _Reject(node, f"`{node.as_string()}` is not a name the translator understands")

    # intrinsics call back into these
    cast = _cast
    truth = _truth
    reject = staticmethod(lambda node, why: _Reject(node, why))

    def note_deopt(self) -> None:
        self.may_deopt = True


_LOCAL = object()

# (semantics, op) pairs that can never ask to re-run in Python.
_EXACT_OPS = {(s, op) for s in (FLOAT, NP_FLOAT64) for op in ("add", "sub", "mul")}
