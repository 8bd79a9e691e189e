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


def analyse(func: types.FunctionType, signature: tuple[str, ...], src: FunctionSource | None = None):
    """Translate `func` for `signature` into an `ir.Function` (raises `Untranslatable`)."""
    # Imported here: a cache hit needs only `source`, not astroid or the IR.
    import astroid

    from rustify.analysis.lower import FunctionLowerer

    line = func.__code__.co_firstlineno
    code = func.__code__
    if code.co_flags & (0x04 | 0x08) or code.co_kwonlyargcount or code.co_posonlyargcount:
        raise Untranslatable([Reason(line, func.__name__, "*args, **kwargs and keyword-only parameters are not translated")])
    if func.__closure__:
        raise Untranslatable([Reason(line, func.__name__, "closures (functions reading variables of an enclosing function) are not translated")])
    if code.co_flags & 0x20 or code.co_flags & 0x80 or code.co_flags & 0x100 or code.co_flags & 0x200:
        raise Untranslatable([Reason(line, func.__name__, "generators and coroutines are not translated")])
    if len(signature) != code.co_argcount:
        raise Untranslatable([Reason(line, func.__name__, "called with default arguments; not translated yet")])
    src = src or load_source(func)
    module = astroid.parse(src.text)
    fdefs = [n for n in module.body if isinstance(n, astroid.nodes.FunctionDef)]
    if not fdefs:
        raise Untranslatable([Reason(line, func.__name__, "source is not a plain `def`")])
    fdef = fdefs[0]
    if fdef.decorators is not None and len(fdef.decorators.nodes) > 1:
        raise Untranslatable([Reason(line, func.__name__, "other decorators besides rustify's are not translated")])
    result = FunctionLowerer(fdef, func, signature).lower()
    result.source_file = src.filename
    result.first_line = src.first_line
    return result


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
