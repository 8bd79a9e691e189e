"""The Rust toolchain as the build stage sees it: where cargo/rustc are, the
fixed environment every build runs in, and a fingerprint for the cache key.

`toolchain_fingerprint()` is on the path of every fresh process (the cache key
needs it), so it answers from a few stats plus one small file read; it runs
`rustc -vV` only when those stats change (a new rustc, `rustup update`,
`rustup default`, another RUSTUP_TOOLCHAIN).
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

from rustify.config import cache_dir

from .cache import UnsafeCache, ensure_private_dir

RUST_MISSING = (
    "Rust is not installed (no `{tool}` on PATH), so rustify cannot compile and keeps "
    "running Python. Install Rust with rustup: "
    "`curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh` "
    "(see https://rustup.rs), then make sure ~/.cargo/bin is on PATH."
)

NO_RUSTC = "no-rustc"

_EXE = ".exe" if os.name == "nt" else ""
_FIXED_PATH = ("/usr/local/bin", "/usr/bin", "/bin")

# In-process memo: stats key -> fingerprint.
_memo: dict[str, str] = {}


def which(tool: str, path: str | None = None) -> str | None:
    """Absolute path of executable `tool` on `path` (default: the current PATH), or None."""
    if path is None:
        path = os.environ.get("PATH", "")
    for d in path.split(os.pathsep):
        if not d:
            continue
        candidate = os.path.join(d, tool + _EXE)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def build_path() -> str:
    """The PATH every build runs with: the same on every call in every process
    of this environment, because PyO3's build script reruns when PATH changes.
    """
    dirs: list[str] = []
    cargo = which("cargo")
    if cargo:
        dirs.append(os.path.dirname(cargo))
    if sys.executable:
        dirs.append(os.path.dirname(sys.executable))
    dirs.extend(_FIXED_PATH)
    return os.pathsep.join(dict.fromkeys(dirs))


def build_env(root: Path) -> dict[str, str]:
    """The environment for cargo/maturin/rustc: identical for every build that
    shares `root`/target, so PyO3 and the dependencies never rebuild."""
    env = dict(os.environ)
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        env.pop(var, None)
    env["PATH"] = build_path()
    env["CARGO_TARGET_DIR"] = str(root / "target")
    env["PYO3_PYTHON"] = sys.executable
    env["CARGO_TERM_COLOR"] = "never"
    return env


def find_rustc() -> str | None:
    """The rustc cargo will use: $RUSTC if set, else the one on the build PATH."""
    rustc = os.environ.get("RUSTC")
    if rustc:
        return rustc if os.path.isabs(rustc) else which(rustc, build_path())
    return which("rustc", build_path())


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _dir_mtimes(path: str) -> str:
    """The directory's mtime and each entry's (rustup rewrites these on install/update)."""
    parts = [str(_mtime(path))]
    try:
        with os.scandir(path) as it:
            for entry in it:
                try:
                    parts.append(f"{entry.name}:{entry.stat().st_mtime_ns}")
                except OSError:
                    pass
    except OSError:
        pass
    return ",".join(sorted(parts))


def _stats_key(rustc: str) -> str:
    rustup_home = os.environ.get("RUSTUP_HOME") or os.path.join(os.path.expanduser("~"), ".rustup")
    real = os.path.realpath(rustc)
    fields = [
        f"rustc={real}@{_mtime(real)}",
        f"RUSTUP_HOME={rustup_home}",
        f"RUSTUP_TOOLCHAIN={os.environ.get('RUSTUP_TOOLCHAIN', '')}",
        f"settings={_mtime(os.path.join(rustup_home, 'settings.toml'))}",
        f"toolchains={_dir_mtimes(os.path.join(rustup_home, 'toolchains'))}",
        f"update-hashes={_dir_mtimes(os.path.join(rustup_home, 'update-hashes'))}",
    ]
    return repr("|".join(fields))  # repr: one line, whatever the env holds


def toolchain_fingerprint() -> str:
    """Identifies the Rust toolchain (the `rustc -vV` text), or "no-rustc".

    Cheap on repeat calls and in fresh processes: the text is cached in
    `<cache>/toolchain/` under a key made of stats (which rustc, its mtime,
    rustup's settings and toolchain dirs, RUSTUP_TOOLCHAIN).
    """
    rustc = find_rustc()
    if rustc is None:
        # Nothing can be built, but artifacts already built by the last
        # toolchain seen are as good as ever: keep their cache keys valid.
        return _last_seen() or NO_RUSTC
    key = _stats_key(rustc)
    hit = _memo.get(key)
    if hit is not None:
        return hit
    root = cache_dir()
    cache_file = root / "toolchain" / f"{zlib.crc32(key.encode()):08x}.txt"
    try:
        stored_key, _, text = cache_file.read_text(encoding="utf-8").partition("\n")
        if stored_key == key and text:
            _memo[key] = text
            return text
    except OSError:
        pass
    text = _run_rustc_vv(rustc, root)
    if text is None:
        return "rustc-unusable"  # not cached: the build will fail and say why
    _memo[key] = text
    _write_atomic(cache_file, f"{key}\n{text}")
    return text


def _last_seen() -> str | None:
    """The most recently recorded `rustc -vV` text in this cache, if any."""
    folder = cache_dir() / "toolchain"
    try:
        newest = max(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime)
        return newest.read_text(encoding="utf-8").partition("\n")[2] or None
    except (OSError, ValueError):
        return None


def _run_rustc_vv(rustc: str, root: Path) -> str | None:
    # Deferred: only a cache miss needs subprocess.
    import logging
    import subprocess
    import time

    from . import spawn

    log = logging.getLogger("rustify.build")
    # Run in the cache dir with the build environment, as builds do, so rustup
    # picks the same toolchain (no rust-toolchain.toml from the user's cwd).
    try:
        ensure_private_dir(root)
        cwd: str | None = str(root)
    except (OSError, UnsafeCache):
        cwd = None
    t0 = time.perf_counter()
    try:
        proc = spawn.run(  # not subprocess.run: a fork in another thread must not inherit its pipes
            [rustc, "-vV"], cwd=cwd, env=build_env(root), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("rustc -vV failed: %s", exc)
        return None
    log.debug("rustc -vV took %.3f s (exit %d)", time.perf_counter() - t0, proc.returncode)
    if proc.returncode != 0 or not proc.stdout.strip():
        log.debug("rustc -vV failed: %s", proc.stderr.strip())
        return None
    return proc.stdout.strip()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        ensure_private_dir(path.parent.parent)
        ensure_private_dir(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except (OSError, UnsafeCache):  # a read-only or loose cache only costs a rustc -vV per process
        try:
            tmp.unlink()
        except OSError:
            pass
