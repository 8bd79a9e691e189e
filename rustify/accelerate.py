"""The `@rustify.accelerate` front door: choose a compile policy, wrap the function.

- `eager=True`: compile each signature at its first call (in the caller's thread).
- default: compile a signature once it has been called `hot_calls` times
  (`RUSTIFY_HOT_CALLS`, default 2), also in the caller's thread.
"""

from __future__ import annotations

import os
import types

from rustify.runtime.dispatch import Accelerated


def accelerate(func: types.FunctionType | None = None, *, eager: bool = False, hot_calls: int | None = None):
    """Decorator: `@accelerate` or `@accelerate(eager=True)`. Returns an `Accelerated`."""
    threshold = 1 if eager else (hot_calls or int(os.environ.get("RUSTIFY_HOT_CALLS", "2")))

    def policy(_wrapper, _signature, calls: int) -> bool:
        return calls >= threshold

    def wrap(f: types.FunctionType) -> Accelerated:
        if isinstance(f, Accelerated):
            return f
        if not isinstance(f, types.FunctionType):
            raise TypeError(f"rustify.accelerate expects a Python function, got {type(f).__name__}")
        return Accelerated(f, policy)

    return wrap(func) if func is not None else wrap
