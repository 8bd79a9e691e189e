"""The pipeline, end to end: (function, signature) -> a loaded native function.

    cache key ─► cached artifact (digest checked)? ─yes─► load
                      │ no
                      ▼
    analysis (IR) ─► codegen (CrateSource) ─► build (.so path) ─► load

The cache key covers everything the generated code depends on, so a fresh
process whose key matches loads the artifact without astroid, jinja or cargo.
"""

from __future__ import annotations

import hashlib
import os
import sys
import sysconfig
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rustify._version import __version__


@dataclass
class NativeFunction:
    """One compiled specialization: the callable and where it came from."""

    signature: tuple[str, ...]
    entry: Callable
    module_name: str
    path: Path
    cache_hit: bool
    seconds: float  # from request to loaded (a cache hit: lookup + load)
    guards: tuple = ()  # (global name, value) pairs the translation froze in

    @property
    def rust_source_path(self) -> Path:
        from rustify.config import cache_dir

        return cache_dir() / "crates" / self.module_name / "src" / "lib.rs"


def build_key(func: types.FunctionType, signature: tuple[str, ...], src, wide: bool = False) -> str:
    """Hash of what a native for (`func`, `signature`) is built from, except the toolchain:
    source and the globals it reads, signature, rustify and its translator, Python ABI and
    platform, crate versions. Two processes agree on it exactly when the sender's native
    computes what the receiver's Python would (`runtime.ship` matches shipped natives by it)."""
    from rustify.analysis.source import source_fingerprint
    from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION, template_fingerprint

    h = hashlib.sha256()
    for part in (source_fingerprint(func, src), repr(tuple(signature)) + (" wide" if wide else ""), __version__, sys.implementation.cache_tag,
                 sysconfig.get_config_var("EXT_SUFFIX") or "", template_fingerprint(), PYO3_VERSION,
                 NUMPY_CRATE_VERSION):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def crate_name(func: types.FunctionType, signature: tuple[str, ...], src, wide: bool = False) -> str:
    """`rustify_<hash>` over the build key and the Rust toolchain (`wide`: the crate holding
    both the i64 and the wide specialisation, see `compile_function`)."""
    from rustify.build import toolchain_fingerprint

    key = f"{build_key(func, signature, src, wide)}\0{toolchain_fingerprint()}"
    return "rustify_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def function_key(func: types.FunctionType) -> str:
    """A cheap name for `func` across runs (module, qualified name, file), without its source:
    the cache's index says whether any crate of it is there (`build.cache.is_indexed`)."""
    code = getattr(func, "__code__", None)
    text = f"{func.__module__}\0{func.__qualname__}\0{code.co_filename if code else ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def prepare_compile(func: types.FunctionType, signature: tuple[str, ...]):
    """What a compile needs done in the caller's thread before it moves to a background
    thread: the parsed source (returned, for `compile_function(src=...)`) and, unless
    the artifact is already cached, astroid's one-time set-up. Raises OSError,
    TypeError or SyntaxError when the source cannot be had."""
    from rustify.analysis.source import load_source
    from rustify.build import artifact_path
    from rustify.build.cache import verdict_path

    src = load_source(func)
    try:
        name = crate_name(func, signature, src)
        if not os.path.isfile(artifact_path(name)) and not os.path.isfile(verdict_path(name)):  # both checked later
            from rustify.analysis import prepare_in_this_thread

            prepare_in_this_thread()
    except Exception:  # noqa: BLE001 - the compile meets the same failure and reports it; keep the source
        pass
    return src


def compile_function(func: types.FunctionType, signature: tuple[str, ...],
                     lock_wait: float | None = None, src=None, wide: bool = False) -> NativeFunction:
    """Native version of `func` for `signature`.

    `wide`: a crate with two kernels, the i64 one and the wide one (ints that may outgrow 64
    bits held as Python ints, analysis/lower/bigints.py); its entry runs the first and, when
    that asks to re-run because of an int overflow, the second. Raises `Untranslatable` when
    the wide one cannot be translated.

    `src`: its `FunctionSource`, loaded by the caller; a compile that runs in a
    background thread must be given it (loading parses, see `FunctionSource`).

    Raises `Untranslatable` (stays Python, with reasons), `BuildFailed` (the
    toolchain could not build it, the log path is in the message; its
    subclass `UnsafeCache` for a cache dir another user could write),
    `BuildBusy` (another process held the build lock for more than
    `lock_wait` seconds; None waits for it) or OSError (no source available).
    A cached artifact is loaded only if it matches the digest recorded when it
    was built; one that does not is quarantined and rebuilt. A refusal is
    recorded under the same name (`verdicts/`) and answered from there by later
    runs, which never load astroid for it again.
    """
    from rustify.analysis.source import global_guards, load_source
    from rustify.build import build_extension, find_artifact
    from rustify.build.cache import mark_indexed
    from rustify.runtime.loader import load_extension

    start = time.perf_counter()
    src = src if src is not None else load_source(func)
    name = crate_name(func, signature, src, wide)
    path = find_artifact(name)
    hit = path is not None
    if path is None:
        from rustify.analysis import analyse
        from rustify.build.cache import read_verdict, write_verdict
        from rustify.codegen import render
        from rustify.errors import Reason, Untranslatable

        refused = read_verdict(name)  # an earlier run's analysis of exactly this: no astroid again
        if refused is not None:
            mark_indexed(function_key(func))
            raise Untranslatable([Reason(*r) for r in refused["reasons"]], refused["every_signature"])
        try:
            fn = analyse(func, signature, src)
            wide_fn = analyse(func, signature, src, wide=True) if wide else None
        except Untranslatable as e:
            write_verdict(name, e.reasons, e.every_signature and not wide)
            mark_indexed(function_key(func))
            raise
        path = build_extension(render(fn, name, wide_fn), lock_wait=lock_wait)
    mark_indexed(function_key(func))  # a later run probes it at its min_calls-th call (runtime.dispatch)
    module = load_extension(path, name, verified=True)  # both paths above return a checked file
    return NativeFunction(signature, module.entry, name, path, hit, time.perf_counter() - start,
                          global_guards(func, src))
