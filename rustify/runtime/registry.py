"""Every live accelerated function of this process (for run records and summaries)."""

from __future__ import annotations

import weakref

_live: "weakref.WeakSet" = weakref.WeakSet()


def register(accelerated) -> None:
    """Called by each `Accelerated` when it is created; arranges the run record."""
    from rustify.runtime.record import write_at_exit

    _live.add(accelerated)
    write_at_exit()


def accelerated_functions() -> list:
    """The live `Accelerated` wrappers, in no particular order."""
    return list(_live)
