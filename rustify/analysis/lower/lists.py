"""Lists held in place (PyListOf), comprehensions, generator expressions and the builtins
over iterables (sum, min, max, any, all, sorted, list), and `for` over any iterable.

In: astroid nodes of those constructs; out: the IR of ir/__init__.py's lists section.
A Python list reached through another (`row = grid[i]`) is the caller's own object, so
writes through it are Python's (each one reported with `note_object_write`). A
comprehension is one IR expression whose `body` is ordinary loop statements around one
`CompYield`; its variables get names of their own (`x#c<label>`), so they never leak
into the function's scope, as in Python 3. The dict/set family builds its comprehensions
from the same loops (`comprehension_loops`).
"""

from __future__ import annotations

import builtins
import sys
from types import SimpleNamespace

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import UNKNOWN_ELEM, _Pending, _Reject
from rustify.ir import BOOL, FLOAT, INT, NONE, NP_FLOAT64, NP_INT64

# the reducers a generator expression may feed, by builtin
_REDUCERS = {builtins.sum: "sum", builtins.min: "min", builtins.max: "max", builtins.any: "any",
             builtins.all: "all", builtins.sorted: "sorted", builtins.list: "list"}
_ORDERED = (FLOAT, INT, BOOL, NP_FLOAT64, NP_INT64)  # min/max compare these natively
# list methods through the list's own method: name -> result is the item (True) or None
_METHODS = {"pop": True, "index": False, "count": False, "append": None, "extend": None, "insert": None,
            "remove": None, "reverse": None, "sort": None, "clear": None}


def _label(node) -> int:
    """A number naming the node at `node`'s position, stable across passes; the Rust names
    use `_label(node) * 10 + k`: k = 9 a comprehension's block, k < 9 its loops (0: a `for`)."""
    return (node.lineno or 0) * 1000 + (node.col_offset or 0) + 1


def _reboxes_float(t: ir.Type) -> bool:
    """A value of type `t` held natively holds floats that become new objects when boxed."""
    if isinstance(t, ir.Scalar):
        return t.is_float or t == ir.NUMBER
    if isinstance(t, ir.Complex):
        return True
    return isinstance(t, ir.TupleOf) and any(_reboxes_float(i) for i in t.items)


class ListRules:
    """Mixed into `FunctionLowerer`; the handlers named in `constructs.py` for this family."""

    # ------------------------------------------------- ints that cannot overflow

    def int_op_cannot_overflow(self, op: str, a: ir.Expr, b: ir.Expr) -> bool:
        """`a op b` (add or sub) of two ints that are each within +-2**48 is exact in i64: the
        length of a list, str or other object held in memory, a small constant, or a local
        only ever assigned those (`n = len(xs)`; then `n - 1` needs no re-run in Python)."""
        if op not in ("add", "sub"):
            return False
        return (self._bounded(a) and self._bounded(b)) or self.step_sum_cannot_overflow(op, a, b)  # steps.py

    def _bounded(self, e: ir.Expr) -> bool:
        if isinstance(e, ir.Cast) and e.type == INT and e.value.type == BOOL:
            return True
        if e.type != INT:
            return False
        if isinstance(e, ir.Const):
            return abs(e.value) <= 2**32
        if isinstance(e, ir.Call) and e.func == "len":
            return not isinstance(e.args[0].type, ir.Array)  # a broadcast array's shape may be huge
        if isinstance(e, ir.TupleLen):
            return True
        return isinstance(e, ir.Var) and e.name in self._length_locals()

    def _length_locals(self) -> set[str]:
        """Locals whose every assignment is `name = len(x)` or a small int constant (also as
        one item of `a, b = len(x), len(y)`), x not an array."""
        if hasattr(self, "_length_names"):
            return self._length_names
        out = set()
        for name, targets in self.fdef.locals.items():
            if name in self.params:
                continue
            if all(self._assigns_length(t) for t in targets):
                out.add(name)
        self._length_names = out
        return out

    def _assigns_length(self, target) -> bool:
        parent = target.parent
        value = None
        if isinstance(parent, nodes.Assign) and parent.targets == [target]:
            value = parent.value
        elif (isinstance(parent, nodes.Tuple) and isinstance(parent.parent, nodes.Assign)
              and parent.parent.targets == [parent] and isinstance(parent.parent.value, nodes.Tuple)
              and len(parent.parent.value.elts) == len(parent.elts)):
            value = parent.parent.value.elts[parent.elts.index(target)]
        if isinstance(value, nodes.Const):
            return type(value.value) is int and abs(value.value) <= 2**32
        if isinstance(value, nodes.Call) and isinstance(value.func, nodes.Name) and len(value.args) == 1:
            try:
                if self._global(value.func) is not builtins.len:
                    return False
            except _Reject:
                return False
            arg = value.args[0]
            if isinstance(arg, nodes.Name) and isinstance(self.param_types.get(arg.name), ir.Array):
                return False
            if isinstance(arg, nodes.Name) and isinstance(self.env.get(arg.name), ir.Array):
                return False
            return not isinstance(arg, nodes.Name) or arg.name in self.params or arg.name in self.env
        return False

    # ------------------------------------------------------------- scopes

    def _comp_scopes(self) -> dict:
        if not hasattr(self, "_comp_names"):
            self._comp_names: dict[int, dict[str, str]] = {}  # id(comprehension node) -> renames
        return self._comp_names

    def _comprehension_name(self, node: nodes.Name) -> str | None:
        """The name a comprehension gave its own variable `node` (None: not one)."""
        scopes = self._comp_scopes()
        if not scopes:
            return None
        scope, _ = node.lookup(node.name)
        renames = scopes.get(id(scope))
        return renames.get(node.name) if renames is not None else None

    def _store_name(self, s, name: str, value: ir.Expr):
        renames = getattr(self, "_binding_renames", None)
        if renames and name in renames:
            name = renames[name]
        value = self._as_python_list(name, value)
        self.hold_list_argument(s, value)  # `ys = xs` of an argument: one list, two names
        wide = self.env.get(name)
        if (wide == ir.ListOf(ir.NUMBER) and isinstance(value.type, ir.ListOf) and value.type.elem in (INT, FLOAT)
                and isinstance(value, (ir.NewList, ir.CallFunction))):
            value = ir.Cast(wide, value)  # a new list of ints the kernel stores floats into (sequences.py)
        if isinstance(wide, ir.PyListOf):
            value = self._flat_as_python_list(value, wide)  # the local is a Python list (see `_join`)
        source = _root(value) if value.type.is_object else None
        if source is not None and source.name != name and not (
                name in self.local_names and not _immutable(value.type)
                and self.note_object_escape_into(source, ir.Var(value.type, name))):
            self.note_object_escape(source)  # two names reach one object: writes through either show
        stmt = super()._store_name(s, name, value)
        if getattr(value, "holds_shared", False):
            self.shared_objects.add(name)  # a new list holding objects not built here
        return stmt

    # ------------------------------------------- one list, two representations

    def _flat_as_python_list(self, value: ir.Expr, want: ir.PyListOf, returned: bool = False) -> ir.Expr:
        """`value`, a flat (Vec) list that is new (or, `returned`, a local of the kernel's own:
        nothing reads it after the return), as a new Python list of `want`'s items, where it
        meets a Python list at one local or one result (the lists are equal, and no one else
        holds the flat one); anything else unchanged (a local bound to another local's flat
        list would be a copy, not the same list: that stays refused as an alias)."""
        if not isinstance(value.type, ir.ListOf) or value.type.elem not in (want.elem, UNKNOWN_ELEM):
            return value
        if isinstance(value, ir.NewList) and not value.items and value.count is None \
                and not isinstance(value, (ir.ListSlice, ir.Comprehension)):
            return ir.NewPyList(want, [])
        if isinstance(value, (ir.NewList, ir.CallFunction)) or (
                returned and isinstance(value, ir.Var) and value.name in self.local_names):
            return ir.ToPyList(want, value)
        return value

    def _lower_return(self, s, defined):
        """A function that returns a Python list on one path returns one on every path: a flat
        list returned elsewhere becomes a new Python list there (kept across passes)."""
        if isinstance(s.value, nodes.Name) and isinstance(self.env.get(s.value.name), ir.ListOf):
            self.hold_list_argument(s, ir.Var(self.env[s.value.name], s.value.name))  # the caller's own list
        stmts, defined, jumps = super()._lower_return(s, defined)
        ret = stmts[-1]
        t = ret.value.type if ret.value is not None else None
        lists = self.__dict__.setdefault("_py_list_returns", {})
        if isinstance(t, ir.PyListOf) and isinstance(t.elem, ir.Scalar):
            lists.setdefault(t.elem, t)
        elif isinstance(t, ir.ListOf) and t.elem in lists:
            ret.value = self._flat_as_python_list(ret.value, lists[t.elem], returned=True)
            self.returns[-1] = (s, ret.value.type)
        return stmts, defined, jumps

    # -------------------------------------------------------- list values

    # ------------------------------------------- lists that hold numpy scalars

    # ------------------------------------------ flat list arguments held in place

    def hold_aliased_list_arguments(self) -> None:
        """Flat list arguments (list[int], list[float]) that another argument may reach (`f(grid,
        grid[0])`, `f(d, d["a"])`, a list attribute of an object) are the caller's Python lists,
        worked on in place: a copy would miss writes made through the other argument, and the
        other argument would miss writes into the copy. Lists of ints and floats together
        (list[number]) have no in-place form: such a call stays Python (`aliased_number_lists`).
        Called once for a function's own signature (a callee's parameters are its caller's
        variables, typed as they are)."""
        self.aliased_number_lists = []
        flat = [p for p, t in self.param_types.items() if isinstance(t, ir.ListOf)]
        for p in flat:
            elem = self.param_types[p].elem
            if any(q != p and not isinstance(t, ir.ListOf) and _may_reach_list(t, elem)
                   for q, t in self.param_types.items()):
                if elem in (INT, FLOAT):
                    self.param_types[p] = self.env[p] = ir.PyListOf(elem)
                else:
                    self.aliased_number_lists.append(p)
        for p in flat:  # a flat sibling of the same items may be that same list: in place too
            t = self.param_types[p]
            if isinstance(t, ir.ListOf) and ir.PyListOf(t.elem) in self.param_types.values() and t.elem in (INT, FLOAT):
                self.param_types[p] = self.env[p] = ir.PyListOf(t.elem)

    def hold_list_argument(self, node, base: ir.Expr) -> None:
        """The flat list argument `base` is used where its identity shows (a method of the list's
        own, `del`, slice assignment, returned or stored into another object): from now on it is
        the caller's Python list, worked on in place; the statement is lowered again in the next
        pass. Anything else: nothing to do."""
        if not (isinstance(base, ir.Var) and base.name in self.param_types and isinstance(base.type, ir.ListOf)
                and self.param_types[base.name] == base.type and base.type.elem in (INT, FLOAT)):
            return
        if getattr(self, "lent_parameters", False):
            raise _Reject(node, f"`{base.name}` is a flat list its caller lends (a copy of its items): its identity "
                                "would show here; not translated")
        elem = base.type.elem
        for p, t in self.param_types.items():  # a flat sibling of the same items may be the same list
            if t == ir.ListOf(elem):
                self.param_types[p] = self.env[p] = ir.PyListOf(elem)
        raise _Pending() if not self.final else _Reject(node, "the list's representation did not settle")

    def _python_lists(self) -> dict[str, ir.Scalar]:
        """Flat-list locals held as Python lists instead (name -> item type): a list that
        escapes into another object (its identity must be Python's), or one that numpy
        scalars are stored into (CPython keeps those objects). Kept across passes, so the
        fixed point settles on that representation."""
        if not hasattr(self, "_py_lists"):
            self._py_lists: dict[str, ir.Scalar] = {}
        return self._py_lists

    def _hold_as_python_list(self, s, name: str, elem: ir.Scalar) -> None:
        """From now on the flat list local `name` is a Python list of `elem` items: the
        statement is lowered again in the next pass."""
        lists = self._python_lists()
        if elem == ir.NUMBER:
            raise _Reject(s, f"`{name}` holds ints and floats and would be held as a Python list (it escapes "
                             "into another object): not translated")
        if lists.get(name, elem) != elem:
            raise _Reject(s, f"a list holding {lists[name]} and {elem} items; not translated")
        lists[name] = elem
        # another pass follows; the local was a new list (a flat list is bound only when new),
        # so it stays the kernel's own until it escapes
        self._record(name, ir.NewPyList(ir.PyListOf(elem), []))
        raise _Pending() if not self.final else _Reject(s, "the list's representation did not settle")

    def _stores_numpy_scalar(self, s, base, value: ir.Expr) -> bool:
        """`value`, a numpy float64/int64, goes into the flat list `base` (a local): from now on
        `base` is a Python list (CPython keeps the numpy scalar objects in it, and a list first
        filled with `0.0` holds both kinds until every slot is overwritten). Into a list
        argument (held as a copy of its numbers) it is rejected: the caller's list would hold
        plain numbers where Python puts numpy scalars."""
        if not (isinstance(base, ir.Var) and isinstance(base.type, ir.ListOf)
                and value.type in (NP_FLOAT64, NP_INT64)):
            return False
        if base.name in self.param_types:
            raise _Reject(s, f"a {value.type} stored into the list argument `{base.name}`: Python keeps the "
                             "numpy scalar in the caller's list, whose native copy holds plain numbers; not translated")
        self._hold_as_python_list(s, base.name, value.type)
        return True

    def _as_python_list(self, name: str, value: ir.Expr) -> ir.Expr:
        """The new list bound to a local `name` held as a Python list (see `_python_lists`),
        built as one. For a list of numpy scalars, a fill item of the plain type (the `0.0`
        of `[0.0] * n` not yet overwritten) re-runs the call in Python when read."""
        elem = self._python_lists().get(name)
        if elem is None or not isinstance(value.type, ir.ListOf):
            return value
        if isinstance(value, (ir.Comprehension, ir.ListSlice)) or not isinstance(value, ir.NewList):
            return ir.ToPyList(ir.PyListOf(elem), value) if isinstance(value, ir.NewList) else value
        plain = {NP_FLOAT64: FLOAT, NP_INT64: INT}.get(elem, elem)
        if value.type.elem not in (elem, plain, UNKNOWN_ELEM):
            return value
        if value.type.elem != elem and value.type.elem != UNKNOWN_ELEM:
            self.may_deopt = True  # a read of a fill item that was never overwritten
        return ir.NewPyList(ir.PyListOf(elem), value.items, value.count)

    def _new_list(self, node, items: list[ir.Expr], count) -> ir.Expr:
        if all(isinstance(i.type, ir.Scalar) and i.type not in (BOOL, ir.Scalar("np.bool"), NP_FLOAT64, NP_INT64)
               for i in items):
            return super()._new_list(node, items, count)
        elems = list(dict.fromkeys(self._container_item(node, i.type) for i in items))
        if len(elems) != 1:
            raise _Reject(node, f"a list of {', '.join(map(str, elems))} items mixes types; not translated")
        self._building_shared = False
        # `g = [row, row]` of a local: the items are linked to `g`, as `g.append(row)` links them
        # (shared only if `g` is: a re-run in Python discards objects only the kernel's locals reach)
        bound = _bound_local(node)
        container = ir.Var(ir.PyListOf(elems[0]), bound) if bound in self.local_names else None
        stored = [self._as_item(node, i, container) for i in items]
        return ir.NewPyList(ir.PyListOf(elems[0]), stored, count, holds_shared=self._building_shared)

    def _container_item(self, node, t: ir.Type) -> ir.Type:
        """The IR type an item of `t` has inside a Python container (a Vec list becomes a list)."""
        if isinstance(t, ir.ListOf):
            return ir.PyListOf(t.elem)
        if isinstance(t, ir.Scalar) and not t.in_containers:
            raise _Reject(node, f"{t} items in a Python list are not translated")
        if isinstance(t, (ir.Array, ir.NoneType, ir.Complex)) or t == UNKNOWN_ELEM:
            raise _Reject(node, f"a list of {t} is not translated")
        return t

    def _as_item(self, node, value: ir.Expr, container: ir.Expr | None = None) -> ir.Expr:
        """`value` as stored into a Python container (`container`; None: a list being built,
        which then `holds_shared` if this is an object not built here): a Vec list becomes a
        new Python list. The stored object (and whatever it was reached from) is shared from
        now on; so is a container that receives an object not built here (writes reached
        through either are visible to the caller)."""
        if isinstance(value.type, ir.ListOf):
            if isinstance(value, ir.Var) and value.type.elem == UNKNOWN_ELEM:
                raise _Pending() if not self.final else _Reject(node, f"the item type of `{value.name}` is unknown")
            if isinstance(value, ir.Var) and value.name in self.local_names:
                self._hold_as_python_list(node, value.name, value.type.elem)  # one object in both places
            self.hold_list_argument(node, value)  # an argument's list: the caller's object in both places
            if not isinstance(value, ir.NewList):
                raise _Reject(node, f"the list {value.type} stored into another list would need to be one "
                                    "Python object in both places; not translated")
            return ir.ToPyList(ir.PyListOf(value.type.elem), value)
        source = _root(value)
        root = _root(container) if container is not None else None
        if (source is not None and value is source and root is not None and not _immutable(value.type)
                and self.note_object_escape_into(source, root)):
            return value  # a local stored into a local: shared only if either is (`_visible_writes`)
        if source is not None and not (isinstance(value, ir.ListSlice) and _immutable(value.type.item)):
            self.note_object_escape(source)  # (a slice of ints or str shares nothing with its list)
        outside = value.type.is_object and not _immutable(value.type) and (
            not isinstance(value, ir.NewObject) or getattr(value, "holds_shared", False))
        if outside:
            if root is not None:
                self.shared_objects.add(root.name)
            elif container is None:
                self._building_shared = True
            else:
                pass  # a container that is no variable's: its writes count as visible anyway
        return value

    # ------------------------------------------------------------ indexing

    def _assign(self, s, target, value_node, defined):
        if not (isinstance(target, nodes.Subscript) and isinstance(target.slice, nodes.Slice)):
            return super()._assign(s, target, value_node, defined)
        value = self._expr(value_node, defined)  # Python evaluates the value first
        base = self._expr(target.value, defined)
        if not self._python_list_for_slice(s, base):
            self.hand_down((value_node, value), (target.value, base))
            return super()._assign(s, target, value_node, defined)
        elem = base.type.elem
        if isinstance(value.type, ir.ListOf) and value.type.elem in (elem, UNKNOWN_ELEM):
            value = ir.ToPyList(base.type, value)  # the items are copied in, as Python does
        if not (isinstance(value.type, ir.PyListOf) and value.type.elem == elem):
            raise _Reject(s, f"assigning {value.type} to a slice of a list of {elem} is not translated "
                             "(a list of the same item type is)")
        if not _immutable(elem):
            self._as_item(s, value, base)  # its items are now in `base` too
        return [self._slice_store(s, target, base, value, defined)], defined, False

    def _python_list_for_slice(self, s, base: ir.Expr) -> bool:
        """`base` (a slice assignment's or `del`'s list) is a Python list; a flat local list becomes one."""
        if isinstance(base, ir.Var) and isinstance(base.type, ir.ListOf) and base.name in self.local_names \
                and base.type.elem != UNKNOWN_ELEM:
            self._hold_as_python_list(s, base.name, base.type.elem)
        self.hold_list_argument(s, base)  # an argument's list: the caller's own, changed in place
        return isinstance(base.type, ir.PyListOf)

    def _slice_store(self, s, target, base: ir.Expr, value: ir.Expr | None, defined) -> ir.Stmt:
        sl = target.slice
        lo, hi, step = [None if b is None or (isinstance(b, nodes.Const) and b.value is None)
                        else self._int_arg(b, defined) for b in (sl.lower, sl.upper, sl.step)]
        stmt = ir.StoreSlice(self._line(s), base, lo, hi, step, value)
        self.note_object_write(s, _root(base) or base, self.undoable_write(base, stmt))
        return stmt

    def _subscript_parts(self, node: nodes.Subscript, defined):
        base = self._expr(node.value, defined)
        if isinstance(base.type, ir.PyListOf):
            if isinstance(node.slice, nodes.Slice):
                raise _Reject(node, "slice assignment is not translated")
            return base, self._int_arg(node.slice, defined)
        self.hand_down((node.value, base))
        return super()._subscript_parts(node, defined)

    def _lower_subscript(self, node: nodes.Subscript, defined) -> ir.Expr:
        if isinstance(node.slice, nodes.Slice):
            base = self._expr(node.value, defined)
            if isinstance(base.type, (ir.PyListOf, ir.ListOf)):
                return self._slice(node, base, node.slice, defined)
            self.hand_down((node.value, base))
        return super()._lower_subscript(node, defined)

    def _index(self, node, base, index: ir.Expr) -> ir.Expr:
        if isinstance(base.type, ir.PyListOf):
            return ir.Index(base.type.elem, base, index)
        return super()._index(node, base, index)

    def _store_index(self, s, target, base, index: ir.Expr, value: ir.Expr):
        self._stores_numpy_scalar(s, base, value)
        if not isinstance(base.type, ir.PyListOf):
            return super()._store_index(s, target, base, index, value)
        value = self._item_value(s, base, value)
        stmt = ir.StoreItem(self._line(s), base, index, value)
        self.note_object_write(s, _root(base) or base, self.undoable_write(base, stmt))
        return stmt

    def _item_value(self, s, base: ir.Expr, value: ir.Expr) -> ir.Expr:
        """`value` for storing into the Python list `base`: exactly its item type (Python
        stores the value itself, so an int stays an int: no conversion here)."""
        elem = base.type.elem
        stored = self._as_item(s, value, base)
        if stored.type != elem:
            raise _Reject(s, f"storing {value.type} into a list of {elem} makes a mixed list; not translated")
        return stored

    def _slice(self, node, base: ir.Expr, sl: nodes.Slice, defined) -> ir.Expr:
        lo, hi, step = [None if p is None else self._int_arg(p, defined) for p in (sl.lower, sl.upper, sl.step)]
        return ir.ListSlice(base.type, base=base, lo=lo, hi=hi, step=step,
                            holds_shared=isinstance(base.type, ir.PyListOf))

    # -------------------------------------------------------------- loops

    def _lower_for(self, s: nodes.For, defined):
        if s.orelse or self._zip_call(s.iter) is not None or self._is_builtin_call(s.iter, range):
            return super()._lower_for(s, defined)
        reversed_list = self._reversed_list(s.iter, defined)
        if reversed_list is not None:  # `for x in reversed(xs)`: over `xs[::-1]` while nothing writes a list
            self.loop_depth += 1
            try:
                loop = self._iter_loop(s, reversed_list, s.target, defined, lambda d: self._block(s.body, d)[0], {})
            finally:
                self.loop_depth -= 1
            if _may_write_a_list(loop.body, reversed_list.base):
                raise _Reject(s, "`for ... in reversed(xs)` whose body may change a list (Python's reversed "
                                 "iterator sees the changes): not translated")
            return [loop], defined, False
        if self._is_builtin_call(s.iter, reversed):
            return super()._lower_for(s, defined)
        seq = self._expr(s.iter, defined)
        if isinstance(seq, ir.Var) and isinstance(seq.type, (ir.ListOf, ir.Array)) \
                and isinstance(s.target, nodes.AssignName):
            self.hand_down((s.iter, seq))
            return super()._lower_for(s, defined)
        self.loop_depth += 1
        try:
            loop = self._iter_loop(s, seq, s.target, defined, lambda d: self._block(s.body, d)[0], {})
        finally:
            self.loop_depth -= 1
        return [loop], defined, False

    def _reversed_list(self, node, defined) -> ir.Expr | None:
        """`reversed(xs)` of a list variable as `xs[::-1]` (the same items, last to first: a new
        list, so a caller must see that nothing changes a list while it is read), or None when
        `node` is something else (`reversed(range(n))` among them)."""
        if not (self._is_builtin_call(node, reversed) and len(node.args) == 1 and not node.keywords
                and isinstance(node.args[0], nodes.Name)):
            return None
        seq = self._expr(node.args[0], defined)
        if not (isinstance(seq, ir.Var) and isinstance(seq.type, (ir.ListOf, ir.PyListOf))):
            self.hand_down((node.args[0], seq))
            return None
        return ir.ListSlice(seq.type, base=seq, step=ir.Const(INT, -1), holds_shared=isinstance(seq.type, ir.PyListOf))

    def _iter_loop(self, s, seq: ir.Expr, target, defined, body_of, renames: dict, label: int = 0) -> ir.Stmt:
        """A `ForIter` over `seq` binding `target` (names renamed by `renames`); `body_of(defined)`
        gives the body's statements; `label` names its Rust locals (default: from `s`)."""
        item = self._iter_item(s, seq)
        label = label or _label(s) * 10
        value = ir.LoopItem(item, self._line(s), label)
        bind, names = self._bind_target(s, target, value, defined, renames)
        return ir.ForIter(self._line(s), seq, bind, body_of(defined | names), label)

    def _iter_item(self, node, seq: ir.Expr) -> ir.Type:
        t = seq.type
        if isinstance(t, ir.TupleOf):
            if not t.items or len(set(t.items)) != 1:
                raise _Reject(node, f"`for` over a tuple of {t}: the item type would change from step to step")
            return t.items[0]
        if isinstance(t, ir.Array):
            raise _Reject(node, "`for` over an array that is not a variable is not translated")
        if isinstance(t, (ir.ListOf, ir.PyObjectType)):
            item = t.item
            if item == UNKNOWN_ELEM:
                raise _Pending() if not self.final else _Reject(node, "the element type of the list is unknown")
            if item is None:
                raise _Reject(node, f"iterating over {t} is not translated")
            return item
        raise _Reject(node, f"iterating over {t} is not translated")

    def _bind_target(self, s, target, value: ir.Expr, defined, renames: dict):
        """The statement binding `value` to the loop target, and the names it binds."""
        saved = getattr(self, "_binding_renames", None)
        self._binding_renames = renames
        try:
            if isinstance(target, nodes.AssignName):
                return self._store_name(s, target.name, value), {renames.get(target.name, target.name)}
            stores, names = self._unpack(s, target, value.type, (), defined)
            return ir.Unpack(self._line(s), value, stores), {renames.get(n, n) for n in names}
        finally:
            self._binding_renames = saved

    # ------------------------------------------------------ comprehensions

    def _lower_list_comp(self, node: nodes.ListComp, defined) -> ir.Expr:
        return self._comprehension(node, "list", defined)

    def _lower_generator_exp(self, node: nodes.GeneratorExp, defined) -> ir.Expr:
        raise _Reject(node, "a generator expression is translated only as the argument of sum, min, max, "
                            "any, all, sorted or list")

    def _comprehension(self, node, kind: str, defined, start: ir.Expr | None = None) -> ir.Comprehension:
        """`node` (a ListComp or GeneratorExp) consumed as `kind`."""
        label = _label(node) * 10 + 9  # the block and its accumulator
        renames: dict[str, str] = {}
        self._comp_scopes()[id(node)] = renames
        result: dict = {}

        def innermost(d):
            value = self._expr(node.elt, d)
            result["value"] = value
            return [ir.CompYield(self._line(node), label, kind, value)]

        body = self.comprehension_loops(node, node.generators, defined, renames, innermost)
        value = result.get("value")
        if value is None:
            raise _Pending()
        comp_type, start, empty_deopts = self._reduced_type(node, kind, value, start)
        self._building_shared = False
        for y in _yields(body):
            y.acc = comp_type
            y.value = self._yielded(node, kind, comp_type, y.value)
        return ir.Comprehension(comp_type, kind=kind, body=body, label=label, start=start,
                                empty_deopts=empty_deopts, holds_shared=self._building_shared)

    def comprehension_loops(self, node, generators, defined, renames: dict, innermost) -> list[ir.Stmt]:
        """The loops of a comprehension's `for ... if ...` clauses, outermost first, around
        `innermost(defined)` (a list of statements); the loop variables are renamed into
        `renames` (`x` -> `x#c<label>`), so they are the comprehension's own."""
        if not generators:
            return innermost(defined)
        gen, rest = generators[0], generators[1:]
        if gen.is_async:
            raise _Reject(node, "async comprehensions are not translated")
        for name in (n.name for n in gen.target.nodes_of_class(nodes.AssignName)):
            renames[name] = f"{name}#c{_label(node)}"
            self.local_names.add(name)  # a variable, not a global, where `w.lower()` asks

        def body_of(d):
            inner = self.comprehension_loops(node, rest, d, renames, innermost)
            for cond in reversed(gen.ifs):
                inner = [ir.If(self._line(node), self._truth(self._expr(cond, d)), inner, [])]
            return inner

        it = gen.iter
        if self._is_builtin_call(it, range) and isinstance(gen.target, nodes.AssignName):
            return [self._comp_range(node, gen, defined, renames, body_of)]
        if self._zip_call(it) is not None:  # `for x, y in zip(a, b)`: tuples.py
            return [self.zip_loop(node, it, lambda value, d: self._bind_target(node, gen.target, value, d, renames),
                                  defined, body_of)]
        seq = self._expr(it, defined)
        if isinstance(seq, ir.DictView):  # `for v in d.values()`, `for k, v in d.items()`: dicts.py
            target = gen.target
            elts = target.elts if isinstance(target, (nodes.Tuple, nodes.List)) else [target]
            if not all(isinstance(e, nodes.AssignName) for e in elts) or len({e.name for e in elts}) != len(elts):
                raise _Reject(node, "this loop target over a dict view is not translated (one name, or `k, v`)")
            return [self.dict_view_loop(node, seq, [renames[e.name] for e in elts], defined, body_of)]
        if isinstance(seq, ir.Var) and isinstance(seq.type, (ir.ListOf, ir.Array)) \
                and getattr(seq.type, "is_slice", True) and isinstance(gen.target, nodes.AssignName):
            var = renames[gen.target.name]
            self._record(var, ir.Var(self._iter_item(node, seq), var))
            return [ir.ForEach(self._line(node), var, seq.name, body_of(_plus(defined, var)))]
        label = _label(node) * 10 + len(node.generators) - len(generators)  # one per `for` clause
        return [self._iter_loop(node, seq, gen.target, defined, body_of, renames, label)]

    def _comp_range(self, node, gen, defined, renames, body_of) -> ir.ForRange:
        it = gen.iter
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise _Reject(node, "range() with 1 to 3 positional arguments only")
        args = [self._int_arg(a, defined) for a in it.args]
        one, zero = ir.Const(INT, 1), ir.Const(INT, 0)
        start, stop, step = ((zero, args[0], one) if len(args) == 1 else
                             (args[0], args[1], one) if len(args) == 2 else args)
        var = renames[gen.target.name]
        self._record(var, ir.Var(INT, var))
        return ir.ForRange(self._line(node), var, start, stop, step, body_of(_plus(defined, var)))

    def _reduced_type(self, node, kind: str, value: ir.Expr, start):
        """(the comprehension's type, sum's start cast to it, an empty sum re-runs in Python)."""
        t = value.type
        if kind == "list":
            if isinstance(t, ir.Scalar) and t in (FLOAT, INT):
                return ir.ListOf(t), None, False
            return ir.PyListOf(self._container_item(node, t)), None, False
        if kind == "sorted":
            return ir.PyListOf(self._container_item(node, t)), None, False
        if kind in ("any", "all"):
            self._truth(value)
            return BOOL, None, False
        if kind in ("min", "max"):
            if t not in _ORDERED:
                raise _Reject(node, f"{kind}() of {t} items is not translated")
            return t, None, False
        # sum
        if t not in (FLOAT, INT, BOOL, NP_FLOAT64):
            raise _Reject(node, f"sum() of {t} items is not translated")
        if t.is_float and sys.version_info >= (3, 12):
            raise _Reject(node, "sum() of floats on Python 3.12+ is compensated (Neumaier); not translated")
        item = INT if t == BOOL else t
        if start is None:
            start = ir.Const(INT, 0)
        if not isinstance(start.type, ir.Scalar) or start.type not in (INT, FLOAT, BOOL):
            raise _Reject(node, f"sum() with a start of {start.type} is not translated")
        start_t = INT if start.type == BOOL else start.type
        if item == NP_FLOAT64 and start_t != INT:
            raise _Reject(node, "sum() of numpy.float64 items with a start is not translated")
        result = item if item == NP_FLOAT64 else rules.promote(start_t, item)
        if item == NP_FLOAT64:
            self.note_fp_status()  # numpy's overflow warning of its scalar adds
        self.may_deopt = True  # an int sum past 64 bits, or an empty float sum (gives the int start)
        return result, self._cast(start, item if item == NP_FLOAT64 else result), result != start_t

    def _yielded(self, node, kind: str, comp_type, value: ir.Expr) -> ir.Expr:
        if kind in ("any", "all"):
            return self._truth(value)
        if kind == "sum":
            return self._cast(value, comp_type if comp_type != NP_FLOAT64 else NP_FLOAT64)
        if kind in ("list", "sorted") and isinstance(comp_type, ir.PyListOf):
            return self._as_item(node, value)
        return value

    # ------------------------------------------------- builtins over iterables

    def _iterable_builtin_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """sum/min/max/any/all/sorted/list over a generator expression or any iterable; None
        if `node` calls something else (or min/max of several values: the intrinsic's)."""
        if not isinstance(node.func, nodes.Name) or node.func.name in self.local_names \
                or node.func.name in self.params:
            return None
        try:
            target = self._global(node.func)
        except _Reject:
            return None
        if (target is builtins.set and len(node.args) == 1 and not node.keywords
                and isinstance(node.args[0], nodes.GeneratorExp)):
            return self._object_comprehension(node.args[0], defined)  # set(genexpr): as {x for ...} (dicts.py)
        if target is builtins.tuple:
            return self._new_tuple_object(node, defined)
        if (target is builtins.dict and len(node.args) == 1 and not node.keywords
                and self._zip_call(node.args[0]) is not None):
            return self.dict_of_pairs(node, node.args[0], defined)  # dict(zip(ks, vs)): dicts.py
        kind = _REDUCERS.get(target)
        if kind is None:
            return None
        if any(isinstance(a, nodes.Name) and self.env.get(a.name) == ir.ListOf(ir.NUMBER) for a in node.args):
            raise _Reject(node, f"`{node.func.name}` over a list holding ints and floats is not translated "
                                "(its items' types would show)")
        keywords = {k.arg: k.value for k in node.keywords}
        if kind in ("min", "max") and len(node.args) != 1:
            return None  # min(a, b): the intrinsic
        allowed = {"sum": {"start"}, "sorted": {"reverse", "key"}, "min": {"key"}, "max": {"key"}}.get(kind, set())
        for k in keywords:
            if k not in allowed:
                raise _Reject(node, f"{kind}() with the keyword `{k}` is not translated")
        args = list(node.args)
        if kind == "list" and not args:
            return ir.NewList(ir.ListOf(UNKNOWN_ELEM), [])
        max_args = 2 if kind == "sum" else 1
        if not 1 <= len(args) <= max_args:
            raise _Reject(node, f"{kind}() takes {'an iterable and a start' if kind == 'sum' else 'one iterable'}")
        start = None
        if kind == "sum" and (len(args) == 2 or "start" in keywords):
            start = self._expr(args[1] if len(args) == 2 else keywords["start"], defined)
        source = args[0]
        reverse = False
        if "reverse" in keywords:
            rv = keywords["reverse"]
            if not (isinstance(rv, nodes.Const) and isinstance(rv.value, bool)):
                raise _Reject(node, "sorted(reverse=) must be True or False")
            reverse = rv.value
        if "key" in keywords and not (isinstance(keywords["key"], nodes.Const) and keywords["key"].value is None):
            return self.keyed_call(node, kind, source, keywords["key"], reverse, defined)  # keys.py
        if isinstance(source, (nodes.GeneratorExp, nodes.ListComp)) and kind != "list":
            comp = self._comprehension(source, "list" if kind == "sorted" else kind, defined, start)
            if kind == "sorted":
                comp = ir.Comprehension(ir.PyListOf(comp.type.item), kind="list", body=comp.body, label=comp.label)
                self._building_shared = False
                for y in _yields(comp.body):
                    y.acc = comp.type
                    y.value = self._as_item(source, y.value)
                comp.holds_shared = self._building_shared
                return ir.Sorted(comp.type, comp, reverse, holds_shared=comp.holds_shared,
                                 nan_check=self._sort_nan_check(comp.type.item))
            return comp
        if isinstance(source, nodes.GeneratorExp):  # list(genexpr)
            return self._comprehension(source, "list", defined)
        if self._is_builtin_call(source, map):
            return self._reduce_map(node, kind, source, defined, start, reverse)
        return self._reduce_iterable(node, kind, source, defined, start, reverse)

    def _new_tuple_object(self, node: nodes.Call, defined) -> ir.Expr:
        """`tuple()`, and `tuple(genexpr)`, `tuple([comprehension])` or `tuple(xs)` of a list: a new
        tuple object of the list's items, in order (`ir.PyTupleOf`, any length)."""
        if node.keywords or len(node.args) > 1:
            raise _Reject(node, "tuple() takes at most one argument")
        if not node.args:
            return ir.NewTuple(ir.TupleOf(()), [])
        (source,) = node.args
        if isinstance(source, (nodes.GeneratorExp, nodes.ListComp)):
            items = self._comprehension(source, "list", defined)
        else:
            items = self._expr(source, defined)
            if not isinstance(items.type, (ir.ListOf, ir.PyListOf)):
                raise _Reject(node, f"tuple() of {items.type} is not translated (of a generator expression, a "
                                    "list comprehension or a list it is)")
        elem = items.type.elem
        if elem == UNKNOWN_ELEM:
            raise _Pending() if not self.final else _Reject(node, "the item type of tuple()'s argument is unknown")
        if isinstance(items.type, ir.ListOf) and elem not in (INT, FLOAT):
            raise _Reject(node, f"tuple() of a list of {elem} is not translated")
        if isinstance(items.type, ir.PyListOf) and not isinstance(items, ir.NewObject):
            self._as_item(node, items)  # the tuple holds the list's own item objects
        self.uses_objects = True
        return ir.ListToTuple(ir.PyTupleOf(elem), items)

    def _reduce_map(self, node, kind: str, call: nodes.Call, defined, start, reverse: bool) -> ir.Expr:
        """`kind` over `map(f, xs)`: the reduction of `f(x) for x in xs`, `f` a builtin the
        translator knows of one argument (`sum(map(sum, rows))`, `max(map(abs, xs))`). map()
        looks `f` up once and the generator every step; a translated function's globals are
        guarded, so both see the same `f`."""
        if call.keywords or len(call.args) != 2:
            raise _Reject(call, "map() of one function and one iterable only is translated")
        func, source = call.args
        if not isinstance(func, nodes.Name) or func.name in self.local_names or func.name in self.params:
            raise _Reject(call, "map() of a builtin named directly (`map(abs, xs)`) only is translated")
        target = self._global(func)
        reducer = _REDUCERS.get(target)
        if reducer in ("sum", "min", "max", "any", "all"):
            def apply(item):  # an inner reduction, named after the map() call
                return self._reduce_iterable(call, reducer, None, defined, None, False, seq=item)
        else:
            from rustify.analysis.intrinsics import resolve_intrinsic

            intrinsic = resolve_intrinsic(target)
            if intrinsic is None or intrinsic.raw_args or intrinsic.shape_arg:
                raise _Reject(call, f"map() of `{func.name}` is not translated (of sum, min, max, any, all and "
                                    "the builtins of one argument the translator knows it is)")

            def apply(item):
                return intrinsic.lower(self, call, [item])
        return self._reduce_iterable(node, kind, source, defined, start, reverse, apply=apply)

    def _reduce_iterable(self, node, kind: str, source, defined, start, reverse: bool, *,
                         seq: ir.Expr | None = None, apply=None) -> ir.Expr:
        """`kind` over a value that is not a generator expression: a range, a list, any iterable
        (the node `source`, or the value `seq` already lowered); `apply(item)` maps each item."""
        label = _label(node) * 10 + 9
        var = f"item#c{label}"
        if self._is_builtin_call(source, range) and kind == "list":
            it = source
            if it.keywords or not 1 <= len(it.args) <= 3:
                raise _Reject(node, "range() with 1 to 3 positional arguments only")
        value_holder: dict = {}

        def innermost(d):
            value = self._var(var, node)
            if apply is not None:
                value = apply(value)
            value_holder["v"] = value
            return [ir.CompYield(self._line(node), label, kind, value)]

        if seq is None and self._is_builtin_call(source, range):
            fake = _FakeGen(source, var)
            body = [self._comp_range(node, fake, defined, {var: var}, innermost)]
        elif seq is None and apply is None and self._zip_call(source) is not None:
            # `list(zip(a, b))`, `sorted(zip(a, b))`: the tuples of the loop over zip() (tuples.py)
            def bind(value, d):
                if kind == "sorted" and _reboxes_float(value.type):
                    raise _Reject(node, "sorted() of zip() with float items is not translated: the tuples "
                                        "hold new float objects, and Python's tuple comparison asks `is` first")
                return self._store_name(node, var, value), {var}
            self.local_names.add(var)
            body = [self.zip_loop(source, source, bind, defined, innermost)]
        else:
            if seq is None:  # `sum(reversed(xs))`, `list(reversed(xs))`: the items of `xs[::-1]`
                seq = self._reversed_list(source, defined)
            seq = self._expr(source, defined) if seq is None else seq
            if apply is not None or isinstance(seq, ir.DictView):
                pass  # the items are mapped: no shortcut over the list itself
            elif kind == "sorted" and isinstance(seq.type, ir.ListOf) and seq.type.elem in (FLOAT, INT):
                if seq.type.elem == FLOAT:
                    self.may_deopt = True  # a NaN re-runs in Python
                return ir.SortedVec(seq.type, value=seq, reverse=reverse)
            elif kind in ("sorted", "list") and isinstance(seq.type, ir.PyListOf):
                copy = ir.ListSlice(seq.type, base=seq)  # the same item objects, as Python's list(xs)
                if kind == "list":
                    return copy
                return ir.Sorted(seq.type, copy, reverse, holds_shared=True, nan_check=self._sort_nan_check(seq.type.item))
            if isinstance(seq, ir.DictView):  # sum(d.values()), sorted(d.items()): dicts.py
                body = [self.dict_view_loop(node, seq, [var], defined, innermost)]
            else:
                item = self._iter_item(node, seq)
                self._record(var, ir.Var(item, var))
                if isinstance(seq, ir.Var) and isinstance(seq.type, (ir.ListOf, ir.Array)) \
                        and getattr(seq.type, "is_slice", True):
                    body = [ir.ForEach(self._line(node), var, seq.name, innermost(_plus(defined, var)))]
                else:
                    li = ir.LoopItem(item, self._line(node), label - 1)
                    body = [ir.ForIter(self._line(node), seq, ir.Assign(self._line(node), var, li),
                                       innermost(_plus(defined, var)), label - 1)]
        value = value_holder.get("v")
        if value is None:
            raise _Pending()
        comp_kind = "list" if kind == "sorted" else kind
        comp_type, start, empty_deopts = self._reduced_type(node, comp_kind, value, start)
        if kind == "sorted" and not isinstance(comp_type, ir.PyListOf):
            comp_type = ir.PyListOf(comp_type.item)
        self._building_shared = False
        for y in _yields(body):
            y.kind = comp_kind
            y.acc = comp_type
            y.value = self._yielded(node, comp_kind, comp_type, y.value)
        comp = ir.Comprehension(comp_type, kind=comp_kind, body=body, label=label, start=start,
                                empty_deopts=empty_deopts, holds_shared=self._building_shared)
        if kind != "sorted":
            return comp
        return ir.Sorted(comp_type, comp, reverse, holds_shared=comp.holds_shared,
                         nan_check=self._sort_nan_check(comp_type.item))

    def _sort_nan_check(self, item: ir.Type) -> bool:
        """Whether a sort of items of type `item` (or `in`, `index`, `count`, `remove` of a list
        of them) must first look for NaNs (and re-run in Python where two items meet that hold
        one): items that are lists or tuples holding floats. Their comparison asks `x is y` of the
        floats first, and a float the kernel boxed is a new object where Python's may be the one it
        read (`sorted([(xs[i], -i) for i in ...])` of two NaNs would differ)."""
        from rustify.analysis.lower.equality import may_hold_float

        needed = isinstance(item, (ir.TupleOf, ir.PyTupleOf, ir.PyListOf, ir.ListOf, ir.SetOf, ir.DictOf)) \
            and may_hold_float(item)
        self.may_deopt |= needed
        return needed

    # ----------------------------------------------------------- membership

    def _compare(self, node: nodes.Compare, defined) -> ir.Expr:
        if len(node.ops) == 1 and node.ops[0][0] in ("in", "not in"):
            right = self._expr(node.ops[0][1], defined)
            if isinstance(right.type, (ir.PyListOf, ir.ListOf)):
                item = self._expr(node.left, defined)
                found = self._list_contains(node, right, item)
                return found if node.ops[0][0] == "in" else ir.UnaryOp(BOOL, "not", found)
            self.hand_down((node.ops[0][1], right))
        return super()._compare(node, defined)

    def _list_contains(self, node, seq: ir.Expr, item: ir.Expr) -> ir.Expr:
        """`item in seq`: the list's own `__contains__` (identity, then ==) for a Python list;
        on a flat Vec list of ints a native scan, of floats too unless `item` is NaN (a NaN
        object may be the one in the list: identity decides in Python, so that re-runs)."""
        elem = seq.type.item
        if isinstance(seq.type, ir.PyListOf):
            if isinstance(item.type, ir.ListOf):  # compared by value: a new Python list will do
                item = ir.ToPyList(ir.PyListOf(item.type.elem), item)
            else:
                self._as_item(node, item)
            if self._container_item(node, item.type) != elem:
                raise _Reject(node, f"`in` of {item.type} in a list of {elem} is not translated")
            return ir.ListMethod(BOOL, seq, "__contains__", [item], nan_check=self._sort_nan_check(elem))
        if item.type != elem:
            raise _Reject(node, f"`in` of {item.type} in a list of {elem} is not translated")
        if elem.is_float:
            self.may_deopt = True
        return ir.ListMethod(BOOL, seq, "contains", [item])

    # --------------------------------------------------------- list methods

    def _list_method_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`xs.pop()`, `xs.index(v)`, ... on a Python list held in place; None otherwise."""
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in _METHODS:
            return None
        if isinstance(func.expr, nodes.Name) and (func.expr.name not in self.local_names
                                                   and func.expr.name not in self.params):
            return None  # a module's function
        base = self._expr(func.expr, defined)
        if (isinstance(base, ir.Var) and isinstance(base.type, ir.ListOf) and base.name in self.local_names
                and func.attrname != "append" and base.type.elem != UNKNOWN_ELEM):
            method = self._vec_method(node, base, defined)
            if method is not None:
                return method
            self._hold_as_python_list(node, base.name, base.type.elem)  # its methods are the list's own
        if func.attrname != "append":
            self.hold_list_argument(node, base)  # an argument's list: its methods are the caller's list's own
        if not isinstance(base.type, ir.PyListOf):
            self.hand_down((func.expr, base))
            return None
        if node.keywords and not (func.attrname == "sort" and all(k.arg in ("reverse", "key") for k in node.keywords)):
            raise _Reject(node, f"`list.{func.attrname}` with keywords is not translated")
        args = [self._expr(a, defined) for a in node.args]
        name = func.attrname
        elem = base.type.elem
        if name in ("append", "remove", "index", "count"):
            if len(args) != 1:
                raise _Reject(node, f"`list.{name}` takes one argument")
            if elem == UNKNOWN_ELEM and name == "append":
                self.learn_list_item(node, base, self._container_item(node, args[0].type))  # dicts.py
            args = [self._item_value(node, base, args[0]) if name == "append" else self._as_item(node, args[0])]
            if name != "append" and args[0].type != elem:
                raise _Reject(node, f"`list.{name}` of {args[0].type} in a list of {elem} is not translated")
        elif name == "insert":
            if len(args) != 2:
                raise _Reject(node, "`list.insert` takes an index and a value")
            args = [self._cast(self._int_value(node, args[0]), INT), self._item_value(node, base, args[1])]
        elif name == "pop":
            if len(args) > 1:
                raise _Reject(node, "`list.pop` takes at most one index")
            args = [self._cast(self._int_value(node, a), INT) for a in args]
        elif name == "extend":
            if len(args) != 1 or not isinstance(args[0].type, (ir.PyListOf, ir.ListOf)) \
                    or self._container_item(node, args[0].type.item) != elem:
                raise _Reject(node, f"`list.extend` with a list of {elem} only")
            if isinstance(args[0].type, ir.ListOf):
                args = [ir.ToPyList(ir.PyListOf(args[0].type.elem), args[0])]
        elif name == "sort":
            if args:
                raise _Reject(node, "`list.sort` takes no positional arguments")
            reverse, key = False, None
            for k in node.keywords:
                if k.arg == "key":
                    key = None if isinstance(k.value, nodes.Const) and k.value.value is None else k.value
                    continue
                if not (isinstance(k.value, nodes.Const) and isinstance(k.value.value, bool)):
                    raise _Reject(node, "`list.sort(reverse=)` must be True or False")
                reverse = k.value.value
            if key is not None:
                self.note_object_write(node, _root(base) or base)
                return self.keyed_sort(node, base, key, reverse, defined)  # keys.py
            args = [ir.Const(BOOL, reverse), ir.Const(BOOL, self._sort_nan_check(elem))]
        elif args:
            raise _Reject(node, f"`list.{name}` takes no arguments")
        result = {True: elem, False: INT, None: NONE}[_METHODS[name]]
        method = ir.ListMethod(result, base, name, args)
        if name in ("index", "count", "remove"):
            method.nan_check = self._sort_nan_check(elem)  # `is` of a NaN decides which item is equal
        if name in ("pop", "append", "extend", "insert", "remove", "reverse", "sort", "clear"):
            self.note_object_write(node, _root(base) or base, self.undoable_write(base, method))
        if name == "extend" and not _immutable(elem):
            self._as_item(node, args[0], base)  # its items are now in `base` too (ints, str: nothing to see)
        return method

    def _vec_method(self, node: nodes.Call, base: ir.Var, defined) -> ir.Expr | None:
        """`xs.insert(i, v)`, `xs.pop()`, `xs.extend(ys)`, ... on a flat list of ints or floats
        the kernel built itself (a Vec local: no one else sees it), done on the Vec as CPython's
        list does them (runtime_lists.rs.j2 `vec_*`); None for a call it does not take (the
        list is then held as a Python list)."""
        name, elem = node.func.attrname, base.type.elem
        if elem not in (INT, FLOAT) or node.keywords or base.name in self.param_types:
            return None
        args = [self._expr(a, defined) for a in node.args]
        arity = {"insert": 2, "pop": (0, 1), "extend": 1, "index": 1, "count": 1, "remove": 1,
                 "reverse": 0, "clear": 0, "sort": 0}.get(name)
        if arity is None or len(args) not in (arity if isinstance(arity, tuple) else (arity,)):
            return None
        if name in ("insert", "pop"):
            if any(not isinstance(a.type, ir.Scalar) or a.type.is_float for a in args[:1]):
                return None
            args = [self._cast(args[0], INT)] + args[1:] if args else args
        if name == "insert" and args[1].type != elem:
            return None
        if name == "extend" and not (isinstance(args[0].type, ir.ListOf) and args[0].type.elem == elem):
            return None  # (from a Python list: its items are unboxed in the Python-list form)
        if name in ("index", "count", "remove") and args[0].type != elem:
            return None
        if elem.is_float and name in ("index", "count", "remove", "sort"):
            self.may_deopt = True  # a NaN (identity decides in Python), a float not found (its repr)
        result = {"pop": elem, "index": INT, "count": INT}.get(name, NONE)
        return ir.ListMethod(result, base, name, args)

    def _delete_item(self, s, target: nodes.Subscript, base: ir.Expr, defined) -> ir.Stmt:
        """`del xs[i]` of a Python list: the list's own `__delitem__` (negative indices,
        IndexError as Python's); a flat local list is held as a Python list for it, unless
        it is a Vec of ints or floats the kernel built (deleted from the Vec, as Python does)."""
        if (isinstance(base, ir.Var) and isinstance(base.type, ir.ListOf) and base.type.elem in (INT, FLOAT)
                and base.name in self.local_names and base.name not in self.param_types
                and not isinstance(target.slice, nodes.Slice)):
            index = self._int_arg(target.slice, defined)
            return ir.Evaluate(self._line(s), ir.ListMethod(NONE, base, "__delitem__", [index]))
        if not self._python_list_for_slice(s, base):
            raise _Reject(s, f"`del {target.as_string()}` of {base.type} is not translated (of a dict or a "
                             "list variable of the function it is)")
        if isinstance(target.slice, nodes.Slice):
            return self._slice_store(s, target, base, None, defined)
        index = self._int_arg(target.slice, defined)
        method = ir.ListMethod(NONE, base, "__delitem__", [index])
        self.note_object_write(s, _root(base) or base, self.undoable_write(base, method))
        return ir.Evaluate(self._line(s), method)

    def _int_value(self, node, value: ir.Expr) -> ir.Expr:
        if not isinstance(value.type, ir.Scalar) or value.type.is_float:
            raise _Reject(node, "expected an integer")
        return value

    def _expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt:
        call = s.value
        func = getattr(call, "func", None)
        if (isinstance(func, nodes.Attribute) and func.attrname == "append" and isinstance(func.expr, nodes.Name)
                and len(call.args) == 1 and not call.keywords and func.expr.name in self.local_names):
            base, value = self._expr(func.expr, defined), self._expr(call.args[0], defined)
            self._stores_numpy_scalar(s, base, value)
            if (isinstance(base, ir.Var) and isinstance(base.type, ir.ListOf)
                    and (value.type.is_object or isinstance(value.type, ir.TupleOf))
                    and base.name not in self.param_types):
                # `out = []; out.append(word)`, `out.append((i, x))`: a Python list of those items
                self._hold_as_python_list(s, base.name, self._container_item(s, value.type))
            self.hand_down((func.expr, base), (call.args[0], value))
        if isinstance(call, nodes.Call):
            method = self._list_method_call(call, defined)
            if method is not None:
                return ir.Evaluate(self._line(s), method)
        return super()._expr_stmt(s, defined)


class _FakeGen:
    """A `range(...)` call as the one generator of a reduction over it (`list(range(n))`)."""

    def __init__(self, call, var: str):
        self.iter = call
        self.target = SimpleNamespace(name=var)


def _root(e: ir.Expr | None) -> ir.Var | None:
    """The variable an object expression is reached from (`grid` of `grid[i][j]`), or None."""
    while isinstance(e, (ir.Index, ir.ListSlice, ir.ListMethod)):
        e = e.base
    return e if isinstance(e, ir.Var) else None


def _yields(stmts) -> list[ir.CompYield]:
    """Every CompYield inside `stmts` (through loops and ifs)."""
    out = []
    for s in stmts:
        if isinstance(s, ir.CompYield):
            out.append(s)
        for attr in ("body", "orelse"):
            out += _yields(getattr(s, attr, []) or [])
    return out


def _plus(defined: set[str] | None, name: str) -> set[str] | None:
    """`defined` with `name` added (None: the caller does not track definite assignment)."""
    return None if defined is None else defined | {name}


_READ_ONLY_METHODS = ("index", "count", "contains", "__contains__")


def _may_write_a_list(stmts, seq: ir.Var) -> bool:
    """Some statement or expression in `stmts` may change the list `seq`. A flat (Vec) `seq` is
    the kernel's own copy, which nothing else reaches: only a write through its name or a
    Python function it is lent to changes it. A Python list may be reached through other
    names too: any write into a Python list (a flat Vec local is never one), an in-place
    sort or a call of a Python function may change it."""
    from rustify.analysis.lower.native_maps import _items, _walk

    def vec_local(base) -> bool:
        name = base if isinstance(base, str) else getattr(base, "name", None) if isinstance(base, ir.Var) else None
        return name is not None and name != seq.name and (
            isinstance(base, str) or isinstance(base.type, ir.ListOf))

    flat = isinstance(seq.type, ir.ListOf)
    for top in _items(stmts):
        for n, _, _, _ in _walk(top):
            if isinstance(n, ir.CallFunction):
                if not flat or any(isinstance(a, ir.Var) and a.name == seq.name for a in n.args):
                    return True
            elif isinstance(n, (ir.StoreIndex, ir.Append)):  # (by name: a flat list or an array)
                if n.base == seq.name:
                    return True
            elif isinstance(n, (ir.StoreItem, ir.StoreSlice)) or (
                    isinstance(n, ir.ListMethod) and n.method not in _READ_ONLY_METHODS):
                root = _root(n.base)
                if flat and not (root is not None and root.name == seq.name):
                    continue  # a Python list, or another Vec: never the kernel's own copy
                if not flat and root is not None and vec_local(root):
                    continue
                return True
            elif isinstance(n, ir.SortedByKey) and n.in_place:
                if not flat or (isinstance(n.base, ir.Var) and n.base.name == seq.name):
                    return True
    return False


def _bound_local(node) -> str | None:
    """The name a new list `node` is bound to by a plain assignment (`g = [row, row]`), or None."""
    parent = node.parent
    if (isinstance(parent, nodes.Assign) and parent.value is node and len(parent.targets) == 1
            and isinstance(parent.targets[0], nodes.AssignName)):
        return parent.targets[0].name
    return None


def _may_reach_list(t: ir.Type, elem) -> bool:
    """An argument of type `t` may be, or reach, a Python list of `elem` items (an item of a list,
    a dict's value, a tuple's item, an attribute of an object)."""
    if isinstance(t, (ir.PyListOf, ir.ListOf, ir.ListView)):
        return t.elem == elem or _may_reach_list(t.elem, elem)
    if isinstance(t, ir.DictOf):
        return _may_reach_list(t.value, elem)
    if isinstance(t, ir.TupleOf):
        return any(_may_reach_list(i, elem) for i in t.items)
    if isinstance(t, ir.Optional):
        return _may_reach_list(t.inner, elem)
    if isinstance(t, ir.Instance):
        # (an attribute of a kind no IR type holds is never read by the kernel)
        return any(_may_reach_list(a, elem) for a in (t.attr_type(name) for name, _ in t.attrs) if a is not None)
    return False


def _immutable(t: ir.Type) -> bool:
    """An object no write can change (str, bytes, tuples of such and numbers): a container
    holding one the caller also holds does not let the caller see the container's writes."""
    if isinstance(t, ir.TupleOf):
        return all(_immutable(i) for i in t.items)
    if isinstance(t, ir.PyTupleOf):
        return _immutable(t.elem)
    return isinstance(t, (ir.Str, ir.Bytes, ir.PyInt)) or not t.is_object
