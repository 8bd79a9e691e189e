"""What the cache holds and how to shrink it (for `rustify cache list|clear|prune`).

In: a cache root (`rustify.config.cache_dir()`).
Out: `inventory(root)`: one `CachedCrate` per generated crate (its sources,
its built extension and its files in the shared target dir) and the size of
the shared parts; `remove_crates`, `remove_runs` and `clear` delete under the
build lock, and only inside a directory that is recognisably rustify's cache
(`check_root`); `remove_leftovers` deletes what killed builds left (wheel
dirs, quarantined artifacts, temp files).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import CACHEDIR_TAG, LAYOUT

_CRATE_RE = re.compile(r"^rustify_[0-9a-f]{8,64}$")
_HEADER_RE = re.compile(r"from `(?P<function>[^`]*)` \((?P<where>[^)]*)\)\s*\n// for the signature \((?P<sig>[^)]*)\)")


class NotACache(Exception):
    """The directory is not rustify's cache, so nothing in it may be deleted."""


@dataclass
class CachedCrate:
    """One generated crate and everything the cache holds for it."""

    name: str
    function: str | None  # from the generated source's header, when readable
    signature: str | None
    built: bool  # its extension is in lib/
    paths: list[Path] = field(default_factory=list)
    size: int = 0
    last_used: float = 0.0  # newest mtime/atime of its extension (else of its sources)


@dataclass
class Inventory:
    root: Path
    crates: list[CachedCrate]
    shared_sizes: dict[str, int]  # "target", "runs", ... -> bytes
    runs: list[Path]

    @property
    def total(self) -> int:
        return sum(c.size for c in self.crates) + sum(self.shared_sizes.values())


def check_root(root: Path) -> Path:
    """`root` resolved, if it is rustify's cache; NotACache otherwise.

    rustify's cache carries a CACHEDIR.TAG written by rustify, or (caches made
    before the tag existed) holds nothing but rustify's own layout.
    """
    real = Path(os.path.realpath(root))
    if not real.is_dir():
        raise NotACache(f"{root} does not exist or is not a directory")
    if real == Path(real.anchor) or real == Path(os.path.realpath(Path.home())):
        raise NotACache(f"{root} is a filesystem root or the home directory, not a rustify cache")
    tag = real / CACHEDIR_TAG
    try:
        if tag.is_file() and "rustify" in tag.read_text(encoding="utf-8", errors="replace"):
            return real
    except OSError:
        pass
    entries = set(os.listdir(real))
    foreign = sorted(e for e in entries if e not in LAYOUT and not (e.startswith(".") and e.endswith(".tmp")))
    if foreign or not entries & {"crates", "lib", "build.lock"}:
        example = f" (it holds {', '.join(foreign[:3])})" if foreign else ""
        raise NotACache(
            f"{root} does not look like rustify's cache: no {CACHEDIR_TAG} written by rustify{example}. "
            "Point RUSTIFY_CACHE_DIR at rustify's cache dir; rustify deletes nothing here."
        )
    return real


def size_of(path: Path) -> int:
    """Bytes used by a file or a directory tree (symlinks counted, not followed)."""
    try:
        st = path.lstat()
    except OSError:
        return 0
    if not path.is_dir() or path.is_symlink():
        return st.st_size
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def inventory(root: Path) -> Inventory:
    """Everything in the cache at `root` (which must pass `check_root`)."""
    from .cache import ext_suffix

    names = set()
    for folder, strip in ((root / "crates", ""), (root / "lib", ext_suffix())):
        try:
            for entry in os.listdir(folder):
                name = entry[: -len(strip)] if strip and entry.endswith(strip) else entry
                if _CRATE_RE.match(name):
                    names.add(name)
        except OSError:
            pass
    crates = [_crate(root, name) for name in sorted(names)]
    crates.sort(key=lambda c: c.last_used, reverse=True)
    crate_target = sum(size_of(p) for c in crates for p in c.paths if _inside(p, root / "target"))
    shared = {
        "target": max(size_of(root / "target") - crate_target, 0),
        "runs": size_of(root / "runs"),
        "toolchain": size_of(root / "toolchain"),
        "tmp": size_of(root / "tmp"),
    }
    runs = sorted((root / "runs").glob("*.json")) if (root / "runs").is_dir() else []
    return Inventory(root, crates, shared, runs)


def _crate(root: Path, name: str) -> CachedCrate:
    from .cache import ext_suffix

    artifact = root / "lib" / f"{name}{ext_suffix()}"
    crate_dir = root / "crates" / name
    sidecar = artifact.with_name(artifact.name + ".sha256")
    paths = [p for p in (crate_dir, artifact, sidecar) if p.exists() or p.is_symlink()]
    for pattern in (f"*/lib{name}.*", f"*/deps/lib{name}.*", f"*/deps/{name}-*", f"*/deps/{name}.d",
                    f"*/.fingerprint/{name}-*"):
        paths.extend((root / "target").glob(pattern))
    function = signature = None
    try:
        with open(crate_dir / "src" / "lib.rs", encoding="utf-8", errors="replace") as fh:
            m = _HEADER_RE.search(fh.read(600))
        if m:
            function, signature = m.group("function"), m.group("sig")
    except OSError:
        pass
    used = 0.0
    for p in (artifact, crate_dir):
        try:
            st = p.stat()
            used = max(st.st_mtime, st.st_atime)
            break
        except OSError:
            continue
    return CachedCrate(name, function, signature, artifact.is_file(), paths,
                       sum(size_of(p) for p in paths), used)


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path.parent)).joinpath(path.name).relative_to(os.path.realpath(folder))
        return True
    except ValueError:
        return False


def _delete(path: Path, root: Path) -> None:
    """Remove `path` (file, symlink or tree), which must lie inside `root`."""
    if not _inside(path, root) or Path(os.path.realpath(path.parent)).joinpath(path.name) == Path(root):
        raise NotACache(f"refusing to delete {path}: it is not inside the cache {root}")
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _locked(root: Path):
    from .builder import exclusive_lock

    return exclusive_lock(root / "build.lock", "cache housekeeping")


def remove_crates(root: Path, crates: list[CachedCrate]) -> int:
    """Delete these crates (sources, extension, target files); the bytes freed.

    A process that already loaded an extension keeps using it (the file stays
    mapped); a new process rebuilds on demand.
    """
    freed = 0
    with _locked(root):
        for crate in crates:
            for p in crate.paths:
                _delete(p, root)
            freed += crate.size
    return freed


def remove_runs(root: Path, runs: list[Path]) -> int:
    freed = 0
    for p in runs:
        freed += size_of(p)
        _delete(p, root)
    return freed


def clear(root: Path) -> int:
    """Delete everything but the lock file and the tag; the bytes freed."""
    freed = 0
    with _locked(root):
        for entry in sorted(os.listdir(root)):
            if entry in ("build.lock", CACHEDIR_TAG):
                continue
            p = root / entry
            freed += size_of(p)
            _delete(p, root)
    return freed


LEFTOVER_MIN_AGE = 600.0  # seconds: a temp file younger than this may belong to a live unlocked writer
_WHEEL_DIR_RE = re.compile(r"^wheel-(?:(?P<pid>\d+)-)?")


def leftovers(root: Path, now: float | None = None, locked: bool = False) -> list[Path]:
    """What dead builds left behind: wheel dirs under tmp/, quarantined artifacts, stale temp files.

    A `tmp/wheel-<pid>-*` dir is a leftover when its build process is gone
    (or, `locked`, when we hold the build lock, so no build is running); temp
    files (`.<name>.*.tmp`) in the cache root, lib/ and crates/<name>/ only
    once older than LEFTOVER_MIN_AGE, since unlocked writers make them too.
    """
    now = time.time() if now is None else now
    found = []
    tmp = root / "tmp"
    try:
        entries = sorted(os.listdir(tmp))
    except OSError:
        entries = []
    for entry in entries:
        path = tmp / entry
        m = _WHEEL_DIR_RE.match(entry)
        if m:
            if locked or (m.group("pid") and not _alive(int(m.group("pid")))):
                found.append(path)
        elif entry.startswith("quarantined-"):
            found.append(path)
    for folder in (root, root / "lib", *sorted((root / "crates").glob("rustify_*"))):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for entry in names:
            if entry.startswith(".") and ".tmp" in entry and _age(folder / entry, now) > LEFTOVER_MIN_AGE:
                found.append(folder / entry)
    return found


def remove_leftovers(root: Path) -> tuple[list[Path], bool]:
    """Delete `leftovers(root)`; (what was deleted, whether the build lock was free).

    Takes the build lock without waiting: while another build runs, only the
    leftovers of builds whose process is gone are deleted.
    """
    from rustify.errors import BuildBusy

    from .builder import exclusive_lock

    try:
        with exclusive_lock(root / "build.lock", "cache housekeeping", wait=0):
            doomed = leftovers(root, locked=True)
            for p in doomed:
                _delete(p, root)
            return doomed, True
    except BuildBusy:
        doomed = leftovers(root, locked=False)
        for p in doomed:
            _delete(p, root)
        return doomed, False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age(path: Path, now: float) -> float:
    try:
        return now - path.lstat().st_mtime
    except OSError:
        return 0.0


def older_than(crates: list[CachedCrate], days: float, now: float | None = None) -> list[CachedCrate]:
    cutoff = (time.time() if now is None else now) - days * 86400
    return [c for c in crates if c.last_used < cutoff]


def over_size(inv: Inventory, max_bytes: int) -> list[CachedCrate]:
    """Least recently used crates to delete so the cache fits in `max_bytes` (the shared parts stay)."""
    total = inv.total
    chosen = []
    for crate in sorted(inv.crates, key=lambda c: c.last_used):
        if total <= max_bytes:
            break
        chosen.append(crate)
        total -= crate.size
    return chosen
