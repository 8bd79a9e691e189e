"""The import-hook front door: auto mode for whole packages.

    rustify.install_import_hook(["mypkg", "other.sub"])

In: package names. Out: every module of those packages (the package itself and
its submodules) that is imported afterwards has its plain functions, and the
staticmethods of the classes it defines, replaced in the module by
`rustify.accelerate(func, front_door="auto")` wrappers. The compile policy comes
from the settings (`RUSTIFY_MODE`: profile compiles only hot signatures, eager
compiles every signature at its first call, off never compiles).

The same mechanism is behind `rustify run --auto PKG` and `RUSTIFY_AUTO=pkg`
(read at interpreter start by the installed `rustify-auto.pth`).

How: a `MetaPathFinder` placed first on `sys.meta_path` asks the other finders
for the spec, and gives matched modules a loader of the same class whose
`exec_module` runs the module and then wraps its functions. The module keeps a
loader of its original type, so `get_source`, resource readers and
`isinstance` checks behave as before.

What is wrapped: functions defined in that module (their `__module__` is the
module and their `__qualname__` a top-level name or `Class.name`: a staticmethod or
an instance method, not a classmethod or a dunder method) that could
ever be translated: not generators or coroutines, no `*args`/`**kwargs` or
keyword-only parameters, no closure, no `__wrapped__` (the code of a decorator's
wrapper is not the source `inspect` shows) and no attributes of their own (a
marker some framework looks for). Test modules (`test_*`, `*_test`, `conftest`,
anything under a `test`/`tests`/`testing` package) are left alone unless a
requested name is itself one, so a package's own test suite runs unchanged.

When a function is wrapped: under `--mode eager` and `off`, and with the ski rental
off, at import (every call goes through the wrapper). In profile mode with the ski
rental (the auto-mode default) a function is only *watched* at import: a SIGPROF
sampler (the profile block's process timer, `profiling/sampler.py`, one sample per
`WATCH_INTERVAL` of process CPU) charges each sample to the innermost frame, and a
function is wrapped once its sampled own time reaches half the price of a build
(`build.costs.expected_build_ns`, never under `threshold_ms`): a wrapper that could
never earn a build back is never put on, so a function that never gets hot costs
nothing per call and no analysis. A function the cache's index lists (an earlier run
built or refused it) is wrapped at import, so its artifact or verdict is taken at
its `min_calls`-th call. Without the timer (imports before the hook runs off the
main thread, or ITIMER_PROF held by someone else) functions are wrapped at import.
Only the main thread's frames are sampled.

Modules already imported when the hook is installed are wrapped in place. A
reference taken before that (`from mypkg import f` in another module) keeps the
original function: only the module attribute is replaced.
"""

from __future__ import annotations

import importlib.abc
import inspect
import sys
import threading
import types

_CODE_FLAGS_NEVER_TRANSLATED = (
    inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ITERABLE_COROUTINE | inspect.CO_ASYNC_GENERATOR
    | inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
_TEST_PARTS = {"test", "tests", "testing", "conftest"}
_NEVER_WRAPPED = ("rustify",)

_lock = threading.RLock()
_finder: "_AutoFinder | None" = None
# id(original function) -> wrapper, so an alias in the module gets the same wrapper
_wrappers: dict[int, object] = {}
# (owner: module or class, attribute name, original) for every replacement made
_replaced: list[tuple[object, str, object]] = []
# code of a watched, not yet wrapped function -> its places [(owner, attr, current value, function)]
_watched: dict[types.CodeType, list[tuple[object, str, object, types.FunctionType]]] = {}
WATCH_INTERVAL = 0.005  # seconds of process CPU between the watcher's samples


def install_import_hook(packages) -> list[str]:
    """Wrap the plain functions of `packages` (names like "pkg" or "pkg.sub").

    Idempotent: installing again adds the new names to the same hook. Modules of
    those packages already in `sys.modules` are wrapped now. Returns every
    package name the hook matches.
    """
    if isinstance(packages, str):
        packages = [packages]
    names = _clean_names(packages)
    with _lock:
        global _finder
        if _finder is None:
            _finder = _AutoFinder()
        _finder.packages = tuple(dict.fromkeys([*_finder.packages, *names]))
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
        for name, module in list(sys.modules.items()):
            if module is not None and _finder.matches(name):
                wrap_module(module)
        return list(_finder.packages)


def uninstall_import_hook() -> None:
    """Stop wrapping modules imported from now on, and put the original functions
    back wherever the hook's wrapper is still in place (module attributes and
    staticmethods). References others took to a wrapper keep working."""
    global _finder
    with _lock:
        if _finder is not None and _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        _finder = None
        _watcher.stop()
        _watched.clear()
        for owner, attr, original in reversed(_replaced):
            current = getattr(owner, "__dict__", {}).get(attr)
            wrapped = current.__func__ if isinstance(current, staticmethod) else current
            if getattr(wrapped, "__wrapped__", None) is original and _wrappers.get(id(original)) is wrapped:
                try:
                    setattr(owner, attr, staticmethod(original) if isinstance(current, staticmethod) else original)
                except (AttributeError, TypeError):
                    pass
        _replaced.clear()
        _wrappers.clear()


def hooked_packages() -> list[str]:
    """The package names the installed hook matches ([] when none is installed)."""
    return list(_finder.packages) if _finder is not None else []


def watched_functions() -> list[types.FunctionType]:
    """The functions the hook watches and has not wrapped yet (profile mode: see the module docstring)."""
    with _lock:
        return [places[0][3] for places in _watched.values()]


def wrapped_functions() -> list:
    """The `Accelerated` wrappers the hook made (in the order it made them)."""
    with _lock:
        return list(_wrappers.values())


def wrap_module(module: types.ModuleType) -> int:
    """Wrap `module`'s plain functions and its classes' staticmethods and instance methods in place.

    Returns how many functions it wrapped now. Test modules are skipped (see the
    module docstring); anything that cannot be replaced is left as it is.
    """
    name = getattr(module, "__name__", None)
    if not isinstance(name, str) or _is_own(name):
        return 0
    if _is_test_module(name) and not any(_is_test_module(p) for p in hooked_packages() if _covers(p, name)):
        return 0
    count = 0
    lazy = _watching()
    with _lock:
        for attr, value in list(vars(module).items()):
            # an alias (`g = f`) gets the same wrapper as the function's own name
            if isinstance(value, types.FunctionType) and _is_plain(value, name, value.__qualname__) \
                    and "." not in value.__qualname__:
                count += _place(module, attr, value, value, lazy)
            elif isinstance(value, type) and value.__module__ == name and value.__qualname__ == attr:
                for member_name, member in list(vars(value).items()):
                    # a staticmethod, or an instance method (the wrapper binds `self` as a
                    # function does; the object's class and attributes are in its signature)
                    func = member.__func__ if isinstance(member, staticmethod) else member
                    if isinstance(func, types.FunctionType) and _is_plain(func, name, f"{attr}.{member_name}"):
                        count += _place(value, member_name, member, func, lazy)
    return count


# ------------------------------------------------------------------ internals


class _AutoFinder(importlib.abc.MetaPathFinder):
    """First on `sys.meta_path`: finds matched modules through the other finders."""

    def __init__(self):
        self.packages: tuple[str, ...] = ()
        self._busy = threading.local()

    def matches(self, fullname: str) -> bool:
        return any(_covers(p, fullname) for p in self.packages) and not _is_own(fullname)

    def find_spec(self, fullname, path=None, target=None):
        if not self.matches(fullname):
            return None
        busy = self._busy.__dict__.setdefault("names", set())
        if fullname in busy:  # another finder asked the import system again
            return None
        busy.add(fullname)
        try:
            spec = self._spec_from_others(fullname, path, target)
        finally:
            busy.discard(fullname)
        if spec is not None and spec.loader is not None:
            loader = _wrapping_loader(spec.loader)
            if loader is not None:
                spec.loader = loader
        return spec

    def _spec_from_others(self, fullname, path, target):
        for finder in list(sys.meta_path):
            if finder is self:
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                return spec
        return None

    def invalidate_caches(self):
        pass


_loader_classes: dict[type, type] = {}


def _wrapping_loader(loader):
    """A copy of `loader` whose class also wraps the module after executing it.

    None when the loader cannot be copied that way (then the module is loaded
    as usual and not wrapped): loaders without `exec_module`, loaders that are
    also the finder (one shared object, e.g. pytest's assertion rewriter, which
    only loads test modules) and classes that refuse a subclass.
    """
    base = type(loader)
    if (not hasattr(loader, "exec_module") or not hasattr(loader, "__dict__")
            or isinstance(loader, (type, importlib.abc.MetaPathFinder)) or hasattr(loader, "find_spec")):
        return None
    try:
        cls = _loader_classes.get(base)
        if cls is None:
            def exec_module(self, module, _base=base):
                _base.exec_module(self, module)
                wrap_module(module)

            cls = _loader_classes[base] = type(base.__name__, (base,), {
                "exec_module": exec_module, "__module__": base.__module__,
                "__doc__": base.__doc__, "_rustify_auto": True})
        copy = object.__new__(cls)
        copy.__dict__.update(loader.__dict__)
        return copy
    except TypeError:
        return None


def _watching() -> bool:
    """Are functions watched rather than wrapped at import (profile mode, ski rental, the timer running)?"""
    try:
        from rustify.config import settings

        config = settings()
        if config.mode != "profile" or config.ski_rental not in ("auto", "on"):
            return False
    except Exception:  # noqa: BLE001 - a bad setting: wrap as before (accelerate reports it)
        return False
    return _watcher.start()


def _place(owner, attr: str, current, func: types.FunctionType, lazy: bool) -> int:
    """Wrap `func` at `owner.attr` now, or watch it (`lazy`) unless the cache knows it; 1 if newly wrapped or watched."""
    if lazy and id(func) not in _wrappers and not _in_cache_index(func):
        places = _watched.setdefault(func.__code__, [])
        places.append((owner, attr, current, func))
        return 1 if len(places) == 1 else 0
    return _replace(owner, attr, current, func)


def _in_cache_index(func: types.FunctionType) -> bool:
    try:
        from rustify.build.cache import is_indexed
        from rustify.pipeline import function_key

        return is_indexed(function_key(func))
    except Exception:  # noqa: BLE001 - no cache: nothing earlier runs left
        return False


class _Watcher:
    """Fed by the process's SIGPROF timer: sampled own CPU time per watched code object; wraps
    a function once it reaches `threshold_s()` (see the module docstring)."""

    def __init__(self):
        self.interval = WATCH_INTERVAL
        self.spent: dict[types.CodeType, float] = {}
        self.threshold: float | None = None  # memo of threshold_s()
        self.ticks = 0
        self.errors = 0  # samples the timer could not hand over (it counts them here, never raises)
        self.last_error: str | None = None
        self.active = False
        self._atexit = False

    def start(self) -> bool:
        """Join the process timer (once); False where it cannot run (then wrap at import)."""
        if self.active:
            return True
        from rustify.profiling import sampler

        try:
            if not sampler._timer.available():
                return False
            sampler._timer.add(self)
        except (OSError, ValueError, AttributeError):
            return False
        self.active = True
        if not self._atexit:
            import atexit

            atexit.register(self.stop)  # SIGPROF's default action ends the process once Python is gone
            self._atexit = True
        return True

    def stop(self) -> None:
        if self.active:
            from rustify.profiling import sampler

            self.active = False
            if self in sampler._timer.recordings:
                sampler._timer.remove(self)
        self.spent.clear()
        self.threshold = None

    @staticmethod
    def threshold_s() -> float:
        from rustify.build.costs import expected_build_ns
        from rustify.config import settings

        value = max(settings().threshold_ms * 1e-3, expected_build_ns() * 0.5e-9)
        _watcher.threshold = value
        return value

    def add(self, frame, seconds: float) -> None:
        """One sample: `frame` was running for the last `seconds` of process CPU (a signal handler:
        cheap, and it never raises into the program)."""
        from rustify.profiling.sampler import _is_own

        while frame is not None and _is_own(frame.f_code):
            frame = frame.f_back
        if frame is None:
            return
        code = frame.f_code
        if code not in _watched:
            return
        spent = self.spent[code] = self.spent.get(code, 0.0) + seconds
        self.ticks += 1
        threshold = self.threshold
        if threshold is None or not self.ticks & 255:  # the price moves after each build: read it anew now and then
            threshold = self.threshold_s()
        if spent >= threshold and spent >= self.threshold_s():
            self.spent.pop(code, None)
            _wrap_watched(code)


_watcher = _Watcher()


def _wrap_watched(code: types.CodeType) -> None:
    """Put the wrapper on every place of the watched function running `code`."""
    if _lock._is_owned() or not _lock.acquire(blocking=False):
        return  # this thread (interrupted) or another one is in the hook: the next sample tries again
    try:
        places = _watched.pop(code, ())
        for owner, attr, current, func in places:
            _replace(owner, attr, current, func)
        if places and "." not in places[0][3].__qualname__:
            _rebind_imports(places[0][3])
    finally:
        _lock.release()


def _rebind_imports(func: types.FunctionType) -> None:
    """Other loaded modules that imported `func` by name (`from m import f`, done before it was
    wrapped) bind its wrapper too, as they would have had it been wrapped at import."""
    wrapper = _wrappers.get(id(func))
    if wrapper is None:
        return
    name = func.__name__
    for modname, module in list(sys.modules.items()):
        if not isinstance(module, types.ModuleType) or _is_own(modname):
            continue
        ns = object.__getattribute__(module, "__dict__")  # a lazy module must not load by being looked at
        if ns.get(name) is func:
            ns[name] = wrapper
            _replaced.append((module, name, func))


def _replace(owner, attr: str, current, func: types.FunctionType) -> int:
    """Put a wrapper of `func` at `owner.attr` (keeping staticmethod); 1 if done."""
    wrapper = _wrappers.get(id(func))
    made = wrapper is None
    if made:
        wrapper = _accelerate(func)
        if wrapper is None:
            return 0
    value = staticmethod(wrapper) if isinstance(current, staticmethod) else wrapper
    try:
        setattr(owner, attr, value)
    except (AttributeError, TypeError):
        return 0
    if made:
        _wrappers[id(func)] = wrapper
    _replaced.append((owner, attr, func))
    return 1 if made else 0


def _accelerate(func: types.FunctionType):
    from rustify.accelerate import accelerate

    try:
        if "front_door" in inspect.signature(accelerate).parameters:
            return accelerate(func, front_door="auto")
        return accelerate(func)
    except Exception:  # noqa: BLE001 - the module keeps its original function
        return None


def _is_plain(func: types.FunctionType, module_name: str, qualname: str) -> bool:
    code = func.__code__
    return (func.__module__ == module_name and func.__qualname__ == qualname
            and not qualname.rsplit(".", 1)[-1].startswith("__")
            and not code.co_flags & _CODE_FLAGS_NEVER_TRANSLATED and not code.co_kwonlyargcount
            and func.__closure__ is None and not func.__dict__)


def _covers(package: str, fullname: str) -> bool:
    return fullname == package or fullname.startswith(package + ".")


def _is_own(fullname: str) -> bool:
    return any(_covers(p, fullname) for p in _NEVER_WRAPPED)


def _is_test_module(fullname: str) -> bool:
    parts = fullname.split(".")
    last = parts[-1]
    return bool(_TEST_PARTS.intersection(parts)) or last.startswith("test_") or last.endswith("_test")


def _clean_names(packages) -> list[str]:
    names = []
    for p in packages:
        if not isinstance(p, str):
            raise TypeError(f"install_import_hook expects package names (str), got {type(p).__name__}")
        for part in p.split(","):
            part = part.strip()
            if not part:
                continue
            if not all(piece.isidentifier() for piece in part.split(".")):
                raise ValueError(f"not a package or module name: {part!r}")
            if _is_own(part):
                raise ValueError("rustify cannot accelerate itself")
            names.append(part)
    return names
