"""Every runnable example script (one with a `__main__` block) runs, checks itself, and runs native code.

Each example asserts that its native results equal Python's, so exit code 0
means they did; the "last call ran native" lines show native code ran. The
notebook is tested in its own file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RUNNABLE = sorted(p.name for p in EXAMPLES.glob("*.py") if 'if __name__ == "__main__":' in p.read_text())


def test_the_documented_examples_are_runnable():
    assert {"euclidean.py", "image_preprocessing.py"} <= set(RUNNABLE)


@pytest.mark.parametrize("script", RUNNABLE)
def test_example_runs_native(script: str):
    proc = subprocess.run([sys.executable, script], cwd=EXAMPLES, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    ran = [line for line in proc.stdout.splitlines() if "last call ran" in line]
    assert ran, f"{script} does not report which code ran:\n{proc.stdout}"
    assert all("ran native" in line for line in ran), proc.stdout
