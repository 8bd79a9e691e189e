"""Errors and warnings that rustify shows to users, and the `Reason` record.

A `Reason` says why one construct keeps a function in Python: where (line),
what (construct) and why. Analysis raises `Untranslatable` with a list of them;
the build stage raises `BuildFailed`; both end as a `RustifyWarning` and a
Python fall back, never as an error in the user's program.
"""

from __future__ import annotations

from dataclasses import dataclass


class RustifyWarning(UserWarning):
    """Shown (once per function and cause) when a function keeps running as Python."""


@dataclass(frozen=True)
class Reason:
    """Why one construct stays Python: source line, construct text, explanation."""

    line: int
    construct: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}: `{self.construct}`: {self.why}"


class Untranslatable(Exception):
    """The function (for this signature) cannot be translated; carries the reasons.

    `every_signature`: the reasons hold whatever the argument types (a generator,
    a closure, *args): the function stays Python for good."""

    def __init__(self, reasons: list[Reason], every_signature: bool = False):
        self.reasons = list(reasons)
        self.every_signature = every_signature
        super().__init__("; ".join(str(r) for r in self.reasons))


class BuildFailed(Exception):
    """cargo/maturin could not build the crate. `log_path` holds the full build log."""

    def __init__(self, message: str, log_path: str | None = None):
        self.log_path = log_path
        super().__init__(message if log_path is None else f"{message} (full build log: {log_path})")


class BuildBusy(Exception):
    """Another process has held the build lock longer than this caller waits.

    Not a failure: the caller runs Python meanwhile and the compile is retried
    (in the background, where waiting is cheap), so the native version arrives later.
    """
