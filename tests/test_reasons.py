"""The reasons a function stays Python are ones a user can act on: one per cause,
at the right line, naming the construct as the user wrote it (analysis only, no build)."""

from __future__ import annotations

import rustify
from rustify.analysis import verdict


def _helper(x):
    return x + 1.0


_wrapped_helper = rustify.accelerate(_helper)


def calls_a_wrapped_function(xs):
    t = 0.0
    for x in xs:
        t += _wrapped_helper(x)
    return t


def one_bad_line(xs):
    total = print(xs)
    for x in xs:
        total += x
    doubled = total * 2
    return doubled + total


def method_of_a_local(xs):
    ys = [0.0] * len(xs)
    ys.__sizeof__()
    return ys[0]


def method_of_a_literal(xs):
    s = ". ".center(len(xs))
    return len(s)


def returns_two_types(x):
    if x > 0:
        return 1
    return 1.0


def _line_of(func, text):
    first = func.__code__.co_firstlineno
    import inspect

    lines = inspect.getsource(func).splitlines()
    return first + next(i for i, ln in enumerate(lines) if text in ln)


def test_a_call_to_a_wrapped_function_translates_with_its_caller():
    assert verdict(calls_a_wrapped_function, ("list[float]",)) == []


def _prints_its_argument(x):
    print(x)
    return x


_wrapped_printer = rustify.accelerate(_prints_its_argument)


def calls_a_wrapped_untranslatable_function(xs):
    t = 0.0
    for x in xs:
        t += _wrapped_printer(x)
    return t


def test_a_call_that_keeps_its_caller_in_python_names_the_callee_and_its_reason():
    (reason,) = verdict(calls_a_wrapped_untranslatable_function, ("list[float]",))
    assert reason.line == _line_of(calls_a_wrapped_untranslatable_function, "_wrapped_printer(x)")
    assert reason.why == ("calls `_wrapped_printer`, which stays Python for these arguments (float): line "
                          f"{_line_of(_prints_its_argument, 'print(x)')}: `print(x)`: `print` is not a supported function")


def test_one_rejected_line_gives_one_reason_not_a_cascade():
    reasons = verdict(one_bad_line, ("list[float]",))
    assert len(reasons) == 1, reasons
    assert "print" in reasons[0].construct
    assert not any("used before it is assigned" in r.why for r in reasons)


def test_a_method_call_on_a_local_names_the_method_and_the_type():
    (reason,) = verdict(method_of_a_local, ("list[float]",))
    assert reason.why == "the method `__sizeof__` of `ys` (list[float]) is not translated"


def test_a_method_call_on_a_literal_names_the_type():
    (reason,) = verdict(method_of_a_literal, ("list[float]",))
    assert reason.why == "the method `center` of str is not translated"


def test_a_return_type_conflict_points_at_the_return_in_the_file():
    (reason,) = verdict(returns_two_types, ("float",))
    assert reason.line == _line_of(returns_two_types, "return 1.0")
    assert "returns float here but int on line" in reason.why


def frozen_kernel(s, n):
    out = 0
    for _ in range(n):
        out += len(s)
    print(out)
    return out


def test_an_untranslated_argument_kind_does_not_hide_the_other_blockers():
    reasons = verdict(frozen_kernel, ("builtins.frozenset", "int"))
    whys = [r.why for r in reasons]
    assert whys[0] == "`s` is a builtins.frozenset argument: arguments of kind builtins.frozenset are not translated"
    assert reasons[0].line == _line_of(frozen_kernel, "out += len(s)")
    assert any("`print` is not a supported function" in w for w in whys)
    assert len(reasons) == 2, whys
