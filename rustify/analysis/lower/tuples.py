"""Tuples: literals and constants, constant and run-time indexing, `len`, comparison,
unpacking (`a, (b, c) = t`, `xs[i], xs[j] = xs[j], xs[i]`) and `for` over `zip()` and
`enumerate()` of list/array variables.

A tuple's items are numbers or tuples of them (`ir.TupleOf`), so a tuple is a value.
These rules come first among `FunctionLowerer`'s bases: each one handles the tuple
case and passes anything else on with `super()`.
"""

from __future__ import annotations

import builtins

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import UNKNOWN_ELEM, _Pending, _Reject
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64, NP_INT64

# `_as_item`'s container for a tuple's item: the tuple is no variable's container, and
# every write reached through a tuple counts as visible (lists.py `_root` stops at it)
_NO_CONTAINER = ir.Const(INT, 0)


def _boxable_item(t: ir.Type) -> bool:
    """An object (or a flat list, held as a Python list) a tuple item may be."""
    if isinstance(t, ir.TupleOf):
        return all(_boxable_item(i) or isinstance(i, (ir.Scalar, ir.Complex)) for i in t.items)
    return isinstance(t, (ir.ListOf, ir.Str, ir.Bytes, ir.ByteArray, ir.PyListOf, ir.PyTupleOf, ir.DictOf, ir.SetOf,
                          ir.PyInt))


def _returned(node) -> bool:
    """`node`, a tuple literal, is the value of a `return` (or an item of such a tuple)."""
    while isinstance(node.parent, nodes.Tuple):
        node = node.parent
    return isinstance(node.parent, nodes.Return)


# item types a tuple comparison handles (narrow numpy scalars follow other rules)
_COMPARABLE = (FLOAT, INT, BOOL, NP_FLOAT64, NP_INT64)


class TupleRules:
    """Mixed into `FunctionLowerer` before the other families; the handlers named in
    `constructs.py` for tuples, and the tuple cases of assignment, `for`, indexing,
    comparison, constants and conditional expressions."""

    # ------------------------------------------------------------ expressions

    def _lower_tuple(self, node: nodes.Tuple, defined) -> ir.Expr:
        if any(isinstance(e, nodes.Starred) for e in node.elts):
            raise _Reject(node, "`*` inside a tuple literal is not translated")
        return self._new_tuple(node, [self._expr(e, defined) for e in node.elts])

    def _new_tuple(self, node, items: list[ir.Expr]) -> ir.NewTuple:
        if len(items) > ir.types.MAX_TUPLE_ITEMS:
            raise _Reject(node, f"tuples of more than {ir.types.MAX_TUPLE_ITEMS} items are not translated")
        held = []
        for item in items:
            if isinstance(item.type, (ir.Scalar, ir.Complex)) or (
                    isinstance(item.type, ir.TupleOf) and not item.type.is_object):
                held.append(item)
                continue
            if not (item.type.is_object or isinstance(item.type, ir.ListOf)) or not _boxable_item(item.type):
                raise _Reject(node, f"tuples holding {item.type} are not translated "
                                    "(their items may be numbers, str, bytes, lists, dicts, sets and tuples)")
            # an object item is the object itself, as in Python (a flat Vec list becomes a
            # Python list, held so in both places; the object escapes into the tuple)
            shared = set(self.shared_objects)
            held.append(self._as_item(node, item, _NO_CONTAINER))
            if _returned(node):
                # `return lo, hi, counts`: the caller reaches the items only once the kernel has
                # returned, so the kernel's own objects stay its own (a re-run in Python before
                # then builds new ones); writes into them before the return are not visible
                self.shared_objects &= shared

        return ir.NewTuple(ir.TupleOf(tuple(i.type for i in held)), held)

    def _constant(self, node, value) -> ir.Expr:
        if type(value) is tuple:  # a module constant such as WEIGHTS = (0.5, 0.25)
            return self._new_tuple(node, [self._constant(node, v) for v in value])
        return super()._constant(node, value)

    def _lower_subscript(self, node: nodes.Subscript, defined) -> ir.Expr:
        base = self._expr(node.value, defined)
        if not isinstance(base.type, ir.TupleOf):
            self.hand_down((node.value, base))
            return super()._lower_subscript(node, defined)
        if isinstance(node.slice, nodes.Slice):
            raise _Reject(node, "tuple slices are not translated")
        items = base.type.items
        index = self._expr(node.slice, defined)
        if not isinstance(index.type, ir.Scalar) or index.type.is_float:
            raise _Reject(node, "a tuple index must be an integer")
        if isinstance(index, ir.Const):
            k = int(index.value)
            if not -len(items) <= k < len(items):
                raise _Reject(node, f"index {k} is out of range for a tuple of {len(items)} items "
                                    "(Python raises IndexError)")
            k %= len(items)
            return ir.TupleItem(items[k], base, k)
        if not items or len(set(items)) != 1:
            raise _Reject(node, f"indexing a tuple of {base.type} with a run-time index: the item type "
                                "would depend on the index (use a constant index, or items of one type)")
        return ir.TupleIndex(items[0], base, self._cast(index, INT))

    def _lower_ifexp(self, node: nodes.IfExp, defined) -> ir.Expr:
        body, orelse = self._expr(node.body, defined), self._expr(node.orelse, defined)
        if not (isinstance(body.type, ir.TupleOf) or isinstance(orelse.type, ir.TupleOf)):
            self.hand_down((node.body, body), (node.orelse, orelse))
            return super()._lower_ifexp(node, defined)
        if body.type != orelse.type:
            raise _Reject(node, f"conditional expression with branches of different types "
                                f"({body.type}, {orelse.type})")
        test = self._truth(self._expr(node.test, defined))
        return ir.IfExp(body.type, test, body, orelse)

    def tuple_len(self, value: ir.Expr) -> ir.Expr:
        """`len(t)` (called by the `len` intrinsic)."""
        return ir.TupleLen(INT, value)

    # ------------------------------------------------------------- comparison

    def _compare(self, node: nodes.Compare, defined) -> ir.Expr:
        operands = [self._expr(node.left, defined)] + [self._expr(n, defined) for _, n in node.ops]
        if not any(isinstance(o.type, ir.TupleOf) for o in operands):
            self.hand_down(*zip([node.left] + [n for _, n in node.ops], operands))
            return super()._compare(node, defined)
        if len(node.ops) != 1:
            raise _Reject(node, "chained comparisons of tuples are not translated; compare one pair at a time")
        if node.ops[0][0] in ("in", "not in"):
            return self._in_int_tuple(node, *operands)
        op = rules.CMPOPS.get(node.ops[0][0])
        if op is None:
            raise _Reject(node, f"`{node.ops[0][0]}` on tuples is not translated")
        left, right = operands
        if not (isinstance(left.type, ir.TupleOf) and isinstance(right.type, ir.TupleOf)):
            raise _Reject(node, f"comparing {left.type} with {right.type} is not translated")
        return self._tuple_compare(node, op, left, right)

    def _in_int_tuple(self, node: nodes.Compare, item: ir.Expr, tup: ir.Expr) -> ir.Expr:
        """`x in t` / `x not in t` of an int or bool `x` and a tuple of ints and bools (`mode in
        (MODE_A, MODE_B)`): `x == t[0] or x == t[1] ...`, which is Python's answer for these
        types (`in` tests identity, then ==; == of ints is reflexive). Both sides must be free
        of effects, as the chain reads `x` once per item."""
        def int_like(t) -> bool:
            return isinstance(t, ir.Scalar) and t in (INT, BOOL)

        if not (isinstance(tup.type, ir.TupleOf) and int_like(item.type) and all(map(int_like, tup.type.items))):
            raise _Reject(node, f"`{node.ops[0][0]}` on tuples is translated for an int or bool in a tuple of ints "
                                f"and bools, not {item.type} in {tup.type}")
        if not (ir.effect_free(item) and (isinstance(tup, ir.NewTuple) and all(map(ir.effect_free, tup.items))
                                          or ir.effect_free(tup))):
            raise _Reject(node, f"`{node.ops[0][0]}` on a tuple whose operands call functions is not translated")
        members = tup.items if isinstance(tup, ir.NewTuple) else [
            ir.TupleItem(t, tup, i) for i, t in enumerate(tup.type.items)]
        tests = [ir.Compare(BOOL, ["eq"], [self._cast(item, INT), self._cast(m, INT)], ["plain"]) for m in members]
        found = ir.BoolOp(BOOL, "or", tests) if tests else ir.Const(BOOL, False)
        return found if node.ops[0][0] == "in" else ir.UnaryOp(BOOL, "not", found)

    def _tuple_compare(self, node, op: str, left: ir.Expr, right: ir.Expr) -> ir.TupleCompare:
        lt, rt = left.type.items, right.type.items
        if op in ("eq", "ne") and len(lt) != len(rt):
            return ir.TupleCompare(BOOL, op, left, right, [], "Unordered")  # CPython decides by length
        steps = []
        for i, (a_t, b_t) in enumerate(zip(lt, rt)):
            a = ir.TupleItem(a_t, ir.TupleOperand(left.type, "left"), i)
            b = ir.TupleItem(b_t, ir.TupleOperand(right.type, "right"), i)
            if isinstance(a_t, ir.TupleOf) and isinstance(b_t, ir.TupleOf):
                steps.append(("tuple", self._tuple_compare(node, "order", a, b), None))
                continue
            if a_t not in _COMPARABLE or b_t not in _COMPARABLE:
                raise _Reject(node, f"comparing tuples whose items are {a_t} and {b_t} is not translated")
            mode, common = rules.compare_mode(a_t, b_t)
            if mode == "plain":
                mode = "float" if common.is_float else "int"
                common = FLOAT if common.is_float else INT
                a, b = self._cast(a, common), self._cast(b, common)
                self.may_deopt |= mode == "float"  # two NaN items: identity decides, Python re-runs
            else:
                a, b = self._cast(a, rules.arith_type(a_t)), self._cast(b, rules.arith_type(b_t))
            steps.append((mode, a, b))
        tail = "Equal" if len(lt) == len(rt) else "Less" if len(lt) < len(rt) else "Greater"
        return ir.TupleCompare(BOOL, op, left, right, steps, tail)

    # ------------------------------------------------------------- assignment

    def _assign(self, s, target, value_node, defined):
        if not isinstance(target, (nodes.Tuple, nodes.List)):
            return super()._assign(s, target, value_node, defined)
        unpack_shape = getattr(self, "_unpack_shape", None)  # `n, m = a.shape` (arrays)
        unpacked = unpack_shape(s, target, value_node, defined) if unpack_shape else None
        if unpacked is not None:
            return unpacked
        flat_names = all(isinstance(t, nodes.AssignName) for t in target.elts)
        if (flat_names and isinstance(value_node, nodes.Tuple) and len(value_node.elts) == len(target.elts)
                and len({t.name for t in target.elts}) == len(target.elts)):
            return super()._assign(s, target, value_node, defined)  # `a, b = b, a`: parallel assignment
        value = self._expr(value_node, defined)
        stores, names = self._unpack(s, target, value.type, (), defined)
        return [ir.Unpack(self._line(s), value, stores)], defined | names, False

    def _unpack(self, s, target, vtype: ir.Type, path: tuple, defined) -> tuple[list[ir.Stmt], set[str]]:
        """Stores that assign item `path` of the unpacked value to `target`, left to right."""
        if isinstance(target, nodes.AssignName):
            return [self._store_name(s, target.name, ir.UnpackedItem(vtype, path))], {target.name}
        if isinstance(target, nodes.Subscript):
            base, index = self._subscript_parts(target, defined)
            return [self._store_index(s, target, base, index, ir.UnpackedItem(vtype, path))], set()
        if isinstance(target, (nodes.Tuple, nodes.List)):
            if any(isinstance(t, nodes.Starred) for t in target.elts):
                raise _Reject(s, "starred unpacking (`a, *rest = ...`) is not translated")
            if not isinstance(vtype, ir.TupleOf):
                raise _Reject(s, f"unpacking a {vtype} is not translated (tuples are)")
            if len(vtype.items) != len(target.elts):
                raise _Reject(s, f"unpacks {len(vtype.items)} values into {len(target.elts)} targets "
                                 "(Python raises ValueError)")
            stores, names = [], set()
            for i, (t, item) in enumerate(zip(target.elts, vtype.items)):
                more, new = self._unpack(s, t, item, path + (i,), defined | names)
                stores += more
                names |= new
            return stores, names
        raise _Reject(s, f"unpacking into `{target.as_string()}` is not translated")

    # ----------------------------------------------------------------- loops

    def _lower_for(self, s: nodes.For, defined):
        zipped = self._zip_call(s.iter)
        if zipped is None:
            if isinstance(s.target, (nodes.Tuple, nodes.List)):
                seq = self._expr(s.iter, defined)
                raise _Reject(s, f"unpacking the items of {seq.type} in a `for` target is not translated "
                                 "(loops over zip() and enumerate() of lists and arrays are)")
            return super()._lower_for(s, defined)
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        line = self._line(s)
        is_enumerate, zips, seqs, start = self._zip_parts(s, zipped, defined)
        items = [ir.ZipItem(seq.type.item, line, j) for j, seq in enumerate(seqs)]
        value = self._new_tuple(s, items) if zips else items[0]
        if is_enumerate:
            value = self._new_tuple(s, [ir.ZipCount(INT, line), value])
        if isinstance(s.target, nodes.AssignName):
            bind = self._store_name(s, s.target.name, value)
            names = {s.target.name}
        else:
            stores, names = self._unpack(s, s.target, value.type, (), defined)
            bind = ir.Unpack(line, value, stores)
        self.loop_depth += 1
        body, _, _ = self._block(s.body, defined | names)
        self.loop_depth -= 1
        py_lists = [q.type.elem if isinstance(q.type, ir.PyListOf) else None for q in seqs]
        return [ir.ForZip(line, [q.name for q in seqs], is_enumerate, start, bind, body,
                          py_lists if any(py_lists) else [])], defined, False

    def zip_loop(self, node, call: nodes.Call, bind, defined, body_of) -> ir.ForZip:
        """The loop over `call` (zip() or enumerate() of list and array variables) of a
        comprehension clause or a reduction (`list(zip(a, b))`): `bind(value, defined)` gives
        the statement binding each step's tuple and the names it binds, `body_of(defined)`
        the loop's body."""
        line = self._line(node)
        is_enumerate, zips, seqs, start = self._zip_parts(node, call, defined)
        items = [ir.ZipItem(seq.type.item, line, j) for j, seq in enumerate(seqs)]
        value = self._new_tuple(node, items) if zips else items[0]
        if is_enumerate:
            value = self._new_tuple(node, [ir.ZipCount(INT, line), value])
        stmt, names = bind(value, defined)
        body = body_of(defined | names)
        py_lists = [q.type.elem if isinstance(q.type, ir.PyListOf) else None for q in seqs]
        return ir.ForZip(line, [q.name for q in seqs], is_enumerate, start, stmt, body,
                         py_lists if any(py_lists) else [])

    def _zip_call(self, it) -> nodes.Call | None:
        """`it` if it calls the builtin zip or enumerate, else None."""
        if not (isinstance(it, nodes.Call) and isinstance(it.func, nodes.Name)):
            return None
        if it.func.name in self.local_names or it.func.name in self.params:
            return None
        return it if self._global(it.func) in (builtins.zip, builtins.enumerate) else None

    def _zip_parts(self, s, call: nodes.Call, defined):
        """(is enumerate, steps yield tuples of zip(), the sequence variables, enumerate's start or None)."""
        start = None
        if self._global(call.func) is builtins.enumerate:
            args = list(call.args)
            for kw in call.keywords:
                if kw.arg != "start":
                    raise _Reject(s, f"enumerate() keyword `{kw.arg}` is not translated")
                args.append(kw.value)
            if not 1 <= len(args) <= 2:
                raise _Reject(s, "enumerate() takes an iterable and an optional start")
            if len(args) == 2:
                start = self._expr(args[1], defined)
                if not isinstance(start.type, ir.Scalar) or not rules.arith_type(start.type) in (INT,):
                    raise _Reject(s, f"enumerate() start must be an int here, not {start.type}")
                start = self._cast(start, INT)
                self.may_deopt = True  # a count beyond 64 bits re-runs in Python
            inner = args[0]
            if self._zip_call(inner) is not None and self._global(inner.func) is builtins.zip:
                return True, True, self._zip_seqs(s, inner, defined), start
            return True, False, [self._zip_seq(s, inner, defined)], start
        return False, True, self._zip_seqs(s, call, defined), None

    def _zip_seqs(self, s, call: nodes.Call, defined) -> list[ir.Var]:
        if call.keywords:
            raise _Reject(s, "zip() keywords (`strict=`) are not translated")
        if not call.args:
            raise _Reject(s, "zip() of nothing is not translated")
        return [self._zip_seq(s, a, defined) for a in call.args]

    def _zip_seq(self, s, node, defined) -> ir.Var:
        seq = self._expr(node, defined)
        if not isinstance(seq, ir.Var) or not isinstance(seq.type, (ir.ListOf, ir.Array, ir.PyListOf)) \
                or seq.type.item is None:
            raise _Reject(s, f"zip() and enumerate() are translated over list and 1-D array variables, "
                             f"not `{node.as_string()}` ({seq.type})")
        if seq.type.item == UNKNOWN_ELEM:
            raise _Pending() if not self.final else _Reject(s, f"element type of `{seq.name}` is unknown")
        if not getattr(seq.type, "is_slice", True):
            raise _Reject(s, f"zip() and enumerate() over {seq.type} are not translated (1-D C arrays are)")
        return seq
