"""Lists and 1-D arrays: literals, `[x] * n`, indexing, element stores and `append`."""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.lower.common import UNKNOWN_ELEM, _Pending, _Reject
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64, NP_INT64, NUMBER


class SequenceRules:
    """Mixed into `FunctionLowerer`; the handlers named in `constructs.py` for this family."""

    def _lower_subscript(self, node: nodes.Subscript, defined) -> ir.Expr:
        text = self._text_subscript(node, defined)  # str/bytes indexing and slicing: text.py
        if text is not None:
            return text
        base, index = self._subscript_parts(node, defined)
        return self._index(node, base, index)

    def first_item_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`next(iter(x))` or `next(iter(x), default)` of a list, tuple, str, bytes, bytearray,
        dict or set `x`: its first item (a dict's first key, a set's first member in CPython's
        order: the set object's own iterator); else None."""
        if not (isinstance(node.func, nodes.Name) and node.func.name == "next" and node.func.name not in self.local_names
                and self._is_builtin_call(node, next) and 1 <= len(node.args) <= 2 and not node.keywords):
            return None
        inner = node.args[0]
        if not (isinstance(inner, nodes.Call) and isinstance(inner.func, nodes.Name) and inner.func.name == "iter"
                and inner.func.name not in self.local_names and self._is_builtin_call(inner, iter)
                and len(inner.args) == 1 and not inner.keywords):
            return None
        value = self._expr(inner.args[0], defined)
        t = value.type
        if isinstance(t, ir.TupleOf):
            item = t.items[0] if t.items else None
        elif isinstance(t, (ir.ListOf, ir.PyListOf, ir.PyTupleOf, ir.Str, ir.Bytes, ir.ByteArray, ir.DictOf, ir.SetOf)):
            item = t.item
            if item == UNKNOWN_ELEM:
                raise _Pending() if not self.final else _Reject(node, "the item type of `iter()`'s argument is unknown")
        else:
            raise _Reject(node, f"next(iter(...)) of {t} is not translated (of a list, tuple, str, bytes, "
                                "bytearray, dict or set it is)")
        default = self._expr(node.args[1], defined) if len(node.args) == 2 else None
        if default is not None and item is not None and default.type != item:
            raise _Reject(node, f"next() with a default of {default.type} beside items of {item}: the result's "
                                "type would depend on the length")
        if item is None and default is None:
            item = INT  # `next(iter(()))` always raises StopIteration
        if item is None:
            item = default.type
        if item == NUMBER:
            raise _Reject(node, "next(iter(xs)) of a list holding ints and floats is not translated (its type would show)")
        if item.is_object:
            self.uses_objects = True
        return ir.FirstItem(item, value, default)

    def _lower_list(self, node: nodes.List, defined) -> ir.Expr:
        items = [self._expr(e, defined) for e in node.elts]
        return self._new_list(node, items, None)

    def _store_index(self, s, target, base: ir.Var, index: ir.Expr, value: ir.Expr) -> ir.StoreIndex:
        if isinstance(base.type, ir.ByteArray):
            return self._bytearray_store(s, base, index, value)  # text.py
        value = self._element_value(s, base, value)
        if base.name in self.param_types:
            self.mutated.add(base.name)
        if isinstance(base.type, ir.ListOf) and base.name not in self.param_types:
            self._record(base.name, ir.NewList(ir.ListOf(value.type), []))
        return ir.StoreIndex(self._line(s), base.name, index, value)

    def _element_value(self, s, base: ir.Var, value: ir.Expr) -> ir.Expr:
        """Convert `value` for storing into `base`'s elements, as list/numpy would."""
        vt = value.type
        if not isinstance(vt, ir.Scalar):
            raise _Reject(s, "only numbers can be stored into a list or array")
        if isinstance(base.type, ir.Array1):
            elem = base.type.elem
            if elem == NP_INT64 and vt.is_float:
                raise _Reject(s, "storing a float into an int64 array truncates; not translated")
            return self._cast(value, elem)
        elem = base.type.elem
        if vt.is_numpy and vt != elem:
            # (a local list that takes numpy scalars is held as a Python list: lists.py)
            raise _Reject(s, f"a {vt} stored into the list `{base.name}`: Python keeps the numpy scalar in the "
                             "list, whose native copy holds plain numbers; not translated")
        if elem == UNKNOWN_ELEM:
            return value
        joined = rules.list_elem_join(elem, vt)
        if joined is None:
            raise _Reject(s, f"storing {vt} into a list of {elem} makes a mixed list; not translated")
        if joined == NUMBER and elem != NUMBER:
            self._hold_numbers(s, base)  # `c[l] = 0.5` into a list of ints: its items keep their types
        return self._cast(value, joined)

    def _hold_numbers(self, s, base: ir.Var) -> None:
        """From now on the flat list `base` (an argument or a local) holds ints and floats, each
        keeping its type (`list[number]`); the statement is lowered again in the next pass. An
        argument of kind list[int] or list[float] is then converted item by item at entry."""
        if base.name in self.param_types:
            self.param_types[base.name] = self.env[base.name] = ir.ListOf(NUMBER)
        else:
            self._record(base.name, ir.NewList(ir.ListOf(NUMBER), []))
        raise _Pending() if not self.final else _Reject(s, f"the item types of `{base.name}` did not settle")

    def _expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt:
        text = self._text_expr_stmt(s, defined)  # bytearray.append: text.py
        if text is not None:
            return text
        call = s.value
        if (isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute)
                and call.func.attrname == "append" and isinstance(call.func.expr, nodes.Name)
                and len(call.args) == 1 and not call.keywords):
            base = self._expr(call.func.expr, defined)
            if not isinstance(base, ir.Var) or not isinstance(base.type, ir.ListOf):
                raise _Reject(s, "`.append` on something that is not a list")
            value = self._element_value(s, base, self._expr(call.args[0], defined))
            if base.name in self.param_types:
                self.mutated.add(base.name)
            else:
                self._record(base.name, ir.NewList(ir.ListOf(value.type), []))
            return ir.Append(self._line(s), base.name, value)
        if isinstance(call, nodes.Call):
            self._call(call, defined)  # says what is wrong with the call itself
        raise _Reject(s, "expression statements other than `list.append(x)` are not translated")

    def _subscript_parts(self, node: nodes.Subscript, defined) -> tuple[ir.Var, ir.Expr]:
        base = self._expr(node.value, defined)
        if not isinstance(base, ir.Var) or getattr(base.type, "item", None) is None:
            raise _Reject(node, "indexing is translated for list and 1-D array variables only")
        if isinstance(node.slice, nodes.Slice):
            raise _Reject(node, "slices are not translated")
        index = self._expr(node.slice, defined)
        if not isinstance(index.type, ir.Scalar) or index.type.is_float:
            raise _Reject(node, "index must be an integer")
        return base, self._cast(index, INT)

    def _index(self, node, base: ir.Var, index: ir.Expr) -> ir.Expr:
        if isinstance(base.type, (ir.Str, ir.Bytes, ir.ByteArray)):
            return self._text_item(base, index)  # text.py
        elem = base.type.item
        if elem == UNKNOWN_ELEM:
            raise _Pending() if not self.final else _Reject(node, f"element type of `{base.name}` is unknown")
        return ir.Index(elem, base, index)

    def _int_arg(self, node, defined) -> ir.Expr:
        value = self._expr(node, defined)
        if not isinstance(value.type, ir.Scalar) or value.type.is_float:
            raise _Reject(node, "expected an integer")
        return self._cast(value, INT)

    def _list_repeat(self, node: nodes.BinOp, defined) -> ir.Expr | None:
        lst, count = node.left, node.right
        if isinstance(count, nodes.List):
            lst, count = count, lst
        if not isinstance(lst, nodes.List):
            return None
        if len(lst.elts) != 1:
            raise _Reject(node, "`[a, b, ...] * n` is translated for one-element lists only")
        item = self._expr(lst.elts[0], defined)
        count = self._int_arg(count, defined)
        result = self._new_list(node, [item], count)
        small = isinstance(count, ir.Const) and count.value < 2**20
        if isinstance(result, ir.NewList) and not small:
            self.may_deopt = True  # a huge Vec re-runs in Python rather than allocating
        return result

    def _new_list(self, node, items: list[ir.Expr], count) -> ir.Expr:
        elem = UNKNOWN_ELEM
        for item in items:
            if not isinstance(item.type, ir.Scalar) or item.type in (BOOL, ir.Scalar("np.bool")):
                raise _Reject(node, f"lists of {item.type} are not translated")
            joined = item.type if elem == UNKNOWN_ELEM else rules.list_elem_join(elem, item.type)
            if joined is None:
                raise _Reject(node, "list literal mixes ints and floats")
            elem = {NP_FLOAT64: FLOAT, NP_INT64: INT}.get(joined, joined)
        return ir.NewList(ir.ListOf(elem), [self._cast(i, elem) for i in items], count)
