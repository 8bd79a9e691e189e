"""Method calls on int values (`n.bit_length()`), resolved through the intrinsics registry."""

from __future__ import annotations

from astroid import nodes

from rustify import ir
from rustify.analysis.intrinsics import resolve_intrinsic
from rustify.ir import BOOL, INT


class IntRules:
    """Mixed into `FunctionLowerer`."""

    def _int_method_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`n.bit_length()` on a local, an argument or an expression of type int/bool, else None."""
        func = node.func
        if not isinstance(func, nodes.Attribute):
            return None
        base = func.expr
        if isinstance(base, nodes.Name):
            if base.name not in self.local_names and base.name not in self.params:
                return None
        elif isinstance(base, nodes.Attribute):
            return None
        intrinsic = resolve_intrinsic(getattr(int, func.attrname, None))
        if intrinsic is None:
            return None
        value = self._expr(base, defined)
        if value.type not in (INT, BOOL):
            return None
        return intrinsic.lower(self, node, [value] + [self._expr(a, defined) for a in node.args])
