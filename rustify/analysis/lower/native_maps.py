"""Native dicts and sets: a pass over a lowered `ir.Function` that moves the dict and set
locals the kernel makes itself, and that nothing else sees, out of Python objects into Rust
maps (`ir.NativeDict`, `ir.NativeSet`; `NMap` in rust_templates/runtime_native_maps.rs.j2).

In: a checked `ir.Function`. Out: the same function, with such locals retyped in place.

A local qualifies when every assignment to it is a new dict or set (a literal, `{}`,
`dict()`, `set()`, `set(xs)` of a list, a comprehension) and every use of it is one the map
does itself with keys of exactly its key type: `d[k]`, `d.get/pop/setdefault`, stores,
`d[k] op= v`, `del d[k]`, `in`, `len`, truth, `clear`, and for a dict `return d` (boxed into
a Python dict once, in insertion order, which is all a dict's order is) and a `for` over it
whose body does not name it; for a set `add/discard/remove` and `| & - ^` between two such
sets whose result is only measured (`len`, truth, `in`). A native set never leaves the
kernel and is never iterated: a Python set's iteration order is its table's, which depends
on its whole history, so a set whose order could show stays a Python set. Any other use
(passed to a function, stored into a container, returned inside a tuple, assigned to another
name) keeps the local a Python object. Keys are ints, bools, strs and tuples of them, of one
type (so Python's equality is the Rust one: no `True == 1` or `1 == 1.0` across key types);
values are numbers, bools, strs and tuples of them, or Python lists held by reference (a dict
of lists: `d[k].append(v)` appends to the list object itself, which is the one the returned
dict then holds, so every alias of it sees what Python shows).
"""

from __future__ import annotations

import dataclasses
import sys

from rustify import ir

_LOOKUP_METHODS = ("getitem", "get", "pop", "setdefault")


def native_key(t: ir.Type) -> bool:
    """Keys a native map holds with Python's equality: int, bool, str, tuples of them."""
    if t in (ir.INT, ir.BOOL, ir.STR):
        return True
    return isinstance(t, ir.TupleOf) and bool(t.items) and all(native_key(i) for i in t.items)


def native_value(t: ir.Type) -> bool:
    """Values a native dict holds by value: Python numbers and bools, numpy float64/int64,
    str, and tuples of them."""
    if isinstance(t, ir.Scalar):
        return t.in_containers
    if t == ir.STR:
        return True
    return isinstance(t, ir.TupleOf) and all(native_value(i) for i in t.items)


def native_local_value(t: ir.Type) -> bool:
    """Values a native dict local holds: `native_value`s, and Python lists held by reference
    (the map holds the list object; lookups hand out that same object)."""
    return native_value(t) or isinstance(t, ir.PyListOf)


def _items(v):
    """The IR nodes in a field's value (a node, or lists and tuples of them; types are not nodes)."""
    if isinstance(v, (list, tuple)):
        for x in v:
            yield from _items(x)
    elif dataclasses.is_dataclass(v) and not isinstance(v, (type, ir.IRType)):
        yield v


def _walk(node, parent=None, field=None, grand=None):
    """Every IR node under `node` (itself included), with its parent, the parent's field that
    holds it, and the parent's parent."""
    yield node, parent, field, grand
    for f in dataclasses.fields(node):
        for child in _items(getattr(node, f.name)):
            yield from _walk(child, node, f.name, parent)


def _names(node) -> set[str]:
    """Every string held in any field of any node under `node` (variable names among them)."""
    out = set()
    for n, _, _, _ in (w for top in _items(node) for w in _walk(top)):
        for f in dataclasses.fields(n):
            v = getattr(n, f.name)
            if isinstance(v, str):
                out.add(v)
            elif isinstance(v, (list, tuple)):
                out.update(x for x in v if isinstance(x, str))
    return out


def _buildable(value: ir.Expr, t) -> bool:
    """`value` (assigned to a candidate local of type `t`) is a new dict or set the map can be
    built from."""
    if isinstance(value, ir.NewDict):
        return isinstance(t, ir.DictOf) and value.type == t
    if isinstance(value, ir.NewSet):
        if not isinstance(t, ir.SetOf) or value.type != t:
            return False
        src = value.source
        return src is None or (isinstance(src.type, (ir.ListOf, ir.PyListOf)) and src.type.item == t.elem)
    if isinstance(value, ir.ObjectComprehension):
        return value.type == t
    return False


def nativize(fn: ir.Function) -> None:
    """Retype, in place, the dict and set locals of `fn` that can be native (module docstring),
    and give the dict arguments it only reads a native mirror (`mirror_dict_arguments`)."""
    mirror_dict_arguments(fn)
    cands = {n: t for n, t in fn.locals.items() if n not in fn.seeded and (
        (isinstance(t, ir.DictOf) and native_key(t.key) and native_local_value(t.value))
        or (isinstance(t, ir.SetOf) and native_key(t.elem)))}
    if not cands:
        return
    nodes = [n for top in _items(fn.body) for n in _walk(top)]
    while True:
        bad = {n for n in cands if not _all_uses_native(n, cands, nodes)}
        if not bad:
            break
        for n in bad:
            del cands[n]
        if not cands:
            return
    _retype(fn, cands, nodes)


def _all_uses_native(name: str, cands: dict, nodes) -> bool:
    t = cands[name]
    key = t.key if isinstance(t, ir.DictOf) else t.elem
    is_dict = isinstance(t, ir.DictOf)
    for node, parent, field, grand in nodes:
        if isinstance(node, ir.Assign) and node.target == name:
            if not _buildable(node.value, t):
                return False
            continue
        if isinstance(node, ir.Var) and node.name == name:
            if not _native_use(node, parent, field, grand, t, key, is_dict, cands):
                return False
            continue
        if isinstance(node, ir.Var):
            continue
        # any other node naming the local (a loop target, an unpacking, a seed guard...)
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            if v == name or (isinstance(v, (list, tuple)) and name in v):
                if not (isinstance(node, ir.Assign) and f.name == "target"):
                    return False
    return True


def _native_use(var, parent, field, grand, t, key, is_dict, cands) -> bool:
    """The use of candidate `var` as `parent.field` is one a native map does itself."""
    if isinstance(parent, ir.DictLookup) and field == "base":
        return (is_dict and parent.method in _LOOKUP_METHODS and parent.key.type == key
                and (parent.default is None or parent.default.type == t.value))
    if isinstance(parent, ir.DictStore) and field == "base":
        return is_dict and parent.key.type == key and parent.value.type == t.value
    if isinstance(parent, ir.Contains) and field == "container":
        return parent.item.type == key
    if isinstance(parent, ir.ObjectUpdate) and field == "base":
        allowed = ("del", "clear") if is_dict else ("add", "discard", "remove", "clear")
        return parent.method in allowed and (parent.item is None or parent.item.type == key)
    if isinstance(parent, ir.Call) and parent.func == "len" and field == "args":
        return True
    if isinstance(parent, ir.Truth) and field == "value":
        return True
    if isinstance(parent, ir.Return) and field == "value":
        return is_dict
    if isinstance(parent, ir.ForObject) and field == "source":
        return is_dict and parent.view in ("keys", "values", "items") and var.name not in _names(parent.body)
    if isinstance(parent, ir.SetAlgebra) and field in ("left", "right"):
        operands_native = all(isinstance(o, ir.Var) and o.name in cands and isinstance(cands[o.name], ir.SetOf)
                              for o in (parent.left, parent.right))
        measured = ((isinstance(grand, ir.Call) and grand.func == "len") or isinstance(grand, ir.Truth)
                    or (isinstance(grand, ir.Contains) and grand.container is parent))
        return not is_dict and operands_native and measured and parent.type == t
    return False


def _retype(fn: ir.Function, cands: dict, nodes) -> None:
    native = {n: (ir.NativeDict(t.key, t.value) if isinstance(t, ir.DictOf) else ir.NativeSet(t.elem))
              for n, t in cands.items()}
    labels = set()
    for node, parent, field, _ in nodes:
        if isinstance(node, ir.Assign) and node.target in native:
            node.value.type = native[node.target]
            if isinstance(node.value, ir.ObjectComprehension):
                labels.add(node.value.label)
        elif isinstance(node, ir.Var) and node.name in native:
            node.type = native[node.name]
        elif isinstance(node, ir.SetAlgebra) and isinstance(node.left, ir.Var) and node.left.name in native:
            node.type = native[node.left.name]
    for node, _, _, _ in nodes:
        if isinstance(node, ir.CompInsert) and node.label in labels:
            node.native = True
        elif isinstance(node, ir.Return) and isinstance(node.value, ir.Var) and node.value.name in native:
            node.value = ir.BoxNative(cands[node.value.name], node.value)
    for n, t in native.items():
        fn.locals[n] = t


def mirror_dict_arguments(fn: ir.Function) -> None:
    """Mark the lookups (`d[k]`, `d.get(k, v)`, `k in d`) into a dict argument the kernel
    never writes, rebinds or hands on, with keys of exactly its key type: they go through a
    native mirror of the dict (`DictMirror` in runtime_native_maps.rs.j2), valid while the
    dict's `ma_version_tag` is unchanged. CPython 3.14 no longer keeps that tag: there the
    lookups stay the dict's own."""
    if sys.version_info >= (3, 14):
        return
    nodes = [n for top in _items(fn.body) for n in _walk(top)]
    for p in fn.params:
        t = p.type
        if not (isinstance(t, ir.DictOf) and native_key(t.key) and native_value(t.value)) or p.mutated:
            continue
        lookups = []
        for node, parent, field, _ in nodes:
            if isinstance(node, ir.Assign) and node.target == p.name:
                break
            if not (isinstance(node, ir.Var) and node.name == p.name):
                continue
            if (isinstance(parent, ir.DictLookup) and field == "base" and parent.method in ("getitem", "get")
                    and parent.key.type == t.key):
                lookups.append(parent)
            elif isinstance(parent, ir.Contains) and field == "container" and parent.item.type == t.key:
                lookups.append(parent)
            elif (isinstance(parent, ir.DictLookup) and field == "base") or isinstance(
                    parent, (ir.DictStore, ir.ObjectUpdate)):
                break  # a write (pop, setdefault, a store, del, clear)
        else:
            if lookups:
                name = f"{p.name}.mirror"  # not a Python identifier: no user name meets it
                fn.locals[name] = ir.DictMirror(t.key, t.value)
                for node in lookups:
                    node.mirror = name
