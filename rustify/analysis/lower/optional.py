"""None: the `None` constant, `None` arguments and tests against None.

A `None` argument has its own signature kind (`None`), so each call's types say
whether a value is None. `x is None`, `x is not None`, `x == None` and
`x != None` of a name whose type is known are then decided when compiling, as
Python decides them (only None is None; a number, str, bytes or tuple never
equals None), and `objects.py`'s `if` keeps only the branch Python takes.
A local that is None on one path and a value on another has no single type
and stays Python with the usual reason.
"""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Reject

# types whose `== None` is the bool False without calling user code (their __eq__ is the
# builtin one; numpy scalars give a Python bool too). Not arrays: `a == None` is elementwise.
_NEVER_EQUAL_NONE = (ir.Scalar, ir.Complex, ir.Str, ir.Bytes, ir.ByteArray, ir.TupleOf, ir.ListOf,
                     ir.PyListOf, ir.DictOf, ir.SetOf)


class OptionalRules:
    """The None rules of `FunctionLowerer`."""

    def _constant(self, node, value) -> ir.Expr:
        if value is None:
            return ir.Const(ir.NONE, None)
        return super()._constant(node, value)

    @property
    def none_mixed(self) -> dict:
        """Locals the body binds to None and to something else: name -> the other type (None
        until a store names it). Their tests against None are never decided."""
        found = self.__dict__.get("_none_mixed")
        if found is None:
            found = self.__dict__["_none_mixed"] = _assigned_none_and_more(self.fdef)
        return found

    def _optional_reason(self, name: str) -> str:
        other = self.none_mixed[name]
        return (f"`{name}` is None on one path and {f'a {other}' if other else 'a value'} on another: Optional "
                "(None-or-value) locals are not translated")

    def _store_name(self, s, name: str, value: ir.Expr):
        """A store that would make `name` None on one path and a value on another: say so."""
        ptype = self.param_types.get(name)
        if ptype == ir.NONE and value.type != ir.NONE:
            raise _Reject(s, f"the argument `{name}` is None at this call; rebinding it to a {value.type} "
                             "(`if x is None: x = ...`) is not translated")
        if name in self.none_mixed:
            if value.type != ir.NONE and self.none_mixed[name] is None:
                self.none_mixed[name] = value.type
            if self.final:
                raise _Reject(s, self._optional_reason(name))
        return super()._store_name(s, name, value)

    def _lower_compare(self, node: nodes.Compare, defined) -> ir.Expr:
        names = [n.name for n in [node.left] + [n for _, n in node.ops]
                 if isinstance(n, nodes.Name) and n.name in self.none_mixed]
        if names:  # its type is not one type: neither a test against None nor a comparison is decided
            raise _Reject(node, self._optional_reason(names[0]))
        decided = self._none_test(node, defined)
        if decided is not None:
            return ir.Const(ir.BOOL, decided)
        return super()._lower_compare(node, defined)

    def _none_test(self, node: nodes.Compare, defined) -> bool | None:
        """`x is None` (one comparison, one side the None literal, the other a name): its
        value, decided from x's type; None when it is not such a test."""
        if len(node.ops) != 1:
            return None
        op, right = node.ops[0]
        if op not in ("is", "is not", "==", "!="):
            return None
        left = node.left
        if _is_none(left) and not _is_none(right):
            left, right = right, left
        if not _is_none(right) or not isinstance(left, nodes.Name):
            return None
        value = self._expr(left, defined)  # a name: no side effects to keep
        if isinstance(value.type, ir.NoneType):
            is_none = True
        elif op in ("is", "is not") or isinstance(value.type, _NEVER_EQUAL_NONE):
            # `is` compares identity: only None is None; `==` of these types is the builtin one
            is_none = False
        else:
            return None  # an object's own __eq__ decides: the usual rules say why not
        return is_none if op in ("is", "==") else not is_none


def _is_none(node) -> bool:
    return isinstance(node, nodes.Const) and node.value is None


def _assigned_none_and_more(fdef: nodes.FunctionDef) -> dict:
    """Locals the body binds to the `None` literal and also to something else (any other
    binding: assignment, loop target, `+=`, ...): name -> None (the other type is not known yet)."""
    none, other = set(), set()
    for target in fdef.nodes_of_class(nodes.AssignName):
        parent = target.parent
        if isinstance(parent, nodes.Assign) and _is_none(parent.value):
            none.add(target.name)
        else:
            other.add(target.name)
    for aug in fdef.nodes_of_class(nodes.AugAssign):
        if isinstance(aug.target, nodes.AssignName):
            other.add(aug.target.name)
    return dict.fromkeys(none & other)
