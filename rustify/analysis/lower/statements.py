"""Statements: assignment, control flow, loops and return."""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import UNKNOWN_ELEM, _Pending, _Reject, described
from rustify.ir import FLOAT, INT, NONE


_NOT_KNOWN = object()


def _constant_assignment(stmt) -> tuple[str, object] | None:
    """(name, number) of `name = <number literal>` (or `-<literal>`), else None."""
    if not (isinstance(stmt, nodes.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], nodes.AssignName)):
        return None
    value = stmt.value
    sign = 1
    if isinstance(value, nodes.UnaryOp) and value.op == "-":
        value, sign = value.operand, -1
    if isinstance(value, nodes.Const) and type(value.value) in (int, float):
        return stmt.targets[0].name, sign * value.value
    return None


class StatementRules:
    """Mixed into `FunctionLowerer`; the handlers named in `constructs.py` for this family."""

    def _lower_assign(self, s: nodes.Assign, defined):
        if len(s.targets) == 1:
            return self._assign(s, s.targets[0], s.value, defined)
        return self._chained_assign(s, defined)

    def _chained_assign(self, s: nodes.Assign, defined):
        """`a = b = value`: the value is evaluated once and bound to each target, left to
        right. After the first target, the others get a read of it (the same value, or the
        same object); a first target that is not a name needs a value that reading twice
        cannot change (a constant or a variable)."""
        first, rest = s.targets[0], s.targets[1:]
        if not isinstance(first, nodes.AssignName) and not isinstance(s.value, (nodes.Const, nodes.Name)):
            raise _Reject(s, "chained assignment `a = b = ...` whose first target is not a name, "
                             "of a value other than a constant or a variable, is not translated")
        out, defined, _ = self._assign(s, first, s.value, defined)
        for target in rest:
            if isinstance(first, nodes.AssignName):
                self.hand_down((s.value, self._var(first.name, first)))
            stmts, defined, _ = self._assign(s, target, s.value, defined)
            out.extend(stmts)
        return out, defined, False

    def _lower_ann_assign(self, s: nodes.AnnAssign, defined):
        if s.value is None:
            return [], defined, False
        return self._assign(s, s.target, s.value, defined)

    def _lower_aug_assign(self, s: nodes.AugAssign, defined):
        op = rules.BINOPS.get(s.op[:-1])
        if op is None:
            raise _Reject(s, f"augmented operator `{s.op}` is not translated")
        if isinstance(s.target, nodes.AssignName):
            if self._maybe_unbound_read(s.target, defined):  # checked, as a read of it (__init__.py)
                current = (ir.UnboundGuard(self._var(s.target.name, s.target).type, s.target.name), False)
            else:
                self._require_defined(s.target, s.target.name, defined)
                current = self._var(s.target.name, s.target, raw=True)
            value = self._binop(s, op, current, self._expr_raw(s.value, defined))
            return [self._store_name(s, s.target.name, value)], defined, False
        if isinstance(s.target, nodes.Subscript):
            base, index = self._subscript_parts(s.target, defined)
            parts = [base, *(index.exprs() if hasattr(index, "exprs") else [index])]  # an N-D index has several
            if not all(map(ir.effect_free, parts)):
                # the read and the store below each evaluate `base` and `index`: Python evaluates them once
                raise _Reject(s, "augmented assignment to an item whose container or index calls a function "
                                 "(`xs[f(i)] += v`) is not translated")
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
        body, after_body, jumps = self._block(s.body, defined)
        self.loop_depth -= 1
        if not jumps and self._runs_at_least_once(s):
            defined = after_body  # the first pass through the body completes before the test can fail
        return [ir.While(self._line(s), test, body)], defined, False

    def _runs_at_least_once(self, s: nodes.While) -> bool:
        """The test of `while` is true when the loop is reached (`n = 381` then
        `while n == 381:`), and the body has no `break` or `continue` of its own:
        the names the body assigns on every path are assigned after the loop. The test is
        evaluated from the constants bound by the plain statements just before the loop in the
        same block (a statement that assigns a name any other way forgets it)."""
        if any(self._own_loop(n) is s for n in s.nodes_of_class((nodes.Break, nodes.Continue))):
            return False
        known: dict = {}
        prev = s.previous_sibling()
        before = []
        while prev is not None:
            before.append(prev)
            prev = prev.previous_sibling()
        for stmt in reversed(before):
            const = _constant_assignment(stmt)
            for n in stmt.nodes_of_class((nodes.AssignName, nodes.DelName, nodes.Global, nodes.Nonlocal,
                                          nodes.Import, nodes.ImportFrom)):
                names = [n.name] if isinstance(n, (nodes.AssignName, nodes.DelName)) else [
                    (alias or name).split(".")[0] for name, alias in n.names] if isinstance(
                    n, (nodes.Import, nodes.ImportFrom)) else list(n.names)
                for name in names:
                    known.pop(name, None)
            if isinstance(stmt, nodes.AugAssign) and isinstance(stmt.target, nodes.AssignName):
                known.pop(stmt.target.name, None)
            if const is not None:
                known[const[0]] = const[1]
        value = self._static_test(s.test, known)
        return value is True

    def _own_loop(self, node):
        """The innermost loop around `node` (None outside any, or across a function or class)."""
        parent = node.parent
        while parent is not None and not isinstance(parent, (nodes.For, nodes.While, nodes.FunctionDef,
                                                             nodes.Lambda, nodes.ClassDef)):
            parent = parent.parent
        return parent if isinstance(parent, (nodes.For, nodes.While)) else None

    def _static_test(self, node, known: dict):
        """The value of a loop test over numbers, from `known` locals, literals, `and`/`or`/`not`,
        comparisons, unary minus and `abs`/`math.fabs`; `_NOT_KNOWN` for anything else."""
        import math
        import operator

        if isinstance(node, nodes.Const) and type(node.value) in (int, float, bool):
            return node.value
        if isinstance(node, nodes.Name) and node.name in known:
            return known[node.name]
        if isinstance(node, nodes.UnaryOp) and node.op in ("-", "not"):
            v = self._static_test(node.operand, known)
            if v is _NOT_KNOWN:
                return v
            return -v if node.op == "-" else not v
        if isinstance(node, nodes.BoolOp):
            values = [self._static_test(v, known) for v in node.values]
            if any(v is _NOT_KNOWN for v in values):
                return _NOT_KNOWN
            result = values[0]
            for v in values[1:]:
                result = (result and v) if node.op == "and" else (result or v)
            return result
        if isinstance(node, nodes.Compare):
            ops = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
                   "==": operator.eq, "!=": operator.ne}
            values = [self._static_test(n, known) for n in [node.left] + [n for _, n in node.ops]]
            if any(v is _NOT_KNOWN for v in values) or not all(op in ops for op, _ in node.ops):
                return _NOT_KNOWN
            return all(ops[op](a, b) for (op, _), a, b in zip(node.ops, values, values[1:]))
        if (isinstance(node, nodes.Call) and len(node.args) == 1 and not node.keywords
                and isinstance(node.func, (nodes.Name, nodes.Attribute))):
            try:
                func = self._global(node.func)
            except _Reject:
                return _NOT_KNOWN
            if func is not abs and func is not math.fabs:
                return _NOT_KNOWN
            v = self._static_test(node.args[0], known)
            return _NOT_KNOWN if v is _NOT_KNOWN else func(v)
        return _NOT_KNOWN

    def _lower_break(self, s: nodes.Break, defined):
        return [ir.Break(self._line(s))], defined, True

    def _lower_continue(self, s: nodes.Continue, defined):
        return [ir.Continue(self._line(s))], defined, True

    imports: dict = {}  # name -> object of each `from M import N` read like a global

    def use_imports(self, tree) -> None:
        """Read the names of the body's `from M import N` statements that run no code of the
        program (`source.local_imports`: M already loaded, nothing else binds N) as globals."""
        from rustify.analysis.source import local_imports

        self.imports = local_imports(self.func, tree)
        self.local_names = self.local_names - set(self.imports)

    def _lower_import_from(self, s: nodes.ImportFrom, defined):
        names = {alias or name for name, alias in s.names}
        if not names <= set(self.imports):
            self.poisoned |= names  # their uses are not reported again
            raise _Reject(s, "`from ... import` in a function is translated only at the top of its body, for a "
                             "module already imported, binding names nothing else in the function assigns")
        return [], defined | names, False

    def _lower_pass(self, s: nodes.Pass, defined):
        return [ir.Pass(self._line(s))], defined, False

    def _lower_return(self, s: nodes.Return, defined):
        line = self._line(s)
        if s.value is None:
            self.returns.append((s, NONE))
            return [ir.Return(line, None)], defined, True
        value = self._expr(s.value, defined)
        if isinstance(value.type, (ir.ListOf, ir.Array1)) and not isinstance(value, (ir.NewList, ir.NewArray,
                                                                                     ir.CallFunction)):
            if not (isinstance(value, ir.Var) and value.name in self.local_names):
                raise _Reject(s, "returning an argument list or array is not translated yet")
        self.returns.append((s, value.type))
        return [ir.Return(line, value)], defined, True

    def _lower_for(self, s: nodes.For, defined):
        line = self._line(s)
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        if not isinstance(s.target, nodes.AssignName):
            raise _Reject(s, "only a single loop variable is translated")
        var = s.target.name
        it = s.iter
        reverse = self._is_builtin_call(it, reversed)
        if reverse:  # `reversed(range(...))`: the same items, last to first (range_reverse)
            if it.keywords or len(it.args) != 1 or not self._is_builtin_call(it.args[0], range):
                raise _Reject(s, "reversed() is translated only over a range() call in a `for` loop")
            it = it.args[0]
        if self._is_builtin_call(it, range):
            return self._for_range(s, it, reverse, defined)
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

    def _for_range(self, s: nodes.For, it: nodes.Call, reverse: bool, defined):
        """`for var in range(...)` (`reversed(range(...))` when `reverse`), `it` the range() call."""
        var = s.target.name
        start, stop, step = self._range_bounds(s, it, defined)
        self._record(var, ir.Var(INT, var))
        if var in self.param_types or self.env.get(var, INT) != INT:
            raise _Reject(s, f"loop variable `{var}` is also used with another type")
        self.loop_depth += 1
        body, _, _ = self._block(s.body, defined | {var})
        self.loop_depth -= 1
        return [ir.ForRange(self._line(s), var, start, stop, step, body, reverse)], defined, False

    def _range_bounds(self, s, it: nodes.Call, defined) -> tuple[ir.Expr, ir.Expr, ir.Expr]:
        """(start, stop, step) of the `range(...)` call `it`, each an int expression."""
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise _Reject(s, "range() with 1 to 3 positional arguments only")
        args = [self._int_arg(a, defined) for a in it.args]
        if len(args) == 1:
            return ir.Const(INT, 0), args[0], ir.Const(INT, 1)
        if len(args) == 2:
            return args[0], args[1], ir.Const(INT, 1)
        return tuple(args)

    def _is_builtin_call(self, it, func) -> bool:
        """`it` calls the builtin `func` (`range`, `reversed`) by its name."""
        return isinstance(it, nodes.Call) and isinstance(it.func, nodes.Name) and self._global(it.func) is func

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
        if isinstance(value.type, (ir.ListOf, ir.Array1)) and not isinstance(value, (ir.NewList, ir.NewArray,
                                                                                     ir.CallFunction)) \
                and not (isinstance(value, ir.Cast) and isinstance(value.value, (ir.NewList, ir.CallFunction))):
            raise _Reject(s, f"`{name}` would alias another list or array; only new lists/arrays can be bound to a name")
        self._record(name, value)
        wide = self.env.get(name)
        if value.type == ir.NUMBER:
            if self.seeded.get(name) == INT and wide == FLOAT:
                return ir.Assign(self._line(s), name, value, seed="number")  # the item's type sets the flag
            raise _Reject(s, f"`{name}` is assigned an item of a list holding ints and floats: its type "
                             "would depend on the item (translated only for a variable also assigned floats)")
        if name in self.seeded and isinstance(value.type, (ir.Scalar, ir.Complex)):
            is_seed = value.type == self.seeded[name]
            if value.type not in (self.seeded[name], wide):
                raise _Reject(s, f"`{name}` holds {self.seeded[name]} and {wide} values; this assigns {value.type}")
            return ir.Assign(self._line(s), name, self._cast(value, wide) if is_seed else value, seed=is_seed)
        if wide is not None and value.type != wide:
            if isinstance(wide, ir.ListOf) and isinstance(value.type, ir.ListOf):
                value.type = wide  # `[]` gets its element type from later appends
            elif self.final:
                wide_text, value_text = described(wide, value.type)
                raise _Reject(s, f"`{name}` is assigned both {wide_text} and {value_text}; "
                                 "its type would depend on the path taken")
        return ir.Assign(self._line(s), name, value)
