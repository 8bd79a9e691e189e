"""Exceptions: `raise`, `assert` and `try/except/else/finally` for builtin exception classes.

Native code raises and catches exactly the builtin classes in `EXCEPTION_KINDS` (the Rust
`ExcKind` enum in rust_templates/runtime_exceptions.rs.j2 lists the same names). An
`except` clause is lowered to the kinds it catches, computed with Python's own
`issubclass`, so `except ArithmeticError` catches ZeroDivisionError exactly as CPython
does. A re-run in Python (Deopt) and a signal handler's exception are never caught.

The body, handlers and `else` of a `try` run as Rust closures; `return`, `break` and
`continue` that leave one become `ir.TryExit` (a `Flow` value the `try` acts on after
its `finally`), which is why the lowered blocks are rewritten by `_exits_via_flow`.
"""

from __future__ import annotations

import builtins
import sys

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Reject
from rustify.ir import BOOL, FLOAT, INT

# Builtin exception classes native code can raise (and name in a Fault). Order is free;
# the names must match `ExcKind` in runtime_exceptions.rs.j2 (tests check it).
EXCEPTION_KINDS = (
    "Exception", "ArithmeticError", "ZeroDivisionError", "OverflowError", "LookupError", "IndexError",
    "KeyError", "ValueError", "TypeError", "RuntimeError", "NotImplementedError", "AssertionError",
)

# Statements whose bodies run inside the same Rust closure as the `try` block around them.
_LOOPS = (ir.ForRange, ir.ForEach, ir.While)


def _compound(st) -> bool:
    """A statement with statement blocks of its own (the walkers below must know its kind)."""
    return any(isinstance(v, list) and any(isinstance(x, ir.Stmt) for x in v) for v in vars(st).values())


def _builtin_exception(obj) -> str | None:
    """The name of `obj` if it is a builtin exception class (not a user's class of that name)."""
    if isinstance(obj, type) and issubclass(obj, BaseException):
        name = obj.__name__
        if getattr(builtins, name, None) is obj:
            return name
    return None


class ExceptionRules:
    """Mixed into `FunctionLowerer`; the handlers named in `constructs.py` for this family."""

    # ---------------------------------------------------------------- raise

    def _lower_raise(self, s: nodes.Raise, defined):
        line = self._line(s)
        if s.cause is not None:
            raise _Reject(s, "`raise ... from ...` is not translated")
        if s.exc is None:
            return [ir.Raise(line, None, [], reraise=self._handled_try(s))], defined, True
        if isinstance(s.exc, nodes.Name) and s.exc.name in self._exception_names():
            return [ir.Raise(line, None, [], reraise=self._exception_names()[s.exc.name])], defined, True
        exc, arg_nodes = (s.exc.func, s.exc.args) if isinstance(s.exc, nodes.Call) else (s.exc, [])
        if isinstance(s.exc, nodes.Call) and s.exc.keywords:
            raise _Reject(s, "keyword arguments to an exception are not translated")
        user_class = self._user_exception_class(exc)
        name = user_class[1] if user_class else self._raisable(s, exc)
        args = [self._exception_arg(a, defined) for a in arg_nodes]
        return [ir.Raise(line, name, args, user_class=user_class)], defined, True

    def _user_exception_class(self, exc) -> tuple[str, str] | None:
        """(module, name) when `exc` is a global name bound to a user's exception class (a
        subclass of BaseException that is not a builtin) in a module loaded under its name:
        the raise looks the name up when it runs, as Python does, and calls what it finds."""
        if not isinstance(exc, nodes.Name) or exc.name in self.local_names or exc.name in self.params:
            return None
        try:
            value = self._global(exc)
        except _Reject:
            return None
        if not (isinstance(value, type) and issubclass(value, BaseException)) or _builtin_exception(value):
            return None
        module = sys.modules.get(self.func.__module__)
        if module is None or vars(module) is not self.func.__globals__ or exc.name not in self.func.__globals__:
            return None
        return (self.func.__module__, exc.name)

    def _raisable(self, s, exc) -> str:
        if not isinstance(exc, (nodes.Name, nodes.Attribute)):
            raise _Reject(s, "only `raise` of a builtin exception class is translated")
        if isinstance(exc, nodes.Name) and (exc.name in self.local_names or exc.name in self.params):
            raise _Reject(s, f"raising the value of the variable `{exc.name}` is not translated")
        name = _builtin_exception(self._global(exc))
        if name is None:
            raise _Reject(s, f"raising `{exc.as_string()}` (not a builtin exception class) is not translated")
        if name not in EXCEPTION_KINDS:
            raise _Reject(s, f"raising {name} is not translated (native code raises "
                             f"{', '.join(EXCEPTION_KINDS)})")
        return name

    def _exception_arg(self, node, defined):
        """An exception argument: a str constant (kept as a Python str) or an int/float/bool value."""
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            return node.value
        if isinstance(node, nodes.Starred):
            raise _Reject(node, "`*args` in an exception is not translated")
        value = self._expr(node, defined)
        if value.type not in (INT, FLOAT, BOOL, ir.STR):
            raise _Reject(node, f"an exception argument of type {value.type} is not translated "
                                "(str values, int, float and bool are)")
        return value

    def _handled_try(self, s) -> int:
        """The `try` whose handler a bare `raise` re-raises from (its line)."""
        stack = self._handling()
        if not stack or stack[-1] is None:
            raise _Reject(s, "a bare `raise` outside an `except` block is not translated")
        return stack[-1]

    # ---------------------------------------------------------------- assert

    def _lower_assert(self, s: nodes.Assert, defined):
        line = self._line(s)
        if sys.flags.optimize:
            return [], defined, False  # `python -O` strips asserts (the cache key includes the flag)
        test = self._truth(self._expr(s.test, defined))
        args = [] if s.fail is None else [self._exception_arg(s.fail, defined)]
        failed = ir.UnaryOp(BOOL, "not", test)
        return [ir.If(line, failed, [ir.Raise(line, "AssertionError", args)], [])], defined, False

    # ------------------------------------------------------------------- try

    def _lower_try(self, s: nodes.Try, defined):
        line = self._line(s)
        stack = self._handling()
        body, d_body, j_body = self._block(s.body, defined)
        handlers, completes = [], []
        for h in s.handlers:
            catches = self._handler_catches(h)
            names = self._exception_names()
            if h.name is not None:
                self._check_handler_name(h)
                names[h.name.name] = line
            stack.append(line)
            try:
                hbody, d_h, j_h = self._block(h.body, defined)
            finally:
                stack.pop()
                if h.name is not None:
                    names.pop(h.name.name, None)
            handlers.append(ir.Handler(catches, hbody))
            if not j_h:
                completes.append(d_h)
        stack.append(None)  # a bare `raise` in `else` or `finally` is not translated
        try:
            orelse, d_else, j_else = self._block(s.orelse, d_body)
            finalbody, d_final, _ = self._block(s.finalbody, defined)
        finally:
            stack.pop()
        if not (j_body or j_else):
            completes.append(d_else)
        self._reject_jumps_in_finally(s, finalbody)
        has_finally = bool(s.finalbody)
        body, orelse = self._exits_via_flow(s, body, has_finally), self._exits_via_flow(s, orelse, has_finally)
        for h in handlers:
            h.body = self._exits_via_flow(s, h.body, has_finally)
        after = set.intersection(*completes) if completes else set(defined)
        loop_exit = "plain" if self.loop_depth > 0 else "none"
        node = ir.Try(line, body, handlers, orelse, finalbody, loop_exit=loop_exit,
                      plain=not _exits_or_nests([body, orelse] + [h.body for h in handlers]))
        return [node], after | d_final, not completes

    def _handler_catches(self, h: nodes.ExceptHandler) -> list[str]:
        """The `EXCEPTION_KINDS` an `except` clause catches, by Python's class hierarchy."""
        if h.type is None:
            raise _Reject(h, "a bare `except:` also catches KeyboardInterrupt, which native code delivers "
                             "past every handler; not translated (`except Exception:` is)")
        else:
            targets = h.type.elts if isinstance(h.type, nodes.Tuple) else [h.type]
            classes = []
            for t in targets:
                if not isinstance(t, (nodes.Name, nodes.Attribute)):
                    raise _Reject(h, "`except` names builtin exception classes only")
                obj = self._global(t)
                if _builtin_exception(obj) is None:
                    raise _Reject(h, f"`except {t.as_string()}`: only builtin exception classes are translated")
                if not issubclass(obj, Exception):
                    raise _Reject(h, f"`except {obj.__name__}` is not translated: native code delivers "
                                     "signals (KeyboardInterrupt) and exits without handlers")
                classes.append(obj)
        return [k for k in EXCEPTION_KINDS if issubclass(getattr(builtins, k), tuple(classes))]

    def _check_handler_name(self, h: nodes.ExceptHandler) -> None:
        """`except E as e` is translated when `e` is only re-raised (`raise e`) in that handler."""
        name = h.name.name
        for n in self.fdef.nodes_of_class((nodes.Name, nodes.AssignName)):
            if n.name != name or n is h.name:
                continue
            reraised = (isinstance(n, nodes.Name) and isinstance(n.parent, nodes.Raise) and n.parent.exc is n
                        and n.parent.cause is None and any(a is h for a in n.node_ancestors()))
            if not reraised:
                raise _Reject(h, f"`except ... as {name}` is translated only when `{name}` is unused "
                                 f"or re-raised (`raise {name}`): exception objects are not translated")

    def _reject_jumps_in_finally(self, s, stmts, in_loop=False) -> None:
        for st in stmts:
            returns = isinstance(st, ir.Return) or (isinstance(st, ir.TryExit) and st.kind == "return")
            leaves_loop = isinstance(st, (ir.Break, ir.Continue)) or isinstance(st, ir.TryExit)
            if returns or (leaves_loop and not in_loop):
                raise _Reject(s, "`return`, `break` or `continue` in `finally` is not translated")
            for child in self._child_blocks(s, st):
                self._reject_jumps_in_finally(s, child, in_loop or isinstance(st, _LOOPS))

    def _exits_via_flow(self, s, stmts: list, has_finally: bool, in_loop: bool = False) -> list:
        """`stmts` as the body of a closure: `return` (and `break`/`continue` that would leave
        it) become `TryExit`; a `try` nested in it hands its own exits on the same way."""
        out = []
        for st in stmts:
            if isinstance(st, ir.Return):
                if has_finally and isinstance(st.value, ir.Var) and isinstance(st.value.type, (ir.ListOf, getattr(ir, "Array", ir.Array1))):
                    raise _Reject(s, "returning a list or array from inside `try ... finally` is not translated")
                st = ir.TryExit(st.line, "return", st.value)
            elif isinstance(st, (ir.Break, ir.Continue)) and not in_loop:
                st = ir.TryExit(st.line, "break" if isinstance(st, ir.Break) else "continue")
            elif isinstance(st, ir.Try):
                if has_finally and _returns_a_list([st]):
                    raise _Reject(s, "returning a list or array from inside `try ... finally` is not translated")
                st.returns_via_flow = True
                if not in_loop:
                    st.loop_exit = "flow"
                st.finalbody = self._exits_via_flow(s, st.finalbody, has_finally, in_loop)
            elif isinstance(st, ir.If):
                st.body = self._exits_via_flow(s, st.body, has_finally, in_loop)
                st.orelse = self._exits_via_flow(s, st.orelse, has_finally, in_loop)
            elif isinstance(st, _LOOPS):
                st.body = self._exits_via_flow(s, st.body, has_finally, True)
            elif _compound(st):
                raise _Reject(s, f"`{type(st).__name__}` inside `try` is not translated")
            out.append(st)
        return out

    def _child_blocks(self, s, st) -> list[list]:
        if isinstance(st, ir.If):
            return [st.body, st.orelse]
        if isinstance(st, _LOOPS):
            return [st.body]
        if isinstance(st, ir.Try):
            return [st.body, st.orelse, st.finalbody] + [h.body for h in st.handlers]
        if not _compound(st):
            return []
        raise _Reject(s, f"`{type(st).__name__}` inside `finally` is not translated")

    # -------------------------------------------------------------- helpers

    def _handling(self) -> list:
        """Lines of the `try` statements whose handlers are being lowered (None: an else/finally)."""
        return self.__dict__.setdefault("_exception_handling", [])

    def _exception_names(self) -> dict[str, int]:
        """`except ... as e` names in scope: name -> line of their `try`."""
        return self.__dict__.setdefault("_exception_as_names", {})


def _exits_or_nests(blocks: list[list]) -> bool:
    """Does any of these (lowered) blocks, nested blocks included, hold a `TryExit` or a `try`?"""
    for stmts in blocks:
        for st in stmts:
            if isinstance(st, (ir.TryExit, ir.Try)):
                return True
            inner = [getattr(st, name, None) for name in ("body", "orelse", "finalbody")]
            inner += [h.body for h in getattr(st, "handlers", ())]
            if _exits_or_nests([b for b in inner if isinstance(b, list)]):
                return True
    return False


def _returns_a_list(stmts: list) -> bool:
    """Does any (lowered) statement here, nested blocks included, return a list or array
    variable? Its value would be taken before an enclosing `finally` that may still change it."""
    for st in stmts:
        value = getattr(st, "value", None) if isinstance(st, (ir.TryExit, ir.Return)) else None
        if isinstance(value, ir.Var) and isinstance(value.type, (ir.ListOf, ir.Array)):
            return True
        blocks = [getattr(st, name, None) for name in ("body", "orelse", "finalbody")]
        blocks += [h.body for h in getattr(st, "handlers", ())]
        if any(isinstance(b, list) and _returns_a_list(b) for b in blocks):
            return True
    return False
