"""Build stage: a `CrateSource` goes in, the path of a loadable extension module comes out.

`build_extension(crate)` writes the crate under the cache dir, runs
`maturin build` in one shared cargo target dir (so PyO3 compiles once per
machine), unpacks the `.so` from the wheel and returns its path; every failure
is a `BuildFailed` carrying the build log's path (`BuildBusy` when another
process holds the build lock longer than `lock_wait`). Artifacts are
content-addressed by crate name, so a fresh process that finds one
(`find_artifact`: a stat, the cache's ownership and mode, and the artifact's
sha256 against its sidecar) loads it without running cargo; one that fails
the check is quarantined and rebuilt, never dlopen()ed. A cache dir another
user owns or can write is refused (`UnsafeCache`). `install_artifact_bytes`
installs an artifact built elsewhere after checking its digest.
`toolchain_fingerprint()` names the Rust toolchain for the cache key.

Cache layout (root: `rustify.config.cache_dir()`):

    crates/<name>/            the crate's files and its build.log
    lib/<name><EXT_SUFFIX>    the built extension (never overwritten while it verifies)
    lib/<name><EXT_SUFFIX>.sha256   its digest, recorded when it was installed
    tmp/                      wheel-<pid>-* dirs of running builds, quarantined artifacts
    target/                   the one CARGO_TARGET_DIR shared by all crates
    Cargo.lock                seed lockfile: every crate resolves the same versions
    build.lock                file lock serializing builds across processes
    toolchain/                cached `rustc -vV` output
    runs/                     run records (`rustify report`)
    verdicts/<name>.json      "stays Python" verdicts (the analysis's reasons), by crate name
    index/<key>               marks a function with an artifact or a verdict here (by module, name, file)
    build_costs.json          CPU seconds of the last builds (the profile policy's ski rental)
    CACHEDIR.TAG              marks the directory as rustify's cache (`rustify cache` checks it)

Everything is created private (dirs 0700, files 0600) whatever the umask.
maturin runs under `supervisor.py`, whose process group dies with the
Python process. `wheel.py` builds an exported project (`rustify accelerate
--build`) with the same target dir and lock; `housekeeping.py` lists and
prunes the cache, and deletes what killed builds left. A
build in the main thread with a terminal on stderr shows a progress line;
details always go to the `rustify` logger.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .cache import (
    CorruptArtifact,
    UnsafeCache,
    artifact_path,
    find_artifact,
    install_artifact_bytes,
    record_digest,
    verify_artifact,
)
from .toolchain import toolchain_fingerprint

if TYPE_CHECKING:
    from rustify.codegen.crate import CrateSource

__all__ = ["CorruptArtifact", "UnsafeCache", "artifact_path", "build_extension", "find_artifact",
           "install_artifact_bytes", "record_digest", "toolchain_fingerprint", "verify_artifact"]


def build_extension(crate: CrateSource, lock_wait: float | None = None) -> Path:
    """Build `crate` (or find it already built and verified) and return the extension's path.

    Raises `rustify.errors.BuildFailed` on any failure (`UnsafeCache` for a
    cache dir another user could write), `rustify.errors.BuildBusy` if another
    process holds the build lock longer than `lock_wait` seconds (None: wait
    for it). Imports the builder on first use, so processes that only load
    cached artifacts never pay for subprocess, zipfile and friends.
    """
    from .builder import build_extension as _build_extension

    return _build_extension(crate, lock_wait)
