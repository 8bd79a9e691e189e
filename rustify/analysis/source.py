"""Find a function's source, parse it, and fingerprint what its meaning depends on.

`load_source(func)` gives the dedented source and its position, and the sources
of the Python functions it calls (its compile unit); the fingerprint
(`source_fingerprint`) covers the AST and the values of the globals the body
reads, for the function and every callee, so a cache key changes whenever the
translation could; `global_guards` lists those globals so the runtime can
notice when one is rebound later.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import inspect
import sys
import textwrap
import types
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunctionSource:
    """The text of one function: dedented `text`, its file and first line, and its
    `tree` (Python's AST), parsed once, in the thread that loaded the source.

    Nothing that runs in rustify's background compile thread calls `ast.parse`:
    CPython 3.11 keeps the AST converter's recursion count per interpreter, not
    per thread, so two threads converting at once can make the *user's*
    `ast.parse` fail with "AST constructor recursion depth mismatch". The
    fingerprint, the guards and the analysis all read this tree instead."""

    text: str
    filename: str
    first_line: int
    tree: ast.Module = field(compare=False, repr=False)
    # the compile unit: every Python function the body calls, directly or through its
    # callees (at most MAX_CALLEES), with its source; one dict shared by the whole unit
    callees: dict = field(default_factory=dict, compare=False, repr=False)


# A compile unit holds at most this many callees (a call beyond them stays Python).
MAX_CALLEES = 32


def load_source(func: types.FunctionType) -> FunctionSource:
    """Source of `func` and of its callees (raises OSError/TypeError when Python cannot
    find the source of `func`, SyntaxError; a callee without source is left out)."""
    src = _parse_source(func, {})
    pending = [(func, src, None)]
    while pending:
        caller, caller_src, bound_class = pending.pop(0)
        for callee, callee_class in called_functions(caller, caller_src.tree, bound_class):
            if callee is func or callee in src.callees or len(src.callees) >= MAX_CALLEES:
                continue
            try:
                callee_src = _parse_source(callee, src.callees)
            except (OSError, TypeError, SyntaxError):
                continue  # the call stays Python, and says so (analysis)
            if not any(isinstance(n, ast.FunctionDef) for n in callee_src.tree.body):
                continue  # a lambda: likewise
            src.callees[callee] = callee_src
            pending.append((callee, callee_src, callee_class))
    return src


# code object -> (text, file, first line, tree): a function's source is read and parsed once per
# process (eager mode compiles every signature of it, and each compile unit loads its callees).
# Keyed on the code object, the source is the one the running code was compiled from; the tree
# is only ever read (see FunctionSource).
_parsed: dict = {}


def _parse_source(func: types.FunctionType, callees: dict) -> FunctionSource:
    code = func.__code__
    known = _parsed.get(code)
    if known is None:
        lines, first_line = inspect.getsourcelines(func)
        text = textwrap.dedent("".join(lines))
        tree = ast.parse(text, type_comments=True)  # as astroid parses (see analysis.astroid_module)
        _check_source_is_the_functions(func, tree)
        known = (text, inspect.getsourcefile(func) or "<unknown>", first_line, tree)
        if len(_parsed) > 4096:
            _parsed.clear()
        _parsed[code] = known
    return FunctionSource(known[0], known[1], known[2], known[3], callees)


# id(tree) -> [tree, its first def, every node of that def's body in ast.walk order per
# statement, ast.dump of the tree and whether it asserts (None until asked)]: the walks the guards and the fingerprint make of
# one tree, made once (a tree is never changed once parsed)
_walked: dict = {}


def _body_of(tree: ast.AST) -> list:
    memo = _walked.get(id(tree))
    if memo is None or memo[0] is not tree:
        fdef = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)), None)
        nodes = tuple(n for stmt in fdef.body for n in ast.walk(stmt)) if fdef is not None else ()
        if len(_walked) > 4096:
            _walked.clear()
        memo = _walked[id(tree)] = [tree, fdef, nodes, None, None]
    return memo


def _check_source_is_the_functions(func: types.FunctionType, tree: ast.Module) -> None:
    """The source read for `func` (its file's lines now, from `co_firstlineno`) defines `func`:
    same name and parameter names. A file edited since the module was imported shifts the
    lines, and translating whatever now stands there would give another function's results."""
    if func.__name__ == "<lambda>":
        return
    fdef = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    code = func.__code__
    names = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    if fdef is None or fdef.name != func.__name__ or [a.arg for a in fdef.args.posonlyargs + fdef.args.args
                                                       + fdef.args.kwonlyargs] != names:
        raise OSError(f"the source file no longer defines `{func.__name__}` at line {code.co_firstlineno} "
                      "(it was edited after the module was imported)")


def python_function(obj) -> tuple[types.FunctionType, bool] | None:
    """The Python function that calling `obj` runs, and whether it is a classmethod's
    (its first parameter is then the class), looking through staticmethod, classmethod
    and rustify's own wrappers; None for anything else (builtins, classes, other
    wrappers: a decorator's `__wrapped__` need not behave like the wrapper)."""
    from rustify.runtime.dispatch import Accelerated

    is_classmethod = False
    for _ in range(16):  # a bounded walk: wrapper chains can be cyclic
        if isinstance(obj, staticmethod):
            obj = obj.__func__
        elif isinstance(obj, classmethod):
            obj, is_classmethod = obj.__func__, True
        elif isinstance(obj, Accelerated):
            obj = obj.__wrapped__
        elif isinstance(obj, types.FunctionType):
            return obj, is_classmethod
        else:
            return None
    return None


def class_attribute(cls: type, name: str):
    """`name` as defined in `cls` or a base class (the staticmethod or classmethod object
    itself, not what attribute access would bind), or None."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


# Values frozen into native code as constants when a module or class attribute holds them
# (`math.pi`, `Geodesic.tol2_`): their exact types, and tuples of them.
_FROZEN_TYPES = (int, float, bool, complex, str, bytes, type(None))


def is_frozen_constant(value, depth: int = 0) -> bool:
    """`value` is an int, float, bool, complex, str, bytes, None or a tuple of them (exact types)."""
    t = type(value)
    if t in _FROZEN_TYPES:
        return True
    return (t is tuple or _is_structseq(t)) and depth < 4 and len(value) <= 64 and all(
        is_frozen_constant(v, depth + 1) for v in value)


def _is_structseq(t: type) -> bool:
    """`sys.version_info`, `sys.float_info`: a C named tuple (immutable, compares as a tuple)."""
    return t.__bases__ == (tuple,) and hasattr(t, "n_sequence_fields") and not t.__flags__ & (1 << 9)


def class_constant(cls: type, name: str):
    """(value, the class in `cls.__mro__` that defines it) when `cls.name` reads a constant
    (see `is_frozen_constant`) the class body (or a base's) bound, running no Python code:
    no metaclass, no dunder name; None otherwise."""
    if type(cls) is not type or name.startswith("__"):
        return None
    for klass in cls.__mro__:
        if name in vars(klass):
            value = vars(klass)[name]
            return (value, klass) if is_frozen_constant(value) else None
    return None


def defining_class(func: types.FunctionType) -> type | None:
    """The class whose body defines `func` (found by its qualified name in its module, and
    holding `func` itself, or rustify's wrapper of it); None for a module-level function."""
    parts = func.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    obj = sys.modules.get(func.__module__)
    for part in parts[:-1]:
        obj = vars(obj).get(part) if isinstance(obj, (types.ModuleType, type)) else None
    if not isinstance(obj, type):
        return None
    found = python_function(vars(obj).get(parts[-1]))
    return obj if found is not None and found[0] is func else None


def attribute_constant_guards(func: types.FunctionType, tree: ast.AST,
                              bound_class: type | None = None) -> list[tuple[dict, str, object]]:
    """(namespace, attribute, value) for each constant the body reads as `module.NAME` or
    `Class.NAME` (and each link of a chain such as `mod.Class.NAME`), or as `self.NAME` in a
    method of the class that binds NAME (`defining_class`): the translation freezes
    the value in, so rebinding the attribute (or shadowing it in a class nearer in the MRO)
    drops the native code, as rebinding a global does."""
    fdef, body = _body_of(tree)[1:3]
    guards: list = []
    if fdef is None:
        return guards
    cls_param = fdef.args.args[0].arg if bound_class is not None and fdef.args.args else None
    namespace = _namespace(func, tree)
    seen = set()
    self_param = fdef.args.args[0].arg if fdef.args.args and bound_class is None else None
    own_class = defining_class(func) if self_param is not None else None
    for node in body:
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)) or id(node) in seen:
            continue
        if (own_class is not None and isinstance(node.value, ast.Name) and node.value.id == self_param
                and class_constant(own_class, node.attr) is not None):
            guards += _lookup_guards(own_class, node.attr)  # `self.NAME` of a class constant
            continue
        owner = _static_value(node.value, namespace, cls_param, bound_class)
        if isinstance(owner, types.ModuleType):
            if node.attr not in vars(owner) or not is_frozen_constant(vars(owner)[node.attr]):
                continue
        elif not isinstance(owner, type) or class_constant(owner, node.attr) is None:
            continue
        link = node
        while isinstance(link, ast.Attribute):  # `mod.Class.NAME`: each lookup on the way
            seen.add(id(link))
            owner = _static_value(link.value, namespace, cls_param, bound_class)
            guards += _lookup_guards(owner, link.attr)
            link = link.value
    return list({(id(ns), attr): (ns, attr, value) for ns, attr, value in guards}.values())


def isinstance_class_guards(func: types.FunctionType, tree: ast.AST) -> list[tuple[dict, str, object]]:
    """(namespace, attribute, value) for each link of a `module.Class` chain given to
    `isinstance` as its class (`isinstance(data, util.QRData)`, also in a tuple): the
    translation decides the test with that class, so rebinding it drops the native code."""
    fdef, body = _body_of(tree)[1:3]
    guards: list = []
    if fdef is None:
        return guards
    namespace = _namespace(func, tree)
    for node in body:
        if not (isinstance(node, ast.Call) and len(node.args) == 2
                and _static_value(node.func, namespace, None, None) is builtins.isinstance):
            continue
        classes = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
        for link in classes:
            while isinstance(link, ast.Attribute):
                guards += _lookup_guards(_static_value(link.value, namespace, None, None), link.attr)
                link = link.value
    return guards


def _lookup_guards(owner, attr: str) -> list[tuple[dict, str, object]]:
    if isinstance(owner, types.ModuleType):
        ns = vars(owner)
        return [(ns, attr, ns.get(attr, MISSING))]
    if isinstance(owner, type):
        out = []
        for klass in owner.__mro__:
            ns = _class_namespace(klass)
            out.append((ns, attr, ns.get(attr, MISSING)))
            if attr in vars(klass):
                break
        return out
    return []


def called_functions(func: types.FunctionType, tree: ast.AST, bound_class: type | None = None):
    """(function, class or None) for every Python function a call in the body may run:
    a called global name, `module.f`, `Class.f` (staticmethod or classmethod; `cls.f`
    in a classmethod of `bound_class`), each looked through by `python_function`."""
    from rustify.analysis.intrinsics import resolve_intrinsic

    fdef, body = _body_of(tree)[1:3]
    if fdef is None:
        return []  # a lambda (analysis says it is not a plain `def`)
    cls_param = fdef.args.args[0].arg if bound_class is not None and fdef.args.args else None
    namespace = _namespace(func, tree)
    found = []
    for node in body:
        if _reads_an_object_attribute(node, namespace):  # `p.name` may run a property's getter: lower/objects.py
            for getter in _property_getters(namespace, node.attr):
                if getter not in (f for f, _ in found):
                    found.append((getter, None))
        if not isinstance(node, ast.Call):
            continue
        owner, target = None, _static_value(node.func, namespace, cls_param, bound_class)
        if isinstance(node.func, ast.Attribute):
            owner = _static_value(node.func.value, namespace, cls_param, bound_class)
            if isinstance(owner, type):
                target = class_attribute(owner, node.func.attr)
        if owner is None and isinstance(node.func, ast.Attribute):  # `p.m()` on an object: lower/objects.py
            for method, cls in _methods_named(namespace, node.func.attr):
                if method not in (f for f, _ in found):
                    found.append((method, cls))
        if target is None or resolve_intrinsic(target) is not None:
            continue  # not a Python function, or one the translator knows itself (np.ones)
        resolved = python_function(target)
        if resolved is not None and resolved[0] not in (f for f, _ in found):
            found.append((resolved[0], owner if resolved[1] and isinstance(owner, type) else None))
    return found


def local_imports(func: types.FunctionType, tree: ast.AST) -> dict[str, object]:
    """name -> object for each `from M import N [as A]` at the top level of the body whose
    module is loaded (in `sys.modules`, initialised) and binds N, where A is bound by nothing
    else in the function and read only after the import: such an import runs no code of
    the program (it finds the module in `sys.modules` and N in it), so the name reads like a
    global (`import_guards` drops the native code if either is rebound)."""
    return {name: found[2] for name, found in _local_imports(func, tree).items()}


# (func, tree) -> (func, tree, what the answer read from sys.modules, the answer): the walk over
# the body is the cost (eager mode fingerprints every signature's compile unit, and a module's
# big functions are callees of many), so it is redone only when an import it read changed
_local_imports_memo: dict = {}
_NO_NAME = object()


def _import_state(fdef: ast.FunctionDef) -> tuple:
    """Everything `_local_imports` reads outside the tree: per top-level `from M import N`, the
    module in sys.modules, whether it is initialising, and the object each name binds."""
    state = []
    for stmt in fdef.body:
        if isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
            module = sys.modules.get(stmt.module)
            spec = getattr(module, "__spec__", None)
            names = vars(module) if isinstance(module, types.ModuleType) else {}
            state.append(module)
            state.append(getattr(spec, "_initializing", False))
            state.extend(names.get(a.name, _NO_NAME) for a in stmt.names)
    return tuple(state)


def _local_imports(func: types.FunctionType, tree: ast.AST) -> dict[str, tuple]:
    fdef = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)), None)
    if fdef is None or not _plain_import_machinery(func):
        return {}
    state = _import_state(fdef)
    memo = _local_imports_memo.get((id(func), id(tree)))
    if (memo is not None and memo[0] is func and memo[1] is tree and len(memo[2]) == len(state)
            and all(a is b for a, b in zip(memo[2], state))):
        return memo[3]
    found = _walk_local_imports(func, fdef)
    if len(_local_imports_memo) > 4096:
        _local_imports_memo.clear()
    _local_imports_memo[(id(func), id(tree))] = (func, tree, state, found)
    return found


def _walk_local_imports(func: types.FunctionType, fdef: ast.FunctionDef) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    bound_twice: set[str] = set()
    for index, stmt in enumerate(fdef.body):
        if not isinstance(stmt, ast.ImportFrom) or stmt.level or not stmt.module:
            continue
        module = sys.modules.get(stmt.module)
        spec = getattr(module, "__spec__", None)
        if not isinstance(module, types.ModuleType) or getattr(spec, "_initializing", False):
            continue
        for alias in stmt.names:
            name = alias.asname or alias.name
            if name in found:
                bound_twice.add(name)
            if alias.name != "*" and alias.name in vars(module):
                found[name] = (index, stmt.module, vars(module)[alias.name], module, alias.name)
    params = {a.arg for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs}
    params |= {a.arg for a in (fdef.args.vararg, fdef.args.kwarg) if a is not None}
    for index, stmt in enumerate(fdef.body):
        for node in ast.walk(stmt):
            names = ()
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load) and node.id in found and index <= found[node.id][0]:
                    bound_twice.add(node.id)  # read before (or in) the import: UnboundLocalError
                elif not isinstance(node.ctx, ast.Load):
                    names = (node.id,)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = (node.name,)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                names = tuple(node.names)
            elif isinstance(node, ast.arg) or isinstance(node, ast.ExceptHandler) and node.name:
                names = (node.arg if isinstance(node, ast.arg) else node.name,)
            elif isinstance(node, ast.Import):
                names = tuple((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node is not fdef.body[index]:
                names = tuple(a.asname or a.name for a in node.names)  # an import nested in a block
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:  # at the top level: the import found, or another binding the name
                    name = a.asname or a.name
                    if name in found and (found[name][0] != index or a.name == "*"):
                        bound_twice.add(name)
            bound_twice.update(n for n in names if n in found)
    return {name: v for name, v in found.items() if name not in bound_twice and name not in params}


def _plain_import_machinery(func: types.FunctionType) -> bool:
    """The function's imports call CPython's own `__import__` (not one the program put in)."""
    b = func.__globals__.get("__builtins__", builtins)
    b = vars(b) if isinstance(b, types.ModuleType) else b
    imp = b.get("__import__") if isinstance(b, dict) else None
    return b is vars(builtins) and type(imp) is types.BuiltinFunctionType and imp.__self__ is builtins


def import_guards(func: types.FunctionType, tree: ast.AST) -> list[tuple[dict, str, object]]:
    """(namespace, name, value) for each import `local_imports` reads as a global: the module in
    `sys.modules`, the name in the module, and `builtins.__import__`."""
    guards = []
    for _, modname, value, module, attr in _local_imports(func, tree).values():
        guards += [(sys.modules, modname, module), (vars(module), attr, value)]
    if guards:
        guards.append((vars(builtins), "__import__", vars(builtins)["__import__"]))
    return guards


def _namespace(func: types.FunctionType, tree: ast.AST) -> dict:
    """The names a body reads as globals: the module's, and the imports of `local_imports`."""
    imports = local_imports(func, tree)
    return {**func.__globals__, **imports} if imports else func.__globals__


def _reads_an_object_attribute(node: ast.AST, namespace: dict) -> bool:
    """`node` is `x.name` read, where `x` is not a module or class the namespace names."""
    return (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
            and not isinstance(_static_value(node.value, namespace, None, None), (type, types.ModuleType)))


def _property_getters(namespace: dict, name: str) -> list:
    """The Python getters of the properties (exactly `property`) named `name` in the classes
    of `namespace` (`receiver_classes`): what reading `p.name` may run."""
    getters = []
    for cls in attribute_classes(namespace):
        prop = inspect.getattr_static(cls, name, None)
        resolved = python_function(prop.fget) if type(prop) is property else None
        if resolved is not None and not resolved[1] and resolved[0] not in getters:
            getters.append(resolved[0])
    return getters[:4]


def property_read_guards(func: types.FunctionType, tree: ast.AST) -> list[tuple[dict, str, object]]:
    """(namespace, attribute, value) for each `p.name` read in the body where a class of
    `attribute_classes` binds `name` to a property: its lookup through the MRO up to the class
    defining it, so rebinding the property (or shadowing it in a subclass) after the compile
    drops the native code, as for a method (`method_call_guards`)."""
    fdef, body = _body_of(tree)[1:3]
    if fdef is None:
        return []
    namespace = _namespace(func, tree)
    names = {node.attr for node in body if _reads_an_object_attribute(node, namespace)}
    guards = []
    for cls in attribute_classes(namespace) if names else ():
        for name in sorted(names):
            if type(inspect.getattr_static(cls, name, None)) is property:
                guards += _lookup_guards(cls, name)
    return guards


def none_test_guards(func: types.FunctionType, tree: ast.AST) -> list[tuple[dict, str, object]]:
    """(namespace, attribute, value) for each `p.name is None` (or `is not None`) in the body:
    for every class of `receiver_classes`, the lookup of `name` through its MRO. The test of
    an attribute classified at the call is decided when compiling (lower/objects.py), so a
    property or other descriptor given to the class later drops the native code."""
    fdef, body = _body_of(tree)[1:3]
    if fdef is None:
        return []
    namespace = _namespace(func, tree)
    names = set()
    for node in body:
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot)):
            for side in (node.left, node.comparators[0]):
                if _reads_an_object_attribute(side, namespace):
                    names.add(side.attr)
    guards = []
    for cls in receiver_classes(namespace) if names else ():
        for name in sorted(names):
            guards += _lookup_guards(cls, name)
    return guards


def _lookup_kind(value) -> str:
    """What a class binds to a name, as far as reading it on an object goes (stable across processes)."""
    if value is MISSING:
        return "missing"
    kind = type(value)
    if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
        return f"data descriptor {kind.__module__}.{kind.__qualname__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _methods_named(namespace: dict, name: str) -> list:
    """(function, class for a classmethod or None) named `name` in the classes of `namespace`
    (a module's globals: the classes it defines, then those it imports): what `p.name()` may
    run on an instance of one."""
    methods = []
    classes = receiver_classes(namespace)
    own = [c for c in classes if c.__module__ == namespace.get("__name__")]
    for value in own + [c for c in classes if c not in own]:  # its own classes, then those it imports
        resolved = python_function(class_attribute(value, name))
        if resolved is not None and resolved[0] not in (f for f, _ in methods):
            methods.append((resolved[0], value if resolved[1] else None))
    return methods[:4]



def _static_value(node: ast.AST, namespace: dict, cls_param: str | None, bound_class):
    """What a name or `module.attr` chain refers to now, without running user code; None if unknown."""
    if isinstance(node, ast.Name):
        if node.id == cls_param:
            return bound_class
        return namespace.get(node.id, getattr(builtins, node.id, None))
    if isinstance(node, ast.Attribute):
        base = _static_value(node.value, namespace, cls_param, bound_class)
        if isinstance(base, types.ModuleType):
            return vars(base).get(node.attr)
        if isinstance(base, type):
            return class_attribute(base, node.attr)
    return None


def global_names(tree: ast.AST) -> list[str]:
    """Names the function reads that it does not assign (its free names)."""
    fdef, body = _body_of(tree)[1:3]  # the body's nodes: not the decorators or annotations
    if fdef is None:
        raise StopIteration  # (as the walk for the def did: no def in the tree)
    stored = {n.id for n in body if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    stored |= {a.arg for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs}
    stored |= {(a.asname or a.name).split(".")[0] for n in body if isinstance(n, (ast.Import, ast.ImportFrom))
               for a in n.names}  # an import in the body binds a local
    return sorted({n.id for n in body if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - stored)


def describe_global(value: object) -> str:
    """A stable description of a global's value for the cache key."""
    if isinstance(value, (bool, int, float, complex, str)) or value is None:
        return f"{type(value).__name__}:{value!r}"
    if type(value) is tuple and len(value) <= 64:
        # a tuple constant (frozen into the translation): by its items, never by its id
        return "tuple:(" + ",".join(describe_global(v) if type(v) is not tuple else "tuple" + repr(v)
                                    for v in value) + ")"
    if isinstance(value, tuple) and _is_structseq(type(value)):
        return f"{type(value).__name__}:{tuple(value)!r}"  # sys.version_info
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}"
    if type(value) in (list, dict, set, bytearray):
        # module data, read live at each call (lower/objects.py): only its kind is compiled in
        from rustify.runtime.signature import data_kind
        return f"live:{data_kind(value)}"
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    module = getattr(value, "__module__", None)
    if name:
        return f"{type(value).__name__}:{module}.{name}"
    return f"{type(value).__name__}:{id(value)}"


MISSING = object()  # a guard value: the name was not a global at compile time


def global_guards(func: types.FunctionType, src: FunctionSource) -> tuple[tuple[dict, str, object], ...]:
    """(namespace, name, value) for every global the body and its callees read, as frozen
    into the translation (a callee's namespace is its own module's globals).

    Native code holds these values as constants; the dispatcher compares them
    with the live globals before a native call, so rebinding a module constant
    (or shadowing a builtin, or a helper the function calls) can never leave
    stale native code running.
    """
    guards, bound = [], {}  # bound: a classmethod callee -> its class (its `cls`)
    for f, s in ((func, src), *src.callees.items()):
        g = f.__globals__
        guards += [(g, name, g.get(name, MISSING)) for name in global_names(s.tree)]
        guards += _attribute_callee_guards(f, s.tree, bound.get(f))
        guards += attribute_constant_guards(f, s.tree, bound.get(f))
        guards += method_call_guards(f, s.tree)
        guards += isinstance_class_guards(f, s.tree)
        guards += property_read_guards(f, s.tree)
        guards += none_test_guards(f, s.tree)
        guards += import_guards(f, s.tree)
        for callee, cls in called_functions(f, s.tree, bound.get(f)):
            if cls is not None:
                bound.setdefault(callee, cls)
    return tuple(guards)


def _attribute_callee_guards(func: types.FunctionType, tree: ast.AST,
                             bound_class: type | None = None) -> list[tuple[dict, str, object]]:
    """(namespace, attribute, value) for each call of a Python function as `module.f(...)`
    or `Class.f(...)` (the class and its bases up to the one defining `f`; `cls.f(...)` in
    a classmethod of `bound_class`): rebinding that attribute drops the native code, as
    rebinding a global does."""
    from rustify.analysis.intrinsics import resolve_intrinsic

    fdef, body = _body_of(tree)[1:3]
    guards = []
    if fdef is None:
        return guards
    cls_param = fdef.args.args[0].arg if bound_class is not None and fdef.args.args else None
    namespace = _namespace(func, tree)
    for node in body:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = _static_value(node.func.value, namespace, cls_param, bound_class)
        attr = node.func.attr
        if isinstance(owner, types.ModuleType):
            namespaces = [vars(owner)]
        elif isinstance(owner, type):
            namespaces = []
            for klass in owner.__mro__:
                namespaces.append(_class_namespace(klass))
                if attr in vars(klass):
                    break
        else:
            continue
        value = _static_value(node.func, namespace, cls_param, bound_class)
        if value is None or resolve_intrinsic(value) is not None or python_function(value) is None:
            continue
        guards += [(ns, attr, ns.get(attr, MISSING)) for ns in namespaces]
    return guards


def receiver_classes(namespace: dict) -> list[type]:
    """The classes defined in Python that a module's globals (`namespace`) bind: the classes
    whose methods a call `p.m()` on an object may be translated for (lower/objects.py),
    and whose lookups `method_call_guards` guards."""
    return [v for v in list(namespace.values()) if isinstance(v, type) and v.__flags__ & (1 << 9)]


def attribute_classes(namespace: dict) -> list[type]:
    """`receiver_classes(namespace)`, then the Python classes defined by the modules the
    namespace binds (`from PIL import Image`: `Image.Image`): the classes whose properties
    `p.name` may run (lower/objects.py); `property_read_guards` guards their lookups of
    the names that are properties."""
    from rustify.runtime.signature import _plain_class

    classes = receiver_classes(namespace)
    seen = {id(c) for c in classes}
    for module in [v for v in list(namespace.values()) if isinstance(v, types.ModuleType)]:
        if module.__name__.partition(".")[0] == "numpy":
            continue  # its Python classes (poly1d, ...) are never objects the translator reads
        for v in list(vars(module).values()):
            # only classes whose objects can be classified (`obj[...]`): not numpy's ndarray subclasses
            if isinstance(v, type) and v.__flags__ & (1 << 9) and v.__module__ == module.__name__ \
                    and id(v) not in seen and _plain_class(v) is not None:
                seen.add(id(v))
                classes.append(v)
    return classes


def method_call_guards(func: types.FunctionType, tree: ast.AST) -> list[tuple[dict, str, object]]:
    """(namespace, attribute, value) for each `p.m(...)` on an object in the body: for every
    class of `receiver_classes` whose `m` is a Python function, the lookup of `m` through its
    MRO up to the class defining it, so rebinding `Class.m` (or giving a subclass an `m` of its
    own) after the compile drops the native code."""
    fdef = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)), None)
    if fdef is None:
        return []
    namespace = _namespace(func, tree)
    names = set()
    for node in (n for stmt in fdef.body for n in ast.walk(stmt)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and not isinstance(_static_value(node.func.value, namespace, None, None), (type, types.ModuleType))):
            names.add(node.func.attr)
    guards = []
    for cls in receiver_classes(namespace) if names else ():
        for name in sorted(names):
            if python_function(class_attribute(cls, name)) is not None:
                guards += _lookup_guards(cls, name)
    return guards


def _class_namespace(cls: type):
    """The dict behind `cls.__dict__` (a read-only proxy of it), which a guard reads; the proxy
    itself if CPython shows no single dict behind it."""
    import gc

    behind = [r for r in gc.get_referents(vars(cls)) if type(r) is dict]
    return behind[0] if len(behind) == 1 else vars(cls)


def source_fingerprint(func: types.FunctionType, src: FunctionSource) -> str:
    """Hash of the function's AST and of every global value it reads, and the same of
    every callee in its compile unit (so editing a helper rebuilds its callers)."""
    h = hashlib.sha256(_own_fingerprint(func, src).encode())
    for callee, callee_src in src.callees.items():
        h.update(f"\0callee {callee.__module__}.{callee.__qualname__}=".encode())
        h.update(_own_fingerprint(callee, callee_src).encode())
    return h.hexdigest()


def _own_fingerprint(func: types.FunctionType, src: FunctionSource) -> str:
    tree = src.tree
    memo = _body_of(tree)
    if memo[3] is None:
        memo[3] = ast.dump(tree, include_attributes=False)
    h = hashlib.sha256(memo[3].encode())
    for name in global_names(tree):
        if name in func.__globals__:
            h.update(f"{name}={describe_global(func.__globals__[name])}".encode())
        elif hasattr(builtins, name):
            h.update(f"{name}=builtin".encode())
        else:
            h.update(f"{name}=missing".encode())
    for _, attr, value in _attribute_callee_guards(func, tree):  # `module.f(...)`: which `f` it is now
        if value is not MISSING:
            h.update(f".{attr}={describe_global(value)}".encode())
    for name, (_, modname, value, _, attr) in _local_imports(func, tree).items():  # `from M import N` in the body
        h.update(f"import {modname}.{attr} as {name}={describe_global(value)}".encode())
    for _, attr, value in attribute_constant_guards(func, tree):  # `Class.NAME`, `mod.NAME`: frozen in
        h.update(f".{attr}:={describe_global(value)}".encode())
    for _, attr, value in isinstance_class_guards(func, tree):  # `isinstance(x, mod.Class)`: which class
        h.update(f".{attr}?={describe_global(value)}".encode())
    for _, attr, value in none_test_guards(func, tree):  # `p.attr is None`: what the classes bind there
        h.update(f".{attr} is None:{_lookup_kind(value)}".encode())
    h.update(repr(func.__defaults__).encode())
    h.update(repr(func.__kwdefaults__).encode())
    if memo[4] is None:
        memo[4] = any(isinstance(n, ast.Assert) for n in ast.walk(tree))
    if memo[4]:
        h.update(f"optimize={sys.flags.optimize}".encode())  # `python -O` strips asserts
    numpy = sys.modules.get("numpy")
    if numpy is not None and any(func.__globals__.get(n) is numpy for n in global_names(tree)) and any(
            isinstance(n, ast.Attribute) and n.attr in ("exp", "log", "sin", "cos") for n in ast.walk(tree)):
        from rustify.analysis.intrinsics_numpy import numpy_uses_own_float64_math  # np.exp translated or not
        h.update(f"numpy-own-float64-math={numpy_uses_own_float64_math()}".encode())
    return h.hexdigest()
