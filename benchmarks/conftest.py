"""Shared setup for the benchmarks: the seed kernels on sys.path, Numba's
reflected-list deprecation warnings silenced (a list argument to an njit
function is what a user would pass, warts and all)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

try:
    import numba  # noqa: F401
    from numba.core.errors import NumbaDeprecationWarning, NumbaPendingDeprecationWarning
except ImportError:  # numba is optional: its rows are skipped
    NUMBA_WARNINGS: tuple[type[Warning], ...] = ()
else:
    NUMBA_WARNINGS = (NumbaDeprecationWarning, NumbaPendingDeprecationWarning)
    for _w in NUMBA_WARNINGS:
        warnings.filterwarnings("ignore", category=_w)


def pytest_collection_modifyitems(config, items):
    # pytest re-enables (Pending)DeprecationWarning inside each test, so the
    # module-level filter above is not enough: add it per test as well.
    for item in items:
        for w in NUMBA_WARNINGS:
            item.add_marker(pytest.mark.filterwarnings(f"ignore::{w.__module__}.{w.__qualname__}"))


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After pytest-benchmark's tables: one line per kernel and case with the
    ratios the targets are stated in (medians; no pass/fail on time)."""
    bs = getattr(config, "_benchmarksession", None)
    if bs is None or not getattr(bs, "benchmarks", None):
        return
    medians: dict[tuple[str, str], dict[str, float]] = {}
    order: list[tuple[str, str]] = []
    for bench in bs.benchmarks:
        info = bench.extra_info or {}
        if not {"kernel", "case", "impl"} <= info.keys() or not bench.stats:
            continue
        key = (info["kernel"], info["case"])
        if key not in medians:
            medians[key] = {}
            order.append(key)
        medians[key][info["impl"]] = bench.stats.median
    if not medians:
        return

    def fmt(x, spec):
        return format(x, spec) if x is not None else "-"

    tr = terminalreporter
    tr.write_sep("-", "ratios of medians (speedup = CPython / rustify; vs Numba = rustify / Numba)")
    tr.write_line(f"{'kernel':<18} {'case':<9} {'speedup':>9} {'vs numba':>9}")
    for kernel, case in order:
        m = medians[(kernel, case)]
        r = m.get("rustify")
        speedup = m["cpython"] / r if r and "cpython" in m else None
        vs_numba = r / m["numba"] if r and m.get("numba") else None
        tr.write_line(f"{kernel:<18} {case:<9} {fmt(speedup, '.1f'):>9} {fmt(vs_numba, '.3g'):>9}")
