"""The `rustify` command line, run as a real subprocess (`python -m rustify ...`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from rustify.cli.report import render_markdown

COMMANDS = ("accelerate", "explain", "report", "cache", "doctor")

SCRIPT = '''
import math
import sys

def norm(xs):
    total = 0.0
    for x in xs:
        total += x * x
    return math.sqrt(total)

def chatty(xs):
    print("<not translated>")
    return len(xs)

if __name__ == "__main__":
    data = [float(i) for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 50)]
    for _ in range(5):
        norm(data)
    chatty(data)
    print("workload output")
'''


def rustify_cli(*args, env=None, cwd=None, stdin=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "rustify", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, input=stdin, timeout=timeout)


@pytest.fixture
def script(tmp_path) -> Path:
    path = tmp_path / "work.py"
    path.write_text(SCRIPT)
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    proc = rustify_cli(command, "--help")
    assert proc.returncode == 0 and "usage: rustify" in proc.stdout, proc.stderr


def test_accelerate_dry_run_prints_rust_and_reasons(script, tmp_path):
    out = tmp_path / "out"
    proc = rustify_cli("accelerate", script, "--function", "norm", "--function", "chatty", "--dry-run",
                       "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert "fn norm__0" in proc.stdout and "#[pymodule]" in proc.stdout
    assert "workload output" in proc.stderr and "workload output" not in proc.stdout
    assert "norm(list[float]): native" in proc.stderr
    assert "chatty(list[float]): stays Python" in proc.stderr and "line 12" in proc.stderr
    assert not out.exists()  # a dry run writes nothing


def test_accelerate_profiles_and_writes_the_project(script, tmp_path):
    out = tmp_path / "out"
    proc = rustify_cli("accelerate", script, "--threshold", "20", "--output", out, "--", 300_000)
    assert proc.returncode == 0, proc.stderr
    assert "norm: " in proc.stderr and "% of the interpreter time" in proc.stderr
    assert "fn norm__0" in (out / "src" / "lib.rs").read_text()
    assert (out / "python" / "work_native" / "__init__.py").is_file()


def test_accelerate_bad_input(script, tmp_path):
    missing = rustify_cli("accelerate", tmp_path / "nope.py", "--function", "f", "--dry-run")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    unknown = rustify_cli("accelerate", script, "--function", "nope", "--dry-run")
    assert unknown.returncode == 1 and "no function 'nope'" in unknown.stderr
    both = rustify_cli("accelerate", script, "--dry-run", "--build")
    assert both.returncode == 2 and "exclude each other" in both.stderr
    failing = tmp_path / "fail.py"
    failing.write_text("def f(x):\n    return x\n\nraise RuntimeError('boom')\n")
    crashed = rustify_cli("accelerate", failing, "--function", "f", "--dry-run")
    assert crashed.returncode == 1 and "RuntimeError: boom" in crashed.stderr


def test_explain_text_and_html(script, tmp_path):
    page = tmp_path / "explain.html"
    proc = rustify_cli("explain", f"{script}::chatty", "--signature", "list[float]", "--html", page)
    assert proc.returncode == 0, proc.stderr
    assert "STAYS PYTHON" in proc.stdout
    lines = proc.stdout.splitlines()
    print_line = next(ln for ln in lines if 'print("<not translated>")' in ln)
    assert print_line.split()[:2] == ["12", "python"]
    assert any(ln.split()[:2] == ["13", "ok"] for ln in lines)
    assert "print" in lines[lines.index(print_line) + 1]  # the reason under the line
    text = page.read_text()
    assert "&lt;not translated&gt;" in text and "<not translated>" not in text  # escaped
    assert 'class="python"' in text

    native = rustify_cli("explain", f"{script}::norm", "--signature", "list[float]")
    assert native.returncode == 0 and "NATIVE" in native.stdout
    assert all(ln.split()[1] == "native" for ln in native.stdout.splitlines() if " | " in ln and ln[:1] != " ")
    # the file's __main__ block did not run
    assert "workload output" not in native.stdout + native.stderr


def test_explain_module_function_and_signature_sources(tmp_path):
    (tmp_path / "annotated_mod.py").write_text(textwrap.dedent('''
        def scale(xs: list[float], k: float) -> float:
            total = 0.0
            for x in xs:
                total += x * k
            return total

        def bare(a, b):
            return a + b
    '''))
    proc = rustify_cli("explain", "annotated_mod:scale", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(list[float], float)" in proc.stdout and "signature from annotations" in proc.stdout
    proc = rustify_cli("explain", "annotated_mod:bare", cwd=tmp_path,
                       env=dict(os.environ, RUSTIFY_CACHE_DIR=str(tmp_path / "empty-cache")))
    assert proc.returncode == 2 and "--signature" in proc.stderr
    proc = rustify_cli("explain", "annotated_mod:bare", "--signature", "list[flaot],int", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown argument kind 'list[flaot]'" in proc.stderr
    proc = rustify_cli("explain", "no_such_module:f")
    assert proc.returncode == 2 and "cannot import module" in proc.stderr


def test_report_from_a_real_run_record(tmp_path):
    """A process that uses rustify writes a record at exit; `rustify report` renders it."""
    cache = tmp_path / "cache"
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(cache), RUSTIFY_RECORD="1")
    shared = os.environ.get("RUSTIFY_CACHE_DIR")  # reuse the session's build of PyO3 through a symlinked target
    if shared:
        cache.mkdir()
        for name in ("target", "Cargo.lock"):
            if (Path(shared) / name).exists():
                (cache / name).symlink_to(Path(shared) / name)
    program = tmp_path / "prog.py"
    program.write_text(textwrap.dedent('''
        import rustify

        @rustify.accelerate(eager=True)
        def total(xs):
            s = 0.0
            for x in xs:
                s += x
            return s

        @rustify.accelerate(eager=True)
        def shout(xs):
            print("|total|", len(xs))
            return 0

        for _ in range(40):
            assert total([1.0, 2.0, 3.5]) == 6.5
        shout([1.0])
        assert total.rustify.last_call == "native"
    '''))
    run = subprocess.run([sys.executable, "-W", "ignore", str(program)], env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    records = list((cache / "runs").glob("*.json"))
    assert len(records) == 1
    proc = rustify_cli("report", "--output", tmp_path / "report.md", env=env)
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# rustify run report")
    assert "| `__main__.total` | `(list[float])` | native |" in report
    assert "`__main__.shout`" in report and "Stays Python because:" in report
    assert "`print` is not a supported function" in report
    assert rustify_cli("report", records[0], env=env).stdout == report


def test_report_tolerates_missing_fields_and_computes_speedup():
    record = {"functions": [
        {"function": "m.fast", "signatures": [
            {"signature": ["float"], "status": "native", "mean_python_ns": 1000.0, "mean_native_ns": 100.0,
             "compile_seconds": 1.25, "cache_hit": False, "native_calls": 7}]},
        {"function": "m.unmeasured", "signatures": [{"signature": ["int"], "status": "native",
                                                     "mean_python_ns": None}]},
        {"function": "m.eager", "signatures": [{"signature": ["int"], "status": "native", "mean_python_ns": None,
                                                "mean_native_ns": 50.0}]},
        {"function": "m.odd|name", "signatures": [{"status": "python", "reason": "a `reason`\nover lines"}]},
        {"signatures": "not a list"},
        "not a dict",
    ]}
    text = render_markdown(record)
    assert "| `m.fast` | `(float)` | native | 1.25 s (built) | 10.0x | 7 | 0 | 0 |" in text
    assert "| `m.unmeasured` | `(int)` | native | — | not measured |" in text
    assert "| `m.eager` | `(int)` | native | — | not measured: no call of it ran Python" in text
    assert "m.odd|name" in text and "over lines" in text
    assert render_markdown({}).startswith("# rustify run report")


def test_report_without_records(tmp_path):
    proc = rustify_cli("report", env=dict(os.environ, RUSTIFY_CACHE_DIR=str(tmp_path)))
    assert proc.returncode == 1 and "no run records" in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = rustify_cli("report", bad)
    assert proc.returncode == 1 and "is not JSON" in proc.stderr


def _fake_cache(root: Path) -> None:
    """A small cache with rustify's layout: two crates (one old), a run record."""
    from rustify.build.cache import ext_suffix

    for name, age_days in (("rustify_" + "a" * 24, 0), ("rustify_" + "b" * 24, 40)):
        src = root / "crates" / name / "src"
        src.mkdir(parents=True)
        (src / "lib.rs").write_text(f"// Generated by rustify 0 from `f_{name[-1]}` (x.py:1)\n"
                                    f"// for the signature (list[float]). Do not edit.\n")
        (root / "lib").mkdir(exist_ok=True)
        artifact = root / "lib" / f"{name}{ext_suffix()}"
        artifact.write_bytes(b"\0" * 50_000)
        when = time.time() - age_days * 86400
        for p in (artifact, root / "crates" / name):
            os.utime(p, (when, when))
    (root / "runs").mkdir()
    (root / "runs" / "r.json").write_text("{}")
    (root / "build.lock").touch()


def test_cache_list_prune_clear(tmp_path):
    root = tmp_path / "cache"
    _fake_cache(root)
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(root))
    listed = rustify_cli("cache", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "f_a" in listed.stdout and "f_b" in listed.stdout and "(list[float])" in listed.stdout
    assert "40 d" in listed.stdout and "2 compiled functions" in listed.stdout

    pruned = rustify_cli("cache", "prune", "--older-than", "30", env=env)
    assert pruned.returncode == 0, pruned.stderr
    assert not (root / "crates" / ("rustify_" + "b" * 24)).exists()
    assert (root / "crates" / ("rustify_" + "a" * 24)).exists()

    refused = rustify_cli("cache", "clear", env=env, stdin="")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert (root / "crates" / ("rustify_" + "a" * 24)).exists()
    cleared = rustify_cli("cache", "clear", "--yes", env=env)
    assert cleared.returncode == 0, cleared.stderr
    assert sorted(p.name for p in root.iterdir()) == ["build.lock"]


def test_cache_refuses_a_directory_that_is_not_rustifys(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    (tmp_path / "crates").mkdir()
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(tmp_path))
    for args in (("clear", "--yes"), ("prune", "--max-size", "0")):
        proc = rustify_cli("cache", *args, env=env)
        assert proc.returncode == 1 and "does not look like rustify's cache" in proc.stderr
    assert precious.read_text() == "keep me" and (tmp_path / "crates").is_dir()


def test_doctor_healthy(cache_dir):
    proc = rustify_cli("doctor", env=dict(os.environ, RUSTIFY_CACHE_DIR=str(cache_dir)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("rustc", "cargo", "maturin", "cache dir", "rust dependencies"):
        assert any(ln.startswith("OK") and name in ln for ln in proc.stdout.splitlines()), name


def test_doctor_unhealthy_without_cargo(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("RUSTC", "CARGO")}
    env.update(PATH="/usr/bin:/bin", RUSTIFY_CACHE_DIR=str(tmp_path / "cache"))
    proc = rustify_cli("doctor", "--offline", env=env)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert any(ln.startswith("MISSING") and "cargo" in ln for ln in lines)
    assert "sh.rustup.rs" in proc.stdout
    ro = tmp_path / "readonly"
    ro.write_text("a file, not a directory")
    env["RUSTIFY_CACHE_DIR"] = str(ro / "cache")
    proc = rustify_cli("doctor", "--offline", env=env)
    assert any(ln.startswith("MISSING") and "cache dir" in ln for ln in proc.stdout.splitlines())
    assert "RUSTIFY_CACHE_DIR" in proc.stdout


def test_build_progress_on_a_terminal_and_details_through_logging(tmp_path, cache_dir):
    """A foreground build draws a progress line when stderr is a terminal, and
    logs its start and end to the `rustify` logger either way."""
    import pty

    program = tmp_path / "prog.py"
    unique = time.time_ns() % 10**9  # a constant no earlier run compiled: this really builds
    program.write_text(textwrap.dedent('''
        import logging, sys, rustify
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s: %(message)s")

        @rustify.accelerate(eager=True)
        def f(x):
            return x * 3.0 + UNIQUE.5
        print(f(2.0) == 2.0 * 3.0 + UNIQUE.5, f.rustify.last_call)
    ''').replace("UNIQUE", str(unique)))
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(cache_dir), RUSTIFY_RECORD="0")
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, str(program)], env=env, stdout=subprocess.PIPE, stderr=secondary,
                              text=True, timeout=600)
        os.close(secondary)
        terminal = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        os.close(main)
    assert proc.returncode == 0, terminal.decode(errors="replace")
    assert proc.stdout.splitlines()[-1] == "True native"
    assert "rustify.build: building rustify_" in proc.stdout and "build finished after" in proc.stdout
    assert b"rustify: building rustify_" in terminal

    quiet = subprocess.run([sys.executable, str(program)], env=env, capture_output=True, text=True, timeout=600)
    assert quiet.returncode == 0 and "rustify: building" not in quiet.stderr  # not a terminal
