"""The registry of Python constructs the translator accepts.

`STATEMENTS` and `EXPRESSIONS` map an astroid node class name to a `Construct`:
what users write (name, example), the limits (notes) and the
`FunctionLowerer` method that lowers it. `lower/` dispatches through these
tables, so a construct is translated exactly when it is listed here, and
docs/supported-python.md is generated from them (with the operators of
`typing_rules`, the argument kinds of `ir.SIGNATURE_TYPES` and the functions
of `intrinsics.registry()`):

    python -m rustify.analysis.constructs --markdown > docs/supported-python.md
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Construct:
    """One accepted AST node kind: `node` (astroid class name), `handler` (FunctionLowerer method)."""

    node: str
    name: str
    example: str
    notes: str
    handler: str


def _table(*constructs: Construct) -> dict[str, Construct]:
    return {c.node: c for c in constructs}


STATEMENTS = _table(
    Construct("Assign", "assignment", "x = a[i] * 2.0",
              "each target (`a = b = v` evaluates `v` once and binds it left to right): a name, a "
              "list/array element, or unpacking of a tuple into names, elements and "
              "nested targets (`a, b = b, a`, `lo, (x, y) = t`, `xs[i], xs[j] = xs[j], xs[i]`; lengths must "
              "match, no `*rest`); a variable keeps one type (a seed `0`/`0.0` may widen, see semantics.md); "
              "a list or array can be bound only when it is new; an attribute of an object (`p.x = v`, "
              "the attribute keeps its type, except one that no function of the compile unit reads, which "
              "may be given None or a str: `p.error_message = None`); attributes set on an instance argument "
              "(here or in a callee it is passed to) are saved at entry and put back before a re-run in "
              "Python, so a function that sets them may still re-run", "_lower_assign"),
    Construct("AnnAssign", "annotated assignment", "total: float = 0.0",
              "as assignment; the annotation is ignored (types come from the call)", "_lower_ann_assign"),
    Construct("AugAssign", "augmented assignment", "total += x * x",
              "to a name, a list/array element or an attribute of an object variable (`self.total += x`), "
              "with the binary operators below; `s |= t`, `s &= t`, `s -= t`, `s ^= t` of two sets and `d |= e` "
              "of two dicts change the object in place (its own `__ior__`...: it stays the same object, "
              "which the caller sees)", "_lower_aug_assign"),
    Construct("Expr", "expression statement", "out.append(x)",
              "`list.append(x)` on a list variable, a call of a Python function (its value dropped), and "
              "docstrings; other bare expressions stay Python",
              "_lower_expr_stmt"),
    Construct("ImportFrom", "import in a function", "from geographiclib.geodesic import Geodesic",
              "at the top level of the body, of a module already imported (found in `sys.modules`), "
              "binding names nothing else in the function assigns: the names read like globals (frozen in "
              "and guarded: rebinding the module in `sys.modules`, the name in the module or "
              "`builtins.__import__` drops the native code)", "_lower_import_from"),
    Construct("If", "if / elif / else", "if x > 0:", "the test may be any number or bool (not an array), or an Optional value (None is false); "
              "a test known when compiling (`isinstance(data, str)`, a comparison of constants) translates "
              "only the branch Python takes", "_lower_if"),
    Construct("For", "for loop", "for i in range(n):",
              "over `range()` (1 to 3 int arguments) or `reversed(range(...))`, a list or a 1-D array, with "
              "one loop variable; over `reversed(xs)` of a list variable, read as `xs[::-1]` when nothing in the "
              "body may change that list (for a flat list: a write through its name or a Python function it is "
              "lent to; for a Python list: any list write or call; `reversed(xs)` is also the iterable of sum, "
              "min, max, any, all, sorted and list); over a local bound once to `range(...)` (`r = range(n)`, then only "
              "`for i in r:`), whose arguments are int constants or parameters the body never rebinds, "
              "under `+`/`-`, and whose step, if given, is a nonzero constant; over that local's "
              "iterator (`it = iter(r)`, rebound as often as needed, then only `for i in it:` and "
              "`next(it, d)`, which skips an item as in Python; `d` an int, or None in a statement); over "
              "`zip(a, b, ...)` (shortest wins), `enumerate(a[, start])` and `enumerate(zip(...))` of list "
              "and 1-D array variables (flat lists, arrays, and Python lists of any item type: lists of str, "
              "of lists, of tuples, read in place with their length re-read every step), with the loop target "
              "unpacked (`for i, (x, y) in ...`); "
              "over a str (one-character strs), bytes or bytearray (ints; a bytearray's length is re-read "
              "every step); over `s.split()` or `s.split(sep)` of a str, whose pieces are made one at a "
              "time (no list; ASCII text split natively, other text by CPython's split); "
              "no `for ... else`", "_lower_for"),
    Construct("While", "while loop", "while lo < hi:",
              "no `while ... else`; a loop whose test holds on entry (from the number constants the "
              "statements just before it bind: `k = 1` then `while abs(d) > eps and k <= 10:`) and whose body "
              "has no `break` or `continue` of its own runs its body once, so the names the body assigns are "
              "assigned after it", "_lower_while"),
    Construct("Break", "break", "break", "", "_lower_break"),
    Construct("Continue", "continue", "continue", "", "_lower_continue"),
    Construct("Pass", "pass", "pass", "", "_lower_pass"),
    Construct("Return", "return", "return total",
              "one type on every path (a tuple's item types included: `return lo, hi`); a new list or array "
              "may be returned, and an argument list (returned as the caller's own object: it is then worked on "
              "in place, see List), an argument array not yet; a flat list returned on one path and a Python "
              "list of the same items on another make the result a Python list (the flat one is converted "
              "where it is returned)",
              "_lower_return"),
    Construct("Raise", "raise", 'raise ValueError("negative")',
              "a builtin exception class (ValueError, TypeError, IndexError, KeyError, LookupError, "
              "ZeroDivisionError, OverflowError, ArithmeticError, RuntimeError, NotImplementedError, "
              "AssertionError, Exception), called with str values (f-strings too) and numbers or not called; a user's "
              "exception class named by a module global (`raise FormatError(\"bad chunk\", n)`: the name is looked up "
              "when the raise runs and the class called, its own `__init__` included, as Python does; an `except` "
              "of a builtin base catches it); a bare "
              "`raise` (or `raise e`) in an `except` block re-raises; no `from`", "_lower_raise"),
    Construct("Delete", "del of a dict or list item", "del d[k], del xs[i], del xs[a:b]",
              "`del d[k]` of a dict (Python's KeyError when missing); `del xs[i]` and `del xs[a:b:c]` of a list "
              "variable (the list's own: negative indices, IndexError and ValueError as Python's; a flat local "
              "list is held as a Python list for it); other `del` targets stay Python",
              "_lower_delete"),
    Construct("Assert", "assert", 'assert n >= 0, "n must not be negative"',
              "AssertionError with an optional str constant or number; stripped under `python -O` as in "
              "Python (the cache key includes the flag)", "_lower_assert"),
    Construct("Try", "try / except / else / finally", "try: ... except ZeroDivisionError: ...",
              "handlers for builtin exception classes (a tuple of them, `Exception`, bare `except:`) catch "
              "native faults by Python's class hierarchy; `as e` only if `e` is unused or re-raised; no "
              "`return`/`break`/`continue` in `finally`; a re-run in Python or a signal's exception is "
              "never caught", "_lower_try"),
)

EXPRESSIONS = _table(
    Construct("Name", "variable or global", "total, math.pi, N",
              "locals and arguments; module globals that are int/float/bool constants (frozen into the "
              "translation and its cache key), `math`, `numpy` and the functions below; module-level lists, "
              "dicts, sets and bytearrays (lookup tables) read live at each call, never frozen, their kind "
              "found from every item (`[[], [6, 18], ...]`: an empty first row takes the others' kind; items "
              "of several types, such as ints mixed with floats, stay Python with that reason) and checked "
              "at each call; a number local that "
              "some path reaches unassigned is read through a flag its assignments set (unset: the call "
              "re-runs in Python, which raises UnboundLocalError)", "_lower_name"),
    Construct("Const", "number constant", "0, 1.5, True, 2j",
              "int (within 64 bits), float, bool, complex (`2j`; `1 + 2j` is an addition); str (module str "
              "globals too, frozen in by value) and bytes literals; `None`: a local bound by plain assignment to "
              "None on one path and to an int, float, bool, str or bytes on another, a `None` argument the body "
              "rebinds (`if key is None: key = 0`) and a result that is None or such a value are Optional "
              "(`Option<T>`, returned as None or the value); an Optional value may be tested against None or for "
              "truth (None is false), bound and returned, and is used as its value where a test proves it is not "
              "None (`if best is None or x < best:`, `if x is not None and ...`, after `if x is None: x = 0`); "
              "any other use of a maybe-None value (`x + 1`, `x < 3`, in a tuple or a call) stays Python", "_lower_const"),
    Construct("BinOp", "arithmetic", "a * b + c",
              "the binary operators below on numbers; `[x] * n` makes a new list; printf-style `fmt % value` "
              "of a str or bytes format with an int, float, bool, numpy float64/int64, str or bytes value or a "
              "tuple of those (`\"%d of %5.2f\" % (i, x)`), formatted by CPython's own `%` (TypeError and "
              "ValueError as Python's); an int result past 64 bits runs native in the signature's wide "
              "specialisation where that applies (see *Ints past 64 bits* below), else the call re-runs in "
              "Python; numpy float and complex `+ - *` that overflow or give an invalid value (where numpy "
              "warns) re-run the call in Python, found from the CPU's IEEE status flags (semantics.md)",
              "_lower_binop"),
    Construct("UnaryOp", "unary operator", "-x, +x, ~n, not c", "`~` on ints only", "_lower_unaryop"),
    Construct("BoolOp", "and / or", "a > 0 and b > 0",
              "operands of one type (the result is one of them, as in Python); as a test (an if/while/assert "
              "test, a conditional's test, `not`'s operand), operands of any types, each tested for truth "
              "(`not (flag or caps & MASK)`; each operand knows what the ones before it proved: "
              "`best is None or x < best`), objects of user classes excepted", "_lower_boolop"),
    Construct("Compare", "comparison", "0 <= i < n",
              "the comparison operators below on numbers, chained as in Python; int vs float is exact; "
              "`x in t` / `x not in t` of an int or bool in a tuple of ints and bools (`mode in (MODE_A, MODE_B)`); "
              "two tuples compare item by item as in Python (one operator, no chain; two NaN items re-run "
              "in Python, where their identity decides); complex numbers compare with `==`/`!=` only (CPython "
              "compares a complex with an int exactly; `<` raises TypeError, so it stays Python)"
              "; a comparison of constants only (literals, module and class constants, `sys.version_info`: "
              "`(3, 8) <= sys.version_info < (3, 10)`) is decided when compiling, as Python decides it, and "
              "guarded with its constants"
              "; `x is None`, `x is not None`, `x == None`, `x != None` of a name are decided from its type "
              "(a `None` argument is its own signature kind): only None is None, and a number, str, bytes, "
              "tuple, list, dict or set never equals None (an array's `== None` is elementwise: it stays Python); `if` keeps the branch Python takes"
              "; of an Optional local (see Const) they test it when running, and narrow it in the branch they "
              "prove; `p.attr is None` / `is not None` of an object's attribute is decided when compiling for "
              "an argument classified at the call, of a class the module defines or imports (its kind says whether the attribute is None; the class's lookup of the name "
              "is guarded), and otherwise compares the attribute itself with None when running, whatever its "
              "type; `xs[i] is None` of an item of a Python list (`grid[r][c] is None` in a list of lists) "
              "compares the item itself (its type unchecked; IndexError as Python's); of a typed value (an item "
              "of a flat list, a call's result) it is decided by the type, the value still evaluated; a later "
              "read of the attribute or item checks its type, so a branch the test proved reads it as that type"
              "; two str (or bytes) with every operator, chained, and `in`/`not in` (a substring); one "
              "character against another or a constant compares code points, building no str"
              "; `==`/`!=` (one operator) of a list, tuple, dict or set with another value, nested ones and "
              "tuples holding str or lists included: Python's own `==` of the objects (item by item, each pair "
              "by identity first, then `==`; a dict's order ignored; `[1] == (1,)`, a list against a dict, set, "
              "number or str: False), two flat lists of ints or floats compared natively; where a float may be "
              "inside, a NaN in both operands re-runs the call in Python (whether two NaNs are one object "
              "decides Python's answer, and the kernel's float items may be new objects); containers of "
              "objects of user classes, numpy scalars or arrays stay Python",
              "_lower_compare"),
    Construct("IfExp", "conditional expression", "a if a > b else b", "both branches of one number, complex or tuple type "
              "(or a numpy scalar and the Python number of its kind, `s / n if n else math.nan`: the "
              "numpy branch runs natively, the other re-runs the call in Python); a test known when compiling "
              "gives the branch Python takes; each branch knows what the test proved (`x if x is not None else 0`); "
              "an int and a float branch where Python converts the value to float at once: the one argument of "
              "`float()` (`float(0 if n < 0 else p[s])`) or an operand of `+ - * /` beside a float "
              "(`t + (r / t if t else 0)`)",
              "_lower_ifexp"),
    Construct("Subscript", "indexing", "xs[i], xs[-1], a[i, j], a[i][j]",
              "an int index into a list or 1-D array variable (negative indices as in Python); one int per axis "
              "into an N-D array (`a[i, j]`, `a[i][j]`, `a[i, j][k]`; numpy's IndexError naming the axis; a row "
              "view `a[i]` alone, bool or float indices stay Python); a tuple by a "
              "constant index (out of range stays Python), or by any int index if its items share one type; "
              "a str by an int (a str of one code point), bytes and bytearray (an int), and their slices "
              "`s[a:b:c]` (CPython's own slicing); "
              "no slices",
              "_lower_subscript"),
    Construct("Call", "function call", "math.sqrt(x)",
              "the functions below, positional arguments only (numpy's also `dtype=`); and calls of Python "
              "functions (of this or another module, staticmethods, classmethods, functions rustify wraps): "
              "methods called on an object (`p.kinetic()` runs `type(p).kinetic(p)`, for a class the "
              "caller's module defines or imports, its method lookups guarded (rebinding `Class.kinetic` "
              "drops the native code; an object from a container with its own `kinetic` re-runs in "
              "Python)): "
              "the callee is translated with its caller, specialised for the argument types, with keyword "
              "and keyword-only arguments and defaults (numbers and tuples) bound as Python binds them; "
              "arguments of any translated kind, str, bytes, Python lists, dicts and sets included (the "
               "callee holds the caller's object and may write to it: a caller that could then still ask to "
              "re-run in Python stays Python, unless what was written are attributes of its instance "
              "arguments, which are put back first, or writes into lists and dicts the undo log takes "
              "back, which are undone first); "
              "recursion, direct or mutual (past Python's recursion limit, or deep enough to need more native "
              "stack, the call re-runs in Python); a list or array argument is a variable (lent: the callee's "
              "writes reach it) or a new list or array such as a slice; a call Python "
              "would refuse (wrong arity, unknown keyword) stays Python; a callee that stays Python keeps its "
              "caller in Python, with the callee's reason; `isinstance(x, T)` of a variable (T a builtin or global "
              "class, a `module.Class` chain such as `util.QRData`, guarded like a global, or a tuple of them; "
              "not a class with a metaclass of its own) is decided when compiling from the variable's exact "
              "type, subclasses included as `issubclass` answers; `typing.cast(T, x)` is `x` (T a global "
              "name, a `module.attr` chain, a str or a subscript of those: `cast(list[bool], row)`); "
              "`memoryview(b)` of a bytes or bytearray (CPython's own object: a viewed bytearray cannot be "
              "resized, as in Python) with `mv.tobytes()`, `mv.ndim`, `mv.itemsize` and `mv.readonly`",
              "_lower_call"),
    Construct("Attribute", "module attribute", "math.pi, np.float64, a.shape",
              "attributes of objects (an instance of a plain class, a dataclass or a `__slots__` class: `p.vx`, "
              "`self.total`) the object had at the call, read with their exact type checked; a property (exactly "
              "`property`) whose getter is a Python function, of a class the module defines or imports or a "
              "module it imports defines (`image.size` of a PIL image): the getter is translated with its caller "
              "and called like a method, the class's lookup of the name guarded (writing a property, another "
              "descriptor, or a class with its own `__getattr__`/`__getattribute__`/`__setattr__`, stays Python); "
              "attributes of modules; constants of classes (`Geodesic.tol2_`, `Math.digits`: an int, float, bool, str, "
              "bytes, None or tuple of them that the class or a base binds, for a class without a metaclass), "
              "frozen in like module constants (`mod.NAME` and `Class.NAME` are guarded: rebinding one, or "
              "shadowing it in a subclass, drops the native code; `self.NAME` in a method reads its class's "
              "constant the same way when the object is exactly of the method's class and has no NAME "
              "of its own); fields of `sys.float_info` and `sys.version_info` (`sys.float_info.epsilon`); "
              "of an array argument or local: `a.shape` (a tuple of ints: `a.shape[k]`, "
              "`n, m = a.shape`), `a.ndim`, `a.size`, and its dtype, known from the signature: `a.dtype` compared "
              "with a numpy scalar type, a dtype name or another array's dtype (`a.dtype == np.float32`), "
              "`a.dtype.kind`, `.itemsize`, `.name`, `.char`; of a complex value: `z.real`, `z.imag` and the method "
              "`z.conjugate()` (no other methods except `list.append` as a statement)",
              "_lower_attribute"),
    Construct("List", "list literal", "[], [0.0, 1.0]",
              "items of one type; numbers give a flat list (ints and floats together, or a list of ints "
              "that gets a float stored into it, in the kernel or in a callee it is passed to, a flat list "
              "whose items keep their own types: such an item is used only beside a float in `+ - * /`, in "
              "`float()`, or stored into a float variable also assigned an int constant; an argument "
              "list[int] or list[float] a function stores the other type into is converted item by item), "
              "anything else "
              "(lists, tuples, str, bools) a new Python list; `[x] * n` of an object repeats that one object, "
              "as Python does (`g = [row, row]` of a new `row`: one object twice, still the kernel's own). A list of lists (of tuples, of str) is the caller's own object: `grid[i][j]`, "
              "`row = grid[i]; row[j] = v` (shows through `grid`), `for row in grid` (the length re-read every "
              "step, as Python's list iterator), `for count, value in pairs`, `for x in (a, b, c)` of one "
              "item type; slices `xs[a:b:s]`, `xs[:]` of any list (Python's clamping; ValueError for a zero "
              "step); slice assignment `xs[a:b:c] = ys` of a list of the same item type (the list's own: "
              "resized in place, ValueError for an extended slice of another length); `x in xs`; the methods "
              "`append`, `pop([i])`, `insert`, "
              "`extend`, `remove`, `index`, `count`, `reverse`, `sort([key=][, reverse=])` (a key as sorted()'s; the list is empty while keys are computed, as in CPython), `clear` run the list's own "
              "(a flat list of ints or floats the function builds itself runs `insert`, `pop([i])`, `extend` "
              "of such a list, `remove`, `index`, `count`, `reverse`, `sort()`, `clear` and `del xs[i]` on its "
              "native copy, with Python's errors and messages (a NaN argument, a float `index` does not find, "
              "a NaN in `sort()` re-run in Python); another flat local list that calls one is held as a "
              "Python list, as is one stored into another list; `out = []` then `out.append((i, x))` or "
              "`out.append(word)` is a Python list of those items). A flat list argument (list[int], "
              "list[float]) is the caller's Python list, worked on in place, where its identity shows: a method "
              "of its own other than `append`, `del`, slice assignment, returned, stored into another object "
              "or bound to a second name; and whenever another argument may reach that very list "
              "(`f(grid, grid[0])`, `f(d, d[k])`, an object's list attribute), so writes through either show "
              "in the other (a list[number] argument another argument may reach stays Python)",
              "_lower_list"),
    Construct("JoinedStr", "f-string", 'f"negative value at {i}: {x:.3f}"',
              "replacement fields of int, float, bool, numpy float64/int64 and str values, with `!r`/`!s`/`!a` "
              "and any format spec (nested fields too), formatted by CPython's own `format()`; also "
              "`\"...{0:f}...{}\".format(a, b)` of a literal template (fields `{}` or `{0}`, a conversion, "
              "a constant spec; the arguments variables, constants or attributes of an argument)",
              "_lower_joinedstr"),
    Construct("Dict", "dict literal", "{}, {k: v}",
              "keys of one hashable type (int, bool, str, tuples of them; float keys stay Python, since a NaN "
              "key is found by identity), values of one type (any "
              "type a container holds: numbers, str, tuples, lists, dicts, sets); `{}` takes its types from "
              "later stores; the kernel works on the Python dict itself (insertion order, hashing and "
              "KeyError as Python's): `d[k]`, `d[k] = v`, `d[k] += v`, `del d[k]`, `k in d`, `len(d)`, "
              "`d.get(k, default)`, `d.pop(k[, default])`, `d.setdefault(k, v)`, `d.clear()`, `d.update(e)` "
              "and `d |= e` of a dict of the same types; `d[k] = []` then `d[k].append(x)`, or `d.setdefault(k, []).append(x)` (the values' "
              "item type comes from the appends); and `for` "
              "over `d`, `d.keys()`, `d.values()`, `d.items()` (a dict changed in the loop raises "
              "RuntimeError as in Python), the views also in a comprehension's `for` clause "
              "(`{v: k for k, v in d.items()}`) and as the iterable of sum (with start), min, max, any, all, "
              "sorted (with reverse=) and list (`sum(d.values())`, `sorted(d.items())`); a dict the kernel "
              "builds and only the map's own operations touch is a Rust map in insertion order, its list "
              "values the list objects themselves", "_lower_dict"),
    Construct("Set", "set literal", "{a, b}",
              "members of one hashable type; `set()` takes its type from later `add`s; `s.add(x)`, "
              "`s.discard(x)`, `s.remove(x)` (KeyError), `s.clear()`, `s.update(xs)` (one set, list, dict or "
              "str of the member type), `x in s`, `len(s)`, `a | b`, `a & b`, "
              "`a - b`, `a ^ b`, `s |= t` (and `&=`, `-=`, `^=`: in place), and `for x in s` in the set's own "
              "(CPython's) order", "_lower_set"),
    Construct("DictComp", "dict comprehension", "{w: len(w) for w in words if w}",
              "keys and values as in a dict literal, over what a list comprehension iterates; the key "
              "is evaluated before the value, as in Python", "_lower_dict_comp"),
    Construct("SetComp", "set comprehension", "{x % 7 for x in xs}",
              "members as in a set literal, over what a list comprehension iterates", "_lower_set_comp"),
    Construct("Tuple", "tuple literal", "(lo, hi), a, b",
              "up to 12 items: numbers, str, bytes, lists, dicts, sets and tuples of them (numpy scalars stay "
              "numpy scalars when returned; an object item is the object itself: a list in a tuple is that "
              "list, so writes through either show in both); module tuple constants are frozen in like numbers; "
              "tuples of ints, bools and str as dict keys and set members, lists of tuples; a tuple that is "
              "the value of a `return` hands its items to the caller only once the kernel has returned "
              "(`return counts, n + 1`: a re-run in Python before then builds its own objects)", "_lower_tuple"),
    Construct("ListComp", "list comprehension", "[x * x for x in xs if x > 0]",
              "one or more `for` clauses (over range(), lists, 1-D arrays, tuples of one item type, "
              "`zip(a, b, ...)` and `enumerate(a[, start])` of list and 1-D array variables with the target "
              "unpacked (`for x, y in zip(a, b)`), or any iterable object) with `if` conditions; its variables are its own (they do not leak); numbers "
              "give a flat list, anything else a new Python list (lists of lists, of tuples, of str)",
              "_lower_list_comp"),
    Construct("GeneratorExp", "generator expression", "sum(x * x for x in xs)",
              "as the one argument of sum (with start), min, max, any, all (short-circuiting), sorted "
              "(with reverse=), list and set (`set(x for x in xs)` as `{x for x in xs}`); clauses as in list comprehensions; `map(f, xs)` in the same places, "
              "as `f(x) for x in xs`, for `f` one of sum, min, max, any, all or a builtin of one argument the "
              "translator knows (`sum(map(sum, rows))`, `list(map(abs, xs))`)", "_lower_generator_exp"),
)


def lookup(table: dict[str, Construct], node) -> Construct | None:
    """The construct for an astroid node (its class or a base class, like isinstance), or None."""
    for cls in type(node).__mro__:
        construct = table.get(cls.__name__)
        if construct is not None:
            return construct
    return None


# ------------------------------------------------------------ the document

_OPERATOR_NAMES = {
    "+": "addition", "-": "subtraction", "*": "multiplication", "/": "true division (ints give a float)",
    "//": "floor division (Python's signs)", "%": "modulo (Python's signs)",
    "**": "power (an int exponent must be a constant: its sign decides the result type)",
    "<": "less than", "<=": "less or equal", ">": "greater than", ">=": "greater or equal",
    "==": "equal", "!=": "not equal",
    "&": "bitwise and (ints and bools; bool & bool is a bool)", "|": "bitwise or (as `&`)",
    "^": "bitwise exclusive or (as `&`)",
    "<<": "left shift (ValueError for a negative count; a result beyond 64 bits runs Python)",
    ">>": "right shift (ValueError for a negative count; any count >= 64 gives 0 or -1)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """docs/supported-python.md, generated from the registries (the file must equal this)."""
    import numpy  # noqa: F401 - intrinsics lists numpy's functions only once numpy is imported

    from rustify.analysis import intrinsics, typing_rules
    from rustify.ir import SIGNATURE_TYPES

    out = [
        "# Supported Python",
        "",
        "<!-- Generated by `python -m rustify.analysis.constructs --markdown > docs/supported-python.md`;",
        "     do not edit: tests/test_docs.py checks that this file equals the generated text. -->",
        "",
        "What the translator accepts, read from the tables its code dispatches on",
        "(`rustify/analysis/constructs.py`, `typing_rules.py`, `intrinsics.py`, `ir.SIGNATURE_TYPES`).",
        "Anything else keeps the function in Python, and `f.rustify.explain()` names",
        "the line and construct. How the accepted constructs behave (overflow, signs,",
        "NaN, exceptions) is in [semantics.md](semantics.md).",
        "",
        "## Argument kinds",
        "",
        "A function is compiled once per signature: the kinds of its positional arguments at the call,",
        "after keyword arguments are bound to their positions and every parameter left out is given",
        "its default (the object Python binds, read from `__defaults__` at each call: rebinding a",
        "default is seen at once, and a call that passes the argument gets the key of what it passes).",
        "",
        "| kind | Python value |",
        "|---|---|",
    ]
    described = {"float": "`float`", "int": "`int` (within 64 bits; larger runs Python)", "bool": "`bool`"}
    for kind in SIGNATURE_TYPES:
        if kind.startswith("list["):
            what = f"`list` of `{kind[5:-1]}` (every element is checked)"
        elif kind.startswith("ndarray["):
            dtype = kind[len("ndarray["):].split(",")[0]
            what = f"1-D C-contiguous numpy array of `{dtype}`"
        else:
            what = described.get(kind, f"`{kind}`")
        out.append(f"| `{kind}` | {what} |")
    from rustify.ir.types import SIGNATURE_KIND_PATTERNS
    for kind, what in SIGNATURE_KIND_PATTERNS.items():
        out.append(f"| `{_cell(kind)}` | {_cell(what)} |")
    for title, table in (("Statements", STATEMENTS), ("Expressions", EXPRESSIONS)):
        out += ["", f"## {title}", "", "| construct | example | notes |", "|---|---|---|"]
        for c in table.values():
            out.append(f"| {_cell(c.name)} | `{_cell(c.example)}` | {_cell(c.notes)} |")
    out += ["", "## Operators", "", "| operator | meaning |", "|---|---|"]
    for op in list(typing_rules.BINOPS) + list(typing_rules.CMPOPS):
        out.append(f"| `{_cell(op)}` | {_cell(_OPERATOR_NAMES.get(op, ''))} |")
    augmented = ", ".join(f"`{op}=`" for op in typing_rules.BINOPS)
    out += ["", f"Augmented assignment: {augmented}.", ""]
    from rustify.analysis.lower.bigints import WIDE_CONSTRUCTS
    out += ["## Ints past 64 bits", "", "After a call's i64 code met an int past 64 bits, its signature gets a wide",
            "specialisation (semantics.md, *Integers*). In it:", "", "| construct | notes |", "|---|---|"]
    for name, notes in WIDE_CONSTRUCTS:
        out.append(f"| {_cell(name)} | {_cell(notes)} |")
    out += [""]
    out += ["## Functions", "", "| function | notes |", "|---|---|"]
    for intrinsic in intrinsics.registry():
        out.append(f"| `{intrinsic.python_name}` | {_cell(intrinsic.doc)} |")
    from rustify.analysis.lower.text import STR_METHODS
    out += ["", "## Methods of str", "", "CPython's own methods, called on the str the kernel holds.", "",
            "| method | arguments | result | notes |", "|---|---|---|---|"]
    for m in STR_METHODS.values():
        out.append(f"| `str.{m.name}` | {_cell(', '.join(m.args)) or '-'} | `{m.result}` | {_cell(m.doc)} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m rustify.analysis.constructs",
                                     description="Print the table of Python the translator accepts.")
    parser.add_argument("--markdown", action="store_true", help="markdown (the only format so far)")
    parser.parse_args(argv)
    print(markdown(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
