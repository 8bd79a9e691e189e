"""Runtime stage: the wrapper that dispatches each call to native code or Python.

One native specialization per argument signature. A call whose signature has
no specialization, or whose native code raises `Deopt`, runs the Python
original. Which signatures compile, and when, is a `CompilePolicy`:

- "eager": at a signature's first call, in the caller's thread (that call runs native)
- "profile": once the signature is hot (`min_calls` calls and an estimated
  `threshold_ms` of Python time, from sampled call times); by default in a
  background thread, so callers keep running Python until the native version
  is ready, then one dict store swaps it in (atomic under the GIL)
- "off": never (calls and signatures are still recorded)

With `validate=N`, the first N native calls of each signature also run the
Python original (on copies of the arguments) and compare; a difference reverts
that signature to Python with a warning and an entry in `explain()`.

The call path: once the native dispatcher is loaded (`native_dispatch.py`),
`Accelerated` has its `Dispatcher` base, which runs every call (table of
signatures, exact argument checks, counters, sampling clock) and asks this
module only on sampled calls (`_plan_call`: what to run, when to compile); the
table follows every change of natives, verdicts and guards (`_table_changed`).
Without it, `Accelerated.__call__` below is the call path, with the same policy.
A call with keywords is bound to positions (`_positional`); a function that
stays Python for good is unwrapped where it lives (`_give_up`, `unwrap.py`).

Threads, forks and other processes:

- call counters are `itertools.count()` objects (exact under threads, no lock
  on the call path);
- a compile in a caller's thread waits at most `CALLER_LOCK_WAIT` seconds for
  another process's build; then that call runs Python and the compile is
  retried in the background, where waiting costs nobody;
- a compile must not starve behind busy threads (CPython gives each runnable
  thread an equal share of the GIL, so eight callers left the compile a ninth
  of it): while one runs, the switch interval is lowered
  (`COMPILE_SWITCH_INTERVAL`) so the compile thread gets the GIL back soon
  after each file read or wait on cargo, and unsampled Python calls of
  not-yet-native functions yield the GIL once each, so the compile (not
  another caller) runs next;
- a forked child gets fresh locks and a fresh compile worker, forgets the
  compiles its parent had under way (they compile again when hot, in the
  background) and drops its inherited copy of a held build lock; a fork never
  happens inside a build's `Popen()` (`build/spawn.py`).
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import queue
import sys
import threading
import time
import types
import warnings
from dataclasses import dataclass
from time import perf_counter_ns
from time import sleep as _yield_gil
from typing import Callable

from rustify.analysis.source import MISSING
from rustify.build.cache import CorruptArtifact, UnsafeCache
from rustify.errors import BuildBusy, BuildFailed, RustifyWarning, Untranslatable
from rustify.runtime import registry
from rustify.runtime.deopt import Deopt
from rustify.runtime.info import AccelerationInfo, SignatureStats, count_value
from rustify.runtime import native_dispatch as _native_dispatch
from rustify.runtime.signature import signature_of

log = logging.getLogger("rustify")

# The Deopt message of an int that outgrew 64 bits (runtime.rs.j2 INT_OVERFLOW): its signature
# gets a wide specialisation (`_compile_wide`).
INT_OVERFLOW = "int overflow"
# A signature whose native code asks to re-run in Python this often stops
# being tried: both would run on every call.
DEOPT_GIVE_UP = 16
# Rebinding a global the native code froze in drops the natives (they recompile
# when hot again); after this many rebinds the function stays Python.
GLOBAL_REBIND_GIVE_UP = 3
# Call timing is sampled: the first calls, then one in 16 (Python) / 64 (native).
PYTHON_SAMPLE_MASK = 15
# Both call paths sample a profiled function's Python calls one in 1024 after its
# first 512 (a long profile needs fewer samples; each one costs a visit to the policy, which
# computes the signature: tens of microseconds for an object argument).
PYTHON_SAMPLE_MASK_LATER = 1023
PYTHON_SAMPLE_LATER_AFTER = 512
NATIVE_SAMPLE_MASK = 63
ALWAYS_TIMED = 2
# A function whose every signature seen stays Python, and that ran this many sampled
# Python calls of them since, is given up on and unwrapped (see Accelerated._give_up).
GIVE_UP_AFTER = 64
# ... or, under the ski rental, whose refused signatures make this share of its calls.
GIVE_UP_SHARE = 0.99
# The fast path (call the last native signature directly) is dropped after this
# many calls of another signature: a polymorphic caller pays a Deopt each time.
FAST_PATH_GIVE_UP = 16
# Under the ski rental (auto mode): a signature whose Python calls take less than this (3 in 4
# of the calls sampled from its CHEAP_AFTER/4-th to its CHEAP_AFTER-th) stays Python: a native
# call costs about this much by itself (the dispatcher, the boundary and the entry: 270 ns for a
# two-float function in benchmarks/dispatch_overhead.py), so no run is long enough for a native
# version to save anything, and the wrapper's own cost would never be paid back.
NATIVE_CALL_NS = 300
# The same through the Python call path (no native dispatcher yet): a native call costs about
# 1 us there (993 ns in the same benchmark), and its timing of a Python call costs more too.
NATIVE_CALL_NS_PYTHON_PATH = 1000
CHEAP_AFTER = 512
# The speed trial: a native specialisation may cost more per call than the Python function (its
# argument checks and boundary conversions against a cheap body). From its TRIAL_AFTER-th native
# call, every other call is a sample, alternately of the Python function and of the native path
# (argument checks included), until each has TRIAL_SAMPLES (at most TRIAL_WANTED samples); if the
# native median is not below the Python median, the signature runs Python from then on, and
# explain()/report say so with both figures (`_weigh_native`). Medians, so that a sample
# preempted on a loaded machine does not decide.
TRIAL_AFTER = 32
TRIAL_SAMPLES = 8
TRIAL_WANTED = 4 * TRIAL_SAMPLES
# A compile in a caller's thread (eager mode, or background=False) waits this many
# seconds for another process's build, then runs that call in Python and retries
# the compile in the background.
CALLER_LOCK_WAIT = 3.0  # the default of the `lock_wait` setting (RUSTIFY_LOCK_WAIT)


def _caller_lock_wait() -> float:
    from rustify.config import settings

    return settings().lock_wait
# The switch interval while a compile shares the interpreter with other threads
# (CPython's default is 0.005 s): a thread that released the GIL waits about
# this long per runnable thread to get it back.
COMPILE_SWITCH_INTERVAL = 0.0005


# What `Accelerated._plan_call` returns when the call must be dispatched anew.
DISPATCH_AGAIN = object()
# `_last` of an unsampled Python call before any sample (its signature was not computed).
_UNSAMPLED_PYTHON_CALL = (None, False, "not compiled (yet): the compile policy has not chosen it")


@dataclass(frozen=True)
class CompilePolicy:
    """When a signature compiles. `ski_rental` (profile mode): besides `threshold_ns`, wait
    until the signature has cost the interpreter more time than a build is expected to cost
    (the median CPU of this machine's recent builds, `build.costs`). Compiling then costs at
    most about twice what running Python would have, however short or long the program is
    (the ski-rental bound): a short run that would never earn a build back starts none, and
    a signature cached native or refused by an earlier run is answered at its `min_calls`-th
    call without this wait (`_load_if_cached`). `speed_trial` (auto mode): a native signature
    is timed against the Python function, and runs Python if it is the slower (TRIAL_AFTER)."""

    mode: str = "profile"  # "profile", "eager" or "off"
    threshold_ns: float = 20e6
    min_calls: int = 2
    background: bool = True
    validate: int = 0
    ski_rental: bool = False
    speed_trial: bool = False

    def is_hot(self, stats: SignatureStats) -> bool:
        if self.mode == "eager":
            return True
        if self.mode == "off" or stats.python_calls_so_far() < self.min_calls:
            return False
        spent = stats.estimated_python_ns()
        if spent < self.threshold_ns:
            return False
        if self.ski_rental:
            from rustify.build.costs import expected_build_ns

            price = expected_build_ns()
            # The estimate is a sampled mean of wall times: one sample preempted on a loaded machine
            # can inflate it many times over. The interpreter cannot have spent more than the CPU this
            # process used since the signature's first call, so that bounds it.
            return spent >= price and time.process_time_ns() - stats.cpu_at_first >= price
        return True


class Accelerated:
    """Callable stand-in for a Python function; `.rustify` tells what it did."""

    def __new__(cls, *args, **kwargs):
        if cls is Accelerated:
            native = _native_accelerated_class()
            if native is not None:  # the native dispatcher is loaded: its call path, this policy
                return native.__new__(native)
        return object.__new__(cls)

    def __init__(self, func: types.FunctionType, policy: CompilePolicy, front_door: str = "decorator"):
        functools.update_wrapper(self, func)
        self.__wrapped__ = func
        self._func = func
        self.policy = policy
        self._native: dict[tuple, Callable] = {}
        self._validate_left: dict[tuple, int] = {}
        self._pending: dict[tuple, threading.Event] = {}
        self._guards: tuple = ()  # globals frozen into the native code, checked before native calls
        self._invalidations = 0
        self._fast: tuple | None = None  # (native entry, its stats): the last signature that ran native
        self._fast_misses = 0
        self._calls_after_verdict = 0  # Python calls of refused signatures (see _after_verdict_call)
        self._verdict_seen_at: int | None = None  # `_calls_counted()` at the first of them
        self._nargs = func.__code__.co_argcount
        code = func.__code__
        plain = not (code.co_flags & (0x04 | 0x08) or code.co_kwonlyargcount
                     or code.co_posonlyargcount)
        self._params = code.co_varnames[:code.co_argcount] if plain else None  # keywords bind to these
        self._param_index = {name: i for i, name in enumerate(self._params or ())}
        self._lock = threading.Lock()
        self.rustify = AccelerationInfo(func, front_door)
        self.rustify._settle = self._credit_unsampled_calls
        self.rustify._ski_rental = policy.ski_rental
        self._min_calls = policy.min_calls  # the policy is asked at this call and at every timed one
        self._counting = policy.mode != "eager"  # eager mode must see every new signature at once
        # Calls counted while profiling (next() is atomic under the GIL), those of them that
        # then ran native, and how many the stats were credited with (under _count_lock).
        self._calls = itertools.count(1)
        self._calls_not_python = 0
        self._credited = 0
        self._credit_to: SignatureStats | None = None  # the last sampled signature: gets the rest
        self._count_lock = threading.Lock()
        self._python_last = _UNSAMPLED_PYTHON_CALL  # `_last` for an unsampled call: the last sample's
        self._indexed: bool | None = None  # the cache's index lists this function (see _load_if_cached)
        self._native_setup()
        registry.register(self)

    def _native_setup(self) -> None:
        """Hand the call path to the native dispatcher (in `_NativeAccelerated`); nothing here."""

    def _table_changed(self) -> None:
        """The natives, verdicts or guards changed: the native dispatcher's table follows (there)."""

    def _calls_counted(self) -> int:
        """Calls counted while profiling (see `_calls`)."""
        return count_value(self._calls) - 1

    def __reduce__(self):
        # Pickled by reference, like the function it replaces in its module.
        return self.__qualname__

    def __get__(self, obj, objtype=None):
        return self if obj is None else types.MethodType(self, obj)

    def __call__(self, *args, **kwargs):
        # The Python call path only (the native dispatcher's class calls through its own slot), where
        # `rustify._last` has no link: its value is stored directly (no property call per call).
        fast = self._fast
        if fast is not None and not kwargs:
            # Monomorphic fast path: call the last native specialization directly.
            # Its argument checks are exact (each element, each dtype), so a call
            # of another signature raises Deopt before anything runs.
            if self._guards and not self._globals_unchanged():
                return self(*args)  # the natives were dropped: dispatch again
            entry, st = fast
            n = next(st.native_count)
            self.rustify._last_value = st.native_last
            try:
                if n & NATIVE_SAMPLE_MASK:
                    return entry(*args)
                start = perf_counter_ns()
                result = entry(*args)
                st.native_ns += perf_counter_ns() - start
                st.native_timed += 1
                return result
            except Deopt as why:
                return self._after_fast_miss(args, str(why), entry, st)
            except TypeError:
                if len(args) == self._nargs:
                    raise
                # another number of arguments (defaults omitted: the general path binds them;
                # too many: Python raises its own TypeError there)
                return self._after_fast_miss(args, "", entry, st)
        if self._counting and not self._native:
            # Profiling, nothing native yet: count the call; only a sample (the first
            # calls, then one in 16) pays for the signature key, the stats and a timer.
            n = next(self._calls)
            if n & (PYTHON_SAMPLE_MASK if n < PYTHON_SAMPLE_LATER_AFTER else PYTHON_SAMPLE_MASK_LATER) \
                    and n > ALWAYS_TIMED and n != self._min_calls:
                self.rustify._last_value = self._python_last
                if _compiling:
                    _yield_gil(0)  # a compile waits for the GIL: let it run (see _compile_priority)
                return self._func(*args, **kwargs)
            return self._dispatch(args, kwargs, n)
        return self._dispatch(args, kwargs)

    def _dispatch(self, args: tuple, kwargs: dict, counted: int = 0):
        """The general path: signature key, then native, compile or Python (see `_plan_call`).

        `counted`: the call's number in `_calls` (the profiling count), 0 if it
        is not in it; if it runs native after all, it is taken out again.
        """
        plan = self._plan_call(args, kwargs, counted)
        if plan is None:
            return self._func(*args, **kwargs)
        if plan is DISPATCH_AGAIN:
            return self(*args, **kwargs)
        if type(plan) is tuple:
            return plan[0]
        start = perf_counter_ns()
        try:
            return self._func(*args, **kwargs)
        finally:
            plan.python_ns += perf_counter_ns() - start
            plan.python_timed += 1

    def _plan_call(self, args: tuple, kwargs: dict | None, counted: int = 0):
        """Everything a call needs from the policy; the function itself is run by the caller.

        Returns `(result,)` when the call already ran (native here, or shadow-validated),
        DISPATCH_AGAIN when it must be dispatched anew (just compiled, natives dropped),
        a `SignatureStats` to credit with the time of a Python run, or None for an untimed
        Python run. The native dispatcher calls this, so that no rustify frame sits between
        the caller and the function when it runs Python (warnings' stacklevel, tracebacks).
        """
        given = len(args)
        if kwargs or given != self._nargs:
            bound = self._positional(args, kwargs)
            if bound is None:
                self.rustify._ran_python(None, "called with keyword arguments it cannot bind to positions" if kwargs
                                         else "called with the wrong number of arguments")
                return None
            args = bound
        sig = signature_of(args)
        native = self._native.get(sig)
        if native is not None:
            if counted:
                with self._count_lock:
                    self._calls_not_python += 1
            if self._guards and not self._globals_unchanged():
                return DISPATCH_AGAIN
            if self._validate_left and sig in self._validate_left:
                return (self._shadow_call(sig, native, args),)
            st = self.rustify._stats[sig]
            n = next(st.native_count)
            trial = st.trial_left and n >= TRIAL_AFTER and not n & 1
            if trial and (n >> 1) & 1:
                self.rustify._last = st.python_last
                return _TrialPython(self, sig)  # a speed-trial sample of the Python function
            self.rustify._last = st.native_last
            try:
                if trial:  # ... and of the native path, this call path's signature included
                    start = perf_counter_ns()
                    signature_of(args)
                    result = native(*args)
                    self._speed_sample(sig, False, perf_counter_ns() - start)
                elif n & NATIVE_SAMPLE_MASK:
                    result = native(*args)
                else:  # sampled on this path too: a polymorphic caller's speedup is measured
                    start = perf_counter_ns()
                    result = native(*args)
                    st.native_ns += perf_counter_ns() - start
                    st.native_timed += 1
            except Deopt as why:
                return DISPATCH_AGAIN if self._note_deopt(sig, st, str(why)) else None
            if self._fast_misses < FAST_PATH_GIVE_UP and given == self._nargs and not st.trial_left:
                self._fast = (native, st)  # (a call that left defaults out takes this path again)
            return (result,)
        return self._plan_python(sig, counted)

    def _plan_python(self, sig: tuple, counted: int = 0):
        """A Python call of `sig`: count it, ask the policy on sampled calls; the stats to time
        the run with (None: untimed), or DISPATCH_AGAIN if it compiled now in this thread."""
        st = self.rustify._stats.get(sig)
        if st is None:
            st = self.rustify._stats.setdefault(sig, SignatureStats(sig))
            if self.policy.ski_rental:
                st.cpu_at_first = time.process_time_ns()
        if counted:
            # A sample stands for the unsampled calls since the previous one (their
            # signature is not known: they are credited to this one's).
            with self._count_lock:
                self._credit_to = st
                uncredited = counted - self._calls_not_python - self._credited
                if uncredited > 0:  # else a later call was credited first, this one with it
                    st.python_credit += uncredited
                    self._credited += uncredited
            n = st.python_calls_so_far()
        else:
            n = st.python_seen = next(st.python_count) + 1
            n += st.python_credit
        self.rustify._last = self._python_last = st.python_last
        if st.compile_requested and sig in self.rustify.reasons:
            self._after_verdict_call()
        if self._native and n > ALWAYS_TIMED and n & PYTHON_SAMPLE_MASK and n != self._min_calls:
            return None  # counted exactly (natives exist), timed on a sample
        if self.policy.ski_rental and not st.compile_requested and self.policy.mode == "profile" \
                and n >= CHEAP_AFTER // 4:
            # Each visit sees the time of the previous timed call of `sig` (the first calls are slow:
            # cold caches, the interpreter's warm-up); a preempted call must not decide, so it is
            # a vote: cheap once 3 of 4 warm samples took less than a native call costs.
            warm = st.warm_base
            if warm is not None and st.python_timed == warm[1] + 1:
                took = st.python_ns - warm[0]
                warm = (st.python_ns, st.python_timed, warm[2] + 1, warm[3] + (took < self._native_call_ns()),
                        warm[4] + took)
            elif warm is not None:
                warm = (st.python_ns, st.python_timed, *warm[2:])
            else:
                warm = (st.python_ns, st.python_timed, 0, 0, 0)
            st.warm_base = warm
            if n >= CHEAP_AFTER and warm[2] >= 16 and 4 * warm[3] >= 3 * warm[2]:
                self._too_cheap(sig, st, warm)
                return st
        if not st.cache_probed and n >= self._min_calls and self.policy.mode == "profile" \
                and not st.compile_requested and len(sig) == self._nargs:
            st.cache_probed = True  # built by an earlier run? native now, not once hot again
            if self._load_if_cached(sig, st):
                with self._count_lock:
                    st.python_credit -= 1  # this call runs native after all
                return DISPATCH_AGAIN
        if not st.compile_requested and len(sig) <= self._nargs and self.policy.is_hot(st):
            st.compile_requested = True
            st.hot_at = time.perf_counter()
            if self.policy.background and self.policy.mode != "eager":
                self._compile_in_background(sig)
            elif self.compile(sig, lock_wait=_caller_lock_wait()):
                with self._count_lock:
                    st.python_credit -= 1  # this call runs native after all
                return DISPATCH_AGAIN  # compiled now: dispatch again
        return st

    def _load_if_cached(self, sig: tuple, st: SignatureStats) -> bool:
        """At a signature's `min_calls`-th call while profiling: load its native version now if
        an earlier run built it (a verified artifact in the cache; never a build here), or take
        an earlier run's "stays Python" verdict now (it is unwrapped once nothing else can go
        native). One probe per signature (about a millisecond: the source and the cache key), only for
        a function the cache's index lists (one stat per function)."""
        from rustify.analysis.source import load_source
        from rustify.build import find_artifact
        from rustify.build.cache import is_indexed, read_verdict
        from rustify.pipeline import crate_name, function_key

        try:
            if self._indexed is None:  # no crate of this function in the cache: no key to compute
                self._indexed = is_indexed(function_key(self._func))
            if not self._indexed:
                return False
            name = crate_name(self._func, sig, load_source(self._func))
            if find_artifact(name) is None:
                refused = read_verdict(name)
                if refused is not None:
                    self._refused_by_cache(sig, st, refused)
                return False
        except Exception:  # noqa: BLE001 - no source, a loose cache: the policy decides later, as before
            return False
        st.compile_requested = True
        st.hot_at = time.perf_counter()
        return self.compile(sig, lock_wait=0) is not None

    def _native_call_ns(self) -> int:
        """What a native call costs by itself on this wrapper's call path (see NATIVE_CALL_NS)."""
        return NATIVE_CALL_NS_PYTHON_PATH if type(self) is Accelerated else NATIVE_CALL_NS

    def _too_cheap(self, sig: tuple, st: SignatureStats, warm: tuple) -> None:
        """`sig`'s warm calls (`warm`: see `SignatureStats.warm_base`) are too short for a native
        call to be any faster (see NATIVE_CALL_NS)."""
        with self._lock:
            if st.compile_requested or sig in self._native or sig in self.rustify.reasons:
                return
            st.compile_requested = True
            self._stay_python(sig, f"{warm[3]} of {warm[2]} timed calls took under {self._native_call_ns()} ns in "
                                   "Python, about what a native call costs by itself: compiling it cannot make it "
                                   "faster")

    def _refused_by_cache(self, sig: tuple, st: SignatureStats, refused: dict) -> None:
        """An earlier run's analysis refused exactly this (same crate name): stay Python now, as
        `compile` would once hot (without its wait, its build of the dispatcher or astroid)."""
        from rustify.errors import Reason

        reasons = [Reason(*r) for r in refused["reasons"]]
        with self._lock:
            if sig in self._native or sig in self.rustify.reasons:
                return
            st.compile_requested = True
            self._stay_python(sig, _untranslatable_text(reasons), reasons, final=bool(refused["every_signature"]))

    def _positional(self, args: tuple, kwargs: dict) -> tuple | None:
        """`args` and `kwargs` as one positional tuple, as Python would bind them; None if it
        cannot be done exactly (an unknown or repeated name, a missing argument, *args or
        keyword-only parameters): that call runs Python, which raises its own TypeError.
        A parameter left out is given its default: the very object Python binds, read from
        `__defaults__` at this call (so rebinding a default never leaves a stale value), and
        part of the signature key (a later call passing the argument gets the key of what it passes)."""
        params = self._params
        if params is None or len(args) > len(params):
            return None
        bound = list(args)
        slots = [MISSING] * (len(params) - len(args))
        for name, value in (kwargs or {}).items():  # the native dispatcher passes None
            i = self._param_index.get(name)
            if i is None or i < len(args) or slots[i - len(args)] is not MISSING:
                return None
            slots[i - len(args)] = value
        defaults = self._func.__defaults__ or ()
        first_default = len(params) - len(defaults)
        for k, value in enumerate(slots):
            if value is MISSING:
                i = len(args) + k
                if i < first_default:
                    return None
                value = defaults[i - first_default]
            bound.append(value)
        return tuple(bound)

    def _credit_unsampled_calls(self) -> None:
        """Credit the calls counted since the last sample to the last sampled signature."""
        with self._count_lock:
            st = self._credit_to
            if st is None:
                return
            counted = self._calls_counted() - self._calls_not_python
            st.python_credit += counted - self._credited
            self._credited = counted

    def _after_fast_miss(self, args: tuple, why: str, entry: Callable, st: SignatureStats):
        """The fast path's native (`entry`, of `st`'s signature) declined: a real Deopt, or another signature."""
        sig = signature_of(args)
        if self._native.get(sig) is entry:
            if self._note_deopt(sig, st, why):
                return self._dispatch(args, {})  # its wide specialisation was built just now
            return self._func(*args)
        next(st.native_declined)  # not a native call of its signature after all
        self._fast_misses += 1
        if self._fast_misses >= FAST_PATH_GIVE_UP:
            self._fast = None  # signatures alternate: the general path is cheaper
        return self._dispatch(args, {})

    def compile(self, sig: tuple, lock_wait: float | None = None, src=None) -> Callable | None:
        """Compile `sig` now (in this thread); None if it stays Python (or is not built yet).

        `lock_wait`: seconds to wait for another process's build (None: as long as
        the build stage allows); past it, the compile is queued in the background.
        `src`: the function's `FunctionSource` when the caller has loaded it.
        """
        from rustify.pipeline import compile_function

        if _native_dispatch.current() is None:
            _native_dispatch.build_in_background()  # once per process; later wrappers use it
        with self._lock:
            if sig in self._native or sig in self.rustify.reasons:
                return self._native.get(sig)
            if lock_wait is not None and _after_interrupted_fork:
                # The parent's compile stopped mid-way at the fork; whatever it held
                # (a template cache's lock, say) must not stall this caller.
                self._compile_later(sig, "compiling in the background in this forked process")
                return None
            try:
                with _compile_priority():
                    native = compile_function(self._func, sig, lock_wait=lock_wait, src=src)
            except BuildBusy:
                self._compile_later(sig, f"another process held the build lock for more than {lock_wait:g} s; "
                                         "compiling in the background meanwhile")
                return None
            except Untranslatable as e:
                self._stay_python(sig, _untranslatable_text(e.reasons), e.reasons, final=e.every_signature)
                return None
            except (UnsafeCache, CorruptArtifact) as e:
                self._stay_python(sig, str(e))  # the message names the dir or file and the fix
                return None
            except BuildFailed as e:
                self._stay_python(sig, f"the Rust build failed: {e}")
                return None
            except (OSError, SyntaxError) as e:
                self._stay_python(sig, f"its source is not available ({e})", final=True)
                return None
            except Exception as e:  # noqa: BLE001 - a rustify bug must not break the program
                self._stay_python(sig, f"rustify failed internally ({type(e).__name__}: {e}); please report this")
                return None
            self._swap_in(native)
            return native.entry

    def _swap_in(self, native) -> None:
        """Make `native` (a `NativeFunction`) the code later calls of its signature run. Hold `_lock`."""
        sig = native.signature
        st = self.rustify._stats.setdefault(sig, SignatureStats(sig))
        st.compile_requested = True
        st.native_at = time.perf_counter()
        st.python_last = (sig, False, None)
        st.trial_left = TRIAL_WANTED if self.policy.speed_trial else 0
        st.trial_native, st.trial_python, st.trial_medians = [], [], None
        self.rustify._add_native(native)
        if self.policy.validate:
            self._validate_left[sig] = self.policy.validate
        self._guards = native.guards  # the same source and globals for every signature
        self._native[sig] = native.entry  # the swap: later calls of `sig` run native
        self._table_changed()

    def _compile_later(self, sig: tuple, why: str) -> None:
        """This call runs Python (and says why); the compile goes to the background worker."""
        st = self.rustify._stats.setdefault(sig, SignatureStats(sig))
        st.compile_requested = True
        st.python_last = (sig, False, f"not compiled yet: {why}")
        self.rustify._last = st.python_last
        if sig not in self._pending:
            self._compile_in_background(sig)

    def _globals_unchanged(self) -> bool:
        """True if every global the native code froze in still has its value; else drop the natives."""
        guards = self._guards
        for namespace, name, value in guards:  # the function's globals and its callees'
            if namespace.get(name, MISSING) is not value:
                break
        else:
            return True
        with self._lock:
            if self._guards is not guards:
                return False  # another thread dropped them already
            self._invalidations += 1
            self.rustify._drop_natives(f"global `{name}` was rebound after compiling")
            for st in self.rustify._stats.values():
                st.compile_requested = self._invalidations > GLOBAL_REBIND_GIVE_UP
            self._native.clear()
            self._fast = None
            self._validate_left.clear()
            self._guards = ()
            self._table_changed()
        if self._invalidations > GLOBAL_REBIND_GIVE_UP:
            for sig in list(self.rustify._stats):
                self._stay_python(sig, f"global `{name}`, which the native code holds as a constant, keeps being "
                                       f"rebound ({self._invalidations} times)")
        return False

    def wait(self, timeout: float | None = None) -> bool:
        """Block until this function's background compiles are done; False on timeout."""
        for event in list(self._pending.values()):
            if not event.wait(timeout):
                return False
        return True

    def _compile_in_background(self, sig: tuple) -> None:
        event = self._pending[sig] = threading.Event()  # first: wait() must see it at once
        # Parsing happens here, in the caller's thread: the background thread must
        # never call ast.parse (see analysis.source.FunctionSource).
        from rustify.pipeline import prepare_compile

        try:
            src = prepare_compile(self._func, sig)
        except Exception:  # noqa: BLE001 - compile() meets the same failure and reports it
            src = None

        def job():
            try:
                self.compile(sig, src=src)
            finally:
                event.set()
                self._pending.pop(sig, None)

        _worker().submit(job)

    def _shadow_call(self, sig: tuple, native: Callable, args: tuple):
        from rustify.runtime.validate import shadow_call

        st = self.rustify._stats[sig]
        next(st.native_count)
        outcome = shadow_call(self._func, native, args, Deopt)
        next(st.validated_count)
        if outcome.mismatch is None:
            self.rustify._last = st.native_last
            left = self._validate_left.get(sig, 0) - 1
            if left > 0:
                self._validate_left[sig] = left
            else:
                self._validate_left.pop(sig, None)
                self._table_changed()  # validated: the native dispatcher calls it directly now
        else:
            st.mismatch = outcome.mismatch
            self._forget_native(sig)
            self._validate_left.pop(sig, None)
            self._stay_python(sig, f"shadow validation found a difference: {outcome.mismatch}")
            self.rustify._ran_python(sig, "shadow validation found a difference")
        return outcome.unwrap()

    def _forget_native(self, sig: tuple) -> None:
        entry = self._native.pop(sig, None)
        if self._fast is not None and self._fast[0] is entry:
            self._fast = None
        self._table_changed()

    def _stay_python(self, sig: tuple, why: str, reasons=None, final: bool = False) -> None:
        """Record why `sig` stays Python; warn only where the user wrote the decorator.

        Functions wrapped by the import hook or a profile block log instead: a
        warnings-as-errors setting must not turn their fall back into an error.
        `final`: the reason holds for every signature, so the function is unwrapped.
        """
        self.rustify._add_failure(sig, why, reasons)
        self._table_changed()
        message = f"{self.__qualname__}{_sig_text(sig)} stays Python: {why}"
        if self.rustify.front_door == "decorator":
            warnings.warn(RustifyWarning(message), stacklevel=_first_user_frame())
        else:
            log.info("%s", message)
        if final:
            self._give_up(why.split("\n")[-1].strip())

    def _give_up(self, why: str) -> None:
        """This function stays Python for good: put the original back where the wrapper is bound.

        Later calls through those bindings cost what a plain call costs; `f.rustify`
        stays on the original (see `runtime.unwrap`)."""
        if self.rustify.gave_up is not None:
            return
        from rustify.runtime.unwrap import unwrap_everywhere

        self.rustify.gave_up = why
        self.rustify.unwrapped = unwrap_everywhere(self, self._func)
        self._table_changed()  # a wrapper a caller still holds stops asking the policy
        log.info("%s stays Python for good (%s); unwrapped in %s", self.__qualname__, why,
                 ", ".join(self.rustify.unwrapped) or "no namespace")

    def _after_verdict_call(self) -> None:
        """A Python call of a signature that stays Python: after GIVE_UP_AFTER of them (or
        GIVE_UP_AFTER * 16 calls counted since the first, while profiling) with
        every signature seen refused (under the ski rental: 99% of its calls) and nothing native or
        compiling, give up on the function."""
        self._calls_after_verdict += 1
        if self._native or self._pending or self.rustify.gave_up is not None:
            return
        counted = self._calls_counted()  # while profiling: every call (policy visits are 1 in 1024 later on)
        if self._verdict_seen_at is None:
            self._verdict_seen_at = counted
        if self._calls_after_verdict < GIVE_UP_AFTER \
                and counted - self._verdict_seen_at < GIVE_UP_AFTER * (PYTHON_SAMPLE_MASK + 1):
            return
        reasons = self.rustify.reasons
        stats = self.rustify._stats
        if all(sig in reasons for sig in stats):
            self._give_up(f"every signature it was called with stays Python ({len(reasons)} seen)")
        elif self.policy.ski_rental:
            # Auto mode: a signature seen a few times must not keep the wrapper on the calls that
            # stay Python (it would have to get as hot as a build costs before it compiled anyway).
            calls = {sig: st.python_calls for sig, st in list(stats.items())}
            refused = sum(n for sig, n in calls.items() if sig in reasons)
            total = sum(calls.values())
            if total and refused >= GIVE_UP_SHARE * total:
                self._give_up(f"the signatures that stay Python make {100 * refused / total:.1f}% of its calls")

    def _speed_sample(self, sig: tuple, ran_python: bool, ns: int) -> None:
        """One speed-trial sample of native signature `sig` (see TRIAL_AFTER): `ns` for a call of
        the Python function (`ran_python`) or of the native path; both call paths hand them here.
        Once each has TRIAL_SAMPLES, `_weigh_native` decides."""
        st = self.rustify._stats.get(sig)
        if st is None or st.trial_left <= 0 or st.trial_medians is not None or sig not in self._native:
            return
        st.trial_left -= 1
        if ran_python:
            st.trial_python.append(ns)
            st.python_ns += ns
            st.python_timed += 1
            next(st.native_declined)  # counted as a native call by the dispatcher: it ran Python
            next(st.python_count)
        else:
            st.trial_native.append(ns)
            st.native_ns += ns
            st.native_timed += 1
        if len(st.trial_python) >= TRIAL_SAMPLES and len(st.trial_native) >= TRIAL_SAMPLES:
            self._weigh_native(sig, st)
        elif st.trial_left <= 0:
            self._table_changed()  # no verdict (its native code kept asking for Python): the trial ends

    def _weigh_native(self, sig: tuple, st: SignatureStats) -> bool:
        """The speed trial's verdict on `sig` from its samples: False (and it runs Python from now
        on, saying why with the figures) if its native path is not faster than the Python
        function; True if it is (explain() gives the figures)."""
        from statistics import median

        native_ns, python_ns = median(st.trial_native), median(st.trial_python)
        st.trial_medians = (native_ns, python_ns)
        st.trial_left = 0
        if native_ns < python_ns:
            self._table_changed()  # the trial is over: no more samples
            return True
        with self._lock:
            if sig not in self._native:
                return False
            self._forget_native(sig)
            self._stay_python(sig, f"measured slower native than in Python: {native_ns:.0f} ns per call through "
                                   f"its native code (argument checks included; median of {len(st.trial_native)} "
                                   f"samples) against {python_ns:.0f} ns per call in Python (median of "
                                   f"{len(st.trial_python)}), so it runs Python")
        return False

    def _note_deopt(self, sig: tuple, st: SignatureStats, why: str) -> bool:
        """`sig`'s native code asked to re-run this call in Python (`why`). True if its wide
        specialisation was swapped in just now (this call may run it instead)."""
        self.rustify._ran_python(sig, f"native code asked to re-run in Python: {why}")
        if why == INT_OVERFLOW and st.wide is None:
            self._compile_wide(sig, st)
            if st.wide == "native":
                return True
        count = next(st.deopt_count) + 1
        if count >= DEOPT_GIVE_UP and 2 * count > st.native_calls and st.wide != "compiling":
            self._forget_native(sig)
            self._stay_python(sig, f"its native code asked to re-run in Python on {count} of {st.native_calls} "
                                   f"calls (last time: {why})")
        return False

    def _compile_wide(self, sig: tuple, st: SignatureStats) -> None:
        """`sig`'s native code met an int past 64 bits: build its wide specialisation (the i64
        kernel, then on overflow one whose ints are Python ints), in the background unless the
        policy compiles in the caller's thread; it replaces the i64 native when built. If it
        cannot be translated, `st.wide` says why and overflowing calls keep re-running in Python."""
        from rustify.pipeline import prepare_compile

        st.wide = "compiling"
        try:
            src = prepare_compile(self._func, sig)
        except Exception:  # noqa: BLE001 - no source: nothing wide to build
            st.wide = "its source is not available"
            return

        def job():
            from rustify.pipeline import compile_function

            try:
                with _compile_priority():
                    native = compile_function(self._func, sig, src=src, wide=True)
            except Untranslatable as e:
                st.wide = "ints past 64 bits re-run in Python: " + _untranslatable_text(e.reasons)
                log.info("%s%s: %s", self.__qualname__, _sig_text(sig), st.wide)
                return
            except Exception as e:  # noqa: BLE001 - the i64 native stays; a build failure is only logged
                st.wide = f"ints past 64 bits re-run in Python: the wide build failed ({type(e).__name__}: {e})"
                log.info("%s%s: %s", self.__qualname__, _sig_text(sig), st.wide)
                return
            with self._lock:
                if sig in self._native:  # (not dropped meanwhile)
                    if self._fast is not None and self._fast[1] is st:
                        self._fast = None  # it calls the i64 native; the next call sets it anew
                    self._swap_in(native)
                    st.wide = "native"

        if self.policy.background and self.policy.mode != "eager":
            _worker().submit(job)
        else:
            job()

    def adopt_native(self, native) -> bool:
        """Swap in a native built by another process (`rustify.runtime.ship`), as `compile` would.

        The caller has matched it to this function's source, globals and
        signature. False if that signature already has a native or a verdict.
        """
        sig = native.signature
        with self._lock:
            if sig in self._native or sig in self.rustify.reasons:
                return False
            self._swap_in(native)
            return True

    def _reset_after_fork(self) -> None:
        """In a forked child: fresh locks; compiles the parent had under way are forgotten.

        Their signatures compile again in this process when the policy next
        picks them (the parent's worker thread does not exist here).
        """
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        for sig in list(self._pending):
            st = self.rustify._stats.get(sig)
            if st is not None and sig not in self._native:
                st.compile_requested = False
                st.python_last = (sig, False, None)
        self._pending = {}
        self._table_changed()


class _TrialPython:
    """What `_plan_call` returns for a speed-trial sample of the Python function: the caller times
    the run into it as into a `SignatureStats` (`python_ns`, then `python_timed`), which hands
    the time to `Accelerated._speed_sample`."""

    __slots__ = ("wrapper", "sig", "python_ns")

    def __init__(self, wrapper: "Accelerated", sig: tuple):
        self.wrapper, self.sig, self.python_ns = wrapper, sig, 0

    @property
    def python_timed(self) -> int:
        return 0

    @python_timed.setter
    def python_timed(self, _value: int) -> None:
        self.wrapper._speed_sample(self.sig, True, self.python_ns)


class _CompileWorker:
    """One daemon thread that runs background compiles in order (builds are serialized anyway)."""

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue()
        threading.Thread(target=self._loop, name="rustify-compile", daemon=True).start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except BaseException:  # noqa: BLE001 - e.g. a warning turned error; the worker must live on
                log.exception("rustify: a background compile failed")


_worker_lock = threading.Lock()
_the_worker: _CompileWorker | None = None
_compiling: set = set()  # idents of the threads inside compile_function right now
_after_interrupted_fork = False  # this process was forked while another thread compiled
_priority_lock = threading.Lock()
_priority_holders = 0
_saved_switch_interval: float | None = None


class _compile_priority:
    """Around a compile: mark this thread as compiling; with other threads alive, lower the switch interval.

    The interval is process-wide: it is restored when the last concurrent
    compile ends, unless someone else changed it meanwhile.
    """

    def __enter__(self):
        global _priority_holders, _saved_switch_interval
        _compiling.add(threading.get_ident())
        _tell_native_dispatcher(True)
        if threading.active_count() > 1:
            with _priority_lock:
                if _priority_holders == 0:
                    current = sys.getswitchinterval()
                    if current > COMPILE_SWITCH_INTERVAL:
                        _saved_switch_interval = current
                        sys.setswitchinterval(COMPILE_SWITCH_INTERVAL)
                _priority_holders += 1
            self.raised = True
        else:
            self.raised = False
        return self

    def __exit__(self, *exc):
        global _priority_holders
        _compiling.discard(threading.get_ident())
        _tell_native_dispatcher(bool(_compiling))
        if self.raised:
            with _priority_lock:
                _priority_holders -= 1
                if _priority_holders == 0:
                    _restore_switch_interval()


def _restore_switch_interval() -> None:
    global _saved_switch_interval
    saved, _saved_switch_interval = _saved_switch_interval, None
    if saved is not None and sys.getswitchinterval() == COMPILE_SWITCH_INTERVAL:
        sys.setswitchinterval(saved)


def _after_fork_in_child() -> None:
    """The child of a fork has only the forking thread: rebuild what other threads held."""
    global _worker_lock, _the_worker, _priority_lock, _priority_holders, _after_interrupted_fork
    interrupted = bool(_compiling - {threading.get_ident()})
    _compiling.clear()
    _tell_native_dispatcher(False)  # else every unsampled call of the child yields for a compile that is gone
    _worker_lock = threading.Lock()
    _the_worker = None  # its thread is not in this process; a new one starts on demand
    _priority_lock = threading.Lock()
    if _priority_holders:
        _priority_holders = 0
        _restore_switch_interval()
    if interrupted:
        _after_interrupted_fork = True  # (the build stage drops its inherited lock itself)
    for wrapper in registry.accelerated_functions():
        wrapper._reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _worker() -> _CompileWorker:
    global _the_worker
    with _worker_lock:
        if _the_worker is None:
            _the_worker = _CompileWorker()
        return _the_worker


class _NativeCalls:
    """The native dispatcher's side of `Accelerated` (mixed in after the native `Dispatcher` base).

    The call path (table, exact checks, counters, sampling clock) is the extension's;
    this keeps it in step with the policy: the function and its parameters at set-up,
    the table whenever natives, verdicts or guards change.
    """

    def _native_setup(self) -> None:
        nd = _native_dispatch.current()
        self._nd = nd
        nd.set_function(self, self._func, list(self._params) if self._params is not None else None,
                        self._counting, self._min_calls)
        self.rustify._last_link = (nd.last, nd.set_last, self)
        self._table_changed()

    def _table_changed(self) -> None:
        nd = getattr(self, "_nd", None)
        if nd is None:
            return  # still in __init__
        stats = self.rustify._stats
        entries = []
        for sig, entry in list(self._native.items()):
            checks = _argument_checks(sig)
            if checks is None or sig in self._validate_left:
                continue  # the policy's path handles it (shadow validation, or kinds it must compute)
            st = stats.setdefault(sig, SignatureStats(sig))
            entries.append((checks, entry, sig, st, st.native_count, st.native_last, 0, max(st.trial_left, 0)))
        # A signature that stays Python: counted; the policy sees one call in 16 until it gives up.
        ask = _NEVER if self.rustify.gave_up is not None else PYTHON_SAMPLE_MASK
        for sig in list(self.rustify.reasons):
            st = stats.get(sig)
            checks = _argument_checks(sig)
            if st is None or checks is None or sig in self._native:
                continue
            entries.append((checks, None, sig, st, st.python_count, st.python_last, ask, 0))
        nd.set_table(self, entries, list(self._guards), bool(self._native))

    def _calls_counted(self) -> int:
        return self._nd.calls(self)

    def _native_deopted(self, sig: tuple, why: str):
        """The native dispatcher ran `sig`'s native code, which asked for Python: DISPATCH_AGAIN
        if new native code for it was swapped in just now (the dispatcher calls again), else None."""
        return DISPATCH_AGAIN if self._note_deopt(sig, self.rustify._stats[sig], why) else None


_NEVER = 2**64 - 1  # a policy mask no tick count matches
_SIMPLE_CHECKS = frozenset(("float", "int", "bool", "list[float]", "list[int]"))
# kinds that are their exact type (kind_of: `_SCALARS`, `_TEXT_KINDS`), and the attribute kinds an
# instance check tests on the type alone (signature._FLAT_TYPES)
_EXACT_CHECKS = {"None": type(None), "complex": complex, "str": str, "bytes": bytes, "bytearray": bytearray}
_FLAT_ATTRIBUTE_TYPES = {"float": float, "int": int, "bool": bool, "None": type(None), "complex": complex,
                         "str": str, "bytes": bytes}
_check_cache: dict[tuple, list | None] = {}


def _argument_checks(sig: tuple) -> list | None:
    """The native dispatcher's check of each argument of `sig`: a kind it tests on type pointers,
    an (ndarray type, dtype numbers, ndim, C-contiguous) tuple, or "kind:<kind>" (it calls `kind_of`)."""
    checks = _check_cache.get(sig)
    if checks is None and sig not in _check_cache:
        checks = _check_cache[sig] = [_argument_check(kind) for kind in sig]
    return checks


def _argument_check(kind: str):
    if kind in _SIMPLE_CHECKS:
        return kind
    if kind in _EXACT_CHECKS:
        return ("exact", _EXACT_CHECKS[kind])
    if kind.startswith("obj["):
        check = _instance_check(kind)
        if check is not None:
            return check
    if kind.startswith("ndarray[") and kind.endswith("]") and "byte-swapped" not in kind:
        from rustify.runtime import signature

        name, _, rest = kind[len("ndarray["):-1].partition(", ")
        ndim, _, order = rest.partition(", ")
        np = sys.modules.get("numpy")
        if np is not None and signature._array_type is not None and ndim.isdigit() and order in ("C", "A"):
            nums = sorted({np.dtype(c).num for c in np.typecodes["All"] if np.dtype(c).name == name})
            if nums:
                return (signature._array_type, nums, int(ndim), order == "C")
    return "kind:" + kind


def _instance_check(kind: str):
    """An instance kind whose attributes all hold numbers, None or text, as the native dispatcher
    tests it without calling `kind_of` (its `InstanceCheck`): ("instance", class, kind, "slots",
    [(member descriptor, type or None if unset), ...] for every slot) or (..., "dict", [(name,
    type), ...]). None for any other (a `kind:` check calls `kind_of`)."""
    from rustify.ir.types import parse_kind
    from rustify.runtime.signature import class_of_kind

    found = class_of_kind(kind)
    inst = parse_kind(kind)
    if found is None or inst is None or not hasattr(inst, "attrs"):
        return None
    t, slots = found
    if inst.kind != kind or any(k not in _FLAT_ATTRIBUTE_TYPES for _, k in inst.attrs):
        return None
    attrs = dict(inst.attrs)
    if len(attrs) != len(inst.attrs):
        return None
    has_dict = t.__dictoffset__ != 0
    if slots and not has_dict:
        if [n for n in slots if n in attrs] != list(attrs):
            return None  # not the kind_of order of these slots (or a name no slot has)
        layout = []
        for name in slots:
            descr = next((b.__dict__[name] for b in t.__mro__ if name in b.__dict__), None)
            if type(descr) is not types.MemberDescriptorType:
                return None
            layout.append((descr, _FLAT_ATTRIBUTE_TYPES[attrs[name]] if name in attrs else None))
        return ("instance", t, kind, "slots", layout)
    if not slots and has_dict:
        descr = next((b.__dict__["__dict__"] for b in t.__mro__ if "__dict__" in b.__dict__), None)
        if type(descr) is not types.GetSetDescriptorType:
            return None
        return ("instance", t, kind, "dict", [(sys.intern(n), _FLAT_ATTRIBUTE_TYPES[k]) for n, k in inst.attrs])
    return None


_native_class_made: list = []  # [the class] once made, [None] if it cannot be


def _native_accelerated_class():
    """`Accelerated` on the native dispatcher's `Dispatcher` base, once it is loaded; else None."""
    if _native_class_made:
        return _native_class_made[0]
    nd = _native_dispatch.current()
    if nd is None:
        return None  # probed once per process (current() remembers a miss)
    try:
        cls = type("Accelerated", (nd.Dispatcher, _NativeCalls, Accelerated),
                   {"__module__": __name__, "__doc__": Accelerated.__doc__, "__qualname__": "Accelerated"})
        nd.enable_vectorcall(cls)
    except Exception as e:  # noqa: BLE001 - the Python call path is always there
        log.info("rustify: the native dispatcher cannot be used (%s); calls keep the Python path", e)
        cls = None
    _native_class_made.append(cls)
    return cls


def _tell_native_dispatcher(compiling: bool) -> None:
    nd = _native_dispatch._module
    if nd is not None:
        nd.set_compiling(compiling)


_RUSTIFY_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _first_user_frame() -> int:
    """The `stacklevel` that makes a warning raised by this function's caller name the
    first frame outside rustify (the user's call), however deep the dispatch went."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_RUSTIFY_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _untranslatable_text(reasons) -> str:
    return "cannot be translated:\n  " + "\n  ".join(map(str, reasons))


def _sig_text(sig: tuple) -> str:
    return "(" + ", ".join(sig) + ")"
