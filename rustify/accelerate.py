"""The `@rustify.accelerate` front door: read the settings, choose a policy, wrap.

    @rustify.accelerate                   # profile: compile in the background once hot
    @rustify.accelerate(eager=True)       # compile each signature at its first call
    @rustify.accelerate(validate=20)      # also shadow-run Python on 20 native calls per signature

Keyword arguments override `rustify.config.settings()` ([tool.rustify] in
pyproject.toml, then RUSTIFY_* environment variables) for this function.
"""

from __future__ import annotations

import types

from rustify.config import settings
from rustify.runtime.dispatch import Accelerated, CompilePolicy


def accelerate(func: types.FunctionType | None = None, *, eager: bool = False, mode: str | None = None,
               threshold_ms: float | None = None, min_calls: int | None = None, background: bool | None = None,
               validate: int | None = None, front_door: str = "decorator"):
    """Decorator: `@accelerate` or `@accelerate(...)`. Returns an `Accelerated`.

    mode: "profile" (default), "eager" (same as eager=True) or "off" (record
    calls, never compile). threshold_ms / min_calls: when a signature is hot.
    background: compile hot signatures in a background thread (eager always
    compiles in the caller's thread). validate: shadow-validated calls per signature.
    front_door: who wrapped it ("decorator", "profile", "auto"), for reports; the import
    hook's wrappers ("auto") build only once a build pays for itself (the `ski_rental` setting),
    and a native signature of theirs measured slower than the Python function runs Python.
    """
    config = settings().replace(mode="eager" if eager else mode, threshold_ms=threshold_ms, min_calls=min_calls,
                                background=background, validate=validate)
    ski_rental = config.ski_rental == "on" or (config.ski_rental == "auto" and front_door == "auto")
    policy = CompilePolicy(mode=config.mode, threshold_ns=config.threshold_ms * 1e6, min_calls=config.min_calls,
                           background=config.background, validate=config.validate, ski_rental=ski_rental,
                           speed_trial=front_door == "auto")

    def wrap(f: types.FunctionType) -> Accelerated:
        if isinstance(f, Accelerated):
            return f
        if not isinstance(f, types.FunctionType):
            raise TypeError(f"rustify.accelerate expects a Python function, got {type(f).__name__}")
        return Accelerated(f, policy, front_door)

    return wrap(func) if func is not None else wrap
