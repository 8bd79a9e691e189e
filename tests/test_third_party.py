"""A real third-party package's own test suite, unchanged, under auto mode.

geographiclib (pure Python, pinned in the dev extras; its tests ship inside the
package) runs its suite through `python -m rustify run --auto geographiclib
--mode eager -m pytest`: every function of the package is wrapped and every
signature it is called with is compiled at its first call, so the suite
exercises the native paths. The suite must stay green, pass as many tests as it
does without rustify, and some of its functions must actually run native
(`--summary` lists them: Math.polyval's Horner loop among them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

PACKAGE = "geographiclib"
SUITE = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", f"{PACKAGE}.test"]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("RUSTIFY_") or k == "RUSTIFY_CACHE_DIR"}


def _passed(output: str) -> int:
    tail = output.strip().splitlines()[-1] if output.strip() else ""
    found = re.search(r"(\d+) passed", tail)
    assert found and not re.search(r"failed|error", tail), f"pytest did not pass:\n{output[-3000:]}"
    return int(found.group(1))


@pytest.mark.slow
def test_third_party_suite_green_under_eager_auto_mode(tmp_path):
    pytest.importorskip(PACKAGE, reason="install the dev extras: pip install -e '.[dev]'")
    plain = subprocess.run([sys.executable, *SUITE], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300, env=_env())
    assert plain.returncode == 0, plain.stdout[-3000:] + plain.stderr[-3000:]
    expected = _passed(plain.stdout)

    auto = subprocess.run([sys.executable, "-m", "rustify", "run", "--auto", PACKAGE, "--mode", "eager", "--summary",
                           *SUITE], cwd=tmp_path, capture_output=True, text=True, timeout=600, env=_env())
    assert auto.returncode == 0, auto.stdout[-3000:] + auto.stderr[-5000:]
    assert _passed(auto.stdout) == expected

    summary = auto.stderr[auto.stderr.index("rustify summary:"):]
    native = re.findall(rf"^  native  ({PACKAGE}\.\S+)\((.*)\): (\d+) native calls$", summary, re.M)
    print(summary.splitlines()[0])
    for name, sig, calls in native:
        print(f"  native: {name}({sig}) x{calls}")
    assert native, f"no function of {PACKAGE} ran native:\n{summary[:5000]}"
    assert any(name.endswith("Math.polyval") for name, _, _ in native), summary[:5000]
