"""What every family of lowering rules shares: the exceptions that steer a pass,
the placeholder element type of `[]`, and a variable's record of assignments."""

from __future__ import annotations

from dataclasses import dataclass, field

from astroid import nodes

from rustify import ir

UNKNOWN_ELEM = ir.Scalar("?")  # element type of `[]` before anything is appended
MAX_PASSES = 12


class _Pending(Exception):
    """A variable's type is not known yet in this pass."""


class _Reject(Exception):
    def __init__(self, node: nodes.NodeNG, why: str):
        super().__init__(why)
        self.node, self.why = node, why


class _Poisoned(Exception):
    """A statement reads a variable whose assignment was rejected: already reported, stay quiet."""


@dataclass(frozen=True)
class _UntranslatedArg:
    """The type of an argument whose kind the IR has no type for (`str`, `dict`, a class...).

    The body is still analysed, so every construct that blocks it is reported:
    each use of such an argument is one reason."""

    kind: str

    def __str__(self) -> str:
        return self.kind


@dataclass
class _Assigned:
    """What one pass saw assigned to a variable: types, and constant values."""

    types: list[ir.Type] = field(default_factory=list)
    consts: list[object | None] = field(default_factory=list)


def described(a: ir.Type, b: ir.Type) -> tuple[str, str]:
    """`a` and `b` as a reason names them: with their representation when their kinds read
    the same (`list[int]` as a flat native list, or as the Python list object itself)."""
    if str(a) != str(b):
        return str(a), str(b)
    return _representation(a), _representation(b)


def _representation(t: ir.Type) -> str:
    if isinstance(t, ir.ListOf):
        return f"{t} (a flat list copied into native memory)"
    if isinstance(t, ir.PyListOf):
        return f"{t} (a Python list object worked on in place)"
    return f"{t} ({type(t).__name__})"
