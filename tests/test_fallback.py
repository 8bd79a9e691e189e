"""Every way a function stays Python: it keeps giving Python's answer, warns
once with the cause, and explains itself."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import pytest

import rustify
from rustify.codegen.crate import CrateSource


def test_untranslatable_body_runs_python_warns_and_explains():
    def shout(xs):
        total = 0.0
        for x in xs:
            total += x
        print("total", total)
        return total

    fast = rustify.accelerate(shout, eager=True)
    with pytest.warns(rustify.RustifyWarning, match="stays Python") as record:
        assert fast([1.0, 2.0]) == 3.0
    assert len(record) == 1
    assert fast.rustify.last_call == "python"
    (reason,) = fast.rustify.reason_records[("list[float]",)]
    assert reason.line == shout.__code__.co_firstlineno + 4
    assert "print" in reason.construct
    assert "print" in fast.rustify.explain()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once: the second call is silent
        assert fast([1.0]) == 1.0


def test_type_dependent_construct_is_refused_with_reason():
    def pick(a, b):
        return max(a, b)

    fast = rustify.accelerate(pick, eager=True)
    with pytest.warns(rustify.RustifyWarning):
        assert fast(1, 2.5) == 2.5
    assert fast(3, 2.5) == 3 and type(fast(3, 2.5)) is int
    assert "value-dependent type" in fast.rustify.explain()


def test_each_signature_gets_its_own_specialization():
    def scale(xs, k):
        out = [0.0] * len(xs)
        for i in range(len(xs)):
            out[i] = xs[i] * k
        return out

    fast = rustify.accelerate(scale, eager=True)
    assert fast([1.0, 2.0], 2.0) == [2.0, 4.0]
    assert fast([1.0, 2.0], 3) == [3.0, 6.0]
    assert set(fast.rustify.native_signatures) == {("list[float]", "float"), ("list[float]", "int")}


def test_signature_not_compiled_yet_runs_python():
    def add(a, b):
        return a + b

    lazy = rustify.accelerate(add, min_calls=3, threshold_ms=0, background=False)
    assert lazy(1, 2) == 3 and lazy.rustify.last_call == "python"
    assert lazy(1, 2) == 3 and lazy.rustify.last_call == "python"
    assert lazy(1, 2) == 3 and lazy.rustify.last_call == "native"
    assert lazy(1.5, 2.0) == 3.5 and lazy.rustify.last_call == "python"


def test_list_element_of_another_type_reruns_in_python():
    def total(xs):
        s = 0.0
        for x in xs:
            s += x
        return s

    fast = rustify.accelerate(total, eager=True)
    assert fast([1.0, 2.0]) == 3.0 and fast.rustify.last_call == "native"
    assert fast([1.0, 2]) == 3.0  # [float, int]: the native check hands it back
    assert fast.rustify.last_call == "python"
    assert "not a float" in fast.rustify.last_reason
    big = [1.0, 2**70]
    assert fast(big) == total(big)


def test_keyword_arguments_that_do_not_bind_run_python():
    def f(a, b):
        return a - b

    fast = rustify.accelerate(f, eager=True)
    with pytest.raises(TypeError) as native_error:
        fast(5, a=2)  # `a` twice: Python's own TypeError
    with pytest.raises(TypeError) as python_error:
        f(5, a=2)
    assert str(native_error.value) == str(python_error.value)
    assert fast.rustify.last_call == "python"


def test_build_failure_keeps_python_and_names_the_log(monkeypatch):
    """A crate that does not compile (real cargo, real error) leaves Python running."""
    import rustify.codegen as codegen

    real_render = codegen.render

    def broken_render(fn, name, *rest):
        crate = real_render(fn, name, *rest)
        files = dict(crate.files)
        files["src/lib.rs"] += "\nfn broken( {\n"
        return CrateSource(crate.name, files)

    monkeypatch.setattr(codegen, "render", broken_render)

    def poly(x):
        return 3.0 * x * x + 2.0 * x + 1.25  # unique body: a fresh crate name

    fast = rustify.accelerate(poly, eager=True)
    with pytest.warns(rustify.RustifyWarning, match=r"build failed.*build\.log"):
        assert fast(2.0) == poly(2.0)
    assert fast.rustify.last_call == "python"
    log = fast.rustify.reasons[("float",)].split("full build log: ")[1].rstrip(")")
    assert "error" in open(log).read()


SCRIPT = textwrap.dedent("""
    import warnings, rustify
    warnings.simplefilter("always")

    @rustify.accelerate(eager=True)
    def mix(a, b):
        return a * 0.25 + b * {factor}

    print(mix(2.0, 4.0))
    print(mix.rustify.last_call)
    print(mix.rustify.cache_hits)
""")


def _run(script: str, env: dict, folder) -> subprocess.CompletedProcess:
    path = folder / "script.py"
    path.write_text(script)
    return subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=600)


def test_missing_toolchain_keeps_python(tmp_path):
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(tmp_path), PATH=os.path.dirname(sys.executable) + ":/usr/bin:/bin")
    proc = _run(SCRIPT.format(factor=0.5), env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[:2] == ["2.5", "python"]
    assert "Rust is not installed" in proc.stderr


def test_second_process_loads_the_cache_without_cargo(cache_dir, tmp_path):
    """Process one compiles; process two, with no cargo on PATH at all, runs native from the cache."""
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(cache_dir))
    first = _run(SCRIPT.format(factor=0.75), env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split()[1] == "native"
    no_cargo = dict(env, PATH=os.path.dirname(sys.executable) + ":/usr/bin:/bin")
    second = _run(SCRIPT.format(factor=0.75), no_cargo, tmp_path)
    assert second.returncode == 0, second.stderr
    value, last, hits = second.stdout.split("\n")[:3]
    assert (value, last) == ("3.5", "native")
    assert "True" in hits


def test_a_source_file_edited_after_import_is_not_translated(tmp_path, monkeypatch):
    """The translation reads the function's file as it is now, at the function's first line:
    a file edited after the import (lines shifted) no longer defines the function there, and
    translating what stands there would give another function's results. It stays Python."""
    import importlib
    import linecache

    path = tmp_path / "edited_module.py"
    path.write_text("def first(xs):\n    return xs[0]\n\n\ndef total(xs):\n    s = 0\n    for x in xs:\n"
                    "        s += x\n    return s\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("edited_module")
    path.write_text("def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n\n\n"
                    "def first(xs):\n    return xs[0]\n")
    linecache.checkcache(str(path))
    fast = rustify.accelerate(mod.first, eager=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        assert fast([5, 6]) == 5 and fast.rustify.last_call == "python"
    assert "no longer defines `first`" in fast.rustify.explain(), fast.rustify.explain()
