"""`build_extension`: write a `CrateSource` to the cache, run maturin, install the `.so`.

One build at a time per cache dir (an exclusive `flock` on `<cache>/build.lock`),
so N processes wanting the same crate produce one build: whoever gets the lock
second finds the artifact and returns it. Every build runs with the same
command-line flags and environment (see `toolchain.build_env`) in one shared
CARGO_TARGET_DIR, and every crate starts from the same seed `Cargo.lock`, so
PyO3 and numpy compile once per machine and a new crate costs only its own code.

maturin runs under `supervisor.py`, in a process group that is killed when
this process dies (even by kill -9), so no cargo or rustc outlives it and
writes into a later build's log; a dead build's `tmp/wheel-<pid>-*` dir is
removed by `rustify cache prune`. The cache is private: dirs 0700, files
0600, the `.so` 0700, whatever the umask; each installed artifact gets a
sha256 sidecar, and one that fails its check is quarantined and rebuilt.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from rustify.codegen.crate import CrateSource
from rustify.config import cache_dir
from rustify.errors import BuildBusy, BuildFailed

from .cache import (
    CACHEDIR_TAG,
    CACHEDIR_TAG_TEXT,
    CorruptArtifact,
    artifact_path,
    digest_path,
    ensure_private_dir,
    ext_suffix,
    file_digest,
    find_artifact,
    quarantine_artifact,
    verify_artifact,
)
from .costs import BuildClock, record_build
from .spawn import popen
from .toolchain import RUST_MISSING, build_env, find_rustc, which

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: cargo's own target-dir lock still keeps builds correct
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("rustify.build")

BUILD_TIMEOUT = 600.0  # seconds for one maturin run; a hung build becomes BuildFailed
LOCK_TIMEOUT = 2 * BUILD_TIMEOUT + 60.0  # waiting for another process's build (and its retry)

# Threads of one process build one at a time; the flock orders processes.
_process_build_lock = threading.Lock()
# Descriptors of the build lock's file this process has open (while it holds or waits for it).
_open_lock_fds: set[int] = set()
_this_process_builds = False  # a thread of this process holds the flock (is building, not waiting)


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's builds: a fresh thread lock, and its
    copies of the lock file point at /dev/null, because an flock belongs to the open
    file that the fork shares, so the child's copy would keep the parent's lock alive
    after the parent dies. The descriptor numbers stay taken, so the parent's late
    close in this process cannot close an unrelated file."""
    global _process_build_lock, _this_process_builds
    _process_build_lock = threading.Lock()
    _this_process_builds = False
    for fd in list(_open_lock_fds):
        try:
            null = os.open(os.devnull, os.O_RDWR)
            try:
                os.dup2(null, fd)
            finally:
                os.close(null)
        except OSError:
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# cargo/maturin output that means "the dependency is not in the local registry"
# (we ran --offline) or "the network is unreachable" (we ran online).
_OFFLINE_MISS_RE = re.compile(r"offline mode|--offline|attempting to make an HTTP request", re.I)
_NETWORK_FAIL_RE = re.compile(
    r"failed to download|failed to query replaced source|failed to fetch|spurious network error|"
    r"Could not connect|Couldn't resolve host|could not resolve|network failure|"
    r"failed to get .* as a dependency|download of .* failed",
    re.I,
)
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def build_extension(crate: CrateSource, lock_wait: float | None = None) -> Path:
    """Build `crate` (or find it built and verified) and return the extension's path.

    BuildFailed on failure (UnsafeCache for a cache dir others could write);
    BuildBusy if another process holds the build lock for more than
    `lock_wait` seconds (None: wait up to LOCK_TIMEOUT).
    """
    found = find_artifact(crate.name)
    if found is not None:
        return found
    _check_crate(crate)
    root = cache_dir()
    prepare_cache(root)  # refuses a loose cache before the toolchain is even looked at
    try:
        check_toolchain()
    except BuildFailed as exc:
        bad = artifact_path(crate.name)
        if os.path.lexists(bad):
            raise CorruptArtifact(f"the cached extension {bad} does not match the digest recorded when it was "
                                  f"built, so it is not loaded, and it cannot be rebuilt: {exc}") from exc
        raise
    log_path = root / "crates" / crate.name / "build.log"
    try:
        return _build_locked(crate, root, lock_wait)
    except (BuildFailed, BuildBusy):
        raise
    except (OSError, subprocess.SubprocessError, zipfile.BadZipFile) as exc:
        raise BuildFailed(f"build of {crate.name} failed: {exc}", str(log_path)) from exc


def check_toolchain() -> None:
    """Raise BuildFailed, saying what to install, unless cargo, rustc and maturin are there."""
    for tool in ("cargo", "rustc"):
        if (find_rustc() if tool == "rustc" else which(tool)) is None:
            raise BuildFailed(RUST_MISSING.format(tool=tool))
    if not sys.executable:
        raise BuildFailed("sys.executable is unknown, so maturin cannot target this interpreter")
    if importlib.util.find_spec("maturin") is None:
        raise BuildFailed(
            f"maturin is not installed for {sys.executable}; install it with "
            f"`{sys.executable} -m pip install maturin`"
        )


def prepare_cache(root: Path) -> None:
    """Create the cache layout (0700 dirs, and its CACHEDIR.TAG marker) under `root`.

    Raises UnsafeCache if `root` or lib/ belongs to another user or is writable by others.
    """
    ensure_private_dir(root)
    for sub in ("crates", "lib", "target", "tmp"):
        ensure_private_dir(root / sub)
    tag = root / CACHEDIR_TAG
    if not tag.exists():
        _write_atomic(tag, CACHEDIR_TAG_TEXT)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _write_private_text(tmp, text)
    os.replace(tmp, path)


def _write_private_text(path: Path, text: str) -> None:
    """Write `text` to `path`, 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(text)


def _check_crate(crate: CrateSource) -> None:
    """The name becomes a directory and a file name; the file paths must stay in the crate."""
    if not _NAME_RE.match(crate.name):
        raise BuildFailed(f"invalid crate name {crate.name!r}: must be a Python/Rust identifier")
    if "Cargo.toml" not in crate.files:
        raise BuildFailed(f"crate {crate.name} has no Cargo.toml")
    for rel in crate.files:
        p = PurePosixPath(rel)
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise BuildFailed(f"crate {crate.name}: file path {rel!r} escapes the crate directory")


def _build_locked(crate: CrateSource, root: Path, lock_wait: float | None = None) -> Path:
    with exclusive_lock(root / "build.lock", crate.name, lock_wait):
        found = find_artifact(crate.name)
        if found is not None:
            log.debug("%s: built by another build while we waited", crate.name)
            return found
        bad = artifact_path(crate.name)
        if os.path.lexists(bad) or os.path.lexists(digest_path(bad)):
            moved = quarantine_artifact(bad)
            log.warning("%s: the cached extension %s does not match the digest recorded when it was built "
                        "(truncated, overwritten or from an older rustify); moved it to %s and rebuilding",
                        crate.name, bad, moved)
        crate_dir = _write_crate(root, crate)
        log_path = crate_dir / "build.log"
        with tempfile.TemporaryDirectory(prefix=f"wheel-{os.getpid()}-", dir=root / "tmp") as wheel_dir:
            with BuildClock() as clock:  # what the build cost, for the profile policy's ski rental
                run_maturin_build(crate_dir, root, Path(wheel_dir), log_path, crate.name)
                installed = _install_artifact(Path(wheel_dir), crate.name, log_path)
            record_build(clock.cpu_s)
            log.debug("%s: the build cost %.2f s of CPU", crate.name, clock.cpu_s)
            return installed


def run_maturin_build(crate_dir: Path, root: Path, wheel_dir: Path, log_path: Path, label: str,
                      portable: bool = False) -> None:
    """`maturin build` of `crate_dir` into `wheel_dir`, logged to `log_path`. Call with the build lock held.

    Starts from the cache's seed Cargo.lock (offline) and retries online if a
    dependency is missing locally (or offline if the network is down); the
    first successful build seeds the lock for every later crate. `portable`
    asks for a manylinux wheel that installs elsewhere (the export) instead of
    the native-tag wheel the runtime unpacks. Raises BuildFailed.
    """
    seed = root / "Cargo.lock"
    has_own_lock = (crate_dir / "Cargo.lock").is_file()
    offline = has_own_lock or seed.is_file()
    if seed.is_file() and not has_own_lock:
        _copy_atomic(seed, crate_dir / "Cargo.lock")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(log_fd, "wb") as logf, _BuildProgress(label) as progress:
        ok, output = _run_maturin(crate_dir, root, wheel_dir, offline, logf, log_path, portable, progress)
        retry = _OFFLINE_MISS_RE if offline else _NETWORK_FAIL_RE
        if not ok and retry.search(output):
            log.info("%s: retrying %s", label, "online" if offline else "offline")
            ok, output = _run_maturin(crate_dir, root, wheel_dir, not offline, logf, log_path, portable, progress)
    if not ok:
        raise BuildFailed(f"cargo build failed: {summarize_log(log_path)}", str(log_path))
    if not seed.is_file() and (crate_dir / "Cargo.lock").is_file():
        _copy_atomic(crate_dir / "Cargo.lock", seed)
        log.debug("seeded %s from %s", seed, label)


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, name: str, wait: float | None = None) -> Iterator[None]:
    """flock(LOCK_EX) on `lock_path`. Released on close or process death.

    Threads of this process take turns first (`_process_build_lock`: while its
    holder builds, the wait does not count against `wait`, since this process's
    own build is making progress; `wait=0` probes without waiting at all), then
    wait for other processes up to LOCK_TIMEOUT (then BuildFailed), or, with
    `wait` set, up to `wait` seconds in all (then BuildBusy: another process is
    building, or is stuck).
    A forked child never keeps the parent's lock (see `_after_fork_in_child`).
    """
    global _this_process_builds
    lock = _process_build_lock
    waited = _take_turn(lock, lock_path, name, wait)
    try:
        remaining = None if wait is None else max(wait - waited, 0.0)
        with _flock(lock_path, name, remaining):
            _this_process_builds = True
            try:
                yield
            finally:
                _this_process_builds = False
    finally:
        lock.release()


def _take_turn(lock: threading.Lock, lock_path: Path, name: str, wait: float | None) -> float:
    """Acquire this process's build lock. Time during which its holder is building does not
    count against `wait`; time during which the holder itself waits for another process's
    build does (that is the other process's build). Returns the seconds that counted."""
    if wait == 0:
        if not lock.acquire(blocking=False):
            raise BuildBusy(f"{name}: a build of this process holds the build lock {lock_path}")
        return 0.0
    counted, last = 0.0, time.monotonic()
    while not lock.acquire(timeout=0.05):
        now = time.monotonic()
        if not _this_process_builds:
            counted += now - last
        last = now
        if wait is not None and counted >= wait:
            raise BuildBusy(f"{name}: another process has held the build lock {lock_path} for more than {wait:g} s")
    return counted


@contextlib.contextmanager
def _flock(lock_path: Path, name: str, wait: float | None) -> Iterator[None]:
    """Open the lock file (tracked in `_open_lock_fds` while open) and hold its flock."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    _open_lock_fds.add(fd)
    try:
        with os.fdopen(fd, "a+b") as fh:
            yield from _flock_held(fh, lock_path, name, wait)
    finally:
        _open_lock_fds.discard(fd)


def _flock_held(fh, lock_path: Path, name: str, wait: float | None) -> Iterator[None]:
    """Take the flock on `fh` (polling, so `wait` and LOCK_TIMEOUT can end the wait), yield, release."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    t0 = time.monotonic()
    delay = 0.02
    waited = False
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if not waited:
                log.debug("%s: waiting for the build lock %s", name, lock_path)
                waited = True
            if wait is not None and time.monotonic() - t0 >= wait:
                raise BuildBusy(
                    f"{name}: another rustify build has held the build lock {lock_path} "
                    f"for more than {wait:g} s"
                ) from None
            if time.monotonic() - t0 > LOCK_TIMEOUT:
                raise BuildFailed(
                    f"timed out after {LOCK_TIMEOUT:.0f} s waiting for another rustify build "
                    f"(lock {lock_path})"
                ) from None
            time.sleep(delay if wait is None else min(delay, max(wait - (time.monotonic() - t0), 0.001)))
            delay = min(delay * 1.5, 0.1)
    if waited:
        log.debug("%s: got the build lock after %.2f s", name, time.monotonic() - t0)
    try:
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _write_crate(root: Path, crate: CrateSource) -> Path:
    crate_dir = root / "crates" / crate.name
    ensure_private_dir(crate_dir)
    for rel, text in crate.files.items():
        path = crate_dir / rel
        ensure_private_dir(path.parent)
        _write_private_text(path, text)
    return crate_dir


def maturin_command(crate_dir: Path, wheel_dir: Path, offline: bool, portable: bool = False) -> list[str]:
    """The one maturin command line every build uses (only --offline and the wheel's tag vary)."""
    cmd = [
        sys.executable, "-m", "maturin", "build",
        "--release",
        "-i", sys.executable,
        "-o", str(wheel_dir),
        "--manifest-path", str(crate_dir / "Cargo.toml"),
        "--color", "never",
    ]
    if not portable:
        # native linux tag, no auditwheel pass: the runtime only unpacks the .so
        cmd += ["--compatibility", "linux", "--auditwheel", "skip"]
    if offline:
        cmd.append("--offline")
    return cmd


def supervised(cmd: list[str]) -> list[str]:
    """`cmd` run under `supervisor.py` (POSIX): the whole build dies with this process, even on kill -9."""
    if os.name != "posix":  # pragma: no cover
        return cmd
    return [sys.executable, "-I", "-S", str(Path(__file__).with_name("supervisor.py")), str(os.getpid()), *cmd]


def _run_maturin(
    crate_dir: Path, root: Path, wheel_dir: Path, offline: bool, logf: BinaryIO, log_path: Path,
    portable: bool, progress: "_BuildProgress",
) -> tuple[bool, str]:
    """Run maturin once, appending its output to the log; (succeeded, this run's output)."""
    cmd = maturin_command(crate_dir, wheel_dir, offline, portable)
    env = build_env(root)
    header = (
        f"$ {' '.join(cmd)}\n"
        f"# cwd={crate_dir}\n"
        f"# CARGO_TARGET_DIR={env['CARGO_TARGET_DIR']} PYO3_PYTHON={env['PYO3_PYTHON']}\n"
        f"# PATH={env['PATH']}\n"
    )
    logf.write(header.encode())
    logf.flush()
    start = logf.tell()
    log.debug("running %s", " ".join(cmd))
    t0 = time.perf_counter()
    proc = popen(  # not subprocess.Popen: a fork in another thread must not inherit its pipes
        supervised(cmd), cwd=crate_dir, env=env, stdin=subprocess.DEVNULL, stdout=logf,
        stderr=subprocess.STDOUT, start_new_session=(os.name == "posix"),
    )
    try:
        rc = progress.wait(proc, log_path, BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        logf.write(f"\n# rustify: killed after {BUILD_TIMEOUT:g} s\n".encode())
        logf.close()
        raise BuildFailed(f"build timed out after {BUILD_TIMEOUT:g} s", str(log_path)) from None
    except BaseException:  # KeyboardInterrupt etc.: leave no cargo behind
        _kill_tree(proc)
        raise
    elapsed = time.perf_counter() - t0
    logf.write(f"# exit {rc} after {elapsed:.2f} s\n".encode())
    logf.flush()
    log.debug("maturin exited %d after %.2f s (%s)", rc, elapsed, crate_dir.name)
    with open(log_path, "rb") as fh:
        fh.seek(start)
        output = fh.read().decode("utf-8", "replace")
    return rc == 0, output


class _BuildProgress:
    """A one-line progress display on stderr while a build runs in the foreground.

    Shown only when the build runs in the main thread and stderr is a terminal
    (the CLI, an eager first compile in an interactive session); background
    compiles and non-interactive runs stay quiet. Start, end and timing always
    go to the `rustify` logger.
    """

    INTERVAL = 0.25  # seconds between redraws

    def __init__(self, label: str):
        self.label = label
        self.shown = False
        self.t0 = time.monotonic()
        self.enabled = threading.current_thread() is threading.main_thread() and _stderr_is_tty()

    def __enter__(self) -> "_BuildProgress":
        log.info("building %s", self.label)
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            self._write("\r\x1b[K")
        log.info("%s: build finished after %.1f s", self.label, time.monotonic() - self.t0)

    def wait(self, proc: subprocess.Popen, log_path: Path, timeout: float) -> int:
        """proc.wait(timeout), redrawing the progress line meanwhile (TimeoutExpired after `timeout`)."""
        if not self.enabled:
            return proc.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return proc.wait(timeout=min(self.INTERVAL, max(deadline - time.monotonic(), 0.001)))
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise
            self._draw(_last_step(log_path))

    def _draw(self, step: str) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        text = f"rustify: building {self.label} ({time.monotonic() - self.t0:.0f} s) {step}"
        self._write("\r\x1b[K" + text[: max(width - 1, 10)])
        self.shown = True

    @staticmethod
    def _write(text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _last_step(log_path: Path) -> str:
    """The last `Compiling ...`-style line of the build log (what cargo is doing now)."""
    try:
        with open(log_path, "rb") as fh:
            fh.seek(max(fh.seek(0, os.SEEK_END) - 4096, 0))
            tail = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    for line in reversed(tail.splitlines()):
        line = _ANSI_RE.sub("", line).strip()
        if line.startswith(("Compiling", "Building", "Finished", "Downloading", "Downloaded", "Updating",
                            "Locking", "📦", "🔗", "🐍")):
            return line
    return ""


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the supervisor, maturin and the cargo/rustc processes (one process group)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
    except OSError:
        pass
    proc.wait()


def _install_artifact(wheel_dir: Path, name: str, log_path: Path) -> Path:
    """Unpack `<name>`'s extension from the wheel into lib/ (temp file + os.replace)."""
    wheels = sorted(wheel_dir.glob("*.whl"))
    if len(wheels) != 1:
        raise BuildFailed(f"maturin produced {len(wheels)} wheels in {wheel_dir}, expected 1", str(log_path))
    target = artifact_path(name)
    with zipfile.ZipFile(wheels[0]) as zf:
        member = _pick_extension(zf.namelist(), name)
        if member is None:
            raise BuildFailed(
                f"wheel {wheels[0].name} holds no extension module named {name}", str(log_path)
            )
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out, zf.open(member) as src:
                shutil.copyfileobj(src, out)
                os.fchmod(out.fileno(), 0o700)
            if verify_artifact(target):  # never replace a good file some process may have dlopen()ed
                return target
            # the digest first: a reader between the renames sees a miss, never an unchecked file
            digest = file_digest(Path(tmp))
            sidecar_tmp = Path(f"{tmp}.sha256")
            _write_private_text(sidecar_tmp, digest + "\n")
            os.replace(sidecar_tmp, digest_path(target))
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    log.debug("installed %s", target)
    return target


def _pick_extension(names: list[str], name: str) -> str | None:
    candidates = [
        n for n in names
        if PurePosixPath(n).name.startswith(name + ".") and n.endswith((".so", ".pyd"))
    ]
    exact = [n for n in candidates if PurePosixPath(n).name == name + ext_suffix()]
    if exact:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


def _copy_atomic(src: Path, dst: Path) -> None:
    """Copy `src` to `dst` through a temp file, 0600 whatever the umask."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
        os.fchmod(out.fileno(), 0o600)
        shutil.copyfileobj(inp, out)
    os.replace(tmp, dst)


def summarize_log(log_path: Path) -> str:
    """The line that says what went wrong: the first rustc/cargo `error` (with its
    source location), else maturin's last `Caused by:`, else the last line."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no build log)"
    lines = [_ANSI_RE.sub("", ln).rstrip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("$ ", "# "))]
    errors = [i for i, ln in enumerate(lines) if re.match(r"error(\[E\d+\])?:", ln)]
    real = [i for i in errors if not re.match(r"error: (could not compile|aborting)", lines[i])]
    for i in real or errors:
        msg = lines[i]
        for nxt in lines[i + 1 : i + 4]:
            m = re.match(r"\s*--> (.+)", nxt)
            if m:
                return f"{msg} (at {m.group(1)})"[:500]
        return msg[:500]
    caused = [ln.strip() for ln in lines if ln.strip().startswith("Caused by:")]
    caused = [c for c in caused if c != "Caused by:"]
    if caused:
        return caused[-1][:500]
    return lines[-1][:500] if lines else "(empty build log)"
