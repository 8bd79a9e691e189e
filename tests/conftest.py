"""Test setup: one rustify cache for the whole session, so PyO3 and numpy's
crate compile once per run (real cargo, real maturin; nothing is mocked).

Set RUSTIFY_TEST_CACHE to reuse a cache across runs (CI keeps it per run).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from rustify.runtime.validate import same_value

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

_cache = os.environ.get("RUSTIFY_TEST_CACHE") or tempfile.mkdtemp(prefix="rustify-test-cache-")
os.environ["RUSTIFY_CACHE_DIR"] = _cache
# Tests (and their subprocesses) expect an eager first call to run native: they wait for
# another process's build. The short default wait has its own fault test, which sets it.
os.environ.setdefault("RUSTIFY_LOCK_WAIT", "900")


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return Path(_cache)


@pytest.fixture(autouse=True)
def _no_background_compile_outlives_its_test():
    """A test's background compiles finish before the next test starts, so one test's
    build never holds the build lock while a later test's subprocess makes an eager call
    (which waits only a few seconds for another process's build before running Python)."""
    yield
    from rustify.runtime import registry

    for accelerated in registry.accelerated_functions():
        accelerated.wait(timeout=600)


def outcome(func, args):
    """Run func on deep copies of args: ("ok", result, args after) or ("raise", type, args after)."""
    import copy

    args = copy.deepcopy(args)
    try:
        return ("ok", func(*args), args)
    except Exception as e:  # noqa: BLE001 - the exception type is the observable
        return ("raise", type(e), args)


def assert_same_outcome(expected, got, rel=0.0, list_floats_from_numpy=False):
    """The native outcome equals Python's: value (or exception type) and argument mutations."""
    assert expected[0] == got[0], f"python {expected[:2]} vs native {got[:2]}"
    if expected[0] == "raise":
        assert expected[1] is got[1], f"python raised {expected[1]}, native raised {got[1]}"
    else:
        # native code stores numpy scalars into lists as Python scalars (docs/semantics.md); a call
        # that re-ran in Python keeps numpy's, so both are accepted when the case allows it
        same = same_value(expected[1], got[1], rel) or (
            list_floats_from_numpy and same_value(_plain(expected[1]), got[1], rel))
        assert same, f"python {expected[1]!r} vs native {got[1]!r}"
    for before, after in zip(expected[2], got[2]):
        assert same_value(before, after), f"argument differs after the call: {before!r} vs {after!r}"


def _plain(value):
    """numpy scalars stored in a list come back as Python scalars (docs/semantics.md)."""
    if isinstance(value, list):
        return [x.item() if hasattr(x, "item") and not isinstance(x, (list, float, int)) else
                (float(x) if isinstance(x, float) else x) for x in value]
    return value


# Hypothesis profiles: "ci" (default) and "long" (RUSTIFY_HYPOTHESIS_PROFILE=long).
try:
    from hypothesis import HealthCheck, settings as _hyp_settings

    _hyp_settings.register_profile("ci", max_examples=30, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow])
    _hyp_settings.register_profile("long", max_examples=2000, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow])
    _hyp_settings.load_profile(os.environ.get("RUSTIFY_HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
