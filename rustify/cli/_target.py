"""Finding the user's code for the CLI: load a file as a module, run it as
`__main__`, resolve `module:function` and `FILE::FUNCTION`, parse signatures.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import importlib
import importlib.util
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Callable


class TargetError(Exception):
    """The code or function the user named cannot be found or loaded (exit code 2)."""


def unwrap(obj) -> types.FunctionType | None:
    """The plain Python function behind `obj` (an rustify wrapper, a recorder), or None."""
    for _ in range(8):
        if isinstance(obj, types.FunctionType) and not hasattr(obj, "__rustify_recorder__"):
            return obj
        inner = getattr(obj, "__wrapped__", None)
        if inner is None:
            return None
        obj = inner
    return None


@contextlib.contextmanager
def _script_environment(path: Path, argv: list[str], module: types.ModuleType, name: str):
    """sys.modules[name], sys.argv and sys.path[0] as when `python path argv...` runs."""
    saved_main = sys.modules.get(name)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.modules[name] = module
    sys.argv = [str(path), *argv]
    sys.path.insert(0, str(path.parent))
    try:
        yield
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        if name == "__main__" and saved_main is not None:
            sys.modules[name] = saved_main


def _read_script(path: Path) -> ast.Module:
    if not path.is_file():
        raise TargetError(f"no such file: {path}")
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as e:
        raise TargetError(f"{path} is not valid Python: {e}") from None


def run_as_main(path: Path, argv: list[str],
                after_statement: Callable[[types.ModuleType], None] | None = None) -> types.ModuleType:
    """Run the script at `path` as `__main__` (its workload included); returns its module.

    Top-level statements run one at a time, and `after_statement(module)` is
    called after each, so functions can be wrapped once defined and before the
    workload below them calls them. `sys.exit(0)` ends the run normally; other
    exceptions propagate.
    """
    path = path.resolve()
    tree = _read_script(path)
    module = types.ModuleType("__main__")
    module.__file__ = str(path)
    module.__builtins__ = builtins
    module.__spec__ = None
    flags = 0
    with _script_environment(path, argv, module, "__main__"):
        try:
            for stmt in tree.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                    for alias in stmt.names:
                        feature = getattr(__import__("__future__"), alias.name, None)
                        flags |= getattr(feature, "compiler_flag", 0)
                code = compile(ast.Module([stmt], type_ignores=[]), str(path), "exec", flags=flags, dont_inherit=True)
                exec(code, module.__dict__)
                if after_statement is not None:
                    after_statement(module)
        except SystemExit as e:
            if e.code not in (None, 0):
                raise
    return module


def load_file(path: Path) -> types.ModuleType:
    """Import the file at `path` as a module named after it, without running its
    `if __name__ == "__main__":` block."""
    path = path.resolve()
    _read_script(path)
    name = path.stem if path.stem.isidentifier() else "_rustify_target"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
        raise TargetError(f"importing {path} raised {type(e).__name__}: {e}") from e
    return module


def _lookup(namespace, dotted: str, where: str):
    obj = namespace
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise TargetError(f"{where} has no function {dotted!r}") from None
    return obj


def resolve_function(spec: str) -> types.FunctionType:
    """The function named by `module:function` or `FILE::FUNCTION` (a qualname may be dotted)."""
    if "::" in spec:
        file, _, name = spec.rpartition("::")
        obj = _lookup(load_file(Path(file)), name, file)
    elif ":" in spec:
        module_name, _, name = spec.partition(":")
        sys.path.insert(0, str(Path.cwd()))
        try:
            module = importlib.import_module(module_name)
        except ImportError as e:
            raise TargetError(f"cannot import module {module_name!r}: {e}") from None
        except Exception as e:
            raise TargetError(f"importing {module_name!r} raised {type(e).__name__}: {e}") from e
        finally:
            sys.path.remove(str(Path.cwd()))
        obj = _lookup(module, name, module_name)
    else:
        raise TargetError(f"name the function as module:function or FILE::FUNCTION, not {spec!r}")
    func = unwrap(obj)
    if func is None:
        raise TargetError(f"{spec} is a {type(obj).__name__}, not a Python function")
    return func


def parse_signature(text: str) -> tuple[str, ...]:
    """`"list[float], ndarray[float64,1,C]"` -> ("list[float]", "ndarray[float64, 1, C]").

    Raises TargetError naming the kinds rustify knows when one is unknown.
    """
    from rustify import ir

    kinds, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            kinds.append(current)
            current = ""
            continue
        depth += (ch == "[") - (ch == "]")
        current += ch
    kinds.append(current)
    result = []
    for kind in kinds:
        kind = kind.strip().replace(" ", "").replace(",", ", ")
        if kind not in ir.SIGNATURE_TYPES:
            known = ", ".join(ir.SIGNATURE_TYPES)
            raise TargetError(f"unknown argument kind {kind!r} in signature {text!r}; known kinds: {known}")
        result.append(kind)
    return tuple(result) if text.strip() else ()


class SignatureRecorder:
    """Wraps functions named on the command line and counts each call's signature.

    `install(module)` runs after each top-level statement of the script: every
    binding (in `__main__`, or a module named by a dotted target) whose
    function matches a target is replaced by a counting wrapper, once.
    """

    def __init__(self, targets: list[str]):
        self.targets = list(targets)
        self.functions: dict[str, types.FunctionType] = {}  # target -> the original function
        self.counts: dict[str, Counter] = {t: Counter() for t in targets}
        self._wrappers: dict[int, Callable] = {}

    def _matches(self, target: str, binding: str, func: types.FunctionType) -> bool:
        return target in (binding, func.__qualname__, f"{func.__module__}.{func.__qualname__}")

    def _wrapper(self, target: str, value: Callable, func: types.FunctionType) -> Callable:
        """A counting wrapper around `value` (the function, or rustify's wrapper of it)."""
        wrapper = self._wrappers.get(id(value))
        if wrapper is None:
            from rustify.runtime.signature import signature_of

            counts = self.counts[target]

            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                if not kwargs:
                    counts[signature_of(args)] += 1
                return value(*args, **kwargs)

            wrapper.__wrapped__ = value
            wrapper.__rustify_recorder__ = True
            self._wrappers[id(value)] = wrapper
            self.functions[target] = func
        return wrapper

    def install(self, main: types.ModuleType) -> None:
        namespaces = [main]
        for target in self.targets:
            module_name, _, _ = target.rpartition(".")
            if module_name in sys.modules and sys.modules[module_name] is not main:
                namespaces.append(sys.modules[module_name])
        for namespace in namespaces:
            for binding, value in list(vars(namespace).items()):
                if not callable(value) or hasattr(value, "__rustify_recorder__"):
                    continue
                func = unwrap(value)
                if func is None:
                    continue
                for target in self.targets:
                    if self._matches(target, binding, func):
                        setattr(namespace, binding, self._wrapper(target, value, func))
                        break

    def signatures(self, target: str) -> list[tuple[str, ...]]:
        """Signatures `target` was called with, most frequent first."""
        return [sig for sig, _ in self.counts[target].most_common()]
