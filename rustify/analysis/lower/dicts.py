"""Dicts and sets: literals, `{}`/`set()`/`set(xs)`/`dict()`, `d[k]`, stores and `d[k] op= v`,
`del d[k]`, `in`/`not in`, the methods `get`/`pop`/`setdefault`/`clear` and
`add`/`discard`/`remove`/`clear`, `|`/`&`/`-`/`^` of sets, and `for` over a dict, a set, a str,
`d.keys()`, `d.values()` and `d.items()`; dict and set comprehensions.

The kernel works on the Python dict or set itself (`ir.DictOf`, `ir.SetOf`), so hashing,
equality across int/float/bool keys, order and KeyError are Python's own. A key or value of
a Rust type is boxed into a Python object where it meets the container (`t.box`) and unboxed
where it leaves it (`t.unbox`). `{}` and `set()` start with unknown item types (`UNKNOWN_ELEM`),
settled by the fixed point from what is stored later (`join_containers`). These rules come
first among `FunctionLowerer`'s bases: each handles the dict/set case and passes anything
else on with `super()`.
"""

from __future__ import annotations

import builtins
import dataclasses

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import UNKNOWN_ELEM, _Pending, _Reject

def _comp_label(node) -> int:
    """A number naming the dict or set comprehension at `node` (stable across passes, apart
    from the lists family's labels of the same place)."""
    return ((node.lineno or 0) * 1000 + (node.col_offset or 0) + 1) * 10 + 7


_SET_OPS = {"or": "|", "and": "&", "sub": "-", "xor": "^"}
_DICT_READS = ("get", "pop", "setdefault")
_DICT_VIEWS = ("keys", "values", "items")


def boxable(t: ir.Type) -> bool:
    """A value of type `t` can be held in a Python container by this IR (it has box/unbox)."""
    if isinstance(t, ir.Scalar):
        return t.in_containers
    if isinstance(t, ir.TupleOf):
        return all(boxable(i) for i in t.items)
    if isinstance(t, (ir.DictOf, ir.SetOf, ir.PyListOf)):
        return True
    return isinstance(t, ir.PyObjectType)


def holds_float(t: ir.Type) -> bool:
    """`t` is or holds a float: as a dict key or set member, a NaN would be found by its
    identity (Python compares the same object as equal), which a boxed copy loses."""
    if isinstance(t, ir.Scalar):
        return t.is_float
    return isinstance(t, ir.TupleOf) and any(holds_float(i) for i in t.items)


def join_containers(types: list[ir.Type]) -> ir.Type | None:
    """The type of a local assigned only dicts (or only sets) whose item types are known
    or still unknown (`{}` then `d[k] = v`); None if they are not all of one kind or two
    known item types differ (the final pass reports that)."""
    if all(isinstance(t, ir.DictOf) for t in types):
        key, value = _known([t.key for t in types]), _known([t.value for t in types])
        return None if key is None or value is None else ir.DictOf(key, value)
    if all(isinstance(t, ir.SetOf) for t in types):
        elem = _known([t.elem for t in types])
        return None if elem is None else ir.SetOf(elem)
    return None


_NEW_LIST = ir.PyListOf(UNKNOWN_ELEM)  # a `[]` stored as a value before anything is appended to it


def _known(items: list[ir.Type]) -> ir.Type | None:
    known = list(dict.fromkeys(t for t in items if t != UNKNOWN_ELEM))
    if _NEW_LIST in known and len(known) > 1:
        known.remove(_NEW_LIST)  # the item type a later append through the dict gave it
    if len(known) > 1:
        return None
    return known[0] if known else UNKNOWN_ELEM


def _settles(new: ir.Type, wide: ir.Type) -> bool:
    """`new` (a `{}` or `set()` with unknown item types) can take the type `wide`."""
    if isinstance(new, ir.DictOf) and isinstance(wide, ir.DictOf):
        return new.key in (UNKNOWN_ELEM, wide.key) and new.value in (UNKNOWN_ELEM, wide.value)
    if isinstance(new, ir.SetOf) and isinstance(wide, ir.SetOf):
        return new.elem in (UNKNOWN_ELEM, wide.elem)
    return False


# IR nodes that may change a dict (or run Python code that may): a `for` over a dict whose
# body holds none of them walks the dict's table directly
_DICT_WRITES = (ir.DictStore, ir.ObjectUpdate)


def _may_change_a_dict(node) -> bool:
    """`node` (an IR statement list, statement or expression) writes into a dict, or calls
    something (a Python function, a method of an object) that might."""
    if isinstance(node, list):
        return any(_may_change_a_dict(n) for n in node)
    if isinstance(node, _DICT_WRITES) or (isinstance(node, ir.DictLookup) and node.method in ("pop", "setdefault")):
        return True
    name = type(node).__name__
    if not isinstance(node, ir.Call) and ("Call" in name or "Method" in name or "Attr" in name):
        return True  # another family's call or attribute access: it might reach the dict
    if not dataclasses.is_dataclass(node):
        return False
    return any(_may_change_a_dict(getattr(node, f.name)) for f in dataclasses.fields(node)
               if isinstance(getattr(node, f.name), (list, ir.Expr, ir.Stmt)))


class DictSetRules:
    """Mixed into `FunctionLowerer` before the other families; the handlers named in
    `constructs.py` for dict and set literals and `del`, and the dict/set cases of indexing,
    stores, comparison, operators, method calls and `for`."""

    # ------------------------------------------------------------ literals

    def _lower_dict(self, node: nodes.Dict, defined) -> ir.Expr:
        keys, values = [], []
        for k, v in node.items:
            if isinstance(k, nodes.DictUnpack):
                raise _Reject(node, "`**` inside a dict literal is not translated")
            keys.append(self._expr(k, defined))  # Python evaluates k1, v1, k2, v2, ...
            values.append(self._expr(v, defined))
        key = self._one_type(node, "keys", [k.type for k in keys], hashable=True)
        value = self._one_type(node, "values", [v.type for v in values])
        for v in values:
            self.note_object_escape(v)
        return ir.NewDict(ir.DictOf(key, value), keys, values)

    def _lower_set(self, node: nodes.Set, defined) -> ir.Expr:
        if any(isinstance(e, nodes.Starred) for e in node.elts):
            raise _Reject(node, "`*` inside a set literal is not translated")
        items = [self._expr(e, defined) for e in node.elts]
        return ir.NewSet(ir.SetOf(self._one_type(node, "members", [i.type for i in items], hashable=True)), items)

    def _one_type(self, node, what: str, types: list[ir.Type], hashable: bool = False) -> ir.Type:
        distinct = list(dict.fromkeys(types))
        if len(distinct) > 1:
            raise _Reject(node, f"{what} of different types ({', '.join(map(str, distinct))}) are not translated")
        if not distinct:
            return UNKNOWN_ELEM
        self._check_item_type(node, what, distinct[0], hashable)
        return distinct[0]

    def _check_item_type(self, node, what: str, t: ir.Type, hashable: bool) -> None:
        if t == UNKNOWN_ELEM:
            return  # `{}` / `set()` before a store: the store is checked
        if hashable and what in ("keys", "members") and holds_float(t):
            raise _Reject(node, f"{what} of type {t} stay Python: a NaN key is found by its identity in Python, "
                                "which the translation's boxed copy would not keep")
        if hashable and not ir.hashable(t):
            raise _Reject(node, f"{what} of type {t} are not translated (Python needs a hashable value; "
                                "ints, floats, bools, str and tuples of them are)")
        if not boxable(t):
            raise _Reject(node, f"{what} of type {t} cannot be held in a dict or set by the translation")

    def _lower_dict_comp(self, node: nodes.DictComp, defined) -> ir.Expr:
        return self._object_comprehension(node, defined)

    def _lower_set_comp(self, node: nodes.SetComp, defined) -> ir.Expr:
        return self._object_comprehension(node, defined)

    def _object_comprehension(self, node, defined) -> ir.ObjectComprehension:
        """A dict or set comprehension: the lists family's comprehension loops (its variables
        renamed apart) around one insert into the new dict or set."""
        label = _comp_label(node)
        renames: dict[str, str] = {}
        self._comp_scopes()[id(node)] = renames
        is_dict = isinstance(node, nodes.DictComp)
        found: dict = {}

        def innermost(d):
            key = self._expr(node.key if is_dict else node.elt, d)  # Python: the key, then the value
            value = self._expr(node.value, d) if is_dict else None
            found["key"], found["value"] = key, value
            return [ir.CompInsert(self._line(node), label, key, value)]

        body = self.comprehension_loops(node, node.generators, defined, renames, innermost)
        if "key" not in found:
            raise _Pending()
        key, value = found["key"], found["value"]
        self._check_item_type(node, "keys" if is_dict else "members", key.type, hashable=True)
        if not is_dict:
            return ir.ObjectComprehension(ir.SetOf(key.type), body, label)
        self._check_item_type(node, "values", value.type, hashable=False)
        self.note_object_escape(value)
        return ir.ObjectComprehension(ir.DictOf(key.type, value.type), body, label)

    def dict_of_pairs(self, node, call: nodes.Call, defined) -> ir.ObjectComprehension:
        """`dict(zip(ks, vs))` or `dict(enumerate(xs))`: as `{k: v for k, v in zip(ks, vs)}` (a
        later equal key keeps its first place and takes the last value, as Python's)."""
        if self._global(call.func) is builtins.zip and len(call.args) != 2:
            raise _Reject(node, "dict() of zip() of other than two iterables is not translated "
                                "(Python raises ValueError for pairs of another length)")
        label = _comp_label(node)
        var = f"pair#c{label}"
        self.local_names.add(var)
        found: dict = {}

        def bind(value, d):
            return self._store_name(node, var, value), {var}

        def innermost(d):
            pair = self._var(var, node)
            key, value = (ir.TupleItem(t, pair, i) for i, t in enumerate(pair.type.items))
            found["key"], found["value"] = key, value
            return [ir.CompInsert(self._line(node), label, key, value)]

        body = [self.zip_loop(call, call, bind, defined, innermost)]
        if "key" not in found:
            raise _Pending()
        key, value = found["key"], found["value"]
        self._check_item_type(node, "keys", key.type, hashable=True)
        self._check_item_type(node, "values", value.type, hashable=False)
        self.note_object_escape(value)
        return ir.ObjectComprehension(ir.DictOf(key.type, value.type), body, label)

    def new_set_call(self, node, args: list[ir.Expr]) -> ir.Expr:
        """`set()` or `set(xs)` (called by the `set` intrinsic)."""
        if not args:
            return ir.NewSet(ir.SetOf(UNKNOWN_ELEM), [])
        if len(args) != 1:
            raise _Reject(node, "set() takes at most one argument")
        (source,) = args
        if not isinstance(source.type, (ir.ListOf, ir.PyListOf, ir.SetOf, ir.DictOf, ir.Str, ir.Bytes)):
            raise _Reject(node, f"set() of {source.type} is not translated (of a list, set, dict or str it is)")
        elem = source.type.item
        if elem == UNKNOWN_ELEM:
            raise _Pending() if not self.final else _Reject(node, "the item type of set()'s argument is unknown")
        self._check_item_type(node, "members", elem, hashable=True)
        return ir.NewSet(ir.SetOf(elem), [], source)

    def new_dict_call(self, node, args: list[ir.Expr]) -> ir.Expr:
        """`dict()` (called by the `dict` intrinsic)."""
        if args:
            raise _Reject(node, "dict() with arguments is not translated (dict() and {} are)")
        return ir.NewDict(ir.DictOf(UNKNOWN_ELEM, UNKNOWN_ELEM), [], [])

    def _store_name(self, s, name: str, value: ir.Expr) -> ir.Assign:
        wide = self.env.get(name)
        if isinstance(value, (ir.NewDict, ir.NewSet)) and value.type != wide and _settles(value.type, wide):
            value.type = wide  # `{}` / `set()` get their item types from later stores
        return super()._store_name(s, name, value)

    # ------------------------------------------------------------ reading

    def _lower_subscript(self, node: nodes.Subscript, defined) -> ir.Expr:
        base = self._expr(node.value, defined)
        if not isinstance(base.type, ir.DictOf):
            self.hand_down((node.value, base))
            return super()._lower_subscript(node, defined)
        return self._lookup(node, "getitem", base, self._lookup_key(node, node.slice, defined), None)

    def _lookup_key(self, node, key_node, defined) -> ir.Expr:
        if isinstance(key_node, nodes.Slice):
            raise _Reject(node, "a slice is not a dict key (Python raises TypeError)")
        key = self._expr(key_node, defined)
        self._check_item_type(node, "lookup keys", key.type, hashable=True)
        return key

    def _lookup(self, node, method: str, base: ir.Expr, key: ir.Expr, default: ir.Expr | None) -> ir.Expr:
        """`d[k]`, `d.get(k, default)`, `d.pop(k[, default])`, `d.setdefault(k, default)`."""
        self._check_item_type(node, "keys", base.type.key, hashable=True)  # float keys: see holds_float
        value = base.type.value
        if value == UNKNOWN_ELEM:
            if default is None or self.final:
                raise _Pending() if not self.final else _Reject(node, "the value type of this dict is unknown")
            value = default.type  # a guess this pass; the final pass checks it
        if (isinstance(default, ir.NewPyList) and default.type == _NEW_LIST and not default.items
                and isinstance(value, ir.PyListOf)):
            default.type = value  # `d.setdefault(k, [])`: a list of the dict's values' items
        if default is not None and default.type != value:
            raise _Reject(node, f"the default is {default.type} but the dict's values are {value}: the "
                                "result type would depend on whether the key is present")
        if method in ("pop", "setdefault"):
            self.note_object_write(node, base)
        if method == "setdefault":
            self._stored_value(node, base, key, default)
        return ir.DictLookup(value, method, base, key, default)

    def _dict_method(self, node: nodes.Call, base: ir.Expr, defined) -> ir.Expr:
        name = node.func.attrname
        if name in _DICT_VIEWS:
            if not node.args and self._view_taken_apart(node):
                return ir.DictView(base.type, base, name)  # taken apart by `_lower_for`, `dict_view_loop`
            raise _Reject(node, f"`d.{name}()` is translated only as the iterable of a `for` loop or "
                                "comprehension, or the one argument of sum, min, max, any, all, sorted or list")
        if name not in _DICT_READS:
            raise _Reject(node, f"the dict method `{name}` is not translated")
        if name == "get" and len(node.args) == 1:
            raise _Reject(node, "`d.get(k)` without a default gives None for a missing key; not translated "
                                "(`d.get(k, default)` is)")
        if not 1 <= len(node.args) <= 2 or (name == "setdefault" and len(node.args) != 2):
            raise _Reject(node, f"`d.{name}` with {len(node.args)} arguments is not translated")
        key = self._lookup_key(node, node.args[0], defined)
        default = self._expr(node.args[1], defined) if len(node.args) == 2 else None
        if name == "setdefault":
            # the default is stored into the dict as `d[k] = v` stores (`d.setdefault(k, []).append(x)`:
            # a new list whose item type later appends settle)
            default = self._dict_value(node, base, default)
        return self._lookup(node, name, base, key, default)

    def _dict_set_method_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`d.get(k, default)`, `d.pop(k)`, `d.setdefault(k, v)` as values; None if `node`
        is not a method call on a dict or set."""
        base = self._method_base(node, defined)
        if base is None:
            return None
        if isinstance(base.type, ir.DictOf):
            return self._dict_method(node, base, defined)
        raise _Reject(node, f"`s.{node.func.attrname}(...)` gives None; as a value it is not translated "
                            "(as a statement it is)")

    def _method_base(self, node, defined) -> ir.Expr | None:
        func = node.func if isinstance(node, nodes.Call) else None
        if not isinstance(func, nodes.Attribute) or not isinstance(func.expr, nodes.Name):
            return None
        if func.expr.name not in self.local_names and func.expr.name not in self.params:
            return None
        base = self._expr(func.expr, defined)
        return base if isinstance(base.type, (ir.DictOf, ir.SetOf)) else None

    # ------------------------------------------------------------ membership and set algebra

    def _compare(self, node: nodes.Compare, defined) -> ir.Expr:
        if not any(op in ("in", "not in") for op, _ in node.ops):
            return super()._compare(node, defined)
        if len(node.ops) != 1:
            raise _Reject(node, "`in` inside a comparison chain is not translated")
        item = self._expr(node.left, defined)
        container = self._expr(node.ops[0][1], defined)
        if not isinstance(container.type, (ir.DictOf, ir.SetOf)):
            self.hand_down((node.left, item), (node.ops[0][1], container))
            return super()._compare(node, defined)
        self._check_item_type(node, "lookup keys", item.type, hashable=True)
        self._check_item_type(node, "keys" if isinstance(container.type, ir.DictOf) else "members",
                              container.type.key if isinstance(container.type, ir.DictOf) else container.type.elem,
                              hashable=True)
        return ir.Contains(ir.BOOL, container, item, node.ops[0][0] == "not in")

    def _binop(self, node, op: str, left, right) -> ir.Expr:
        (lv, _), (rv, _) = left, right
        if not (isinstance(lv.type, (ir.SetOf, ir.DictOf)) or isinstance(rv.type, (ir.SetOf, ir.DictOf))):
            return super()._binop(node, op, left, right)
        if op not in _SET_OPS or not (isinstance(lv.type, ir.SetOf) and isinstance(rv.type, ir.SetOf)):
            raise _Reject(node, f"`{node.as_string()[:40]}`: this operator on {lv.type} and {rv.type} is not "
                                "translated (| & - ^ of two sets are)")
        elem = _known([lv.type.elem, rv.type.elem])
        if elem is None:
            raise _Reject(node, f"`{_SET_OPS[op]}` of {lv.type} and {rv.type} would make a set of mixed "
                                "members; not translated")
        if op == "sub" or op == "and":
            elem = lv.type.elem if lv.type.elem != UNKNOWN_ELEM else rv.type.elem
        return ir.SetAlgebra(ir.SetOf(elem), op, lv, rv)

    # ------------------------------------------------------------ stores

    def _stored_value(self, node, base: ir.Expr, key: ir.Expr, value: ir.Expr, store=None) -> None:
        """Check `base[key] = value` keeps `base` of one key and value type; record what a
        local `{}` learns from it, and the write and the value's escape (`store`: the
        `DictStore` doing it, which the undo log can take back)."""
        t = base.type
        if value.type == _NEW_LIST and isinstance(t.value, ir.PyListOf) and isinstance(value, ir.NewPyList):
            value.type = t.value  # `d[k] = []`: its items are those later appends gave the dict's values
        if t.key != UNKNOWN_ELEM and key.type != t.key:
            raise _Reject(node, f"storing a {key.type} key into a dict of {t.key} keys makes keys of mixed "
                                "types; not translated")
        if t.value != UNKNOWN_ELEM and value.type != t.value:
            raise _Reject(node, f"storing {value.type} into a dict of {t.value} values makes values of mixed "
                                "types; not translated")
        self._check_item_type(node, "keys", key.type, hashable=True)
        self._check_item_type(node, "values", value.type, hashable=False)
        if isinstance(base, ir.Var) and base.name not in self.param_types:
            self._record(base.name, ir.NewDict(ir.DictOf(key.type, value.type), [], []))
        self.note_object_write(node, base, None if store is None else self.undoable_write(base, store))
        self.note_object_escape(value)

    def _dict_value(self, node, base: ir.Expr, value: ir.Expr) -> ir.Expr:
        """`value` as stored into the dict `base`: a flat (Vec) list becomes a Python list (`[]`
        a new one whose item type later appends through the dict settle), any object the
        dict receives from outside makes the dict shared (the lists family's `_as_item`)."""
        if isinstance(value, ir.NewList) and not value.items and value.count is None:
            return ir.NewPyList(_NEW_LIST, [])
        return self._as_item(node, value, base) if value.type.is_object or isinstance(value.type, ir.ListOf) \
            else value

    def learn_list_item(self, node, base: ir.Expr, item: ir.Type) -> None:
        """`d[k].append(x)` where the dict local `d`'s values are still `[]` (PyListOf(?)):
        the dict's values are lists of `item` (x's type in a list) from the next pass on."""
        if not (isinstance(base, ir.DictLookup) and isinstance(base.base, ir.Var)
                and base.base.name not in self.param_types and base.base.type.value == _NEW_LIST):
            raise _Reject(node, "the item type of this list is unknown")
        self._record(base.base.name, ir.NewDict(ir.DictOf(base.base.type.key, ir.PyListOf(item)), [], []))
        raise _Pending() if not self.final else _Reject(node, "the item type of the dict's lists did not settle")

    def _assign(self, s, target, value_node, defined):
        if isinstance(target, nodes.Subscript):
            value = self._expr(value_node, defined)  # Python evaluates the value first
            base = self._expr(target.value, defined)
            if isinstance(base.type, ir.DictOf):
                key = self._lookup_key(s, target.slice, defined)
                value = self._dict_value(s, base, value)
                store = ir.DictStore(self._line(s), base, key, value)
                self._stored_value(s, base, key, value, store)
                return [store], defined, False
            self.hand_down((value_node, value), (target.value, base))
        return super()._assign(s, target, value_node, defined)

    def _lower_aug_assign(self, s: nodes.AugAssign, defined):
        if isinstance(s.target, nodes.AssignName) and isinstance(self.env.get(s.target.name), (ir.SetOf, ir.DictOf)):
            self._require_defined(s.target, s.target.name, defined)
            current = self._var(s.target.name, s.target)
            if isinstance(current.type, (ir.SetOf, ir.DictOf)):
                return [self._in_place_operator(s, current, self._expr(s.value, defined))], defined, False
        if isinstance(s.target, nodes.Subscript):
            base = self._expr(s.target.value, defined)
            if isinstance(base.type, ir.DictOf):
                op = rules.BINOPS.get(s.op[:-1])
                if op is None:
                    raise _Reject(s, f"augmented operator `{s.op}` is not translated")
                key = self._lookup_key(s, s.target.slice, defined)
                current = self._lookup(s, "getitem", base, ir.HeldKey(key.type), None)
                value = self._binop(s, op, (current, False), self._expr_raw(s.value, defined))
                store = ir.DictStore(self._line(s), base, key, value, held_key=True)
                self._stored_value(s, base, key, value, store)
                return [store], defined, False
            self.hand_down((s.target.value, base))
        return super()._lower_aug_assign(s, defined)

    def _in_place_operator(self, s, base: ir.Var, other: ir.Expr) -> ir.Stmt:
        """`s |= t` (`&=`, `-=`, `^=`) of two sets, `d |= e` of two dicts: the object's own in-place
        operator (`__ior__`...), so `s` stays the same object, changed where the caller sees it."""
        method = {"|=": "__ior__", "&=": "__iand__", "-=": "__isub__", "^=": "__ixor__"}.get(s.op)
        t, o = base.type, other.type
        if isinstance(t, ir.DictOf):
            if method != "__ior__" or not isinstance(o, ir.DictOf):
                raise _Reject(s, f"`{s.op}` on {t} and {o} is not translated (`d |= e` of two dicts is)")
            self._stored_value(s, base, ir.HeldKey(o.key), ir.HeldKey(o.value))
            self._holds_values_of(base, o)
        else:
            if method is None or not isinstance(o, ir.SetOf):
                raise _Reject(s, f"`{s.op}` on {t} and {o} is not translated (`|= &= -= ^=` of two sets are)")
            self._added_members(s, base, o.elem, adds=method in ("__ior__", "__ixor__"))
        self.note_object_write(s, base)
        return ir.ObjectUpdate(self._line(s), method, base, other)

    def _added_members(self, s, base: ir.Expr, elem: ir.Type, adds: bool = True) -> None:
        """Members of type `elem` go into (or, `adds` False, are compared with) the set `base`."""
        if elem == UNKNOWN_ELEM:
            raise _Pending() if not self.final else _Reject(s, "the member type of the other set is unknown")
        self._check_item_type(s, "members", elem, hashable=True)
        if base.type.elem != UNKNOWN_ELEM and elem != base.type.elem:
            raise _Reject(s, f"{elem} members with a set of {base.type.elem} make a set of mixed members; "
                             "not translated")
        if adds and isinstance(base, ir.Var) and base.name not in self.param_types:
            self._record(base.name, ir.NewSet(ir.SetOf(elem), []))

    def _holds_values_of(self, base: ir.Expr, other: ir.DictOf) -> None:
        """`base` now holds the other dict's values: if they may be written (lists, dicts...),
        writes reached through `base` may show elsewhere."""
        if isinstance(base, ir.Var) and other.value.is_object and not isinstance(other.value, (ir.Str, ir.Bytes)):
            self.shared_objects.add(base.name)

    def _update_call(self, s, base: ir.Expr, call: nodes.Call, defined) -> ir.Stmt:
        """`d.update(e)` with a dict `e`, `s.update(xs)` with one set, list, dict or str of the
        set's member type: the container's own method."""
        if len(call.args) != 1:
            raise _Reject(s, f"`.update` with {len(call.args)} arguments is not translated (with one it is)")
        other = self._expr(call.args[0], defined)
        if isinstance(base.type, ir.DictOf):
            if not isinstance(other.type, ir.DictOf):
                raise _Reject(s, f"`d.update` with {other.type} is not translated (with a dict it is)")
            self._stored_value(s, base, ir.HeldKey(other.type.key), ir.HeldKey(other.type.value))
            self._holds_values_of(base, other.type)
        else:
            if isinstance(other.type, ir.ListOf) and other.type.elem != UNKNOWN_ELEM:
                other = ir.ToPyList(ir.PyListOf(other.type.elem), other)  # a new list of the same numbers
            if not isinstance(other.type, (ir.SetOf, ir.PyListOf, ir.DictOf, ir.Str)):
                raise _Reject(s, f"`s.update` with {other.type} is not translated (with a set, list, dict or str)")
            self._added_members(s, base, other.type.item)
        self.note_object_write(s, base)
        return ir.ObjectUpdate(self._line(s), "update", base, other)

    def _lower_delete(self, s: nodes.Delete, defined):
        stmts = []
        for target in s.targets:
            base = self._expr(target.value, defined) if isinstance(target, nodes.Subscript) else None
            if base is not None and not isinstance(base.type, ir.DictOf):
                stmts.append(self._delete_item(s, target, base, defined))  # `del xs[i]`: lists.py
                continue
            if base is None:
                raise _Reject(s, f"`del {target.as_string()}` is not translated (`del d[k]`, `del xs[i]` are)")
            key = self._lookup_key(s, target.slice, defined)
            self.note_object_write(s, base)
            stmts.append(ir.ObjectUpdate(self._line(s), "del", base, key))
        return stmts, defined, False

    def _expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt:
        base = self._method_base(s.value, defined)
        if base is None:
            return super()._expr_stmt(s, defined)
        call, line = s.value, self._line(s)
        name = call.func.attrname
        if call.keywords:
            raise _Reject(s, "keyword arguments are not translated")
        if name == "clear" and not call.args:
            self.note_object_write(s, base)
            return ir.ObjectUpdate(line, "clear", base, None)
        if name == "update":
            return self._update_call(s, base, call, defined)
        if isinstance(base.type, ir.DictOf):
            return ir.ObjectUpdate(line, "value", None, self._dict_method(call, base, defined))
        if name not in ("add", "discard", "remove") or len(call.args) != 1:
            raise _Reject(s, f"the set method `{name}` with {len(call.args)} arguments is not translated "
                             "(add, discard, remove and clear are)")
        item = self._expr(call.args[0], defined)
        self._check_item_type(s, "members" if name == "add" else "lookup keys", item.type, hashable=True)
        self._check_item_type(s, "members", base.type.elem, hashable=True)
        if name == "add":
            if base.type.elem != UNKNOWN_ELEM and item.type != base.type.elem:
                raise _Reject(s, f"adding {item.type} to a set of {base.type.elem} makes a set of mixed members; "
                                 "not translated")
            if isinstance(base, ir.Var) and base.name not in self.param_types:
                self._record(base.name, ir.NewSet(ir.SetOf(item.type), []))
        self.note_object_write(s, base)
        return ir.ObjectUpdate(line, name, base, item)

    # ------------------------------------------------------------ loops

    def _view_taken_apart(self, node: nodes.Call) -> bool:
        """`d.values()` (`node`) is the iterable of a `for` statement or of a comprehension's `for`
        clause, or the iterable of the builtin sum (a start too), min, max, any, all, sorted (with
        reverse=) or list, with no other arguments: the places that take a `DictView` apart (its
        type is the dict's, so nothing else may see one)."""
        parent = node.parent
        if isinstance(parent, (nodes.For, nodes.Comprehension)) and parent.iter is node:
            return True
        if not (isinstance(parent, nodes.Call) and parent.args and parent.args[0] is node
                and isinstance(parent.func, nodes.Name) and parent.func.name not in self.local_names
                and parent.func.name not in self.params):
            return False
        try:
            target = self._global(parent.func)
        except _Reject:
            return False
        if target is builtins.sum:  # (a start: `sum(d.values(), 0.5)`)
            return len(parent.args) <= 2 and not parent.keywords
        if target is builtins.sorted:  # (a key= goes to keys.py, which takes no view)
            return len(parent.args) == 1 and all(k.arg == "reverse" for k in parent.keywords)
        return len(parent.args) == 1 and not parent.keywords and any(
            target is f for f in (builtins.min, builtins.max, builtins.any, builtins.all, builtins.list))

    def dict_view_loop(self, node, view: ir.DictView, names: list[str], defined, body_of) -> ir.ForObject:
        """A loop over `d.keys()`, `d.values()` or `d.items()` binding `names` (one name, or two
        for `k, v` of items) around `body_of(defined)`: a comprehension's clause or a reduction
        over the view (lists.py), through Python's own iterator as `for` statements are."""
        t = view.base.type
        types = {"keys": [t.key], "values": [t.value], "items": [t.key, t.value]}[view.view]
        if len(names) == 1 and view.view == "items":
            types = [ir.TupleOf(tuple(types))]
        if len(names) != len(types):
            raise _Reject(node, f"this loop target over d.{view.view}() is not translated (one name, or `k, v` "
                                "over d.items())")
        if UNKNOWN_ELEM in types:
            raise _Pending() if not self.final else _Reject(node, f"the item type of {t} is unknown")
        for name, item in zip(names, types):
            self._record(name, ir.Var(item, name))
        body = body_of(None if defined is None else defined | set(names))
        walks_table = not _may_change_a_dict(body)
        return ir.ForObject(self._line(node), names, types, view.base, view.view, body, walks_table)

    def _lower_for(self, s: nodes.For, defined):
        source = self._object_loop_source(s.iter, defined)
        if source is None:
            return super()._lower_for(s, defined)
        value, view = source
        t = value.type
        types = {"keys": [getattr(t, "key", None)], "values": [getattr(t, "value", None)],
                 "items": [getattr(t, "key", None), getattr(t, "value", None)], "members": [t.item]}[view]
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        if isinstance(s.target, nodes.AssignName):
            targets = [s.target.name]
            if view == "items":
                types = [ir.TupleOf(tuple(types))]
        elif (view == "items" and isinstance(s.target, (nodes.Tuple, nodes.List)) and len(s.target.elts) == 2
              and all(isinstance(e, nodes.AssignName) for e in s.target.elts)
              and s.target.elts[0].name != s.target.elts[1].name):
            targets = [e.name for e in s.target.elts]
        else:
            raise _Reject(s, f"this loop target over {t} is not translated (one name, or `k, v` over d.items())")
        if UNKNOWN_ELEM in types:
            raise _Pending() if not self.final else _Reject(s, f"the item type of {t} is unknown")
        for name, item in zip(targets, types):
            if name in self.param_types:
                raise _Reject(s, f"the loop rebinds the argument `{name}`; not translated")
            self._record(name, ir.Var(item, name))
            if self.env.get(name, item) != item:
                raise _Reject(s, f"loop variable `{name}` is also used with another type")
        self.loop_depth += 1
        body, _, _ = self._block(s.body, defined | set(targets))
        self.loop_depth -= 1
        walks_table = isinstance(t, ir.DictOf) and not _may_change_a_dict(body)
        return [ir.ForObject(self._line(s), targets, types, value, view, body, walks_table)], defined, False

    def _object_loop_source(self, it, defined) -> tuple[ir.Expr, str] | None:
        """(the dict, set or str, how it is iterated) if `it` is one or a dict view call."""
        is_name = isinstance(it, nodes.Name) and (it.name in self.local_names or it.name in self.params)
        is_view = (isinstance(it, nodes.Call) and isinstance(it.func, nodes.Attribute)
                   and it.func.attrname in _DICT_VIEWS and isinstance(it.func.expr, nodes.Name))
        if not (is_name or is_view):
            return None
        value = self._expr(it, defined)
        if isinstance(value, ir.DictView):
            return value.base, value.view
        if isinstance(value.type, ir.DictOf):
            return value, "keys"
        if isinstance(value.type, (ir.SetOf, ir.Str)):
            return value, "members"  # a str: its one-character strs, through Python's iterator
        self.hand_down((it, value))
        return None
