"""Find a function's source, parse it, and fingerprint what its meaning depends on.

`load_source(func)` gives the dedented source and its position; the fingerprint
(`source_fingerprint`) covers the AST and the values of the globals the body
reads, so a cache key changes whenever the translation could; `global_guards`
lists those globals so the runtime can notice when one is rebound later.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import inspect
import sys
import textwrap
import types
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunctionSource:
    """The text of one function: dedented `text`, its file and first line, and its
    `tree` (Python's AST), parsed once, in the thread that loaded the source.

    Nothing that runs in rustify's background compile thread calls `ast.parse`:
    CPython 3.11 keeps the AST converter's recursion count per interpreter, not
    per thread, so two threads converting at once can make the *user's*
    `ast.parse` fail with "AST constructor recursion depth mismatch". The
    fingerprint, the guards and the analysis all read this tree instead."""

    text: str
    filename: str
    first_line: int
    tree: ast.Module = field(compare=False, repr=False)


def load_source(func: types.FunctionType) -> FunctionSource:
    """Source of `func` (raises OSError/TypeError when Python cannot find it, SyntaxError)."""
    lines, first_line = inspect.getsourcelines(func)
    text = textwrap.dedent("".join(lines))
    tree = ast.parse(text, type_comments=True)  # as astroid parses (see analysis.astroid_module)
    return FunctionSource(text, inspect.getsourcefile(func) or "<unknown>", first_line, tree)


def global_names(tree: ast.AST) -> list[str]:
    """Names the function reads that it does not assign (its free names)."""
    fdef = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    body = [n for stmt in fdef.body for n in ast.walk(stmt)]  # not the decorators or annotations
    stored = {n.id for n in body if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    stored |= {a.arg for a in fdef.args.args}
    return sorted({n.id for n in body if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - stored)


def describe_global(value: object) -> str:
    """A stable description of a global's value for the cache key."""
    if isinstance(value, (bool, int, float, complex, str)) or value is None:
        return f"{type(value).__name__}:{value!r}"
    if type(value) is tuple and len(value) <= 64:
        # a tuple constant (frozen into the translation): by its items, never by its id
        return "tuple:(" + ",".join(describe_global(v) if type(v) is not tuple else "tuple" + repr(v)
                                    for v in value) + ")"
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}"
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    module = getattr(value, "__module__", None)
    if name:
        return f"{type(value).__name__}:{module}.{name}"
    return f"{type(value).__name__}:{id(value)}"


MISSING = object()  # a guard value: the name was not a global at compile time


def global_guards(func: types.FunctionType, src: FunctionSource) -> tuple[tuple[str, object], ...]:
    """(name, value) for every global the body reads, as frozen into the translation.

    Native code holds these values as constants; the dispatcher compares them
    with the live globals before a native call, so rebinding a module constant
    (or shadowing a builtin) can never leave stale native code running.
    """
    g = func.__globals__
    return tuple((name, g.get(name, MISSING)) for name in global_names(src.tree))


def source_fingerprint(func: types.FunctionType, src: FunctionSource) -> str:
    """Hash of the function's AST and of every global value it reads."""
    tree = src.tree
    h = hashlib.sha256(ast.dump(tree, include_attributes=False).encode())
    for name in global_names(tree):
        if name in func.__globals__:
            h.update(f"{name}={describe_global(func.__globals__[name])}".encode())
        elif hasattr(builtins, name):
            h.update(f"{name}=builtin".encode())
        else:
            h.update(f"{name}=missing".encode())
    h.update(repr(func.__defaults__).encode())
    if any(isinstance(n, ast.Assert) for n in ast.walk(tree)):
        h.update(f"optimize={sys.flags.optimize}".encode())  # `python -O` strips asserts
    return h.hexdigest()
