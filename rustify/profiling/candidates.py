"""`Candidate`: one profiled function, ranked, with the analyser's verdict.

The in-process profiler (`rustify.profile()`) and the scalene reader
(`rustify profile script.py`) both produce a list of these; `rank` orders them
and `verdict_for` asks the analysis stage whether each would translate.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field

from rustify.errors import Reason


@dataclass
class Candidate:
    """A function the profile saw, with where its time went.

    `interpreted_seconds` is time spent running the function's own Python
    bytecode (what compiling can remove); `native_seconds` time in C code it
    called (numpy, builtins: what it cannot), None when the profiler cannot tell.
    `reasons` is None before `verdict_for` ran, [] when it translates.
    """

    function: str  # "module.qualname"
    file: str
    line: int
    interpreted_seconds: float
    native_seconds: float | None = None
    samples: int = 0
    signatures: list[tuple[str, ...]] = field(default_factory=list)
    reasons: list[Reason] | None = None
    func: types.FunctionType | None = field(default=None, repr=False, compare=False)

    @property
    def translatable(self) -> bool | None:
        """True/False once analysed; None when it was not (no live function or signature)."""
        return None if self.reasons is None else not self.reasons

    def interpreted_share(self, total_seconds: float) -> float:
        return self.interpreted_seconds / total_seconds if total_seconds > 0 else 0.0


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Most interpreter time first."""
    return sorted(candidates, key=lambda c: c.interpreted_seconds, reverse=True)


def verdict_for(candidate: Candidate) -> Candidate:
    """Fill `candidate.reasons` from the analysis stage (first signature seen)."""
    if candidate.func is None or not candidate.signatures:
        return candidate
    from rustify.analysis import verdict

    candidate.reasons = verdict(candidate.func, candidate.signatures[0])
    return candidate
