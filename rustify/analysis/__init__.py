"""Analysis stage: a live Python function + an argument signature -> typed IR.

In: the function object and its signature (a tuple of kinds such as
`("list[float]", "int")`, see `rustify.ir.SIGNATURE_TYPES`).
Out: an `ir.Function`, or `Untranslatable` listing every construct that keeps
the function in Python (line, construct, why).

astroid parses the body and resolves which names are local; the function's
live globals give what module-level names (math, numpy, constants) refer to.
"""

from __future__ import annotations

import types

from rustify.analysis.source import FunctionSource, load_source
from rustify.errors import Reason, Untranslatable


def analyse(func: types.FunctionType, signature: tuple[str, ...], src: FunctionSource | None = None,
            wide: bool = False):
    """Translate `func` for `signature` into an `ir.Function` (raises `Untranslatable`).
    `wide`: its wide specialisation, whose growing ints are Python int objects (lower/bigints.py)."""
    from rustify.analysis.lower.bigints import WIDE_INTS

    token = WIDE_INTS.set(wide)
    try:
        return _analyse(func, signature, src)
    finally:
        WIDE_INTS.reset(token)


def _analyse(func: types.FunctionType, signature: tuple[str, ...], src: FunctionSource | None):
    # Imported here: a cache hit needs only `source`, not astroid or the IR.
    import astroid

    from rustify.analysis.lower.calls import lower_unit
    from rustify.analysis.lower.list_views import view_read_only_lists

    line = func.__code__.co_firstlineno
    code = func.__code__
    if code.co_flags & (0x04 | 0x08) or code.co_kwonlyargcount or code.co_posonlyargcount:
        raise Untranslatable([Reason(line, func.__name__, "*args, **kwargs and keyword-only parameters are not translated")], every_signature=True)
    if func.__closure__:
        raise Untranslatable([Reason(line, func.__name__, "closures (functions reading variables of an enclosing function) are not translated")], every_signature=True)
    if code.co_flags & 0x20 or code.co_flags & 0x80 or code.co_flags & 0x100 or code.co_flags & 0x200:
        raise Untranslatable([Reason(line, func.__name__, "generators and coroutines are not translated")], every_signature=True)
    if len(signature) < code.co_argcount and code.co_argcount - len(signature) <= len(func.__defaults__ or ()):
        # parameters left out (a profile records the call as made): the dispatcher passes
        # their defaults, so their kinds are those of the defaults (runtime.dispatch._positional)
        from rustify.runtime.signature import signature_of

        signature = tuple(signature) + signature_of(func.__defaults__[len(signature) - code.co_argcount:])
    if len(signature) != code.co_argcount:
        least = code.co_argcount - len(func.__defaults__ or ())
        takes = f"{least} to {code.co_argcount}" if least != code.co_argcount else f"{least}"
        raise Untranslatable([Reason(line, func.__name__, f"called with {len(signature)} positional arguments; it "
                                     f"takes {takes} (Python raises TypeError)")])
    src = src or load_source(func)
    module = astroid_module(src)
    fdefs = [n for n in module.body if isinstance(n, astroid.nodes.FunctionDef)]
    if not fdefs:
        raise Untranslatable([Reason(line, func.__name__, "source is not a plain `def`")], every_signature=True)
    fdef = fdefs[0]
    if fdef.decorators is not None and len(fdef.decorators.nodes) > 1:
        raise Untranslatable([Reason(line, func.__name__, "other decorators besides rustify's are not translated")], every_signature=True)
    result = lower_unit(fdef, func, signature, src)  # the function and its callees
    view_read_only_lists(result)  # a flat list read once over is read in place (no callees only)
    result.source_file = src.filename
    result.first_line = src.first_line
    return result


def prepare_in_this_thread() -> None:
    """Import astroid and let it build its model of the builtins, once per process.

    astroid parses Python source to do that, so it must happen in the thread
    that asks for a compile, never in the background compile thread (see
    `FunctionSource`). About 0.4 s, paid once, on the first compile that is
    not a cache hit.
    """
    from astroid import builder, raw_building
    from astroid.manager import AstroidManager

    if not raw_building.InspectBuilder.bootstrapped:
        builder.AstroidBuilder(AstroidManager())


def astroid_module(src: FunctionSource):
    """The astroid tree of `src`, built from the Python AST `src.tree` already parsed.

    This may run in the background compile thread, which must never call
    `ast.parse` (see `FunctionSource`), so astroid's tree rebuilder is fed
    the parsed tree instead of the text. Brain transforms are not applied:
    the lowerer resolves globals through the live objects, not through
    astroid's inference.
    """
    from astroid import builder, rebuilder
    from astroid.manager import AstroidManager

    class FromParsedTree(builder.AstroidBuilder):
        def _data_build(self, data, modname, path, *args, **kwargs):  # astroid 4.4 adds `is_stub`
            tree_builder = rebuilder.TreeRebuilder(self._manager, data)
            return tree_builder.visit_module(src.tree, modname, path or "<?>", False), tree_builder

    return FromParsedTree(AstroidManager(), apply_transforms=False).string_build(src.text)


def verdict(func: types.FunctionType, signature: tuple[str, ...]) -> list[Reason]:
    """Would `func` translate for `signature`? [] if yes, else the reasons it stays Python.

    Analysis only (no codegen, no build). A function whose source cannot be read
    gets one reason saying so.
    """
    try:
        analyse(func, signature)
    except Untranslatable as e:
        return list(e.reasons)
    except (OSError, SyntaxError, TypeError) as e:
        code = getattr(func, "__code__", None)
        return [Reason(code.co_firstlineno if code else 0, getattr(func, "__name__", "?"),
                       f"source not available ({e})")]
    return []
