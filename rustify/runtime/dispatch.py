"""Runtime stage: the wrapper that dispatches each call to native code or Python.

One native specialization per argument signature. A call whose signature has
no specialization, or whose native code raises `Deopt`, runs the Python
original. When a signature is compiled is decided by a `policy` callable, so
front doors (eager, profiling, import hook) differ only in the policy they pass.
"""

from __future__ import annotations

import functools
import threading
import types
import warnings
from typing import Callable

from rustify.errors import BuildFailed, RustifyWarning, Untranslatable
from rustify.runtime.deopt import Deopt
from rustify.runtime.info import AccelerationInfo
from rustify.runtime.signature import signature_of

# A signature whose native code asks to re-run in Python this often stops
# being tried: both would run on every call.
DEOPT_GIVE_UP = 16


class Accelerated:
    """Callable stand-in for a Python function; `.rustify` tells what it did."""

    def __init__(self, func: types.FunctionType, policy: Callable[["Accelerated", tuple, int], bool]):
        functools.update_wrapper(self, func)
        self.__wrapped__ = func
        self._func = func
        self._policy = policy
        self._native: dict[tuple, Callable] = {}
        self._calls: dict[tuple, int] = {}
        self._lock = threading.Lock()
        self.rustify = AccelerationInfo(func)

    def __get__(self, obj, objtype=None):
        return self if obj is None else types.MethodType(self, obj)

    def __call__(self, *args, **kwargs):
        if kwargs:
            self.rustify._ran_python(None, "called with keyword arguments")
            return self._func(*args, **kwargs)
        sig = signature_of(args)
        native = self._native.get(sig)
        if native is not None:
            try:
                result = native(*args)
            except Deopt as why:
                self._note_deopt(sig, str(why))
                return self._func(*args)
            except Exception:
                self.rustify._ran_native(sig)  # Python's exception, raised by native code
                raise
            else:
                self.rustify._ran_native(sig)
                return result
        else:
            count = self._calls[sig] = self._calls.get(sig, 0) + 1
            if sig not in self.rustify.reasons and self._policy(self, sig, count) and self.compile(sig):
                return self(*args)  # compiled now: dispatch again
        self.rustify._ran_python(sig)
        return self._func(*args)

    def compile(self, sig: tuple) -> Callable | None:
        """Compile `sig` now (in this thread); None if it stays Python."""
        from rustify.pipeline import compile_function

        with self._lock:
            if sig in self._native or sig in self.rustify.reasons:
                return self._native.get(sig)
            try:
                native = compile_function(self._func, sig)
            except Untranslatable as e:
                self._stay_python(sig, "cannot be translated:\n  " + "\n  ".join(map(str, e.reasons)), e.reasons)
                return None
            except BuildFailed as e:
                self._stay_python(sig, f"the Rust build failed: {e}")
                return None
            except (OSError, SyntaxError) as e:
                self._stay_python(sig, f"its source is not available ({e})")
                return None
            except Exception as e:  # noqa: BLE001 - a rustify bug must not break the program
                self._stay_python(sig, f"rustify failed internally ({type(e).__name__}: {e}); please report this")
                return None
            self.rustify._add_native(native)
            self._native[sig] = native.entry
            return native.entry

    def _stay_python(self, sig: tuple, why: str, reasons=None) -> None:
        self.rustify._add_failure(sig, why, reasons)
        warnings.warn(RustifyWarning(f"{self.__qualname__}{_sig_text(sig)} stays Python: {why}"), stacklevel=4)

    def _note_deopt(self, sig: tuple, why: str) -> None:
        info = self.rustify
        info._ran_python(sig, f"native code asked to re-run in Python: {why}")
        count = info.deopts[sig] = info.deopts.get(sig, 0) + 1
        attempts = info.native_calls.get(sig, 0) + count
        if count >= DEOPT_GIVE_UP and 2 * count > attempts:
            self._native.pop(sig, None)
            self._stay_python(sig, f"its native code asked to re-run in Python on {count} of {attempts} calls "
                                   f"(last time: {why})")


def _sig_text(sig: tuple) -> str:
    return "(" + ", ".join(sig) + ")"
