"""Lower an astroid function body to the typed IR, inferring local types.

Types flow forward from the argument signature. Loops can carry a type back to
an earlier statement, so the body is lowered repeatedly, joining what each
variable was assigned, until nothing changes (a fixed point); the last pass
reports every construct that cannot be translated as a `Reason`.

Statements and expressions are dispatched through the registry in
`constructs.py` (node kind -> `_lower_*` method), which also generates
docs/supported-python.md. The handlers live by family: `statements.py`
(assignment, control flow, loops, return), `scalars.py` (numbers),
`sequences.py` (lists and 1-D indexing), `arrays.py` (numpy arrays: N-D, dtypes,
shape), `complex.py` (complex numbers); a new family is a new mixin here.
"""

from __future__ import annotations

import builtins
import types

from astroid import nodes

from rustify import ir
from rustify.analysis import typing_rules as rules
from rustify.analysis.constructs import EXPRESSIONS, STATEMENTS, lookup
from rustify.analysis.intrinsics import resolve_intrinsic
from rustify.analysis.lower.common import (
    MAX_PASSES, UNKNOWN_ELEM, _Assigned, _Pending, _Poisoned, _Reject, _UntranslatedArg, described,
)
from rustify.analysis.lower.arrays import ArrayRules
from rustify.analysis.lower.calls import CallRules
from rustify.analysis.lower.complex import ComplexRules
from rustify.analysis.lower.dicts import DictSetRules, join_containers
from rustify.analysis.lower.equality import EqualityRules
from rustify.analysis.lower.exceptions import ExceptionRules
from rustify.analysis.lower.ints import IntRules
from rustify.analysis.lower.keys import KeyRules
from rustify.analysis.lower.steps import StepRules
from rustify.analysis.lower.lists import ListRules, _immutable, _root
from rustify.analysis.lower.native_maps import nativize
from rustify.analysis.lower.objects import ObjectRules
from rustify.analysis.lower.ranges import RangeLocalRules
from rustify.analysis.lower.optional import OptionalRules
from rustify.analysis.lower.scalars import ScalarRules
from rustify.analysis.lower.sequences import SequenceRules
from rustify.analysis.lower.statements import StatementRules
from rustify.analysis.lower.text import TextRules
from rustify.analysis.lower.tuples import TupleRules
from rustify.errors import Reason, Untranslatable
from rustify.ir import BOOL, FLOAT, INT, NONE

__all__ = ["FunctionLowerer", "UNKNOWN_ELEM"]

class FunctionLowerer(RangeLocalRules, OptionalRules, TextRules, ObjectRules, EqualityRules, DictSetRules, CallRules, ComplexRules, ListRules, KeyRules, StepRules, TupleRules, StatementRules, ArrayRules, ScalarRules, SequenceRules, ExceptionRules, IntRules):
    """Lowers one `nodes.FunctionDef` for one signature. Use `lower()`.

    The driver (passes, joins, blocks, names, globals, calls) is here; the
    handlers of each family of constructs are in the mixins beside it."""

    def __init__(self, fdef: nodes.FunctionDef, func: types.FunctionType, signature: tuple[str, ...]):
        self.fdef = fdef
        self.func = func
        self.signature = signature
        self.params = [a.name for a in fdef.args.args]
        self.param_types = {p: ir.parse_kind(k) or _UntranslatedArg(k) for p, k in zip(self.params, signature)}
        self.env: dict[str, ir.Type] = dict(self.param_types)
        self.seeded: dict[str, ir.Scalar] = {}
        self.local_names = set(fdef.locals) - set(self.params)
        self.hold_aliased_list_arguments()  # lists.py

    # ----------------------------------------------------------------- driver

    def lower(self) -> ir.Function:
        for _ in range(MAX_PASSES):
            self._begin_pass(final=False)
            self._block(self.fdef.body, set(self.params))
            if not self._join_pass():
                break
        else:
            raise Untranslatable([Reason(self._line(self.fdef), self.fdef.name, "local types did not settle")])
        self._begin_pass(final=True)
        body, _, terminates = self._block(self.fdef.body, set(self.params))
        return_type = self._return_type(terminates)
        body = self._box_returns(body, return_type, terminates)  # an Optional result: optional.py
        visible_writes = self._visible_writes()
        # writes the undo log cannot take back keep a function that may re-run in Python; the
        # others are logged (`AttrUndo.logs`) when this is the function called from Python
        blocking = [node for node, undo in visible_writes if undo is None]
        undoable = None if blocking or not visible_writes else [n for _, undo in visible_writes for n in undo]
        logs = bool(undoable) and self.may_deopt and not self._is_callee()
        if logs:
            for n in undoable:
                n.logged = True
        body = self._hold_attributes(body, return_type, logs)  # attributes of instance arguments: objects.py
        for p, t in self.param_types.items():
            if isinstance(t, _UntranslatedArg) and not any(f"`{p}`" in r.why for r in self.reasons):
                self.reasons.insert(0, Reason(self._line(self.fdef), p, f"argument `{p}` is a {t}: "
                                              f"arguments of kind {t} are not translated"))
        if blocking and self.may_deopt:
            self._reject(blocking[0], "writes to a Python object that may outlive a re-run (an argument, an "
                                      "object reached from one, or a list stored into another object), in a "
                                      "function that may ask to re-run in Python (an int past 64 bits, a seed "
                                      "guard), and the write is not one the undo log takes back (only item "
                                      "stores, slice stores and methods of lists, and item stores of dicts, of "
                                      "numbers, str, tuples or such containers are): the re-run would repeat the write")
        for p in self.aliased_number_lists:
            self.reasons.append(Reason(self._line(self.fdef), p, f"argument `{p}` is a list of ints and floats that "
                                       "another argument may reach (the same list object): not translated"))
        if self.reasons:
            raise Untranslatable(self.reasons)
        params = [ir.Param(p, self.param_types[p], p in self.mutated) for p in self.params]
        locals_ = {n: t for n, t in self.env.items() if n not in self.param_types}
        locals_.update(self.rebound_arguments())  # None arguments the body rebinds: optional.py
        fn = ir.Function(
            name=self.fdef.name, params=params, locals=locals_, body=body, return_type=return_type,
            signature=self.signature, seeded=dict(self.seeded), may_deopt=self.may_deopt,
            checks_fp_status=self.checks_fp_status,
            maybe_unbound=set(self.maybe_unbound),
            uses_objects=self.uses_objects, writes_visible_objects=bool(visible_writes),
            attr_writes=list(self.attr_writes), undoable_writes=undoable, logs_writes=logs,
            first_line=self.fdef.lineno,
        )
        nativize(fn)  # dicts and sets only the kernel sees: Rust maps (native_maps.py)
        return fn

    def _begin_pass(self, final: bool) -> None:
        self.final = final
        self.assigned: dict[str, _Assigned] = {}
        self.env_at_start = dict(self.env)  # `_record` types a new local for the rest of a pass
        self.returns: list[tuple[nodes.NodeNG, ir.Type]] = []
        self.reasons: list[Reason] = []
        self.mutated: set[str] = set()
        self.may_deopt = False
        self.checks_fp_status = False  # numpy float `+ - *`: `note_fp_status`
        self.uses_objects = False  # an expression of an object type (str, dict, ...) was lowered
        # writes into Python objects: (node, the written local or None); and the object
        # locals that were assigned something other than a new object, or escaped into
        # another object (their writes are visible to the caller)
        self.object_writes: list[tuple[nodes.NodeNG, str | None, list | None]] = []
        self.shared_objects: set[str] = set()
        self.escape_links: list[tuple[str, str]] = []  # (stored local, container local)
        self.loop_depth = 0
        self._begin_object_pass()  # held attributes and module data: objects.py
        # variables assigned by a rejected statement (or from one): their uses are not
        # reported again, so one rejected line gives one reason, not a cascade
        self.poisoned: set[str] = set()
        self._lowered_operands: dict[int, tuple] = {}  # see hand_down
        self._begin_narrowing()  # what tests against None proved: optional.py
        self.maybe_unbound: set[str] = set()  # see _maybe_unbound_read
        self.float_contexts: set[int] = set()  # ids of conditionals converted to float at once (scalars.py)

    def _join_pass(self) -> bool:
        """Fold this pass's assignments into `env`; True if anything changed."""
        new_env = dict(self.param_types)
        new_seeded: dict[str, ir.Scalar] = {}
        for name, seen in self.assigned.items():
            if name in self.param_types:
                if self.param_types[name] == NONE:  # a None argument the body rebinds: optional.py
                    new_env[name] = self._rebound_argument_type(name, seen) or NONE
                continue
            joined = self._join(name, seen, new_seeded)
            if joined is not None:
                new_env[name] = joined
        changed = new_env != self.env_at_start or new_seeded != self.seeded
        self.env, self.seeded = new_env, new_seeded
        return changed

    def _join(self, name: str, seen: _Assigned, seeded_out: dict) -> ir.Type | None:
        optional = self._optional_join(name, seen)  # None and a value: optional.py
        if optional is not None:
            return optional
        distinct = list(dict.fromkeys(seen.types))
        if len(distinct) == 1:
            return distinct[0]
        lists = [t for t in distinct if isinstance(t, ir.ListOf)]
        if len(lists) == len(distinct):
            elems = [t.elem for t in lists if t.elem != UNKNOWN_ELEM]
            elem = elems[0] if elems else UNKNOWN_ELEM
            for e in elems[1:]:
                elem = rules.list_elem_join(elem, e) or elem
            return ir.ListOf(elem)
        py_lists = [t for t in distinct if isinstance(t, ir.PyListOf)]
        if len(py_lists) == 1 and all(t in py_lists or (isinstance(t, ir.ListOf) and t.elem in (py_lists[0].elem, UNKNOWN_ELEM))
                                      for t in distinct):
            return py_lists[0]  # a flat list and a Python list meet: the Python one (lists.py converts)
        containers = join_containers(distinct)  # `{}`, `set()`: item types from later stores
        if containers is not None:
            return containers
        if ir.NUMBER in distinct and set(distinct) - {ir.NUMBER} and set(distinct) <= {INT, FLOAT, ir.NUMBER}:
            # `y0 = c[k]` of a list of ints and floats, beside float (and small int constant)
            # assignments: a float that may hold an int, as a seeded variable (statements.py)
            consts = [c for t, c in zip(seen.types, seen.consts) if t == INT]
            if all(c is not None and abs(c) <= rules.EXACT_INT_LIMIT for c in consts):
                seeded_out[name] = INT
                return FLOAT
        if len(distinct) == 2 and all(isinstance(t, (ir.Scalar, ir.Complex)) for t in distinct):
            for narrow, wide in rules.SEED_WIDENINGS:
                if set(distinct) == {narrow, wide}:
                    consts = [c for t, c in zip(seen.types, seen.consts) if t == narrow]
                    if all(c is not None and abs(c) <= rules.EXACT_INT_LIMIT for c in consts):
                        seeded_out[name] = narrow
                        return wide
        return distinct[-1]  # inconsistent: the final pass reports it

    def _return_type(self, terminates: bool) -> ir.Type:
        optional = self._optional_return(terminates)  # None and a value: optional.py
        if optional is not None:
            return optional
        types_ = list(dict.fromkeys(t for _, t in self.returns))
        if not types_:
            return NONE
        settled = join_containers(types_) if len(types_) > 1 else None
        if settled is not None:  # `return set()` on one path, a set of known members on another
            self.returns, types_ = [(n, settled) for n, _ in self.returns], [settled]
        if not terminates and NONE not in types_:
            self.returns.append((None, NONE))
            types_.append(NONE)
        if len(types_) > 1:
            first_node, first = self.returns[0]
            node, other = next((n, t) for n, t in self.returns if t != first)
            where = f"line {self._line(first_node)}" if first_node is not None else "the first return"
            text = node.as_string() if node is not None else f"end of `{self.fdef.name}`"
            line = self._line(node) if node is not None else self._line(self.fdef)
            tail = " (falling off the end returns None)" if node is None else ""
            other_text, first_text = described(other, first)
            self.reasons.append(Reason(line, text[:80], f"returns {other_text} here but {first_text} on {where}; "
                                       f"the result type would depend on the path taken{tail}"))
        return types_[0]

    # ------------------------------------------------------------- statements

    def _block(self, stmts, defined: set[str]) -> tuple[list[ir.Stmt], set[str], bool]:
        """Lower a statement list. Returns (IR, definitely assigned names, ends in a jump)."""
        with self.branch_narrowing(stmts) as end:  # an `if` branch knows what its test proved: optional.py
            result = self._statements(stmts, defined)
            end(result[2])
        return result

    def _statements(self, stmts, defined: set[str]) -> tuple[list[ir.Stmt], set[str], bool]:
        out: list[ir.Stmt] = []
        defined = set(defined)
        for stmt in stmts:
            try:
                lowered, defined, jumps = self._stmt(stmt, defined)
                out.extend(lowered)
                if jumps:
                    return out, defined, True
            except _Pending:
                continue
            except _Poisoned:
                self._poison(stmt, defined)
            except _Reject as r:
                self._reject(r.node, r.why)
                self._poison(stmt, defined)
        return out, defined, False

    def _poison(self, stmt: nodes.NodeNG, defined: set[str]) -> None:
        """The names `stmt` assigns count as defined but unusable (their uses stay quiet)."""
        names = {n.name for n in stmt.nodes_of_class(nodes.AssignName)}
        if isinstance(stmt, nodes.AugAssign) and isinstance(stmt.target, nodes.AssignName):
            names.add(stmt.target.name)
        self.poisoned |= names
        defined |= names

    def _reject(self, node: nodes.NodeNG, why: str) -> None:
        if self.final:
            text = node.as_string().splitlines()[0] if node is not None else "?"
            self.reasons.append(Reason(self._line(node), text[:80], why))

    def _line(self, node) -> int:
        base = getattr(self.func, "__code__", None)
        offset = (base.co_firstlineno - 1) if base else 0
        return (getattr(node, "lineno", None) or 0) + offset

    def _stmt(self, s: nodes.NodeNG, defined: set[str]):
        """Lower one statement through the `constructs.STATEMENTS` registry: (IR, defined, jumps)."""
        construct = lookup(STATEMENTS, s)
        if construct is None:
            raise _Reject(s, f"statement `{type(s).__name__}` is not translated")
        with self.statement_narrowing(s):  # loops and `try` forget what tests proved: optional.py
            return getattr(self, construct.handler)(s, defined)


    def note_fp_status(self) -> None:
        """Family rules call this for a numpy float or complex `+ - *` (numpy warns where it
        overflows or gives an invalid value): the call reads the IEEE status flags after the
        kernel and re-runs in Python if one was raised, so numpy gives its own warning."""
        self.checks_fp_status = True
        self.may_deopt = True

    def note_object_write(self, node, base: ir.Expr, undo=None) -> None:
        """Family rules call this for every write into a Python object (an item store, an
        append, `del`, a mutating method) whose object is `base`. A write the caller can
        see (into an argument, an object reached from one, or a local that escaped) must
        never be followed by a re-run in Python that would repeat it: `lower` rejects a
        function with such writes that may ask to re-run (`may_deopt`), unless every one of
        them can be undone exactly. `undo`: the IR node of a write the undo log takes back
        (it gets `logged`; runtime_undo.rs.j2), or a list of such nodes (a callee's)."""
        if undo is not None and not isinstance(undo, list):
            undo = [undo]
        self.object_writes.append((node, base.name if isinstance(base, ir.Var) else None, undo))

    def undoable_write(self, base: ir.Expr, node):
        """`node` (a write into the Python list or dict `base`) as `note_object_write`'s `undo`:
        the undo log holds the old items until the call ends, so they must be objects no one
        can watch being released late, and a dict's keys must hash in C (numbers, str, bytes,
        tuples, lists and dicts of such); a container of instances (whose `__del__` would run
        later, whose `__hash__` is Python code) is not logged (None)."""
        return node if isinstance(base.type, (ir.PyListOf, ir.DictOf)) and "obj[" not in base.type.kind else None

    def note_object_escape(self, value: ir.Expr) -> None:
        """`value` (an object) is stored into another object or otherwise kept: from now on
        writes into it are visible wherever it went."""
        if isinstance(value, ir.Var) and value.type.is_object:
            self.shared_objects.add(value.name)

    def note_object_escape_into(self, value: ir.Var, container: ir.Var) -> bool:
        """The object of local `value` is stored into the object of local `container`
        (`rows.append(row)`). Returns False (not recorded: the caller marks `value` shared) unless
        both are the function's own locals; then the two are linked, and `_visible_writes`
        counts writes into either as visible if either is shared by the end of the function
        (a re-run in Python discards objects that only the kernel's own locals reach)."""
        if not (value.type.is_object and value.name in self.local_names and container.name in self.local_names):
            return False
        self.escape_links.append((value.name, container.name))
        return True

    def _visible_writes(self) -> list[nodes.NodeNG]:
        shared = set(self.shared_objects)
        changed = True
        while changed:  # linked locals (`note_object_escape_into`) share each other's fate
            changed = False
            for a, b in self.escape_links:
                if (a in shared) != (b in shared):
                    shared |= {a, b}
                    changed = True
        fresh = {n for n in self.local_names if n not in shared}
        return [(node, undo) for node, name, undo in self.object_writes if name is None or name not in fresh]

    def _record(self, name: str, value: ir.Expr) -> None:
        if value.type.is_object and not isinstance(value, ir.NewObject):
            source = _root(value)
            # `Var(name)` itself is a loop or comprehension variable bound to an item of a container
            # (`for v in d.values()`): not linked to that container here, so it may be the caller's
            if not (source is not None and source.name != name and name in self.local_names
                    and not _immutable(value.type)
                    and self.note_object_escape_into(source, ir.Var(source.type, name))):
                self.shared_objects.add(name)  # it may hold the caller's object
        seen = self.assigned.setdefault(name, _Assigned())
        if not self.final and name not in self.env:
            # a local no pass has typed yet: the rest of this pass reads it with the type of its
            # first assignment (the join at the end of the pass decides), so a chain of
            # assignments settles in one pass, not one pass per link
            self.env[name] = value.type
        seen.types.append(value.type)
        seen.consts.append(value.value if isinstance(value, ir.Const) else None)


    # ------------------------------------------------------------ expressions

    def _expr(self, node, defined=None) -> ir.Expr:
        """Lower an expression; seeded variables are guarded."""
        handed = self._lowered_operands.pop(id(node), None)
        if handed is not None and handed[0] is node:
            return handed[1]
        value, seeded = self._expr_raw(node, defined)
        if value.type.is_object:
            self.uses_objects = True
        if value.type == ir.NUMBER:
            return self._number_item(node, value)
        return self._guard(value) if seeded else value

    def _number_item(self, node, value: ir.Expr) -> ir.Expr:
        """`value`, an item of a list holding ints and floats (ir.NUMBER), where `node` uses it:
        the one argument of `float()` (converted as Python converts), or the value of an
        assignment (statements.py decides); arithmetic takes it in `_binop` (scalars.py).
        Anywhere else its type would show."""
        parent = node.parent
        if (isinstance(parent, nodes.Assign) and parent.value is node
                and all(isinstance(t, nodes.AssignName) or (
                    isinstance(t, nodes.Subscript) and isinstance(t.value, nodes.Name)
                    and isinstance(self.env.get(t.value.name), ir.ListOf)) for t in parent.targets)):
            return value  # a name (statements.py) or an item of a flat list (sequences.py) decides
        if self._in_float_context(node):
            return self._cast(value, FLOAT)
        raise _Reject(node, f"`{node.as_string()[:60]}` is an item of a list holding ints and floats: it is "
                            "translated only where Python converts it to float at once (`float()`, `+ - * /` "
                            "beside a float) or stored into a float variable")

    def hand_down(self, *pairs) -> None:
        """A family rule lowered these (node, expr) operands, then passes the construct on to
        the next rule: that rule's `_expr` of each node takes the expr instead of lowering the
        subtree again (nested constructs would otherwise be lowered twice per level)."""
        for node, value in pairs:
            self._lowered_operands[id(node)] = (node, value)

    def _guard(self, value: ir.Expr) -> ir.Expr:
        self.may_deopt = True
        return ir.SeedGuard(value.type, value.name)

    def _expr_raw(self, node, defined=None) -> tuple[ir.Expr, bool]:
        """Lower an expression through `constructs.EXPRESSIONS`; (IR, is an unguarded read of a seeded variable)."""
        construct = lookup(EXPRESSIONS, node)
        if construct is None:
            raise _Reject(node, f"expression `{type(node).__name__}` is not translated")
        if construct.node == "Name":
            return self._lower_name(node, defined)
        return getattr(self, construct.handler)(node, defined), False

    def _lower_name(self, node: nodes.Name, defined) -> tuple[ir.Expr, bool]:
        renamed = self._comprehension_name(node)  # a comprehension's own variable (lists.py)
        if renamed is not None:
            return self._var(renamed, node, raw=True)
        if node.name in self.imports:  # `from M import N` earlier in the body (statements.py)
            self._require_defined(node, node.name, defined)
            return self._constant(node, self.imports[node.name]), False
        obj = self._maybe_global(node)
        if obj is not _LOCAL:
            return self._constant(node, obj), False
        if defined is not None:
            if self._maybe_unbound_read(node, defined):
                var, _ = self._var(node.name, node, raw=True)
                return ir.UnboundGuard(var.type, node.name), False
            self._require_defined(node, node.name, defined)
        return self._var(node.name, node, raw=True)

    def _maybe_unbound_read(self, node: nodes.Name, defined) -> bool:
        """`node` reads a number local that a path may reach unassigned (`A1` assigned under one
        `if`, read under another that Python only takes when the first was taken): the read
        checks a flag its assignments set, and re-runs the call in Python where it is unset,
        so Python raises its UnboundLocalError itself."""
        name = node.name
        if not self.final or name in defined or name in self.poisoned or name not in self.local_names:
            return False
        if not isinstance(self.env.get(name), ir.Scalar) or name in self.seeded or self._comprehension_name(node):
            return False
        self.maybe_unbound.add(name)
        self.may_deopt = True
        return True

    def _require_defined(self, node, name, defined):
        if name in self.poisoned:
            raise _Poisoned()
        if self.final and defined is not None and name not in defined:
            raise _Reject(node, f"`{name}` may be used before it is assigned (Python would raise UnboundLocalError)")

    def _var(self, name: str, node, raw: bool = False):
        if name in self.poisoned:
            raise _Poisoned()
        t = self.env.get(name)
        if isinstance(t, ir.Optional) and name not in self.poisoned:  # None or a value: optional.py
            return self._optional_var(name, t, node, raw)
        if isinstance(t, _UntranslatedArg):
            raise _Reject(node, f"`{name}` is a {t} argument: arguments of kind {t} are not translated")
        if t is None:
            if self.final:
                raise _Reject(node, f"the type of `{name}` could not be inferred")
            raise _Pending()
        var = ir.Var(t, name)
        return (var, name in self.seeded) if raw else var


    def _lower_call(self, node: nodes.Call, defined) -> ir.Expr:
        return self._call(node, defined)

    def _lower_attribute(self, node: nodes.Attribute, defined) -> ir.Expr:
        dtype_part = self._array_dtype_attribute(node)  # `a.dtype.itemsize`: objects.py
        if isinstance(dtype_part, (int, str)):
            return self._constant(node, dtype_part)
        attribute = self._instance_attribute(node, defined)  # `p.x` of an object: objects.py
        if attribute is not None:
            return attribute
        if self._is_array_attribute(node):
            return self._array_attribute(node, defined)
        part = self._complex_attribute(node, defined)
        if part is not None:
            return part
        return self._constant(node, self._global(node))


    def _cast(self, value: ir.Expr, to: ir.Type) -> ir.Expr:
        if value.type == to:
            return value
        if value.type == ir.NUMBER and to != FLOAT:
            raise _Reject(None, f"an item of a list holding ints and floats is used as {to}: its type would show")
        if value.type == ir.Scalar("np.uint64") and to in (INT, ir.NP_INT64):
            self.may_deopt = True  # a uint64 beyond i64 re-runs in Python
        if isinstance(value, ir.Const) and isinstance(to, ir.Scalar) and to in (INT, FLOAT):
            return ir.Const(to, float(value.value) if to == FLOAT else int(value.value))
        return ir.Cast(to, value)

    def _truth(self, value: ir.Expr) -> ir.Expr:
        if value.type == BOOL:
            return value
        if value.type == NONE:
            return self._none_truth(value)  # optional.py
        if isinstance(value.type, ir.Array1):
            raise _Reject(None, "the truth value of an array is ambiguous")
        return ir.Truth(BOOL, value)


    def _call(self, node: nodes.Call, defined) -> ir.Expr:
        user_call = None if self._is_intrinsic_call(node) else self._user_function_call(node, defined)
        if user_call is not None:  # a Python function: calls.py
            return user_call
        step = self._range_iterator_call(node, defined) or self.range_len_call(node, defined)
        if step is not None:  # next(it, d), len(range(...)): ranges.py
            return step
        first = self.first_item_call(node, defined)  # next(iter(xs)): sequences.py
        if first is not None:
            return first
        type_test = self._isinstance_call(node, defined)  # isinstance(x, str): objects.py
        if type_test is not None:
            return type_test
        over_lists = self._iterable_builtin_call(node, defined) or self._list_method_call(node, defined)
        if over_lists is not None:  # sum(...), sorted(...), xs.pop(): lists.py
            return over_lists
        text_method = self._text_method_call(node, defined)  # s.split(), sep.join(xs): text.py
        if text_method is not None:
            return text_method
        if node.keywords and not self._only_dtype_keyword(node):
            raise _Reject(node, "keyword arguments are not translated")
        method = self._int_method_call(node, defined) or self._complex_method_call(node, defined)
        if method is not None:
            return method
        method = self._dict_set_method_call(node, defined)  # d.get(k, v), d.pop(k): dicts.py
        if method is not None:
            return method
        self._reject_method_call(node, defined)
        target = self._global(node.func)
        intrinsic = resolve_intrinsic(target)
        if intrinsic is None:
            name = node.func.as_string()
            if getattr(target, "__wrapped__", None) is not None:
                raise _Reject(node, f"`{name}` is wrapped by a decorator ({type(target).__name__}); calls "
                                    "are translated through rustify's own wrappers only")
            if isinstance(target, type) and target.__module__ != "builtins":
                raise _Reject(node, f"calling the class `{name}` (building an object) is not translated")
            if target is range:
                raise _Reject(node, "a range() object is translated as the iterable of a `for` loop, or bound once to "
                                    "a local used only that way (or through `iter()`), over int constants or parameters the body never "
                                    "rebinds (under `+`/`-`)")
            raise _Reject(node, f"`{name}` is not a supported function")
        if intrinsic.raw_args:  # the rule lowers what it needs (`isinstance(x, int)`: only x)
            return intrinsic.lower(self, node, (node.args, defined))
        args = [self._shape_arg(a, defined) if i == 0 and intrinsic.shape_arg else self._expr(a, defined)
                for i, a in enumerate(node.args)]
        return intrinsic.lower(self, node, args)

    def _is_intrinsic_call(self, node: nodes.Call) -> bool:
        """`node` calls a function of the intrinsics registry (numpy's Python-level functions
        such as `np.ones` are intrinsics, not Python functions to translate)."""
        try:
            return resolve_intrinsic(self._global(node.func)) is not None
        except _Reject:
            return False

    def _reject_method_call(self, node: nodes.Call, defined) -> None:
        """A method call on a local value or a literal (`xs.sort()`, `'. '.join(...)`): say so."""
        func = node.func
        if not isinstance(func, nodes.Attribute):
            return
        base = func.expr
        if isinstance(base, nodes.Const):
            raise _Reject(node, f"methods of {type(base.value).__name__} values "
                                f"(`{type(base.value).__name__}.{func.attrname}`) are not translated")
        if isinstance(base, (nodes.List, nodes.Tuple, nodes.Dict, nodes.Set, nodes.JoinedStr)):
            kind = {nodes.JoinedStr: "str"}.get(type(base), type(base).__name__.lower())
            raise _Reject(node, f"methods of {kind} values (`{kind}.{func.attrname}`) are not translated")
        if isinstance(base, nodes.Name) and (base.name in self.local_names or base.name in self.params):
            value = self._expr(base, defined)
            raise _Reject(node, f"the method `{func.attrname}` of `{base.name}` ({value.type}) is not translated")

    def _only_dtype_keyword(self, node) -> bool:
        return all(k.arg == "dtype" for k in node.keywords)

    # -------------------------------------------------------------- globals

    def _maybe_global(self, node: nodes.Name):
        scope, _ = node.lookup(node.name)
        if scope is self.fdef:
            return _LOCAL
        if isinstance(scope, nodes.Module) and (node.name in self.local_names or node.name in self.params):
            return _LOCAL  # read before the function binds it: a local all the same (UnboundLocalError)
        return self._global(node)

    def _global(self, node) -> object:
        """The live object a global name or attribute chain (`math.sqrt`) refers to."""
        if isinstance(node, nodes.Name):
            if node.name in self.imports:
                return self.imports[node.name]
            if node.name in self.local_names or node.name in self.params:
                raise _Reject(node, f"`{node.name}` is a local variable, not a function")
            g = self.func.__globals__
            if node.name in g:
                return g[node.name]
            if hasattr(builtins, node.name):
                return getattr(builtins, node.name)
            raise _Reject(node, f"name `{node.name}` is not defined")
        if isinstance(node, nodes.Attribute):
            base = self._global(node.expr)
            if (base is int or base is float) and resolve_intrinsic(getattr(base, node.attrname, None)) is not None:
                return getattr(base, node.attrname)  # `int.bit_length(n)`
            if isinstance(base, type) and not (isinstance(node.parent, nodes.Call) and node.parent.func is node):
                return self._class_constant(node, base)
            if isinstance(base, tuple) and type(base) is not tuple and node.attrname in getattr(
                    type(base), "__match_args__", ()):
                return getattr(base, node.attrname)  # `sys.float_info.epsilon`: a field of a C named tuple
            if not isinstance(base, types.ModuleType):
                raise _Reject(node, "attribute access is translated for modules only (`math.sqrt`)")
            try:
                return getattr(base, node.attrname)
            except AttributeError:
                raise _Reject(node, f"module `{base.__name__}` has no attribute `{node.attrname}`") from None
        raise _Reject(node, f"`{node.as_string()}` is not a name the translator understands")

    def _class_constant(self, node: nodes.Attribute, cls: type) -> object:
        """`Class.NAME` read as a constant: a number, str, bytes, None or tuple of them that the
        class (or a base) binds, frozen in like a module constant and guarded the same way
        (`source.attribute_constant_guards`: rebinding it after the compile drops the native code)."""
        from rustify.analysis.source import class_constant

        found = class_constant(cls, node.attrname)
        if found is not None:
            return found[0]
        if type(cls) is not type:
            why = f"the class `{cls.__qualname__}` has a metaclass (`{type(cls).__name__}`): its attributes are not read"
        elif node.attrname.startswith("__"):
            why = f"`{node.as_string()}` is a special attribute of the class: not translated"
        else:
            from rustify.analysis.source import class_attribute

            value = class_attribute(cls, node.attrname)
            what = "not defined" if value is None and not hasattr(cls, node.attrname) else f"a {type(value).__name__}"
            why = (f"`{node.as_string()}` is {what}: class attributes are read as constants only when they are "
                   "numbers, str, bytes, None or tuples of them")
        raise _Reject(node, why)

    # intrinsics call back into these
    cast = _cast
    truth = _truth
    reject = staticmethod(lambda node, why: _Reject(node, why))

    def note_deopt(self) -> None:
        self.may_deopt = True


_LOCAL = object()
