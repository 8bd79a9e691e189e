"""None: the `None` constant, `None` arguments, Optional (None-or-value) locals and results.

A `None` argument has its own signature kind (`None`), so each call's types say
whether a value is None. `x is None`, `x is not None`, `x == None` and
`x != None` of a name whose type is known are then decided when compiling, as
Python decides them (only None is None; a number, str, bytes or tuple never
equals None), and `objects.py`'s `if` keeps only the branch Python takes.

A local bound to None on one path and to a `T` on another (int, float, bool, str,
bytes: `ir.optional_inner`), a `None` argument the body rebinds to a `T`
(`if key is None: key = 0`), and a result that is None on one path and a `T` on
another are `ir.Optional(T)` (Rust's `Option<T>`). Tests against None narrow it,
flow-sensitively: in the branch where `x is not None` (or `x`, or the right side
of `x is None or ...`) holds, and after `if x is None: x = 0`, a read of `x` is its
`T` (`Unwrap`). Anywhere else an Optional value may only be tested against None,
tested for truth (None is false), bound to another Optional local or returned;
any other use (`x + 1`, `x < 3`: Python would raise TypeError for None) stays
Python with a reason.

Narrowing state (`self.narrowed`: name -> `T`, or `NONE` for known None) follows
the statements: an `if` joins its branches' states (a branch that jumps does not
reach the end); a loop forgets, before and after it, what it knew of the names
its body binds; any other compound statement (`try`, `with`) neither narrows nor
keeps what it knew of the names it binds.
"""

from __future__ import annotations

from contextlib import contextmanager

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Assigned, _Pending, _Reject, described
from rustify.analysis.lower.native_maps import _walk
from rustify.analysis.lower.scalars import _in_truth_context
from rustify.ir import BOOL, NONE

# types whose `== None` is the bool False without calling user code (their __eq__ is the
# builtin one; numpy scalars give a Python bool too). Not arrays: `a == None` is elementwise.
_NEVER_EQUAL_NONE = (ir.Scalar, ir.Complex, ir.Str, ir.Bytes, ir.ByteArray, ir.TupleOf, ir.ListOf,
                     ir.PyListOf, ir.DictOf, ir.SetOf)
_NONE_TESTS = ("is", "is not", "==", "!=")


class OptionalRules:
    """The None rules of `FunctionLowerer`."""

    # ------------------------------------------------------------ passes and types

    def _begin_narrowing(self) -> None:
        """At the start of each pass: a None argument the body rebinds is a known None."""
        self.narrowed: dict = {p: NONE for p, t in self.param_types.items()
                               if t == NONE and isinstance(self.env.get(p), ir.Optional)}
        self._if_frames: list = []
        self._unnarrowable: set = set()

    @property
    def optional_candidates(self) -> set:
        """Locals (and arguments) bound only by plain assignment (`x = ...`, `x: T = ...`,
        `x += ...`): the ones that may be Optional."""
        found = self.__dict__.get("_optional_candidates")
        if found is None:
            found = self.__dict__["_optional_candidates"] = _plainly_bound(self.fdef)
        return found

    @property
    def none_mixed(self) -> dict:
        """Locals the body binds to None and to something else: name -> the other type (None
        until a store names it). Those that are not Optional stay Python."""
        found = self.__dict__.get("_none_mixed")
        if found is None:
            found = self.__dict__["_none_mixed"] = _assigned_none_and_more(self.fdef)
        return found

    def _optional_join(self, name: str, seen: _Assigned):
        """None and `T` (or `Optional[T]`) bound to one plain local: `Optional[T]`; else None."""
        return self._optional_join_of(seen) if name in self.optional_candidates else None

    @staticmethod
    def _optional_join_of(seen: _Assigned):
        has_none = any(t == NONE or isinstance(t, ir.Optional) for t in seen.types)
        others = [(t.inner if isinstance(t, ir.Optional) else t, c)
                  for t, c in zip(seen.types, seen.consts) if t != NONE]
        if not has_none or not others:
            return None
        inner = {t for t, _ in others}
        if len(inner) != 1:
            return None  # `None`, 0 and 0.5: the usual reasons
        inner = inner.pop()
        return ir.Optional(inner) if ir.optional_inner(inner) else None

    def _rebound_argument_type(self, name: str, seen: _Assigned):
        """The None argument `name` the body rebinds to a `T` (`seen`): `Optional[T]`, or None."""
        return self._optional_join(name, _Assigned([NONE, *seen.types], [None, *seen.consts]))

    def rebound_arguments(self) -> dict:
        """None arguments the body rebinds: name -> their `Optional` type (the kernel declares
        them as locals, starting None)."""
        return {p: self.env[p] for p, t in self.param_types.items()
                if t == NONE and isinstance(self.env.get(p), ir.Optional)}

    def _optional_return(self, terminates: bool):
        """Returns of None (or falling off the end) and of a `T`: `Optional[T]`; else None."""
        # In a provisional round (a recursive call waits for its return type) a statement may
        # have been skipped, so the body seems to fall off its end: that None is not a return.
        provisional = self.unit is not None and self.unit.provisional
        types_ = [t for _, t in self.returns] + ([] if terminates or provisional else [NONE])
        has_none = any(t == NONE or isinstance(t, ir.Optional) for t in types_)
        inner = {t.inner if isinstance(t, ir.Optional) else t for t in types_ if t != NONE}
        if has_none and len(inner) == 1 and ir.optional_inner(next(iter(inner))):
            return ir.Optional(inner.pop())
        return None

    def _box_returns(self, body: list, return_type, terminates: bool) -> list:
        """Each `return` of a function whose result is Optional gives an `Option` (None, or
        the value); falling off the end returns None."""
        if not isinstance(return_type, ir.Optional):
            return body
        for node, _, _, _ in [w for top in body for w in _walk(top)]:
            if isinstance(node, ir.Return):
                value = node.value if node.value is not None else ir.Const(NONE, None)
                if value.type != return_type:
                    node.value = ir.Wrap(return_type, value)
        if not terminates:
            body = [*body, ir.Return(self._line(self.fdef), ir.Wrap(return_type, ir.Const(NONE, None)))]
        return body

    # ------------------------------------------------------------------- reads

    def _constant(self, node, value) -> ir.Expr:
        if value is None:
            return ir.Const(ir.NONE, None)
        return super()._constant(node, value)

    def _optional_var(self, name: str, t: ir.Optional, node, raw: bool):
        """A read of the Optional local `name`: its `T` or None where a test proved which, else
        the Optional value where `_optional_use` allows it."""
        known = self.narrowed.get(name)
        if known == NONE:
            value = ir.Const(NONE, None)
        elif known is not None:
            value = ir.Unwrap(known, ir.Var(t, name))
        elif self._optional_use(node):
            value = ir.Var(t, name)
        else:
            raise _Reject(node, self._maybe_none_reason(name, t))
        return (value, False) if raw else value

    def _maybe_none_reason(self, what: str, t) -> str:
        return (f"`{what}` may be None here (it is {t}): an Optional value is translated where it is tested "
                f"against None, tested for truth, bound or returned, and used as a {t.inner} only where a test "
                f"such as `{what} is not None` proves it is not None (for None, Python would raise TypeError "
                "or compare otherwise)")

    def _optional_use(self, node) -> bool:
        """`node` (a read of an Optional value) is in a place that takes it as it is."""
        parent = node.parent
        if isinstance(parent, nodes.Compare):
            if len(parent.ops) != 1 or parent.ops[0][0] not in _NONE_TESTS:
                return False
            other = parent.ops[0][1] if parent.left is node else parent.left
            return _is_none(other)
        if isinstance(parent, nodes.Return):
            return parent.value is node
        if isinstance(parent, nodes.Assign):
            return parent.value is node and all(isinstance(t, nodes.AssignName) and t.name in self.optional_candidates
                                                for t in parent.targets)
        if isinstance(parent, nodes.AnnAssign):
            return (parent.value is node and isinstance(parent.target, nodes.AssignName)
                    and parent.target.name in self.optional_candidates)
        return _in_truth_context(node)

    def _user_function_call(self, node, defined, receiver=None):
        found = super()._user_function_call(node, defined, receiver)
        if found is not None and isinstance(found.type, ir.Optional) and not self._optional_use(node):
            raise _Reject(node, self._maybe_none_reason(node.as_string()[:40], found.type))
        return found

    def _none_truth(self, value: ir.Expr) -> ir.Expr:
        """The truth of a None value: False."""
        if not ir.effect_free(value):
            raise _Reject(None, "the truth of a None value computed with side effects is not translated")
        return ir.Const(BOOL, False)

    # ------------------------------------------------------------------ stores

    def _optional_reason(self, name: str) -> str:
        other = self.none_mixed[name]
        return (f"`{name}` is None on one path and {f'a {other}' if other else 'a value'} on another: Optional "
                "(None-or-value) locals are translated for int, float, bool, str and bytes values bound by plain "
                "assignment (`x = ...`) only")

    def _store_name(self, s, name: str, value: ir.Expr):
        t = self.env.get(name)
        if isinstance(t, ir.Optional) and name in self.optional_candidates:
            return self._store_optional(s, name, t, value)
        if self.param_types.get(name) == NONE and value.type != NONE:
            if not self.final:  # its type settles when the passes join (`_join_pass`)
                self._record(name, value)
                return ir.Assign(self._line(s), name, value)
            raise _Reject(s, f"the argument `{name}` is None at this call; rebinding it to a {value.type} is "
                             "translated for int, float, bool, str and bytes values, by plain assignment")
        if name in self.none_mixed:
            if value.type != NONE and self.none_mixed[name] is None:
                self.none_mixed[name] = value.type
            if self.final:
                raise _Reject(s, self._optional_reason(name))
        self.narrowed.pop(name, None)
        return super()._store_name(s, name, value)

    def _store_optional(self, s, name: str, t: ir.Optional, value: ir.Expr) -> ir.Assign:
        """Bind `value` (None, a `T` or an `Optional[T]`) to the Optional local `name`."""
        if value.type not in (t, t.inner, NONE):
            if self.final:
                wide_text, value_text = described(t, value.type)
                raise _Reject(s, f"`{name}` is assigned both {wide_text} and {value_text}; "
                                 "its type would depend on the path taken")
        self._record(name, value)
        if value.type == t:
            self.narrowed.pop(name, None)
        else:
            if name not in self._unnarrowable:
                self.narrowed[name] = value.type
            value = ir.Wrap(t, value)
        return ir.Assign(self._line(s), name, value)

    # -------------------------------------------------------- tests and narrowing

    def _lower_compare(self, node: nodes.Compare, defined) -> ir.Expr:
        names = [n.name for n in [node.left] + [n for _, n in node.ops]
                 if isinstance(n, nodes.Name) and n.name in self.none_mixed
                 and not isinstance(self.env.get(n.name), ir.Optional)]
        if names and self.final:  # its type is not one type: neither a test against None nor a comparison is decided
            raise _Reject(node, self._optional_reason(names[0]))
        tested = self._none_test(node, defined)
        if tested is not None:
            return tested
        return super()._lower_compare(node, defined)

    def _none_test(self, node: nodes.Compare, defined) -> ir.Expr | None:
        """`x is None` (one comparison, one side the None literal, the other a name): a bool
        constant decided from x's type (or what a test proved of it), a test of an Optional
        x (`IsNone`), or None when it is not such a test."""
        tested = _tested_operand(node)
        if tested is None:
            return None
        left, op = tested
        if not isinstance(left, nodes.Name):  # `self.x is None`, `xs[i] is None`: objects.py
            return self._object_none_test(left, op, defined)
        value = self._expr(left, defined)  # a name: no side effects to keep
        if isinstance(value.type, ir.Optional):
            return ir.IsNone(BOOL, value, negated=op in ("is not", "!="))
        if isinstance(value.type, ir.NoneType):
            is_none = True
        elif op in ("is", "is not") or isinstance(value.type, _NEVER_EQUAL_NONE):
            # `is` compares identity: only None is None; `==` of these types is the builtin one
            is_none = False
        else:
            return None  # an object's own __eq__ decides: the usual rules say why not
        return ir.Const(BOOL, is_none if op in ("is", "==") else not is_none)

    def _narrowing(self, node) -> tuple[dict, dict]:
        """What `node` (a test) being true, and being false, proves of Optional locals:
        two dicts name -> `T` (not None) or `NONE`."""
        if isinstance(node, nodes.Compare):
            tested = _tested_name(node)
            t = self.env.get(tested[0].name) if tested else None
            if not isinstance(t, ir.Optional) or tested[0].name in self._unnarrowable:
                return {}, {}
            name = tested[0].name
            is_none, not_none = {name: NONE}, {name: t.inner}
            return (is_none, not_none) if tested[1] in ("is", "==") else (not_none, is_none)
        if isinstance(node, nodes.Name):
            t = self.env.get(node.name)
            if isinstance(t, ir.Optional) and node.name not in self._unnarrowable:
                return {node.name: t.inner}, {}  # a true value is not None
            return {}, {}
        if isinstance(node, nodes.UnaryOp) and node.op == "not":
            when_true, when_false = self._narrowing(node.operand)
            return when_false, when_true
        if isinstance(node, nodes.BoolOp):
            parts = [self._narrowing(v) for v in node.values]
            deciding = 0 if node.op == "and" else 1  # what every operand proves when the whole is true (and)
            every, some = {}, None
            for part in parts:  # the whole is false (and) when one operand is, the ones before it true
                some = _meet(some, {**every, **part[1 - deciding]})
                every = {**every, **part[deciding]}
            return (every, some or {}) if node.op == "and" else (some or {}, every)
        return {}, {}

    def _lower_if(self, s: nodes.If, defined):
        when_true, when_false = self._narrowing(s.test)
        before = dict(self.narrowed)
        frame = (s, when_true, when_false, before, [])
        self._if_frames.append(frame)
        try:
            result = super()._lower_if(s, defined)
        except (_Reject, _Pending):
            self._if_frames.pop()
            self.narrowed = before
            if not self.final and any(n.name in self.none_mixed for n in s.test.nodes_of_class(nodes.Name)):
                # `if best is None or v < best: best = v` while `best` is only known as None: the
                # branches' assignments still tell the next pass what else `best` holds
                self._block(s.body, defined)
                self._block(s.orelse, defined)
            raise
        else:
            self._if_frames.pop()
            self.narrowed = before
        ends = [state for state, jumps in frame[4] if not jumps]
        after = None
        for state in ends:
            after = _meet(after, state)
        self.narrowed = after if after is not None else before
        return result

    @contextmanager
    def branch_narrowing(self, stmts):
        """Around the lowering of a statement list: in a branch of the `if` being lowered, what
        its test proved; `end(jumps)` records the state the branch ends in."""
        frame = self._if_frames[-1] if self._if_frames else None
        if frame is None or not (stmts is frame[0].body or stmts is frame[0].orelse):
            yield lambda jumps: None
            return
        s, when_true, when_false, before, ends = frame
        self.narrowed = {**before, **(when_true if stmts is s.body else when_false)}
        try:
            yield lambda jumps: ends.append((dict(self.narrowed), jumps))
        finally:
            self.narrowed = before

    def _lower_boolop(self, node: nodes.BoolOp, defined) -> ir.Expr:
        """`x is None or v < x`: each operand is lowered knowing what the ones before it proved."""
        if not self._mentions_optional(node):
            return super()._lower_boolop(node, defined)
        before = dict(self.narrowed)
        proved: dict = {}
        values = []
        try:
            for v in node.values:
                self.narrowed = {**before, **proved}
                values.append(self._expr(v, defined))
                when_true, when_false = self._narrowing(v)
                proved.update(when_true if node.op == "and" else when_false)
        finally:
            self.narrowed = before
        if _in_truth_context(node) and not any(isinstance(v.type, ir.Instance) for v in values):
            # only its truth is seen: the truth of each operand (an object's own __bool__ would
            # run twice in Python, as in scalars.py: it stays Python)
            return ir.BoolOp(BOOL, node.op, [self._truth(v) for v in values])
        self.hand_down(*zip(node.values, values))
        return super()._lower_boolop(node, defined)

    def _lower_ifexp(self, node: nodes.IfExp, defined) -> ir.Expr:
        """`a if x is not None else b`: a test decided when compiling gives the branch Python
        takes (the other never runs); otherwise each branch knows what the test proved."""
        test = self._truth(self._expr(node.test, defined))
        when_true, when_false = self._narrowing(node.test)
        before = dict(self.narrowed)
        try:
            if isinstance(test, ir.Const) and type(test.value) is bool:
                self.narrowed = {**before, **(when_true if test.value else when_false)}
                return self._expr(node.body if test.value else node.orelse, defined)
            self.narrowed = {**before, **when_true}
            body = self._expr(node.body, defined)
            self.narrowed = {**before, **when_false}
            orelse = self._expr(node.orelse, defined)
        finally:
            self.narrowed = before
        self.hand_down((node.test, test), (node.body, body), (node.orelse, orelse))
        return super()._lower_ifexp(node, defined)

    def _mentions_optional(self, node) -> bool:
        return any(isinstance(self.env.get(n.name), ir.Optional) for n in node.nodes_of_class(nodes.Name))

    @contextmanager
    def statement_narrowing(self, s):
        """Around the lowering of statement `s`: a loop forgets, before and after, what was
        proved of the names it binds; `try` (any other statement with a body) also does not
        narrow them inside."""
        if isinstance(s, nodes.If) or not isinstance(getattr(s, "body", None), list):
            yield
            return
        loop = isinstance(s, (nodes.For, nodes.While))
        bound = _bound_names(s)
        if loop:  # `x += ...` of a value proved not None keeps it not None (or stays Python)
            bound = {n for n in bound if self.narrowed.get(n) in (None, NONE) or n not in _aug_only(s)}
        blocked = set() if loop else bound - self._unnarrowable
        for name in bound:
            self.narrowed.pop(name, None)
        self._unnarrowable |= blocked
        try:
            yield
        finally:
            self._unnarrowable -= blocked
            for name in bound:
                self.narrowed.pop(name, None)


def _is_none(node) -> bool:
    return isinstance(node, nodes.Const) and node.value is None


def _tested_name(node: nodes.Compare):
    """(the Name, the operator) of `x is None` / `None is not x` / `x == None` ...; or None."""
    tested = _tested_operand(node)
    return tested if tested is not None and isinstance(tested[0], nodes.Name) else None


def _tested_operand(node: nodes.Compare):
    """(the operand, the operator) of `x is None` / `None is not p.x` / `xs[i] == None` ...; or None."""
    if len(node.ops) != 1:
        return None
    op, right = node.ops[0]
    if op not in _NONE_TESTS:
        return None
    left = node.left
    if _is_none(left) and not _is_none(right):
        left, right = right, left
    if not _is_none(right) or not isinstance(left, (nodes.Name, nodes.Attribute, nodes.Subscript, nodes.Call)):
        return None
    return left, op


def _meet(a: dict | None, b: dict) -> dict:
    """What both states prove (None: no state yet)."""
    if a is None:
        return dict(b)
    return {k: v for k, v in a.items() if b.get(k) == v}


def _bound_names(s) -> set[str]:
    """Names a statement binds anywhere inside it."""
    names = {n.name for n in s.nodes_of_class(nodes.AssignName)}
    return names | {n.target.name for n in s.nodes_of_class(nodes.AugAssign) if isinstance(n.target, nodes.AssignName)}


def _aug_only(s) -> set[str]:
    """Names that statement `s` binds only with `x += ...` (augmented assignment)."""
    plain = {n.name for n in s.nodes_of_class(nodes.AssignName) if not isinstance(n.parent, nodes.AugAssign)}
    return {n.target.name for n in s.nodes_of_class(nodes.AugAssign)
            if isinstance(n.target, nodes.AssignName)} - plain


def _plainly_bound(fdef: nodes.FunctionDef) -> set[str]:
    """Names whose every binding in the body is `x = ...` (a name target), `x: T = ...` or
    `x += ...` (arguments count as bound plainly)."""
    plain, other = set(), set()
    for target in fdef.nodes_of_class(nodes.AssignName):
        parent = target.parent
        if isinstance(parent, (nodes.Assign, nodes.AnnAssign, nodes.AugAssign, nodes.Arguments)):
            plain.add(target.name)
        else:
            other.add(target.name)
    return plain - other


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
