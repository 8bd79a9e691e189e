"""Differential cases for the exceptions family: `raise`, `assert`, `try/except/else/finally`
(the harness is tests/semantics.py), and explicit checks of what the harness does not
compare: the exception's message (`str(e)`) and `e.args`, and the side effects up to it.

PYTEST_DONT_REWRITE: the `assert` statements of the cases are under test, and pytest's
rewriting would change their messages in the Python original."""

from __future__ import annotations

import copy
import math
import re
import sys
from pathlib import Path

import pytest
from hypothesis import find
from semantics import (  # noqa: F401 - strategies used by the cases below
    accelerated, case, cases_from, check_native_matches_python, floats, ints, lists_of, op, small_ints,
)

import rustify
from rustify.analysis.lower.exceptions import EXCEPTION_KINDS
from rustify.errors import Untranslatable

# ---- raise


@case(small_ints(), op(6))
def raise_builtin_classes(n, k):
    if n < 0:
        if k == 0:
            raise ValueError("negative")
        elif k == 1:
            raise TypeError
        elif k == 2:
            raise IndexError()
        elif k == 3:
            raise KeyError("missing", n)
        elif k == 4:
            raise ArithmeticError(n * 2)
        raise RuntimeError(n > -3, 0.5)
    return n * 2


@case(lists_of(small_ints(), min_size=1), small_ints())
def raise_after_appends(xs, limit):
    out = []
    for x in xs:
        if x > limit:
            xs.append(x)
            raise OverflowError("over the limit", x)
        out.append(x)
    return out


@case(lists_of(floats()))
def assert_with_and_without_message(xs):
    s = 0.0
    for x in xs:
        assert x == x, "nan in the input"
        assert x < 1e300
        s += x
    return s


# ---- try / except


@case(lists_of(floats()), lists_of(floats()))
def except_native_zero_division(xs, ys):
    out = []
    for i in range(min(len(xs), len(ys))):
        try:
            out.append(xs[i] / ys[i])
        except ZeroDivisionError:
            out.append(0.0)
    return out


@case(lists_of(small_ints(), min_size=1, max_size=5), small_ints(), op(4))
def except_by_class_hierarchy(xs, i, k):
    try:
        if k == 0:
            return xs[i]
        elif k == 1:
            return 10 // xs[i]
        elif k == 2:
            return int(math.sqrt(xs[i]))
        raise KeyError(i)
    except (IndexError, KeyError):
        return -1
    except ArithmeticError:
        return -2
    except Exception:
        return -3


@case(lists_of(floats(), max_size=4), small_ints())
def except_and_reraise(xs, i):
    total = 0.0
    try:
        total = xs[i] / xs[0]
    except ZeroDivisionError:
        xs.append(1.0)
        raise
    except Exception:
        total = -1.0
    return total


@case(lists_of(small_ints(), min_size=1, max_size=4), small_ints())
def except_as_reraised(xs, i):
    try:
        return xs[i] * 2
    except IndexError as e:
        xs.append(i)
        if i > 5:
            raise e
        return 0


@case(lists_of(small_ints(), min_size=1, max_size=6), small_ints())
def try_else_finally_all_exits(xs, d):
    total = 0
    for i in range(len(xs)):
        x = xs[i]
        try:
            if x == 3:
                continue
            if x == 4:
                break
            if x == 5:
                return -total
            total += 100 // (x - d)
        except ZeroDivisionError:
            xs.append(0)
        else:
            total += 1
        finally:
            xs.append(total)
    return total


@case(lists_of(small_ints(), min_size=1, max_size=5), small_ints())
def nested_try_in_handler_and_finally_raises(xs, i):
    out = 0
    try:
        try:
            out = xs[i]
        except IndexError:
            try:
                out = 10 // i
            except ZeroDivisionError:
                raise
            finally:
                xs.append(out)
    except ArithmeticError:
        out = -9
    finally:
        if len(xs) > 6:
            raise ValueError("too long")
    return out


class FormatProblem(ValueError):
    """A user's exception class (a subclass of a builtin one)."""


class CountedProblem(Exception):
    """A user's exception class whose constructor runs Python code."""

    def __init__(self, what, n):
        super().__init__(f"{what}: {n}")
        self.n = n


@case(lists_of(small_ints(), max_size=6), small_ints(), op(3))
def raise_user_classes(xs, limit, k):
    total = 0
    for x in xs:
        if x > limit:
            if k == 0:
                raise FormatProblem("over the limit", x)
            elif k == 1:
                raise CountedProblem("too big", x)
            try:
                raise FormatProblem("caught by its builtin base")
            except ValueError:
                total -= 100
        total += x
    return total


@case(lists_of(floats(), min_size=1), lists_of(floats()), small_ints())
def plain_try_in_a_loop(xs, ys, k):
    """A `try` with no return/break/continue inside (its closures return R<()>): the handler
    catches ZeroDivisionError only, an IndexError passes through after the side effects so
    far; `else` and `finally` run as Python runs them."""
    out = []
    n = 0
    for i in range(len(xs)):
        try:
            out.append(xs[i] / ys[i + k])
        except ZeroDivisionError:
            n += 1
            out.append(-1.0)
        else:
            n += 2
            if n > 40:
                raise ValueError(n)  # raised in `else`: the handler does not catch it
        finally:
            n += 3
            if n > 60:
                xs.append(float(n))
    out.append(float(n))
    return out


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    fast = accelerated(c)
    try:  # build the simplest example's signature first: a busy build lock must not leave it Python
        fast(*find(c.args, lambda args: True))
    except Exception:  # noqa: BLE001 - raising is what these cases do
        pass
    fast.wait()
    check_native_matches_python(c)


# ---- messages, args and side effects (the harness compares exception types only)


def _both(func, *args):
    """(Python's exception, native's exception, args after Python, args after native), native built first."""
    fast = accelerated(next(c for c in cases_from(__name__) if c.func is func))
    fast.wait()
    got = []
    for impl in (func, fast):
        a = copy.deepcopy(args)
        with pytest.raises(Exception) as info:
            impl(*a)
        got.append((info.value, a))
    (py_exc, py_args), (native_exc, native_args) = got
    return py_exc, native_exc, py_args, native_args


@pytest.mark.parametrize("k", range(6))
def test_raised_exceptions_have_python_message_and_args(k):
    py_exc, native_exc, _, _ = _both(raise_builtin_classes, -5, k)
    assert type(native_exc) is type(py_exc)
    assert native_exc.args == py_exc.args
    assert [type(a) for a in native_exc.args] == [type(a) for a in py_exc.args]
    assert str(native_exc) == str(py_exc)  # KeyError('missing', -5) and KeyError's own str rules


def test_native_fault_reraised_keeps_its_message_and_side_effects():
    py_exc, native_exc, py_args, native_args = _both(except_and_reraise, [0.0, 1.0], 1)
    assert type(native_exc) is ZeroDivisionError
    assert str(native_exc) == str(py_exc) == "float division by zero"
    assert native_args == py_args == ([0.0, 1.0, 1.0], 1)


def test_raise_after_appends_writes_the_list_back():
    py_exc, native_exc, py_args, native_args = _both(raise_after_appends, [1, 2, 9, 3], 5)
    assert native_exc.args == py_exc.args == ("over the limit", 9)
    assert native_args == py_args == ([1, 2, 9, 3, 9], 5)


def test_assert_message():
    py_exc, native_exc, _, _ = _both(assert_with_and_without_message, [1.0, math.nan])
    assert type(native_exc) is AssertionError and native_exc.args == py_exc.args == ("nan in the input",)
    py_exc, native_exc, _, _ = _both(assert_with_and_without_message, [1e305])
    assert native_exc.args == py_exc.args == ()


def test_finally_runs_before_the_exception_leaves():
    py_exc, native_exc, py_args, native_args = _both(nested_try_in_handler_and_finally_raises, [1, 2, 3, 4, 5, 6], 9)
    assert native_exc.args == py_exc.args == ("too long",)
    assert native_args == py_args


# ---- what stays Python, and why


def _untranslatable(func, signature):
    from rustify.analysis import analyse
    from rustify.analysis.source import load_source

    with pytest.raises(Untranslatable) as info:
        analyse(func, signature, load_source(func))
    return " ".join(r.why for r in info.value.reasons)


@pytest.mark.parametrize("k", range(2))
def test_user_exception_classes_are_raised_as_python_raises_them(k):
    py_exc, native_exc, py_args, native_args = _both(raise_user_classes, [1, 9, 2], 5, k)
    assert type(native_exc) is type(py_exc) is (FormatProblem, CountedProblem)[k]
    assert native_exc.args == py_exc.args and str(native_exc) == str(py_exc)
    assert getattr(native_exc, "n", None) == getattr(py_exc, "n", None)
    assert native_args == py_args


def test_a_user_exception_class_is_looked_up_when_the_raise_runs(monkeypatch):
    fast = accelerated(next(c for c in cases_from(__name__) if c.func is raise_user_classes))
    fast.wait()
    assert fast([1], 5, 0) == 1 and fast.rustify.last_call == "native"
    monkeypatch.setitem(globals(), "FormatProblem", KeyError)  # rebound: Python raises what the name holds now
    for impl in (raise_user_classes, fast):
        with pytest.raises(KeyError):
            impl([9], 5, 0)
    monkeypatch.delitem(globals(), "FormatProblem")
    for impl in (raise_user_classes, fast):
        with pytest.raises(NameError, match="FormatProblem"):
            impl([9], 5, 0)


def test_constructs_that_stay_python_say_why():
    def user_class(n):
        class LocalError(ValueError):
            pass
        raise LocalError("x")

    def raise_from(n):
        raise ValueError("x") from None

    def bare_raise_outside_except(n):
        raise

    def uses_exception_object(xs):
        try:
            return xs[0]
        except IndexError as e:
            return len(e.args)

    def keyboard_interrupt(n):
        try:
            return n + 1
        except KeyboardInterrupt:
            return 0

    def return_in_finally(n):
        try:
            return n
        finally:
            return 0

    assert "is not translated" in _untranslatable(user_class, ("int",))
    assert "from" in _untranslatable(raise_from, ("int",))
    assert "outside an `except` block" in _untranslatable(bare_raise_outside_except, ("int",))

    def bare_except(n):
        try:
            return 10 // n
        except:  # noqa: E722 - the construct under test
            return -1

    assert "also catches KeyboardInterrupt" in _untranslatable(bare_except, ("int",))
    assert "unused or re-raised" in _untranslatable(uses_exception_object, ("list[int]",))
    assert "KeyboardInterrupt" in _untranslatable(keyboard_interrupt, ("int",))
    assert "in `finally`" in _untranslatable(return_in_finally, ("int",))


def test_rust_exception_kinds_match_the_translator():
    text = (Path(__file__).resolve().parent.parent / "rust_templates" / "runtime_exceptions.rs.j2").read_text()
    enum = re.search(r"pub enum ExcKind \{([^}]*)\}", text).group(1)
    assert [v.strip() for v in enum.split(",") if v.strip()] == list(EXCEPTION_KINDS)


def test_assert_follows_python_optimize_flag(monkeypatch):
    from rustify.analysis import analyse
    from rustify.analysis.source import load_source, source_fingerprint

    src = load_source(assert_with_and_without_message)
    plain = analyse(assert_with_and_without_message, ("list[float]",), src)
    key = source_fingerprint(assert_with_and_without_message, src)

    class Flags:
        optimize = 1

    monkeypatch.setattr(sys, "flags", Flags)
    optimized = analyse(assert_with_and_without_message, ("list[float]",), src)
    assert source_fingerprint(assert_with_and_without_message, src) != key
    count = lambda fn: repr(fn.body).count("AssertionError")  # noqa: E731
    assert count(plain) == 2 and count(optimized) == 0


def _returns_list_from_inner_try(n):
    lst = [0.0] * n
    try:
        try:
            return lst
        except ValueError:
            pass
    finally:
        lst.append(1.0)
    return lst


def test_a_list_returned_from_an_inner_try_waits_for_the_outer_finally():
    """Python returns the list after the outer `finally` appended to it: that stays Python."""
    assert "from inside `try ... finally`" in _untranslatable(_returns_list_from_inner_try, ("int",))
    fast = rustify.accelerate(_returns_list_from_inner_try, eager=True)
    with pytest.warns(rustify.RustifyWarning):
        assert fast(2) == [0.0, 0.0, 1.0] == _returns_list_from_inner_try(2)
