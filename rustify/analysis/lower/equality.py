"""Equality of containers: `a == b` and `a != b` where a list, tuple, dict or set meets
another value.

In: a one-operator `Compare` whose operands are lowered. Out: an `ir.ContainerEq`, or the
construct passed on with `super()` when no container takes part (or two tuples of numbers
meet: lower/tuples.py compares those item by item).

Python's meaning: two lists, two tuples, two dicts (order ignored) or two sets compare item by
item, each pair by identity first, then `==`; a list never equals a tuple, a dict, a set, a
number or a str (no `__eq__` of these knows the other). The kernel asks Python's own `==` of
the objects, so nesting, int/float/bool equality and hashing are CPython's. Identity is the one
thing it cannot always reproduce: a float item the kernel boxed is a new object where Python
may hold the one it read. Only a NaN tells (`x is y` makes `[x] == [y]` true although
`x != y`), so where floats may be inside, a NaN in both operands re-runs the call in Python.
"""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import UNKNOWN_ELEM, _Pending, _Reject
from rustify.ir import BOOL, FLOAT, INT

_OPS = {"==": "eq", "!=": "ne"}


def _family(t: ir.Type) -> str | None:
    """Which kind of value `t` is for `==`: "list", "tuple", "dict", "set", "other" (a Python
    number, str, bytes, bytearray or None, which no container equals), None (anything whose
    `==` may be its own: numpy scalars broadcast, arrays are elementwise, objects of user
    classes have their `__eq__`)."""
    if isinstance(t, (ir.ListOf, ir.PyListOf)):
        return "list"
    if isinstance(t, (ir.TupleOf, ir.PyTupleOf)):
        return "tuple"
    if isinstance(t, ir.DictOf):
        return "dict"
    if isinstance(t, ir.SetOf):
        return "set"
    if (isinstance(t, ir.Scalar) and not t.is_numpy) or isinstance(t, (ir.Str, ir.Bytes, ir.ByteArray, ir.NoneType)):
        return "other"
    return None


def _plain(t: ir.Type) -> bool:
    """Python's `==` of values of type `t` runs no user code and raises nothing: numbers, str,
    bytes and containers of them."""
    if isinstance(t, ir.Scalar):
        return t != UNKNOWN_ELEM
    if isinstance(t, (ir.Complex, ir.Str, ir.Bytes, ir.ByteArray, ir.PyInt)):
        return True
    if isinstance(t, (ir.ListOf, ir.PyListOf, ir.SetOf, ir.PyTupleOf)):
        return _plain(t.elem)
    if isinstance(t, ir.DictOf):
        return _plain(t.key) and _plain(t.value)
    if isinstance(t, ir.TupleOf):
        return all(_plain(i) for i in t.items)
    return False


def _empty_literal(e: ir.Expr) -> bool:
    """`[]`, `{}` or `set()`: a new empty container, whose item types never show."""
    if type(e) is ir.NewList:  # (not a SortedVec or a ListSlice, which are lists of items)
        return not e.items and e.count is None
    if isinstance(e, ir.NewDict):
        return not e.keys
    if isinstance(e, ir.NewSet):
        return not e.items and e.source is None
    return False


def may_hold_float(t: ir.Type) -> bool:
    """A value of type `t` may be or hold a float (or complex) object, which may be a NaN."""
    if isinstance(t, ir.Scalar):
        return t.is_float or t == ir.NUMBER
    if isinstance(t, ir.Complex):
        return True
    if isinstance(t, (ir.ListOf, ir.PyListOf, ir.SetOf, ir.PyTupleOf)):
        return may_hold_float(t.elem)
    if isinstance(t, ir.DictOf):
        return may_hold_float(t.key) or may_hold_float(t.value)
    if isinstance(t, ir.TupleOf):
        return any(may_hold_float(i) for i in t.items)
    return False


def _boxable(t: ir.Type) -> bool:
    """A tuple of type `t` can be made a Python tuple (its items boxed as a container stores them)."""
    return all((isinstance(i, ir.Scalar) and i.in_containers) or isinstance(i, ir.Complex)
               or (isinstance(i, ir.TupleOf) and _boxable(i)) or (i.is_object and not isinstance(i, ir.ListView))
               for i in t.items)


class EqualityRules:
    """Mixed into `FunctionLowerer` before the other comparison rules: `==`/`!=` of containers."""

    def _compare(self, node: nodes.Compare, defined) -> ir.Expr:
        if len(node.ops) != 1 or node.ops[0][0] not in _OPS:
            return super()._compare(node, defined)
        left, right = self._expr(node.left, defined), self._expr(node.ops[0][1], defined)
        fams = (_family(left.type), _family(right.type))
        containers = {"list", "tuple", "dict", "set"}
        if not (set(fams) & containers) or (
                fams == ("tuple", "tuple") and not (left.type.is_object or right.type.is_object)):
            self.hand_down((node.left, left), (node.ops[0][1], right))
            return super()._compare(node, defined)  # numbers, str, tuples of numbers: the other rules
        op = _OPS[node.ops[0][0]]
        if None in fams:
            raise _Reject(node, f"`{node.ops[0][0]}` of {left.type} and {right.type} is not translated "
                                "(numpy scalars, arrays and objects have their own `==`)")
        if fams[0] != fams[1]:
            # `[1] == (1,)`: neither type's `__eq__` knows the other, so no item is compared
            # (an empty literal, whose item type may be unknown, need not be built)
            left, right = (ir.Const(BOOL, False) if _empty_literal(e) else e for e in (left, right))
            return ir.ContainerEq(BOOL, op, left, right, "never")
        for side in (left, right):
            if not (_plain(side.type) or _empty_literal(side)):
                raise _Reject(node, f"`{node.ops[0][0]}` of {left.type} and {right.type} is not translated "
                                    "(containers of numbers, str, bytes and containers of them are)")
            if isinstance(side.type, ir.ListOf) and side.type.elem == UNKNOWN_ELEM and not _empty_literal(side):
                raise _Pending() if not self.final else _Reject(node, f"the item type of `{node.as_string()[:40]}` is unknown")
        if (isinstance(left.type, ir.ListOf) and isinstance(right.type, ir.ListOf)
                and {left.type.elem, right.type.elem} <= {INT, FLOAT}):
            self.may_deopt |= FLOAT in (left.type.elem, right.type.elem)  # a NaN pair: identity decides
            return ir.ContainerEq(BOOL, op, left, right, "vec")
        left, right = self._eq_object(node, left), self._eq_object(node, right)
        nan_check = may_hold_float(left.type) or may_hold_float(right.type)
        self.may_deopt |= nan_check
        self.uses_objects = True
        return ir.ContainerEq(BOOL, op, left, right, "py", nan_check)

    def _eq_object(self, node, value: ir.Expr) -> ir.Expr:
        """`value` as a Python object for Python's `==`: a Vec list as a new Python list (its
        items are equal to the originals; only a NaN's identity differs, see nan_check)."""
        if _empty_literal(value) and isinstance(value.type, ir.ListOf):
            return ir.NewPyList(ir.PyListOf(INT), [])  # `xs == []` (its item type never shows)
        if isinstance(value.type, ir.ListOf):
            if value.type.elem not in (INT, FLOAT):
                raise _Reject(node, f"`==` of a {value.type} with a Python list is not translated")
            return ir.ToPyList(ir.PyListOf(value.type.elem), value)
        if isinstance(value.type, ir.TupleOf) and not _boxable(value.type):
            raise _Reject(node, f"`==` of a {value.type} with a container is not translated")
        return value
