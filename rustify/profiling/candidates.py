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
    note: str | None = None  # why there is no verdict, when the profiler knows better than "not analysed"

    @property
    def translatable(self) -> bool | None:
        """True/False once analysed; None when it was not (no live function or signature)."""
        return None if self.reasons is None else not self.reasons

    def interpreted_share(self, total_seconds: float) -> float:
        """Fraction of `total_seconds` (at most 1: sampled times are rounded)."""
        return min(1.0, self.interpreted_seconds / total_seconds) if total_seconds > 0 else 0.0


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


def signature_text(signature: tuple[str, ...]) -> str:
    return "(" + ", ".join(signature) + ")"


def verdict_text(candidate: Candidate) -> str:
    """One line: "translates for (sig)", "stays Python: line N: ..." or why it was not analysed."""
    if candidate.reasons is None:
        if candidate.note:
            return candidate.note
        if candidate.func is None:
            return "not analysed: function object not found"
        if not candidate.signatures:
            return "not analysed: no argument signature seen"
        return "not analysed"
    if not candidate.reasons:
        return "translates for " + signature_text(candidate.signatures[0])
    first = candidate.reasons[0]
    more = f" (+{len(candidate.reasons) - 1} more)" if len(candidate.reasons) > 1 else ""
    return f"stays Python: {first}{more}"


def format_table(candidates: list[Candidate], total_seconds: float, *, max_name: int = 48) -> str:
    """Plain-text table of `candidates` in the given order (call `rank` first).

    Columns: rank, function, interpreter seconds and share of `total_seconds`,
    native seconds when any candidate has them, and the verdict.
    """
    if not candidates:
        return "no Python functions were sampled"
    with_native = any(c.native_seconds is not None for c in candidates)
    header = ["#", "function", "python s", "share"] + (["native s"] if with_native else []) + ["verdict"]
    rows = []
    for i, c in enumerate(candidates, 1):
        name = c.function if len(c.function) <= max_name else "..." + c.function[-(max_name - 3):]
        row = [str(i), name, f"{c.interpreted_seconds:.3f}", f"{100 * c.interpreted_share(total_seconds):.1f}%"]
        if with_native:
            row.append("-" if c.native_seconds is None else f"{c.native_seconds:.3f}")
        row.append(verdict_text(c))
        rows.append(row)
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header) - 1)]
    right = {0, 2, 3, 4}  # numbers right-aligned (the verdict is always last and left as is)

    def line(cells: list[str]) -> str:
        parts = [cell.rjust(w) if k in right else cell.ljust(w) for k, (cell, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts + [cells[-1]]).rstrip()

    return "\n".join([line(header)] + [line(r) for r in rows])
