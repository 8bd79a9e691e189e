"""Objects: attribute reads and writes on instances of plain Python classes.

In: `p.x` (a read), `p.x = v` and `p.x op= v` (writes) where `p` has the IR type
`ir.Instance` (an argument classified from the live object: exact class, the kinds of
its attributes; or an instance read from a container). Out: `ir.AttrRead` /
`ir.AttrStore` (through the C API, the exact type of a read checked), or, for the
number attributes of an instance argument used only through its attributes,
`ir.HeldAttrRead` / `ir.HeldAttrStore` on a kernel local that `ir.AttrScope` loads
before the body and stores back after it (so a re-run in Python repeats nothing).

Module data: a module-level list, dict, set or bytearray the function reads
(`CRC_TABLE[i]`) is the live object, looked up in the module's globals once per call
(the call reads nothing else in between) and checked all the way down like an
argument (`ir.ModuleData`, loaded by `ir.LoadModuleData` at the top of the body); it
is never frozen. Immutable data (numbers, tuples, str, bytes) is frozen in by its
own family's `_constant`.

What stays Python, with a reason: an attribute the class defines as a property or
another descriptor (reading it runs Python code), a class with `__getattr__`,
`__getattribute__` or `__setattr__` of its own, an attribute the object did not have
at the call, and a store that would change an attribute's type.
"""

from __future__ import annotations

import builtins
import inspect
import sys
import types

from astroid import nodes

from rustify import ir
from rustify.analysis.lower.common import _Reject

_HELD_TYPES = ("float", "int", "bool", "np.float64", "np.int64")
_MISSING = object()


def _is_numpy_scalar_type(value) -> bool:
    """`value` is one of numpy's scalar types (`np.float32`), the other side of a dtype test."""
    import sys

    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, type) and issubclass(value, np.generic)


def live_class(t: ir.Instance) -> type | None:
    """The class an `Instance` type names, from its module as loaded (None if gone)."""
    obj = sys.modules.get(t.module)
    for part in t.qualname.split("."):
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) else None


def python_class(t: ir.Type) -> type | None:
    """The one exact Python class every value of IR type `t` has (None: not known)."""
    import numpy

    if isinstance(t, ir.Instance):
        return live_class(t)
    if isinstance(t, ir.Scalar):
        if t.name in ("int", "float", "bool"):
            return {"int": int, "float": float, "bool": bool}[t.name]
        cls = getattr(numpy, t.name[3:], None) if t.name.startswith("np.") else None
        return cls if isinstance(cls, type) else None
    plain = {ir.Str: str, ir.Bytes: bytes, ir.ByteArray: bytearray, ir.MemoryView: memoryview,
             ir.PyListOf: list, ir.ListOf: list,
             ir.DictOf: dict, ir.SetOf: set, ir.TupleOf: tuple, ir.NoneType: type(None)}
    for kind, cls in plain.items():
        if isinstance(t, kind):
            return cls
    if isinstance(t, ir.Array):
        return numpy.ndarray
    if isinstance(t, ir.Complex):
        return complex if t.name == "complex" else getattr(numpy, t.name[3:], None)
    return None


def target_text(node) -> str:
    """The first line of a statement, for a reason."""
    return node.as_string().splitlines()[0][:60] if node is not None else "?"


def hook_obstacle(cls: type) -> str | None:
    """Why any attribute access on an instance of `cls` would run Python code (its own
    `__getattribute__`, `__setattr__`, `__delattr__` or `__getattr__`); None if none."""
    for hook in ("__getattribute__", "__setattr__", "__delattr__"):
        if getattr(cls, hook) is not getattr(object, hook):
            return f"the class `{cls.__qualname__}` defines `{hook}`"
    if inspect.getattr_static(cls, "__getattr__", _MISSING) is not _MISSING:
        return f"the class `{cls.__qualname__}` defines `__getattr__`"
    return None


def attribute_obstacle(cls: type, name: str) -> str | None:
    """Why reading or writing `name` on an instance of `cls` would run Python code (None: it does not)."""
    obstacle = hook_obstacle(cls)
    if obstacle is not None:
        return obstacle
    found = inspect.getattr_static(cls, name, _MISSING)
    if found is _MISSING or type(found).__name__ == "member_descriptor":  # a `__slots__` entry
        return None
    kind = type(found)
    if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
        what = "a property" if isinstance(found, property) else f"a {kind.__name__} descriptor"
        return f"`{cls.__qualname__}.{name}` is {what}: reading or writing it runs Python code"
    return None


_LIVE_DATA = (list, dict, set, bytearray)


class ObjectRules:
    """Mixed into `FunctionLowerer`: attributes of instances and module data (see the module docstring)."""

    unclassified_params: frozenset = frozenset()  # a callee's: see calls._Specialisation

    def _begin_object_pass(self) -> None:
        self.held_attrs: dict[tuple[str, str], ir.HeldAttr] = {}
        self.attr_writes: dict[tuple[str, str], None] = {}  # (param, attr) set on instance arguments
        self.module_data: dict[str, ir.ModuleData] = {}

    # -------------------------------------------------------- module data

    def _constant(self, node, value) -> ir.Expr:
        if type(value) in _LIVE_DATA and isinstance(node, nodes.Name):
            return self._module_data(node, value)
        return super()._constant(node, value)

    def _module_data(self, node: nodes.Name, value) -> ir.Expr:
        """A module global holding a list, dict, set or bytearray, read live at each call."""
        from rustify.runtime.signature import data_kind

        g = self.func.__globals__
        if g.get(node.name) is not value:
            raise _Reject(node, f"`{node.name}` is a builtin or not a global of the function's module")
        module = sys.modules.get(self.func.__module__)
        if module is None or getattr(module, "__dict__", None) is not g or not isinstance(self.func.__module__, str):
            raise _Reject(node, f"`{node.name}` is module data of a module not loaded under its name "
                                f"(`{self.func.__module__}`): not translated")
        kind = data_kind(value)
        t = ir.types._parse_item_kind(kind)
        if t is None or not t.is_object:
            mixed = " (its items are of several types)" if " | " in kind else ""
            raise _Reject(node, f"the module data `{node.name}` is a {kind}{mixed}: not translated")
        data = self.module_data.get(node.name)
        if data is None:
            data = self.module_data[node.name] = ir.ModuleData(t, node.name, self.func.__module__)
        self.uses_objects = True
        return data

    def _lower_compare(self, node: nodes.Compare, defined) -> ir.Expr:
        """A comparison of constants only (`(3, 8) <= sys.version_info < (3, 10)`: literals,
        module and class constants, all guarded) is decided here, as Python decides it."""
        folded = self._static_comparison(node)
        if folded is not None:
            return ir.Const(ir.BOOL, folded)
        return super()._lower_compare(node, defined)

    def _lower_if(self, s: nodes.If, defined):
        """`if` of a test known when compiling (`isinstance(data, str)`, `mv.ndim > 1`, a
        comparison of constants): only the branch Python takes is translated (the other never
        runs; its names stay unassigned, as in Python)."""
        test = self._truth(self._expr(s.test, defined))
        if isinstance(test, ir.Const) and type(test.value) is bool:
            return self._block(s.body if test.value else s.orelse, defined)
        self.hand_down((s.test, test))
        return super()._lower_if(s, defined)

    def _static_comparison(self, node: nodes.Compare) -> bool | None:
        import operator

        ops = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
               "==": operator.eq, "!=": operator.ne}
        if not all(op in ops for op, _ in node.ops):
            return None
        values = [self._static_value(n) for n in [node.left] + [n for _, n in node.ops]]
        if any(v is _MISSING for v in values):
            return None
        try:
            return all(ops[op](a, b) for (op, _), a, b in zip(node.ops, values, values[1:]))
        except TypeError:
            return None  # `"a" < 1`: the usual rules say why

    def _static_value(self, node):
        """The value of a literal or a constant global, module or class attribute (numbers, str,
        bytes, None, tuples of them, `sys.version_info`); _MISSING for anything else."""
        from rustify.analysis.source import is_frozen_constant

        if isinstance(node, nodes.Const):
            value = node.value
        elif isinstance(node, nodes.Tuple):
            value = tuple(self._static_value(n) for n in node.elts)
            if any(v is _MISSING for v in value):
                return _MISSING
        elif (isinstance(node, nodes.Attribute) and isinstance(node.expr, nodes.Name)
              and isinstance(self.env.get(node.expr.name), ir.MemoryView)
              and node.expr.name not in self.seeded and node.attrname in ("ndim", "itemsize")):
            value = 1  # `mv.ndim` of a memoryview of bytes or a bytearray
        elif (dtype := self._array_dtype_attribute(node)) is not _MISSING:
            return dtype
        elif isinstance(node, (nodes.Name, nodes.Attribute)):
            base = node
            while isinstance(base, nodes.Attribute):
                base = base.expr
            if not isinstance(base, nodes.Name) or not self._names_a_global(base):
                return _MISSING
            try:
                value = self._global(node)
            except _Reject:
                return _MISSING
        else:
            return _MISSING
        if _is_numpy_scalar_type(value):
            return value  # `np.float32` compared with an array's dtype
        return value if is_frozen_constant(value) else _MISSING

    def _array_dtype_attribute(self, node):
        """`a.dtype` of an array (its dtype is part of the signature), and `a.dtype.kind`,
        `.itemsize`, `.name`, `.char`: their values; _MISSING for anything else."""
        part = None
        if isinstance(node, nodes.Attribute) and node.attrname in ("kind", "itemsize", "name", "char") \
                and isinstance(node.expr, nodes.Attribute):
            part, node = node.attrname, node.expr
        if not (isinstance(node, nodes.Attribute) and node.attrname == "dtype"
                and isinstance(node.expr, nodes.Name) and self._is_array_attribute(node)
                and node.expr.name not in self.seeded):
            return _MISSING
        import numpy as np

        dtype = np.dtype(self.env[node.expr.name].dtype)
        return dtype if part is None else getattr(dtype, part)

    def _isinstance_call(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`isinstance(x, T)` of a variable: its IR type is one exact Python class (a
        signature's kinds are exact, and so is every value the kernel makes), so the answer
        is known when compiling. Also `memoryview(b)` of a bytes or bytearray and its
        `tobytes()`. None if `node` is none of these."""
        func = node.func
        if isinstance(func, nodes.Attribute):
            return self._memoryview_method(node, defined)
        if not (isinstance(func, nodes.Name) and self._names_a_global(func)):
            return None
        try:
            called = self._global(func)
        except _Reject:
            return None
        if called is builtins.memoryview:
            return self._new_memoryview(node, defined)
        if called is not builtins.isinstance:
            return None
        if len(node.args) != 2 or node.keywords:
            raise _Reject(node, "`isinstance` takes two positional arguments (Python raises TypeError)")
        subject, classes = node.args
        if not isinstance(subject, nodes.Name) or subject.name in self.imports or self._names_a_global(subject):
            raise _Reject(node, "`isinstance(x, T)` is translated for a variable `x` only")
        value, seeded = self._expr_raw(subject, defined)
        if seeded:
            raise _Reject(node, f"`{subject.name}` may still hold its first value (a number of another type) "
                                "here: `isinstance` of it is not translated")
        cls = python_class(value.type)
        wanted = self._class_tuple(classes)
        if cls is None or wanted is None:
            what = f"a {value.type}" if cls is None else f"`{classes.as_string()}`"
            raise _Reject(node, f"`isinstance` of {what} is not translated (the class must be a builtin or "
                                "global class, or a tuple of them)")
        return ir.Const(ir.BOOL, issubclass(cls, wanted))

    def _new_memoryview(self, node: nodes.Call, defined) -> ir.Expr:
        if len(node.args) != 1 or node.keywords:
            raise _Reject(node, "`memoryview` takes one positional argument")
        source = self._expr(node.args[0], defined)
        if source.type not in (ir.BYTES, ir.BYTEARRAY):
            raise _Reject(node, f"`memoryview` of a {source.type} is translated for bytes and bytearray only")
        self.uses_objects = True
        return ir.NewMemoryView(ir.MemoryView(source.type.kind), source)

    def _memoryview_method(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`mv.tobytes()` of a memoryview variable: a new bytes (CPython's method)."""
        func = node.func
        if not (isinstance(func.expr, nodes.Name) and (func.expr.name in self.local_names or
                                                       func.expr.name in self.params)):
            return None
        base = self._expr(func.expr, defined)
        if not isinstance(base.type, ir.MemoryView):
            self.hand_down((func.expr, base))
            return None
        if func.attrname != "tobytes" or node.args or node.keywords:
            raise _Reject(node, f"the memoryview method `{func.attrname}` (with these arguments) is not translated "
                                "(`tobytes()` is)")
        return ir.TextMethod(ir.BYTES, "tobytes", base, [])

    def _memoryview_attribute(self, node: nodes.Attribute, base: ir.Expr) -> ir.Expr:
        """`mv.ndim`, `mv.itemsize`, `mv.readonly` of a memoryview variable of bytes or bytearray."""
        values = {"ndim": 1, "itemsize": 1, "readonly": base.type.source == "bytes"}
        if node.attrname not in values or not isinstance(base, ir.Var):
            raise _Reject(node, f"the memoryview attribute `{node.attrname}` is not translated "
                                "(`ndim`, `itemsize` and `readonly` of a variable are)")
        return self._constant(node, values[node.attrname])

    def _class_tuple(self, node):
        """The class (or nested tuple of classes) a global Name, a `module.Class` chain
        (`util.QRData`) or a tuple of them names; None if not one. The lookups are guarded
        (`source.global_guards`): rebinding the name drops the native code."""
        if isinstance(node, nodes.Tuple):
            items = [self._class_tuple(n) for n in node.elts]
            return None if any(i is None for i in items) else tuple(items)
        if not self._names_a_module_chain(node):
            return None
        try:
            value = self._global(node)
        except _Reject:
            return None
        # a metaclass of its own may answer isinstance() its way (ABCMeta's register() changes
        # the answer at run time): only classes made by `type` itself have a fixed answer
        return value if isinstance(value, type) and type(value) is type else None

    def _names_a_module_chain(self, node) -> bool:
        """`node` is a global Name, or `name.attr...` where every link before the last is a module."""
        if isinstance(node, nodes.Name):
            return self._names_a_global(node)
        if not isinstance(node, nodes.Attribute) or not self._names_a_module_chain(node.expr):
            return False
        try:
            return isinstance(self._global(node.expr), types.ModuleType)
        except _Reject:
            return False

    def _typing_cast(self, node: nodes.Call, defined) -> ir.Expr | None:
        """`typing.cast(T, x)`: `x` (Python's `cast` returns its second argument as it is).
        `T` is evaluated by Python too: it must be a global name or `module.attr` chain, a str
        or None, or a subscript of those (`list[bool]`, `Optional[int]`), which read no value
        of the call's. None if `node` is not a call of `typing.cast`."""
        import typing

        if not (self._names_a_module_chain(node.func)):
            return None
        try:
            if self._global(node.func) is not typing.cast:
                return None
        except _Reject:
            return None
        if len(node.args) != 2 or node.keywords or any(isinstance(a, nodes.Starred) for a in node.args):
            raise _Reject(node, "`cast` is translated with two positional arguments, `cast(T, x)`")
        if not self._plain_annotation(node.args[0]):
            raise _Reject(node, f"the type `{node.args[0].as_string()[:40]}` given to `cast` is not a global "
                                "name, a `module.attr` chain, a str or a subscript of those: not translated")
        return self._expr(node.args[1], defined)

    def _plain_annotation(self, node) -> bool:
        if isinstance(node, nodes.Const):
            return isinstance(node.value, str) or node.value is None
        if isinstance(node, (nodes.Name, nodes.Attribute)):
            if not self._names_a_module_chain(node):
                return False
            try:
                self._global(node)  # a name not defined: Python raises NameError
            except _Reject:
                return False
            return True
        if isinstance(node, nodes.Subscript):
            return self._plain_annotation(node.value) and self._plain_annotation(node.slice)
        if isinstance(node, nodes.Tuple):
            return all(self._plain_annotation(n) for n in node.elts)
        return False

    def _names_a_global(self, node: nodes.Name) -> bool:
        """`node` reads a global or a body import (not a local, argument or comprehension variable)."""
        if node.name in self.imports:
            return True
        if node.name in self.local_names or node.name in self.params or self._comprehension_name(node) is not None:
            return False
        scope, _ = node.lookup(node.name)
        return scope is not self.fdef and isinstance(scope, nodes.Module)

    # ------------------------------------------------------------- reads

    def _instance_attribute(self, node: nodes.Attribute, defined) -> ir.Expr | None:
        """`p.x` of an instance; None if `node.expr` is not an instance (its lowered base
        is handed down to the next rule)."""
        if not self._names_a_value(node.expr):
            return None
        base = self._expr(node.expr, defined)
        if isinstance(base.type, ir.MemoryView):
            return self._memoryview_attribute(node, base)
        if not isinstance(base.type, ir.Instance):
            self.hand_down((node.expr, base))
            return None
        getter = self._property_read(node, base, defined)
        if getter is not None:
            return getter
        constant = self._self_class_constant(node, base)
        if constant is not None:
            return constant
        t = self._attribute_type(node, base, node.attrname)
        slot = self._held_slot(base, node.attrname, t, written=False)
        if slot is not None:
            return ir.HeldAttrRead(t, slot)
        if not self._exact_instance(base):
            self.note_deopt()  # an instance from a container: its attribute may have another type
        return ir.AttrRead(t, base, node.attrname)

    def _property_read(self, node: nodes.Attribute, base: ir.Expr, defined) -> ir.Expr | None:
        """`p.name` where the object's class binds `name` to a `property` (exactly) whose getter
        is a Python function: a call of the getter with `p` bound, translated as a method
        (calls.py). An object's `__dict__` cannot hide a property, and the class's lookup of
        `name` is guarded as a method's is (`source.property_read_guards`). None if `name` is
        not such a property."""
        from rustify.analysis.source import python_function

        cls = live_class(base.type)
        if cls is None:
            return None
        found = inspect.getattr_static(cls, node.attrname, _MISSING)
        if type(found) is not property:
            return None
        obstacle = hook_obstacle(cls)
        if obstacle is not None:
            raise _Reject(node, obstacle)
        if found.fget is None:
            raise _Reject(node, f"`{cls.__qualname__}.{node.attrname}` is a property without a getter "
                                "(Python raises AttributeError): not translated")
        resolved = python_function(found.fget)
        if resolved is None or resolved[1]:
            raise _Reject(node, f"the getter of the property `{cls.__qualname__}.{node.attrname}` is not a "
                                "function defined in Python: reading it is not translated")
        if not self._attribute_class(cls):
            raise _Reject(node, f"`{cls.__qualname__}.{node.attrname}` is a property of a class that is neither a "
                                f"global of the module `{self.func.__module__}` nor defined by a module it imports: "
                                "reading it is translated only for those classes (rebinding the property drops "
                                "the native code)")
        return self._user_function_call(node, defined, (resolved[0], cls, base))

    def _self_class_constant(self, node: nodes.Attribute, base: ir.Expr) -> ir.Expr | None:
        """`self.NAME` in a method, where the object (exactly of the method's own class, never
        rebound) has no NAME of its own at the call and the class binds NAME to a constant:
        the constant, frozen in and guarded like `Class.NAME` (`source.attribute_constant_guards`).
        Nothing in the unit can give the object a NAME of its own meanwhile (a store that adds
        an attribute stays Python). None otherwise."""
        from rustify.analysis.source import class_constant, defining_class

        args = self.fdef.args.args
        if not (args and isinstance(base, ir.Var) and base.name == args[0].name and not self.bound_classes
                and self._exact_instance(base) and node.attrname not in dict(base.type.attrs)):
            return None
        cls = live_class(base.type)
        if cls is None or cls is not defining_class(self.func) or attribute_obstacle(cls, node.attrname):
            return None
        found = class_constant(cls, node.attrname)
        return None if found is None else self._constant(node, found[0])

    def _names_a_value(self, node) -> bool:
        """`node` is a local, an argument, or an expression on one (not a module's name)."""
        while isinstance(node, (nodes.Attribute, nodes.Subscript)):
            node = node.expr if isinstance(node, nodes.Attribute) else node.value
        if isinstance(node, nodes.Name):
            return node.name in self.local_names or node.name in self.params
        return isinstance(node, nodes.Call)

    def _attribute_type(self, node, base: ir.Expr, name: str, store: bool = False) -> ir.Type:
        t: ir.Instance = base.type
        cls = live_class(t)
        if cls is None:
            raise _Reject(node, f"the class `{t.qualname}` is not found in its module `{t.module}`")
        obstacle = attribute_obstacle(cls, name)
        if obstacle is not None:
            raise _Reject(node, obstacle)
        attr = t.attr_type(name)
        if attr is None:
            kinds = dict(t.attrs)
            if name in kinds:
                raise _Reject(node, f"the attribute `{name}` of the `{t.qualname}` object is a {kinds[name]}: "
                                    "values of that kind are not translated")
            if store:  # an initialiser: `self.x = 0` on an object that has no `x` yet
                slot = type(inspect.getattr_static(cls, name, None)).__name__ == "member_descriptor"
                what = "an unset `__slots__` entry" if slot else "not in its `__dict__`"
                raise _Reject(node, f"`{target_text(node)}` adds the attribute `{name}` to the `{t.qualname}` "
                                    f"object (at the call it was {what}): adding attributes changes the "
                                    "object's shape, which is not translated")
            if inspect.getattr_static(cls, name, _MISSING) is not _MISSING:
                raise _Reject(node, f"`{name}` is an attribute of the class `{cls.__qualname__}`, not of the object: "
                                    "read through an object only as `self.NAME` of a number, str or tuple in a "
                                    "method of exactly the object's class")
            raise _Reject(node, f"the `{t.qualname}` object has no attribute `{name}` at the call (Python "
                                "raises AttributeError, or it is set later): not translated")
        return attr

    def _exact_instance(self, base: ir.Expr) -> bool:
        """`base` is an argument never rebound: its attributes were classified from this
        very object at this call, and only the kernel (with the same types) writes them."""
        return isinstance(base, ir.Var) and base.name in self.params and base.name not in self._rebound_names()

    def _classified_here(self, base: ir.Expr) -> bool:
        """`base` is an instance argument whose attribute kinds were classified from the object
        itself at the call of the function Python called (`_exact_instance`, and in a callee,
        passed such an object all the way down): its attributes have those types for the call."""
        return isinstance(base.type, ir.Instance) and self._exact_instance(base) \
            and base.name not in self.unclassified_params

    # ------------------------------------------------------------ `is None`

    def _object_none_test(self, operand, op: str, defined) -> ir.Expr | None:
        """`p.attr is None`, `xs[i] is None` (and `is not`): decided when compiling for an
        attribute of an object classified at this call (its kind says whether it is None);
        else the attribute or list item itself compared with None (`ir.IsNoneObject`, exact
        for any type it holds); a value of any other expression is evaluated and tested by its
        type. None if `operand` is none of these (`==`: the object's own `__eq__` decides)."""
        if op not in ("is", "is not"):
            return None
        negated = op == "is not"
        value = None
        if isinstance(operand, nodes.Attribute) and self._names_a_value(operand.expr):
            base = self._expr(operand.expr, defined)
            if isinstance(base.type, ir.Instance):
                value = self._property_read(operand, base, defined)  # a property's getter: its result
                if value is None:
                    return self._attribute_none_test(operand, base, negated)
            else:
                self.hand_down((operand.expr, base))
        elif isinstance(operand, nodes.Subscript) and not isinstance(operand.slice, nodes.Slice) \
                and self._names_a_value(operand.value):
            base = self._expr(operand.value, defined)
            if isinstance(base.type, ir.PyListOf):
                index = self._expr(operand.slice, defined)
                if index.type in (ir.INT, ir.BOOL):
                    self.uses_objects = True
                    return ir.IsNoneObject(ir.BOOL, ir.Index(base.type.elem, base, self._cast(index, ir.INT)),
                                           negated)
                self.hand_down((operand.slice, index))
            self.hand_down((operand.value, base))
        elif not isinstance(operand, nodes.Call):
            return None
        if value is None:
            value = self._expr(operand, defined)  # a typed value: None only if its type says so
        if isinstance(value.type, ir.Optional):
            return ir.IsNone(ir.BOOL, value, negated)
        is_none = value.type == ir.NONE
        if ir.effect_free(value):
            return ir.Const(ir.BOOL, is_none != negated)
        return ir.IsNoneObject(ir.BOOL, value, negated)

    def _attribute_none_test(self, node: nodes.Attribute, base: ir.Expr, negated: bool) -> ir.Expr:
        cls = live_class(base.type)
        if cls is None:
            raise _Reject(node, f"the class `{base.type.qualname}` is not found in its module `{base.type.module}`")
        obstacle = attribute_obstacle(cls, node.attrname)
        if obstacle is not None:
            raise _Reject(node, obstacle)
        found = inspect.getattr_static(cls, node.attrname, _MISSING)
        if found is not _MISSING and type(found).__name__ != "member_descriptor" \
                and type(found).__flags__ & (1 << 9) and hasattr(type(found), "__get__"):
            raise _Reject(node, f"`{cls.__qualname__}.{node.attrname}` is a descriptor defined in Python: "
                                "reading it runs Python code")
        from rustify.analysis.source import receiver_classes

        kinds = dict(base.type.attrs)
        if self._classified_here(base) and node.attrname in kinds and any(
                c is cls for c in receiver_classes({**self.func.__globals__, **getattr(self, "imports", {})})):
            # the class's lookup of the name is guarded (`source.none_test_guards`)
            return ir.Const(ir.BOOL, (kinds[node.attrname] == "None") != negated)
        self.uses_objects = True
        if not self._exact_instance(base):
            self.note_deopt()  # (as every read of an object from a container)
        return ir.IsNoneObject(ir.BOOL, ir.AttrRead(ir.NONE, base, node.attrname), negated)

    def _attribute_class(self, cls: type) -> bool:
        """`cls` is one of `source.attribute_classes` of the function's namespace (its lookups are guarded)."""
        from rustify.analysis.source import attribute_classes

        return any(c is cls for c in attribute_classes({**self.func.__globals__, **getattr(self, "imports", {})}))

    def _rebound_names(self) -> set[str]:
        names = getattr(self, "_rebound_cache", None)
        if names is None:
            names = self._rebound_cache = {n.name for n in self.fdef.nodes_of_class(nodes.AssignName)
                                           if not isinstance(n.parent, nodes.Arguments)}
        return names

    # ------------------------------------------------------- held attributes

    def _held_slot(self, base: ir.Expr, name: str, t: ir.Type, written: bool) -> str | None:
        """The kernel local holding `base.name` for the call, or None if it is read and
        written on the object itself (see `_holds_attributes`)."""
        if not (isinstance(t, ir.Scalar) and t.name in _HELD_TYPES and self._exact_instance(base)
                and self._holds_attributes(base.name)):
            return None
        key = (base.name, name)
        held = self.held_attrs.get(key)
        if held is None:
            held = self.held_attrs[key] = ir.HeldAttr(f"held_{len(self.held_attrs)}", base.name, name, t, written)
        held.written = held.written or written
        return held.slot

    def _holds_attributes(self, param: str) -> bool:
        """An instance argument's number attributes live in kernel locals for the call when
        nothing else can see the object meanwhile: the body uses the argument only as
        `param.attr` (no method call, no passing it on, never rebound), and no other
        argument can hold an object of its class (so no other path reaches it)."""
        cache = self.__dict__.setdefault("_holds_cache", {})
        if param not in cache:
            cache[param] = self._only_attribute_uses(param) and self._class_reached_once(param)
        return cache[param]

    def _only_attribute_uses(self, param: str) -> bool:
        if param in self._rebound_names():
            return False
        for n in self.fdef.nodes_of_class(nodes.Name):
            if n.name != param:
                continue
            parent = n.parent
            if not (isinstance(parent, (nodes.Attribute, nodes.AssignAttr)) and parent.expr is n):
                return False  # `del p.x` (DelAttr) and every other use see the object itself
            if isinstance(parent.parent, nodes.Call) and parent.parent.func is parent:
                return False  # a method call sees the object itself
        return True

    def _class_reached_once(self, param: str) -> bool:
        t: ir.Instance = self.param_types[param]
        marker = f"obj[{t.module}:{t.qualname}"
        return sum(getattr(pt, "kind", str(pt)).count(marker) for pt in self.param_types.values()) == 1

    def _hold_attributes(self, body: list[ir.Stmt], return_type: ir.Type, logs: bool = False) -> list[ir.Stmt]:
        """The final body: module data loaded first; wrapped in an `AttrScope` if it holds
        attributes of its arguments, and in an `AttrUndo` if it may re-run in Python after
        setting attributes of its arguments or (`logs`) writing lists the caller sees."""
        line = self._line(self.fdef)
        body = [ir.LoadModuleData(line, d) for d in self.module_data.values()] + body
        if self.held_attrs:
            if self.unit_spec is not None and self.unit_spec.param_types is not None:
                # a callee's held writes reach the object when it returns: its caller sees them
                for h in self.held_attrs.values():
                    if h.written:
                        self.attr_writes[(h.param, h.attr)] = None
            body = [ir.AttrScope(line, list(self.held_attrs.values()), body, return_type == ir.NONE)]
        if (self.attr_writes or logs) and self.may_deopt and not self._is_callee():
            body = [ir.AttrUndo(line, list(self.attr_writes), body, return_type == ir.NONE, logs)]
            self.uses_objects = True
        return body

    def _is_callee(self) -> bool:
        return self.unit_spec is not None and self.unit_spec.param_types is not None

    def note_attr_write(self, node, base: ir.Expr, attr: str) -> None:
        """`base.attr = ...` (here or in a callee): undone before a re-run in Python when `base`
        is an instance argument as the call gave it (`ir.AttrUndo`); else a visible write."""
        if isinstance(base.type, ir.Instance) and self._exact_instance(base):
            self.attr_writes[(base.name, attr)] = None
        else:
            self.note_object_write(node, base)

    # ------------------------------------------------------------ methods

    def _user_function_call(self, node: nodes.Call, defined, receiver=None):
        """`p.m(...)` on an object is a call of the class's function `m` with `p` bound
        (calls.py translates it; a staticmethod or classmethod binds as Python does)."""
        if receiver is None:
            cast = self._typing_cast(node, defined)
            if cast is not None:
                return cast
            receiver = self._method_receiver(node, defined)
        return super()._user_function_call(node, defined, receiver)

    def _method_receiver(self, node: nodes.Call, defined):
        """(the class attribute, the class, the lowered object) of a method call on an
        object, or None if `node` is not one."""
        from rustify.analysis.source import class_attribute, python_function, receiver_classes
        from rustify.runtime.dispatch import Accelerated

        func = node.func
        if not isinstance(func, nodes.Attribute) or not self._names_a_value(func.expr):
            return None
        base = self._expr(func.expr, defined)
        if not isinstance(base.type, ir.Instance):
            self.hand_down((func.expr, base))
            return None
        cls = live_class(base.type)
        if cls is None:
            raise _Reject(node, f"the class `{base.type.qualname}` is not found in its module `{base.type.module}`")
        obstacle = attribute_obstacle(cls, func.attrname)
        if obstacle is not None:
            raise _Reject(node, obstacle)
        if func.attrname in dict(base.type.attrs):
            raise _Reject(node, f"`{func.attrname}` is an attribute of the object itself (it hides the method): "
                                "calling it is not translated")
        if not any(c is cls for c in receiver_classes({**self.func.__globals__, **getattr(self, "imports", {})})):
            raise _Reject(node, f"the class `{base.type.qualname}` is not a global of the module `{self.func.__module__}`: "
                                f"a method call on its object is translated only for the module's own and imported "
                                "classes (rebinding their methods drops the native code)")
        target = class_attribute(cls, func.attrname)
        resolved = python_function(target)  # looks through staticmethod, classmethod and rustify's wrappers
        if resolved is None:
            raise _Reject(node, f"`{base.type.qualname}.{func.attrname}` is not a method defined in Python")
        if isinstance(target, Accelerated):
            target = resolved[0]  # a method auto mode wrapped: its function, bound to the object
        if not self._exact_instance(base):  # its `__dict__` was not classified: checked at the call
            self.note_deopt()
            base = ir.MethodReceiver(base.type, base, func.attrname)
        return target, cls, base

    # ------------------------------------------------------------- writes

    def _attribute_store(self, s, target: nodes.AssignAttr, value: ir.Expr, defined, current=None) -> ir.Stmt:
        """`target.expr.attr = value` (`current`: the base already lowered, for `op=`)."""
        base = current if current is not None else self._expr(target.expr, defined)
        if not isinstance(base.type, ir.Instance):
            raise _Reject(s, f"attribute assignment on a {base.type} is not translated")
        if current is None and self._write_only_attribute(s, base, target.attrname, value):
            self.note_attr_write(s, base, target.attrname)
            self.uses_objects = True
            return ir.AttrStore(self._line(s), base, target.attrname, value)
        t = self._attribute_type(s, base, target.attrname, store=True)
        if value.type != t:  # `self.total = 0` makes a float attribute an int, as Python does
            raise _Reject(s, f"assigning a {value.type} to `{target.as_string()}` (a {t}) would change the "
                             "attribute's type: not translated")
        slot = self._held_slot(base, target.attrname, t, written=True)
        if slot is not None:
            return ir.HeldAttrStore(self._line(s), slot, value)
        self.note_attr_write(s, base, target.attrname)
        if value.type.is_object:
            self.note_object_escape(value)
        self.uses_objects = True
        return ir.AttrStore(self._line(s), base, target.attrname, value)

    def _write_only_attribute(self, node, base: ir.Expr, name: str, value: ir.Expr) -> bool:
        """`p.name = value` may give the attribute a value of another type (`p.error = None`,
        later `p.error = "..."`) when no function of the compile unit reads `name` of anything
        (so no kernel code depends on its type), the object had it at the call, not as a number
        held in a kernel local, and the value is None or a str. Python code after the call
        sees the object as set."""
        kinds = dict(base.type.attrs)
        if name not in kinds or kinds[name] in _HELD_TYPES or not (value.type == ir.NONE or value.type == ir.STR):
            return False
        cls = live_class(base.type)
        if cls is None or attribute_obstacle(cls, name) is not None:
            return False
        return not self._unit_reads_attribute(name)

    def _unit_reads_attribute(self, name: str) -> bool:
        """Some function of the compile unit may read attribute `name` (`x.name`, `x.name += 1`,
        or the text "name" anywhere, as `getattr(x, "name")` would have it)."""
        import ast

        sources = list(self.unit.sources.values()) if self.unit is not None else []
        for src in sources:
            for n in ast.walk(src.tree):
                if isinstance(n, ast.Attribute) and n.attr == name and not isinstance(n.ctx, ast.Store):
                    return True
                if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Attribute) and n.target.attr == name:
                    return True
                if isinstance(n, ast.Constant) and n.value == name:
                    return True
        return not sources

    def _assign(self, s, target, value_node, defined):
        if not isinstance(target, nodes.AssignAttr) or not self._names_a_value(target.expr):
            return super()._assign(s, target, value_node, defined)
        value = self._expr(value_node, defined)  # Python evaluates the value, then the object
        return [self._attribute_store(s, target, value, defined)], defined, False

    def _lower_aug_assign(self, s: nodes.AugAssign, defined):
        target = s.target
        if not isinstance(target, nodes.AssignAttr) or not self._names_a_value(target.expr):
            return super()._lower_aug_assign(s, defined)
        from rustify.analysis import typing_rules as rules

        op = rules.BINOPS.get(s.op[:-1])
        if op is None:
            raise _Reject(s, f"augmented operator `{s.op}` is not translated")
        if not isinstance(target.expr, nodes.Name):
            raise _Reject(s, "augmented assignment to an attribute of an expression (not a variable) is not translated")
        base = self._expr(target.expr, defined)
        if not isinstance(base.type, ir.Instance):
            raise _Reject(s, f"attribute assignment on a {base.type} is not translated")
        t = self._attribute_type(s, base, target.attrname)
        slot = self._held_slot(base, target.attrname, t, written=True)
        if slot is not None:
            current = ir.HeldAttrRead(t, slot)
        else:
            if not self._exact_instance(base):
                self.note_deopt()
            current = ir.AttrRead(t, base, target.attrname)
        value = self._binop(s, op, (current, False), self._expr_raw(s.value, defined))
        return [self._attribute_store(s, target, value, defined, current=base)], defined, False
