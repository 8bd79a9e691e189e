"""The differential harness: every construct the translator accepts, run natively and
in CPython on generated inputs (edge values included), must give the same outcome:
the same value of the same type (or the same exception type) and the same argument
mutations (docs: DESIGN.md, "Semantics that must hold").

Cases live in `tests/test_semantics*.py`, one file per family of constructs. Adding
a construct: write a tiny function in its family's file, decorate it with `@case(...)`
(one hypothesis strategy per argument, or `args=` for the whole tuple); the file's
`test_native_matches_python` runs its cases through `check_native_matches_python`.
"""

from __future__ import annotations

import inspect
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
from conftest import assert_same_outcome, outcome
from hypothesis import given
from hypothesis import strategies as st

import rustify

# ------------------------------------------------------------------ strategies

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
INT_EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 2**31, 2**53, 2**53 + 1, 2**62, -(2**62), I64_MAX, I64_MIN,
             I64_MAX - 1, I64_MIN + 1]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.0, 1e-300, 5e-324, -5e-324, 1e308, -1e308,
               float(2**53), float(2**63), -float(2**63), 2.0**62, math.pi, math.inf, -math.inf, math.nan,
               710.0, -745.5, 1e16, 0.49999999999999994]


def ints(lo=I64_MIN, hi=I64_MAX, edges=True):
    """Ints in [lo, hi], biased to edge values; a few beyond i64 when the range allows."""
    parts = [st.integers(lo, hi), st.integers(-10, 10).filter(lambda v: lo <= v <= hi)]
    if edges:
        chosen = [v for v in INT_EDGES if lo <= v <= hi]
        if chosen:
            parts.append(st.sampled_from(chosen))
    return st.one_of(*parts)


def big_ints():
    """i64 values plus occasional ints beyond it (the boundary sends those to Python)."""
    return st.one_of(ints(), ints(), ints(), st.sampled_from([2**63, -(2**63) - 1, 2**64, -(2**70)]))


def floats():
    return st.one_of(st.sampled_from(FLOAT_EDGES), st.floats(allow_nan=True, allow_infinity=True),
                     st.floats(-10, 10), st.integers(-6, 6).map(float))


def small_ints():
    return ints(-20, 20)


def lists_of(elem, min_size=0, max_size=8):
    return st.lists(elem, min_size=min_size, max_size=max_size)


def index_for():
    return st.one_of(st.integers(-10, 10), st.sampled_from([I64_MIN, I64_MAX, 2**62, -(2**62)]))


def f64_arrays(min_size=0, max_size=8):
    return lists_of(floats(), min_size, max_size).map(lambda v: np.array(v, dtype=np.float64))


def i64_arrays(min_size=0, max_size=8):
    return lists_of(ints(), min_size, max_size).map(lambda v: np.array(v, dtype=np.int64))


def op(n):
    """The selector argument of a multi-construct function."""
    return st.integers(0, n - 1)


# -------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Case:
    name: str
    func: object
    args: st.SearchStrategy  # strategy for the positional-argument tuple
    native: bool = True  # expected to run natively for some examples
    rel: float = 0.0  # float tolerance (transcendental functions: libm differences)
    numpy_list: bool = False  # numpy scalars stored in a list come back as Python scalars
    module: str = ""  # the test module that registered it


CASES: list[Case] = []


def case(*strategies, name=None, args=None, **kw):
    """Decorator: register `func` with one strategy per argument (or `args=` for the tuple)."""
    module = inspect.currentframe().f_back.f_globals.get("__name__", "")

    def register(func):
        CASES.append(Case(name or func.__name__, func, args if args is not None else st.tuples(*strategies),
                          module=module, **kw))
        return func
    return register


def cases_from(module: str) -> list[Case]:
    """The cases the test module `module` registered, in order."""
    return [c for c in CASES if c.module == module]


# ------------------------------------------------------------------ the check

_ACCELERATED: dict[str, object] = {}


def accelerated(c: Case):
    """The eager wrapper of case `c` (one per case for the whole session)."""
    if c.name not in _ACCELERATED:
        _ACCELERATED[c.name] = rustify.accelerate(c.func, eager=True)
    return _ACCELERATED[c.name]


def _run(func, args):
    """`func`'s outcome on `args`, and the distinct RuntimeWarnings (numpy's) it gave."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", RuntimeWarning)
        result = outcome(func, args)
    return result, {(type(w.message).__name__, str(w.message)) for w in seen if issubclass(w.category, RuntimeWarning)}


def check_native_matches_python(c: Case) -> None:
    """Run `c` on generated arguments natively and in CPython; the outcomes must be equal."""
    fast = accelerated(c)
    seen: list[str] = []

    @given(data=st.data())
    def check(data):
        nonlocal fast
        args = data.draw(c.args, label="args")
        if any("asked to re-run in Python on" in r for r in fast.rustify.reasons.values()):
            # the dispatcher gave up on a signature that deopted too often (edge values are
            # over-represented here): start afresh so later examples still test native code
            fast = rustify.accelerate(c.func, eager=True)
        expected, expected_warnings = _run(c.func, args)
        before = sum(fast.rustify.native_calls.values())
        got, got_warnings = _run(fast, args)
        # native_calls counts native runs that returned (a native exception leaves last_call stale)
        seen.append("native" if sum(fast.rustify.native_calls.values()) > before else "python")
        assert_same_outcome(expected, got, rel=c.rel, list_floats_from_numpy=c.numpy_list)
        # numpy's warnings: the same ones; where Python raises, an operation whose result the
        # exception discards (`a[i] * 2.0 + b[j]` with `j` out of range) may not have run
        # natively, so its warning may be missing (docs/semantics.md), never one extra
        if expected[0] == "raise":
            assert got_warnings <= expected_warnings, (got_warnings, expected_warnings)
        else:
            assert got_warnings == expected_warnings, (got_warnings, expected_warnings)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        check()
    if os.environ.get("RUSTIFY_SEMANTICS_REPORT"):
        print(f"\n{c.name}: {seen.count('native')}/{len(seen)} native")
    if c.native:
        assert "native" in seen, f"{c.name} never ran natively:\n{fast.rustify.explain()}"


# ------------------------------------------------------ coverage of the registry


def all_cases() -> list[Case]:
    """Every case of every tests/test_semantics*.py file (imports them)."""
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).resolve().parent.glob("test_semantics*.py")):
        importlib.import_module(path.stem)
    return list(CASES)


def used_in_cases() -> tuple[set[str], set[str]]:
    """AST node kinds and called names ("len", "math.sqrt", "np.zeros") across all cases."""
    import ast
    import textwrap

    kinds, calls = set(), set()
    for c in all_cases():
        tree = ast.parse(textwrap.dedent(inspect.getsource(c.func)))
        for node in ast.walk(ast.Module(body=tree.body[0].body, type_ignores=[])):
            kinds.add("Const" if isinstance(node, ast.Constant) else type(node).__name__)
            if isinstance(node, ast.Call):
                calls.add(ast.unparse(node.func))
    return kinds, calls
