"""What a build costs on this machine: measured CPU seconds of recent builds, kept in the cache.

In: each finished build's CPU time (`record_build`: the building thread's own CPU plus
every process the build ran -- maturin, cargo, rustc, build scripts -- from the
children's rusage). Out: the CPU a next build is expected to cost (`expected_build_ns`),
the price the profile policy's ski rental compares a signature's Python time against
(`runtime.dispatch.CompilePolicy`).

Kept as `build_costs.json` in the cache dir: the last `KEEP` builds' CPU seconds. With no
record yet the first build on a machine also compiles the shared dependencies (PyO3, the
numpy crate), so the estimate is `FIRST_BUILD_CPU_S`. A loose or unreadable file counts as
no record; writing is best effort (a build never fails for it).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import threading
import time

KEEP = 16
# CPU seconds of a machine's first build (PyO3 and the numpy crate compile too): about a
# minute of cargo on this project's 2-core machine (build logs: 60 s; later builds 1-3 s).
FIRST_BUILD_CPU_S = 60.0
FILE_NAME = "build_costs.json"

_lock = threading.Lock()
_expected_ns: float | None = None  # memo of expected_build_ns() (dropped by record_build)


class BuildClock:
    """Around one build: the building thread's CPU plus its children's (reaped meanwhile).

    Children's rusage is process-wide: a child of another thread reaped during the build
    counts too (the cost is overestimated, never hidden)."""

    def __enter__(self) -> "BuildClock":
        self._thread0 = time.thread_time()
        self._children0 = _children_cpu()
        self.cpu_s = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.cpu_s = (time.thread_time() - self._thread0) + (_children_cpu() - self._children0)


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _path():
    from rustify.config import cache_dir

    return cache_dir() / FILE_NAME


def _read() -> list[float]:
    try:
        with open(_path(), encoding="utf-8") as fh:
            st = os.fstat(fh.fileno())
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return []
            data = json.load(fh)
        return [float(x) for x in data.get("cpu_s", []) if float(x) >= 0][-KEEP:]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def record_build(cpu_s: float) -> None:
    """Add one finished build's CPU seconds to the record (best effort)."""
    global _expected_ns
    from rustify.build.cache import write_private

    with _lock:
        costs = (_read() + [round(float(cpu_s), 3)])[-KEEP:]
        try:
            write_private(_path(), json.dumps({"cpu_s": costs}).encode(), 0o600)
        except Exception:  # noqa: BLE001 - a loose cache records nothing; the build itself succeeded
            pass
        _expected_ns = None


def expected_build_ns() -> float:
    """The CPU (ns) a build is expected to cost: the median of the recorded builds, else
    FIRST_BUILD_CPU_S. Read from the cache once per process and after each build of its own."""
    global _expected_ns
    value = _expected_ns
    if value is None:
        costs = _read()
        value = _expected_ns = (statistics.median(costs) if costs else FIRST_BUILD_CPU_S) * 1e9
    return value


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
