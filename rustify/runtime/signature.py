"""The signature key of a call: one kind string per positional argument.

Cheap on purpose (it runs on every call): a list, dict or set is classified by
its first item (`list[list[float]]`, `dict[str, int]`); the native code checks
every item at entry and raises `Deopt` on a mismatch. A tuple (at most 12
items, 4 levels deep) is classified item by item.
Types are exact: a subclass of list, float, int or numpy.ndarray (MaskedArray,
np.matrix, a user's) is its own kind, as is an array not in native byte order,
so none of them ever shares a key with a native specialisation.
"""

from __future__ import annotations

from itertools import repeat

_SCALARS = {float: "float", int: "int", bool: "bool", complex: "complex", type(None): "None"}
_LIST_KINDS = {float: "list[float]", int: "list[int]"}
_TEXT_KINDS = {str: "str", bytes: "bytes", bytearray: "bytearray"}
# Containers nested deeper than this get a kind no IR type parses (a list that holds
# itself must not recurse forever).
_CONTAINER_MAX_DEPTH = 4
_ARRAY_KINDS: dict = {}  # (dtype.num, native byte order, ndim, C-contiguous) -> kind string
_array_type: type | None = None  # numpy.ndarray once seen (numpy is never imported here)


def kind_of(value: object) -> str:
    """Kind of one argument, e.g. "float", "list[int]", "ndarray[float64, 1, C]"."""
    global _array_type
    t = type(value)
    kind = _SCALARS.get(t)
    if kind is not None:
        return kind
    if t is list:
        # An empty list behaves the same for any element type.
        if not value:
            return "list[float]"
        return _LIST_KINDS.get(type(value[0])) or _container_kind(value, 0)
    kind = _TEXT_KINDS.get(t)
    if kind is not None:
        return kind
    if t is tuple:
        return _tuple_kind(value, 0)
    if t is dict or t is set:
        return _container_kind(value, 0)
    if t is _array_type or (t.__name__ == "ndarray" and t.__module__ == "numpy"):
        if _array_type is None:
            _array_type = t  # stored once: a global store per call would defeat 3.11's global caches
        dtype = value.dtype
        key = (dtype.num, dtype.isnative, value.ndim, value.flags.c_contiguous)
        kind = _ARRAY_KINDS.get(key)
        if kind is None:
            # dtype.num and dtype.name ignore byte order: a swapped array gets its own kind.
            name = dtype.name if key[1] else f"{dtype.name} byte-swapped"
            kind = _ARRAY_KINDS[key] = f"ndarray[{name}, {key[2]}, {'C' if key[3] else 'A'}]"
        return kind
    return _flat_instance_kind(value, t)


# Longer or deeper tuples get a kind no IR type parses (they stay Python), so
# classifying one never costs more than a few dozen items.
_TUPLE_MAX_ITEMS, _TUPLE_MAX_DEPTH = 12, 4


def _tuple_kind(value: tuple, depth: int) -> str:
    """`tuple[float, tuple[int, bool]]`: every item classified (a tuple is short and exact);
    `tuple[()]` for the empty tuple."""
    if not value:
        return "tuple[()]"
    if len(value) > _TUPLE_MAX_ITEMS or depth >= _TUPLE_MAX_DEPTH:
        return "tuple[...]"
    return "tuple[" + ", ".join([_tuple_kind(v, depth + 1) if type(v) is tuple else kind_of(v)
                                 for v in value]) + "]"


def _container_kind(value, depth: int) -> str:
    """`list[list[float]]`, `dict[str, int]`, `set[tuple[int, int]]`: by the first item
    (an empty one is `list[float]`, `dict[?, ?]`, `set[?]`, which only `[]` parses)."""
    if depth >= _CONTAINER_MAX_DEPTH:
        return "object"
    t = type(value)
    if t is list:
        return f"list[{_item_kind(value[0], depth + 1)}]" if value else "list[float]"
    if t is dict:
        if not value:
            return "dict[?, ?]"
        k, v = next(iter(value.items()))
        return f"dict[{_item_kind(k, depth + 1)}, {_item_kind(v, depth + 1)}]"
    if t is set:
        return f"set[{_item_kind(next(iter(value)), depth + 1)}]" if value else "set[?]"
    return kind_of(value)


def _item_kind(value, depth: int) -> str:
    t = type(value)
    if t is list or t is dict or t is set:
        return _container_kind(value, depth)
    if t.__flags__ & _HEAPTYPE:
        return _instance_kind(value, t, depth)  # an instance held in a container
    return kind_of(value)


# Instances of plain classes: `obj[module:qualname, name=kind, ...]`, the attributes
# classified as a container's items are. Nested instances deeper than this get no
# attribute kinds (a cyclic object graph must not recurse forever).
_INSTANCE_MAX_DEPTH = 2
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python, not a builtin or C type
_instance_classes: dict = {}  # class -> (kind prefix, slot names) or None (not a plain class)
_classes_by_prefix: dict = {}  # kind prefix -> the class, None if two classes share it (see class_of_kind)
_UNSEEN = object()


def _instance_kind(value, t: type, depth: int) -> str:
    info = _instance_classes.get(t, _UNSEEN)
    if info is _UNSEEN:
        info = _instance_classes[t] = _plain_class(t)
        if info is not None:
            _classes_by_prefix[info[0]] = None if info[0] in _classes_by_prefix else t
    if info is None:
        return f"{t.__module__}.{t.__qualname__}"
    prefix, slots = info
    if depth >= _INSTANCE_MAX_DEPTH:
        return prefix + "]"
    parts = [prefix]
    attrs = getattr(value, "__dict__", None)
    if attrs is not None:
        for name, v in attrs.items():
            if type(name) is str and name.isidentifier():
                parts.append(f"{name}={_attribute_kind(v, depth + 1)}")
    for name in slots:
        v = getattr(value, name, _UNSEEN)
        if v is not _UNSEEN:
            parts.append(f"{name}={_attribute_kind(v, depth + 1)}")
    return ", ".join(parts) + "]"


# attribute values whose kind is their type alone: an object holding only these has the
# kind its class, its attribute names and their types give (`_flat_kinds` remembers it)
_FLAT_TYPES = frozenset((float, int, bool, type(None), complex, str, bytes))
_flat_kinds: dict = {}  # (class, attribute names or None for slots, value types) -> kind


class _Unset:
    """The type of `_UNSET`, what `_flat_instance_kind` reads from a slot that is not set."""


_UNSET = _Unset()
_FLAT_SLOT_TYPES = _FLAT_TYPES | {_Unset}


def _flat_instance_kind(value, t: type) -> str:
    """`_instance_kind(value, t, 0)`, answered from `_flat_kinds` (one C-level pass over the
    attribute values, no string built) when every attribute holds a number, None or text."""
    info = _instance_classes.get(t, _UNSEEN)
    if info is _UNSEEN or info is None:
        return _instance_kind(value, t, 0)
    attrs = getattr(value, "__dict__", None)
    if info[1]:
        if attrs:
            return _instance_kind(value, t, 0)
        slots = info[1]
        # getattr(value, name, _UNSET) of every slot, in C: an unset slot gives the type `_Unset`
        key = (t, None, tuple(map(type, map(getattr, repeat(value, len(slots)), slots,
                                            repeat(_UNSET, len(slots))))))
    elif attrs is not None and type(attrs) is dict:
        key = (t, tuple(attrs), tuple(map(type, attrs.values())))
    else:
        return _instance_kind(value, t, 0)
    kind = _flat_kinds.get(key)
    if kind is None:
        kind = _instance_kind(value, t, 0)
        if (_FLAT_SLOT_TYPES if key[1] is None else _FLAT_TYPES).issuperset(key[2]) and len(_flat_kinds) < 4096:
            _flat_kinds[key] = kind
    return kind


# Module data is classified from its items (at most this many in all, the first of each
# container among them): a table's first row may be empty (`[[], [6, 18], ...]`) or of another
# type than the rest.
_DATA_MAX_ITEMS = 4096


def data_kind(value) -> str:
    """The kind of a module-level list, dict, set or bytearray the native code reads live
    (lower/objects.py): as `_item_kind`, but from its items instead of the first alone, so an
    empty row takes the kind of the others and items of several types say so
    (`list[float | int]`, which no IR type parses: the data stays Python with that reason).
    Only a guess all the same: loading the data checks every item against it."""
    kind = _data_kind(value, 0, [_DATA_MAX_ITEMS])
    return kind if kind is not None else _item_kind(value, 0)


def _data_kind(value, depth: int, budget: list) -> str | None:
    """None: an empty container (any kind of item fits it). `budget`: items left to look at."""
    t = type(value)
    if t is not list and t is not dict and t is not set:
        return _item_kind(value, depth)
    if depth >= _CONTAINER_MAX_DEPTH:
        return "object"
    if not value:
        return None
    if t is dict:
        pairs = _first(value.items(), budget)
        keys = _join_kinds([_data_kind(k, depth + 1, budget) for k, _ in pairs])
        values = _join_kinds([_data_kind(v, depth + 1, budget) for _, v in pairs])
        return f"dict[{keys or '?'}, {values or '?'}]"
    items = _join_kinds([_data_kind(v, depth + 1, budget) for v in _first(value, budget)])
    if items is None:
        return None if t is list else "set[?]"
    return f"{'list' if t is list else 'set'}[{items}]"


def _first(items, budget: list) -> list:
    """The first items (at least one, at most what the budget has left), taken from the budget."""
    taken = [v for v, _ in zip(items, range(max(budget[0], 1)))]
    budget[0] -= len(taken)
    return taken


def _join_kinds(kinds: list) -> str | None:
    found = list(dict.fromkeys(k for k in kinds if k is not None))
    if not found:
        return None
    return found[0] if len(found) == 1 else " | ".join(sorted(found))


def class_of_kind(kind: str):
    """(the class, its slot names) of an `obj[...]` kind this process classified, if one class alone
    has its name; else None."""
    prefix = kind.partition(",")[0].removesuffix("]")
    t = _classes_by_prefix.get(prefix)
    info = _instance_classes.get(t) if t is not None else None
    return None if info is None else (t, info[1])


def _attribute_kind(value, depth: int) -> str:
    t = type(value)
    kind = _SCALARS.get(t)
    if kind is not None:
        return kind
    if t is list or t is dict or t is set:
        return _container_kind(value, depth)
    if t is tuple:
        return _tuple_kind(value, 0)
    if t.__flags__ & _HEAPTYPE:
        return _instance_kind(value, t, depth)
    return kind_of(value)


def _plain_class(t: type):
    """(`obj[module:qualname`, slot names) for a class whose attribute access runs no
    Python code of its own (no metaclass, no __getattr__/__getattribute__/__setattr__,
    Python classes all the way up); None for any other."""
    if (type(t) is not type or not t.__flags__ & _HEAPTYPE or "<" in t.__qualname__
            or not isinstance(t.__module__, str)):
        return None
    slots = []
    for base in t.__mro__[:-1]:
        if not base.__flags__ & _HEAPTYPE or type(base) is not type:
            return None
        declared = base.__dict__.get("__slots__", ())
        for name in ([declared] if isinstance(declared, str) else declared):
            if name not in ("__dict__", "__weakref__") and not name.startswith("__") and name.isidentifier():
                slots.append(name)
    for hook in ("__getattribute__", "__setattr__", "__delattr__"):
        if getattr(t, hook) is not getattr(object, hook):
            return None
    if hasattr(t, "__getattr__"):
        return None
    return f"obj[{t.__module__}:{t.__qualname__}", tuple(dict.fromkeys(slots))


def signature_of(args: tuple) -> tuple[str, ...]:
    """Signature key of a positional argument tuple."""
    kinds = tuple(map(_SCALARS.get, map(type, args)))  # all scalars: no Python-level loop
    if None not in kinds:
        return kinds
    return tuple(map(kind_of, args))
