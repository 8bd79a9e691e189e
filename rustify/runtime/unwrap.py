"""Put a function's plain Python original back where its wrapper is bound.

In: an `Accelerated` wrapper whose function stays Python for good. Out: the
places (``module.name``, ``module.Class.name``) that now bind the original
function instead, under the function's own name: its class (a staticmethod
stays one), its module and any other loaded module that imported it
(``from m import f``). Other references (an alias, a list, a local, a
variable holding what `rustify.accelerate(f)` returned) keep the wrapper,
which still calls the original. The original gets the wrapper's `rustify` info
(``f.rustify`` keeps working) and so is never wrapped again by the import hook.
"""

from __future__ import annotations

import sys
import types


def unwrap_everywhere(wrapper, func: types.FunctionType) -> list[str]:
    """Replace `wrapper` by `func` wherever its module or class binds it; the places replaced."""
    try:
        func.rustify = wrapper.rustify
    except (AttributeError, TypeError):
        pass
    places = []
    parts = func.__qualname__.split(".")
    if len(parts) > 1 and "<locals>" not in parts:
        owner = func.__globals__.get(parts[0])
        for part in parts[1:-1]:
            owner = vars(owner).get(part) if isinstance(owner, type) else None
        if isinstance(owner, type):
            raw = vars(owner).get(parts[-1])
            replacement = None
            if raw is wrapper:
                replacement = func
            elif isinstance(raw, staticmethod) and raw.__func__ is wrapper:
                replacement = staticmethod(func)
            if replacement is not None:
                try:
                    setattr(owner, parts[-1], replacement)
                    places.append(f"{owner.__module__}.{owner.__qualname__}.{parts[-1]}")
                except (AttributeError, TypeError):
                    pass
        return places
    name = func.__name__
    home = func.__globals__
    if home.get(name) is wrapper:
        home[name] = func
        places.append(f"{home.get('__name__', '?')}.{name}")
    for module in list(sys.modules.values()):
        if not isinstance(module, types.ModuleType):
            continue
        ns = object.__getattribute__(module, "__dict__")  # a lazy module must not load by being looked at
        if ns is not home and ns.get(name) is wrapper:
            ns[name] = func
            places.append(f"{ns.get('__name__', '?')}.{name}")
    return places
