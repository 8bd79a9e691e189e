"""`rustify accelerate --build`: a wheel that installs and runs without Rust or rustify.

The wheel is really built (maturin, shared cache), installed into a fresh
venv, and run with cargo/rustc off PATH; a profile hook in that process shows
which code ran: the native entry, the Python original, or both (a fall back).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rustify.cli._target import load_file
from rustify.codegen.export import ExportedFunction, ExportError, original_source, render_export

WORKLOAD = '''
import math
from math import sqrt as root

SCALE = 2.0
LIMIT = float("inf")


def norm(xs):
    total = 0.0
    for x in xs:
        total += x * x * SCALE
    return root(total) if total < LIMIT else math.inf


def count_above(xs, k):
    n = 0
    for x in xs:
        if x > k:
            n += 1
    return n


if __name__ == "__main__":
    data = [float(i) for i in range(200)]
    for _ in range(5):
        norm(data)
        count_above([3, 1, 4, 1, 5], 2)
    print("workload done")
'''

CHECK = '''
import importlib.util, json, shutil, sys
import {pkg} as pkg
from {pkg} import _original

events = []
def watch(frame, event, arg):
    if event == "c_call" and getattr(arg, "__module__", None) == "{pkg}._native":
        events.append("native")
    elif event == "call" and frame.f_code in (_original.norm.__code__, _original.count_above.__code__):
        events.append("python")

def run(f, *args, **kwargs):
    events.clear()
    sys.setprofile(watch)
    try:
        result = f(*args, **kwargs)
    finally:
        sys.setprofile(None)
    return [result, list(events)]

print(json.dumps(dict(
    rustify=importlib.util.find_spec("rustify") is not None,
    cargo=shutil.which("cargo"), rustc=shutil.which("rustc"),
    norm_floats=run(pkg.norm, [0.5 * i for i in range(100)]),
    norm_ints=run(pkg.norm, [1, 2, 3]),
    norm_kwargs=run(pkg.norm, xs=[1.0, 2.0]),
    count=run(pkg.count_above, [3, 1, 4, 1, 5, 9], 2),
    count_big_int=run(pkg.count_above, [2**70, 1], 2),
    count_floats=run(pkg.count_above, [0.5, 2.5], 1),
)))
'''


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory, cache_dir):
    tmp = tmp_path_factory.mktemp("export")
    script = tmp / "kernels.py"
    script.write_text(WORKLOAD)
    out = tmp / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "rustify", "accelerate", str(script), "--function", "norm",
         "--function", "count_above", "--build", "--output", str(out)],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, RUSTIFY_CACHE_DIR=str(cache_dir)),
    )
    assert proc.returncode == 0, proc.stderr
    wheel = Path(proc.stdout.strip().splitlines()[-1])
    assert wheel.is_file() and wheel.parent == out / "dist"
    assert "workload done" in proc.stderr and "workload done" not in proc.stdout
    return script, out, wheel


def test_wheel_runs_native_without_rust_or_rustify_and_falls_back(built_wheel, tmp_path):
    script, out, wheel = built_wheel
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-index", "--no-deps", str(wheel)], check=True, timeout=300)
    bare_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no ~/.cargo/bin, no RUSTC
    proc = subprocess.run([str(python), "-c", CHECK.format(pkg="kernels_native")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=bare_env)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["rustify"] is False and got["cargo"] is None and got["rustc"] is None

    original = load_file(script)
    # compiled signatures run native code only, with Python's results
    assert got["norm_floats"] == [original.norm([0.5 * i for i in range(100)]), ["native"]]
    assert got["count"] == [original.count_above([3, 1, 4, 1, 5, 9], 2), ["native"]]
    # other argument types: the native entry refuses (Deopt), the original runs
    assert got["norm_ints"] == [original.norm([1, 2, 3]), ["native", "python"]]
    assert got["count_floats"] == [original.count_above([0.5, 2.5], 1), ["native", "python"]]
    assert got["count_big_int"] == [original.count_above([2**70, 1], 2), ["native", "python"]]
    # keyword arguments go straight to the original
    assert got["norm_kwargs"] == [original.norm(xs=[1.0, 2.0]), ["python"]]


def test_exported_project_layout_and_shim(built_wheel):
    _, out, _ = built_wheel
    shim = (out / "python" / "kernels_native" / "__init__.py").read_text()
    originals = (out / "python" / "kernels_native" / "_original.py").read_text()
    lib = (out / "src" / "lib.rs").read_text()
    assert "import rustify" not in originals and "import rustify" not in shim
    assert 'py.import("kernels_native")' in lib and "rustify.runtime" not in lib
    for line in ("import math", "from math import sqrt as root", "SCALE = 2.0", "LIMIT = float('inf')"):
        assert line in originals
    assert "fn norm__0" in lib and "fn count__above__0" in lib  # `_` doubles in generated names


def test_original_source_drops_decorators_and_copies_globals():
    text, needs = original_source(_decorated)
    assert text.startswith("def _decorated(x):") and "@" not in text
    assert needs == {"math": "import math", "_K": "_K = 7"}


def test_render_export_rejects_bad_requests():
    from rustify.analysis import analyse

    fn = analyse(_decorated, ("float",))
    with pytest.raises(ExportError, match="identifier"):
        render_export("not-a-name", [ExportedFunction(_decorated, [fn])], "x.py")
    with pytest.raises(ExportError, match="share the name"):
        render_export("pkg", [ExportedFunction(_decorated, [fn]), ExportedFunction(_decorated, [fn])], "x.py")
    with pytest.raises(ExportError, match="nothing to export"):
        render_export("pkg", [ExportedFunction(_decorated, [])], "x.py")


import math  # noqa: E402

_K = 7


def _identity(f):
    return f


@_identity
def _decorated(x):
    return math.floor(x) * _K
