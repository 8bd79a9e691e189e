"""str, bytes and bytearray: constants, indexing, slicing, iteration, comparison, `in`,
`+`/`*`, methods (STR_METHODS), f-strings, bytearray stores and `append`.

The kernel holds the caller's own objects (ir.Str, ir.Bytes, ir.ByteArray): reads of one
character or byte go to CPython's storage, and everything whose exact behaviour is
CPython's own (case mapping, character classes, slicing, `str(float)`, format specs,
every error message) calls CPython. Comparisons involving one character (`s[i] == t[j]`,
`ch == "a"`, `c in "aeiou"`) compare code points and build no str. In: astroid nodes
with their lowered operands; out: the `ir.Text*` nodes rendered by expr_text.rs.j2.
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Reject
from rustify.ir import BOOL, BYTEARRAY, BYTES, INT, STR

_TEXT = (ir.Str, ir.Bytes, ir.ByteArray)
_STR_LIST = ir.PyListOf(STR)


def is_text(t) -> bool:
    """A str, bytes or bytearray IR type."""
    return isinstance(t, _TEXT)


@dataclass(frozen=True)
class Method:
    """One translated method of str: the kinds of its positional arguments ("str", "int",
    "iterable of str"; a trailing "?" makes it optional) and of its result."""

    name: str
    args: tuple[str, ...]
    result: ir.Type
    doc: str


def _percent_operand(t) -> bool:
    """Whether `fmt % value` may box `value` of type `t`: an exact object with no `__rmod__`
    (a number, str, bytes, or a tuple of them)."""
    if isinstance(t, ir.TupleOf):
        return all(_percent_operand(i) for i in t.items)
    return t in (STR, BYTES) or (isinstance(t, ir.Scalar) and t.in_containers)


def _methods(*ms: Method) -> dict[str, Method]:
    return {m.name: m for m in ms}


_RANGE = ("int?", "int?")
# The methods of str the translator calls (CPython's own, so Unicode case mapping, Python's
# whitespace and character classes are exactly Python's). docs/supported-python.md lists them.
STR_METHODS = _methods(
    Method("split", ("str?", "int?"), _STR_LIST, "no separator: runs of Python's whitespace; a new list"),
    Method("rsplit", ("str?", "int?"), _STR_LIST, "as split, from the right"),
    Method("join", ("iterable of str",), STR, "a list or tuple of str, or a generator expression of str"),
    Method("strip", ("str?",), STR, "Python's whitespace, or the given characters"),
    Method("lstrip", ("str?",), STR, "as strip, left only"),
    Method("rstrip", ("str?",), STR, "as strip, right only"),
    Method("lower", (), STR, "Unicode case mapping, as Python's"),
    Method("upper", (), STR, "Unicode case mapping, as Python's"),
    Method("startswith", ("str", *_RANGE), BOOL, "a str prefix, optional start/end"),
    Method("endswith", ("str", *_RANGE), BOOL, "a str suffix, optional start/end"),
    Method("find", ("str", *_RANGE), INT, "-1 when absent"),
    Method("rfind", ("str", *_RANGE), INT, "-1 when absent"),
    Method("index", ("str", *_RANGE), INT, "ValueError when absent, as Python's"),
    Method("count", ("str", *_RANGE), INT, "non-overlapping occurrences"),
    Method("replace", ("str", "str", "int?"), STR, "optional count"),
    Method("isdigit", (), BOOL, "Python's Unicode definition"),
    Method("isalpha", (), BOOL, "Python's Unicode definition"),
    Method("isspace", (), BOOL, "Python's whitespace (\\x1c-\\x1f included)"),
    Method("isalnum", (), BOOL, "Python's Unicode definition"),
)

_CONVERSIONS = {-1: " ", ord("r"): "r", ord("s"): "s", ord("a"): "a"}


class TextRules:
    """Mixed into `FunctionLowerer`; the rules the other families hand text operands to."""

    # -------------------------------------------------------------- constants

    def _text_constant(self, node, value) -> ir.Expr:
        """A str constant (literal or module global: frozen in, keyed by value) or a bytes literal."""
        if isinstance(value, str):
            return ir.TextConst(STR, value, [ord(c) for c in value])
        if not isinstance(node, nodes.Const):
            raise _Reject(node, "a module-level bytes constant is not translated (bytes literals are)")
        return ir.TextConst(BYTES, value, list(value))

    def _char_constant(self, e: ir.Expr) -> int | None:
        """The code point of a one-character str constant, else None."""
        if isinstance(e, ir.TextConst) and e.type == STR and len(e.units) == 1:
            return e.units[0]
        return None

    # --------------------------------------------------------------- indexing

    def _text_subscript(self, node: nodes.Subscript, defined) -> ir.Expr | None:
        """`s[i]`, `s[a:b:c]` of any text expression, else None (the base is handed down)."""
        base = self._text_operand(node.value, defined)
        if base is None:
            return None
        if not is_text(base.type):
            self.hand_down((node.value, base))
            return None
        if isinstance(node.slice, nodes.Slice):
            bounds = [None if b is None or (isinstance(b, nodes.Const) and b.value is None)
                      else self._int_arg(b, defined)
                      for b in (node.slice.lower, node.slice.upper, node.slice.step)]
            return ir.TextSlice(base.type, base, *bounds)
        return self._text_item(base, self._int_arg(node.slice, defined))

    def _text_operand(self, node, defined) -> ir.Expr | None:
        """`node` lowered to see whether it is text, or None when it is not an expression on
        its own (`a[i]` of `a[i][j]`, `d.items()` of a loop): the next family's rule lowers it."""
        try:
            return self._expr(node, defined)
        except _Reject:
            return None

    def _text_item(self, base: ir.Expr, index: ir.Expr) -> ir.Expr:
        return ir.TextItem(base.type if base.type == STR else INT, base, index)

    def _code_point(self, e: ir.Expr) -> ir.Expr | None:
        """`e` as a code point when it is one character read from a str (`s[i]`), else None."""
        if isinstance(e, ir.TextItem) and e.type == STR:
            return ir.TextCodePoint(INT, e.base, e.index)
        return None

    # ------------------------------------------------------------- comparison

    def _text_compare(self, node: nodes.Compare, operands: list[ir.Expr]) -> ir.Expr | None:
        """A comparison chain with a str/bytes operand (or `in` with one), else None."""
        if not any(is_text(o.type) for o in operands):
            return None
        if len(operands) == 2 and self.is_code_point_var(operands[0]) and operands[1].type == STR:
            # `ch in "aeiou"`, `ch == "a"` with `ch` held as a code point (see `_text_for`)
            (op_text, _), = node.ops
            cp, text = operands
            if op_text in ("in", "not in"):
                return ir.TextCompare(BOOL, ["in" if op_text == "in" else "not_in"], [cp, text], ["cp_in_const"])
            return ir.TextCompare(BOOL, ["eq" if op_text == "==" else "ne"],
                                  [cp, ir.Const(INT, self._char_constant(text))], ["code"])
        if len(operands) == 2 and self.is_code_point_var(operands[1]) and operands[0].type == STR:
            (op_text, _), = node.ops
            return ir.TextCompare(BOOL, ["eq" if op_text == "==" else "ne"],
                                  [ir.Const(INT, self._char_constant(operands[0])), operands[1]], ["code"])
        ops, modes, out = [], [], list(operands)
        names = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne", "in": "in",
                 "not in": "not_in"}
        for k, (op_text, _) in enumerate(node.ops):
            op = names.get(op_text)
            a, b = operands[k], operands[k + 1]
            if op is None:
                raise _Reject(node, f"comparison `{op_text}` on {a.type} and {b.type} is not translated")
            if op in ("in", "not_in"):
                if not (a.type == b.type == STR or (isinstance(a.type, (ir.Bytes, ir.ByteArray))
                                                    and isinstance(b.type, (ir.Bytes, ir.ByteArray)))):
                    raise _Reject(node, f"`{op_text}` of {a.type} in {b.type} is not translated "
                                        "(a str in a str, bytes in bytes)")
                modes.append("in_const" if isinstance(b, ir.TextConst) and b.type == STR else "text")
            else:
                if a.type != b.type or not is_text(a.type):
                    if not (is_text(a.type) and is_text(b.type) and a.type != STR and b.type != STR):
                        raise _Reject(node, f"comparing {a.type} with {b.type} is not translated"
                                            + (" (Python: always unequal)" if op in ("eq", "ne") else ""))
                modes.append("text")
            ops.append(op)
        # one-character comparisons compare code points (no str is built)
        for k, op in enumerate(ops):
            if op not in ("eq", "ne", "lt", "le", "gt", "ge") or modes[k] != "text":
                continue
            a, b = out[k], out[k + 1]
            ca = self._code_point(a) if self._char_constant(b) is not None or self._code_point(b) else None
            cb = self._code_point(b) if self._char_constant(a) is not None or self._code_point(a) else None
            if ca is not None and cb is not None:
                out[k], out[k + 1], modes[k] = ca, cb, "code"
            elif ca is not None and self._char_constant(b) is not None:
                out[k], out[k + 1], modes[k] = ca, ir.Const(INT, self._char_constant(b)), "code"
            elif cb is not None and self._char_constant(a) is not None:
                out[k], out[k + 1], modes[k] = ir.Const(INT, self._char_constant(a)), cb, "code"
            elif op in ("eq", "ne") and a.type == STR and self._char_constant(b) is not None:
                out[k + 1], modes[k] = ir.Const(INT, self._char_constant(b)), "char_r"
            elif op in ("eq", "ne") and b.type == STR and self._char_constant(a) is not None:
                out[k], modes[k] = ir.Const(INT, self._char_constant(a)), "char_l"
            if modes[k] != "text" and len(ops) > 1:
                # a chain shares its middle operands between links: keep them objects
                out[k], out[k + 1], modes[k] = operands[k], operands[k + 1], "text"
        return ir.TextCompare(BOOL, ops, out, modes)

    # -------------------------------------------------------------- operators

    def _text_binop(self, node, op: str, lv: ir.Expr, rv: ir.Expr) -> ir.Expr | None:
        """`a + b` of two str (or two bytes), `s * n` / `n * s`; None when neither side is text."""
        if not (is_text(lv.type) or is_text(rv.type)):
            return None
        if op == "add" and lv.type == rv.type and lv.type in (STR, BYTES):
            return ir.TextBinOp(lv.type, "add", lv, rv)
        if op == "mul":
            text, count = (lv, rv) if is_text(lv.type) else (rv, lv)
            if text.type in (STR, BYTES) and count.type in (INT, BOOL):
                return ir.TextBinOp(text.type, "mul", text, self._cast(count, INT))
        if op == "mod" and lv.type in (STR, BYTES):
            if not _percent_operand(rv.type):
                raise _Reject(node, f"`%` formatting of a {rv.type} is not translated (of an int, float, bool, "
                                    "str, bytes or a tuple of those it is)")
            return ir.TextPercent(lv.type, lv, rv)
        raise _Reject(node, f"`{node.as_string()}`: this operator on {lv.type} and {rv.type} is not translated")

    # ---------------------------------------------------------------- methods

    def _text_method_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`s.method(...)` on a str value (STR_METHODS), else None (the base is handed down)."""
        func = node.func
        if not isinstance(func, nodes.Attribute):
            return None
        base_node = func.expr
        if isinstance(base_node, nodes.Name) and base_node.name not in self.local_names \
                and base_node.name not in self.params and not isinstance(self._maybe_global(base_node), str):
            return None  # a module (`math.sqrt`) or another global
        if isinstance(base_node, nodes.Attribute):
            return None
        if func.attrname == "format" and isinstance(base_node, nodes.Const) and type(base_node.value) is str:
            return self._str_format(node, base_node.value, defined)
        base = self._expr(base_node, defined)
        if not is_text(base.type):
            self.hand_down((base_node, base))
            return None
        method = STR_METHODS.get(func.attrname) if base.type == STR else None
        if method is None:
            raise _Reject(node, f"the method `{func.attrname}` of {base.type} is not translated")
        if node.keywords:
            raise _Reject(node, f"keyword arguments to `str.{method.name}` are not translated")
        required = sum(not a.endswith("?") for a in method.args)
        if not required <= len(node.args) <= len(method.args):
            raise _Reject(node, f"`str.{method.name}` with {len(node.args)} argument(s) is not translated")
        args = [self._method_arg(node, method, spec, a, defined) for spec, a in zip(method.args, node.args)]
        return ir.TextMethod(method.result, method.name, base, args)

    def _method_arg(self, node, method: Method, spec: str, arg_node, defined) -> ir.Expr:
        spec = spec.rstrip("?")
        if spec == "int":
            return self._int_arg(arg_node, defined)
        if spec == "iterable of str" and isinstance(arg_node, nodes.GeneratorExp):
            # `sep.join(w[::-1] for w in ws)`: join makes a list of its iterable before it joins,
            # so the generator becomes the lists family's new list (lists.py)
            value = self._comprehension(arg_node, "list", defined)
        else:
            value = self._expr(arg_node, defined)
        if spec == "str" and value.type == STR:
            return value
        if spec == "iterable of str" and (value.type == _STR_LIST or (
                isinstance(value.type, ir.TupleOf) and all(t == STR for t in value.type.items))):
            return value
        raise _Reject(node, f"`str.{method.name}` with an argument of type {value.type} is not translated "
                            f"(it takes {spec})")

    def _text_expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt | None:
        """`b.append(v)` on a bytearray as a statement, else None (the base is handed down)."""
        call = s.value
        if not (isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute)
                and isinstance(call.func.expr, nodes.Name)
                and (call.func.expr.name in self.local_names or call.func.expr.name in self.params)):
            return None
        base = self._expr(call.func.expr, defined)
        if base.type != BYTEARRAY:
            self.hand_down((call.func.expr, base))
            return None
        if call.func.attrname != "append" or len(call.args) != 1 or call.keywords:
            raise _Reject(s, f"the method `{call.func.attrname}` of bytearray is not translated (append is)")
        value = self._int_arg(call.args[0], defined)
        self.note_object_write(s, base)
        return ir.TextAppend(self._line(s), base, value)

    # ------------------------------------------------------------ bytearray

    def _bytearray_store(self, s, base: ir.Expr, index: ir.Expr, value: ir.Expr) -> ir.Stmt:
        """`b[i] = v` (and `b[i] += v`) on a bytearray: v must be an int."""
        if value.type not in (INT, BOOL):
            raise _Reject(s, f"storing {value.type} into a bytearray is not translated (ints are)")
        self.note_object_write(s, base)
        return ir.TextStore(self._line(s), base, index, self._cast(value, INT))

    # ---------------------------------------------- conditionals and/or

    def _lower_ifexp(self, node: nodes.IfExp, defined) -> ir.Expr:
        """`a if c else b` with two str (or bytes) branches; anything else: the next family's rule."""
        body, orelse = self._text_operand(node.body, defined), self._text_operand(node.orelse, defined)
        if body is None or orelse is None or not (is_text(body.type) and body.type == orelse.type):
            self.hand_down(*[(n, v) for n, v in ((node.body, body), (node.orelse, orelse)) if v is not None])
            return super()._lower_ifexp(node, defined)
        test = self._truth(self._expr(node.test, defined))
        return ir.IfExp(body.type, test, body, orelse)

    def _lower_boolop(self, node: nodes.BoolOp, defined) -> ir.Expr:
        """`a or b` / `a and b` of str (or bytes) operands: one of them, as Python returns."""
        values = [self._text_operand(v, defined) for v in node.values]
        if any(v is None for v in values) or not (is_text(values[0].type)
                                                  and all(v.type == values[0].type for v in values)):
            self.hand_down(*[(n, v) for n, v in zip(node.values, values) if v is not None])
            return super()._lower_boolop(node, defined)
        return ir.BoolOp(values[0].type, node.op, values)

    # ------------------------------------------------------------------- for

    def _lower_for(self, s: nodes.For, defined):
        """`for ch in s` over a text value; any other loop goes to the next family's rule."""
        it = s.iter
        if isinstance(it, nodes.Call) and isinstance(it.func, nodes.Name):
            return super()._lower_for(s, defined)  # range(), zip(), enumerate(), ...
        seq = self._text_operand(it, defined)
        if seq is None or not is_text(seq.type):
            if seq is not None:
                self.hand_down((it, seq))
            return super()._lower_for(s, defined)
        if s.orelse:
            raise _Reject(s, "`for ... else` is not translated")
        if not isinstance(s.target, nodes.AssignName):
            raise _Reject(s, f"unpacking the items of {seq.type} in a `for` target is not translated")
        return self._text_for(s, s.target.name, seq, defined)

    def _text_for(self, s: nodes.For, var: str, seq: ir.Expr, defined):
        """`for ch in s` (one-character strs) / `for b in data` (ints). A `ch` that is only ever
        compared with one-character constants, looked up in a str constant or passed to
        `ord` is held as its code point (an int): the loop builds no str at all."""
        codes = seq.type == STR and self._only_code_point_uses(s, var)
        if codes:
            self._code_point_vars().add(var)
        elem = STR if seq.type == STR and not codes else INT
        self._record(var, ir.Var(elem, var))
        if var in self.param_types or self.env.get(var, elem) != elem:
            raise _Reject(s, f"loop variable `{var}` is also used with another type")
        self.loop_depth += 1
        body, _, _ = self._block(s.body, defined | {var})
        self.loop_depth -= 1
        return [ir.TextFor(self._line(s), var, seq, body, codes)], defined, False

    def _code_point_vars(self) -> set[str]:
        """Loop variables over a str held as code points (see `_text_for`); kept across passes."""
        return self.__dict__.setdefault("_code_points", set())

    def is_code_point_var(self, e: ir.Expr) -> bool:
        return isinstance(e, ir.Var) and e.type == INT and e.name in self._code_point_vars()

    def _only_code_point_uses(self, loop: nodes.For, var: str) -> bool:
        """Every read of `var` in the function is `var == "c"`, `var != "c"`, `var in CONST`,
        `var not in CONST` (one operator; a str literal or module str global) or `ord(var)`,
        and this loop is its only assignment."""
        if var in self.params:
            return False
        stores = [n for n in self.fdef.nodes_of_class(nodes.AssignName) if n.name == var]
        if stores != [loop.target]:
            return False
        for n in self.fdef.nodes_of_class(nodes.Name):
            if n.name != var:
                continue
            parent = n.parent
            if isinstance(parent, nodes.Call) and parent.args == [n] and not parent.keywords \
                    and isinstance(parent.func, nodes.Name) and self._is_builtin_call(parent, ord):
                continue
            if not (isinstance(parent, nodes.Compare) and len(parent.ops) == 1):
                return False
            op, right = parent.ops[0]
            other = right if parent.left is n else parent.left
            if op in ("in", "not in") and parent.left is n and self._str_constant_node(other) is not None:
                continue
            if op in ("==", "!=") and len(self._str_constant_node(other) or "") == 1:
                continue
            return False
        return True

    def _str_constant_node(self, node) -> str | None:
        """The str a literal or a module str global names, else None."""
        if isinstance(node, nodes.Const):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, nodes.Name) and node.name not in self.local_names and node.name not in self.params:
            try:
                value = self._maybe_global(node)
            except _Reject:
                return None
            return value if isinstance(value, str) else None
        return None

    def _str_format(self, node: nodes.Call, template: str, defined) -> ir.Expr:
        """`"... {0:f} ...".format(a, b)` of a literal template: the f-string it means
        (`string.Formatter` parses the template as `str.format` does). Its arguments must be
        variables, constants or attributes of an argument (evaluating them can neither fail nor
        change anything, so the
        order the fields use them in does not matter); fields number `{}` or `{0}`, with a
        conversion and a constant spec."""
        import string

        args = [] if node.keywords else [self._expr(a, defined) for a in node.args]
        if node.keywords or not all(isinstance(a, (nodes.Name, nodes.Const)) or (
                isinstance(a, nodes.Attribute) and isinstance(a.expr, nodes.Name)
                and (isinstance(v, ir.HeldAttrRead) or isinstance(v, ir.AttrRead) and self._exact_instance(v.obj)))
                for a, v in zip(node.args, args)):
            raise _Reject(node, "`str.format` is translated with positional arguments that are variables, "
                                "constants or attributes of an argument only")
        parts, auto = [], None
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            raise _Reject(node, "`str.format` of this template raises ValueError") from None
        for text, field, spec, conversion in parsed:
            if text:
                parts.append(ir.TextConst(STR, text, [ord(c) for c in text]))
            if field is None:
                continue
            if field == "":
                if auto is False:
                    raise _Reject(node, "`str.format` mixing `{}` and `{0}` raises ValueError")
                auto, index = True, sum(1 for p in parts if isinstance(p, tuple))
            elif field.isdigit() and field.isascii():
                if auto is True:
                    raise _Reject(node, "`str.format` mixing `{}` and `{0}` raises ValueError")
                auto, index = False, int(field)
            else:
                raise _Reject(node, f"the `str.format` field `{{{field}}}` is not translated (`{{}}` and `{{0}}` are)")
            if index >= len(args):
                raise _Reject(node, f"`str.format` field {index} has no argument (Python raises IndexError)")
            if spec and ("{" in spec or "}" in spec):
                raise _Reject(node, "a `str.format` field with a nested field in its spec is not translated")
            value = args[index]
            if not (value.type == STR or (isinstance(value.type, ir.Scalar) and value.type.in_containers)):
                raise _Reject(node, f"formatting a {value.type} with `str.format` is not translated "
                                    "(int, float, bool, numpy float64/int64 and str are)")
            conv = _CONVERSIONS.get(-1 if conversion is None else ord(conversion))
            if conv is None:
                raise _Reject(node, f"`str.format` conversion !{conversion} is not translated")
            parts.append((value, conv, ir.TextConst(STR, spec, [ord(c) for c in spec]) if spec else None))
        return ir.TextFormat(STR, parts)

    # -------------------------------------------------------------- f-strings

    def _lower_joinedstr(self, node: nodes.JoinedStr, defined) -> ir.Expr:
        parts = []
        for v in node.values:
            if isinstance(v, nodes.Const):
                if v.value:
                    parts.append(ir.TextConst(STR, v.value, [ord(c) for c in v.value]))
                continue
            if not isinstance(v, nodes.FormattedValue):
                raise _Reject(node, f"f-string part `{type(v).__name__}` is not translated")
            value = self._expr(v.value, defined)
            if not (value.type == STR or (isinstance(value.type, ir.Scalar) and value.type.in_containers)):
                raise _Reject(node, f"formatting a {value.type} in an f-string is not translated "
                                    "(int, float, bool, numpy float64/int64 and str are)")
            conversion = _CONVERSIONS.get(v.conversion)
            if conversion is None:
                raise _Reject(node, f"f-string conversion {v.conversion} is not translated")
            spec = self._lower_joinedstr(v.format_spec, defined) if v.format_spec is not None else None
            if isinstance(spec, ir.TextFormat) and all(isinstance(p, ir.TextConst) for p in spec.parts):
                text = "".join(p.value for p in spec.parts)
                spec = ir.TextConst(STR, text, [ord(c) for c in text]) if text else None
            parts.append((value, conversion, spec))
        return ir.TextFormat(STR, parts)
