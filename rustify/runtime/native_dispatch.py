"""Load the native dispatcher (built by `rustify.build.dispatcher`) into this process.

In: the cache dir. Out: the extension module (`current()`), or None while it is not
built (a first run on a machine, no Rust toolchain, a loose cache): then the Python
call path in `dispatch.py` runs, and `build_in_background()` queues its one-time build
on the compile worker, from the same shared target dir and pins as every crate.
Nothing is dlopen()ed unless it matches its recorded sha256 (`find_artifact`). A
process loads it at most once; wrappers made after it is loaded use it.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("rustify")

_lock = threading.Lock()
_module = None
_looked = False  # the cache was probed once (a miss is probed again after a build)
_build_queued = False


def enabled() -> bool:
    """On unless `RUSTIFY_NATIVE_DISPATCH=0` (then the Python call path runs)."""
    return os.environ.get("RUSTIFY_NATIVE_DISPATCH") != "0"


def current():
    """The loaded dispatcher module, loading it from the cache on the first call; None if not built."""
    global _looked
    if _module is not None or _looked:
        return _module
    with _lock:
        if not _looked:
            _looked = True
            _load_cached()
    return _module


def load(build: bool = False, lock_wait: float | None = None):
    """Like `current()`, probing the cache again; `build=True` builds it now if it is missing
    (`lock_wait`: as for any build; BuildBusy past it)."""
    global _looked
    with _lock:
        _looked = True
        if _module is None:
            _load_cached()
        if _module is None and build:
            from rustify.build.dispatcher import build_dispatcher, dispatcher_crate_name

            name = dispatcher_crate_name()
            _install(build_dispatcher(name, lock_wait=lock_wait), name)
    return _module


def build_in_background() -> None:
    """Queue the dispatcher's build on the compile worker (once per process), if it is missing."""
    global _build_queued
    if _module is not None or _build_queued or not enabled():
        return
    _build_queued = True
    from rustify.runtime.dispatch import _worker

    def job():
        global _build_queued
        from rustify.errors import BuildBusy

        try:
            load(build=True, lock_wait=0)  # never queue behind another build: the next compile asks again
        except BuildBusy:
            _build_queued = False
        except Exception as e:  # noqa: BLE001 - the Python call path keeps working
            log.info("rustify: the native dispatcher was not built (%s); calls keep the Python path", e)

    _worker().submit(job)


def _after_fork_in_child() -> None:
    """A forked child gets a fresh lock (a thread of the parent may have held it mid-build)."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _load_cached() -> None:
    """Load the artifact if the cache holds a verified one (call with `_lock` held)."""
    if not enabled():
        return
    try:
        from rustify.build.cache import find_artifact
        from rustify.build.dispatcher import dispatcher_crate_name
        from rustify.config import cache_dir

        # Its name covers the toolchain (`rustc -vV` on a cache that has not recorded it yet): a
        # cache with no dispatcher at all, an empty one say, is told by one listing.
        if not any(n.startswith("rustify_dispatch_") for n in os.listdir(cache_dir() / "lib")):
            return
        name = dispatcher_crate_name()
        path = find_artifact(name)
    except Exception as e:  # noqa: BLE001 - a loose cache or no toolchain: the Python path runs
        log.debug("rustify: native dispatcher not available: %s", e)
        return
    if path is not None:
        _install(path, name)


def _install(path, name: str) -> None:
    global _module
    from rustify.analysis.source import MISSING
    from rustify.runtime.deopt import Deopt
    from rustify.runtime.dispatch import (ALWAYS_TIMED, DISPATCH_AGAIN, NATIVE_SAMPLE_MASK, PYTHON_SAMPLE_MASK,
                                          PYTHON_SAMPLE_MASK_LATER, PYTHON_SAMPLE_LATER_AFTER, TRIAL_AFTER,
                                          Accelerated, _NativeCalls)
    from rustify.runtime.loader import load_extension
    from rustify.runtime.signature import kind_of

    module = load_extension(path, name, verified=True)
    module.configure(Accelerated._plan_call, _NativeCalls._native_deopted, kind_of, Deopt, DISPATCH_AGAIN, MISSING,
                     PYTHON_SAMPLE_MASK, PYTHON_SAMPLE_MASK_LATER, PYTHON_SAMPLE_LATER_AFTER, NATIVE_SAMPLE_MASK,
                     ALWAYS_TIMED, Accelerated._speed_sample, TRIAL_AFTER)
    _module = module
