"""Differential cases for None: None arguments and defaults, `is None` / `== None` tests,
the None constant (docs/semantics.md, "None")."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, floats, ints, lists_of

import rustify


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@case(st.integers(-3, 14))
def recursive_sum_of_three(n):
    # while its return type is not known yet, the recursive calls wait: the body must not
    # look as if it fell off its end (that None would make the result Optional)
    if n < 3:
        return 1
    return recursive_sum_of_three(n - 1) + recursive_sum_of_three(n - 2) + recursive_sum_of_three(n - 3)


@case(st.integers(-3, 30))
def recursive_none_or_int(n):
    if n < 0:
        return None
    if n == 0:
        return 1
    return recursive_none_or_int(n - 2)


@case(lists_of(floats()), maybe(floats()))
def scale_or_identity(xs, factor):
    total = 0.0
    for x in xs:
        if factor is None:
            total += x
        else:
            total += x * factor
    return total


@case(maybe(ints(-1000, 1000)), ints(-1000, 1000))
def default_when_none(limit, n):
    if limit is not None and n > limit:
        return limit
    if limit == None:
        return -n
    return n


@case(maybe(st.text(max_size=5)), maybe(ints(-5, 5)))
def none_tests_both_ways(s, k):
    a = s is None
    b = k is not None
    c = None != k
    return a, b, c


@case(ints(-100, 100))
def returns_none_constant(n):
    if n is None:
        return 1
    return None


# ---- Optional[T]: a local or result that is None or a value (lower/optional.py)


@case(lists_of(ints(-1000, 1000)))
def optional_best_int(xs):
    best = None
    for x in xs:
        if best is None or x < best:
            best = x
    return best


@case(lists_of(floats()))
def optional_best_float(xs):
    best = None
    for x in xs:
        if best is None or x > best:
            best = x
    return best


@case(lists_of(ints(-5, 5)), ints(-5, 5))
def optional_first_index(xs, target):
    for i in range(len(xs)):
        if xs[i] == target:
            return i
    return None


@case(lists_of(floats()), maybe(floats()))
def optional_rebound_argument(xs, key=None):
    if key is None:
        key = 1.0
    total = 0.0
    for x in xs:
        total += x * key
    return total


@case(lists_of(ints(-3, 3)), ints(-3, 3))
def optional_truthiness(xs, k):
    found = None
    for x in xs:
        if x > k:
            found = x  # 0 is a value, but false
    n = 0
    if found:
        n += 1
    if not found:
        n += 10
    if found is not None and found > 1:
        n += found
    return n


@case(lists_of(st.text(max_size=3)), ints(0, 3))
def optional_str(words, n):
    chosen = None
    for w in words:
        if len(w) >= n:
            chosen = w
    if chosen:
        return chosen + "!"
    return chosen


@case(lists_of(ints(-50, 50)), ints(-50, 50))
def optional_narrowed_after_if(xs, start):
    acc = None
    if start > 0:
        acc = start
    if acc is None:
        acc = 0
    for x in xs:
        acc += x
    return acc


@case(lists_of(ints(-9, 9)))
def optional_stale_narrowing_in_loop(xs):
    last = None
    total = 0
    for x in xs:
        if last is not None:
            total += last * 3
        if x > 0:
            last = x
        else:
            last = None
    return total * 10 + (last if last is not None else 0)


@case(ints(-5, 5), ints(-5, 5))
def optional_rebound_in_branches(a, b):
    x = None
    if a > 0:
        x = a
    if x is not None:
        if b > 0:
            x = None
        elif b < -2:
            return x * 100
        else:
            x = x + 1
    y = x
    if y == None:  # noqa: E711
        return -1
    return y


@case(lists_of(ints(-9, 9)))
def optional_in_expressions(xs):
    m = None
    for x in xs:
        m = x if m is None else max(m, x)
    big = m is not None and m > 3
    label = m if m is not None else -100
    return big, label, None != m


@case(lists_of(ints(-9, 9)))
def optional_bool(xs):
    flag = None
    for x in xs:
        if x > 0:
            flag = x > 5
    if flag:
        return 1
    if flag is None:
        return 0
    return 2


def _first_negative(xs):
    for x in xs:
        if x < 0:
            return x
    return None


@case(lists_of(ints(-9, 9)))
def optional_from_a_callee(xs):
    r = _first_negative(xs)
    if r is None:
        return 0
    return r * 2


# ---- `is None` of list items: the item itself compared with None, whatever its type


def grids():
    """Square-ish grids of None/True/False (qrcode's modules); mostly a bool first."""
    cell = st.sampled_from([None, True, False, False])
    return st.integers(1, 4).flatmap(lambda n: st.lists(
        st.lists(cell, min_size=n, max_size=n), min_size=1, max_size=4))


@case(grids(), ints(-5, 5))
def fill_unset_cells(grid, k):
    filled = 0
    for r in range(len(grid)):
        row = grid[r]
        for c in range(len(row)):
            if grid[r][c] is not None:
                continue
            grid[r][c] = (r + c) % 2 == 0
            filled += 1
    return filled, grid[0][k] is None  # IndexError out of range, as in Python


class Board:
    """qrcode's QRCode: a grid of None/True/False held in an attribute."""

    def __init__(self, cells):
        self.cells = cells
        self.size = len(cells)


@case(grids().map(Board), ints(-5, 5))
def fill_unset_cells_of_an_object(board, k):
    filled = 0
    for r in range(board.size):
        for c in range(len(board.cells[r])):
            if board.cells[r][c] is None:
                board.cells[r][c] = (r * c) % 3 == 0
                filled += 1
    return filled, board.cells[0][k] is not None


@case(lists_of(ints(-9, 9)), ints(-9, 9))
def item_of_a_flat_list_is_none(xs, i):
    if xs[i] is None:  # never for a list of ints, but the item is read (IndexError)
        return -1
    return xs[i]


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def default_none(xs, key=None):
    best = 0.0
    for x in xs:
        if key is None:
            best += x
        else:
            best += x * key
    return best


def test_none_default_runs_native_and_specialises():
    f = rustify.accelerate(default_none, eager=True)
    f.compile(("list[float]", "None"))
    f.compile(("list[float]", "float"))
    assert f([1.0, 2.5]) == default_none([1.0, 2.5]) and f.rustify.last_call == "native"
    assert f([1.0, 2.5], None) == 3.5 and f.rustify.last_call == "native"
    assert f([1.0, 2.5], 2.0) == 7.0 and f.rustify.last_call == "native"


def test_none_local_then_value_runs_native():
    def best_of(xs):
        best = None
        for x in xs:
            if best is None or x > best:
                best = x
        return best

    f = rustify.accelerate(best_of, eager=True)
    f.compile(("list[float]",))
    assert f([3.0, 1.0]) == 3.0 and f.rustify.last_call == "native"
    assert f([]) is None and f.rustify.last_call == "native"


def _maybe_none_plus(xs):
    best = None
    for x in xs:
        best = x
    return best + 1


def _maybe_none_less(xs):
    best = None
    for x in xs:
        best = x
    return best < 3


def _maybe_none_negated(xs):
    best = None
    for x in xs:
        best = x
    return -best


def _maybe_none_in_a_call(xs):
    best = None
    for x in xs:
        best = x
    return abs(best)


@pytest.mark.parametrize("func", [_maybe_none_plus, _maybe_none_less, _maybe_none_negated, _maybe_none_in_a_call])
def test_maybe_none_used_as_a_value_stays_python_with_reason(func):
    f = rustify.accelerate(func, eager=True)
    f.compile(("list[int]",))
    assert any("`best` may be None here" in r for r in f.rustify.reasons.values())
    assert f([2]) == func([2]) and f.rustify.last_call != "native"
    with pytest.raises(TypeError):
        f([])


def test_optional_of_a_list_stays_python_with_reason():
    def maybe_list(n):
        out = None
        if n > 0:
            out = [n]
        return out

    f = rustify.accelerate(maybe_list, eager=True)
    assert f(2) == [2]
    f.wait()
    assert f(2) == [2] and f(0) is None and f.rustify.last_call != "native"
    assert any("Optional (None-or-value) locals" in r for r in f.rustify.reasons.values())


def test_array_equals_none_is_elementwise_so_stays_python():
    import numpy as np

    def eq_none(a):
        return a == None  # noqa: E711

    f = rustify.accelerate(eq_none, eager=True)
    a = np.array([1.0, 2.0])
    assert list(f(a)) == [False, False]
    f.wait()
    assert list(f(a)) == [False, False] and f.rustify.last_call != "native"


def test_rebinding_a_none_argument_runs_native():
    def with_default(xs, key=None):
        if key is None:
            key = 1.0
        return xs[0] * key

    f = rustify.accelerate(with_default, eager=True)
    f.compile(("list[float]", "None"))
    assert f([2.0]) == 2.0 and f.rustify.last_call == "native"


def test_rebinding_a_none_argument_to_a_list_says_why():
    def with_default(xs, key=None):
        if key is None:
            key = [1.0]
        return xs[0] * key[0]

    f = rustify.accelerate(with_default, eager=True)
    assert f([2.0]) == 2.0
    f.wait()
    assert f([2.0]) == 2.0 and f.rustify.last_call != "native"
    assert any("rebinding it to a" in r for r in f.rustify.reasons.values())


def test_none_items_of_a_list_of_lists_run_native():
    """The grid an attribute holds is checked where its items are read: its None items are
    compared with None natively (a list argument the function writes to is checked all the
    way down at entry, so one holding None re-runs in Python: `fill_unset_cells`)."""
    f = rustify.accelerate(fill_unset_cells_of_an_object, eager=True)
    board = Board([[True, None], [None, False]])
    assert f(board, 1) == (2, True) and board.cells == [[True, True], [True, False]]
    assert f.rustify.last_call == "native"
