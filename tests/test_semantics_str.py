"""Differential cases for str, bytes and bytearray: indexing (code points, negative indices,
IndexError), iteration, slicing with steps, comparison and `in`, `+` and `*`, `ord`, `chr`,
`str()`, f-strings with format specs and conversions, the methods of STR_METHODS, bytearray
stores and `append`, `bytes(list)`, and `raise` with str values. Strings are Unicode:
hypothesis draws astral characters, combining marks, lone surrogates and Python's own
whitespace and digit classes (which differ from Rust's)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from semantics import (
    accelerated, case, cases_from, check_native_matches_python, f64_arrays, floats, i64_arrays, index_for, ints,
    lists_of, op, small_ints,
)

from rustify.analysis.lower.text import STR_METHODS

# Characters where Python's definitions differ from naive ones: \x1c-\x1f and U+2028 are
# whitespace to Python, "²" and "٣" are digits, "İ"/"ß" change length under case mapping,
# U+0301 is a combining mark, U+1F600 is astral, U+D800/U+DFFF are lone surrogates.
_CHARS = ["a", "b", "e", "m", "z", "A", "Z", "0", "7", " ", "\t", "\n", "\x1c", "\x1f", "\x85", "\xa0",
          "\u2028", "\u3000", "\u00e9", "\u0301", "\u0130", "\u00df", "\u00b2", "\u0663", "\U0001F600",
          "\U00010400", "\ud800", "\udfff", ",", ".", "!"]


def texts(max_size=8):
    """Unicode str, lone surrogates included, biased to small alphabets (so equalities happen)."""
    return st.one_of(st.text(alphabet=st.sampled_from(_CHARS), max_size=max_size),
                     st.text(st.characters(blacklist_categories=()), max_size=max_size),
                     st.text("ab", max_size=4))


def short_texts():
    return st.one_of(st.text(alphabet=st.sampled_from(_CHARS), max_size=2), st.text("ab", max_size=2))


def bounds():
    """A slice bound: omitted (None) or an int, out of range ones included."""
    return st.one_of(st.none(), st.integers(-10, 10), st.sampled_from([2**62, -(2**62)]))


def steps():
    return st.one_of(st.none(), st.integers(-3, 3), st.sampled_from([2**62, -(2**62)]))


def bytearrays():
    return st.binary(max_size=8).map(bytearray)


# ---- indexing, len, ord, iteration


@case(texts(), index_for())
def str_index(s, i):
    return s[i]


@case(texts(), index_for())
def str_code_point_and_len(s, i):
    return ord(s[i]) * 1000 + len(s)


@case(short_texts())
def ord_of_str(s):
    return ord(s)


@case(ints())
def chr_of_int(i):
    return chr(i)


@case(texts())
def str_iterate_concat(s):
    n = 0
    out = ""
    back = ""
    for ch in s:
        if ch in "ae\u00e9\U0001F600":
            n += 1
        if ch == "a" or "b" == ch:
            n += 10
        if ch != "m":
            n += 100
        back = ch + back
        out += ch
        out = out + "."
    return out + back + str(n)


VOWELS = "aeiou"


@case(texts())
def str_in_global_constant(s):
    n = 0
    for ch in s:
        if ch in VOWELS:
            n += 1
        elif ch not in "xyz":
            n += 2
    return n


@case(texts())
def str_loop_variable_as_code_point(s):
    n = 0
    for ch in s:
        if ch in VOWELS:
            n += 1
        elif ch not in "\u00e9\U0001F600\ud800":
            n += 1000
        if ch == "a" or "\U0001F600" == ch:
            n += 10
        if ch != "z":
            n += ord(ch) % 7
    return n


# ---- comparison and `in`


@case(texts(), texts())
def str_compare(a, b):
    n = 0
    if a == b:
        n += 1
    if a != b:
        n += 2
    if a < b:
        n += 4
    if a <= b:
        n += 8
    if a > b:
        n += 16
    if a >= b:
        n += 32
    if a in b:
        n += 64
    if a not in b:
        n += 128
    if "" <= a < b <= "b":
        n += 256
    if a:
        n += 512
    return n


@case(texts(), texts(), index_for(), index_for())
def str_char_compare(a, b, i, j):
    n = 0
    if a[i] == b[j]:
        n += 1
    if a[i] < "m":
        n += 2
    if "m" >= b[j]:
        n += 4
    if a[i] in "xyz\u00e9":
        n += 8
    if a[i] == "\U0001F600":
        n += 16
    return n


# ---- slicing, `+`, `*`


@case(texts(), bounds(), bounds(), steps())
def str_slice(s, a, b, c):
    return s[a:b:c]


@case(texts(), bounds())
def str_slice_forms(s, a):
    return s[::-1] + "|" + s[a:] + "|" + s[:a] + "|" + s[::2]


@case(texts(), texts(), small_ints())
def str_concat_repeat(a, b, n):
    return a + b * n + n * a + (a + b) * 2


# ---- str() and f-strings


@case(ints(), floats(), st.booleans())
def str_of_numbers(i, x, b):
    return str(i) + "|" + str(x) + "|" + str(b) + "|" + str() + str("s")


@case(ints(), floats(), texts(), st.booleans())
def str_format_fields(i, x, s, b):
    return ("{0} [{0:>8}] {1:f} {1:.3e} {1!r} {2!r:>6} {3}".format(i, x, s, b)
            + "{} and {:f} then {!s}".format(s, x, i))


@case(texts(), ints())
def str_format_bad_spec(s, i):
    if i > 0:
        return "{0:d}".format(s)
    return "[{0:s}]".format(i)


@case(ints(), floats(), texts(), st.booleans())
def fstring_fields(i, x, s, b):
    return (f"{i} [{i:>8}] {i:+,d} {i:x} {i!r:>4} {x} {x:.3f} {x:e} {x:10.2%} {x:,} {x!r} "
            f"{s} {s!r} {s!a} [{s:>6}] {b} {b:d} {{literal}} {x:{i % 10}} {i:{s[:0]}}")


@case(texts(), ints())
def fstring_bad_spec(s, i):
    if i > 0:
        return f"{s:d}"
    return f"{i:s}"


@case(texts(), texts(), st.booleans())
def str_conditional_and_or(a, b, flag):
    c = a if flag else b
    d = (a or b) + "|" + (a and b) + "|" + (a or b or "none")
    return c + "|" + d


@case(ints(), floats(), texts(), st.booleans())
def percent_format(i, x, s, b):
    one = "%d|%5d|%-4d|%x|%o|%c" % (i, i, i, i, i, i % 1114112 if i >= 0 else 65)
    two = "%f %.3f %e %g %10.2f %r %s" % (x, x, x, x, x, x, x)
    three = "[%s] %r %a %5s %%" % (s, s, s, b)
    return one + two + three + ("%s" % s) + ("%d" % b) + ("%.1f" % i)


@case(texts(), ints(), op(4))
def percent_format_errors(s, i, k):
    if k == 0:
        return "%d" % s
    if k == 1:
        return "%s %s" % (s,)
    if k == 2:
        return "%s" % (s, i)
    return s % i


@case(st.binary(max_size=6), ints())
def bytes_percent_format(b, i):
    return b"%d:%s:%x" % (i, b, i)


# ---- methods


@case(texts(), short_texts(), op(11))
def str_methods_str(s, t, k):
    if k == 0:
        return s.strip()
    if k == 1:
        return s.strip(t)
    if k == 2:
        return s.lstrip() + "|" + s.rstrip()
    if k == 3:
        return s.lstrip(t) + "|" + s.rstrip(t)
    if k == 4:
        return s.lower()
    if k == 5:
        return s.upper()
    if k == 6:
        return s.replace(t, "-")
    if k == 7:
        return s.replace(t, "", 1)
    if k == 8:
        return t.join(s.split())
    if k == 9:
        return "".join(s.split(t))
    return s.strip(".,").lower().upper()


@case(texts(), short_texts(), small_ints(), op(9))
def str_methods_int(s, t, i, k):
    if k == 0:
        return s.find(t)
    if k == 1:
        return s.find(t, i)
    if k == 2:
        return s.find(t, i, -1)
    if k == 3:
        return s.rfind(t)
    if k == 4:
        return s.index(t)
    if k == 5:
        return s.count(t)
    if k == 6:
        return s.count(t, i, i + 3)
    if k == 7:
        return s.rfind(t, 0, i)
    return s.index(t, i)


@case(texts(), short_texts(), small_ints(), op(8))
def str_methods_bool(s, t, i, k):
    if k == 0:
        return s.startswith(t)
    if k == 1:
        return s.endswith(t)
    if k == 2:
        return s.startswith(t, i) or s.endswith(t, 0, i)
    if k == 3:
        return s.isdigit()
    if k == 4:
        return s.isalpha()
    if k == 5:
        return s.isspace()
    if k == 6:
        return s.isalnum()
    return s.endswith(t, i)


@case(texts(), short_texts(), small_ints(), op(4))
def str_methods_split(s, t, n, k):
    if k == 0:
        return s.split()
    if k == 1:
        return s.split(t)
    if k == 2:
        return s.split(t, n)
    return s.rsplit(t, n)


def split_texts():
    """ASCII text (split natively, piece by piece) with runs of Python's ASCII whitespace and
    separators, beside any text (CPython's split walked as a list)."""
    pieces = st.sampled_from(["a", "b", "ab", " ", "  ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", ",", ",,", "-"])
    return st.one_of(st.lists(pieces, max_size=10).map("".join), texts(max_size=12))


def split_separators():
    return st.one_of(st.sampled_from(["", " ", ",", ",,", "ab", "a", "-", "\xa0", "\u3000", "é"]), short_texts())


@case(split_texts(), split_separators(), op(3))
def str_split_loop(s, t, k):
    """`for w in s.split(...)`: the pieces made one at a time, as the list would give them."""
    out = []
    n = 0
    if k == 0:
        for w in s.split():
            n += 1
            out.append(w[::-1] + "|" + w.upper())
    else:
        for w in s.split(t):
            n += 1
            if k == 2 and n > 3:
                break
            out.append(w[::-1] + "|" + w.upper())
    return out, n


@case(split_texts(), split_separators())
def str_split_loop_in_comprehension(s, t):
    return [len(w) for w in s.split(t)], "/".join(w.strip() for w in s.split())


@case(short_texts(), lists_of(short_texts(), min_size=1))
def str_join_list_argument(sep, xs):
    return sep.join(xs)


@case(texts(max_size=12))
def str_join_generator(s):
    return " ".join(w[::-1] for w in s.split(" "))


@case(texts())
def str_index_caught(s):
    try:
        return s.index("a")
    except ValueError:
        return -2


# ---- bytes and bytearray


@case(st.binary(max_size=8), index_for())
def bytes_index_len(b, i):
    return b[i] * 1000 + len(b)


@case(st.binary(max_size=12))
def bytes_iterate(b):
    total = 0
    for x in b:
        total = (total * 31 + x) % 1000003
    return total


@case(st.binary(max_size=8), bounds(), bounds(), steps())
def bytes_slice(b, a, c, d):
    return b[a:c:d]


@case(st.binary(max_size=4), st.binary(max_size=4), small_ints())
def bytes_concat_repeat(a, b, n):
    return a + b * n + b"\x00\xff"


@case(st.binary(max_size=4), st.binary(max_size=4))
def bytes_compare(a, b):
    n = 0
    if a == b:
        n += 1
    if a != b:
        n += 2
    if a < b:
        n += 4
    if a >= b:
        n += 8
    if a in b:
        n += 16
    if b"\x00" not in a:
        n += 32
    return n


@case(lists_of(ints(-3, 300)))
def bytes_of_list(xs):
    return bytes(xs)


@case(lists_of(lists_of(ints(-3, 300)), min_size=1), bytearrays(), st.binary(max_size=6))
def bytes_of_objects(rows, ba, b):
    out = bytes(rows[0]) + bytes(ba) + bytes(b) + bytes(memoryview(b))
    for row in rows:
        out += bytes(row)
    return out


@case(ints(-3, 50))
def bytes_of_count(n):
    return bytes(n)


@case(ints(-3, 50), lists_of(ints(-3, 300), max_size=5))
def bytearray_of_count_and_list(n, xs):
    # ValueError for a negative count and for an item outside range(256), as CPython's
    out = bytearray(n)
    out.append(1)
    return out, bytearray(b"ab\x00\xff"), bytearray(), bytearray(True), bytearray(xs)


@case(lists_of(lists_of(ints(-3, 300)), min_size=1), bytearrays(), st.binary(max_size=6))
def bytearray_of_objects(rows, ba, b):
    copy = bytearray(ba)
    copy.append(7)  # a new object: the caller's bytearray is not changed
    return bytearray(rows[0]), copy, ba, bytearray(b), bytearray(memoryview(b))


@case(bytearrays(), index_for(), ints(-5, 300))
def bytearray_store(ba, i, v):
    ba[i] = v
    return len(ba)


@case(bytearrays(), ints(-5, 300))
def bytearray_append(ba, v):
    ba.append(v)
    ba.append(7)
    return len(ba)


@case(bytearrays(), index_for())
def bytearray_read(ba, i):
    total = 0
    for x in ba:
        total = (total * 7 + x) % 1000003
    return total + ba[i]


# ---- raise with str values


@case(lists_of(floats()))
def raise_fstring(xs):
    for i in range(len(xs)):
        if xs[i] < 0:
            raise ValueError(f"negative value at {i}: {xs[i]}")
    return len(xs)


@case(texts(), ints())
def raise_str_value(s, i):
    if i > 0:
        raise KeyError(s)
    raise IndexError(s, i, "and a constant")


@case(texts(), ints())
def raise_caught_and_assert(s, i):
    try:
        if i < 0:
            raise ValueError(f"negative {i} for {s!r}")
        assert i % 3 != 1, f"{i} % 3 is 1 ({s})"
    except ValueError:
        return -1
    return len(s)


@case(texts())
def str_surrogate_and_astral_constants(s):
    n = 0
    if "\ud800" in s:
        n += 1
    if s == "\udfff\U0001F600":
        n += 2
    for ch in s:
        if ch in "\ud800\udfff\u0301":
            n += 10
    return str(n) + "\ud800" + s[:1]


@case(f64_arrays(min_size=1), i64_arrays(min_size=1))
def str_of_numpy_scalars(a, b):
    return str(a[0]) + "|" + str(b[0]) + "|" + f"{a[0]} {a[0]!r} {b[0]:>5} {a[0]:.2f}"


@case(bytearrays())
def bytearray_grows_while_iterated(ba):
    last = -1
    for x in ba:
        last = x
        if x > 200 and len(ba) < 12:
            ba.append(1)
    return last


def test_native_matches_python_cases_exist():
    assert len(cases_from(__name__)) >= 30


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- specific behaviour


def _case(name):
    return accelerated(next(c for c in cases_from(__name__) if c.name == name))


def test_every_str_method_has_a_case():
    import ast
    import inspect
    import textwrap

    called = set()
    for c in cases_from(__name__):
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(c.func)))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                called.add(node.func.attr)
    assert set(STR_METHODS) <= called, set(STR_METHODS) - called


def test_raise_with_fstring_has_pythons_message_and_args():
    f = _case("raise_fstring")
    for args in ([1.0, -4.5], [-0.0, -1e300]):
        with pytest.raises(ValueError) as native:
            f(list(args))
        assert f.rustify.last_call == "native"
        with pytest.raises(ValueError) as python:
            raise_fstring(list(args))
        assert str(native.value) == str(python.value) and native.value.args == python.value.args


def test_raise_str_value_args_are_pythons():
    f = _case("raise_str_value")
    with pytest.raises(KeyError) as e:
        f("k\ud800", 1)
    assert e.value.args == ("k\ud800",) and str(e.value) == repr("k\ud800")
    with pytest.raises(IndexError) as e:
        f("x", -3)
    assert e.value.args == ("x", -3, "and a constant")


def test_a_loop_variable_only_compared_is_held_as_its_code_point():
    from rustify.analysis import analyse

    fn = analyse(str_loop_variable_as_code_point, ("str",))
    loop = next(st for st in fn.body if type(st).__name__ == "TextFor")
    assert loop.codes and fn.locals["ch"].name == "int"
    fn = analyse(str_iterate_concat, ("str",))
    assert not next(st for st in fn.body if type(st).__name__ == "TextFor").codes  # `ch` is used as a str


def test_str_results_are_exact_str_and_native():
    f = _case("str_iterate_concat")
    got = f("a\U0001F600\u0301b")
    assert f.rustify.last_call == "native"
    assert type(got) is str and got == str_iterate_concat("a\U0001F600\u0301b")


@settings(max_examples=40, deadline=None)
@given(texts(max_size=20))
def test_python_whitespace_and_case_mapping(s):
    f = _case("str_methods_str")
    for k in (0, 4, 5, 8):
        assert f(s, " ", k) == str_methods_str(s, " ", k)


def test_exceptions_of_builtins_match_python():
    f = _case("chr_of_int")
    for v, exc in ((-1, ValueError), (0x110000, ValueError), (2**40, OverflowError)):
        with pytest.raises(exc) as native:
            f(v)
        with pytest.raises(exc) as python:
            chr(v)
        assert str(native.value) == str(python.value)
    g = _case("ord_of_str")
    with pytest.raises(TypeError) as native:
        g("ab")
    with pytest.raises(TypeError) as python:
        ord("ab")
    assert str(native.value) == str(python.value)


def test_bytearray_writes_reach_the_caller():
    f = _case("bytearray_store")
    ba = bytearray(b"abc")
    assert f(ba, -1, 65) == 3 and ba == bytearray(b"abA") and f.rustify.last_call == "native"
    with pytest.raises(ValueError, match="range"):
        f(ba, 0, 256)
    with pytest.raises(IndexError):
        f(ba, 5, 1)
    assert ba == bytearray(b"abA")


def _percent(xs):
    return "%s!" % xs


def _str_of_list(xs):
    return str(xs)


@pytest.mark.parametrize("func, sig, reason", [
    (_percent, ("list[float]",), "`%` formatting of a list[float] is not translated"),
    (_str_of_list, ("list[float]",), "str() of list[float] is not translated"),
], ids=lambda v: getattr(v, "__name__", None))
def test_untranslatable_str_code_says_why(func, sig, reason):
    from rustify.analysis import verdict

    reasons = verdict(func, sig)
    assert any(reason in r.why for r in reasons), reasons
