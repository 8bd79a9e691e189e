"""Differential cases for lists held in place (lists of lists, of tuples, of str), list
comprehensions, generator expressions consumed by sum/min/max/any/all/sorted/list, slices,
list methods, and `for` over any iterable: native against CPython on generated nested
lists (NaN, -0.0, empty lists, out-of-range indices, an inner list that appears twice)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from semantics import (
    accelerated, case, cases_from, check_native_matches_python, floats, index_for, ints, lists_of, op,
    small_ints,
)

import rustify


def grids(elem=None, min_rows=0):
    """Lists of lists (rows of any length), sometimes with one row object appearing twice."""
    rows = lists_of(elem if elem is not None else floats(), 0, 5)
    plain = st.lists(rows, min_size=min_rows, max_size=5)
    shared = st.tuples(rows, st.integers(0, 3)).map(lambda t: [t[0]] * (t[1] + max(min_rows, 1)))
    return st.one_of(plain, plain, shared)


def int_grids(min_rows=0):
    return grids(ints(-1000, 1000), min_rows)


# ---- reading and writing through nested lists


@case(grids(), index_for(), index_for())
def nested_read(grid, i, j):
    return grid[i][j]


@case(grids(), index_for(), index_for(), floats())
def write_through_row_alias(grid, i, j, v):
    row = grid[i]
    row[j] = v
    return grid[i][j]


@case(int_grids(min_rows=1))
def floyd_style_in_place(dist):
    for k in range(len(dist)):
        dk = dist[k]
        for di in dist:
            if k < len(di) and k < len(dk):
                dik = di[k]
                for j in range(min(len(di), len(dk))):
                    if dk[j] < di[j] - dik:
                        di[j] = dk[j]
    return len(dist)


@case(small_ints())
def repeated_inner_list_is_one_object(n):
    grid = [[0] * 3] * n
    if n > 0:
        grid[0][1] = 5
    return grid


@case(lists_of(st.text(max_size=4)), st.booleans())
def list_of_str(words, longer):
    long = [w for w in words if len(w) > 1]
    total = 0
    for w in long:
        total += len(w)
    if longer:
        return [w for w in long if len(w) * len(long) > total]
    return long


# ---- comprehensions


@case(lists_of(floats()), lists_of(floats()))
def comprehension_nested_for_and_if(xs, ys):
    return [x * y for x in xs if x > 0.0 for y in ys if y != x]


@case(ints(0, 12))
def comprehension_of_lists(n):
    return [[i * j for j in range(i)] for i in range(n)]


@case(lists_of(floats()))
def comprehension_variable_does_not_leak(xs):
    x = 5.0
    ys = [x + 1.0 for x in xs]
    return x + float(len(ys))


@case(grids())
def transpose_square(m):
    n = len(m)
    return [[m[i][j] for i in range(n) if j < len(m[i])] for j in range(n)]


@case(st.lists(st.tuples(ints(-100, 100), floats()), max_size=6))
def comprehension_over_tuples(pairs):
    return [c * v for c, v in pairs if c != 0]


# ---- builtins over iterables


@case(lists_of(floats()), op(4))
def float_reducers(xs, k):
    if k == 0:
        return sum(xs)
    if k == 1:
        return sum(x * 2.0 for x in xs if x == x)
    if k == 2:
        return sum(xs, 10.5)
    return sum((x for x in xs), -0.0)


@case(lists_of(ints()), op(4))
def int_reducers(xs, k):
    if k == 0:
        return sum(xs)
    if k == 1:
        return sum(x for x in xs if x % 2 == 0)
    if k == 2:
        return max(xs)
    return min(x for x in xs if x > -5)


@case(lists_of(floats()), op(4))
def min_max_with_nan(xs, k):
    if k == 0:
        return max(xs)
    if k == 1:
        return min(xs)
    if k == 2:
        return max(x - 1.0 for x in xs)
    return min(x for x in xs if x != 0.0)


@case(lists_of(floats()), floats())
def any_all_short_circuit(xs, t):
    return any(x > t for x in xs), all(x < t for x in xs), any(xs), all(xs)


@case(ints(-5, 2000))
def sum_over_range_generator(n):
    return sum(i * i for i in range(n) if i % 3 != 0)


@case(lists_of(floats()), st.booleans())
def sorted_like_python_nan_included(xs, rev):
    if rev:
        return sorted(xs, reverse=True)
    return sorted(xs)


@case(lists_of(st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 1.0])), 0, 12), st.booleans())
def sorted_floats_stable_with_signed_zeros(xs, rev):
    if rev:
        return sorted(xs, reverse=True)
    return sorted(xs)


@case(lists_of(st.one_of(ints(), ints(-3, 3)), 0, 12), st.booleans())
def sorted_ints(xs, rev):
    if rev:
        return sorted(xs, reverse=True)
    return sorted(xs)


@case(lists_of(ints(-50, 50)))
def sorted_generator(xs):
    return sorted(x * 3 for x in xs)


@case(ints(-3, 30))
def list_of_range(n):
    return list(range(n))


@case(st.lists(lists_of(st.floats(-10, 10)), max_size=5))
def row_norms_nested(vectors):
    return [math.sqrt(sum(x * x for x in v)) for v in vectors]


# ---- slices


@case(lists_of(floats(), 0, 10), st.integers(-12, 12), st.integers(-12, 12), st.integers(-3, 3), op(5))
def slices_of_a_flat_list(xs, a, b, s, k):
    if k == 0:
        return xs[:b]
    if k == 1:
        return xs[a:]
    if k == 2:
        return xs[a:b]
    if k == 3:
        return xs[::-1]
    return xs[a:b:s]


@case(grids(), st.integers(-6, 6), st.integers(-6, 6), st.integers(-2, 2), st.booleans())
def slices_of_nested_lists(grid, a, b, s, whole):
    part = grid[a:b:s]
    if whole:
        copy = grid[:]
        copy.append([1.0])
        return copy
    return part


@case(lists_of(floats(), 1, 12), st.integers(1, 4))
def sliding_window_max(xs, k):
    return [max(xs[i:i + k]) for i in range(len(xs) - k + 1)]


# ---- loops and list methods


@case(st.lists(st.tuples(ints(-100, 100), floats()), max_size=6))
def for_unpacking_list_of_tuples(pairs):
    num = 0.0
    den = 0
    for count, value in pairs:
        num += count * value
        den += count
    return num, den


@case(int_grids(min_rows=1))
def flood_fill_with_a_stack_of_tuples(grid):
    h = len(grid)
    w = len(grid[0])
    seen = 0
    stack = [(0, 0)]
    while stack:
        y, x = stack.pop()
        for dy, dx in ((1, 0), (0, 1)):
            ny = y + dy
            nx = x + dx
            if ny < h and nx < w and nx < len(grid[ny]) and seen < 50:
                seen += 1
                stack.append((ny, nx))
    return seen


@case(small_ints(), op(6))
def methods_of_a_list_of_lists(n, k):
    rows = [[1.0], [2.0, 3.0]]
    rows.append([float(n)])
    rows.insert(n, [4.0])
    if k == 0:
        return [rows.pop()]
    if k == 1:
        return [rows.pop(n), rows[0]]
    if k == 2:
        rows.reverse()
        return rows
    if k == 3:
        return [[float(rows.index([float(n)])), float(rows.count([1.0]))]]
    if k == 4:
        rows.remove([2.0, 3.0])
        rows.extend([[5.0]])
        return rows
    rows.sort(reverse=True)
    return rows


@case(grids(min_rows=0))
def pop_from_an_argument(grid):
    out = 0.0
    while grid:
        row = grid.pop()
        for x in row:
            out += x
    return out


@case(lists_of(floats()), lists_of(floats()), floats())
def membership_in_lists(xs, ys, v):
    k = 0
    for y in ys:
        if y in xs:
            k += 1
    return k + (v in ys) - (v not in xs)


@case(grids(), st.lists(floats(), max_size=2))
def membership_of_rows(grid, row):
    return row in grid


@case(ints(-3, 20), ints(-5, 25))
def methods_of_a_local_flat_list(n, i):
    xs = list(range(n))
    xs.insert(i, -1)
    if n > 2:
        xs.pop()
        xs.pop(0)
    xs.extend([7, 8, 9])
    xs.reverse()
    xs.remove(7)
    head = [xs.index(8), xs.count(9)]
    head.extend(xs[:4])
    return head


@case(ints(-6, 8), ints(-8, 8), op(9))
def vec_methods_of_ints_and_their_errors(n, i, k):
    xs = list(range(n))  # a list the kernel builds: its methods run on the Vec
    if k == 0:
        return [xs.pop(i), len(xs)]
    if k == 1:
        del xs[i]
        return xs
    if k == 2:
        xs.insert(i, 99)
        return xs
    if k == 3:
        return [xs.index(i)]
    if k == 4:
        xs.remove(i)
        return xs
    if k == 5:
        xs.extend(xs)
        xs.sort()
        return xs
    if k == 6:
        xs.clear()
        return [xs.pop()]
    if k == 7:
        xs.reverse()
        xs.append(xs.count(i))
        return xs
    xs.append(i)
    xs.sort()
    return xs


@case(lists_of(floats()), floats(), ints(-5, 5), op(6))
def vec_methods_of_floats(src, v, i, k):
    xs = [x * 1.0 for x in src]  # NaN and -0.0 among them
    xs.insert(i, v)
    if k == 0:
        return [float(xs.index(v))]
    if k == 1:
        return [float(xs.count(v))]
    if k == 2:
        xs.remove(v)
        return xs
    if k == 3:
        xs.sort()
        return xs
    if k == 4:
        return [xs.pop(i)]
    xs.extend(src)
    xs.reverse()
    return xs


@case(lists_of(ints(-5, 5)), ints(-3, 3))
def list_methods_through_an_alias_of_an_argument(xs, i):
    ys = xs
    ys.insert(i, 7)
    ys.reverse()
    del ys[0]
    return len(xs), xs


@case(ints(0, 6), floats())
def a_flat_list_that_escapes_stays_one_object(n, v):
    row = [0.0] * 3
    grid = [row, [1.0]]
    row[1] = v
    row.append(float(n))
    grid.append(row)
    return grid


@case(lists_of(floats()), lists_of(ints()))
def flat_arguments_only_read(xs, ns):
    s = 0.0
    for x in xs:
        s += x
    t = 0
    for i in range(len(ns)):
        t += ns[i] % 7
    return s, t, len(xs)


@case(st.integers(-3, 40), st.integers(1, 3))
def augmented_sum_of_a_generator(n, k):
    total = 1
    total += sum(i * k for i in range(2, n))  # the generator is lowered inside an augmented assignment
    total -= sum([j for j in range(n) if j % 2])
    return total


@case(lists_of(st.text(max_size=5), min_size=1, max_size=6), st.integers(0, 3))
def append_str_items_to_a_new_list(words, k):
    out = []  # becomes a Python list of str; still the kernel's own (a str cannot be written)
    for w in words:
        out.append(w)
        out.append(w[:k])
    count = 0
    for w in out:
        count += len(w) * 3  # int arithmetic that may ask to re-run in Python
    return "|".join(out) + ":" + str(count)


# ---- flat list arguments held in place: another argument reaches them, or their identity shows


def _grid_and_row(elem):
    """(grid, row): the row is often the very list inside the grid (`f(grid, grid[i])`), else a copy."""
    def pick(t):
        grid, i, same = t
        row = grid[i % len(grid)]
        return grid, (row if same else list(row))
    return st.tuples(grids(elem, min_rows=1), st.integers(0, 4), st.booleans()).map(pick)


def _dict_and_list(elem):
    """(d, xs): xs is often one of d's values (`f(d, d[k])`), else a copy of one."""
    def pick(t):
        d, same = t
        xs = next(iter(d.values()))
        return d, (xs if same else list(xs))
    return st.tuples(st.dictionaries(st.text("abc", max_size=2), lists_of(elem, 0, 4), min_size=1, max_size=3),
                     st.booleans()).map(pick)


@case(args=st.tuples(_grid_and_row(floats()), index_for(), floats()).map(lambda t: t[0] + t[1:]))
def a_write_through_the_grid_shows_in_its_row_argument(grid, row, j, v):
    grid[0][j] = v
    t = 0.0
    for x in row:
        t += x
    return t, len(row)


@case(args=st.tuples(_grid_and_row(floats()), index_for(), floats()).map(lambda t: t[0] + t[1:]))
def a_write_into_the_row_argument_shows_in_the_grid(grid, row, j, v):
    row[j] = v
    row.append(v)
    return grid[0], len(grid[-1])


@case(args=st.tuples(_dict_and_list(ints(-1000, 1000)), ints(-1000, 1000)).map(lambda t: t[0] + t[1:]))
def a_dict_value_passed_beside_its_dict(d, xs, v):
    for k in d:
        d[k].append(v)
    xs.append(v)
    return len(xs), d


@case(lists_of(ints(-5, 5), 0, 6), ints(-6, 6), ints(-5, 5), op(11))
def list_methods_of_an_int_argument(xs, i, v, k):
    r = 0
    if k == 0:
        xs.sort()
    elif k == 1:
        xs.sort(reverse=True)
    elif k == 2:
        xs.sort(key=lambda x: x > 0)
    elif k == 3:
        xs.insert(i, v)
        xs.extend([v, v])
    elif k == 4:
        r = xs.pop(i)
    elif k == 5:
        xs.remove(v)
    elif k == 6:
        del xs[i]
    elif k == 7:
        xs[i:] = [v, v, v]
    elif k == 8:
        r = xs.index(v)
    elif k == 9:
        r = xs.count(v)
    else:
        xs.reverse()
    return r, xs


@case(lists_of(floats(), 0, 6), ints(-6, 6), op(4))
def list_methods_of_a_float_argument(xs, i, k):
    ys = xs[:]
    if k == 0:
        xs.sort()
    elif k == 1:
        xs.pop(i)
    elif k == 2:
        del xs[::2]
    else:
        xs.clear()
    return xs, ys


@case(lists_of(ints(-5, 5)), lists_of(ints(-5, 5)))
def an_argument_list_returned_is_the_callers_object(xs, ys):
    xs.append(len(ys))
    return xs, ys


@case(lists_of(ints(-100, 100)), lists_of(st.text(max_size=3)), lists_of(floats()), op(3))
def reversed_lists_in_loops_and_reductions(ns, ws, xs, k):
    out = []
    for n in reversed(ns):
        out.append(n * 2)  # another list: `ns` is not changed
    joined = ""
    for w in reversed(ws):
        joined += w
    if k == 0:
        return out, joined, list(reversed(xs))
    if k == 1:
        return out, joined, sorted(reversed(xs))
    return out, joined, [max(reversed(xs))]  # ValueError when empty


@case(lists_of(ints(-5, 5), 0, 4), native=False)
def reversed_list_changed_in_the_loop_stays_python(xs):
    for x in reversed(xs):  # Python's reverse iterator sees the appends: not translated
        xs.append(x)
        if len(xs) > 6:
            break
    return xs


# ---- map() of a builtin, consumed by a reduction


@case(grids(st.booleans()), grids(ints(-1000, 1000)), st.booleans())
def map_of_reductions(bits, rows, flag):
    dark = sum(map(sum, bits))  # qrcode's dark-module count
    if flag:
        return dark, sum(map(len, rows)), any(map(any, bits)), all(map(all, bits))
    return dark, min(map(max, rows)), False, True  # ValueError for an empty row or no rows


@case(grids(ints(-1000, 1000)))
def sorted_map_of_sums(rows):
    return sorted(map(sum, rows), reverse=True)


@case(lists_of(floats()), lists_of(ints(-(2**40), 2**40)))
def map_of_scalar_builtins(xs, ns):
    finite = [x for x in xs if abs(x) < 1e15]  # (int() of inf or NaN raises, tested elsewhere)
    return list(map(abs, xs)), sum(map(abs, ns)), sorted(map(int, finite))


# ---- sorting lists and tuples of floats: `is` decides for a NaN


@case(lists_of(st.sampled_from([math.nan, 1.0, 0.0, -0.0]), max_size=5))
def sorted_tuples_holding_the_same_nan(xs):
    # tuple comparison asks `x is y` first: two tuples holding the one math.nan object compare
    # by their next item in Python, whatever the NaN; the kernel's boxed NaNs are new objects
    pairs = [(xs[i], -i) for i in range(len(xs))]
    rows = [[x, float(i)] for i, x in enumerate(xs)]
    pairs.sort(reverse=True)
    return sorted([(x, -i) for i, x in enumerate(xs)]), pairs, sorted(rows)


@case(lists_of(st.sampled_from([math.nan, 1.0, 0.0]), min_size=1, max_size=5))
def search_tuples_holding_the_same_nan(xs):
    # `in`, index, count and remove find an item by `is` first: the one math.nan object is found
    pairs = [(xs[i], i % 2) for i in range(len(xs))]
    found = (xs[0], 0) in pairs
    n = pairs.count((xs[-1], (len(xs) - 1) % 2))
    k = pairs.index((xs[0], 0))
    pairs.remove((xs[0], 0))
    return found, n, k, pairs


# ---- tuple(genexpr): a tuple object of any length


@case(lists_of(ints(-50, 50), max_size=6), lists_of(st.text(alphabet="aé😀", max_size=2), min_size=1, max_size=4), ints(-8, 8))
def tuple_of_generator_expressions(xs, ws, i):
    t = tuple(x * 2 for x in xs if x != 3)
    names = tuple(w.upper() for w in ws)
    total = 0
    for v in t:
        total += v
    # t[i]: IndexError outside, as Python's
    return t, names, len(t), total, t == tuple(xs), names != (ws[0],), tuple([w for w in ws]), t[i]


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- exact messages, identity and run-native checks


def _empty_max(xs):
    return max(x for x in xs)


def _index_error(grid, i):
    return grid[i][0]


def _pop_empty(grid):
    grid.pop()
    return grid.pop()


@pytest.mark.parametrize("func, args, exc, message", [
    (_empty_max, ([],), ValueError, "max() arg is an empty sequence"),
    (_index_error, ([[1.0]], 3), IndexError, "list index out of range"),
    (_pop_empty, ([[1.0]],), IndexError, "pop from empty list"),
], ids=lambda v: getattr(v, "__name__", None))
def test_errors_carry_pythons_messages(func, args, exc, message):
    fast = rustify.accelerate(func, eager=True)
    fast(*({_empty_max: ([1.0],), _index_error: ([[1.0]], 0), _pop_empty: ([[1.0], [2.0]],)}[func]))
    assert fast.rustify.last_call == "native"  # compiled for the signature, ran native
    with pytest.raises(exc) as native:
        fast(*args)
    with pytest.raises(exc) as python:
        func(*args)
    assert str(native.value) == str(python.value) == message


def _vec_errors(n, k):
    xs = list(range(n))
    if k == 0:
        return xs.index(n + 5)
    if k == 1:
        xs.remove(-1)
    elif k == 2:
        xs.pop(n)
    elif k == 3:
        del xs[-n - 1]
    elif k == 4:
        xs.clear()
        xs.pop()
    return 0


@pytest.mark.parametrize("k, exc, message", [
    (0, ValueError, "8 is not in list"),
    (1, ValueError, "list.remove(x): x not in list"),
    (2, IndexError, "pop index out of range"),
    (3, IndexError, "list assignment index out of range"),
    (4, IndexError, "pop from empty list"),
])
def test_methods_of_a_list_the_kernel_built_raise_pythons_errors(k, exc, message):
    fast = rustify.accelerate(_vec_errors, eager=True)
    assert fast(3, 5) == 0 and fast.rustify.last_call == "native"
    assert "Vec<i64>" in fast.rustify.rust_source()
    with pytest.raises(exc) as native:
        fast(3, k)
    with pytest.raises(exc) as python:
        _vec_errors(3, k)
    assert str(native.value) == str(python.value) == message


def _append_row(grid, v):
    row = grid[0]
    row.append(v)
    grid.append(row)
    return grid


def test_a_row_reached_through_the_grid_is_the_callers_object():
    fast = rustify.accelerate(_append_row, eager=True)
    inner = [1.0]
    grid = [inner, [2.0]]
    out = fast(grid, 3.0)
    assert fast.rustify.last_call == "native"
    assert out is grid and grid[0] is inner and grid[2] is inner and inner == [1.0, 3.0]


@settings(max_examples=60)
@given(st.lists(st.one_of(floats(), st.just(math.nan)), max_size=12))
def test_sorted_with_nan_is_cpythons_order(xs):
    fast = accelerated(next(c for c in cases_from(__name__) if c.name == "sorted_like_python_nan_included"))
    got = fast(xs, False)
    want = sorted(xs)
    assert [repr(x) for x in got] == [repr(x) for x in want]
    assert all(type(x) is float for x in got)


def _sorted_rows(grid):
    return sorted(grid)


def test_sorted_keeps_the_callers_objects():
    fast = rustify.accelerate(_sorted_rows, eager=True)
    rows = [[3.0], [1.0, 2.0], [float("nan")], [1.0]]
    out = fast(rows)
    assert fast.rustify.last_call == "native"
    assert out is not rows and [id(r) for r in out] == [id(r) for r in sorted(rows)]  # the same row objects

def _grid_total(grid):
    s = 0.0
    for row in grid:
        for x in row:
            s += x
    return s


def _grid_scale(grid, k):
    for row in grid:
        for j in range(len(row)):
            row[j] = row[j] * k
    return len(grid)


def test_only_a_function_that_writes_what_the_caller_sees_checks_every_item_at_entry():
    """A reader may re-run in Python at any point, so its containers are checked where their
    items are read (a big argument costs nothing at entry); a writer checks every item before
    it runs, so no re-run can follow a write."""
    reader = rustify.accelerate(_grid_total, eager=True)
    assert reader([[1.0, 2.0], [3.0]]) == 6.0 and reader.rustify.last_call == "native"
    assert "| arg_object_shallow::<" in reader.rustify.rust_source()
    odd = [[1.0, 2.0], [3.0, 4]]  # an int deep inside, met only when it is read
    assert reader(odd) == _grid_total(odd) and reader.rustify.last_call == "python"

    writer = rustify.accelerate(_grid_scale, eager=True)
    grid = [[1.0, 2.0], [3.0]]
    assert writer(grid, 2.0) == 2 and grid == [[2.0, 4.0], [6.0]] and writer.rustify.last_call == "native"
    assert "| arg_object_shallow::<" not in writer.rustify.rust_source()
    odd, expected = [[1.0, 2.0], [3.0, 4]], [[1.0, 2.0], [3.0, 4]]
    assert writer(odd, 2.0) == _grid_scale(expected, 2.0) and odd == expected  # checked before any write
    assert [type(x) for x in odd[1]] == [type(x) for x in expected[1]]
    assert writer.rustify.last_call == "python"


def _sort_and_return(xs):
    xs.sort()
    return xs


def _row_beside_its_grid(grid, row):
    grid[0][0] = 7.0
    return row[0]


def test_a_flat_list_argument_keeps_its_identity():
    """A list[int] argument a method changes and the function returns is the caller's own
    object (worked on in place, not copied); a list[float] argument that is also a row of
    another argument sees writes made through that argument."""
    fast = rustify.accelerate(_sort_and_return, eager=True)
    xs = [3, 1, 2]
    assert fast(xs) is xs and xs == [1, 2, 3] and fast.rustify.last_call == "native"
    fast = rustify.accelerate(_row_beside_its_grid, eager=True)
    grid = [[1.0, 2.0], [3.0]]
    assert fast(grid, grid[0]) == 7.0 and fast.rustify.last_call == "native"
    assert fast([[1.0]], [5.0]) == 5.0


def _sort_it(ys):
    ys.sort()


def _sorts_through_a_callee(xs):
    _sort_it(xs)
    return xs[0]


def test_a_callee_does_not_retype_the_list_its_caller_lends():
    """A callee's parameters are its caller's variables: one that would need the caller's list
    object (here `ys.sort()` of a flat list the caller lends) keeps the call in Python with a
    reason, rather than building a kernel whose types disagree."""
    fast = rustify.accelerate(_sorts_through_a_callee, eager=True)
    assert fast([3, 1, 2]) == 1 and fast.rustify.last_call == "python"
    assert any("its caller lends" in r for r in fast.rustify.reasons.values()), fast.rustify.explain()
