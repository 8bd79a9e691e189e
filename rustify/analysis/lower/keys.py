"""`key=` of sorted(), list.sort(), min() and max(): a one-parameter lambda (`key=lambda p: p[1]`)
or a one-argument builtin (`key=len`, `key=abs`) whose body reads but writes nothing.

In: the call node and its `key` keyword; out: for sorting, an `ir.SortedByKey` (the keys
computed natively, one per item in order, then CPython's own sort of the item positions by
those key objects, so stability, `reverse=` and every comparison are Python's); for min/max
a comprehension of kind `min_key`/`max_key` over (key, item) pairs that keeps the first
item whose key is strictly smaller (larger), as CPython's min/max do, with number keys or str
keys (compared by CPython's own `<`/`>`).
The lambda's parameter is renamed to a variable of its own (`p#k<label>`), as a
comprehension's is.
"""

from __future__ import annotations

import builtins
import dataclasses

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Pending, _Reject
from rustify.ir import BOOL, FLOAT, INT, NONE

_KEY_NUMBERS = (INT, FLOAT, BOOL)  # min/max compare these keys natively, exactly as Python does
# IR nodes a key may hold: reads only (a write, or a call that might write, stays Python)
_PURE_LIST_METHODS = ("index", "count", "contains", "__contains__")


def _label(node) -> int:
    return ((node.lineno or 0) * 1000 + (node.col_offset or 0) + 1) * 10 + 5


def _writes(e) -> str | None:
    """What in the key expression `e` may write or run Python code (None: it only reads)."""
    if isinstance(e, list):
        return next((w for w in map(_writes, e) if w), None)
    if isinstance(e, ir.CallFunction):
        return f"the call of `{e.name}`"
    if isinstance(e, ir.ListMethod) and e.method not in _PURE_LIST_METHODS:
        return f"`list.{e.method}`"
    if isinstance(e, ir.DictLookup) and e.method in ("pop", "setdefault"):
        return f"`dict.{e.method}`"
    if not dataclasses.is_dataclass(e) or isinstance(e, type):
        return None
    if isinstance(e, ir.Stmt) and not isinstance(e, (ir.CompYield, ir.ForIter, ir.ForEach, ir.ForRange, ir.If, ir.Assign)):
        return f"a `{type(e).__name__}` statement"
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, (list, ir.Expr, ir.Stmt)):
            w = _writes(v)
            if w:
                return w
    return None


class KeyRules:
    """Mixed into `FunctionLowerer`; the lists family calls these for a `key=` keyword."""

    def keyed_call(self, node: nodes.Call, kind: str, source, key_node, reverse: bool, defined) -> ir.Expr:
        """`sorted(source, key=...)`, `min(source, key=...)`, `max(source, key=...)`."""
        seq = self._expr(source, defined)
        if kind == "sorted":
            items = self._key_items(node, seq)
            keys, key_type = self._key_loop(node, seq, key_node, "list", defined, avoid=None)
            return ir.SortedByKey(items.type, items, keys, reverse, holds_shared=True,
                                  nan_check=self._sort_nan_check(key_type))
        comp, key_type = self._key_loop(node, seq, key_node, f"{kind}_key", defined, avoid=None)
        if key_type not in _KEY_NUMBERS and key_type != ir.STR:
            raise _Reject(node, f"{kind}() with a key giving {key_type} is not translated (number and str keys are)")
        return comp

    def keyed_sort(self, node: nodes.Call, base: ir.Expr, key_node, reverse: bool, defined) -> ir.Expr:
        """`xs.sort(key=...[, reverse=])` of a Python list held in place. As CPython does, the
        list is empty while the keys are computed (a key that reads it sees it so) and gets
        its items back, unsorted, if a key raises; the keys are computed over a copy held in
        a variable of the sort's own (`sorting#k<label>`)."""
        copy = f"sorting#k{_label(node)}"
        self._record(copy, ir.Var(base.type, copy))
        keys, key_type = self._key_loop(node, ir.Var(base.type, copy), key_node, "list", defined | {copy}, avoid=None)
        return ir.SortedByKey(NONE, base, keys, reverse, in_place=True, copy=copy,
                              nan_check=self._sort_nan_check(key_type))

    def _key_items(self, node, seq: ir.Expr) -> ir.Expr:
        """A new Python list of `seq`'s items (what `sorted` sorts)."""
        if isinstance(seq.type, ir.PyListOf):
            return ir.ListSlice(seq.type, base=seq, holds_shared=True)  # the same item objects
        if isinstance(seq.type, ir.ListOf):
            if seq.type.elem not in (INT, FLOAT):
                raise _Pending() if not self.final else _Reject(node, "the item type of the list is unknown")
            return ir.ToPyList(ir.PyListOf(seq.type.elem), seq)
        raise _Reject(node, f"sorted() of {seq.type} with a key is not translated (of a list it is)")

    def _key_loop(self, node, seq: ir.Expr, key_node, kind: str, defined, avoid: str | None):
        """A comprehension over `seq` of kind "list" (the keys, boxed, in order) or
        "min_key"/"max_key" (the item with the smallest/largest key); and the key type."""
        label = _label(node)
        var = f"item#k{label}"
        item = self._iter_item(node, seq)
        self._record(var, ir.Var(item, var))
        key = self._key_value(node, key_node, var, item, (defined or set()) | {var}, avoid)
        what = _writes(key)
        if what:
            raise _Reject(node, f"a key that may write or run Python code ({what}) is not translated")
        if kind == "list":
            acc = ir.PyListOf(self._container_item(node, key.type))
            value = self._as_item(node, key)
        else:
            acc = item
            value = ir.NewTuple(ir.TupleOf((key.type, item)), [key, ir.Var(item, var)])
        line = self._line(node)
        yields = [ir.CompYield(line, label, kind, value, acc)]
        if isinstance(seq, ir.Var) and isinstance(seq.type, (ir.ListOf, ir.Array)) and getattr(seq.type, "is_slice", True):
            body = [ir.ForEach(line, var, seq.name, yields)]
        else:
            li = ir.LoopItem(item, line, label - 1)
            body = [ir.ForIter(line, seq, ir.Assign(line, var, li), yields, label - 1)]
        return ir.Comprehension(acc, kind=kind, body=body, label=label, key=key.type), key.type

    def _key_value(self, node, key_node, var: str, item: ir.Type, defined, avoid: str | None) -> ir.Expr:
        """The key of the item held in `var`: the lambda's body with its parameter bound to it,
        or the builtin applied to it."""
        if isinstance(key_node, nodes.Lambda):
            args = key_node.args
            if len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs or args.defaults \
                    or getattr(args, "posonlyargs", None):
                raise _Reject(node, "a key lambda with one plain parameter only is translated")
            if avoid is not None and any(n.name == avoid for n in key_node.body.nodes_of_class(nodes.Name)):
                raise _Reject(node, f"a key that reads `{avoid}`, the list being sorted (Python shows it empty "
                                    "while it sorts), is not translated")
            self._comp_scopes()[id(key_node)] = {args.args[0].name: var}
            self.local_names.add(args.args[0].name)  # a variable, not a global, where `w.lower()` asks
            return self._expr(key_node.body, defined)
        if isinstance(key_node, nodes.Name) and key_node.name not in self.local_names \
                and key_node.name not in self.params:
            target = self._global(key_node)
            if target in (builtins.len, builtins.abs):
                from rustify.analysis.intrinsics import resolve_intrinsic

                return resolve_intrinsic(target).lower(self, node, [ir.Var(item, var)])
        raise _Reject(node, f"`key={key_node.as_string()[:30]}` is not translated (a one-parameter lambda, "
                            "`len` or `abs` is)")
