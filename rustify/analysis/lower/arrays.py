"""NumPy arrays: N-D element reads and stores (`a[i, j]`, `a[i][j]`), `a.shape[k]`,
`a.ndim`, `a.size`, `len(a)`, new N-D arrays, the element types float32, int32, uint8,
bool, ... and numpy's rules for converting a value stored into an element.

Mixed into `FunctionLowerer` before `ScalarRules` and `SequenceRules`: the subscript
methods here take the array cases and hand everything else (lists, 1-D indexing) on."""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Reject
from rustify.ir import BOOL, FLOAT, INT, NP_FLOAT64

# Largest int magnitude every float32 holds exactly (Python ints meeting float32 beyond it
# would round twice or once depending on the path numpy takes: they stay Python).
_F32_EXACT_INT = 2**24


class _NdIndex:
    """The index part of an N-D subscript: its groups of index expressions (see ir.ArrayItem)."""

    def __init__(self, groups: list[list[ir.Expr]], rest: int = 0):
        self.groups = groups
        self.rest = rest  # axes left unindexed (a stand-in for a view, never rendered)

    def exprs(self) -> list[ir.Expr]:
        """Every index expression, axis by axis."""
        return [e for group in self.groups for e in group]


def _can_cast_safely(src: ir.Scalar, dst: ir.Scalar) -> bool:
    import numpy as np

    return np.can_cast(np.dtype(src.name[3:]), np.dtype(dst.name[3:]), "safe")


class ArrayRules:
    """Mixed into `FunctionLowerer`; array cases of subscripts, attributes and stores."""

    # ----------------------------------------------------------- subscripts

    def _lower_subscript(self, node: nodes.Subscript, defined) -> ir.Expr:
        shape = self._shape_item(node, defined)
        return shape if shape is not None else super()._lower_subscript(node, defined)

    def _shape_item(self, node: nodes.Subscript, defined) -> ir.Expr | None:
        """`a.shape[k]` with a constant k (negative from the end), or None if `node` is not one."""
        value = node.value
        if not (isinstance(value, nodes.Attribute) and value.attrname == "shape" and self._is_array_attribute(value)):
            return None
        base = self._expr(value.expr, defined)
        k = node.slice
        negative = isinstance(k, nodes.UnaryOp) and k.op == "-"
        if negative:
            k = k.operand
        if not (isinstance(k, nodes.Const) and type(k.value) is int):
            raise _Reject(node, "`a.shape[k]` needs a constant int k")
        axis, ndim = -k.value if negative else k.value, base.type.ndim
        if not -ndim <= axis < ndim:
            raise _Reject(node, f"`{node.as_string()}`: tuple index out of range for a {ndim}-D array")
        return ir.ArrayShape(INT, base, axis % ndim)

    def _subscript_parts(self, node: nodes.Subscript, defined):
        chain, base_node = [], node
        while isinstance(base_node, nodes.Subscript):
            chain.insert(0, base_node.slice)
            base_node = base_node.value
        if not (isinstance(base_node, nodes.Name) and self._is_array_name(base_node.name)):
            return super()._subscript_parts(node, defined)
        base = self._expr(base_node, defined)
        t = base.type
        if t.ndim == 1 and len(chain) == 1 and not isinstance(chain[0], (nodes.Tuple, nodes.Slice)):
            return base, self._array_index(chain[0], defined)
        groups = []
        for part in chain:
            if isinstance(part, nodes.Slice):
                raise _Reject(node, "array slices are not translated")
            elts = part.elts if isinstance(part, nodes.Tuple) else [part]
            group = []
            for e in elts:
                if isinstance(e, (nodes.Slice, nodes.Starred)) or (isinstance(e, nodes.Const) and e.value is None):
                    raise _Reject(node, "array slices, `None` and `...` in an index are not translated")
                group.append(self._array_index(e, defined))
            groups.append(group)
        count = sum(map(len, groups))
        if count < t.ndim and isinstance(node.parent, nodes.Subscript) and node.parent.value is node:
            # `a[i]` inside `a[i][j]`: a rule that looks at the inner subscript first (a
            # tuple's) gets a stand-in; the outer subscript lowers the whole chain
            return base, _NdIndex(groups, rest=t.ndim - count)
        if count < t.ndim:
            raise _Reject(node, f"`{node.as_string()}` is a view of a {t.ndim}-D array; only whole "
                                "elements (one index per axis) are translated")
        if count > t.ndim:
            raise _Reject(node, f"too many indices for a {t.ndim}-D array (numpy raises IndexError)")
        return base, _NdIndex(groups)

    def _array_index(self, e, defined) -> ir.Expr:
        value = self._expr(e, defined)
        if not isinstance(value.type, ir.Scalar) or not value.type.is_int:
            raise _Reject(e, "an array index must be an integer (a bool or float index means something else to numpy)")
        return self._cast(value, INT)

    def _index(self, node, base, index) -> ir.Expr:
        if isinstance(index, _NdIndex):
            if index.rest:
                return ir.ArrayItem(ir.Array(base.type.elem, index.rest, "A"), base, index.groups)
            return ir.ArrayItem(base.type.elem, base, index.groups)
        return super()._index(node, base, index)

    def _store_index(self, s, target, base, index, value):
        if isinstance(index, _NdIndex):
            value = self._element_value(s, base, value)
            if base.name in self.param_types:
                self.mutated.add(base.name)
            return ir.StoreArrayItem(self._line(s), base.name, index.groups, value)
        return super()._store_index(s, target, base, index, value)

    def _element_value(self, s, base, value: ir.Expr) -> ir.Expr:
        """Convert `value` for storing into an element of array `base`, as numpy does
        (a Python int must fit the dtype: OverflowError); stores numpy would round,
        truncate or wrap stay Python."""
        if not isinstance(base.type, ir.Array):
            return super()._element_value(s, base, value)
        vt, elem = value.type, base.type.elem
        if not isinstance(vt, ir.Scalar):
            raise _Reject(s, "only numbers can be stored into an array")
        if vt == elem:
            return value
        if elem == NP_FLOAT64:
            return self._cast(value, elem)
        if elem == ir.Scalar("np.bool"):
            if vt != BOOL:
                raise _Reject(s, f"storing {vt} into a bool array is not translated (store a bool)")
            return self._cast(value, elem)
        if elem.is_float:  # float32
            if vt in (FLOAT, NP_FLOAT64) or (vt.is_numpy and vt != ir.Scalar("np.bool") and _can_cast_safely(vt, elem)):
                return self._cast(value, elem)
            value = self._exact_float32_const(value)
            if value.type == FLOAT:
                return self._cast(value, elem)
            raise _Reject(s, f"storing {vt} into a float32 array rounds it; not translated")
        # integer arrays
        if vt.is_float:
            raise _Reject(s, f"storing a float into an {base.type.dtype} array truncates; not translated")
        if vt in (INT, BOOL) or (vt.is_numpy and _can_cast_safely(vt, elem)):
            return self._cast(value, elem)  # a Python int is checked (numpy's OverflowError)
        raise _Reject(s, f"storing {vt} into an {base.type.dtype} array may wrap or raise; not translated")

    def _exact_float32_const(self, value: ir.Expr) -> ir.Expr:
        """An int constant that float32 holds exactly, as a float constant (else unchanged)."""
        if isinstance(value, ir.Const) and value.type == INT and abs(value.value) <= _F32_EXACT_INT:
            return ir.Const(FLOAT, float(value.value))
        return value

    def _weak_operands(self, a: ir.Expr, b: ir.Expr) -> tuple[ir.Expr, ir.Expr]:
        """Small int constants meeting float32 (`x * 2`) as float constants: same value, and
        float32 arithmetic as numpy does it (NEP 50: the Python scalar takes float32)."""
        f32 = ir.Scalar("np.float32")
        if b.type == f32:
            a = self._exact_float32_const(a)
        if a.type == f32:
            b = self._exact_float32_const(b)
        return a, b

    def _check_numpy_op(self, node, op: str, semantics: ir.Scalar | None, left, right) -> None:
        """Reject the numpy scalar operations whose exact result rustify does not reproduce."""
        if semantics is None:
            raise _Reject(node, f"`{node.as_string()}`: arithmetic on {left} and {right} is not translated "
                                "(numpy bools, a Python int with float32, or a numpy type pair without a translation)")
        if semantics.name == "np.float32" and op not in ("add", "sub", "mul", "truediv"):
            raise _Reject(node, f"`{node.as_string()}`: float32 `{op}` is not translated")
        if semantics.name == "np.uint64" and op == "pow":
            raise _Reject(node, f"`{node.as_string()}`: uint64 `**` is not translated")

    # ----------------------------------------------------------- attributes

    def _is_array_name(self, name: str) -> bool:
        return isinstance(self.env.get(name), ir.Array) and name not in self.poisoned

    def _is_array_attribute(self, node: nodes.Attribute) -> bool:
        return isinstance(node.expr, nodes.Name) and self._is_array_name(node.expr.name) \
            and (node.expr.name in self.local_names or node.expr.name in self.params)

    def _array_attribute(self, node: nodes.Attribute, defined) -> ir.Expr:
        base = self._expr(node.expr, defined)
        if node.attrname == "ndim":
            return ir.Const(INT, base.type.ndim)
        if node.attrname == "size":
            return ir.ArraySize(INT, base)
        if node.attrname == "shape" and hasattr(ir, "NewTuple"):  # a tuple of ints: `a.shape[k]`, `n, m = a.shape`
            dims = [ir.ArrayShape(INT, base, k) for k in range(base.type.ndim)]
            return ir.NewTuple(ir.TupleOf((INT,) * base.type.ndim), dims)
        raise _Reject(node, f"the array attribute `{node.attrname}` is not translated (shape[k], ndim, size are)")

    def _shape_arg(self, node, defined) -> list[ir.Expr]:
        """The shape argument of `np.zeros(...)`: an int, or a tuple of ints (one per axis)."""
        elts = node.elts if isinstance(node, nodes.Tuple) else [node]
        if not 1 <= len(elts) <= 4:
            raise _Reject(node, "new arrays of 1 to 4 dimensions only")
        dims = []
        for e in elts:
            value = self._expr(e, defined)
            if not isinstance(value.type, ir.Scalar) or not value.type.is_int:
                raise _Reject(node, "array dimensions must be integers")
            dims.append(self._cast(value, INT))
        return dims

