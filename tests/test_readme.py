"""The README's example runs as printed: Python first, native after the background swap."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_runs_and_goes_native(tmp_path):
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
               if "@rustify.accelerate" in block][:1]
    check = "\nprint('same', euclidean(p1, p2) == euclidean.__wrapped__(p1, p2))\n"
    (tmp_path / "readme_example.py").write_text(code + check)
    proc = subprocess.run([sys.executable, "readme_example.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["round 0", "round 1", "round 2"]
    assert lines[2].endswith("last call ran native"), proc.stdout
    assert lines[3] == "same True"
