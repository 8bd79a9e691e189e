"""In-process sampler for `rustify.profile()`: which Python code the block spent its CPU time in.

In: one thread running a block of code (`Sampler.start()` ... `Sampler.stop()`).
Out: a `Recording`: per code object, the samples that landed in it, the CPU
time they stand for, the argument signatures seen and the globals it runs in.

Two ways to take samples, chosen by `Sampler.start()`:

- "signal" (the main thread): `setitimer(ITIMER_PROF)` delivers SIGPROF every
  `interval` seconds of process CPU time; the Python-level handler is handed the
  frame the main thread was running. Nothing runs between samples, so the block
  runs at nearly full speed.
- "thread" (any other thread, or when ITIMER_PROF is already in use): a daemon
  thread wakes every `interval` seconds, reads the target thread's frame from
  `sys._current_frames()` and its CPU clock. It needs the GIL to do so, so it
  samples at most once per `sys.getswitchinterval()` while the target runs
  Python. The same split rule applies to the thread's CPU clock, but a C call
  that releases the GIL (numpy on large arrays) is sampled while it runs and
  so counts as interpreter time. On a loaded machine its samples lean towards
  the instruction right after a system call (the thread gives up the GIL where
  the OS let it run again), so a loop that calls `time.process_time()` on
  every pass is charged more than its share.

`sys.monitoring` (3.12+) is deliberately not used: its events count calls and
lines, not time, and a sampler is already close to free.

What an in-process sampler can tell, and what it cannot:

- A Python-level signal handler runs between bytecodes, at the interpreter's
  periodic checks (loop back-edges, function entry, after a call returns). A
  SIGPROF that arrives while C code runs (a numpy call, `sum` over a big list)
  is handled only after that call returns, with the calling frame innermost.
  The CPU time since the previous sample therefore grows with the C call; the
  part of it beyond two normal periods is counted as native time of the
  innermost Python function, the rest as interpreter time (close to Scalene's
  rule). C calls shorter than a couple of periods count as interpreter time.
- The normal period is `interval`, rounded up to the kernel's CPU-timer tick
  (often 4 ms); it is estimated from samples that were not taken right after a
  call (`Recording.period`).
- ITIMER_PROF counts the whole process's CPU time; only the main thread's frame
  is sampled, so other busy threads inflate the main thread's numbers.
- rustify's own frames (an accelerated function's dispatch and native code,
  or a compile it started) are skipped: a sample in them is charged to the
  first frame outside rustify, as native time (not that frame's bytecode).
"""

from __future__ import annotations

import dis
import os
import signal
import sys
import threading
import time
import types
from collections import Counter
from dataclasses import dataclass, field

from rustify.errors import Reason
from rustify.profiling.candidates import Candidate, rank
from rustify.runtime.signature import signature_of

DEFAULT_INTERVAL = 0.001
_FALLBACK_PERIOD = 0.01  # when too few samples show the normal period (coarsest common timer tick)
_BUCKET = 1e-4  # CPU time per sample is kept as a histogram with this resolution (seconds)
_CALL_OPS = frozenset(op for name, op in dis.opmap.items() if "CALL" in name)  # PRECALL on 3.11
_RUSTIFY_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_MAX_SIGNATURES = 16  # distinct signatures kept per function


@dataclass
class CodeStats:
    """Samples that landed in one code object."""

    code: types.CodeType
    globals: dict = field(repr=False)
    samples: int = 0
    cpu: Counter = field(default_factory=Counter, repr=False)  # CPU time bucket -> samples
    rustify_seconds: float = 0.0  # samples taken inside rustify (dispatch, native code) called from here
    signatures: Counter = field(default_factory=Counter)

    def split(self, period: float) -> tuple[float, float]:
        """(interpreter seconds, native seconds): per sample, time beyond 2 periods is native.

        Samples taken inside rustify (an accelerated callee) all count as native.
        """
        python, native = 0.0, self.rustify_seconds
        cap = 2 * period
        for bucket, n in self.cpu.items():
            seconds = bucket * _BUCKET
            python += n * min(seconds, cap)
            native += n * max(0.0, seconds - cap)
        return python, native


@dataclass
class Recording:
    """What one `rustify.profile()` block collected."""

    mode: str  # "signal" or "thread"
    interval: float
    stats: dict[types.CodeType, CodeStats] = field(default_factory=dict)
    plain_cpu: Counter = field(default_factory=Counter)  # CPU buckets of samples not taken after a call
    cpu_seconds: float = 0.0  # CPU time of the block (process for "signal", the thread for "thread")
    wall_seconds: float = 0.0
    errors: int = 0  # samples the handler could not record (never raised into the program)
    last_error: str | None = None

    @property
    def samples(self) -> int:
        return sum(s.samples for s in self.stats.values())

    @property
    def period(self) -> float:
        """Typical CPU time between samples: the median of samples not taken right after a call."""
        total = sum(self.plain_cpu.values())
        if total < 5:
            return max(self.interval, _FALLBACK_PERIOD)
        seen = 0
        for bucket in sorted(self.plain_cpu):
            seen += self.plain_cpu[bucket]
            if 2 * seen >= total:
                break
        return max(self.interval, bucket * _BUCKET)

    def add(self, frame: types.FrameType, seconds: float) -> None:
        """Charge `seconds` of CPU time to `frame` (skipping rustify's own frames)."""
        in_rustify = False
        while frame is not None and _is_own(frame.f_code):
            frame, in_rustify = frame.f_back, True
        if frame is None:
            return
        code = frame.f_code
        stats = self.stats.get(code)
        if stats is None:
            stats = self.stats[code] = CodeStats(code, frame.f_globals)
        stats.samples += 1
        if in_rustify:  # in an accelerated callee's dispatch, native code or compile: not this frame's bytecode
            stats.rustify_seconds += seconds
        else:
            bucket = round(seconds / _BUCKET)
            stats.cpu[bucket] += 1
            if not _after_call(frame):
                self.plain_cpu[bucket] += 1
        nargs = code.co_argcount
        if not nargs:
            stats.signatures[()] += 1
        else:
            # The values the parameters hold now: a parameter rebound in the body
            # (xs = list(xs)) shows its new type. Only a hint for what to compile;
            # the Accelerated wrapper dispatches on each call's real signature.
            local = frame.f_locals
            try:
                args = tuple(local[name] for name in code.co_varnames[:nargs])
            except KeyError:  # a parameter deleted in the body
                return
            sig = signature_of(args)
            if sig in stats.signatures or len(stats.signatures) < _MAX_SIGNATURES:
                stats.signatures[sig] += 1


def _is_own(code: types.CodeType) -> bool:
    return code.co_filename.startswith(_RUSTIFY_DIR)


def _after_call(frame: types.FrameType) -> bool:
    """Is the frame stopped on a call instruction (the sample came right after a call returned)?"""
    lasti = frame.f_lasti
    if lasti < 0:
        return False
    code = frame.f_code.co_code
    return lasti < len(code) and code[lasti] in _CALL_OPS


class _SignalTimer:
    """The process's one SIGPROF timer; feeds every active main-thread recording (and the import
    hook's watcher, `import_hook._Watcher`: anything with `interval` and `add(frame, seconds)`)."""

    def __init__(self):
        self.recordings: list[Recording] = []
        self.previous_handler = None
        self.last = 0.0
        self.interval = DEFAULT_INTERVAL

    def available(self) -> bool:
        return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                and (bool(self.recordings) or signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)))

    def add(self, recording: Recording) -> None:
        if not self.recordings:
            self.previous_handler = signal.signal(signal.SIGPROF, self._on_signal)
            signal.siginterrupt(signal.SIGPROF, False)  # restart system calls the signal interrupts
            self.interval = recording.interval
            self.last = time.process_time()
            signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        elif recording.interval < self.interval:  # the finest interval asked for serves every recording
            self.interval = recording.interval
            signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        self.recordings.append(recording)

    def remove(self, recording: Recording) -> None:
        self.recordings.remove(recording)
        if not self.recordings:
            signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)
            previous, self.previous_handler = self.previous_handler, None
            signal.signal(signal.SIGPROF, previous if previous is not None else signal.SIG_DFL)

    def _on_signal(self, _signum, frame) -> None:
        now = time.process_time()
        seconds, self.last = now - self.last, now
        for recording in self.recordings:
            try:
                recording.add(frame, seconds)
            except Exception as e:  # noqa: BLE001 - a profiler must never raise into the program
                recording.errors += 1
                recording.last_error = f"{type(e).__name__}: {e}"


_timer = _SignalTimer()


def _rearm_after_fork_in_child() -> None:
    """A forked child inherits the SIGPROF handler but not the interval timer: start it again."""
    if _timer.recordings:
        try:
            _timer.last = time.process_time()
            signal.setitimer(signal.ITIMER_PROF, _timer.interval, _timer.interval)
        except (OSError, ValueError):
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_rearm_after_fork_in_child)


class Sampler:
    """Samples the calling thread between `start()` and `stop()`; `recording` holds the result."""

    def __init__(self, interval: float = DEFAULT_INTERVAL):
        if not interval > 0:
            raise ValueError(f"the sampling interval must be a positive number of seconds, got {interval!r}")
        self.interval = interval
        self.recording: Recording | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._started = (0.0, 0.0)

    def start(self) -> Recording:
        if self.recording is not None:
            raise RuntimeError("this sampler was already started; use a new one")
        if _timer.available():
            self.recording = Recording("signal", self.interval)
            self._started = (time.perf_counter(), self._cpu_now())
            try:
                _timer.add(self.recording)
            except (OSError, ValueError):  # signals unavailable here (e.g. a subinterpreter)
                self.recording = None
        if self.recording is None:
            self.recording = Recording("thread", self.interval)
            self._started = (time.perf_counter(), self._cpu_now())
            target = threading.get_ident()
            self._thread = threading.Thread(target=self._poll, args=(target, _thread_clock(target)),
                                            name="rustify-profile-sampler", daemon=True)
            self._thread.start()
        return self.recording

    def stop(self) -> Recording:
        recording = self.recording
        if recording is None:
            raise RuntimeError("the sampler was not started")
        if recording.mode == "signal":
            if recording in _timer.recordings:
                _timer.remove(recording)
        elif self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        wall, cpu = self._started
        recording.wall_seconds = time.perf_counter() - wall
        recording.cpu_seconds = self._cpu_now() - cpu
        return recording

    def _cpu_now(self) -> float:
        return time.process_time() if self.recording.mode == "signal" else time.thread_time()

    def _poll(self, target: int, clock) -> None:
        recording = self.recording
        last = clock()
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(target)
            now = clock()
            seconds, last = now - last, now
            if frame is None or seconds <= 0:
                continue  # the thread is gone, or idle (blocked) since the last sample
            try:
                recording.add(frame, seconds)
            except Exception as e:  # noqa: BLE001 - a profiler must never raise into the program
                recording.errors += 1
                recording.last_error = f"{type(e).__name__}: {e}"
            finally:
                del frame


def _thread_clock(ident: int):
    """A function giving `ident`'s CPU time (wall time where the platform has no thread clock)."""
    try:
        clock_id = time.pthread_getcpuclockid(ident)
        time.clock_gettime(clock_id)
    except (AttributeError, OSError):
        return time.perf_counter
    return lambda: time.clock_gettime(clock_id)


def to_candidates(recording: Recording) -> list[Candidate]:
    """One `Candidate` per sampled code object, ranked, with the live function found where possible.

    The verdict is not filled in (`verdict_for` runs the analysis, which costs
    time); code that cannot be a candidate (module level, library code, nested
    functions, lambdas) gets its reason right away.
    """
    period = recording.period
    out = []
    for stats in recording.stats.values():
        code = stats.code
        python, native = stats.split(period)
        candidate = Candidate(
            function=f"{stats.globals.get('__name__', '?')}.{_qualname(code)}",
            file=code.co_filename,
            line=code.co_firstlineno,
            interpreted_seconds=python,
            native_seconds=native,
            samples=stats.samples,
            signatures=[sig for sig, _ in stats.signatures.most_common()],
        )
        why = _not_a_candidate(code)
        if why is None:
            candidate.func = find_function(code, stats.globals)
            if candidate.func is None:
                why = "the function object was not found in its module or class"
        if why is not None:
            candidate.reasons = [Reason(code.co_firstlineno, code.co_name, why)]
        out.append(candidate)
    return rank(out)


def _qualname(code: types.CodeType) -> str:
    return getattr(code, "co_qualname", code.co_name)  # 3.10 has no co_qualname: module-level names only


def _not_a_candidate(code: types.CodeType) -> str | None:
    if code.co_name == "<module>":
        return "module-level code is not a function; move the loop into a function to translate it"
    if code.co_name.startswith("<"):
        return f"{code.co_name} code inside another function is not translated on its own"
    if "<locals>" in _qualname(code):
        return "a function defined inside another function is not swapped"
    if _is_library(code.co_filename):
        return "library code (standard library or site-packages) is left alone"
    return None


def _is_library(filename: str) -> bool:
    global _library_dirs
    if _library_dirs is None:
        import sysconfig

        paths = sysconfig.get_paths()
        dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
        _library_dirs = tuple(os.path.join(os.path.realpath(d), "") for d in dirs)
    return filename.startswith("<frozen") or os.path.realpath(filename).startswith(_library_dirs)


_library_dirs: tuple[str, ...] | None = None


def find_function(code: types.CodeType, namespace: dict) -> types.FunctionType | None:
    """The live function whose code is `code`, looked up by qualified name from its module globals.

    Follows classes for methods, unwraps staticmethod/classmethod and wrappers
    with `__wrapped__` (rustify's `Accelerated` among them).
    """
    parts = _qualname(code).split(".")
    obj = namespace.get(parts[0])
    for part in parts[1:]:
        if not isinstance(obj, type):
            return None
        obj = vars(obj).get(part)
    return unwrap_to(obj, code)


def unwrap_to(obj, code: types.CodeType) -> types.FunctionType | None:
    """Follow staticmethod/classmethod and `__wrapped__` from `obj` to the function running `code`."""
    for _ in range(16):  # a bounded walk: __wrapped__ chains can be cyclic
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if isinstance(obj, types.FunctionType) and obj.__code__ is code:
            return obj
        obj = getattr(obj, "__wrapped__", None)
        if obj is None:
            return None
    return None
