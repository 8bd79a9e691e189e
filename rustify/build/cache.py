"""Where built artifacts live in the cache, and the checks before one is loaded.

Every artifact in `lib/` has a sidecar `<artifact>.sha256` holding the hex
sha256 of its bytes, written when it is installed (`record_digest`,
`install_artifact_bytes`). `find_artifact` returns a path only when the file
matches its sidecar (`verify_artifact`), so a truncated or overwritten `.so`
is never handed to dlopen. `check_private` refuses a cache dir (or its lib/)
that another user owns or could write, the way ssh refuses a loose key: code
loaded from there could be anyone's. `ensure_private_dir` creates the layout
0700 whatever the umask.

Only stdlib modules that are nearly free to import (hashlib is already loaded
by the cache key): this is on the path of every fresh process that loads a
cached artifact.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import sysconfig
import tempfile
from pathlib import Path

from rustify.config import cache_dir
from rustify.errors import BuildFailed

# The Cache Directory Tagging marker (https://bford.info/cachedir/): backup
# tools skip the directory, and `rustify cache` knows the directory is rustify's.
CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rustify.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
# What rustify puts in its cache dir; `rustify cache` refuses a dir holding anything else.
LAYOUT = ("crates", "lib", "target", "tmp", "toolchain", "runs", "verdicts", "index", "build_costs.json", "Cargo.lock",
          "build.lock", CACHEDIR_TAG)


@functools.cache
def ext_suffix() -> str:
    """This interpreter's extension-module suffix, e.g. `.cpython-311-x86_64-linux-gnu.so`."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not suffix:  # pragma: no cover - every CPython sets it
        import importlib.machinery

        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    return suffix


def artifact_path(name: str) -> Path:
    """Where the built extension for crate `name` lives. Pure path computation, no I/O."""
    return cache_dir() / "lib" / f"{name}{ext_suffix()}"


DIGEST_SUFFIX = ".sha256"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEX_RE = re.compile(r"^[0-9a-f]{64}$")


class UnsafeCache(BuildFailed):
    """The cache dir (or its lib/) is owned by another user or writable by others: nothing is loaded from it."""


class CorruptArtifact(BuildFailed):
    """A cached artifact does not match the digest recorded when it was installed."""


def digest_path(path: Path) -> Path:
    """The sidecar holding `path`'s sha256."""
    return Path(f"{path}{DIGEST_SUFFIX}")


def file_digest(path: Path) -> str:
    """Hex sha256 of the file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def record_digest(path: Path) -> str:
    """Write `path`'s sha256 (hex) into its sidecar, atomically and 0600; return the hex."""
    path = Path(path)
    digest = file_digest(path)
    write_private(digest_path(path), (digest + "\n").encode(), 0o600)
    return digest


def verify_artifact(path: Path) -> bool:
    """True only if `path` is a regular file of ours that others cannot write, and its
    bytes match the sidecar digest. Never raises for a missing or unreadable file."""
    path = Path(path)
    try:
        with open(digest_path(path), "rb") as fh:
            expected = fh.read(200).decode("ascii", "replace").strip()
        if not _HEX_RE.match(expected):
            return False
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _owned_and_private(st):
                return False
            actual = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return False
    return actual == expected


def find_artifact(name: str) -> Path | None:
    """The artifact's path if it is built and matches its recorded digest, else None.

    Raises UnsafeCache if the cache dir or lib/ is not private to this user.
    A file that exists but fails the check is left for the build stage, which
    quarantines and rebuilds it under the build lock.
    """
    root = cache_dir()
    path = artifact_path(name)
    if not os.path.isfile(path):
        return None
    check_private(root)
    check_private(path.parent)
    return path if verify_artifact(path) else None


def check_private(directory: Path) -> None:
    """Raise UnsafeCache unless `directory` (if it exists) is ours and not group/world-writable.

    A symlink is followed, but must itself belong to us (or root). A shared
    sticky parent such as /tmp is fine: only the directory itself is judged.
    """
    try:
        lst = os.lstat(directory)
        st = os.stat(directory) if stat.S_ISLNK(lst.st_mode) else lst
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UnsafeCache(f"rustify cannot inspect its cache dir {directory}: {exc}") from None
    me = os.geteuid() if hasattr(os, "geteuid") else None
    if me is None:  # pragma: no cover - Windows: ACLs, not modes
        return
    if stat.S_ISLNK(lst.st_mode) and lst.st_uid not in (me, 0):
        raise UnsafeCache(
            f"rustify refuses the cache dir {directory}: it is a symlink owned by uid {lst.st_uid}, not by you "
            f"(uid {me}), so its owner decides what code runs. Point RUSTIFY_CACHE_DIR at a directory of your own."
        )
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeCache(f"rustify refuses the cache dir {directory}: it is not a directory")
    if st.st_uid != me:
        raise UnsafeCache(
            f"rustify refuses the cache dir {directory}: it is owned by uid {st.st_uid}, not by you (uid {me}), "
            f"and rustify would load native code from it. Use a directory of your own "
            f"(RUSTIFY_CACHE_DIR=...), or `chown -R {me} {directory}` if it is yours."
        )
    if st.st_mode & 0o022:
        raise UnsafeCache(
            f"rustify refuses the cache dir {directory}: it is writable by "
            f"{'everyone' if st.st_mode & 0o002 else 'its group'} (mode {stat.S_IMODE(st.st_mode):o}), so another "
            f"user could plant native code in it. Fix it with `chmod -R go-w {directory}` "
            f"(or use another RUSTIFY_CACHE_DIR)."
        )


def _owned_and_private(st: os.stat_result) -> bool:
    if not hasattr(os, "geteuid"):  # pragma: no cover - Windows
        return True
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` and any missing parents 0700 whatever the umask; UnsafeCache if it is loose."""
    directory = Path(directory)
    missing = []
    d = directory
    while not os.path.isdir(d) and d != d.parent:
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # mkdir's mode is masked by the umask; 0700 is never widened, but be exact
    check_private(directory)


def write_private(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` via a temp file in the same dir + os.replace, with `mode`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def install_artifact_bytes(name: str, data: bytes, digest: str) -> Path:
    """Install an extension built elsewhere as `lib/<name><EXT_SUFFIX>` and return its path.

    Refuses (ValueError) a bad name or data whose sha256 is not `digest`. The
    file (0700) and its sidecar (0600) are written atomically; an existing
    verified artifact is never replaced (a process may have dlopen()ed it), an
    existing unverified one is. Raises UnsafeCache for a loose cache dir.
    """
    if not _NAME_RE.match(name):
        raise ValueError(f"invalid artifact name {name!r}: must be a Python identifier")
    digest = digest.strip().lower()
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise ValueError(f"artifact {name}: its bytes hash to {actual}, not the expected {digest}")
    root = cache_dir()
    ensure_private_dir(root)
    target = artifact_path(name)
    ensure_private_dir(target.parent)
    if verify_artifact(target):
        return target
    # sidecar first: a reader between the two renames sees a digest and no file (a miss), never an
    # unchecked file; an old bad file in between fails the check against the new digest
    write_private(digest_path(target), (digest + "\n").encode(), 0o600)
    write_private(target, data, 0o700)
    return target


def quarantine_artifact(path: Path) -> Path | None:
    """Move a bad artifact and its sidecar out of lib/ into tmp/ (prune deletes them); the new path."""
    root = cache_dir()
    ensure_private_dir(root / "tmp")
    dest = root / "tmp" / f"quarantined-{os.getpid()}-{path.name}"
    moved = None
    try:
        os.replace(path, dest)
        moved = dest
    except FileNotFoundError:
        pass
    try:
        os.replace(digest_path(path), Path(f"{dest}{DIGEST_SUFFIX}"))
    except FileNotFoundError:
        pass
    return moved


def verdict_path(name: str) -> Path:
    """Where the "stays Python" verdict for crate `name` is kept (`verdicts/<name>.json`)."""
    return cache_dir() / "verdicts" / f"{name}.json"


def read_verdict(name: str) -> dict | None:
    """The recorded refusal for crate `name` ({"reasons": [[line, construct, why], ...],
    "every_signature": bool}), or None. The name covers everything the analysis reads (source,
    globals, signature, translator), so a verdict found is the analysis's answer; a file that
    is not ours, not private or not well-formed is ignored (the analysis runs again)."""
    import json

    path = verdict_path(name)
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _owned_and_private(st):
                return None
            data = json.loads(fh.read(1 << 20))
        reasons = [(int(line), str(construct), str(why)) for line, construct, why in data["reasons"]]
        return {"reasons": reasons, "every_signature": bool(data.get("every_signature"))}
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_verdict(name: str, reasons, every_signature: bool) -> None:
    """Record that crate `name` does not translate (best effort: a loose cache records nothing)."""
    import json

    path = verdict_path(name)
    try:
        ensure_private_dir(path.parent)
        data = {"reasons": [[r.line, r.construct, r.why] for r in reasons], "every_signature": every_signature}
        write_private(path, json.dumps(data).encode(), 0o600)
    except (OSError, UnsafeCache):
        pass


def index_path(key: str) -> Path:
    """The marker `index/<key>` saying the cache holds an artifact or a verdict of the function
    with that key (`pipeline.function_key`): a fresh process stats it before it computes any
    crate name of the function (source fingerprints cost about a millisecond each)."""
    return cache_dir() / "index" / key


def mark_indexed(key: str) -> None:
    """Create the marker of `key` (best effort)."""
    path = index_path(key)
    if os.path.exists(path):
        return
    try:
        ensure_private_dir(path.parent)
        write_private(path, b"", 0o600)
    except (OSError, UnsafeCache):
        pass


def is_indexed(key: str) -> bool:
    return os.path.exists(index_path(key))
