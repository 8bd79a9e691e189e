"""Load faults: rustify on a machine whose every core is busy with other processes."""

from __future__ import annotations

import threading
import uuid

import rustify
from faultlib import cpu_load, fault, write_module

KERNEL = """
def kernel(xs, w):
    s = 0.0
    for x in xs:
        s += x * w
    return s + {salt}.0
"""


@fault("load", injects="every core busy-looping in other processes while four threads call a function whose "
                       "background compile runs",
       observes="every result equals Python's; Python + native calls counted == calls made, exactly; it goes native")
def test_a_loaded_machine_keeps_results_and_counters_exact(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    write_module(tmp_path, "kern_loaded", KERNEL.format(salt=uuid.uuid4().int % 10**9))
    import kern_loaded

    fast = rustify.accelerate(kern_loaded.kernel, threshold_ms=0, min_calls=1)
    inputs = [([0.5 * i + k for i in range(16)], 1.5 + k) for k in range(8)]
    expected = [kern_loaded.kernel(xs, w) for xs, w in inputs]
    calls_per_thread = 20_000
    wrong = []

    def caller():
        bad = 0
        for n in range(calls_per_thread):
            xs, w = inputs[n % 8]
            bad += fast(xs, w) != expected[n % 8]
        wrong.append(bad)

    with cpu_load():
        threads = [threading.Thread(target=caller) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert fast.wait(timeout=300)
        for k, (xs, w) in enumerate(inputs):
            assert fast(xs, w) == expected[k] and fast.rustify.last_call == "native"
    st = fast.rustify.stats[("list[float]", "float")]
    assert wrong == [0, 0, 0, 0]
    assert st.python_calls + st.native_calls == 4 * calls_per_thread + len(inputs), (st.python_calls, st.native_calls)
    assert st.deopts == 0
