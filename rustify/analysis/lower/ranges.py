"""range() objects bound to a local: `r = range(n)` and `for i in r:` (qrcode's
`modules_range`). The local is never built; each loop over it is the loop over its call.
Their iterators too: `it = iter(r)`, `for i in it:` and `next(it, d)` take items from one
`RangeIter` state, so a `next()` in the loop skips an item as it does in Python."""

from __future__ import annotations

import builtins

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Reject
from rustify.ir import INT


def range_locals(fdef: nodes.FunctionDef) -> dict[str, nodes.Call]:
    """The locals of `fdef` bound once to `range(...)` and used only as the iterable of `for`
    loops, whose arguments are int constants, or parameters the body never rebinds, under
    `+`/`-`: name -> the `range()` call. A `for` over one is the `for` over its call (the
    arguments have the same values wherever they are evaluated, and evaluating them has no
    effect)."""
    assigned: dict[str, list] = {}
    for node in fdef.nodes_of_class((nodes.AssignName, nodes.DelName)):
        if not isinstance(node.parent, nodes.Arguments):  # a parameter is bound by the call, not the body
            assigned.setdefault(node.name, []).append(node)
    declared = {n for g in fdef.nodes_of_class((nodes.Global, nodes.Nonlocal)) for n in g.names}
    found = {}
    for name, binders in assigned.items():
        if name in declared:  # `global r`: the binding is the module's, seen by others
            continue
        if len(binders) != 1 or name in {a.name for a in fdef.args.args}:
            continue
        bind = binders[0]
        call = bind.parent.value if isinstance(bind.parent, nodes.Assign) and len(bind.parent.targets) == 1 else None
        if not (isinstance(call, nodes.Call) and isinstance(call.func, nodes.Name) and call.func.name == "range"
                and not call.keywords and 1 <= len(call.args) <= 3 and bind.parent.targets[0] is bind
                and bind.scope() is fdef):
            continue
        params = {a.name for a in fdef.args.args}
        if not all(_unchanging_int_expr(a, params - set(assigned)) for a in call.args):
            continue
        uses = [n for n in fdef.nodes_of_class(nodes.Name) if n.name == name]
        if uses and all(u.scope() is fdef and (_for_iterable(u) or _iter_binding(u) is not None) for u in uses):
            found[name] = call
    return found


def _for_iterable(node) -> bool:
    """`node` is the iterable of a `for` statement."""
    return isinstance(node.parent, nodes.For) and node.parent.iter is node


def _iter_binding(node) -> str | None:
    """The name `node` is bound to as `name = iter(node)`, else None."""
    call = node.parent
    if not (isinstance(call, nodes.Call) and isinstance(call.func, nodes.Name) and call.func.name == "iter"
            and call.args == [node] and not call.keywords):
        return None
    assign = call.parent
    if (isinstance(assign, nodes.Assign) and assign.value is call and len(assign.targets) == 1
            and isinstance(assign.targets[0], nodes.AssignName)):
        return assign.targets[0].name
    return None


def range_iterators(fdef: nodes.FunctionDef, ranges: dict[str, nodes.Call]) -> set[str]:
    """The locals of `fdef` bound only to `iter(r)` of a range local of `ranges` and used only
    as a `for` iterable or as `next()`'s first argument, never rebound inside a `for` over
    themselves (Python's loop would go on with the iterator it started with)."""
    binders: dict[str, list] = {}
    for node in fdef.nodes_of_class((nodes.AssignName, nodes.DelName)):
        binders.setdefault(node.name, []).append(node)
    declared = {n for g in fdef.nodes_of_class((nodes.Global, nodes.Nonlocal)) for n in g.names}
    params = {a.name for a in fdef.args.args}
    found = set()
    for name, binds in binders.items():
        if name in declared or name in params:
            continue
        if not all(isinstance(b, nodes.AssignName) and isinstance(b.parent, nodes.Assign) and b.scope() is fdef
                   and isinstance(b.parent.value, nodes.Call) and len(b.parent.value.args) == 1
                   and isinstance(b.parent.value.args[0], nodes.Name)
                   and b.parent.value.args[0].name in ranges and _iter_binding(b.parent.value.args[0]) == name
                   for b in binds):
            continue
        uses = [n for n in fdef.nodes_of_class(nodes.Name) if n.name == name]
        if not all(u.scope() is fdef and (_for_iterable(u) or _next_argument(u)) for u in uses):
            continue
        loops = [u.parent for u in uses if _for_iterable(u)]
        if any(b is not loop.target and _inside(b, loop) for loop in loops for b in binds):
            continue
        found.add(name)
    return found


def _next_argument(node) -> bool:
    """`node` is the first argument of a `next(...)` call."""
    call = node.parent
    return (isinstance(call, nodes.Call) and isinstance(call.func, nodes.Name) and call.func.name == "next"
            and call.args[:1] == [node] and not call.keywords)


def _inside(node, ancestor) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def _int_constant(node) -> int | None:
    """The value of an int literal, negated or not (`3`, `-3`), else None."""
    if isinstance(node, nodes.UnaryOp) and node.op == "-":
        value = _int_constant(node.operand)
        return None if value is None else -value
    return node.value if isinstance(node, nodes.Const) and type(node.value) is int else None


def _unchanging_int_expr(node, fixed: set[str]) -> bool:
    """An int constant, a name in `fixed` (parameters the body never rebinds), or `+`/`-` of
    such: its value is the same wherever the function evaluates it."""
    if isinstance(node, nodes.Const):
        return type(node.value) is int
    if isinstance(node, nodes.Name):
        return node.name in fixed
    if isinstance(node, nodes.UnaryOp) and node.op == "-":
        return _unchanging_int_expr(node.operand, fixed)
    if isinstance(node, nodes.BinOp) and node.op in ("+", "-"):
        return _unchanging_int_expr(node.left, fixed) and _unchanging_int_expr(node.right, fixed)
    return False



class RangeLocalRules:
    """Mixed into `FunctionLowerer` ahead of the other families, so a loop over a range local
    is the range loop whatever the other `_lower_for` handlers would do with a name."""

    _range_locals: dict | None = None
    _range_iterators: set | None = None

    def _range_local(self, node) -> nodes.Call | None:
        """The `range()` call a name stands for (`range_locals`), or None."""
        if self._range_locals is None:
            self._range_locals = range_locals(self.fdef)
        return self._range_locals.get(node.name) if isinstance(node, (nodes.Name, nodes.AssignName)) else None

    def _range_iterator(self, node) -> bool:
        """Whether a name is a range iterator local (`range_iterators`)."""
        if self._range_iterators is None:
            self._range_local(node)
            self._range_iterators = range_iterators(self.fdef, self._range_locals)
        return isinstance(node, (nodes.Name, nodes.AssignName)) and node.name in self._range_iterators

    def range_len_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`len(range(...))` of 1 to 3 int arguments: the range's length (ValueError for a zero
        step, as range() raises; OverflowError past sys.maxsize, as len() raises), else None."""
        if not (isinstance(node.func, nodes.Name) and node.func.name == "len" and node.func.name not in self.local_names
                and self._is_builtin_call(node, len) and len(node.args) == 1 and not node.keywords
                and self._is_builtin_call(node.args[0], range)):
            return None
        call = node.args[0]
        if call.keywords or not 1 <= len(call.args) <= 3:
            raise _Reject(node, "range() takes 1 to 3 positional arguments")
        args = []
        for a in call.args:
            value = self._expr(a, defined)
            if not (isinstance(value.type, ir.Scalar) and value.type.is_int or value.type == ir.BOOL):
                raise _Reject(node, f"range() of {value.type} is not translated (of ints it is; Python "
                                    "raises TypeError for floats)")
            args.append(self._cast(value, INT))
        one, zero = ir.Const(INT, 1), ir.Const(INT, 0)
        start, stop, step = ((zero, args[0], one) if len(args) == 1 else
                             (args[0], args[1], one) if len(args) == 2 else args)
        return ir.Call(INT, "len_range", [start, stop, step])

    def _lower_assign(self, s: nodes.Assign, defined):
        if len(s.targets) == 1 and self._range_iterator(s.targets[0]):
            return self._new_range_iter(s, defined)
        call = self._range_local(s.targets[0]) if len(s.targets) == 1 else None
        if call is None or not self._is_builtin_call(call, range):
            return super()._lower_assign(s, defined)
        # nothing runs here; the arguments must be ints (range() raises TypeError otherwise)
        # and a step a nonzero constant (range() raises ValueError here for 0)
        for a in call.args:
            self._int_arg(a, defined)
        if len(call.args) == 3 and not _int_constant(call.args[2]):
            raise _Reject(s, "a range() local with a step that is not a nonzero constant is not translated")
        return [], defined | {s.targets[0].name}, False

    def _new_range_iter(self, s: nodes.Assign, defined):
        """`it = iter(r)` of a range local `r`: a fresh iterator over the range's items."""
        it = s.value
        if self._global(it.func) is not builtins.iter:
            raise _Reject(s, "`iter` here is not the builtin")
        source = it.args[0]
        self._require_defined(source, source.name, defined)
        call = self._range_local(source)
        if not self._is_builtin_call(call, range):
            raise _Reject(s, "`range` here is not the builtin")
        start, stop, step = self._range_bounds(s, call, defined)
        name = s.targets[0].name
        return [self._store_name(s, name, ir.NewRangeIter(ir.RANGE_ITER, start, stop, step))], defined | {name}, False

    def _expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt:
        step = self._range_iterator_call(s.value, defined) if isinstance(s.value, nodes.Call) else None
        if step is not None:
            return ir.Evaluate(self._line(s), step)
        return super()._expr_stmt(s, defined)

    def _range_iterator_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`next(it, default)` of a range iterator local, else None (the call is handed down)."""
        if not (node.args and self._range_iterator(node.args[0]) and isinstance(node.func, nodes.Name)
                and self._global(node.func) is builtins.next):
            return None
        it = node.args[0]
        self._require_defined(it, it.name, defined)
        if len(node.args) != 2:
            raise _Reject(node, "next() of a range iterator without a default is not translated")
        default = self._expr(node.args[1], defined)
        if default.type == ir.NONE and isinstance(node.parent, nodes.Expr):
            return ir.RangeIterNext(ir.NONE, it.name, default)  # a statement: only advances `it`
        if default.type != INT:  # (a bool default would make the result an int or a bool)
            raise _Reject(node, f"next() of a range iterator with a {default.type} default used as a value is "
                                "not translated (with an int default it is)")
        return ir.RangeIterNext(INT, it.name, default)

    def _lower_for(self, s: nodes.For, defined):
        if self._range_iterator(s.iter):
            if s.orelse:
                raise _Reject(s, "`for ... else` is not translated")
            if not isinstance(s.target, nodes.AssignName):
                raise _Reject(s, "only a single loop variable is translated")
            self._require_defined(s.iter, s.iter.name, defined)
            var = s.target.name
            self._record(var, ir.Var(INT, var))
            if var in self.param_types or self.env.get(var, INT) != INT:
                raise _Reject(s, f"loop variable `{var}` is also used with another type")
            self.loop_depth += 1
            body, _, _ = self._block(s.body, defined | {var})
            self.loop_depth -= 1
            return [ir.ForRangeIter(self._line(s), var, s.iter.name, body)], defined, False
        call = self._range_local(s.iter)
        if call is None or not self._is_builtin_call(call, range):
            return super()._lower_for(s, defined)
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        if not isinstance(s.target, nodes.AssignName):
            raise _Reject(s, "only a single loop variable is translated")
        self._require_defined(s.iter, s.iter.name, defined)
        return self._for_range(s, call, False, defined)
