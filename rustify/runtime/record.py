"""Run records: what rustify did in one process, as JSON, for `rustify report`.

Written at interpreter exit (when `settings().record`) to
`cache_dir()/runs/<UTC time>-<pid>.json`; the newest `KEEP` records are kept.
Schema: {"rustify_version", "python", "argv", "started", "ended",
"functions": [{"function", "file", "line", "front_door", "gave_up", "unwrapped", "signatures": [
{"signature", "status", "reason", "reasons", "compile_seconds", "cache_hit",
"module", "native_calls", "python_calls", "deopts", "mean_python_ns",
"mean_native_ns", "validated_calls", "validation_mismatch", "hot_to_native_seconds"}]}]}
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

KEEP = 50
_started = datetime.now(timezone.utc)
_installed = False


def runs_dir() -> Path:
    from rustify.config import cache_dir

    return cache_dir() / "runs"


def function_record(accelerated) -> dict:
    """One function's entry in the run record."""
    info = accelerated.rustify
    signatures = []
    for sig in dict.fromkeys([*info.stats, *info._natives, *info.reasons]):
        st = info.stats.get(sig)
        native = info._natives.get(sig)
        signatures.append({
            "signature": list(sig),
            "status": info.status(sig),
            "reason": info.reasons.get(sig) or (info._not_native_yet(sig) if native is None else None),
            "reasons": [{"line": r.line, "construct": r.construct, "why": r.why}
                        for r in info.reason_records.get(sig, [])],
            "compile_seconds": native.seconds if native else None,
            "cache_hit": native.cache_hit if native else None,
            "module": native.module_name if native else None,
            "native_calls": (st.native_calls - st.deopts) if st else 0,
            "python_calls": (st.python_calls + st.deopts) if st else 0,
            "deopts": st.deopts if st else 0,
            "mean_python_ns": st.mean_python_ns if st else None,
            "mean_native_ns": st.mean_native_ns if st else None,
            "validated_calls": st.validated if st else 0,
            "validation_mismatch": st.mismatch if st else None,
            "hot_to_native_seconds": st.hot_to_native_seconds if st else None,
        })
    return {"function": info.function, "file": info.file, "line": info.line,
            "front_door": info.front_door, "gave_up": info.gave_up, "unwrapped": list(info.unwrapped),
            "signatures": signatures}


def run_record() -> dict:
    """This process's record so far."""
    from rustify._version import __version__
    from rustify.runtime.registry import accelerated_functions

    functions = sorted((function_record(a) for a in accelerated_functions()), key=lambda f: f["function"])
    return {"rustify_version": __version__, "python": sys.version.split()[0], "argv": list(sys.argv),
            "started": _started.isoformat(), "ended": datetime.now(timezone.utc).isoformat(),
            "functions": functions}


def write_run_record(path: Path | None = None) -> Path | None:
    """Write the record (default: a new file in `runs_dir()`); None if nothing was accelerated."""
    record = run_record()
    if not record["functions"]:
        return None
    from rustify.build.cache import UnsafeCache, ensure_private_dir, write_private

    if path is None:
        folder = runs_dir()
        try:
            ensure_private_dir(folder)  # private like the rest of the cache
        except UnsafeCache:
            return None  # a loose cache dir: nothing is written into it either
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        path = folder / f"{stamp}-{os.getpid()}.json"
        _prune(folder)
    write_private(path, json.dumps(record, indent=1).encode(), 0o600)
    return path


def latest_run_record() -> Path | None:
    """The newest record in `runs_dir()`, or None."""
    folder = runs_dir()
    records = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return records[-1] if records else None


def _prune(folder: Path) -> None:
    for old in sorted(folder.glob("*.json"))[:-KEEP]:
        old.unlink(missing_ok=True)


def _write_quietly() -> None:
    try:
        write_run_record()
    except Exception as e:  # noqa: BLE001 - never fail the user's program at exit
        print(f"rustify: could not write the run record: {e}", file=sys.stderr)


def write_at_exit() -> None:
    """Arrange (once) for the run record to be written when the interpreter exits."""
    global _installed
    if _installed:
        return
    _installed = True
    from rustify.config import settings

    try:
        enabled = settings().record
    except ValueError:
        enabled = True
    if enabled:
        atexit.register(_write_quietly)
