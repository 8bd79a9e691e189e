"""The typed IR: what analysis produces and codegen consumes.

The types are in `types.py` (one definition per type). A `Function` is a fully typed, checked body: every expression carries its
`Type`, every implicit Python conversion (int to float, bool to int, ...) is an
explicit `Cast`, and every operation names the semantics it must follow
(`Python` float/int or numpy scalar). Codegen never infers anything; it renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Types: one definition per type, in types.py (kind, Rust type, boundary, operations).
from rustify.ir.types import (  # noqa: E402,F401 - re-exported: `ir.FLOAT`, `ir.ListOf`, ...
    ARRAY_DTYPES, BOOL, FLOAT, INT, NARROW_NUMPY, NONE, NP_FLOAT64, NP_INT64, SCALAR_NAMES, SIGNATURE_TYPES,
    Array, Array1, Boundary, IRType,
    ListOf, NoneType, Optional, Scalar, TupleOf, Type, parse_kind,
    BYTEARRAY, BYTES, STR, ByteArray, Bytes, DictOf, PyListOf, PyObjectType, SetOf, Str, hashable,
)
from rustify.ir.types import COMPLEX, COMPLEX_DTYPES, NP_COMPLEX64, NP_COMPLEX128, Complex  # noqa: E402,F401
from rustify.ir.types import Instance, MemoryView, NUMBER  # noqa: E402,F401
from rustify.ir.types import RANGE_ITER, RangeIterType  # noqa: E402,F401
from rustify.ir.types import optional_inner  # noqa: E402,F401
from rustify.ir.types import PYINT, PyInt  # noqa: E402,F401
from rustify.ir.types import PyTupleOf  # noqa: E402,F401
from rustify.ir.types import DictMirror, ListView, NativeDict, NativeSet  # noqa: E402,F401

# ---------------------------------------------------------------- expressions


@dataclass
class Expr:
    type: Type


@dataclass
class Const(Expr):
    value: object  # float | int | bool


@dataclass
class Var(Expr):
    name: str


@dataclass
class NewObject(Expr):
    """Base of the expressions that build a new Python object (a list, dict or set
    literal, a comprehension, `set()`...): writes into a local that only ever holds such
    objects are invisible to the caller until it escapes (see lower's `note_object_write`)."""


# ---- dicts and sets (the kernel works on the Python objects; lower/dicts.py)


@dataclass
class NewDict(NewObject):
    """`{k: v, ...}`, `{}` or `dict()`: a new dict holding these items, in order."""

    keys: list[Expr]
    values: list[Expr]


@dataclass
class NewSet(NewObject):
    """`{a, b}`, `set()` or `set(source)`: a new set of `items`, or of the items of
    `source` (a list, set, dict or str value) taken in its iteration order."""

    items: list[Expr]
    source: Expr | None = None


@dataclass
class DictLookup(Expr):
    """A read of `base[key]` by `method`: "getitem" (`d[k]`, Python's KeyError when
    missing), "get" (`d.get(k[, default])`), "pop" (`d.pop(k[, default])`: KeyError
    when missing without a default) or "setdefault" (`d.setdefault(k, default)`)."""

    method: str
    base: Expr
    key: Expr
    default: Expr | None = None
    mirror: str | None = None  # the local holding the native mirror of the dict (lower/native_maps.py)


@dataclass
class ObjectComprehension(NewObject):
    """`{k: v for ...}` or `{x for ...}`: a new dict or set (by `type`) filled by the
    `CompInsert` inside `body` (the comprehension's loops and conditions); `label` names
    the accumulator."""

    body: list[Stmt]
    label: int


@dataclass
class DictView(Expr):
    """`d.keys()`, `d.values()` or `d.items()` as the iterable of a `for` loop (the only
    place it is lowered; its type is the dict's)."""

    base: Expr
    view: str


@dataclass
class HeldKey(Expr):
    """The key of the enclosing `d[k] op= v` (`DictStore.held_key`), evaluated once."""


@dataclass
class Contains(Expr):
    """`item in container` (a dict's keys, a set's members); `negate` for `not in`."""

    container: Expr
    item: Expr
    negate: bool = False
    mirror: str | None = None  # as DictLookup's


@dataclass
class SetAlgebra(NewObject):
    """`left | right`, `&`, `-`, `^` of two sets (`op` is or/and/sub/xor): a new set."""

    op: str
    left: Expr
    right: Expr


@dataclass
class BoxNative(Expr):
    """A native dict (`value`, a `NativeDict` local) as the Python dict of `type` (a `DictOf`),
    built once where it leaves the kernel (lower/native_maps.py)."""

    value: Expr


@dataclass
class UnboundGuard(Expr):
    """Read a local that some path reaches unassigned (Python raises UnboundLocalError there):
    re-run in Python if it has not been assigned yet (see `Function.maybe_unbound`)."""

    name: str


@dataclass
class SeedGuard(Expr):
    """Read a seeded variable where its seed's type would matter: re-run in
    Python if it still holds the seed constant (see `Function.seeded`)."""

    name: str


@dataclass
class Cast(Expr):
    """Convert `value` to `type` the way Python does in mixed arithmetic."""

    value: Expr


@dataclass
class BinOp(Expr):
    """`op` in add sub mul truediv floordiv mod pow. Operands already share the
    semantic type `semantics` (a Scalar name); `type` is the result type."""

    op: str
    left: Expr
    right: Expr
    semantics: str
    proven: bool = False  # an int add/sub in a fast loop that a `CounterGuard` proved cannot overflow


@dataclass
class UnaryOp(Expr):
    op: str  # neg pos not invert
    operand: Expr


@dataclass
class Compare(Expr):
    """A comparison chain `a < b <= c`, short-circuiting left to right.

    `operands` holds two entries per link (left, right), each already cast for
    that link; the middle operand of a chain appears in two links (IR
    expressions are pure, so reading it twice is unobservable)."""

    ops: list[str]  # lt le gt ge eq ne
    operands: list[Expr]
    # per pair: "plain" (same kind), "int_float" / "float_int" (exact mixed compare)
    modes: list[str]


@dataclass
class BoolOp(Expr):
    """`and`/`or` returning one of its operands (all operands share `type`)."""

    op: str
    values: list[Expr]


@dataclass
class Truth(Expr):
    """Python truthiness of `value`, as a bool."""

    value: Expr


@dataclass
class Wrap(Expr):
    """`value` (a `type.inner`, or None) bound or returned as the `Optional` `type`."""

    value: Expr


@dataclass
class IsNone(Expr):
    """`value is None` (`negated`: `is not None`) of an `Optional` value, as a bool."""

    value: Expr
    negated: bool = False


@dataclass
class Unwrap(Expr):
    """The `type` inside the `Optional` `value`, read where a test proved it is not None."""

    value: Expr


@dataclass
class IfExp(Expr):
    test: Expr
    body: Expr
    orelse: Expr


@dataclass
class ReRunInPython(Expr):
    """A value of `type` this translation does not produce (the other branch of a conditional
    gives `type`): evaluating it re-runs the call in Python (Deopt, `why`)."""

    why: str


@dataclass
class Call(Expr):
    """A call of a known pure function: `func` names an entry of the codegen
    intrinsic table (e.g. "math.sqrt", "abs.int", "max.float", "len.list")."""

    func: str
    args: list[Expr]


@dataclass
class CallFunction(Expr):
    """A call of another translated function of the compile unit: its specialisation
    `callee` (an `Function.unit_id`), named `name` in the source. `args` are in Python's
    evaluation order (positional, then keywords, then bound defaults), each passed as
    `passing[i]`: "value", or a list/array variable by reference, "ref" (read) or "mut"
    (the callee writes to it), or a new list/array (a slice, a call's result) held in a
    temporary and lent, "new" or "new_mut". `slots[k]` is the index in `args` of the callee's k-th
    parameter. The callee's faults (exceptions, Deopt) propagate out of the caller."""

    callee: int
    name: str
    args: list[Expr]
    passing: list[str]
    slots: list[int]
    uses_objects: bool = False  # the callee's kernel takes the GIL token `py` (an object argument)


@dataclass
class Index(Expr):
    base: Expr
    index: Expr
    slot: "ArraySlot | None" = None  # a 1-D array read inside a fast loop: through its slot
    proven: bool = False  # `index` is a `ProvenIndex`: in range, checked before the loop
    reuse: bool = False  # the read of `a[x] op= v`: at the position its StoreIndex checked once


@dataclass
class NewList(Expr):
    """`[a, b, c]` or `[fill] * count` (count None for a plain literal)."""

    items: list[Expr] = field(default_factory=list)
    count: Expr | None = None


@dataclass
class NewArray(Expr):
    """`np.zeros(n)`, `np.empty(n)`, `np.empty_like(a)` / `np.zeros_like(a)`; with `fill`,
    `np.ones`, `np.full(shape, v)`, `np.ones_like`, `np.full_like` (the arguments are all
    evaluated, fill last, before the shape is checked)."""

    length: Expr  # an int expression, or an array/list whose length is used
    like: bool = False
    dims: list[Expr] | None = None  # N-D: `np.zeros((h, w))`, one int expression per axis
    fill: Expr | None = None  # every element's value, of the element type (None: zero)


@dataclass
class Arange(NewArray):
    """`np.arange(start, stop, step)` of ints: a new int64 array (numpy's length and errors;
    `length` is `stop`)."""

    start: Expr | None = None
    step: Expr | None = None


@dataclass
class ArrayItem(Expr):
    """`a[i, j]`, `a[i][j]`: one element of an N-D array. `groups` holds the index
    expressions of each subscript in source order (`a[i, j][k]`: [[i, j], [k]]); each
    group is evaluated, then bounds-checked (numpy's IndexError names the axis within
    that subscript), before the next one."""

    base: Expr
    groups: list[list[Expr]]
    slot: "ArraySlot | None" = None  # inside a fast loop: read through the array's slot
    proven: bool = False  # every index is a `ProvenIndex` (checked before the loop)


@dataclass
class ProvenIndex(Expr):
    """Inside a fast loop (`ForRange.fast`): the index `var + offset` plus the loop's variable
    `loop_var` (minus it when `down`; either variable may be None), known before the loop to
    lie in its axis for every iteration (a `RangeGuard`), so it needs no check and its sum
    cannot overflow."""

    loop_var: str | None
    down: bool
    var: str | None
    offset: int


@dataclass
class ArraySlot:
    """An array variable's data pointer and axis lengths (and, for any layout but C, its
    strides), read into locals once before a fast loop: the loop does not rebind the
    variable and an array's shape never changes. `writable`: the loop stores into it (the
    pointer is then the mutable one, and every read in the loop goes through it too)."""

    line: int  # the loop's
    index: int
    array: str
    type: "Array"
    writable: bool
    strided: bool  # a view with the caller's strides (an argument not C-contiguous)


@dataclass
class RangeGuard:
    """A check made once before a fast loop: `loop * v + var + offset` lies in [0, length of
    `slot`'s axis `axis`) for every value `v` the loop gives its variable (`loop` 1, 0 or -1;
    `var`: a variable the loop does not assign, or None)."""

    slot: ArraySlot
    axis: int
    loop: int
    var: str | None
    offset: int


@dataclass
class CounterGuard:
    """A check made once before a fast loop: the int local `var`, which the body assigns
    only as `var = var + c` or `var - c` (`step`: c or -c; at most once per iteration),
    stays in i64 for the loop's whole trip count (`var + step * trip`, in i128), so that
    add needs no check."""

    var: str
    step: int


@dataclass
class Hoisted(Expr):
    """Inside a fast loop: the value of `value` (a conversion of a variable the loop never
    assigns that may fail, e.g. a Python int to int32), computed once before the loop (the
    loop's hoisted value `index`); the fast body runs only when that conversion succeeded."""

    index: int
    value: Expr


@dataclass
class FastLoop:
    """The versioned body of a `ForRange`: `body` runs when every guard holds (no index in it
    can be out of range, no proven counter overflows, every hoisted conversion succeeded),
    the original body, with all its checks, when one does not."""

    slots: list[ArraySlot]
    guards: list[RangeGuard]
    body: list["Stmt"]
    counters: list[CounterGuard] = field(default_factory=list)
    hoisted: list[Hoisted] = field(default_factory=list)


@dataclass
class ArrayShape(Expr):
    """`a.shape[axis]` (axis already normalised), `len(a)` (axis 0)."""

    base: Expr
    axis: int


@dataclass
class ArraySize(Expr):
    """`a.size`: the number of elements."""

    base: Expr


# ----------------------------------------------------------------- statements


@dataclass
class Stmt:
    line: int


@dataclass
class DictStore(Stmt):
    """`base[key] = value` into a dict. `held_key`: `d[k] op= v`, where the key is
    evaluated once and `value` reads it back as `HeldKey`. `logged`: the old value (or its
    absence) is recorded in the undo log first (see `AttrUndo`)."""

    base: Expr
    key: Expr
    value: Expr
    held_key: bool = False
    logged: bool = False


@dataclass
class ObjectUpdate(Stmt):
    """A dict or set changed in place for its effect: `method` is "del" (`del d[k]`,
    KeyError when missing), "add", "discard" or "remove" (`s.remove(x)`: KeyError when
    missing), "clear"; or "value" (a `DictLookup` such as `d.pop(k)` whose value is
    dropped: `item`)."""

    method: str
    base: Expr | None
    item: Expr | None


@dataclass
class CompInsert(Stmt):
    """Inside an `ObjectComprehension`: `acc[key] = value` (a dict) or `acc.add(key)` (a set,
    `value` None), for the comprehension `label`."""

    label: int
    key: Expr
    value: Expr | None
    native: bool = False  # into a native dict or set (lower/native_maps.py)


@dataclass
class ForObject(Stmt):
    """`for target in source` over a dict (its keys), a set, `d.keys()`, `d.values()` or
    `d.items()` (`view`: "keys", "values", "items", "members"), through Python's own
    iterator (so a dict changed during the loop raises RuntimeError as in Python).
    `targets` is one name, or two for `for k, v in d.items()`; `types` theirs."""

    targets: list[str]
    types: list[Type]
    source: Expr
    view: str
    body: list[Stmt]
    # the body changes no dict and calls no Python function: a dict is walked through its
    # own table (PyDict_Next), its size checked every step as Python's iterator does
    walks_table: bool = False


@dataclass
class Assign(Stmt):
    target: str
    value: Expr
    seed: bool | str | None = None  # for a seeded variable: does this store its seed? ("number": an
    # item of a list of ints and floats, whose type at run time sets the flag)


@dataclass
class MultiAssign(Stmt):
    """`a, b = x, y`: all values evaluated first, then stored."""

    targets: list[str]
    values: list[Expr]
    seeds: list[bool | None]


@dataclass
class StoreIndex(Stmt):
    base: str
    index: Expr
    value: Expr
    slot: ArraySlot | None = None  # a 1-D array store inside a fast loop (see Index)
    proven: bool = False
    reuse: bool = False  # `a[x] op= v` in a fast loop: `x` evaluated and checked once (see Index.reuse)


@dataclass
class StoreArrayItem(Stmt):
    """`a[i, j] = value` on an N-D array (value first, then the indices, as Python)."""

    base: str
    groups: list[list[Expr]]
    value: Expr
    slot: ArraySlot | None = None  # see ArrayItem
    proven: bool = False


@dataclass
class Append(Stmt):
    base: str
    value: Expr


@dataclass
class If(Stmt):
    test: Expr
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass
class ForRange(Stmt):
    var: str
    start: Expr
    stop: Expr
    step: Expr
    body: list[Stmt]
    reverse: bool = False  # `reversed(range(...))`: the same items, last to first
    fast: FastLoop | None = None  # index checks hoisted before the loop (analysis/bounds.py)


@dataclass
class NewRangeIter(Expr):
    """`iter(range(start, stop, step))` (lower/ranges.py): a fresh `RangeIter` (ValueError
    for a zero step, as range() raises)."""

    start: Expr
    stop: Expr
    step: Expr


@dataclass
class RangeIterNext(Expr):
    """`next(it, default)` of a range iterator local: its next item, or `default` when none
    is left (type None: a statement that only advances `it`)."""

    iterator: str
    default: Expr


@dataclass
class ForRangeIter(Stmt):
    """`for var in it` over a range iterator local: takes items from `it` itself, so a
    `next(it, ...)` in the body skips one, as it does in Python."""

    var: str
    iterator: str
    body: list[Stmt]


@dataclass
class ForEach(Stmt):
    """`for var in seq`: index loop that re-reads the length every step (as
    CPython's list iterator does)."""

    var: str
    seq: str
    body: list[Stmt]
    view: bool = False  # `seq` is a list read in place (ir.ListView, lower/list_views.py)


@dataclass
class While(Stmt):
    test: Expr
    body: list[Stmt]


@dataclass
class Break(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Return(Stmt):
    value: Expr | None


@dataclass
class Pass(Stmt):
    pass


@dataclass
class Evaluate(Stmt):
    """An expression statement whose value is dropped (`helper(xs)`)."""

    value: Expr


# -------------------------------------------------- objects and attributes


@dataclass
class AttrRead(Expr):
    """`obj.attr` of an instance (`obj` has type `Instance`): read through the C API, its
    exact type checked (another type re-runs in Python; a missing one is AttributeError)."""

    obj: Expr
    attr: str


@dataclass
class IsNoneObject(Expr):
    """`value is None` (`negated`: `is not None`), `value` an `AttrRead` of an instance or an
    `Index` of a Python list (`PyListOf`): the object read is compared with None itself, its
    type not checked, so an attribute or item of any type answers as in Python. For any other
    `value` (a typed value that is never None): `value` is evaluated and the answer is False."""

    value: Expr
    negated: bool = False


@dataclass
class MethodReceiver(Expr):
    """`obj` of a method call `obj.m(...)` on an instance not classified at this call (one
    read from a container or an attribute): the object itself, checked to have no `m` of its
    own in its `__dict__` (one that hides the class's method re-runs in Python)."""

    obj: Expr
    attr: str


@dataclass
class AttrStore(Stmt):
    """`obj.attr = value` on an instance, boxed and set through the C API (visible at once)."""

    obj: Expr
    attr: str
    value: Expr


@dataclass
class HeldAttr:
    """An attribute of an instance argument held in a kernel local `slot` for the whole
    call: loaded (exact type checked) before the body runs, stored back after it unless
    the call re-runs in Python (`written`: the body assigns it)."""

    slot: str
    param: str
    attr: str
    type: Type
    written: bool


@dataclass
class HeldAttrRead(Expr):
    slot: str


@dataclass
class HeldAttrStore(Stmt):
    slot: str
    value: Expr


@dataclass
class AttrScope(Stmt):
    """The whole body of a function that holds attributes of its instance arguments
    (`held`): they are loaded, the body runs, and the written ones go back to the objects
    when it returns or raises (not when it re-runs in Python: nothing was visible then).
    `returns_unit`: falling off the end returns None."""

    held: list[HeldAttr]
    body: list[Stmt]
    returns_unit: bool


@dataclass
class AttrUndo(Stmt):
    """The whole body of a function called from Python that sets attributes of its instance
    arguments (`saved`: (parameter, attribute), its callees' too) and may ask to re-run in
    Python: the attributes' objects are saved at entry and put back before the re-run, so
    Python runs on the arguments as they were. `returns_unit`: falling off the end returns None.
    `logs`: the body's writes into Python lists the caller sees (its callees' too) are `logged`:
    each records what undoes it in the thread's undo log (runtime_undo.rs.j2), and a re-run
    request replays the log backwards first, so every list holds its own item objects again."""

    saved: list[tuple[str, str]]
    body: list[Stmt]
    returns_unit: bool
    logs: bool = False


@dataclass
class ModuleData(Var):
    """A module global holding a list, dict, set or bytearray (`name` in `module`): the
    live object, loaded once per call by `LoadModuleData` into the local `name`."""

    module: str


@dataclass
class LoadModuleData(Stmt):
    """Read `data` from its module's globals and check it all the way down (another kind,
    or a missing name, re-runs in Python: nothing has run yet)."""

    data: ModuleData


# ----------------------------------------------------------------- exceptions


@dataclass
class Raise(Stmt):
    """`raise E(args...)` of the builtin exception class named `exc` (one of
    `lower.exceptions.EXCEPTION_KINDS`); each arg is a str constant (a Python str) or
    a number expression, evaluated at the raise. `exc` None is a bare `raise` (or
    `raise e`): it re-raises what the handler of the `try` on line `reraise` caught.
    `user_class` names a user's exception class instead (a subclass of a builtin one)."""

    exc: str | None
    args: list = field(default_factory=list)
    reraise: int = 0
    # `raise Cls(...)` of a user's exception class: (module, global name), looked up when the
    # raise runs (module globals, then builtins, as Python does) and called; `exc` is its name
    user_class: tuple[str, str] | None = None


@dataclass
class Handler:
    """One `except` clause: the exception kinds it catches (by Python's class hierarchy)."""

    catches: list[str]
    body: list[Stmt]


@dataclass
class Try(Stmt):
    """`try/except/else/finally`. Body, handlers and `else` run as closures whose
    `return`/`break`/`continue` are `TryExit`s; the `try` then passes those on:
    `loop_exit` "plain" (break the enclosing loop), "flow" (it is itself inside a
    closure, pass the Flow on) or "none" (no loop); `returns_via_flow` likewise."""

    body: list[Stmt]
    handlers: list[Handler]
    orelse: list[Stmt]
    finalbody: list[Stmt]
    loop_exit: str = "none"
    returns_via_flow: bool = False
    # no `TryExit` and no nested `try` in its body, handlers or `else`: the closures return
    # R<()> (a small value the compiler keeps in registers) instead of R<Flow<..>>
    plain: bool = False


@dataclass
class TryExit(Stmt):
    """`return` (kind "return", `value`), `break` or `continue` leaving a try block's closure."""

    kind: str
    value: Expr | None = None


# --------------------------------------------------------------------- tuples


@dataclass
class NewTuple(Expr):
    """`(a, b)`, `a, b`: a new tuple of `items`, evaluated left to right (`type` is a TupleOf)."""

    items: list[Expr]


@dataclass
class TupleItem(Expr):
    """`t[k]` for a constant `k`, already normalised to 0 <= k < len(t)."""

    base: Expr
    index: int


@dataclass
class TupleIndex(Expr):
    """`t[i]` with an int index known only at run time, into a tuple whose items all have
    `type`: negative indices as in Python, IndexError out of range."""

    base: Expr
    index: Expr


@dataclass
class TupleLen(Expr):
    """`len(t)`: evaluates `base`, gives its (static) length."""

    base: Expr


@dataclass
class TupleOperand(Expr):
    """Inside a `TupleCompare`'s steps: its left or right operand (`side`), evaluated once."""

    side: str


@dataclass
class TupleCompare(Expr):
    """`left op right` on two tuples, Python's way: both operands are evaluated, then the
    items are compared in order up to the first pair that is not equal, which decides;
    if every pair is equal, `tail` does (how the lengths compare: "Equal", "Less",
    "Greater"; "Unordered" for `==`/`!=` of different lengths, decided without items).

    `op` is lt le gt ge eq ne (a bool), or "order" for a nested tuple item (a three-way
    `PyOrd`). `steps` are (mode, left, right), items read from `TupleOperand`s and cast for
    that comparison: mode "int" (exact), "float" (two NaNs may be one object, which Python
    counts as equal: re-run in Python), "int_float"/"float_int" (exact mixed), or "tuple"
    (left is the nested TupleCompare with op "order", right is None)."""

    op: str
    left: Expr
    right: Expr
    steps: list[tuple[str, Expr, Expr | None]]
    tail: str


@dataclass
class UnpackedItem(Expr):
    """Item `path` (indices into nested tuples) of the enclosing `Unpack`'s value."""

    path: tuple[int, ...]


@dataclass
class ZipItem(Expr):
    """In a `ForZip`, this step's item of its `seq`-th sequence (the loop on `line`)."""

    line: int
    seq: int


@dataclass
class ZipCount(Expr):
    """In a `ForZip` over `enumerate(...)`, this step's count (the loop on `line`)."""

    line: int


@dataclass
class Unpack(Stmt):
    """`a, (b, xs[i]) = value`: `value` (a tuple) is evaluated once, then `stores` run in
    order, left to right as Python assigns (Assign/StoreIndex reading `UnpackedItem`s)."""

    value: Expr
    stores: list[Stmt]


@dataclass
class ForZip(Stmt):
    """`for target in zip(s0, s1, ...)`, `enumerate(s0[, start])`, `enumerate(zip(...)[, start])`
    over list/array variables `seqs`: one index loop that stops at the first sequence whose
    length (re-read every step, as CPython's list iterator does) is reached. `start` is
    enumerate's first count (None: no enumerate, or a count from 0); `bind` assigns the
    step's `ZipItem`/`ZipCount` values to the loop target before `body`."""

    seqs: list[str]
    enumerate: bool
    start: Expr | None
    bind: Stmt
    body: list[Stmt]
    # per sequence, the item type of a Python list (PyListOf: the caller's list, read in
    # place, its length re-read every step) or None for a Vec or array; [] if none is one
    py_lists: list = field(default_factory=list)
    # per sequence, True for a flat list argument read in place (ListView, list_views.py);
    # [] if none is one
    views: list = field(default_factory=list)


# ---------------------------------------------------------------------- lists
# Python lists held in place (PyListOf), comprehensions and the builtins over
# iterables (lower/lists.py, expr_lists.rs.j2, runtime_lists.rs.j2).


@dataclass
class NewPyList(NewObject):
    """`[a, b]`, `[fill] * count` as a new Python list (items of an object type, or a list
    that escapes): each item boxed into it, left to right."""

    items: list[Expr]
    count: Expr | None = None
    holds_shared: bool = False  # an item is an object not built here (the caller may see it)


@dataclass
class FirstItem(Expr):
    """`next(iter(value))` (lower/sequences.py): the first item of a list, tuple, str, bytes,
    bytearray, dict (its first key) or set (in the set's own order), or `default` when it
    is empty (None: StopIteration, as Python raises)."""

    value: Expr
    default: Expr | None = None


@dataclass
class ListToTuple(NewObject):
    """`tuple(genexpr)`, `tuple(xs)`: a new tuple (`PyTupleOf`) of the items of `value`, a new
    list (a comprehension, a copy) or a list variable, in order (lower/lists.py)."""

    value: Expr


@dataclass
class ContainerEq(Expr):
    """`left == right` (`op` "eq") or `!=` ("ne") where a list, tuple, dict or set meets
    another value (lower/equality.py), by `mode`: "py" (Python's own `==` on the two objects;
    `nan_check`: a NaN inside both re-runs the call in Python first, since whether two NaNs
    are one object decides Python's answer), "vec" (two flat Vec lists item by item, a NaN
    pair re-running) or "never" (kinds Python never finds equal; both still evaluated)."""

    op: str
    left: Expr
    right: Expr
    mode: str
    nan_check: bool = False


@dataclass
class ToPyList(NewObject):
    """A new Python list with the items of `value`, a flat list held as a Vec (ListOf)."""

    value: Expr


@dataclass
class LoopItem(Expr):
    """In a `ForIter`, this step's item (the loop on `line`; `label` tells nested
    comprehension loops on one line apart)."""

    line: int
    label: int = 0


@dataclass
class ForIter(Stmt):
    """`for target in seq` over a Python object (a list held in place: index loop that
    re-reads the length every step, as CPython's list iterator; any other iterable through
    Python's iterator protocol), a tuple of one item type, or a Vec that is not a variable.
    `bind` assigns the step's `LoopItem` to the target before `body`."""

    seq: Expr
    bind: Stmt
    body: list[Stmt]
    label: int = 0


@dataclass
class Comprehension(NewList, NewObject):
    """A comprehension or a generator expression consumed by a builtin, as one Rust block
    that yields a value: `kind` is list (a Vec or a new Python list, by `type`), sum, min,
    max, any, all. `body` holds the loops (`ForRange`/`ForEach`/`ForIter`, `If` for the
    conditions) around one `CompYield`. `start` is sum's start (already of the result
    type); `label` names the block and its accumulator."""

    kind: str = "list"
    body: list[Stmt] = field(default_factory=list)
    label: int = 0
    start: Expr | None = None
    empty_deopts: bool = False  # sum(): no items gives the int start, not a float: re-run
    holds_shared: bool = False  # an item is an object not built here (the caller may see it)
    key: Type | None = None  # min_key/max_key: the type of the key (lower/keys.py)


@dataclass
class CompYield(Stmt):
    """Inside a `Comprehension`'s body: one item, `value`, for the comprehension `label`."""

    label: int
    kind: str
    value: Expr
    acc: Type | None = None  # the comprehension's result type


@dataclass
class StoreSlice(Stmt):
    """`base[lo:hi:step] = value` (or, `value` None, `del base[lo:hi:step]`) on a Python list
    held in place: the list's own slice assignment (Python's clamping; ValueError for a zero
    step or an extended slice given another number of items). A bound None is omitted."""

    base: Expr
    lo: Expr | None
    hi: Expr | None
    step: Expr | None
    value: Expr | None
    logged: bool = False  # recorded in the undo log first (see `AttrUndo`)


@dataclass
class StoreItem(Stmt):
    """`base[index] = value` into a Python list held in place (Python's IndexError).
    `logged`: the old item is recorded in the undo log first (see `AttrUndo`)."""

    base: Expr
    index: Expr
    value: Expr
    logged: bool = False


@dataclass
class ListMethod(Expr):
    """`base.method(args)` on a Python list held in place (PyListOf), through the list's own
    method, so errors and messages are Python's: the result is unboxed to `type` (None for
    methods that return None). `args` are boxed. On a flat Vec local (ListOf, lower/lists.py
    `_vec_method`) the Vec's own `vec_*` helpers do it, with Python's errors and messages.
    `logged`: a write recorded in the undo log first (see `AttrUndo`)."""

    base: Expr
    method: str
    args: list[Expr]
    logged: bool = False
    # `in`/index/count/remove of items holding floats: NaNs in the argument and an item re-run
    # in Python, where their identity decides (lists.py `_sort_nan_check`)
    nan_check: bool = False


@dataclass
class Sorted(NewObject):
    """`sorted(...)`: `value` (a new Python list) sorted in place by CPython's own list sort
    (stable, Python's comparisons: NaN as Python orders it); `reverse` as sort's."""

    value: Expr
    reverse: bool = False
    holds_shared: bool = False
    nan_check: bool = False  # items holding floats: a NaN re-runs in Python (lists.py `_sort_nan_check`)


@dataclass
class SortedByKey(NewObject):
    """`sorted(xs, key=f)` (`items`: a new Python list of xs's items) or, `in_place`,
    `xs.sort(key=f)` (`items`: xs itself; the type is None): `keys` (a Comprehension giving a
    new Python list of f(item), one per item in order) decide the order, through CPython's
    own sort of the item positions by those key objects, so stability, `reverse` and every
    comparison are Python's."""

    items: Expr
    keys: Expr
    reverse: bool = False
    in_place: bool = False
    holds_shared: bool = False
    copy: str = ""  # in place: the local that holds the items while the list is empty
    nan_check: bool = False  # keys holding floats: a NaN re-runs in Python (lists.py `_sort_nan_check`)


@dataclass
class SortedVec(NewList):
    """`sorted(xs)` of a flat list of floats or ints held as a Vec: a new Vec sorted stably (a
    float list holding NaN re-runs in Python, where CPython's sort orders NaN its own way)."""

    value: Expr | None = None
    reverse: bool = False


@dataclass
class ListSlice(NewList, NewObject):
    """`base[lo:hi:step]`: a new list (a Vec for a ListOf, a new Python list for a
    PyListOf) with Python's slice semantics; absent bounds are None."""

    base: Expr | None = None
    lo: Expr | None = None
    hi: Expr | None = None
    step: Expr | None = None
    holds_shared: bool = True  # a slice of a Python list holds that list's own items


# ----------------------------------------------------------------------- text
# str, bytes and bytearray (lower/text.py, expr_text.rs.j2): the kernel holds the
# caller's own objects; reads go to CPython's storage, everything else calls CPython.


@dataclass
class TextConst(Expr):
    """A str or bytes constant (`type` STR or BYTES), built once per process: `units` are
    its code points (str) or its bytes."""

    value: object
    units: list[int]


@dataclass
class TextItem(Expr):
    """`s[i]`: a str of one code point (str), an int (bytes, bytearray); IndexError as Python's."""

    base: Expr
    index: Expr


@dataclass
class TextCodePoint(Expr):
    """The code point of `s[i]` as an int (`ord(s[i])`, one side of `s[i] == t[j]`): no str is built."""

    base: Expr
    index: Expr


@dataclass
class TextSlice(NewObject):
    """`s[start:stop:step]` (None: omitted), CPython's own slicing: a new str, bytes or bytearray."""

    base: Expr
    start: Expr | None
    stop: Expr | None
    step: Expr | None


@dataclass
class TextNewByteArray(NewObject):
    """`bytearray()`, `bytearray(n)` or `bytearray(source)`: a new bytearray built by CPython's
    own constructor (its errors: ValueError for a negative count or an item outside
    range(256), TypeError for an item that is no int). `source` None: empty."""

    source: Expr | None = None


@dataclass
class TextCompare(Expr):
    """A comparison chain with str/bytes operands. `operands` are the chain's items, each
    evaluated once, left to right; link k compares operands k and k+1 with `ops[k]` (lt le gt
    ge eq ne in not_in) in `modes[k]`: "text" (two objects, CPython's comparison), "code" (two
    code points, ints), "char_r"/"char_l" (a str and a one-character constant's code point on
    the right/left), "in_const" (a str in a str constant: one character looked up among the
    constant's code points)."""

    ops: list[str]
    operands: list[Expr]
    modes: list[str]


@dataclass
class TextBinOp(NewObject):
    """`a + b` (op "add", two str or two bytes) or `s * n` (op "mul", `right` an int)."""

    op: str
    left: Expr
    right: Expr


@dataclass
class TextPercent(NewObject):
    """`fmt % value` of a str or bytes `fmt` (printf-style formatting): CPython's own
    `PyNumber_Remainder` on the boxed `value`, so a tuple value is the argument tuple and
    every error is Python's (lower/text.py limits `value` to types whose box is exact)."""

    fmt: Expr
    value: Expr


@dataclass
class TextMethod(NewObject):
    """`base.method(args...)` on a str or bytes (lower/text.py STR_METHODS): CPython's own
    method, called with the boxed arguments; its result unboxed as `type`."""

    method: str
    base: Expr
    args: list[Expr]


@dataclass
class NewMemoryView(NewObject):
    """`memoryview(source)` of a bytes or bytearray (lower/objects.py): CPython's object."""

    source: Expr


@dataclass
class TextFormat(Expr):
    """An f-string: `parts` are str constants or (value, conversion, spec) replacement fields
    (conversion "r"/"s"/"a" or " "; spec a str constant), formatted by CPython and joined."""

    parts: list


@dataclass
class TextFor(Stmt):
    """`for var in s` over a str (one-character strs), bytes or bytearray (ints); `seq` is
    evaluated once. A bytearray's length is re-read every step, as its iterator does.
    `codes`: `var` is an int, the code point (its only uses compare it; lower/text.py)."""

    var: str
    seq: Expr
    body: list[Stmt]
    codes: bool = False


@dataclass
class TextStore(Stmt):
    """`b[i] = v` on a bytearray (IndexError/ValueError as Python's)."""

    base: Expr
    index: Expr
    value: Expr


@dataclass
class TextAppend(Stmt):
    """`b.append(v)` on a bytearray (ValueError outside 0..256, as Python's)."""

    base: Expr
    value: Expr


# ------------------------------------------------------------------ function


@dataclass
class Param:
    name: str
    type: Type
    mutated: bool = False  # element stores or appends reach the caller's object


@dataclass
class Function:
    """One translated function for one argument signature."""

    name: str
    params: list[Param]
    locals: dict[str, Type]
    body: list[Stmt]
    return_type: Type
    signature: tuple[str, ...]
    # variables of a wide type that may still hold a narrower seed constant
    # (`x = 0` then `x += 0.5`: a float seeded by an int). Name -> seed type.
    seeded: dict[str, Scalar] = field(default_factory=dict)
    # Locals read where some path has not assigned them (`UnboundGuard`): each has a flag,
    # set by its assignments.
    maybe_unbound: set = field(default_factory=set)
    # the body contains an operation that may ask to re-run in Python
    may_deopt: bool = False
    # the body has `+ - *` of numpy float or complex scalars, which numpy warns of when they
    # overflow or give an invalid value: the call reads the CPU's IEEE status flags after the
    # kernel (and at each `while` test) and re-runs in Python if one was raised
    checks_fp_status: bool = False
    # the body works on Python objects (str, lists of lists, dicts, ...): the kernel
    # takes the GIL token `py` and runs holding the GIL
    uses_objects: bool = False
    # the body writes into a Python object the caller can see (an argument, or an object
    # reached from one): a fault after such a write must never re-run the call in Python
    writes_visible_objects: bool = False
    # (parameter, attribute) of every attribute the body (or a callee, through an argument
    # passed on as it is) sets on an instance argument: the root undoes them on a re-run
    # (`AttrUndo`), so they are not among the visible writes above
    attr_writes: list[tuple[str, str]] = field(default_factory=list)
    # every visible write can be undone through the undo log (`AttrUndo.logs`): the IR nodes
    # (its callees' too) to mark `logged` when the function called from Python logs them
    undoable_writes: list | None = None
    # the root's body logs its visible writes (an `AttrUndo` with `logs`): a re-run request
    # undoes them first
    logs_writes: bool = False
    source_file: str = ""
    first_line: int = 0
    # calls between functions: this specialisation's number in its compile unit (0: the
    # function called from Python), and, on that root only, every other specialisation
    # it reaches; `recursive`: the unit's calls form a cycle (native depth is bounded)
    unit_id: int = 0
    callees: list["Function"] = field(default_factory=list)
    recursive: bool = False


# expressions whose evaluation changes nothing the program can see (they may raise, at the
# same point each time): evaluating one twice is the same as evaluating it once
_EFFECT_FREE = (Const, Var, Wrap, IsNone, Unwrap, BinOp, UnaryOp, Compare, BoolOp, Truth, IfExp, Cast, Call, Index, ArrayItem,
                ProvenIndex, ArrayShape, ArraySize, TupleItem, TupleIndex, TupleLen, TupleOperand, TextConst,
                TextItem, TextCodePoint, AttrRead, HeldAttrRead, HeldKey, UnpackedItem, LoopItem, ZipItem)


def effect_free(expr) -> bool:
    """True when `expr` and everything under it is one of the effect-free expressions above
    (no call of a translated function, no list or dict method, no new object, no re-run)."""
    from dataclasses import fields, is_dataclass

    if not isinstance(expr, _EFFECT_FREE):
        return False
    for f in fields(expr):
        value = getattr(expr, f.name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, Expr) and not effect_free(item):
                return False
    return True
