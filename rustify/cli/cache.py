"""`rustify cache list|clear|prune`: what the cache holds (sizes, ages) and shrinking it.

The cache is `RUSTIFY_CACHE_DIR` (or `cache_dir` in [tool.rustify], else the
user cache dir). Deleting is safe while programs run: a process keeps the
extensions it loaded, and rebuilds (or reloads) on demand. Nothing outside
the cache dir is ever deleted, and a directory that is not rustify's cache is
refused. `prune` also deletes what builds that were killed left behind.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("cache", help="list, clear or prune rustify's build cache",
                              description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1])
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="each cached function: signature, size, age; the shared build dir")
    ls.set_defaults(run=run_list)
    cl = sub.add_parser("clear", help="delete everything in the cache (asks first)")
    cl.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    cl.set_defaults(run=run_clear)
    pr = sub.add_parser("prune", help="delete what killed builds left, and old or least recently used "
                                      "compiled functions",
                        description="Delete what builds that were killed left behind (tmp/wheel-* dirs, "
                                    "quarantined artifacts, temp files), and compiled functions not used for DAYS "
                                    "days and/or the least recently used ones until the cache fits in SIZE. The "
                                    "shared build of PyO3 (target/) is kept; `rustify cache clear` removes it.")
    pr.add_argument("--older-than", type=float, metavar="DAYS", help="unused for more than DAYS days (also run records)")
    pr.add_argument("--max-size", type=parse_size, metavar="SIZE", help="keep the cache under SIZE (e.g. 500M, 2G)")
    pr.add_argument("--dry-run", action="store_true", help="show what would be deleted")
    pr.set_defaults(run=run_prune)


def parse_size(text: str) -> int:
    """"500M" -> bytes (k, M, G, T are powers of 1024)."""
    import argparse

    m = _SIZE_RE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 800M, 2G, 1500000)")
    return int(float(m.group(1)) * 1024 ** "_kmgt".index((m.group(2) or "_").lower()))


def human_size(n: int) -> str:
    for unit in ("B", "K", "M", "G"):
        if n < 1024 or unit == "G":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} G"


def human_age(seconds: float) -> str:
    seconds = max(seconds, 0)
    for limit, unit in ((120, "s"), (7200, "min"), (172800, "h")):
        if seconds < limit:
            return f"{seconds / {'s': 1, 'min': 60, 'h': 3600}[unit]:.0f} {unit}"
    return f"{seconds / 86400:.0f} d"


def _root(allow_missing: bool = True) -> Path | None:
    """The checked cache root; None (after saying so) when there is none or it is not rustify's."""
    from rustify.build.housekeeping import NotACache, check_root
    from rustify.config import cache_dir

    root = cache_dir()
    if not root.exists():
        print(f"no rustify cache at {root} (nothing compiled yet)")
        return None
    try:
        return check_root(root)
    except NotACache as e:
        print(f"rustify cache: {e}", file=sys.stderr)
        return None


def run_list(args) -> int:
    from rustify.build.housekeeping import inventory

    root = _root()
    if root is None:
        return 0 if not _exists() else 1
    inv = inventory(root)
    now = time.time()
    print(f"rustify cache: {root}  ({human_size(inv.total)} in all)")
    if inv.crates:
        rows = [(c.function or "?", f"({c.signature})" if c.signature is not None else "?",
                 human_size(c.size), human_age(now - c.last_used) if c.last_used else "?",
                 "built" if c.built else "not built", c.name) for c in inv.crates]
        headers = ("function", "signature", "size", "last used", "state", "crate")
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        print()
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
        for r in rows:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    else:
        print("\nno compiled functions")
    print()
    labels = {"target": "target/ (shared build of PyO3 and numpy)", "runs": f"runs/ ({len(inv.runs)} run records)",
              "toolchain": "toolchain/", "tmp": "tmp/"}
    for key, size in inv.shared_sizes.items():
        if size:
            print(f"{labels[key]}: {human_size(size)}")
    print(f"{len(inv.crates)} compiled functions: {human_size(sum(c.size for c in inv.crates))}")
    return 0


def _exists() -> bool:
    from rustify.config import cache_dir

    return cache_dir().exists()


def run_clear(args) -> int:
    from rustify.build.housekeeping import clear, inventory

    root = _root()
    if root is None:
        return 0 if not _exists() else 1
    inv = inventory(root)
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print("rustify cache clear: not a terminal, so not asking; pass --yes to delete", file=sys.stderr)
            return 1
        answer = input(f"Delete {len(inv.crates)} compiled functions, the shared build and {len(inv.runs)} run "
                       f"records in {root} ({human_size(inv.total)})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 0
    freed = clear(root)
    print(f"cleared {root}: {human_size(freed)} freed")
    return 0


def run_prune(args) -> int:
    from rustify.build.housekeeping import (
        inventory,
        leftovers,
        older_than,
        over_size,
        remove_crates,
        remove_leftovers,
        remove_runs,
    )

    if args.older_than is not None and args.older_than < 0:
        print("rustify cache prune: --older-than must be >= 0", file=sys.stderr)
        return 2
    root = _root()
    if root is None:
        return 0 if not _exists() else 1
    if args.dry_run:
        for p in leftovers(root):
            print(f"would delete {p} (left by a build that was killed)")
    else:
        removed, lock_free = remove_leftovers(root)
        if removed:
            print(f"deleted {len(removed)} leftovers of killed builds: "
                  f"{', '.join(p.name for p in removed[:5])}{' ...' if len(removed) > 5 else ''}")
        if not lock_free:
            print("a build is running: only leftovers of builds whose process is gone were deleted")
    if args.older_than is None and args.max_size is None:
        return 0
    inv = inventory(root)
    doomed = {}
    runs: list[Path] = []
    if args.older_than is not None:
        doomed.update((c.name, c) for c in older_than(inv.crates, args.older_than))
        cutoff = time.time() - args.older_than * 86400
        runs = [p for p in inv.runs if p.stat().st_mtime < cutoff]
    if args.max_size is not None:
        remaining = [c for c in inv.crates if c.name not in doomed]
        inv_left = type(inv)(inv.root, remaining, inv.shared_sizes, inv.runs)
        doomed.update((c.name, c) for c in over_size(inv_left, args.max_size))
    crates = list(doomed.values())
    for c in crates:
        print(f"{'would delete' if args.dry_run else 'delete'} {c.function or c.name} "
              f"({c.signature or '?'}) {human_size(c.size)}")
    if runs:
        print(f"{'would delete' if args.dry_run else 'delete'} {len(runs)} run records")
    if args.dry_run:
        return 0
    freed = remove_crates(root, crates) + remove_runs(root, runs)
    print(f"pruned {len(crates)} compiled functions and {len(runs)} run records: {human_size(freed)} freed")
    left = inventory(root)
    if args.max_size is not None and left.total > args.max_size:
        print(f"the cache still holds {human_size(left.total)}, mostly the shared build "
              f"({human_size(left.shared_sizes['target'])}); `rustify cache clear` removes it")
    return 0
