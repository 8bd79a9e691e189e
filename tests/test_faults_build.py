"""Faults of the build stage: the Python process dies (kill -9) in the middle of a real build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from faultlib import ROOT, fault, run_snippet, start_snippet, write_module

BUILD_SNIPPET = """
import sys
import {module}
from rustify.analysis.source import load_source
from rustify.pipeline import compile_function, crate_name

func = {module}.{function}
print(crate_name(func, ("float",), load_source(func)), flush=True)
native = compile_function(func, ("float",))
print("native", native.entry(1.0) == func(1.0), native.cache_hit, flush=True)
"""


def heavy_module(directory: Path) -> tuple[str, str]:
    """A module with a uniquely named function big enough that its Rust build takes a while."""
    token = uuid.uuid4().hex[:10]
    function = f"heavy_{token}"
    lines = [f"def {function}(x):", "    acc = 0.0"]
    for k in range(120):
        lines += [f"    for i{k} in range({k % 7 + 2}):",
                  f"        acc += x * {k}.5 - i{k}",
                  f"        if acc > {k * 3}.0:",
                  f"            acc = acc / 1.{k + 1} - {k}.25"]
    lines.append(f"    return acc + 0.{int(token[:6], 16)}")
    module = f"mod_{token}"
    write_module(directory, module, "\n".join(lines) + "\n")
    return module, function


def processes_mentioning(text: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose command line contains `text`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != b"Z":
            found.append((int(entry), cmdline))
    return found


@fault("build", injects="kill -9 of the Python process while cargo/rustc build its function",
       observes="no maturin/cargo/rustc of that build survives 0.5 s later and no wheel gets finished; "
                "`rustify cache prune` removes the dead build's tmp/wheel-* dir; the next build succeeds "
                "with a build.log of its own")
def test_kill_9_during_a_build_leaves_no_orphan_build(tmp_path, cache_dir):
    module, function = heavy_module(tmp_path)
    wheel_dirs_before = set((cache_dir / "tmp").glob("wheel-*"))
    victim = start_snippet(BUILD_SNIPPET.format(module=module, function=function), cwd=tmp_path)
    try:
        name = victim.stdout.readline().strip()
        assert name.startswith("rustify_"), victim.stderr.read()
        deadline = time.monotonic() + 240
        while not any(("cargo" in cmd or "rustc" in cmd) for _, cmd in processes_mentioning(name)):
            assert victim.poll() is None, f"the build ended before cargo was seen: {victim.stderr.read()}"
            assert time.monotonic() < deadline, "cargo never started for the crate"
            time.sleep(0.01)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    time.sleep(0.5)
    survivors = processes_mentioning(name)
    for pid, _ in survivors:  # leave the machine clean even when the test fails
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    assert not survivors, f"the build outlived its Python process: {survivors}"

    time.sleep(2.0)  # an orphaned build, had one survived, would have finished its wheel by now
    wheel_dirs = sorted(set((cache_dir / "tmp").glob("wheel-*")) - wheel_dirs_before)
    assert wheel_dirs, "the killed build left no wheel dir behind?"
    assert not any(list(d.glob("*.whl")) for d in wheel_dirs), "an orphaned maturin finished the wheel"
    pruned = subprocess.run([sys.executable, "-m", "rustify", "cache", "prune"], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert pruned.returncode == 0, pruned.stderr
    assert not any(d.exists() for d in wheel_dirs), pruned.stdout

    again = run_snippet(BUILD_SNIPPET.format(module=module, function=function), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[1] == "native True False", again.stdout
    log = (cache_dir / "crates" / name / "build.log").read_text()
    headers = [ln for ln in log.splitlines() if ln.startswith("$ ")]
    exits = [ln for ln in log.splitlines() if ln.startswith("# exit ")]
    assert log.startswith("$ ") and len(headers) == len(exits) >= 1, log[-2000:]
    assert "# exit 0 after" in log


HOLD_LOCK = """
import fcntl, sys, time
with open({lock!r}, "a+b") as fh:
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    print("holding", flush=True)
    time.sleep(300)
"""

BUSY_SNIPPET = """
import time
import {module}
from rustify.errors import BuildBusy
from rustify.pipeline import compile_function

t0 = time.monotonic()
try:
    compile_function({module}.{function}, ("float",), lock_wait=2.0)
    print("no BuildBusy")
except BuildBusy as e:
    print("BuildBusy", round(time.monotonic() - t0, 1), "build lock" in str(e))
"""


@fault("build", injects="another process holds the build lock and never lets go",
       observes="compile_function(lock_wait=2) raises BuildBusy after about 2 s instead of waiting the "
                "20-minute LOCK_TIMEOUT; lock_wait=None keeps waiting")
def test_a_stuck_lock_holder_makes_the_caller_busy_not_blocked(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    lock = cache / "build.lock"
    holder = start_snippet(HOLD_LOCK.format(lock=str(lock)), cwd=tmp_path)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        module, function = heavy_module(tmp_path)
        busy = run_snippet(BUSY_SNIPPET.format(module=module, function=function), cwd=tmp_path, cache=cache,
                           timeout=120)
        assert busy.returncode == 0, busy.stderr
        word, seconds, names_lock = busy.stdout.split()
        assert word == "BuildBusy" and names_lock == "True", busy.stdout
        assert 2.0 <= float(seconds) < 15.0, busy.stdout  # analysis of the function comes first
        patient = start_snippet(BUSY_SNIPPET.format(module=module, function=function).replace(
            "lock_wait=2.0", "lock_wait=None"), cwd=tmp_path, cache=cache)
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                patient.wait(timeout=8)  # still waiting for the lock: no BuildBusy without lock_wait
        finally:
            patient.kill()
            patient.wait()
    finally:
        holder.kill()
        holder.wait()


@fault("build", injects="a thread of the same process holds the build lock longer than a caller's wait",
       observes="an eager call waits for its own process's build and then runs native (BuildBusy is only "
                "for other processes), and a non-blocking probe (prune) is refused at once")
def test_a_build_in_this_process_is_waited_for_not_skipped(tmp_path, cache_dir):
    import importlib
    import threading

    import rustify
    from rustify.build.builder import exclusive_lock
    from rustify.errors import BuildBusy
    from rustify.runtime.dispatch import CALLER_LOCK_WAIT

    name = f"scaled_{uuid.uuid4().hex[:10]}"  # new source: not in the cache, so it builds
    write_module(tmp_path, name, f"def {name}(x):\n    return x * 3.0 + 1.0\n")
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
    held, hold_for = threading.Event(), CALLER_LOCK_WAIT + 1.5

    def hold():
        with exclusive_lock(cache_dir / "build.lock", "a build of this process"):
            held.set()
            time.sleep(hold_for)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(BuildBusy):
            with exclusive_lock(cache_dir / "build.lock", "probe", wait=0):
                pass
        fast = rustify.accelerate(getattr(module, name), eager=True)
        t0 = time.monotonic()
        assert fast(2.0) == 7.0
        assert fast.rustify.last_call == "native", fast.rustify.explain()
        assert time.monotonic() - t0 >= hold_for - 1.0  # it waited for the holder
    finally:
        holder.join()
