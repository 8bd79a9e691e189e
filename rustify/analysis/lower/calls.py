"""Calls between Python functions: one compile unit holds a function and its callees.

In: a `nodes.Call` whose callee is a Python function (a module-level function of this
or another module, a staticmethod or classmethod, a function rustify wraps: see
`source.python_function`) whose source was loaded with the caller's
(`FunctionSource.callees`). Out: an `ir.CallFunction` of the callee's specialisation
for the argument types at the call site (keywords and defaults bound as Python binds
them), lowered into the same unit; or a reason naming the callee and what keeps it in
Python.

`CallUnit` memoises the specialisations per (callee, argument kinds) and finds the
return types of recursive ones (direct or mutual) by a fixed point over rounds: a call
of a specialisation still being lowered uses its return type from the round before
(none yet: the statement waits, and the round is provisional); rounds repeat until
every specialisation returns what its callers assumed.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field

from astroid import nodes

from rustify import ir
from rustify.analysis.bounds import version_loops
from rustify.analysis.intrinsics import resolve_intrinsic
from rustify.analysis.lower.common import _Pending, _Reject, UNKNOWN_ELEM
from rustify.errors import Reason, Untranslatable

MAX_ROUNDS = 8
MAX_SPECIALISATIONS = 64
MAX_SPECIALISATIONS_OF_ONE = 8  # a recursion whose argument types grow (f(x) calls f((x, x))) stops here


@dataclass
class _Specialisation:
    """One (function, argument types) of the unit, and what the last round made of it."""

    unit_id: int
    func: types.FunctionType
    signature: tuple[str, ...]
    param_types: dict | None  # a callee's: the argument types at the call site
    bound_class: type | None  # a classmethod's class (its first parameter)
    # parameters given an object whose attributes were not classified at the root's call (an
    # object read from a container): its attribute types are only checked where read
    unclassified: frozenset = frozenset()
    guess: tuple | None = None  # (return type, mutated parameters) from the round before
    round: int = -1
    in_progress: bool = False
    function: ir.Function | None = None
    error: Untranslatable | None = None
    seen: tuple | None = None  # what this round found (also when it failed)
    calls: set = field(default_factory=set)  # unit ids it calls (this round)


class CallUnit:
    """The specialisations of one compile unit (`sources`: callee -> FunctionSource)."""

    def __init__(self, sources: dict):
        self.sources = sources
        self.specs: dict[tuple, _Specialisation] = {}
        self.round = 0
        self.provisional = False  # this round used a return type no round had found yet

    def specialisation(self, func, signature, param_types=None, bound_class=None,
                       unclassified: frozenset = frozenset()) -> _Specialisation:
        key = (func, signature)
        spec = self.specs.get(key)
        if spec is None:
            spec = self.specs[key] = _Specialisation(len(self.specs), func, signature, param_types, bound_class,
                                                     unclassified)
        return spec

    def lower(self, spec: _Specialisation, fdef: nodes.FunctionDef) -> ir.Function:
        """Lower `spec` for this round (once; a memoised result or error after that)."""
        from rustify.analysis.lower import FunctionLowerer
        from rustify.analysis.lower.bigints import WIDE_INTS, wide_lowerer

        if spec.round == self.round:
            if spec.error is not None:
                raise spec.error
            return spec.function
        spec.round, spec.function, spec.error, spec.calls = self.round, None, None, set()
        lowerer = (wide_lowerer(FunctionLowerer) if WIDE_INTS.get() else FunctionLowerer)(fdef, spec.func, spec.signature)
        lowerer.unit, lowerer.unit_spec = self, spec
        if spec.param_types is not None:
            lowerer.as_callee(spec.param_types, spec.bound_class)
            lowerer.unclassified_params = spec.unclassified
        src = self.sources.get(spec.func)
        if src is not None:
            lowerer.use_imports(src.tree)  # `from M import N` in the body: statements.py
        spec.in_progress = True
        try:
            fn = lowerer.lower()
        except Untranslatable as e:
            spec.error = e
            spec.seen = (lowerer.returns[0][1] if lowerer.returns else None, ())
            raise
        finally:
            spec.in_progress = False
        fn.unit_id = spec.unit_id
        spec.function = fn
        spec.seen = (fn.return_type, tuple(p.mutated for p in fn.params))
        return fn

    def settle(self) -> bool:
        """Take this round's findings as the next round's assumptions; True if none changed."""
        settled = not self.provisional
        for spec in self.specs.values():
            if spec.round == self.round and spec.seen != spec.guess:
                spec.guess, settled = spec.seen, False
        return settled


def lower_unit(fdef: nodes.FunctionDef, func: types.FunctionType, signature: tuple[str, ...], src) -> ir.Function:
    """`func` for `signature` with every callee it reaches, as one `ir.Function` whose
    `callees` are the other specialisations (raises `Untranslatable`)."""
    unit = CallUnit({**src.callees, func: src})
    root = unit.specialisation(func, signature)
    for round_ in range(MAX_ROUNDS):
        unit.round, unit.provisional = round_, False
        try:
            fn = unit.lower(root, fdef)
        except Untranslatable:
            if not unit.provisional or round_ == MAX_ROUNDS - 1:
                raise
            unit.settle()
            continue
        if unit.settle():
            break
    else:
        raise Untranslatable([Reason(func.__code__.co_firstlineno, func.__name__,
                                     "the return types of its recursive calls did not settle")])
    reached = _reachable(unit, root)
    fn.callees = [s.function for s in unit.specs.values() if s.unit_id in reached and s is not root]
    fn.recursive = _has_cycle(unit, reached)
    for f in [fn, *fn.callees]:
        version_loops(f)
    return fn


def _reachable(unit: CallUnit, root: _Specialisation) -> set[int]:
    by_id = {s.unit_id: s for s in unit.specs.values()}
    seen, todo = {root.unit_id}, [root.unit_id]
    while todo:
        for callee in by_id[todo.pop()].calls:
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return seen


def _has_cycle(unit: CallUnit, reached: set[int]) -> bool:
    by_id = {s.unit_id: s for s in unit.specs.values()}
    state: dict[int, int] = {}  # 1: on the path, 2: done

    def visit(i: int) -> bool:
        state[i] = 1
        for j in by_id[i].calls:
            if state.get(j) == 1 or (j not in state and visit(j)):
                return True
        state[i] = 2
        return False

    return any(i not in state and visit(i) for i in sorted(reached))


class CallRules:
    """Lowering of calls of Python functions (a mixin of `FunctionLowerer`)."""

    unit: CallUnit | None = None
    unit_spec: _Specialisation | None = None
    bound_classes: dict = {}  # a classmethod's first parameter -> its class

    def as_callee(self, param_types: dict, bound_class: type | None) -> None:
        """Lower this function as a callee: every parameter (keyword-only ones too; a
        classmethod's class parameter is bound, not passed) typed as at the call site."""
        args = self.fdef.args
        names = [a.name for a in args.posonlyargs + args.args + args.kwonlyargs]
        if bound_class is not None:
            self.bound_classes = {names[0]: bound_class}
            names = names[1:]
        self.params = names
        self.param_types = dict(param_types)
        self.env = dict(param_types)
        self.aliased_number_lists = []  # (the caller's variables decide: lists.py)
        self.lent_parameters = True  # a flat list parameter keeps the caller's representation
        self.local_names = set(self.fdef.locals) - set(names) - set(self.bound_classes)

    # ------------------------------------------------------------ call sites

    def _user_function_call(self, node: nodes.Call, defined, receiver=None) -> ir.Expr | None:
        """`node` lowered as a call of a Python function, or None if its callee is not one.
        `receiver`: (the class attribute, the class, the object) of a method call `p.m(...)`
        on an object (objects.py): a plain function gets the object as its first argument."""
        from rustify.analysis.source import python_function

        target, owner = self._call_target(node.func) if receiver is None else receiver[:2]
        if target is None or resolve_intrinsic(target) is not None:
            return None  # not a function, or one the intrinsics table knows (np.ones is Python code)
        resolved = python_function(target)
        if resolved is None:
            return None
        callee, is_classmethod = resolved
        name = (node.func if isinstance(node, nodes.Call) else node).as_string()  # (a property read: the Attribute)
        bound_class = owner if is_classmethod else None
        if is_classmethod and not isinstance(owner, type):
            raise _Reject(node, f"`{name}` is a classmethod called through something that is not its class")
        code = callee.__code__
        if code.co_flags & (0x04 | 0x08):
            raise _Reject(node, f"`{name}` takes *args or **kwargs: calls to it are not translated")
        if callee.__closure__:
            raise _Reject(node, f"`{name}` is a closure (it reads variables of an enclosing function): "
                                "calls to it are not translated")
        if code.co_flags & (0x20 | 0x80 | 0x100 | 0x200):
            raise _Reject(node, f"`{name}` is a generator or coroutine: calls to it are not translated")
        bound_self = receiver[2] if receiver is not None and not is_classmethod and isinstance(
            target, types.FunctionType) else None
        if receiver is not None and bound_self is None and isinstance(receiver[2], ir.MethodReceiver):
            raise _Reject(node, f"`{name}` is a staticmethod or classmethod called on an object read from a "
                                "container, whose own attribute could hide it: not translated")
        args, passing, slots, param_types = self._bind_call(
            node, name, callee, bound_class is not None or bound_self is not None, defined)
        if bound_self is not None:  # `p.m(a)` runs `type(p).m(p, a)`: the object is evaluated first
            first = callee.__code__.co_varnames[0]
            args, passing = [bound_self] + args, ["value"] + passing
            slots = [0] + [i + 1 for i in slots]
            param_types = {first: bound_self.type, **param_types}
        if self.unit is None:
            raise _Reject(node, f"calls to other Python functions (`{name}`) are translated only within a compile unit")
        signature = tuple(param_types[p].kind for p in param_types)
        unclassified = frozenset(p for k, p in enumerate(param_types) if isinstance(args[slots[k]].type, ir.Instance)
                                 and not self._classified_here(args[slots[k]]))
        if unclassified:  # its own specialisation: objects.py folds tests of classified attributes only
            signature += (f"unclassified: {', '.join(sorted(unclassified))}",)
        if (callee, signature) not in self.unit.specs and (
                len(self.unit.specs) >= MAX_SPECIALISATIONS
                or sum(f is callee for f, _ in self.unit.specs) >= MAX_SPECIALISATIONS_OF_ONE):
            raise _Reject(node, f"`{name}` would need more specialisations than a compile unit holds "
                                f"({MAX_SPECIALISATIONS_OF_ONE} per function, {MAX_SPECIALISATIONS} in all): "
                                "each call with new argument types is one")
        spec = self.unit.specialisation(callee, signature, param_types, bound_class, unclassified)
        if self.final:  # the calls of the final IR (a pass before may have seen other types)
            self.unit_spec.calls.add(spec.unit_id)
        if spec.in_progress:  # a recursive call: what the round before found
            self.note_deopt()  # the native depth bound re-runs the caller in Python
            if any(a.type.is_object for a in args):
                self.object_writes.append((node, None, None))  # what it sets is not known yet: visible
            if spec.guess is None or spec.guess[0] is None:
                self.unit.provisional = True
                raise _Pending()
            return_type, mutated = spec.guess
        else:
            fn = self._translate_callee(node, name, spec)
            if fn.may_deopt or fn.recursive or self._unchecked_objects(args):
                self.note_deopt()  # a callee's Deopt re-runs the caller in Python
            if fn.writes_visible_objects:
                # the caller's own rule (`lower`): no re-run in Python once the callee has written,
                # unless the undo log takes every one of its writes back
                self.object_writes.append((node, None, fn.undoable_writes))
            names = [p.name for p in fn.params]
            for param, attr in fn.attr_writes:  # attributes it sets on the objects passed to it
                self.note_attr_write(node, args[slots[names.index(param)]], attr)
            if fn.uses_objects or any(p.type.is_object for p in fn.params):
                self.uses_objects = True  # the callee's kernel takes the GIL token `py`
                spec.uses_objects = True
            return_type, mutated = fn.return_type, tuple(p.mutated for p in fn.params)
            args = self._number_list_arguments(node, fn, args, passing, slots)
        passing = list(passing)
        for k, i in enumerate(slots):
            if passing[i] == "new" and mutated and mutated[k]:
                passing[i] = "new_mut"  # a temporary the callee writes to (nobody else sees it)
            if passing[i] == "ref" and mutated and mutated[k]:
                passing[i] = "mut"
                if args[i].name in self.param_types:
                    self.mutated.add(args[i].name)
        refs = [args[i].name for i in range(len(args)) if passing[i] in ("ref", "mut")]
        if any(passing[i] == "mut" and refs.count(args[i].name) > 1 for i in range(len(args))):
            raise _Reject(node, f"the same list or array is passed to `{name}` twice and `{name}` writes to it")
        uses_objects = getattr(spec, "uses_objects", False) or any(t.is_object for t in param_types.values()) \
            or return_type.is_object  # (a recursive call's kernel that returns an object takes `py` too)
        return ir.CallFunction(return_type, spec.unit_id, name, args, passing, slots, uses_objects=uses_objects)

    def _unchecked_objects(self, args: list[ir.Expr]) -> bool:
        """An argument holds an object whose attributes were not classified at this call (an
        instance read from a container or an attribute): the callee reads them as exact, and
        its Deopt on another type re-runs the caller in Python."""
        return any("obj[" in a.type.kind and not (isinstance(a.type, ir.Instance) and self._exact_instance(a))
                   for a in args)

    def _number_list_arguments(self, node, fn: ir.Function, args: list, passing: list, slots: list) -> list:
        """A callee that stores floats into a list of ints it is passed (or ints into floats)
        holds it as a list of ints and floats (`list[number]`, sequences.py): so does the caller,
        for the variable it passes (lowered again in the next pass); a new list is converted."""
        args = list(args)
        for k, i in enumerate(slots):
            want = fn.params[k].type
            if want == ir.ListOf(ir.NUMBER) and isinstance(args[i].type, ir.ListOf) and args[i].type != want:
                if isinstance(args[i], ir.Var):
                    self._hold_numbers(node, args[i])
                args[i] = ir.Cast(want, args[i])
        return args

    def _translate_callee(self, node, name: str, spec: _Specialisation) -> ir.Function:
        """The callee's IR for this round, or a reason naming it and what keeps it in Python."""
        from rustify.analysis import astroid_module

        src = self.unit.sources.get(spec.func)
        if src is None:
            raise _Reject(node, f"the source of `{name}` is not available (or the unit has more than "
                                "32 callees): calls to it are not translated")
        try:
            fdefs = [n for n in astroid_module(src).body if isinstance(n, nodes.FunctionDef)]
            if not fdefs:
                raise _Reject(node, f"`{name}` is not a plain `def`: calls to it are not translated")
            return self.unit.lower(spec, fdefs[0])
        except Untranslatable as e:
            if self.unit.provisional:
                raise _Pending() from None  # it may translate once the recursion's types are known
            first = e.reasons[0]
            more = f" (and {len(e.reasons) - 1} more)" if len(e.reasons) > 1 else ""
            why = first.why if len(first.why) <= 400 else first.why[:397] + "..."  # a chain of callees
            raise _Reject(node, f"calls `{name}`, which stays Python for these arguments ({spec_kinds(spec)}): "
                                f"line {first.line}: `{first.construct}`: {why}{more}") from None

    def _call_target(self, func: nodes.NodeNG):
        """(what `func` names, the class it was found in or None), without reporting anything."""
        from rustify.analysis.source import class_attribute

        if isinstance(func, nodes.Attribute):
            owner = self.bound_classes.get(func.expr.name) if isinstance(func.expr, nodes.Name) else None
            if owner is None:
                try:
                    owner = self._global(func.expr)
                except _Reject:
                    return None, None
            if isinstance(owner, type):
                return class_attribute(owner, func.attrname), owner
            if isinstance(owner, types.ModuleType):
                return vars(owner).get(func.attrname), owner
            return None, None
        if isinstance(func, nodes.Name):
            if func.name in self.bound_classes:
                return None, None
            try:
                return self._global(func), None
            except _Reject:
                return None, None
        return None, None

    def _bind_call(self, node: nodes.Call, name: str, callee, skip_first: bool, defined):
        """Bind the call's arguments to the callee's parameters as Python does.

        Returns (args in evaluation order, how each is passed, for each parameter the index
        of its argument, parameter -> type). A call Python would refuse with a TypeError
        stays Python (the Python call then raises it)."""
        code = callee.__code__
        n_positional = code.co_argcount
        names = list(code.co_varnames[:n_positional + code.co_kwonlyargcount])
        positional_only = set(names[:code.co_posonlyargcount])
        if skip_first:
            names, n_positional = names[1:], n_positional - 1
            positional_only.discard(code.co_varnames[0])
        args: list[ir.Expr] = []
        passing: list[str] = []
        bound: dict[str, int] = {}

        def add(param: str, value_node, value=None):
            value = value if value is not None else self._expr(value_node, defined)
            mode = value.type.boundary.mode
            if mode == "object":  # str, bytes, a Python list, dict, set, an instance: the callee
                mode = "value"    # holds the same object (a callee that writes to it stays Python)
                if "?" in value.type.kind:
                    raise _Reject(node, f"the item types of `{param}` are not known where it is passed to `{name}`")
            fresh = isinstance(value, (ir.NewList, ir.NewArray, ir.CallFunction))  # `xs[:mid]`, `[0.0] * n`
            if mode != "value":
                if not isinstance(value, ir.Var) and not fresh:
                    raise _Reject(node, f"a list or array passed to `{name}` must be a variable or a new one "
                                        f"(`{param}` is given `{value_node.as_string()}`)")
                if isinstance(value.type, ir.ListOf) and value.type.elem == UNKNOWN_ELEM:
                    raise _Reject(node, f"the element type of `{param}` is not known where it is passed to `{name}`")
            bound[param] = len(args)
            args.append(value)
            passing.append("value" if mode == "value" else "ref" if isinstance(value, ir.Var) else "new")

        given, keywords = (node.args, node.keywords) if isinstance(node, nodes.Call) else ([], [])
        for a in given:
            if isinstance(a, nodes.Starred):
                raise _Reject(node, f"`*` arguments in a call of `{name}` are not translated")
        if len(given) > n_positional:
            raise _Reject(node, f"`{name}` takes {n_positional} positional argument(s) but {len(given)} "
                                "were given (Python raises TypeError here)")
        for param, a in zip(names, given):
            add(param, a)
        for k in keywords or ():
            if k.arg is None:
                raise _Reject(node, f"`**` arguments in a call of `{name}` are not translated")
            if k.arg not in names or k.arg in positional_only or k.arg in bound:
                raise _Reject(node, f"`{name}` gets the keyword argument `{k.arg}` it cannot bind "
                                    "(Python raises TypeError here)")
            add(k.arg, k.value)
        defaults = callee.__defaults__ or ()
        first_default = n_positional - len(defaults)
        for i, param in enumerate(names):
            if param in bound:
                continue
            if i < n_positional and i >= first_default:
                default = defaults[i - first_default]
            elif i >= n_positional and param in (callee.__kwdefaults__ or {}):
                default = callee.__kwdefaults__[param]
            else:
                raise _Reject(node, f"`{name}` is called without its argument `{param}` (Python raises TypeError here)")
            add(param, node, self._default_value(node, name, param, default))
        slots = [bound[p] for p in names]
        return args, passing, slots, {p: args[bound[p]].type for p in names}

    def _default_value(self, node, name: str, param: str, value) -> ir.Expr:
        try:
            return self._constant(node, value)
        except _Reject:
            raise _Reject(node, f"the default value of `{param}` of `{name}` ({type(value).__name__}) "
                                "is not translated") from None

    def _expr_stmt(self, s: nodes.Expr, defined) -> ir.Stmt:
        """`helper(xs)` as a statement: the call, its value dropped."""
        if isinstance(s.value, nodes.Call):
            call = self._user_function_call(s.value, defined)
            if call is not None:
                return ir.Evaluate(self._line(s), call)
        return super()._expr_stmt(s, defined)


def spec_kinds(spec: _Specialisation) -> str:
    text = ", ".join(spec.signature) if spec.signature else "no arguments"
    return text if len(text) <= 80 else text[:77] + "..."
