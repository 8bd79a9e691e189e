"""Flat lists read in place: a pass over a lowered `ir.Function` that turns a `list[float]` or
`list[int]` argument the kernel only reads, in one pass, from a copy into a view of the
caller's list (`ir.ListView`; `ListView` in rust_templates/runtime_lists.rs.j2).

In: a checked `ir.Function`. Out: the same function, such parameters retyped in place.

A parameter qualifies when its only uses are `for x in xs` (a `ForEach`, `sum(xs)` and
generator expressions over it among them), `for i, x in enumerate(xs)` and `for x, y in
zip(xs, ys)` (a `ForZip`), `xs[i]` and `len(xs)`, the function writes
nothing the caller sees (a changed list re-runs the call in Python), and its only loops are
single loops over such lists: the view holds the GIL for the whole call, as CPython's own
`sum` does, which is fine for work linear in the list, while any other kernel (a loop over a
range, a loop inside a loop) keeps its copy and runs without the GIL.
"""

from __future__ import annotations

import dataclasses

from rustify import ir
from rustify.analysis.lower.native_maps import _items, _walk

_LOOPS = (ir.ForEach, ir.ForRange, ir.ForRangeIter, ir.While, ir.ForObject, ir.ForIter, ir.ForZip, ir.TextFor)


def view_read_only_lists(fn: ir.Function) -> None:
    """Retype, in place, the list parameters of `fn` read in place (module docstring)."""
    if fn.writes_visible_objects or fn.callees or fn.recursive or any(p.mutated for p in fn.params):
        return  # (a written list argument may be this very list: its copy must see the writes)
    cands = [p for p in fn.params if isinstance(p.type, ir.ListOf) and p.type.elem in (ir.FLOAT, ir.INT)
             and not p.mutated]
    if not cands:
        return
    nodes = [n for top in _items(fn.body) for n in _walk(top)]
    names = {p.name for p in cands}
    if _nested_loop(fn.body) or any(isinstance(n, _LOOPS) and not (isinstance(n, ir.ForEach) and n.seq in names)
                                    and not (isinstance(n, ir.ForZip) and set(n.seqs) <= names)
                                    for n, _, _, _ in nodes):
        return  # a loop over anything but the list itself: the work may not be linear in the list
    for p in cands:
        if all(_read_use(p.name, node, parent, field) for node, parent, field, _ in nodes):
            view = ir.ListView(p.type.elem)
            p.type = view
            for node, _, _, _ in nodes:
                if isinstance(node, ir.Var) and node.name == p.name:
                    node.type = view
                elif isinstance(node, ir.ForEach) and node.seq == p.name:
                    node.view = True
                elif isinstance(node, ir.ForZip) and p.name in node.seqs:
                    node.views = node.views or [False] * len(node.seqs)
                    node.views = [v or q == p.name for q, v in zip(node.seqs, node.views)]
            fn.uses_objects = True  # the kernel holds the GIL and takes `py`


def _nested_loop(body) -> bool:
    """A loop runs inside another loop somewhere in `body`."""
    def visit(node, depth: int) -> bool:
        if isinstance(node, _LOOPS):
            if depth:
                return True
            depth += 1
        return any(visit(c, depth) for f in dataclasses.fields(node) for c in _items(getattr(node, f.name)))
    return any(visit(top, 0) for top in _items(body))


def _read_use(name: str, node, parent, field) -> bool:
    """`node` does not name `name`, or names it in a read a view does (`for`, `[i]`, `len`)."""
    if isinstance(node, ir.Var):
        if node.name != name:
            return True
        return ((isinstance(parent, ir.Index) and field == "base")
                or (isinstance(parent, ir.Call) and parent.func == "len" and field == "args"))
    if isinstance(node, ir.ForEach) and node.seq == name:
        return node.var != name
    if isinstance(node, ir.ForZip) and name in node.seqs:
        return True  # (a loop target of the same name is a store the walk meets in `bind`)
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if v == name or (isinstance(v, (list, tuple)) and name in v):
            return False
    return True
