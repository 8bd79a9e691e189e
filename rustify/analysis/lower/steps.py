"""Int sums that cannot leave i64 in any run, found by counting steps.

A "stepped" local is an int local every assignment of which gives either a small value
(an int constant within 2**48, `len()` of something held in memory, a `range()` of such
values, an item of a constant tuple) or a stepped value plus or minus a "unit" (an int
constant -1, 0 or 1, or a local only ever assigned such constants, as `dy` of
`for dy, dx in ((1, 0), (-1, 0))`); and an item of a list local that only ever holds
stepped values (`stack = [(y, x)]; stack.append((ny, nx)); y, x = stack.pop()`). By
induction over the run, after t executed statements every stepped value is within
2**48 + t: each step adds at most one and is itself an executed statement. Passing
2**62 would take more than 2**61 statements, over 70 years at one a nanosecond, so
`stepped +- unit` never asks to re-run in Python. It is still checked (never wrapped):
were the bound ever passed, the call would fail, not give a wrong value.

In: the function's astroid body; out: `step_sum_cannot_overflow(op, a, b)` for the
scalars family's int `+`/`-` (through `int_op_cannot_overflow`, lists.py).
"""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.ir import BOOL, INT

SMALL = 2**48


def _const_int(n, limit: int) -> bool:
    """`n` is an int literal within +-limit (`-1` is a unary minus of a literal)."""
    if isinstance(n, nodes.UnaryOp) and n.op in ("-", "+"):
        n = n.operand
    return isinstance(n, nodes.Const) and type(n.value) is int and abs(n.value) <= limit


def _unpacked_from(target):
    """(the Tuple target holding `target`, its index), or (None, None)."""
    parent = target.parent
    if isinstance(parent, nodes.Tuple) and target in parent.elts:
        return parent, parent.elts.index(target)
    return None, None


class StepRules:
    """Mixed into `FunctionLowerer`; see the module docstring."""

    def step_sum_cannot_overflow(self, op: str, a: ir.Expr, b: ir.Expr) -> bool:
        if op not in ("add", "sub"):
            return False
        return (self._stepped_ir(a) and self._unit_ir(b)) or (self._stepped_ir(b) and self._unit_ir(a))

    def _stepped_ir(self, e: ir.Expr) -> bool:
        if self._bounded(e):  # lists.py: lengths and small constants
            return True
        return isinstance(e, ir.Var) and e.type == INT and e.name in self._step_sets()[0]

    def _unit_ir(self, e: ir.Expr) -> bool:
        if isinstance(e, ir.Cast) and e.type == INT and e.value.type == BOOL:
            return True
        if isinstance(e, ir.Const) and e.type == INT:
            return abs(e.value) <= 1
        return isinstance(e, ir.Var) and e.type == INT and e.name in self._step_sets()[1]

    # ------------------------------------------------------------ the sets

    def _step_sets(self) -> tuple[set[str], set[str]]:
        """(stepped locals, unit locals), computed once per lowering."""
        if getattr(self, "_steps", None) is None:
            targets = {name: ts for name, ts in self.fdef.locals.items() if name not in self.params}
            units = {n for n, ts in targets.items() if all(self._assigns_constant(t, 1) for t in ts)}
            self._units = units
            stepped = set(targets)
            containers = set(self._container_candidates(targets))
            while True:  # the greatest sets closed under the rules (see the module docstring)
                self._stepped_names, self._stepped_containers = stepped, containers
                kept = {n for n in stepped if all(self._steps_ok(t) for t in targets[n])}
                kept_c = {c for c in containers if self._container_ok(c)}
                if kept == stepped and kept_c == containers:
                    break
                stepped, containers = kept, kept_c
            self._steps = (stepped, units)
        return self._steps

    def _assigns_constant(self, target, limit: int) -> bool:
        """`target` only ever gets an int constant within `limit` (also as an item of a constant
        tuple a `for` walks, `for dy, dx in ((1, 0), (-1, 0))`)."""
        parent = target.parent
        if isinstance(parent, nodes.Assign) and parent.targets == [target]:
            return _const_int(parent.value, limit)
        loop, k = parent, None
        if isinstance(parent, nodes.Tuple):
            loop, k = parent.parent, parent.elts.index(target)
            if not (isinstance(loop, nodes.For) and loop.target is parent):
                return False
        elif not (isinstance(parent, nodes.For) and parent.target is target):
            return False
        if not isinstance(loop.iter, (nodes.Tuple, nodes.List)) or not loop.iter.elts:
            return False
        for item in loop.iter.elts:
            if k is None:
                if not _const_int(item, limit):
                    return False
            elif not (isinstance(item, (nodes.Tuple, nodes.List)) and len(item.elts) == len(parent.elts)
                      and _const_int(item.elts[k], limit)):
                return False
        return True

    def _steps_ok(self, target) -> bool:
        """This assignment keeps its name stepped (given the current sets)."""
        if self._assigns_constant(target, SMALL):
            return True
        parent = target.parent
        if isinstance(parent, nodes.Assign) and parent.targets == [target]:
            return self._stepped_node(parent.value)
        if isinstance(parent, nodes.AugAssign) and parent.target is target:
            return parent.op in ("+=", "-=") and self._unit_node(parent.value)
        if isinstance(parent, nodes.For) and parent.target is target:
            it = parent.iter
            return (self._is_builtin_call(it, range) and not it.keywords and 1 <= len(it.args) <= 3
                    and all(self._stepped_node(a) for a in it.args))
        tup, k = _unpacked_from(target)
        if tup is not None and isinstance(tup.parent, nodes.Assign) and tup.parent.targets == [tup]:
            value = tup.parent.value
            if isinstance(value, nodes.Tuple) and len(value.elts) == len(tup.elts):
                return self._stepped_node(value.elts[k])
            if self._is_pop_of_container(value):
                return (value.func.expr.name, k, len(tup.elts)) in self._stepped_containers
        return False

    def _stepped_node(self, n) -> bool:
        if _const_int(n, SMALL):
            return True
        if isinstance(n, nodes.Name):
            return n.name in self._stepped_names or n.name in self._units
        if isinstance(n, nodes.BinOp) and n.op in ("+", "-"):
            return ((self._stepped_node(n.left) and self._unit_node(n.right))
                    or (n.op == "+" and self._unit_node(n.left) and self._stepped_node(n.right)))
        if isinstance(n, nodes.Call) and self._is_builtin_call(n, len) and len(n.args) == 1 and not n.keywords:
            return self._held_in_memory(n.args[0])
        return False

    def _held_in_memory(self, arg) -> bool:
        """`len(arg)` is a length of something in memory (an array's may be a broadcast shape):
        a local that is no array, or an item of a list or dict local whose items are no arrays."""
        def type_of(name):
            return self.env.get(name, self.param_types.get(name))
        if isinstance(arg, nodes.Name):
            return isinstance(type_of(arg.name), ir.IRType) and not isinstance(type_of(arg.name), ir.Array)
        if isinstance(arg, nodes.Subscript) and isinstance(arg.value, nodes.Name):
            t = type_of(arg.value.name)
            inner = t.elem if isinstance(t, ir.PyListOf) else t.value if isinstance(t, ir.DictOf) else None
            return isinstance(inner, ir.IRType) and not isinstance(inner, ir.Array)
        return False

    def _unit_node(self, n) -> bool:
        return _const_int(n, 1) or (isinstance(n, nodes.Name) and n.name in self._units)

    # ---------------------------------------------------- lists of stepped tuples

    def _container_candidates(self, targets: dict) -> list[tuple[str, int, int]]:
        """(list local, item index, tuple length) for list locals used only as a stack of
        tuples: bound only to list literals of tuples, used only by `.append(tuple)`,
        `.pop()` (unpacked), `len()` and truth tests."""
        out = []
        for name, ts in targets.items():
            literals = [t.parent.value for t in ts if isinstance(t.parent, nodes.Assign) and t.parent.targets == [t]]
            if len(literals) != len(ts) or not all(isinstance(v, nodes.List) for v in literals):
                continue
            items = [e for v in literals for e in v.elts] + self._appended(name)
            if items is None or not items or not all(isinstance(e, nodes.Tuple) for e in items):
                continue
            arity = {len(e.elts) for e in items}
            if len(arity) != 1 or not self._only_stack_uses(name):
                continue
            k = arity.pop()
            out += [(name, i, k) for i in range(k)]
        return out

    def _appended(self, name: str) -> list:
        return [n.args[0] for n in self.fdef.nodes_of_class(nodes.Call)
                if isinstance(n.func, nodes.Attribute) and n.func.attrname == "append"
                and isinstance(n.func.expr, nodes.Name) and n.func.expr.name == name and len(n.args) == 1]

    def _only_stack_uses(self, name: str) -> bool:
        for n in self.fdef.nodes_of_class(nodes.Name):
            if n.name != name:
                continue
            parent = n.parent
            if isinstance(parent, nodes.Attribute) and parent.expr is n and isinstance(parent.parent, nodes.Call) \
                    and parent.parent.func is parent and not parent.parent.keywords:
                call = parent.parent
                if parent.attrname == "append" and len(call.args) == 1 and isinstance(call.parent, nodes.Expr):
                    continue
                if parent.attrname == "pop" and not call.args and self._is_pop_of_container(call) \
                        and isinstance(call.parent, nodes.Assign) and call.parent.value is call \
                        and len(call.parent.targets) == 1 and isinstance(call.parent.targets[0], nodes.Tuple):
                    continue
                return False
            if isinstance(parent, (nodes.While, nodes.If)) and parent.test is n:
                continue
            if isinstance(parent, nodes.UnaryOp) and parent.op == "not":
                continue
            if isinstance(parent, nodes.Call) and parent.args == [n] and self._is_builtin_call(parent, len):
                continue
            return False
        return True

    def _is_pop_of_container(self, value) -> bool:
        return (isinstance(value, nodes.Call) and isinstance(value.func, nodes.Attribute)
                and value.func.attrname == "pop" and not value.args and not value.keywords
                and isinstance(value.func.expr, nodes.Name) and value.func.expr.name not in self.params)

    def _container_ok(self, c: tuple[str, int, int]) -> bool:
        name, i, _ = c
        literals = [t.parent.value for t in self.fdef.locals[name]]
        items = [e for v in literals for e in v.elts] + self._appended(name)
        return all(self._stepped_node(e.elts[i]) for e in items)

