"""Compile policies (profile / eager / off), background compile, settings, shadow
validation and the guard on frozen globals. Real builds; nothing is mocked."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest

import rustify
from rustify.config import load_settings
from rustify.runtime.record import run_record, runs_dir


def _poly(x):
    return 1.5 * x * x - 2.0 * x + 0.125


def _new_function(tmp_path, monkeypatch, body: str):
    """A function no earlier run has compiled (a module of its own with a unique constant)."""
    import uuid

    name = f"fresh_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body).replace("UNIQUE", repr(uuid.uuid4().int % 997)))
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    return importlib.import_module(name)


def test_profile_mode_compiles_in_the_background_and_swaps(tmp_path, monkeypatch):
    poly = _new_function(tmp_path, monkeypatch, """
        def poly(x):
            return 1.5 * x * x - 2.0 * x + 0.125 * UNIQUE
        """).poly

    fast = rustify.accelerate(poly, mode="profile", threshold_ms=0, min_calls=3, background=True)
    seen = [fast(float(i)) for i in range(3)]  # the third call makes it hot; it still runs Python
    assert seen == [poly(float(i)) for i in range(3)]
    assert fast.rustify.last_call == "python"
    assert fast.wait(timeout=300)
    assert fast(2.5) == poly(2.5) and fast.rustify.last_call == "native"
    assert fast.rustify.native_signatures == [("float",)]

    # A later run (a new wrapper of the same function) finds the artifact: native at its
    # min_calls-th call, without waiting to get hot again (a high threshold here).
    again = rustify.accelerate(poly, mode="profile", threshold_ms=60_000, min_calls=3)
    assert [again(float(i)) for i in range(3)] == [poly(float(i)) for i in range(3)]
    assert again.rustify.last_call == "native" and again.rustify.cache_hits == {("float",): True}


def test_profile_mode_below_threshold_stays_python_without_compiling():
    def tiny(x):
        return x + 1.0

    fast = rustify.accelerate(tiny, mode="profile", threshold_ms=60_000)
    for _ in range(208):
        assert fast(1.0) == 2.0
    stats = fast.rustify.stats[("float",)]
    # while profiling, calls are counted in bulk and credited at each sample (every 16th)
    assert stats.python_calls == 208 and not stats.compile_requested
    assert stats.python_timed > 2 and stats.mean_python_ns > 0  # sampled, not every call
    assert fast.rustify.status(("float",)) == "pending"


def test_calls_keep_running_while_a_background_compile_is_under_way():
    def weighted(xs, w):
        s = 0.0
        for x in xs:
            s += x * w
        return s

    fast = rustify.accelerate(weighted, threshold_ms=0, min_calls=1)
    xs = [0.5 * i for i in range(100)]
    results, errors = [], []

    def caller():
        try:
            for _ in range(300):
                results.append(fast(xs, 3.0))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=caller) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert set(results) == {weighted(xs, 3.0)}
    assert fast.wait(timeout=300)
    assert fast(xs, 3.0) == weighted(xs, 3.0) and fast.rustify.last_call == "native"


def test_mode_off_records_signatures_and_never_compiles():
    def f(a, b):
        return a * b

    off = rustify.accelerate(f, mode="off")
    assert off(2, 3) == 6 and off([1.0], 2) == [1.0, 1.0]
    assert off.rustify.signatures == [("int", "int"), ("list[float]", "int")]
    assert off.rustify.native_signatures == []


def test_settings_come_from_pyproject_then_environment(tmp_path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [project]
        name = "x"
        [tool.rustify]
        mode = "eager"
        threshold-ms = 5
        validate = 3
    """))
    s = load_settings(env={}, pyproject=tmp_path / "pyproject.toml")
    assert (s.mode, s.threshold_ms, s.validate, s.background) == ("eager", 5.0, 3, True)
    s = load_settings(env={"RUSTIFY_MODE": "off", "RUSTIFY_BACKGROUND": "0"}, pyproject=tmp_path / "pyproject.toml")
    assert (s.mode, s.background, s.validate) == ("off", False, 3)
    assert s.source["mode"] == "RUSTIFY_MODE"
    with pytest.raises(ValueError, match="RUSTIFY_MODE"):
        load_settings(env={"RUSTIFY_MODE": "fast"}, pyproject=tmp_path / "pyproject.toml")
    with pytest.raises(ValueError, match="RUSTIFY_THRESHOLD_MS"):
        load_settings(env={"RUSTIFY_THRESHOLD_MS": "soon"}, pyproject=tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text("[tool.rustify]\nspeed = 11\n")
    with pytest.raises(ValueError, match="unknown setting 'speed'"):
        load_settings(env={}, pyproject=tmp_path / "pyproject.toml")


def test_environment_mode_eager_reaches_the_decorator(tmp_path):
    script = tmp_path / "eager_env.py"
    script.write_text(textwrap.dedent("""
        import rustify

        @rustify.accelerate
        def cube(x):
            return x * x * x

        print(cube(3), cube.rustify.last_call)
    """))
    env = {**__import__("os").environ, "RUSTIFY_MODE": "eager"}
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["27", "native"]


def test_shadow_validation_passes_and_counts():
    def dot(a, b):
        s = 0.0
        for i in range(len(a)):
            s += a[i] * b[i]
        return s

    fast = rustify.accelerate(dot, eager=True, validate=3)
    a, b = [1.0, 2.0, -0.5], [4.0, 0.25, 8.0]
    for _ in range(5):
        assert fast(a, b) == dot(a, b) and fast.rustify.last_call == "native"
    stats = fast.rustify.stats[("list[float]", "list[float]")]
    assert stats.validated == 3 and stats.mismatch is None
    assert "shadow-validated on 3 calls" in fast.rustify.explain()


def test_shadow_validation_checks_exceptions_and_mutations():
    def fill(out, k):
        for i in range(len(out)):
            out[i] = 10 // (k - i)
        return len(out)

    fast = rustify.accelerate(fill, eager=True, validate=10)
    out = [0, 0, 0, 0]
    with pytest.raises(ZeroDivisionError):
        fast(out, 2)
    assert out == [5, 10, 0, 0]  # side effects before the error, as in Python
    assert fast.rustify.stats[("list[int]", "int")].validated == 1
    assert fast.rustify.native_signatures == [("list[int]", "int")]


def test_shadow_validation_reverts_a_signature_that_differs():
    """A native that answers differently from Python (here: a real native whose result is
    perturbed, standing for a translation bug) is caught by validation, which warns with
    the inputs, gives the caller Python's result and reverts that signature for good."""
    import dataclasses

    def total(xs):
        s = 0.0
        for x in xs:
            s += x
        return s

    reference = rustify.accelerate(total, eager=True)
    xs = [1.5, -2.0]
    assert reference(xs) == -0.5 and reference.rustify.last_call == "native"
    real = reference.rustify._natives[("list[float]",)]
    wrong = dataclasses.replace(real, entry=lambda xs: real.entry(xs) + 1.0)

    fast = rustify.accelerate(total, mode="off", validate=2)
    assert fast.adopt_native(wrong)
    with pytest.warns(rustify.RustifyWarning, match=r"shadow validation found a difference: inputs.*1\.5"):
        got = fast(xs)
    assert got == -0.5  # the caller got Python's result
    assert fast.rustify.last_call == "python"
    sig = ("list[float]",)
    assert sig in fast.rustify.reasons and sig not in fast.rustify.native_signatures
    assert "shadow validation" in fast.rustify.explain()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fast(xs) == -0.5  # stays Python, no new warning
        assert fast.rustify.last_call == "python"


SCALE = 2.0


def test_rebinding_a_frozen_global_never_runs_stale_native_code():
    def scaled(x):
        return x * SCALE

    scaled.__module__ = __name__
    fast = rustify.accelerate(scaled, eager=True)
    assert fast(3.0) == 6.0 and fast.rustify.last_call == "native"
    global SCALE
    try:
        SCALE = 5.0
        assert fast(3.0) == 15.0  # recompiled for the new constant (or Python), never 6.0
        assert fast.rustify.dropped and "SCALE" in fast.rustify.dropped[0]
        for value in (7.0, 9.0, 11.0):
            SCALE = value
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", rustify.RustifyWarning)
                assert fast(3.0) == 3.0 * value
        assert "keeps being rebound" in fast.rustify.reasons[("float",)]
    finally:
        SCALE = 2.0


def test_run_record_lists_functions_and_is_written_at_exit(tmp_path):
    def half(x):
        return x / 2

    fast = rustify.accelerate(half, eager=True)
    fast(3.0)
    entry = next(f for f in run_record()["functions"] if f["function"].endswith("half"))
    (sig,) = entry["signatures"]
    assert sig["signature"] == ["float"] and sig["status"] == "native" and sig["native_calls"] == 1
    assert entry["front_door"] == "decorator"

    script = tmp_path / "recorded.py"
    script.write_text("import rustify\n@rustify.accelerate(eager=True)\ndef inc(x):\n    return x + 1\n"
                      "inc(1)\ninc(2.5)\n")
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
    records = [json.loads(p.read_text()) for p in runs_dir().glob("*.json")]
    (record,) = [r for r in records if r["argv"] == [str(script)]]
    (inc,) = record["functions"]
    assert inc["function"] == "__main__.inc"
    assert [(s["signature"], s["status"]) for s in inc["signatures"]] == [(["int"], "native"), (["float"], "native")]


def test_fast_path_handles_other_signatures_deopts_and_wrong_arity():
    def mul(a, b):
        r = a
        for _ in range(3):
            r = r * b
        return r

    fast = rustify.accelerate(mul, eager=True)
    assert fast(2, 3) == 54 and fast.rustify.last_call == "native"
    assert fast(2.0, 0.5) == 0.25 and fast.rustify.last_call == "native"  # another signature
    assert fast(2, 3) == 54 and fast.rustify.last_call == "native"
    big = fast(2**40, 2**10)  # overflows i64 natively: the wide specialisation runs it, exact
    assert big == mul(2**40, 2**10) and fast.rustify.last_call == "native"
    with pytest.raises(TypeError) as native_error:
        fast(1, 2, 3)
    with pytest.raises(TypeError) as python_error:
        mul(1, 2, 3)
    assert str(native_error.value) == str(python_error.value)
    for i in range(40):  # alternating signatures: results stay exact, the fast path steps aside
        assert fast(i, 2) == mul(i, 2) and fast(float(i), 2.0) == mul(float(i), 2.0)
    assert fast._fast is None
    assert fast.rustify.native_calls[("int", "int")] >= 40


def test_unsampled_calls_report_the_reason_of_the_signature_that_stays_python():
    def keys(d):
        return len(d)  # a frozenset has no IR type

    wrapped = rustify.accelerate(keys, mode="profile", threshold_ms=0, background=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        for _ in range(21):  # call 21 is not a sample
            assert wrapped(frozenset({1})) == 1
    assert wrapped.rustify.last_call == "python"
    assert wrapped.rustify.last_signature == ("builtins.frozenset",)
    assert "cannot be translated" in wrapped.rustify.last_reason


SPIN = """
    def spin(n):
        s = 0.0
        for i in range(n):
            s += i * 0.5
        return s + UNIQUE
"""


def test_auto_mode_builds_only_once_python_time_passes_the_measured_build_cost(tmp_path, monkeypatch):
    """Ski rental (the import hook's policy): while a signature has cost the interpreter less than
    a build is expected to cost (the median CPU of this cache's recorded builds) nothing is analysed
    or built; once it has cost more, the build starts, lands, and its CPU is recorded."""
    from rustify.build.costs import _path as costs_path, expected_build_ns
    from rustify.config import cache_dir
    from rustify.pipeline import crate_name
    from rustify.analysis.source import load_source

    mod = _new_function(tmp_path, monkeypatch, SPIN)
    price = expected_build_ns()
    assert 0 < price < 600e9
    fast = rustify.accelerate(mod.spin, mode="profile", threshold_ms=1, background=True, front_door="auto")
    assert fast.policy.ski_rental
    sig = ("int",)
    expected = mod.spin(20000)
    crate_dir = cache_dir() / "crates" / crate_name(mod.spin, sig, load_source(mod.spin))
    assert fast(20000) == expected
    st = fast.rustify.stats[sig]
    while st.estimated_python_ns() < 0.3 * price:
        assert fast(20000) == expected
    # far past threshold_ms, below the build's price: no compile, no crate written
    assert not st.compile_requested and st.hot_at is None, fast.rustify.explain()
    assert fast.rustify.status(sig) == "pending" and not crate_dir.exists()
    recorded = costs_path().stat().st_mtime_ns if costs_path().exists() else None
    deadline = time.monotonic() + 4 * price / 1e9 + 60
    while not st.compile_requested and time.monotonic() < deadline:
        assert fast(20000) == expected
    assert st.compile_requested, \
        f"no build after {st.estimated_python_ns() / 1e9:.1f} s of Python (price {price / 1e9:.1f} s)"
    assert st.estimated_python_ns() >= price
    assert fast.wait(600)
    assert fast(20000) == expected and fast.rustify.last_call == "native", fast.rustify.explain()
    assert crate_dir.exists()
    assert costs_path().exists() and costs_path().stat().st_mtime_ns != recorded, "the build's CPU was not recorded"


def test_a_decorated_function_keeps_the_plain_threshold():
    """The ski rental is the import hook's; a function the user decorated compiles once hot."""
    fast = rustify.accelerate(_poly, mode="profile")
    assert not fast.policy.ski_rental


NESTED = """
    def outer(x):
        def inner(y):
            return y * 2.0 + UNIQUE
        return inner(x)
"""


def test_auto_mode_takes_an_earlier_runs_refusal_at_once_and_unwraps(tmp_path, monkeypatch):
    """A signature an earlier run refused (a verdict in the cache, listed in its index) stays Python
    at its min_calls-th call under auto mode, without waiting to get hot, and is unwrapped."""
    from rustify.runtime.dispatch import GIVE_UP_AFTER

    mod = _new_function(tmp_path, monkeypatch, NESTED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = rustify.accelerate(mod.outer, eager=True)
        assert first(1.5) == mod.outer(1.5)
    assert first.rustify.status(("float",)) == "python"  # the refusal is now in the cache
    plain = mod.outer
    again = mod.outer = rustify.accelerate(plain, mode="profile", front_door="auto")
    assert again(1.5) == plain(1.5) and again.rustify.status(("float",)) == "pending"
    assert again(1.5) == plain(1.5)  # min_calls: the cache's verdict, at once
    assert again.rustify.status(("float",)) == "python", again.rustify.explain()
    assert again.rustify.stats[("float",)].estimated_python_ns() < again.policy.threshold_ns  # not hot
    # every signature seen stays Python: given up on after GIVE_UP_AFTER policy visits, and unwrapped
    for _ in range(4 * 16 * (GIVE_UP_AFTER + 1)):  # policy visits are 1 in 1024 calls by then
        if again.rustify.gave_up is not None:
            break
        assert again(1.5) == plain(1.5)
    assert again.rustify.gave_up is not None and f"{mod.__name__}.outer" in again.rustify.unwrapped
    assert mod.outer is plain


TINY = """
    def tiny(x):
        return x + UNIQUE
"""


def test_auto_mode_leaves_a_function_too_cheap_for_a_native_call_and_unwraps_it(tmp_path, monkeypatch):
    """Under the ski rental a signature whose calls take less than a native call costs by itself
    (NATIVE_CALL_NS) stays Python after CHEAP_AFTER calls, with no compile, and is unwrapped;
    a signature seen twice does not keep the wrapper on (GIVE_UP_SHARE)."""
    from rustify.runtime.dispatch import CHEAP_AFTER, GIVE_UP_AFTER

    mod = _new_function(tmp_path, monkeypatch, TINY)
    plain = mod.tiny
    fast = mod.tiny = rustify.accelerate(plain, mode="profile", threshold_ms=0, front_door="auto")
    assert fast(1.5) == plain(1.5) and fast(2.5) == plain(2.5)  # a float signature, seen twice
    for i in range(50 * (CHEAP_AFTER + 16 * GIVE_UP_AFTER)):  # timing decides: a loaded machine takes longer
        if fast.rustify.gave_up is not None:
            break
        assert fast(i) == plain(i)
    st = fast.rustify.stats[("int",)]
    if fast.rustify.status(("int",)) != "python":
        # only the Python call path (no native dispatcher) times a call with enough overhead of its
        # own to look as slow as a native call on a loaded machine; then its votes must say so
        from rustify.runtime import native_dispatch

        assert native_dispatch.current() is None and 4 * st.warm_base[3] < 3 * st.warm_base[2], st.warm_base
        return
    assert "what a native call costs" in fast.rustify.reasons[("int",)]
    assert st.hot_at is None and not fast.rustify.native_signatures  # never compiled, though threshold_ms=0
    assert fast.rustify.gave_up is not None and mod.tiny is plain, (fast._calls_after_verdict, fast.rustify.explain())


def test_auto_mode_says_a_signature_has_not_earned_its_build_yet(tmp_path, monkeypatch):
    """The record of a signature the ski rental has not built names its Python time and the price."""
    from rustify.build.costs import expected_build_ns

    mod = _new_function(tmp_path, monkeypatch, SPIN)
    fast = rustify.accelerate(mod.spin, mode="profile", front_door="auto")
    for _ in range(3):
        fast(1000)
    why = fast.rustify._not_native_yet(("int",))
    assert "a build costs here" in why and f"{expected_build_ns() / 1e9:.3g} s" in why, why


def test_a_preempted_sample_cannot_make_a_short_run_pay_for_a_build():
    """One timed call that took 1000 s of wall time (the process was preempted, say) makes the
    sampled estimate huge; the ski rental also asks for as much process CPU since the signature's
    first call, which a short run does not have."""
    from rustify.runtime.dispatch import CompilePolicy
    from rustify.runtime.info import SignatureStats

    policy = CompilePolicy(mode="profile", threshold_ns=0, ski_rental=True)
    st = SignatureStats(("int",))
    st.cpu_at_first = time.process_time_ns()
    st.python_ns, st.python_timed, st.python_credit = 1000 * 10**9, 1, 5
    assert st.estimated_python_ns() > 1000e9
    assert not policy.is_hot(st)
    st.cpu_at_first = time.process_time_ns() - 10**15  # as if the process had used that much CPU since
    assert policy.is_hot(st)


def test_the_ski_rental_setting(tmp_path):
    assert load_settings(env={}, pyproject=tmp_path / "none.toml").ski_rental == "auto"
    assert load_settings(env={"RUSTIFY_SKI_RENTAL": "1"}, pyproject=tmp_path / "none.toml").ski_rental == "on"
    assert load_settings(env={"RUSTIFY_SKI_RENTAL": "off"}, pyproject=tmp_path / "none.toml").ski_rental == "off"
    with pytest.raises(ValueError, match="ski_rental"):
        load_settings(env={"RUSTIFY_SKI_RENTAL": "maybe"}, pyproject=tmp_path / "none.toml")
