"""The `rustify.profile()` front door: profile a block, then swap its hot functions for native ones.

    with rustify.profile() as prof:      # a notebook cell or any block
        run_workload()
    prof                                 # ranked hotspots with verdicts (text, or HTML in Jupyter)
    prof.accelerate()                    # swap the hot, translatable functions where they live
    prof.restore()                       # put the originals back

The sampling is `rustify.profiling.sampler`; the verdicts are the analysis
stage's; compiling is `rustify.accelerate`. This module only wires them
together and swaps module globals and class attributes.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import TYPE_CHECKING

from rustify.errors import Reason

if TYPE_CHECKING:  # the sampler and the table are imported when a block starts, not by `import rustify`
    from rustify.profiling.candidates import Candidate
    from rustify.profiling.sampler import Recording

DEFAULT_INTERVAL = 0.001
DEFAULT_MIN_SHARE = 0.05
_MODES = {"signal": "SIGPROF sampler in the main thread", "thread": "sampling thread"}
_LIMITS = ("Interpreter time is what a native version can remove; C code the function called "
           "(numpy, builtins) counts as native time only when one call outlasts a sampling period.")


def profile(interval: float = DEFAULT_INTERVAL, *, limit: int = 20) -> "Profile":
    """A context manager that samples the block it wraps; its value is the `Profile` result.

    interval: seconds of CPU time between samples (rounded up by the OS timer
    tick). limit: how many functions the table shows and the analyser judges.
    """
    return Profile(interval, limit)


class Profile:
    """Result of a `rustify.profile()` block: ranked `candidates`, `accelerate()`, `restore()`."""

    def __init__(self, interval: float = DEFAULT_INTERVAL, limit: int = 20):
        from rustify.profiling.sampler import Sampler

        self._sampler = Sampler(interval)
        self.limit = limit
        self.recording: Recording | None = None
        self._candidates: list[Candidate] | None = None
        self._swaps: list[_Swap] = []

    def __enter__(self) -> "Profile":
        if self._sampler.recording is not None:
            raise RuntimeError("this rustify.profile() object was already used; start a new `with rustify.profile()`")
        self._sampler.start()
        return self

    def __exit__(self, *exc) -> bool:
        self.recording = self._sampler.stop()
        return False  # exceptions from the block propagate unchanged

    # -- results ---------------------------------------------------------------

    @property
    def total_seconds(self) -> float:
        """CPU seconds the block used (0.0 while it is still running)."""
        return self.recording.cpu_seconds if self.recording else 0.0

    @property
    def candidates(self) -> list[Candidate]:
        """Sampled functions, most interpreter time first; the first `limit` carry a verdict."""
        if self.recording is None:
            raise RuntimeError("the profile is not finished: read it after the `with` block")
        if self._candidates is None:
            from rustify.profiling.candidates import verdict_for
            from rustify.profiling.sampler import to_candidates

            ranked = to_candidates(self.recording)
            for candidate in ranked[: self.limit]:
                if candidate.reasons is None:
                    try:
                        verdict_for(candidate)
                    except Exception as e:  # noqa: BLE001 - an analyser bug must not hide the profile
                        candidate.reasons = [Reason(candidate.line, candidate.function.rsplit(".", 1)[-1],
                                                    f"rustify failed to analyse it ({type(e).__name__}: {e})")]
            self._candidates = ranked
        return self._candidates

    def share(self, candidate: Candidate) -> float:
        return candidate.interpreted_share(self.total_seconds)

    def _summary(self) -> str:
        r = self.recording
        return (f"rustify.profile: {r.cpu_seconds:.3f} s CPU ({r.wall_seconds:.3f} s wall), {r.samples} samples "
                f"every ~{1000 * r.period:.1f} ms ({_MODES[r.mode]})")

    def __str__(self) -> str:
        if self.recording is None:
            return "<rustify.profile: still running>"
        from rustify.profiling.candidates import format_table

        shown, hidden = self._shown()
        lines = [self._summary(), format_table(shown, self.total_seconds)]
        if hidden:
            lines.append(f"... {len(hidden)} more functions "
                         f"({sum(c.interpreted_seconds for c in hidden):.3f} s of interpreter time)")
        if self.recording.errors:
            lines.append(f"{self.recording.errors} samples were lost ({self.recording.last_error})")
        if self._swaps:
            lines.append(f"swapped for native: {', '.join(self._swapped_names())}  (restore() undoes)")
        lines.append(_LIMITS)
        return "\n".join(lines)

    __repr__ = __str__

    def _swapped_names(self) -> list[str]:
        return list(dict.fromkeys(s.function for s in self._swaps))

    def _shown(self) -> tuple[list[Candidate], list[Candidate]]:
        ranked = self.candidates
        return ranked[: self.limit], ranked[self.limit:]

    def _repr_html_(self) -> str:
        import html

        if self.recording is None:
            return "<p>rustify.profile: still running</p>"
        shown, hidden = self._shown()
        rows = []
        for i, c in enumerate(shown, 1):
            rows.append(
                "<tr>"
                f"<td>{i}</td><td><code>{html.escape(c.function)}</code></td>"
                f"<td style='text-align:right'>{c.interpreted_seconds:.3f}</td>"
                f"<td style='text-align:right'>{100 * self.share(c):.1f}%</td>"
                f"<td style='text-align:right'>{_seconds(c.native_seconds)}</td>"
                f"<td>{_verdict_html(c)}</td>"
                "</tr>")
        foot = ""
        if hidden:
            foot = (f"<p>... {len(hidden)} more functions "
                    f"({sum(c.interpreted_seconds for c in hidden):.3f} s of interpreter time)</p>")
        swapped = ""
        if self._swaps:
            swapped = ("<p>swapped for native: " + ", ".join(f"<code>{html.escape(name)}</code>"
                                                              for name in self._swapped_names())
                       + " (<code>restore()</code> undoes)</p>")
        return (f"<div class='rustify-profile'><p>{html.escape(self._summary())}</p>"
                "<table><thead><tr><th>#</th><th>function</th><th>python s</th><th>share</th>"
                "<th>native s</th><th>verdict</th></tr></thead><tbody>"
                + "".join(rows) + f"</tbody></table>{foot}{swapped}<p><small>{html.escape(_LIMITS)}</small></p></div>")

    # -- swapping ----------------------------------------------------------------

    def accelerate(self, min_share: float = DEFAULT_MIN_SHARE) -> "AccelerationReport":
        """Compile and swap in every translatable function with at least `min_share` of the block's CPU time.

        Each chosen function is wrapped with `rustify.accelerate(func, eager=True)`,
        every argument signature the profile saw is compiled now, and the wrapper
        replaces the function in its module (and in every other loaded module that
        imported it by name) or class (staticmethods stay staticmethods). Functions
        that do not translate, or whose build failed, are listed and left alone.
        """
        import rustify
        from rustify.runtime.dispatch import Accelerated

        report = AccelerationReport()
        for candidate in self.candidates[: self.limit]:
            if self.share(candidate) < min_share:
                break
            if not candidate.translatable:
                from rustify.profiling.candidates import verdict_text

                report.left_alone.append((candidate.function, verdict_text(candidate)))
                continue
            func = candidate.func
            current = _bound_object(func)
            if isinstance(current, Accelerated):
                wrapper = current  # accelerated already (by the decorator or an earlier accelerate())
                _compile_all(wrapper, candidate.signatures)
                report.already.append((candidate.function, wrapper))
                continue
            wrapper = rustify.accelerate(func, eager=True, **_front_door())
            native = _compile_all(wrapper, candidate.signatures)
            if not native:
                why = "; ".join(wrapper.rustify.reasons.values()) or "no signature compiled"
                report.left_alone.append((candidate.function, f"stays Python: {why}"))
                continue
            swaps = _install(func, wrapper, self._namespaces())
            if not swaps:
                report.left_alone.append((candidate.function, "not found where it is defined (rebound since the profile?)"))
                continue
            self._swaps.extend(swaps)
            report.swapped.append((candidate.function, wrapper, [s.where for s in swaps]))
        return report

    def restore(self) -> list[str]:
        """Put back every function `accelerate()` replaced; returns the places restored."""
        restored = []
        while self._swaps:
            swap = self._swaps.pop()
            if swap.undo():
                restored.append(swap.where)
        return restored

    def _namespaces(self) -> list[dict]:
        """Module namespaces that may bind a profiled function: loaded modules and the sampled frames' globals."""
        seen: dict[int, dict] = {}
        for stats in self.recording.stats.values():
            seen.setdefault(id(stats.globals), stats.globals)
        for module in list(sys.modules.values()):
            if isinstance(module, types.ModuleType):
                # object.__getattribute__: a lazily loaded module must not be loaded by looking at it
                ns = object.__getattribute__(module, "__dict__")
                seen.setdefault(id(ns), ns)
        return list(seen.values())


class AccelerationReport:
    """What `Profile.accelerate()` did: swapped functions, ones already native, ones left alone."""

    def __init__(self):
        self.swapped: list[tuple[str, object, list[str]]] = []  # (function, wrapper, places swapped)
        self.already: list[tuple[str, object]] = []  # (function, wrapper)
        self.left_alone: list[tuple[str, str]] = []  # (function, why)

    def __str__(self) -> str:
        lines = []
        for name, wrapper, places in self.swapped:
            lines.append(f"native: {name} {_signatures(wrapper)} -> swapped in {', '.join(places)}")
        for name, wrapper in self.already:
            lines.append(f"already accelerated: {name} {_signatures(wrapper)}")
        for name, why in self.left_alone:
            lines.append(f"left as Python: {name}: {why}")
        return "\n".join(lines) or "no function reached the min_share threshold"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(str(self)) + "</pre>"


class _Swap:
    """One replaced binding: `target` (a namespace dict or a class) `name` held `original`."""

    def __init__(self, function: str, target: object, name: str, original: object, installed: object):
        self.function, self.target, self.name = function, target, name
        self.original, self.installed = original, installed

    @property
    def where(self) -> str:
        if isinstance(self.target, dict):
            return f"{self.target.get('__name__', '?')}.{self.name}"
        return f"{self.target.__module__}.{self.target.__qualname__}.{self.name}"

    def _current(self):
        return self.target.get(self.name) if isinstance(self.target, dict) else vars(self.target).get(self.name)

    def undo(self) -> bool:
        """Restore the original if the binding still holds what was installed (else leave it)."""
        if self._current() is not self.installed:
            return False
        if isinstance(self.target, dict):
            self.target[self.name] = self.original
        else:
            setattr(self.target, self.name, self.original)
        return True


def _bound_object(func: types.FunctionType):
    """What the function's defining module (or class) binds under its name now."""
    parts = func.__qualname__.split(".")
    obj = func.__globals__.get(parts[0])
    for part in parts[1:]:
        obj = vars(obj).get(part) if isinstance(obj, type) else None
    return obj.__func__ if isinstance(obj, (staticmethod, classmethod)) else obj


def _install(func: types.FunctionType, wrapper, namespaces: list[dict]) -> list[_Swap]:
    """Replace `func` by `wrapper` in its class, or in every namespace that binds it by identity."""
    name = f"{func.__module__}.{func.__qualname__}"
    parts = func.__qualname__.split(".")
    if len(parts) > 1:  # a class attribute
        owner = func.__globals__.get(parts[0])
        for part in parts[1:-1]:
            owner = vars(owner).get(part) if isinstance(owner, type) else None
        if not isinstance(owner, type):
            return []
        raw = vars(owner).get(parts[-1])
        if isinstance(raw, staticmethod) and raw.__func__ is func:
            installed = staticmethod(wrapper)
        elif raw is func:
            installed = wrapper
        else:
            return []
        setattr(owner, parts[-1], installed)
        return [_Swap(name, owner, parts[-1], raw, installed)]
    swaps = []
    for ns in namespaces:
        for key, value in list(ns.items()):
            if value is func:
                ns[key] = wrapper
                swaps.append(_Swap(name, ns, key, func, wrapper))
    return swaps


def _compile_all(wrapper, signatures: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Compile every signature seen now; the ones that run native."""
    for sig in signatures:
        wrapper.compile(sig)
    return list(wrapper.rustify.native_signatures)


def _front_door() -> dict:
    import rustify

    return {"front_door": "profile"} if "front_door" in inspect.signature(rustify.accelerate).parameters else {}


def _signatures(wrapper) -> str:
    from rustify.profiling.candidates import signature_text

    sigs = wrapper.rustify.native_signatures
    return ", ".join(map(signature_text, sigs)) if sigs else "(no native signature)"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _verdict_html(c: Candidate) -> str:
    import html

    from rustify.profiling.candidates import signature_text, verdict_text

    if c.translatable:
        return f"<span style='color:#1a7f37'>&#10003; translates for <code>{html.escape(signature_text(c.signatures[0]))}</code></span>"
    if c.reasons:
        items = "".join(f"<li>line {r.line}: <code>{html.escape(r.construct)}</code>: {html.escape(r.why)}</li>"
                        for r in c.reasons)
        return f"<span style='color:#9a6700'>stays Python</span><ul style='margin:0'>{items}</ul>"
    return html.escape(verdict_text(c))
