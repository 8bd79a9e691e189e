"""`AccelerationInfo`: the one object that tells what rustify did with a function.

Hung on every accelerated function as `f.rustify`:

- `native_signatures`: signatures that run native code
- `last_call`: "native" or "python" (None before the first call); `last_reason`
  says why the last call ran Python
- `reasons`: signature -> why it stays Python (`explain()` prints them all)
- `rust_source(signature=None)`: the generated Rust
- `stats`: signature -> `SignatureStats` (calls each way, sampled mean times,
  deopts, shadow-validated calls); `compile_seconds`, `cache_hits`, `deopts`,
  `native_calls` are per-signature views of it
- `front_door`: "decorator", "profile" or "auto"
- `gave_up`, `unwrapped`: why rustify stopped trying (the function stays Python
  for good) and where the original then replaced the wrapper
"""

from __future__ import annotations

import itertools
import types
from dataclasses import dataclass, field


def count_value(counter: itertools.count) -> int:
    """The next value an `itertools.count()` will give: how many times `next()` was called on it."""
    return int(repr(counter)[6:-1])  # "count(N)"; count objects have no public read


@dataclass(slots=True, eq=False)
class SignatureStats:
    """Counters for one signature; the dispatcher updates them on every call.

    Call counts are exact under threads: each is an `itertools.count()`, whose
    `next()` is one atomic step under the GIL (a `+= 1` is a read-modify-write a
    thread switch can split, losing increments). Times are sampled (a few
    calls, then every 16th Python / 64th native call), so `mean_*_ns` are
    estimates and None until a sample exists.
    """

    signature: tuple = ()
    python_timed: int = 0
    python_ns: int = 0
    native_timed: int = 0
    native_ns: int = 0
    mismatch: str | None = None
    compile_requested: bool = False
    # the wide specialisation (ints past 64 bits run native, analysis/lower/bigints.py): None
    # (never needed), "compiling", "native", or why it stays on re-running in Python
    wide: str | None = None
    cache_probed: bool = False  # looked for an artifact an earlier run built (profile mode)
    hot_at: float | None = None  # perf_counter() when the policy chose it, and when native code was ready
    native_at: float | None = None
    cpu_at_first: int = 0  # time.process_time_ns() at its first sampled call (auto mode's ski rental)
    # (python_ns, python_timed, warm samples, of them under NATIVE_CALL_NS, their ns) (dispatch.CHEAP_AFTER)
    warm_base: tuple | None = None
    # the speed trial of a native signature (dispatch.TRIAL_SAMPLES): samples still wanted, the
    # sampled times (ns) of its native path and of the Python function, and the verdict's medians
    trial_left: int = 0
    trial_native: list = field(default_factory=list, repr=False)
    trial_python: list = field(default_factory=list, repr=False)
    trial_medians: tuple | None = None  # (native ns, Python ns) once weighed
    native_last: tuple | None = None  # the `_last` records of a native / Python call, built once
    python_last: tuple | None = None
    # next() on these is the whole update; read them through the properties below
    python_count: itertools.count = field(default_factory=itertools.count, repr=False)
    python_credit: int = 0  # unsampled calls credited in bulk (under the wrapper's count lock)
    python_seen: int = 0  # the last value python_count gave (no read of the counter on the call path)
    native_count: itertools.count = field(default_factory=itertools.count, repr=False)
    native_declined: itertools.count = field(default_factory=itertools.count, repr=False)
    deopt_count: itertools.count = field(default_factory=itertools.count, repr=False)
    validated_count: itertools.count = field(default_factory=itertools.count, repr=False)

    @property
    def python_calls(self) -> int:
        return self.python_credit + count_value(self.python_count)

    def python_calls_so_far(self) -> int:
        """`python_calls` as the call path last saw it (cheap; exact once calls stop)."""
        return self.python_credit + self.python_seen

    @property
    def native_calls(self) -> int:
        """Native attempts, including the ones that deopted."""
        return count_value(self.native_count) - count_value(self.native_declined)

    @property
    def deopts(self) -> int:
        return count_value(self.deopt_count)

    @property
    def validated(self) -> int:
        return count_value(self.validated_count)

    def __post_init__(self):
        self.native_last = (self.signature, True, None)
        self.python_last = (self.signature, False, None)

    @property
    def mean_python_ns(self) -> float | None:
        return self.python_ns / self.python_timed if self.python_timed else None

    @property
    def mean_native_ns(self) -> float | None:
        return self.native_ns / self.native_timed if self.native_timed else None

    @property
    def hot_to_native_seconds(self) -> float | None:
        """From the policy choosing this signature to its native code being swapped in."""
        return None if self.hot_at is None or self.native_at is None else self.native_at - self.hot_at

    def estimated_python_ns(self) -> float:
        """Estimated total time spent in Python for this signature so far."""
        mean = self.mean_python_ns
        return 0.0 if mean is None else mean * self.python_calls_so_far()


class AccelerationInfo:
    def __init__(self, func: types.FunctionType, front_door: str = "decorator"):
        self.function = f"{func.__module__}.{func.__qualname__}"
        self.front_door = front_door
        code = getattr(func, "__code__", None)
        self.file = code.co_filename if code else None
        self.line = code.co_firstlineno if code else None
        self._last_value: tuple | None = None  # (signature, ran native, reason it ran Python)
        self._last_link = None  # (get, set, wrapper) when the native dispatcher records the last call
        self.reasons: dict[tuple, str] = {}
        self.reason_records: dict[tuple, list] = {}
        self._stats: dict[tuple, SignatureStats] = {}
        self._settle = None  # set by the wrapper: credits calls counted since its last sample
        self._natives: dict[tuple, object] = {}
        self.dropped: list[str] = []  # why native versions were thrown away (a global was rebound)
        self._ski_rental = False  # the wrapper's policy rents before it buys (see dispatch.CompilePolicy)
        self.gave_up: str | None = None  # why rustify stopped trying: the function stays Python for good
        self.unwrapped: list[str] = []  # where the original then replaced the wrapper (`module.name`)

    @property
    def _last(self) -> tuple | None:
        link = self._last_link
        return self._last_value if link is None else link[0](link[2])

    @_last.setter
    def _last(self, value: tuple | None) -> None:
        link = self._last_link
        if link is None:
            self._last_value = value
        else:
            link[1](link[2], value)

    @property
    def stats(self) -> dict[tuple, SignatureStats]:
        """signature -> `SignatureStats`, every call counted (unsampled ones credited first)."""
        if self._settle is not None:
            self._settle()
        return self._stats

    @property
    def last_call(self) -> str | None:
        """"native" or "python" for the last call; None before the first."""
        return None if self._last is None else ("native" if self._last[1] else "python")

    @property
    def last_signature(self) -> tuple | None:
        return None if self._last is None else self._last[0]

    @property
    def last_reason(self) -> str | None:
        """Why the last call ran Python (None if it ran native)."""
        if self._last is None or self._last[1]:
            return None
        sig, _, reason = self._last
        return reason or self.reasons.get(sig, "not compiled for this signature (yet)")

    @property
    def native_signatures(self) -> list[tuple]:
        return [sig for sig in self._natives if sig not in self.reasons]

    @property
    def signatures(self) -> list[tuple]:
        """Every signature this function was called with."""
        return list(self.stats)

    @property
    def compile_seconds(self) -> dict[tuple, float]:
        return {sig: n.seconds for sig, n in self._natives.items()}

    @property
    def cache_hits(self) -> dict[tuple, bool]:
        return {sig: n.cache_hit for sig, n in self._natives.items()}

    @property
    def deopts(self) -> dict[tuple, int]:
        return {sig: s.deopts for sig, s in self.stats.items() if s.deopts}

    @property
    def native_calls(self) -> dict[tuple, int]:
        """Calls that completed in native code, per signature."""
        return {sig: s.native_calls - s.deopts for sig, s in self.stats.items() if s.native_calls}

    def status(self, signature: tuple) -> str:
        """"native", "python" (stays Python, see `reasons`) or "pending" (not compiled yet)."""
        if signature in self.reasons:
            return "python"
        return "native" if signature in self._natives else "pending"

    def rust_source(self, signature: tuple | None = None) -> str:
        """Generated Rust for `signature` (default: the only or first native one)."""
        if signature is None:
            if not self._natives:
                raise LookupError(f"{self.function} has no native signature")
            signature = next(iter(self._natives))
        return self._natives[signature].rust_source_path.read_text()

    def explain(self) -> str:
        """Plain-language account: each signature, native or Python, and why."""
        lines = [f"{self.function}:"]
        for sig in dict.fromkeys([*self._natives, *self.reasons, *self.stats]):
            native = self._natives.get(sig)
            if sig in self.reasons:
                lines.append(f"  {_sig(sig)}: stays Python: {self.reasons[sig]}")
            elif native is not None:
                how = "cache hit" if native.cache_hit else "compiled"
                checked = self.stats.get(sig)
                extra = f", shadow-validated on {checked.validated} calls" if checked and checked.validated else ""
                wide = self._stats.get(sig)
                if wide is not None and wide.wide is not None:
                    extra += ("; ints past 64 bits run native" if wide.wide == "native"
                              else f"; {wide.wide}" if wide.wide != "compiling" else "; building its ints past 64 bits")
                weighed = wide.trial_medians if wide is not None else None
                if weighed is not None:
                    extra += (f"; measured {weighed[1] / max(weighed[0], 1):.1f}x faster than Python "
                              f"({weighed[0]:.0f} ns against {weighed[1]:.0f} ns per call, medians of "
                              f"{len(wide.trial_native)} and {len(wide.trial_python)} samples)")
                lines.append(f"  {_sig(sig)}: native ({how} in {native.seconds:.2f} s, module {native.module_name}{extra})")
            else:
                lines.append(f"  {_sig(sig)}: runs Python, {self._not_native_yet(sig)}")
        if len(lines) == 1:
            lines.append("  not called yet")
        if self.gave_up is not None:
            lines.append(f"  stays Python for good ({self.gave_up}); the original is back in "
                         f"{', '.join(self.unwrapped) or 'no namespace (only this wrapper was bound)'}")
        return "\n".join(lines)

    def _not_native_yet(self, sig: tuple) -> str:
        """Why `sig`, neither native nor refused, still runs Python."""
        st = self._stats.get(sig)
        why = st.python_last[2] if st is not None and st.python_last else None
        if why:
            return why
        if st is not None and st.compile_requested:
            return "hot: its compile is queued or running (not finished yet)"
        if st is not None and self._ski_rental:
            from rustify.build.costs import expected_build_ns

            return (f"not compiled (yet): its {st.estimated_python_ns() / 1e9:.3g} s in Python so far have not "
                    f"passed the {expected_build_ns() / 1e9:.3g} s of CPU a build costs here (auto mode builds "
                    "only what can pay for its build)")
        return "not compiled (yet): the compile policy has not chosen it"

    def _ran_python(self, sig: tuple | None, reason: str | None = None) -> None:
        self._last = (sig, False, reason)

    def _add_native(self, native) -> None:
        self._natives[native.signature] = native

    def _drop_natives(self, why: str) -> None:
        """The native versions are stale (see `dropped`); later calls run Python until recompiled."""
        self.dropped.append(why)
        self._natives.clear()

    def _add_failure(self, signature: tuple, why: str, reasons=None) -> None:
        self.reasons[signature] = why
        if reasons:
            self.reason_records[signature] = list(reasons)

    def __repr__(self) -> str:
        return f"<AccelerationInfo {self.explain()}>"


def _sig(sig: tuple) -> str:
    return "(" + ", ".join(sig) + ")"
