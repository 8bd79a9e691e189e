"""range() objects bound to a local: `r = range(n)` and `for i in r:` (qrcode's
`modules_range`). The local is never built; each loop over it is the loop over its call."""

from __future__ import annotations

from astroid import nodes

from rustify.analysis.lower.common import _Reject


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
        if uses and all(isinstance(u.parent, nodes.For) and u.parent.iter is u and u.scope() is fdef for u in uses):
            found[name] = call
    return found


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

    def _range_local(self, node) -> nodes.Call | None:
        """The `range()` call a name stands for (`range_locals`), or None."""
        if self._range_locals is None:
            self._range_locals = range_locals(self.fdef)
        return self._range_locals.get(node.name) if isinstance(node, (nodes.Name, nodes.AssignName)) else None

    def _lower_assign(self, s: nodes.Assign, defined):
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

    def _lower_for(self, s: nodes.For, defined):
        call = self._range_local(s.iter)
        if call is None or not self._is_builtin_call(call, range):
            return super()._lower_for(s, defined)
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        if not isinstance(s.target, nodes.AssignName):
            raise _Reject(s, "only a single loop variable is translated")
        self._require_defined(s.iter, s.iter.name, defined)
        return self._for_range(s, call, False, defined)
