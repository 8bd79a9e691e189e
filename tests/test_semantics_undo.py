"""Writes into Python lists the caller sees, in functions that may ask to re-run in Python
(an int past 64 bits): the kernel records what undoes each write (ir `AttrUndo.logs`,
rust_templates/runtime_undo.rs.j2), and a re-run request replays the log backwards, so
Python re-runs the call on the lists exactly as they were, their own item objects in them.
The calls that do not overflow run natively; the ones that do give Python's result and
leave the arguments as Python leaves them. Writes the log cannot take back (dicts, lists of
instances) keep such a function Python, with the reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, ints, lists_of, small_ints

import rustify

# a factor whose powers outgrow 64 bits within a few steps (or never: 1, 0, -1)
factors = st.one_of(st.sampled_from([0, 1, -1, 2, 3]), st.sampled_from([2**20, 2**31, -(2**33), 2**62]))
words = st.text(alphabet="abcxyz", max_size=3)
grids = lists_of(lists_of(small_ints(), min_size=1, max_size=4), min_size=1, max_size=5)


# ---- differential cases: values and argument contents afterwards equal Python's


@case(grids, factors)
def nested_item_stores(grid, big):
    acc = 1
    for r in range(len(grid)):
        row = grid[r]
        for c in range(len(row)):
            row[c] = row[c] * 2 + r
            grid[r][0] += 1  # an augmented store through two subscripts
            acc = acc * big  # past 64 bits: re-runs in Python
    return acc


@case(lists_of(words, max_size=6), factors)
def appends_and_pops(xs, big):
    acc = 1
    for i in range(len(xs)):
        xs.append(xs[i] + "!")
        if len(xs) > 3:
            xs.pop(0)
        acc = acc * big
    return acc


@case(lists_of(words, max_size=6), st.integers(-8, 8), factors)
def insert_delete_and_slices(xs, k, big):
    acc = big
    xs.insert(k, "ins")
    acc = acc * big
    if len(xs) > 2:
        del xs[k % len(xs)]
    acc = acc * big
    xs[1:3] = ["s", "t", "u"]
    acc = acc * big
    xs.reverse()
    xs.sort()
    acc = acc * big
    xs.pop(k % len(xs) - len(xs))
    xs.extend(["e", "f"])
    acc = acc * big
    del xs[0:1]
    xs.remove("e")
    acc = acc * big
    return acc


@case(lists_of(words, max_size=4), factors)
def raises_after_writes(xs, big):
    acc = 1
    xs.append("w")
    acc = acc * big
    xs[5] = "late"  # IndexError for short lists: the writes before it stay, as in Python
    return acc * big


def _bump_all(rows, k):
    for row in rows:
        row.append(k)
        row[0] = row[0] + k


@case(grids, factors)
def writes_in_a_callee(grid, big):
    acc = 1
    for k in range(3):
        _bump_all(grid, k)  # the callee's writes are logged too
        acc = acc * big
    return acc


@case(lists_of(lists_of(small_ints(), max_size=3), max_size=4), factors)
def local_list_stored_into_an_argument(grid, big):
    acc = 1
    row = [0, 0]
    grid.append(row)  # `row` is the caller's from here on ...
    for k in range(3):
        row[k % 2] = k  # ... so its writes are logged
        acc = acc * big
    return acc


@case(st.dictionaries(st.integers(-3, 6), small_ints(), max_size=5), factors)
def dict_item_stores(d, big):
    acc = 1
    for k in range(5):
        if k in d:
            d[k] += k + 1  # a new value for an old key (a repeat would add it twice)
        else:
            d[k] = k * 2  # a new key, at the end
        acc = acc * big
    return acc


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- native when nothing overflows, exact (identity included) when it does


def rotate(xs, big):
    acc = 1
    for _ in range(len(xs)):
        xs.append(xs.pop(0))  # a full rotation: the same objects in the same order
        acc = acc * big
    return acc


def rotate_rows(grid, big):
    acc = 1
    for _ in range(len(grid)):
        grid.insert(len(grid), grid.pop(0))
        first = grid[0]
        first[0] += 0  # a store of an equal value: a new int object natively
        acc = acc * big
    return acc


@given(xs=lists_of(st.text(max_size=4), min_size=1, max_size=6), big=factors)
def test_a_re_run_finds_the_lists_exactly_as_they_were(xs, big):
    fast = rustify.accelerate(rotate, eager=True)
    items = list(xs)
    got = fast(xs, big)
    assert got == rotate(list(items), big)
    assert len(xs) == len(items) and all(a is b for a, b in zip(xs, items))  # the same objects
    if abs(big) <= 1:
        assert fast.rustify.last_call == "native", fast.rustify.explain()


def test_rows_keep_their_identity_and_small_calls_run_native():
    fast = rustify.accelerate(rotate_rows, eager=True)
    grid = [[1000 + i, i] for i in range(5)]  # (5 rows: no number of repeated rotations looks undone)
    rows = list(grid)
    assert fast(grid, 2) == 32 and fast.rustify.last_call == "native"
    assert all(a is b for a, b in zip(grid, rows))
    rows_items = [list(r) for r in rows]
    items_before = [[id(x) for x in r] for r in grid]
    want = [list(r) for r in grid]
    assert fast(grid, 2**40) == rotate_rows(want, 2**40)  # overflows at the second step
    assert grid == want and all(a is b for a, b in zip(grid, rows))
    assert [list(r) for r in grid] == rows_items
    # items of the rows the kernel did not store into are the original objects
    assert [id(x) for x in grid[0][1:]] == items_before[0][1:]
    assert "outlive a re-run" not in fast.rustify.explain()


def test_non_overflowing_calls_run_native_overflowing_ones_match_python():
    fast = rustify.accelerate(nested_item_stores, eager=True)
    grid = [[1, 2], [3]]
    want = [[1, 2], [3]]
    assert fast(grid, 3) == nested_item_stores(want, 3) and grid == want
    assert fast.rustify.last_call == "native"
    grid, want = [[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, 6]]
    assert fast(grid, 2**31) == nested_item_stores(want, 2**31) and grid == want
    assert fast.rustify.last_call != "native" or fast.rustify.native_signatures


class Buffer:
    def __init__(self):
        self.buffer = [0]
        self.length = 8


def put_bits(b, num, length, big):
    acc = 1
    for i in range(length):
        if b.length % 8 == 0:
            b.buffer.append(0)  # a list an argument holds
        if (num >> (length - i - 1)) & 1:
            b.buffer[b.length // 8] |= 128 >> (b.length % 8)
        b.length += 1  # an attribute: undone too (`AttrUndo.saved`)
        acc = acc * big
    return acc


def test_a_list_held_by_an_instance_is_restored():
    fast = rustify.accelerate(put_bits, eager=True)
    b, want = Buffer(), Buffer()
    assert fast(b, 0b1011, 4, 1) == put_bits(want, 0b1011, 4, 1)
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    assert (b.buffer, b.length) == (want.buffer, want.length)
    for n, length, big in [(0b1100101, 7, 2**20), (0xFFFF, 16, 3), (5, 3, 2**40), (0, 9, -(2**33)), (0xF0F0, 16, 2**31)]:
        got, expected = fast(b, n, length, big), put_bits(want, n, length, big)
        assert got == expected and (b.buffer, b.length) == (want.buffer, want.length)
        # a fresh buffer: its first bit appends a byte before the overflow (a repeat would show)
        b, want = Buffer(), Buffer()
        got, expected = fast(b, n, length, big), put_bits(want, n, length, big)
        assert got == expected and (b.buffer, b.length) == (want.buffer, want.length)


# ---- writes the log does not take back stay Python


class Cell:
    def __init__(self, v):
        self.v = v


def _instances_write(cells, big):
    acc = 1
    for i in range(len(cells)):
        cells[i] = cells[-1 - i]  # the old item would be released late: not logged
        acc = acc * big
    return acc


def _set_write(s, big):
    acc = 1
    for k in range(3):
        s.add(k)  # a set's iteration order may change with a resize and back: not logged
        acc = acc * big
    return acc


@pytest.mark.parametrize("func, args", [(_instances_write, lambda: ([Cell(1), Cell(2)], 2**40)),
                                        (_set_write, lambda: ({5, 6}, 2**40))])
def test_writes_the_log_cannot_undo_keep_the_function_python(func, args):
    fast = rustify.accelerate(func, eager=True)
    a, b = args(), args()
    assert fast(*a) == func(*b)
    assert fast.rustify.last_call == "python"
    assert any("outlive a re-run" in r for r in fast.rustify.reasons.values()), fast.rustify.explain()
