"""Differential cases for containers meeting each other: tuples holding str and lists (as
dict keys, results and list items), `zip()`/`enumerate()` over Python lists, `d[k] = []` then
`d[k].append(x)`, `del xs[i]`, and a flat list meeting a Python list at one local or one
result. Unicode strings, nested lists with a row that appears twice, and writes through an
alias (`for row, w in zip(grid, words): row[0] = ...` shows through `grid`)."""

from __future__ import annotations

import math

import pytest
from hypothesis import strategies as st
from semantics import (
    accelerated, case, cases_from, check_native_matches_python, index_for, ints, lists_of, op, small_ints,
)

import rustify

TEXT = st.text(alphabet="ab é€😀\u00df", max_size=4)


def words(max_size=8):
    return lists_of(TEXT, max_size=max_size)


def grids(min_rows=0):
    """Lists of int lists, sometimes one row object appearing several times."""
    rows = lists_of(ints(-1000, 1000), 0, 4)
    plain = st.lists(rows, min_size=min_rows, max_size=5)
    shared = st.tuples(rows, st.integers(1, 3)).map(lambda t: [t[0]] * t[1])
    return st.one_of(plain, shared)


# ---- tuples holding str and lists


@case(words(12))
def pair_counts_with_tuple_of_str_keys(ws):
    counts = {}
    for i in range(len(ws) - 1):
        key = (ws[i], ws[i + 1])
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
    return counts


@case(words(), index_for())
def tuple_holding_str_and_lists(ws, k):
    firsts = [w[:1] for w in ws]
    t = (firsts, ws, "é", (ws[k], len(ws)))
    t[0].append("z")  # the list in the tuple is `firsts` itself
    t[1].append("€")  # ... and this one is the caller's list
    return t, firsts, len(t[1])


@case(words())
def list_of_tuples_holding_str(ws):
    out = []
    for w in ws:
        out.append((w, len(w)))
    return sorted(out)


# ---- zip() and enumerate() over Python lists


@case(words(), grids())
def zip_enumerate_over_python_lists(ws, grid):
    out = []
    for i, (w, row) in enumerate(zip(ws, grid)):
        out.append((i, w, len(row)))
    for row, w in zip(grid, ws):
        if row:
            row[0] = len(w)  # a write through the row shows through `grid` (rows may repeat)
    return out, grid


@case(grids(), words())
def enumerate_nested_rows_alias(grid, ws):
    seen = []
    for i, row in enumerate(grid):
        alias = grid[i]
        alias.append(i)  # `row` is `alias`: both see the append
        seen.append(len(row))
    for j, w in enumerate(ws):
        seen.append(j)
    return seen, grid


# ---- dict values that are new lists


@case(lists_of(st.text(alphabet="ab cé€ ", max_size=7), max_size=6))
def dict_of_new_lists_appended(docs):
    index = {}
    for d, doc in enumerate(docs):
        for w in doc.split():
            if w not in index:
                index[w] = []
            index[w].append(d)
    return index


# ---- del xs[i]


@case(words(6), index_for(), small_ints())
def del_list_items(ws, i, n):
    xs = list(range(n))
    del xs[i]  # IndexError as Python's, negative indices counted from the end
    del ws[i]  # the caller's list
    xs.append(len(ws))
    return xs, ws


@case(grids(), index_for(), index_for())
def del_from_a_row_reached_through_the_grid(grid, i, j):
    row = grid[i]
    del row[j]  # shows through `grid` (and through every other place the row appears)
    return grid


# ---- slice assignment and del of a slice


def bounds():
    return st.one_of(st.integers(-6, 6), st.sampled_from([2**62, -(2**63)]))


@case(words(6), words(4), bounds(), bounds(), st.sampled_from([1, 2, -1, -2, 0]), op(5))
def slice_assignment_of_python_lists(ws, new, lo, hi, step, which):
    if which == 0:
        ws[lo:hi] = new  # the caller's list, resized in place
    elif which == 1:
        ws[lo:hi:step] = new  # an extended slice: ValueError unless the lengths agree
    elif which == 2:
        ws[:hi] = new
        ws[lo:] = ws  # the list itself, copied first as CPython does
    elif which == 3:
        del ws[lo:hi:step]  # ValueError for a zero step
    else:
        del ws[::step]
    xs = list(range(len(new)))
    xs[1:2] = [7, 8, 9]
    xs[:] = xs[::-1]
    return ws, xs


@case(grids(), st.integers(-3, 3))
def slice_assignment_through_a_row(grid, k):
    if grid:
        row = grid[0]
        row[k:] = [k, k]  # shows through `grid`, wherever the row appears
        grid[1:] = [row]  # the same row object, not a copy
    return grid


# ---- a counter beside writes the caller sees


@case(grids())
def count_and_clear_positive_cells(grid):
    count = 0
    for row in grid:
        for j in range(len(row)):
            if row[j] > 0:
                row[j] = 0  # a write to the caller's row: no re-run may follow it
                count += 1  # so this sum must never ask to re-run (it cannot leave i64)
    return count, grid


# ---- a flat list meets a Python list


@case(lists_of(ints(), max_size=12))
def merge_sorted_halves(xs):
    if len(xs) <= 1:
        return xs[:]  # a flat slice here, a Python list below: the result is a Python list
    mid = len(xs) // 2
    left = merge_sorted_halves(xs[:mid])
    right = merge_sorted_halves(xs[mid:])
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


@case(lists_of(ints(-50, 50), max_size=8), st.booleans())
def flat_and_python_list_at_one_local(xs, flag):
    if flag:
        out = [x for x in xs if x > 0]  # a flat list
    else:
        out = merge_sorted_halves(xs)  # a Python list
    return out, len(out)


# ---- in-place set and dict operators, update


def int_sets():
    return st.sets(st.integers(-6, 6), min_size=1, max_size=6)


@case(int_sets(), int_sets(), lists_of(st.integers(-6, 6), min_size=1, max_size=5), op(4))
def set_in_place_operators(s, t, xs, which):
    alias = s
    if which == 0:
        s |= t
    elif which == 1:
        s &= t
    elif which == 2:
        s -= t
    else:
        s ^= t
    alias.update(xs)  # `alias` is `s`: the caller's set, changed in place
    fresh = set()
    fresh |= t
    fresh.update(s)
    return len(s), sorted(fresh), alias


@case(st.dictionaries(TEXT, st.integers(-5, 5), max_size=4), st.dictionaries(TEXT, st.integers(-5, 5), max_size=4))
def dict_update_and_in_place_or(d, e):
    merged = {}
    merged.update(d)
    merged |= e
    d.update(e)  # the caller's dict, in the caller's insertion order
    return merged, list(merged), d


# ---- isinstance against the translated types


@case(st.one_of(ints(), st.floats(allow_nan=True), st.booleans()), words(), grids())
def isinstance_of_translated_types(x, ws, grid):
    out = []
    if isinstance(x, bool):
        out.append(0)  # a bool is also an int, as in Python
    if isinstance(x, int):
        out.append(1)
    if isinstance(x, (float, complex)):
        out.append(2)
    if isinstance(ws, list) and not isinstance(ws, (tuple, dict)):
        out.append(3)
    for row in grid:
        if isinstance(row, list):
            out.append(len(row))
    for w in ws:
        if isinstance(w, str):
            out.append(len(w))
    return out


# ---- `==` and `!=` between containers


def pairs_of(items):
    """Two lists: the same object twice, a copy (the same item objects), or two unrelated ones."""
    return st.one_of(items.map(lambda x: (x, x)), items.map(lambda x: (x, list(x))), st.tuples(items, items))


NAN_FLOATS = st.one_of(st.sampled_from([0.0, -0.0, 1.0, math.inf, math.nan]), st.floats(-3, 3))


@case(args=pairs_of(lists_of(small_ints(), max_size=4)))
def int_list_equality(xs, ys):
    return xs == ys, xs != ys, xs == ys[::-1], [1, 2] == xs, xs[:1] != [0], xs == [], [] != ys


@case(args=pairs_of(lists_of(NAN_FLOATS, max_size=4)))
def float_list_equality_with_nan(xs, ys):
    # `xs[:]` holds the same float objects, so a NaN in it equals itself (identity first)
    return xs == ys, xs != ys, xs == xs[:], [float(len(xs))] == [len(xs)]


@case(lists_of(small_ints(), max_size=3), st.tuples(small_ints()), words(3))
def list_never_equals_tuple_or_dict(xs, t, ws):
    return (xs == t, xs != t, [1] == (1,), (1,) != [1], xs == {}, {1} == [1], ws == "ab",
            xs == len(xs), t == ws, [] == (), {} != [])


@case(args=pairs_of(words(4)))
def str_and_nested_list_equality(ws, vs):
    grid = [[w] for w in ws]
    pairs = [(w, len(w)) for w in vs]
    return ws == vs, grid == [[v] for v in vs], pairs == [(w, len(w)) for w in ws], [grid] != [[["x"]]]


@case(st.dictionaries(TEXT, small_ints(), max_size=4), st.booleans())
def dict_equality_ignores_order(d, flip):
    keys = list(d)
    if flip:
        keys.reverse()
    e = {}
    for k in keys:
        e[k] = d[k]
    f = {k: v + 1 for k, v in d.items()}
    return d == e, d != e, d == f, {1: 2, 3: 4} == {3: 4, 1: 2}, {True: 1} == {1: 1}


@case(st.sets(small_ints(), min_size=1, max_size=5), st.sets(small_ints(), min_size=1, max_size=5))
def set_equality(a, b):
    return a == b, a != b, a == (a | b), {1, 2} == {2, 1}, a == set(b), set(sorted(b)) == b


@case(lists_of(NAN_FLOATS, min_size=1, max_size=3), TEXT)
def kernel_built_dict_of_floats_equality(xs, k):
    d = {}
    d[k] = xs[0]  # in Python the one float object is in both dicts: a NaN equals itself
    e = {k: xs[-1]}
    return d == e, d != {k: xs[0] + 1.0}, [(xs[0], k)] == [(xs[-1], k)]


@case(grids(), grids())
def grid_equality_and_shared_rows(a, b):
    return a == b, a != b, a == [row[:] for row in a], b == a[::-1]


# ---- zip() outside a `for` header


@case(lists_of(small_ints(), max_size=5), lists_of(NAN_FLOATS, max_size=4))
def list_and_sorted_of_zip(xs, ys):
    rev = xs[::-1]
    return list(zip(xs, ys)), sorted(zip(xs, rev)), list(zip(xs, ys, xs)), list(zip(xs))


@case(lists_of(TEXT, min_size=1, max_size=5), lists_of(small_ints(), min_size=1, max_size=5))
def dict_of_zip_and_enumerate(ws, xs):
    # a repeated key keeps its first place and takes the last value, as Python's
    return dict(zip(ws, xs)), dict(enumerate(ws)), dict(zip(xs, ws))


@case(lists_of(st.floats(-10, 10), max_size=5), lists_of(st.floats(-10, 10), max_size=5))
def dot_and_comprehension_over_zip(a, b):
    pairs = [x - y for x, y in zip(a, b) if x > y]
    return sum(x * y for x, y in zip(a, b)), pairs, {i: x for i, (x, y) in enumerate(zip(a, b))}


# ---- next(iter(x)): the first item, StopIteration when empty


@case(lists_of(small_ints(), max_size=3), lists_of(TEXT, min_size=1, max_size=3), TEXT)
def next_of_iter_of_lists_and_str(xs, ws, s):
    # StopIteration for an empty list or str, as Python's
    return next(iter(xs), -1), next(iter(ws), "none"), next(iter((7, "a"))), next(iter(s)), next(iter(xs))


@case(st.dictionaries(TEXT, small_ints(), min_size=1, max_size=3), st.sets(st.integers(-1000, 1000), min_size=1, max_size=6))
def next_of_iter_of_dict_and_set(d, members):
    grown = set()
    for m in members:
        grown.add(m * 37)
    # a set's first member in CPython's own order (its table order, which its history decides)
    return next(iter(members)), next(iter(grown)), next(iter(d), "?"), next(iter(d))


@case(st.binary(max_size=3))
def next_of_iter_of_bytes(b):
    return next(iter(b), 256), next(iter(bytearray(b)), -1), next(iter(b))


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def test_a_tuple_holds_the_list_object_itself():
    fast = accelerated(next(c for c in cases_from(__name__) if c.name == "tuple_holding_str_and_lists"))
    ws = ["ß", "€😀"]
    t, firsts, n = fast(ws, 0)
    assert fast.rustify.last_call == "native"
    assert t[0] is firsts and t[1] is ws and ws == ["ß", "€😀", "€"] and n == 3


def test_two_list_representations_are_named_in_a_reason():
    from rustify import ir
    from rustify.analysis.lower.common import described

    flat, obj = described(ir.ListOf(ir.INT), ir.PyListOf(ir.INT))
    assert "flat list" in flat and "Python list object" in obj
    assert described(ir.ListOf(ir.INT), ir.ListOf(ir.FLOAT)) == ("list[int]", "list[float]")
