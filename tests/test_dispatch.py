"""The call path: keyword calls run native, a function that stays Python for good is
unwrapped where it lives, and no rustify frame stands between a caller and its function."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import rustify


def test_a_keyword_call_runs_native_like_a_positional_one():
    def blend(a, b, w=0.5):
        return a * w + b * (1.0 - w)

    fast = rustify.accelerate(blend, eager=True)
    assert fast(1.0, 3.0, 0.25) == blend(1.0, 3.0, 0.25) and fast.rustify.last_call == "native"
    assert fast(1.0, b=3.0, w=0.25) == blend(1.0, 3.0, 0.25) and fast.rustify.last_call == "native"
    assert fast(w=0.25, b=3.0, a=1.0) == blend(1.0, 3.0, 0.25) and fast.rustify.last_call == "native"
    assert fast.rustify.native_calls[("float", "float", "float")] == 3  # in the summaries and reports


def _run(tmp_path, module: str, script: str, cache_dir, **settings: str) -> str:
    (tmp_path / "usermod.py").write_text(textwrap.dedent(module))
    (tmp_path / "main.py").write_text(textwrap.dedent(script))
    import os

    env = {**os.environ, "RUSTIFY_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(tmp_path), "RUSTIFY_RECORD": "0",
           **settings}
    proc = subprocess.run([sys.executable, str(tmp_path / "main.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_function_that_stays_python_for_good_is_unwrapped(tmp_path, cache_dir):
    out = _run(tmp_path, """
        def total(xs):              # a generator: never translated, whatever the argument types
            for x in xs:
                yield x

        def scaled(xs):             # a nested def: refused for every signature it meets
            def twice(v):
                return 2 * v
            return [twice(x) for x in xs]

        class Shapes:
            @staticmethod
            def area(w, h):
                def half(v):
                    return v / 2
                return half(w * h) * 2
        """, """
        import rustify, usermod
        from rustify.import_hook import wrap_module
        wrap_module(usermod)
        from usermod import scaled
        import warnings
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        usermod.total = rustify.accelerate(usermod.total, eager=True)  # the import hook skips generators
        assert list(usermod.total([1.0])) == [1.0]
        print("generator", type(usermod.total).__name__, usermod.total.rustify.gave_up is not None)
        for _ in range(64 * 17):  # GIVE_UP_AFTER visits of the policy: one call in 16 once native dispatch counts
            assert usermod.scaled([1.0]) == [2.0]
            assert usermod.Shapes.area(2.0, 3.0) == 6.0
        print("nested", type(usermod.scaled).__name__, type(scaled).__name__,
              sorted(usermod.scaled.rustify.unwrapped))
        print("static", type(usermod.Shapes.__dict__["area"]).__name__,
              type(usermod.Shapes.__dict__["area"].__func__).__name__)
        print("explain", "stays Python for good" in usermod.scaled.rustify.explain())
        """, cache_dir, RUSTIFY_MODE="eager")
    assert "generator function True" in out
    assert "nested function function ['__main__.scaled', 'usermod.scaled']" in out
    assert "static staticmethod function" in out
    assert "explain True" in out


def test_a_warning_from_a_function_that_runs_python_names_the_caller(tmp_path, cache_dir):
    out = _run(tmp_path, """
        import warnings

        def old(x):
            warnings.warn("old() is deprecated", DeprecationWarning, stacklevel=2)
            return x
        """, """
        import warnings, rustify, usermod
        from rustify.runtime import native_dispatch
        native_dispatch.load(build=True)  # the native dispatcher, built once per cache dir
        profiled = rustify.accelerate(usermod.old, mode="profile", threshold_ms=1e12)
        eager = rustify.accelerate(usermod.old, eager=True)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            for i in range(20):
                profiled(1.0)  # sampled and unsampled calls alike
            eager("s")  # a signature that stays Python, asked at its first call
            eager("s")
        print(type(profiled).__name__, type(eager).__name__)
        print(sorted({(w.filename.rsplit("/", 1)[-1], w.lineno) for w in seen
                      if w.category is DeprecationWarning}))
        """, cache_dir)
    assert "[('main.py', 10), ('main.py', 11), ('main.py', 12)]" in out, out


def test_a_refusal_is_recorded_and_answered_from_the_cache(monkeypatch):
    def shout(x):
        print("x", x)
        return x

    first = rustify.accelerate(shout, eager=True, front_door="auto")
    assert first(2.0) == 2.0 and first.rustify.last_call == "python"
    reasons = first.rustify.reason_records[("float",)]
    assert any("print" in r.construct for r in reasons)

    import rustify.analysis as analysis

    def no_analysis(*args, **kwargs):
        raise AssertionError("the analysis ran again")

    monkeypatch.setattr(analysis, "analyse", no_analysis)  # a later run: the verdict comes from the cache
    again = rustify.accelerate(shout, eager=True, front_door="auto")
    assert again(3.0) == 3.0 and again.rustify.last_call == "python"
    assert again.rustify.reason_records[("float",)] == reasons


def test_native_calls_of_a_function_called_with_two_signatures_are_timed():
    def twice(a, b):
        return a * 2 + b

    fast = rustify.accelerate(twice, eager=True)
    for i in range(300):
        assert fast(i, 1) == twice(i, 1) and fast(float(i), 1.0) == twice(float(i), 1.0)
    stats = fast.rustify.stats
    for sig in (("int", "int"), ("float", "float")):
        assert fast.rustify.native_calls[sig] == 300
        assert stats[sig].mean_native_ns is not None  # `rustify report` can state a speedup


def test_a_signature_hot_and_queued_at_exit_is_reported_as_such():
    from rustify.runtime.record import function_record

    def inc(x):
        return x + 1.0

    fast = rustify.accelerate(inc, mode="profile", threshold_ms=1e12)
    fast(1.0)
    fast.rustify.stats[("float",)].compile_requested = True  # as when the policy queued it
    (sig,) = function_record(fast)["signatures"]
    assert sig["status"] == "pending" and "queued or running" in sig["reason"]


def test_an_empty_cache_costs_no_toolchain_probe_under_auto_mode(tmp_path):
    """A process with an empty cache finds no native dispatcher by listing lib/ and, under the ski
    rental, starts no compile: `rustc -vV` (the toolchain fingerprint) never runs."""
    (tmp_path / "mod_empty.py").write_text("def f(x):\n    return x * 2.0 + 1.0\n")
    code = textwrap.dedent("""
        import rustify, mod_empty
        from rustify.runtime import native_dispatch
        f = rustify.accelerate(mod_empty.f, front_door="auto")
        for i in range(3000):
            f(float(i))
        assert native_dispatch.current() is None
        print(f.rustify.status(("float",)))
    """)
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUSTIFY_")}
    env.update(RUSTIFY_CACHE_DIR=str(cache), RUSTIFY_RECORD="0",
               PYTHONPATH=os.pathsep.join([str(tmp_path), str(Path(rustify.__file__).parents[1])]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    left = sorted(p.name for p in cache.iterdir()) if cache.exists() else []
    assert "toolchain" not in left and "crates" not in left, left
