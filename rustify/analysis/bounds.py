"""Loop versioning for array subscripts: index checks hoisted out of innermost loops.

In: an `ir.Function` after lowering. Out: the same function, where an innermost
`for v in range(a, b)` loop (step 1, a body of plain statements: no nested loop, `break`,
`try` or call of another function) that reads or writes numpy arrays gets a `FastLoop`
(`ForRange.fast`): each array it subscripts is bound once (data pointer, axis lengths,
strides) into an `ArraySlot`, and every subscript whose indices are sums such as `v + c`, `w + c`, `w + v - c`
(`w` a variable the loop never assigns) or a constant is checked once, before the loop, over the
loop's whole range (`RangeGuard`, computed in i128 so it cannot overflow). When all the
guards hold, the fast body runs with those subscripts unchecked (`ProvenIndex`); when one
fails, the original body runs with every check in place, so an out-of-range index raises
IndexError at the same iteration, after the same side effects, as before. Negative
indices simply fail the guard (they are still wrapped, by the original body).

Two more things are proved or hoisted before the loop, for the fast body only. An int
local the body assigns only as `n = n + c` or `n - c` (once, so at most once per iteration) is checked
once to stay in i64 for the whole trip count (`CounterGuard`): that add is then unchecked. A
conversion that may fail of a variable the loop never assigns (a Python int to int32 in
`a[i] % nbins`) is made once (`Hoisted`); if it fails, the original body runs and raises it
at the same iteration as before.

Aliasing: nothing here assumes two arrays are distinct. A slot reads the same memory as
its variable; an array the loop writes is read through the same mutable pointer, so a
write is seen by every later read of any variable (two views of one buffer that a kernel
both writes and reads are refused at the boundary, as before).
"""

from __future__ import annotations

import dataclasses

from rustify import ir

# Expressions a fast body may hold: pure computations on numbers and array elements.
_EXPRS = (ir.Const, ir.Cast, ir.BinOp, ir.UnaryOp, ir.Compare, ir.BoolOp, ir.Truth, ir.IfExp, ir.Call,
          ir.ArrayItem, ir.ArrayShape, ir.ArraySize, ir.Index, ir.SeedGuard, ir.UnboundGuard, ir.ReRunInPython)
_STMTS = (ir.Assign, ir.MultiAssign, ir.StoreIndex, ir.StoreArrayItem, ir.If, ir.Pass, ir.Continue,
          ir.Return, ir.Evaluate)


def version_loops(fn: ir.Function) -> None:
    """Give every eligible innermost loop of `fn` (in place) its `FastLoop`."""
    # name -> (type, strided): an argument that is not C-contiguous is a view with strides;
    # a new array is always a C-order Vec or ndarray
    arrays = {n: (t, False) for n, t in fn.locals.items() if isinstance(t, ir.Array)}
    arrays.update({p.name: (p.type, p.type.layout != "C") for p in fn.params if isinstance(p.type, ir.Array)})
    if arrays:
        _walk(fn.body, arrays)


def _walk(stmts: list, arrays: dict) -> None:
    for s in stmts:
        if isinstance(s, ir.ForRange):
            if _eligible(s):
                s.fast = _fast_loop(s, arrays)
            else:
                _walk(s.body, arrays)
            continue
        for f in dataclasses.fields(s):
            value = getattr(s, f.name)
            if isinstance(value, list) and value and all(isinstance(x, ir.Stmt) for x in value):
                _walk(value, arrays)
            elif isinstance(value, list):
                for h in value:
                    if isinstance(h, ir.Handler):
                        _walk(h.body, arrays)


def _eligible(s: ir.ForRange) -> bool:
    return (not s.reverse and isinstance(s.step, ir.Const) and s.step.value == 1
            and all(_plain_stmt(b) for b in s.body))


def _plain_stmt(s) -> bool:
    if type(s) not in _STMTS:
        return False
    if isinstance(s, ir.If):
        return _plain_expr(s.test) and all(_plain_stmt(b) for b in s.body + s.orelse)
    return all(_plain_expr(e) for e in _child_exprs(s))


def _plain_expr(e) -> bool:
    if type(e) is ir.Var:
        return True
    if type(e) not in _EXPRS:
        return False
    return all(_plain_expr(c) for c in _child_exprs(e))


def _child_exprs(node) -> list:
    out = []
    for f in dataclasses.fields(node):
        if f.name in ("type", "slot"):
            continue
        value = getattr(node, f.name)
        for item in value if isinstance(value, list) else [value]:
            for x in item if isinstance(item, list) else [item]:
                if isinstance(x, ir.Expr):
                    out.append(x)
    return out


def _assigned(stmts: list, out: set) -> set:
    for s in stmts:
        if isinstance(s, ir.Assign):
            out.add(s.target)
        elif isinstance(s, ir.MultiAssign):
            out.update(s.targets)
        elif isinstance(s, ir.If):
            _assigned(s.body + s.orelse, out)
    return out


class _Versioner:
    def __init__(self, loop: ir.ForRange, arrays: dict):
        self.loop = loop
        self.arrays = arrays
        # the loop's variable and any the body assigns (a body that reassigns the loop's
        # variable gives it values outside the range: it is then no pattern at all)
        self.assigned = _assigned(loop.body, set())
        self.counter_ok = loop.var not in self.assigned
        self.assigned.add(loop.var)
        self.written = set()
        self._stores(loop.body)
        self.slots: dict[str, ir.ArraySlot] = {}
        self.guards: dict[tuple, ir.RangeGuard] = {}
        self.counters = _counters(loop)
        self.proven_counters: dict[str, ir.CounterGuard] = {}
        self.hoisted: dict[tuple, ir.Hoisted] = {}

    def _stores(self, stmts) -> None:
        for s in stmts:
            if isinstance(s, (ir.StoreIndex, ir.StoreArrayItem)):
                self.written.add(s.base)
            elif isinstance(s, ir.If):
                self._stores(s.body + s.orelse)

    def slot(self, name: str) -> ir.ArraySlot | None:
        """The slot of array variable `name` (None: not an array, or the loop rebinds it)."""
        if name not in self.arrays or name in self.assigned:
            return None
        if name not in self.slots:
            t, strided = self.arrays[name]
            self.slots[name] = ir.ArraySlot(self.loop.line, len(self.slots), name, t, name in self.written, strided)
        return self.slots[name]

    def pattern(self, e: ir.Expr):
        """(loop, var, offset) if `e` is a sum of the loop's variable taken `loop` times (1, 0
        or -1), at most one Python int variable the loop never assigns (`var`) and int
        constants (`offset`): `i`, `i + 1`, `k + j - 2`, `k - 1 - j`, `3`; else None."""
        if isinstance(e, ir.Const) and e.type == ir.INT:
            return (0, None, int(e.value))
        if type(e) is ir.Var and e.type == ir.INT:
            if e.name == self.loop.var:
                return (1, None, 0) if self.counter_ok else None
            return None if e.name in self.assigned else (0, e.name, 0)
        if isinstance(e, ir.BinOp) and e.semantics == "int" and e.op in ("add", "sub") and e.type == ir.INT:
            left, right = self.pattern(e.left), self.pattern(e.right)
            if left is None or right is None:
                return None
            if e.op == "sub":
                if right[1] is not None:
                    return None
                found = (left[0] - right[0], left[1], left[2] - right[2])
            elif left[1] is not None and right[1] is not None:
                return None
            else:
                found = (left[0] + right[0], left[1] if left[1] is not None else right[1], left[2] + right[2])
            return found if abs(found[0]) <= 1 and abs(found[2]) < 2**62 else None
        return None

    def prove(self, slot: ir.ArraySlot, indices: list) -> list | None:
        """`indices` as ProvenIndex nodes (with their guards recorded), or None."""
        found = [self.pattern(ix) for ix in indices]
        if any(p is None for p in found):
            return None
        out = []
        for axis, (loop, var, off) in enumerate(found):
            self.guards.setdefault((slot.index, axis, loop, var, off), ir.RangeGuard(slot, axis, loop, var, off))
            out.append(ir.ProvenIndex(ir.INT, self.loop.var if loop else None, loop < 0, var, off))
        return out

    # ---- the fast copy of the body

    def stmt(self, s):
        if isinstance(s, ir.Assign) and s.target in self.counters:
            step = self.counters[s.target]
            self.proven_counters.setdefault(s.target, ir.CounterGuard(s.target, step))
            return dataclasses.replace(s, value=dataclasses.replace(s.value, proven=True))
        if isinstance(s, ir.If):
            return dataclasses.replace(s, test=self.expr(s.test), body=[self.stmt(b) for b in s.body],
                                       orelse=[self.stmt(b) for b in s.orelse])
        if isinstance(s, ir.StoreArrayItem):
            value = self.expr(s.value)
            slot = self.slot(s.base)
            groups = [[self.expr(ix) for ix in g] for g in s.groups]
            if slot is None or sum(map(len, groups)) != slot.type.ndim:
                return dataclasses.replace(s, value=value, groups=groups)
            proven = self.prove(slot, [ix for g in s.groups for ix in g])
            if proven is not None:
                groups = _regroup(proven, s.groups)
            return dataclasses.replace(s, value=value, groups=groups, slot=slot, proven=proven is not None)
        if isinstance(s, ir.StoreIndex):
            value = self.expr(s.value)
            slot = self.slot(s.base) if s.base in self.arrays else None
            if slot is None or slot.type.ndim != 1:
                return dataclasses.replace(s, value=value, index=self.expr(s.index))
            proven = self.prove(slot, [s.index])
            index = proven[0] if proven is not None else self.expr(s.index)
            if proven is None and type(s.index) not in (ir.Var, ir.Const):
                read = _aug_read(value, slot, index)
                if read is not None:  # `a[x] op= v`: x evaluated and checked once, not twice
                    value = _replace_node(value, read, dataclasses.replace(read, reuse=True))
                    return dataclasses.replace(s, value=value, index=index, slot=slot, reuse=True)
            return dataclasses.replace(s, value=value, index=index, slot=slot, proven=proven is not None)
        return self._replace_exprs(s)

    def expr(self, e):
        if isinstance(e, ir.ArrayItem) and type(e.base) is ir.Var and isinstance(e.type, ir.Scalar):
            slot = self.slot(e.base.name)
            groups = [[self.expr(ix) for ix in g] for g in e.groups]
            if slot is None or sum(map(len, groups)) != slot.type.ndim:
                return dataclasses.replace(e, groups=groups)
            proven = self.prove(slot, [ix for g in e.groups for ix in g])
            if proven is not None:
                groups = _regroup(proven, e.groups)
            return dataclasses.replace(e, groups=groups, slot=slot, proven=proven is not None)
        if (isinstance(e, ir.Index) and type(e.base) is ir.Var and isinstance(e.base.type, ir.Array)
                and e.base.type.ndim == 1):
            slot = self.slot(e.base.name)
            if slot is None:
                return dataclasses.replace(e, index=self.expr(e.index))
            proven = self.prove(slot, [e.index])
            index = proven[0] if proven is not None else self.expr(e.index)
            return dataclasses.replace(e, index=index, slot=slot, proven=proven is not None)
        if (isinstance(e, ir.Cast) and type(e.value) is ir.Var and e.value.name not in self.assigned
                and e.value.type.name in ("int", "bool") and e.type.is_narrow_numpy and e.type.is_int):
            key = (e.value.name, e.value.type.name, e.type.name)
            if key not in self.hoisted:
                self.hoisted[key] = ir.Hoisted(e.type, len(self.hoisted), e)
            return self.hoisted[key]
        if isinstance(e, ir.Expr):
            return self._replace_exprs(e)
        return e

    def _replace_exprs(self, node):
        changes = {}
        for f in dataclasses.fields(node):
            if f.name in ("type", "slot"):
                continue
            value = getattr(node, f.name)
            if isinstance(value, ir.Expr):
                changes[f.name] = self.expr(value)
            elif isinstance(value, list) and any(isinstance(x, (ir.Expr, list)) for x in value):
                changes[f.name] = [self.expr(x) if isinstance(x, ir.Expr) else
                                   [self.expr(y) for y in x] if isinstance(x, list) else x for x in value]
        return dataclasses.replace(node, **changes)


def _counters(loop: ir.ForRange) -> dict:
    """name -> step of the int locals (not the loop's variable) that the body assigns exactly
    once, as `n = n + c`, `n = c + n` or `n = n - c` with an int constant c (|c| < 2**62)."""
    found, seen = {}, {}

    def visit(stmts):
        for s in stmts:
            if isinstance(s, ir.Assign):
                seen[s.target] = seen.get(s.target, 0) + 1
                e = s.value
                if (isinstance(e, ir.BinOp) and e.op in ("add", "sub") and e.semantics == "int"
                        and e.type == ir.INT and s.target != loop.var):
                    pairs = ((e.left, e.right), (e.right, e.left)) if e.op == "add" else ((e.left, e.right),)
                    for var, c in pairs:
                        if (type(var) is ir.Var and var.name == s.target and var.type == ir.INT
                                and isinstance(c, ir.Const) and c.type == ir.INT and abs(int(c.value)) < 2**62):
                            found[s.target] = int(c.value) if e.op == "add" else -int(c.value)
                            break
            elif isinstance(s, ir.MultiAssign):
                for t in s.targets:
                    seen[t] = seen.get(t, 0) + 2
            elif isinstance(s, ir.If):
                visit(s.body + s.orelse)

    visit(loop.body)
    return {n: c for n, c in found.items() if seen[n] == 1}


def _aug_read(value: ir.Expr, slot: ir.ArraySlot, index: ir.Expr) -> ir.Index | None:
    """The read `a[x]` that `value` evaluates first (down Casts and left operands), if it is
    of `slot` at the (pure, fast-body) `index`: `a[x] op= v` as lowered; else None."""
    e = value
    while isinstance(e, (ir.Cast, ir.BinOp)):
        e = e.value if isinstance(e, ir.Cast) else e.left
    if isinstance(e, ir.Index) and e.slot is slot and not e.proven and e.index == index:
        return e
    return None


def _replace_node(e: ir.Expr, old: ir.Expr, new: ir.Expr) -> ir.Expr:
    """`e` with the node `old` (by identity, on its Cast / left-operand path) replaced by `new`."""
    if e is old:
        return new
    if isinstance(e, ir.Cast):
        return dataclasses.replace(e, value=_replace_node(e.value, old, new))
    return dataclasses.replace(e, left=_replace_node(e.left, old, new))


def _regroup(flat: list, groups: list) -> list:
    out, k = [], 0
    for g in groups:
        out.append(flat[k:k + len(g)])
        k += len(g)
    return out


def _fast_loop(loop: ir.ForRange, arrays: dict) -> ir.FastLoop | None:
    v = _Versioner(loop, arrays)
    body = [v.stmt(s) for s in loop.body]
    if not (v.guards or v.proven_counters or v.hoisted):
        return None  # nothing to hoist: the original body is all there is
    return ir.FastLoop(list(v.slots.values()), list(v.guards.values()), body,
                       list(v.proven_counters.values()), list(v.hoisted.values()))
