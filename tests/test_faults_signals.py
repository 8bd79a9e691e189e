"""Signals during native code: Ctrl-C and the user's own handlers interrupt a long
native loop within a fraction of a second, as they would interrupt Python.

A real child process runs a ~20 s native loop; the parent sends the signal 1 s
into the call and measures, on the shared monotonic clock, how long the child
took to raise.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

from faultlib import ROOT, fault, write_module

KERNELS = """
    def spin(n):
        acc = 0.0
        for i in range(n):
            acc += 0.5
        return acc


    def fill(out, n):
        i = 0
        while i < n:
            if i % 1000 == 0:
                out.append(i)
            i += 1

    def guarded_fill(out, n):
        i = 0
        try:
            while i < n:
                if i % 1000 == 0:
                    out.append(i)
                i += 1
        finally:
            out.append(-2)

    def caught_fill(out, n):
        i = 0
        try:
            while i < n:
                if i % 1000 == 0:
                    out.append(i)
                i += 1
        except Exception:
            out.append(-3)
        return i
"""

# The child: compile eagerly, size the call to ~20 s, say "calling", then make it.
CHILD = """
    import json, signal, sys, time
    import rustify
    import kernels

    class Stop(Exception):
        pass

    def raise_stop(signum, frame):
        raise Stop(signum)

    if sys.argv[1] in ("fill", "caught_fill"):
        signal.signal(signal.SIGUSR1, raise_stop)
    func = getattr(kernels, sys.argv[1])
    fast = rustify.accelerate(func, eager=True)
    make_args = (lambda n: (n,)) if sys.argv[1] == "spin" else (lambda n: ([-1], n))
    fast(*make_args(10))
    if fast.rustify.last_call != "native":  # another process held the build lock: compiled in the background
        fast.wait()
        fast(*make_args(10))
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    n = 1_000_000
    while True:
        start = time.perf_counter()
        fast(*make_args(n))
        took = time.perf_counter() - start
        if took > 0.3:
            break
        n *= 4
    args = make_args(int(n * 20.0 / took))
    print("calling", flush=True)
    report = {"last_call": None}
    try:
        report["returned"] = fast(*args)
        report["raised"] = None
    except (KeyboardInterrupt, Stop) as e:
        report["raised"] = type(e).__name__
    report["at"] = time.monotonic()
    report["last_call"] = fast.rustify.last_call
    if sys.argv[1] == "guarded_fill":
        report["finally_ran"] = args[0][-1] == -2 and args[0].count(-2) == 1
    if sys.argv[1] == "caught_fill":
        out = args[0]
        report["handler_ran"] = out[-1] == -3 and out.count(-3) == 1
        report["stopped_early"] = report.get("returned") is not None and report["returned"] < args[1]
    if sys.argv[1] == "fill":
        out = args[0]
        report["appended"] = len(out) - 1
        report["prefix_ok"] = out == [-1] + list(range(0, 1000 * (len(out) - 1), 1000))
    print(json.dumps(report), flush=True)
"""


def _interrupt_native_call(tmp_path, kernel: str, signum: int) -> tuple[dict, float]:
    """Run CHILD on `kernel`, send `signum` 1 s into its native call; (its report, latency in s)."""
    write_module(tmp_path, "kernels", KERNELS)
    script = write_module(tmp_path, "child", CHILD)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(tmp_path), str(ROOT))))
    env.pop("RUSTIFY_AUTO", None)
    child = subprocess.Popen([sys.executable, "-u", str(script), kernel], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "calling", f"child did not start its call: {line!r} {child.stderr.read()}"
        time.sleep(1.0)
        sent = time.monotonic()
        child.send_signal(signum)
        out, err = child.communicate(timeout=180)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    return report, report["at"] - sent


@fault("signals", injects="SIGINT sent by the parent 1 s into a ~20 s native loop (the kernel runs without the GIL)",
       observes="KeyboardInterrupt raised by the call well under 1 s after the signal (about 20 ms measured), "
                "not when the loop ends")
def test_ctrl_c_interrupts_a_long_native_loop(tmp_path):
    report, latency = _interrupt_native_call(tmp_path, "spin", signal.SIGINT)
    print(f"SIGINT to KeyboardInterrupt: {latency * 1000:.0f} ms")
    assert report["raised"] == "KeyboardInterrupt"
    assert report["last_call"] == "native"
    assert 0 <= latency < 1.0, f"KeyboardInterrupt came {latency:.2f} s after the signal"


@fault("signals", injects="the user's signal.signal(SIGUSR1, handler) raising its own exception, signalled 1 s "
       "into a ~20 s native loop that appends to a list (the kernel holds the GIL)",
       observes="the user's exception raised well under 1 s after the signal; the list holds exactly the appends "
                "made so far (a prefix of Python's), as Python shows when interrupted mid-loop")
def test_user_signal_handler_exception_interrupts_native_loop(tmp_path):
    report, latency = _interrupt_native_call(tmp_path, "fill", signal.SIGUSR1)
    print(f"SIGUSR1 to the handler's exception: {latency * 1000:.0f} ms, {report['appended']} appends kept")
    assert report["raised"] == "Stop"
    assert report["last_call"] == "native"
    assert 0 <= latency < 1.0, f"the handler's exception came {latency:.2f} s after the signal"
    assert report["appended"] > 0 and report["prefix_ok"]


def _tight_loop(n):
    acc = 0.0
    for i in range(n):
        acc += 0.5
    return acc


@fault("signals", injects="the same tight float loop built with and without its per-iteration signal check",
       observes="the checked loop costs at most a few percent more (ratio printed; about 1.00 measured)")
def test_signal_check_costs_little_in_a_tight_loop():
    from rustify.analysis import analyse
    from rustify.analysis.source import load_source
    from rustify.build import build_extension
    from rustify.codegen.crate import CrateSource
    from rustify.codegen.renderer import render_crate
    from rustify.pipeline import crate_name
    from rustify.runtime.loader import load_extension

    signature = ("int",)
    src = load_source(_tight_loop)
    checked_name = crate_name(_tight_loop, signature, src)
    fn = analyse(_tight_loop, signature, src)
    checked_crate = render_crate(fn, checked_name)
    # the tight loop is innermost: one tick per chunk of iterations (expr.rs.j2's chunked loops)
    assert "signal_poll.tick_many(" in checked_crate.files["src/lib.rs"]
    unchecked_name = "rustify_nosignals_" + hashlib.sha256(checked_name.encode()).hexdigest()[:16]
    unchecked_crate = render_crate(fn, unchecked_name)
    unchecked_crate = CrateSource(unchecked_name, {
        **unchecked_crate.files, "src/lib.rs": re.sub(r"signal_poll\.tick(_many\(.*?\))?\(?\)?\?;", "",
                                                      unchecked_crate.files["src/lib.rs"])})
    checked = load_extension(build_extension(checked_crate), checked_name).entry
    unchecked = load_extension(build_extension(unchecked_crate), unchecked_name).entry
    n = 20_000_000
    assert checked(n) == unchecked(n) == n * 0.5

    best = {checked: float("inf"), unchecked: float("inf")}
    for _ in range(7):  # interleaved, so both see the same machine load
        for entry in best:
            start = time.perf_counter()
            entry(n)
            best[entry] = min(best[entry], time.perf_counter() - start)
    ratio = best[checked] / best[unchecked]
    print(f"tight float loop, checked / unchecked time: {ratio:.3f}")
    # about 1.00 on a quiet machine; a busy one has given 1.24 for identical code, so the bound
    # only catches a check that costs per iteration (a clock read per tick is several times slower)
    assert ratio < 1.5, f"the signal check makes a tight loop {ratio:.2f}x slower"


@fault("signals", injects="SIGINT 1 s into a long native loop inside `try: ... finally: out.append(-2)`",
       observes="KeyboardInterrupt well under 1 s after the signal, and the finally block ran once on the way out "
                "(the list ends with -2), as in Python")
def test_ctrl_c_runs_finally_blocks_on_its_way_out(tmp_path):
    report, latency = _interrupt_native_call(tmp_path, "guarded_fill", signal.SIGINT)
    assert report["raised"] == "KeyboardInterrupt"
    assert report["last_call"] == "native"
    assert 0 <= latency < 1.0, f"KeyboardInterrupt came {latency:.2f} s after the signal"
    assert report["finally_ran"], report


@fault("signals", injects="the user's SIGUSR1 handler raising its own Exception subclass 1 s into a long native "
                          "loop inside `try: ... except Exception: out.append(-3)`",
       observes="the kernel's own handler catches it, as Python's would: the call returns early (i < n) with -3 "
                "appended once, natively, and nothing is raised to the caller")
def test_a_handlers_exception_is_caught_by_the_kernels_except_exception(tmp_path):
    report, _ = _interrupt_native_call(tmp_path, "caught_fill", signal.SIGUSR1)
    assert report["last_call"] == "native"
    assert report["raised"] is None, report
    assert report["handler_ran"] and report["stopped_early"], report


@fault("signals", injects="SIGINT 1 s into a long native loop inside `try: ... except Exception:`",
       observes="KeyboardInterrupt (not an Exception) passes the handler and reaches the caller, as in Python; "
                "the handler's -3 is not appended")
def test_ctrl_c_is_not_caught_by_except_exception(tmp_path):
    report, latency = _interrupt_native_call(tmp_path, "caught_fill", signal.SIGINT)
    assert report["last_call"] == "native"
    assert report["raised"] == "KeyboardInterrupt", report
    assert not report["handler_ran"], report
    assert 0 <= latency < 1.0, f"KeyboardInterrupt came {latency:.2f} s after the signal"
