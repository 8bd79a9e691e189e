"""Shadow validation: run the Python original beside a native call and compare.

`shadow_call(python, native, args)` returns a `ShadowResult`: what the caller
should see (always Python's observable behaviour) and, if the two differed,
a description of how. Python runs on a deep copy of the arguments (aliasing
inside one call is kept by deepcopy's memo), native runs on the real ones;
results, exception types and every argument's contents are compared with
`same_value`, which also tells 1 from 1.0, -0.0 from 0.0 and NaN from NaN.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass


def same_value(a, b, rel: float = 0.0) -> bool:
    """Equality that also compares types, NaN and -0.0 (rel: relative float tolerance)."""
    if type(a).__name__ == "ndarray" or type(b).__name__ == "ndarray":
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and all(same_value(x, y, rel) for x, y in zip(a.tolist(), b.tolist())))
    if isinstance(a, (dict, set)) or isinstance(b, (dict, set)):
        # item by item in iteration order: a dict's insertion order, a set's own order
        pairs = zip(a.items(), b.items()) if isinstance(a, dict) and isinstance(b, dict) else zip(a, b)
        return type(a) is type(b) and len(a) == len(b) and all(same_value(x, y, rel) for x, y in pairs)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same_value(x, y, rel) for x, y in zip(a, b))
    if type(a).__name__ in ("float32", "float16") and type(b) is type(a):  # numpy floats not float subclasses
        return same_value(float(a), float(b), rel)
    if isinstance(a, complex) or type(a).__name__ == "complex64":  # np.complex128 is a complex subclass
        return (type(a) is type(b) and same_value(float(a.real), float(b.real), rel)
                and same_value(float(a.imag), float(b.imag), rel))
    if isinstance(a, float) and isinstance(b, float):
        if type(a) is not type(b):  # np.float64 is a float subclass, but not the same result
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if a == b:
            return math.copysign(1, a) == math.copysign(1, b) or rel > 0
        return rel > 0 and math.isclose(a, b, rel_tol=rel, abs_tol=0.0)
    if type(a) is type(b) and all(c.__flags__ & _HEAPTYPE for c in type(a).__mro__[:-1]) and len(type(a).__mro__) > 1:
        return _same_attributes(a, b, rel)  # instances of Python classes (not of builtins): by their attributes
    return type(a) is type(b) and a == b


_HEAPTYPE = 1 << 9  # a class defined in Python


def _same_attributes(a, b, rel: float) -> bool:
    """Two instances of one class hold the same attributes (`__dict__` and `__slots__`), by `same_value`."""
    names = list(getattr(a, "__dict__", {}))
    if names != list(getattr(b, "__dict__", {})):
        return False
    for base in type(a).__mro__:
        declared = base.__dict__.get("__slots__", ())
        names += [declared] if isinstance(declared, str) else [n for n in declared if n not in ("__dict__", "__weakref__")]
    pair = (id(a), id(b))
    if pair in _comparing:
        return True  # a cycle back to objects being compared: decided where it started
    _comparing.add(pair)
    try:
        missing = object()
        return all(same_value(getattr(a, n, missing), getattr(b, n, missing), rel) for n in names)
    finally:
        _comparing.discard(pair)


_comparing: set = set()


@dataclass
class ShadowResult:
    value: object = None
    error: BaseException | None = None  # Python raised this: re-raise it
    mismatch: str | None = None  # None: native agreed with Python

    def unwrap(self):
        if self.error is not None:
            raise self.error
        return self.value


def _run(func, args):
    try:
        return ("ok", func(*args))
    except Exception as e:  # noqa: BLE001 - the exception is the observable
        return ("raise", e)


def _show(outcome) -> str:
    kind, value = outcome
    return _short(value) if kind == "ok" else f"raised {type(value).__name__}: {value}"


def _short(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _copy_back(target, source) -> None:
    """Make the caller's mutable argument hold what Python left in its copy (a read-only
    array's copy is read-only too, so Python cannot have changed it)."""
    if isinstance(target, list):
        target[:] = source
    elif type(target).__name__ == "ndarray" and target.flags.writeable:
        target[...] = source


def _copy_args(args: tuple) -> tuple:
    """Deep copies of the arguments; a read-only array argument's copy is read-only too, so
    Python writing to it raises as it would on the caller's array."""
    copies = copy.deepcopy(args)
    for original, duplicate in zip(args, copies):
        if type(original).__name__ == "ndarray" and not original.flags.writeable:
            duplicate.flags.writeable = False
    return copies


def shadow_call(python, native, args: tuple, deopt: type[BaseException]) -> ShadowResult:
    """Run `python` on copies and `native` on `args`; compare everything visible."""
    inputs = copy.deepcopy(args)
    py_args = _copy_args(args)
    expected = _run(python, py_args)
    got = _run(native, args)
    if got[0] == "raise" and isinstance(got[1], deopt):
        got = None  # native declined before any visible effect: Python's run stands
    problems = []
    if got is not None:
        if expected[0] != got[0]:
            problems.append(f"Python {_show(expected)}, native {_show(got)}")
        elif expected[0] == "ok" and not same_value(expected[1], got[1]):
            problems.append(f"Python returned {_short(expected[1])}, native returned {_short(got[1])}")
        elif expected[0] == "raise" and type(expected[1]) is not type(got[1]):
            problems.append(f"Python {_show(expected)}, native {_show(got)}")
        for i, (want, have) in enumerate(zip(py_args, args)):
            if not same_value(want, have):
                problems.append(f"argument {i} after the call: Python left {_short(want)}, native left {_short(have)}")
    if got is None or problems:
        for target, source in zip(args, py_args):
            _copy_back(target, source)
    result = ShadowResult()
    if expected[0] == "raise":
        result.error = expected[1]
    else:  # on agreement the caller gets native's object (an argument returned is the caller's own)
        result.value = got[1] if got is not None and not problems else expected[1]
    if problems:
        result.mismatch = f"inputs {_short(inputs)}: " + "; ".join(problems)
    return result
