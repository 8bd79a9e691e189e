"""`rustify.profile()`: sampling, verdicts, swapping functions in and out, and not breaking the program.

Real sampling (SIGPROF, or the thread sampler), real analysis, real builds.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import types

import pytest

import profile_workload as w  # examples/ is on sys.path (conftest)
import rustify
from rustify.runtime.dispatch import Accelerated


@pytest.fixture(scope="module")
def data():
    return w.make_data()


@pytest.fixture(scope="module")
def profiled(data):
    with rustify.profile() as prof:
        result = w.run_workload(data)
    return prof, result


def by_name(prof, name):
    matches = [c for c in prof.candidates if c.function == name]
    assert matches, f"{name} not in the profile:\n{prof}"
    return matches[0]


def test_ranks_the_hot_function_first_with_its_verdict(profiled):
    prof, _ = profiled
    top = prof.candidates[0]
    assert top.function == "profile_workload.distance", str(prof)
    assert top.translatable is True
    assert top.signatures[0] == ("list[float]", "list[float]")
    assert top.func is w.distance
    assert top.interpreted_seconds > 0 and top.samples > 0
    ranked = [c.interpreted_seconds for c in prof.candidates]
    assert ranked == sorted(ranked, reverse=True)

    counts = by_name(prof, "profile_workload.label_counts")
    assert counts.translatable is False
    first_line = w.label_counts.__code__.co_firstlineno
    assert all(first_line <= r.line <= first_line + 5 for r in counts.reasons), counts.reasons


def test_text_and_html_tables(profiled):
    prof, _ = profiled
    text = repr(prof)
    assert text == str(prof)
    assert "SIGPROF sampler" in text
    assert "profile_workload.distance" in text and "translates for (list[float], list[float])" in text
    assert "profile_workload.label_counts" in text and "stays Python" in text
    page = prof._repr_html_()
    assert "<table>" in page and "profile_workload.distance" in page
    assert "translates for <code>(list[float], list[float])</code>" in page
    assert "<script" not in page


def test_accelerate_swaps_in_the_module_and_restore_puts_back(profiled, data):
    prof, expected = profiled
    original_distance, original_smooth, original_counts = w.distance, w.smooth, w.label_counts
    report = prof.accelerate(min_share=0.02)
    try:
        swapped = {name for name, _, _ in report.swapped}
        assert "profile_workload.distance" in swapped, str(report)
        assert isinstance(w.distance, Accelerated) and w.distance.__wrapped__ is original_distance
        assert w.distance.rustify.native_signatures == [("list[float]", "list[float]")]
        assert w.label_counts is original_counts  # does not translate: left alone, with its reason
        assert any(name == "profile_workload.label_counts" and "stays Python" in why
                   for name, why in report.left_alone), str(report)

        # Looked up through the module (here, and inside run_workload): native, same results.
        p, q = data["points"][0], data["points"][1]
        assert w.distance(p, q) == original_distance(p, q)
        assert w.distance.rustify.last_call == "native"
        assert w.run_workload(data) == expected
        assert w.distance.rustify.last_call == "native"
        assert "swapped for native" in str(prof)
    finally:
        restored = prof.restore()
    assert "profile_workload.distance" in restored
    assert w.distance is original_distance and w.smooth is original_smooth
    assert prof.restore() == []


def test_staticmethod_is_swapped_as_a_staticmethod(data):
    xs = data["signal"]
    original = w.Stats.__dict__["spread"]
    with rustify.profile() as prof:
        for _ in range(40):
            w.Stats.spread(xs)
    candidate = by_name(prof, "profile_workload.Stats.spread")
    assert candidate.translatable and candidate.func is original.__func__
    report = prof.accelerate(min_share=0.2)
    try:
        assert [name for name, _, _ in report.swapped] == ["profile_workload.Stats.spread"], str(report)
        installed = w.Stats.__dict__["spread"]
        assert isinstance(installed, staticmethod) and isinstance(installed.__func__, Accelerated)
        assert w.Stats.spread(xs) == original.__func__(xs)
        assert w.Stats().spread(xs) == original.__func__(xs)  # through an instance: still no `self`
        assert w.Stats.spread.rustify.last_call == "native"
    finally:
        prof.restore()
    assert w.Stats.__dict__["spread"] is original


def test_from_import_bindings_are_swapped_too(data):
    module = types.ModuleType("user_module")
    exec("from profile_workload import distance\n"
         "def many(points):\n"
         "    return [distance(points[0], q) for q in points for _ in range(3)]\n", module.__dict__)
    sys.modules["user_module"] = module
    try:
        with rustify.profile() as prof:
            expected = module.many(data["points"])
        prof.accelerate(min_share=0.3)
        try:
            assert isinstance(module.distance, Accelerated)
            assert module.many(data["points"]) == expected
            assert module.distance.rustify.last_call == "native"
        finally:
            prof.restore()
        assert module.distance is w.distance and not isinstance(w.distance, Accelerated)
    finally:
        del sys.modules["user_module"]


def test_module_level_code_gets_a_reason():
    namespace = {"__name__": "cell"}
    code = compile("total = 0.0\nfor i in range(400_000):\n    total += i * 0.5\n", "<cell>", "exec")
    with rustify.profile() as prof:
        exec(code, namespace)
    module_level = [c for c in prof.candidates if c.function == "cell.<module>"]
    assert module_level and module_level[0].translatable is False
    assert "module-level code" in module_level[0].reasons[0].why


def test_exception_in_the_block_propagates_and_the_sampler_stops():
    before = signal.getsignal(signal.SIGPROF)
    with pytest.raises(KeyError, match="boom"):
        with rustify.profile() as prof:
            w.distance([1.0] * 50_000, [2.0] * 50_000)
            raise KeyError("boom")
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) is before
    assert prof.recording is not None and isinstance(str(prof), str)


def test_a_user_sigprof_handler_is_restored():
    seen = []

    def handler(signum, frame):
        seen.append(signum)

    previous = signal.signal(signal.SIGPROF, handler)
    try:
        with rustify.profile():
            w.smooth([0.5] * 20_000, 8)
        assert signal.getsignal(signal.SIGPROF) is handler
        assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
        assert seen == []  # rustify's samples never reached the user's handler
    finally:
        signal.signal(signal.SIGPROF, previous)


def test_a_running_profiling_timer_is_left_alone_and_the_thread_sampler_used():
    ticks = []
    previous = signal.signal(signal.SIGPROF, lambda s, f: ticks.append(s))
    signal.setitimer(signal.ITIMER_PROF, 0.01, 0.01)
    try:
        with rustify.profile() as prof:
            for _ in range(3):
                w.smooth([0.5] * 30_000, 8)
        assert prof.recording.mode == "thread"
        assert signal.getitimer(signal.ITIMER_PROF) != (0.0, 0.0)
        assert ticks  # the user's timer kept firing into the user's handler
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)
        signal.signal(signal.SIGPROF, previous)


def test_nested_blocks_both_record():
    xs = [0.25] * 40_000
    with rustify.profile() as outer:
        w.smooth(xs, 8)
        with rustify.profile() as inner:
            w.Stats.spread(xs * 10)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    inner_names = {c.function for c in inner.candidates}
    outer_names = {c.function for c in outer.candidates}
    assert "profile_workload.Stats.spread" in inner_names and "profile_workload.smooth" not in inner_names
    assert {"profile_workload.Stats.spread", "profile_workload.smooth"} <= outer_names


def test_a_profile_object_cannot_be_entered_twice():
    prof = rustify.profile()
    with prof:
        pass
    with pytest.raises(RuntimeError, match="already used"):
        with prof:
            pass


def test_reading_before_the_block_ends_is_a_clear_error():
    with rustify.profile() as prof:
        assert str(prof) == "<rustify.profile: still running>"
        with pytest.raises(RuntimeError, match="not finished"):
            prof.candidates


def test_outside_the_main_thread_the_thread_sampler_is_used(data):
    out = {}

    def run():
        try:
            with rustify.profile() as prof:
                # The deadline is checked once per 20 calls: on a loaded machine the
                # thread sampler tends to land right after a system call returns
                # (time.process_time() is one), which would charge the loop, not distance.
                deadline = time.process_time() + 0.3
                while time.process_time() < deadline:
                    for _ in range(20):
                        w.distance(data["points"][0], data["points"][1])
            out["prof"] = prof
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            out["error"] = e

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert "error" not in out, out.get("error")
    prof = out["prof"]
    assert prof.recording.mode == "thread"
    assert prof.candidates[0].function == "profile_workload.distance", str(prof)
    assert prof.candidates[0].signatures[0] == ("list[float]", "list[float]")


def test_long_c_calls_count_as_native_time():
    def c_heavy():
        return sum(range(10_000_000))

    with rustify.profile() as prof:
        for _ in range(3):
            c_heavy()
    candidate = next(c for c in prof.candidates if c.function.endswith("c_heavy"))
    assert candidate.native_seconds > candidate.interpreted_seconds, str(prof)
    assert candidate.translatable is False and "inside another function" in candidate.reasons[0].why


def test_bad_interval_is_a_clear_error():
    with pytest.raises(ValueError, match="interval"):
        rustify.profile(interval=0)
