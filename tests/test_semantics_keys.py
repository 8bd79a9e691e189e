"""Differential cases for `key=` of sorted(), list.sort(), min() and max(): a one-parameter
lambda or `len`/`abs`, over lists of numbers, tuples, str (Unicode) and nested lists; equal
keys keep the items' order (stability), NaN keys sort as CPython's sort puts them, and
`xs.sort(key=...)` sorts the caller's list in place (an alias sees it; a failing key leaves
it as it was)."""

from __future__ import annotations

import math

import pytest
from hypothesis import strategies as st
from semantics import accelerated, case, cases_from, check_native_matches_python, floats, ints, lists_of

TEXT = st.text(alphabet="aAé€😀ß ", max_size=4)


def pairs():
    return lists_of(st.tuples(ints(-5, 5), st.one_of(floats(), st.just(math.nan))), max_size=8)


@case(pairs())
def sorted_pairs_by_a_lambda(ps):
    by_second = sorted(ps, key=lambda p: p[1], reverse=True)  # NaN keys: CPython's order
    by_first = sorted(ps, key=lambda p: p[0])  # equal keys keep their order
    return by_second, by_first, sorted(ps, key=lambda p: p[1])


@case(lists_of(TEXT, max_size=8))
def sorted_str_by_len_and_lambda(ws):
    return sorted(ws, key=len), sorted(ws, key=lambda w: w.lower(), reverse=True), sorted(ws, key=lambda w: w[::-1])


@case(lists_of(ints(-10, 10), max_size=8), lists_of(floats(), max_size=8))
def sorted_numbers_by_abs_and_closure(xs, weights):
    n = len(weights)
    return sorted(xs, key=abs), sorted(xs, key=lambda x: x % 3 if n else x)


@case(lists_of(TEXT, max_size=8), lists_of(lists_of(ints(-9, 9), max_size=3), max_size=5))
def min_max_with_keys(ws, rows):
    out = [""]
    if ws:
        out.append(max(ws, key=len))  # the first of the longest
        out.append(min(ws, key=lambda w: len(w)))
    n = 0
    if rows:
        n = len(max(rows, key=len))
    return out, n, min(rows, key=lambda r: len(r))  # ValueError for no rows


@case(lists_of(TEXT, min_size=1, max_size=8), lists_of(st.tuples(ints(-5, 5), TEXT), max_size=6))
def min_max_with_str_keys(ws, ps):
    # equal keys keep the first item; str keys compare by code point, as Python's `<`
    out = [min(ws, key=lambda w: w.lower()), max(ws, key=lambda w: w[::-1])]
    last = (0, "")
    if ps:
        last = max(ps, key=lambda p: p[1])
    return out, last, min(ps, key=lambda p: p[1])  # ValueError for no pairs


@case(lists_of(st.tuples(ints(-3, 3), st.sampled_from([math.nan, 1.0, 0.5])), max_size=6))
def sorted_by_tuple_keys_holding_the_same_nan(ps):
    # key tuples hold the items' own float objects in Python: `is` decides for math.nan
    qs = [(b, a) for a, b in ps]
    qs.sort(key=lambda q: (q[0], q[1]))
    return sorted(ps, key=lambda p: (p[1], -p[0])), qs


@case(pairs(), st.booleans())
def min_max_float_keys_with_nan(ps, first):
    if first:
        return min(ps, key=lambda p: p[1])
    return max(ps, key=lambda p: p[1])


@case(lists_of(TEXT, max_size=8))
def list_sort_in_place_with_key(ws):
    ws.sort(key=lambda w: (len(w), w), reverse=True)  # the caller's list
    return ws


@case(lists_of(lists_of(ints(-9, 9), max_size=3), max_size=6))
def list_sort_rows_in_place_failing_key(rows):
    rows.sort(key=lambda r: r[0])  # IndexError for an empty row: the list keeps its order
    return rows


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def test_the_sorted_list_keeps_the_callers_objects():
    fast = accelerated(next(c for c in cases_from(__name__) if c.name == "list_sort_rows_in_place_failing_key"))
    a, b, c = [3], [1, 2], [2]
    rows = [a, b, c]
    out = fast(rows)
    assert fast.rustify.last_call == "native"
    assert out is rows and rows[0] is b and rows[1] is c and rows[2] is a
    rows = [a, [], b]
    with pytest.raises(IndexError):
        fast(rows)
    assert rows == [a, [], b] and rows[0] is a  # restored, as CPython restores it
