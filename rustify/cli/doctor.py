"""`rustify doctor`: can this machine compile? Each check prints OK, MISSING or
NOTE, and every MISSING says exactly what to install or set.

Exit code 0 when rustify can build native code here, 1 otherwise.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

RUSTUP = "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
CRATES_IO = ("index.crates.io", 443)


@dataclass
class Check:
    name: str
    status: str  # "OK", "MISSING" (unhealthy) or "NOTE" (worth knowing, still healthy)
    detail: str
    fix: str = ""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("doctor", help="check that this machine can compile (Rust, maturin, cache dir)",
                              description=__doc__)
    p.add_argument("--offline", action="store_true",
                   help="do not try to reach crates.io when the Rust dependencies are not built yet")
    p.set_defaults(run=run)


def run(args) -> int:
    checks = run_checks(offline=args.offline)
    width = max(len(c.name) for c in checks)
    for c in checks:
        print(f"{c.status:<7}  {c.name:<{width}}  {c.detail}")
        if c.fix:
            print(f"{'':<7}  {'':<{width}}  fix: {c.fix}")
    healthy = all(c.status != "MISSING" for c in checks)
    print()
    print("rustify can compile on this machine." if healthy else
          "rustify cannot compile here yet: functions keep running as Python until the MISSING items are fixed.")
    return 0 if healthy else 1


def run_checks(offline: bool = False) -> list[Check]:
    """Every check, in the order a fix is best applied."""
    checks = [_python(), _python_headers()]
    rustc, cargo = _rust_tool("rustc"), _rust_tool("cargo")
    checks += [rustc, cargo, _maturin(), _cache_dir()]
    checks.append(_dependencies(offline, can_build=rustc.status == "OK" and cargo.status == "OK"))
    return checks


def _version(cmd: list[str]) -> str | None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip().splitlines()[0] if proc.returncode == 0 and proc.stdout.strip() else None


def _python() -> Check:
    impl = sys.implementation.name
    version = ".".join(map(str, sys.version_info[:3]))
    if impl != "cpython":
        return Check("python", "MISSING", f"{impl} {version}: rustify builds CPython extensions only",
                     "run your program with CPython 3.10 or newer")
    return Check("python", "OK", f"CPython {version} ({sys.executable})")


def _python_headers() -> Check:
    include = Path(sysconfig.get_paths().get("include") or "")
    if (include / "Python.h").is_file():
        return Check("python headers", "OK", str(include))
    # PyO3 declares the C API itself, so rustify's builds do not need Python.h.
    return Check("python headers", "NOTE", f"no Python.h in {include} (rustify's builds do not need it; "
                 "other extension builds may)", "apt install python3-dev  (Fedora: dnf install python3-devel)")


def _rust_tool(name: str) -> Check:
    """rustc or cargo: found and runs, or the rustup line that installs it."""
    from rustify.build.toolchain import find_rustc, which

    path = find_rustc() if name == "rustc" else which(name)
    version = _version([path, "--version"]) if path else None
    if version is None:
        what = f"no {name} on PATH" if path is None else f"{path} does not run"
        return Check(name, "MISSING", what, f"{RUSTUP}   (then add ~/.cargo/bin to PATH)")
    return Check(name, "OK", f"{version} ({path})")


def _maturin() -> Check:
    import importlib.util

    fix = f"{sys.executable} -m pip install 'maturin>=1.5,<2'"
    if importlib.util.find_spec("maturin") is None:
        return Check("maturin", "MISSING", f"not installed for {sys.executable}", fix)
    version = _version([sys.executable, "-m", "maturin", "--version"])
    if version is None:
        return Check("maturin", "MISSING", "installed but `python -m maturin --version` fails", fix)
    return Check("maturin", "OK", version)


def _cache_dir() -> Check:
    import tempfile

    from rustify.config import cache_dir

    try:
        root = cache_dir()
    except ValueError as e:  # a bad [tool.rustify] / RUSTIFY_* value
        return Check("cache dir", "MISSING", str(e), "fix the setting named above")
    fix = "export RUSTIFY_CACHE_DIR=/a/writable/dir   (or cache_dir = \"...\" in [tool.rustify])"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".doctor-"):
            pass
    except OSError as e:
        return Check("cache dir", "MISSING", f"{root} is not writable ({e.strerror or e})", fix)
    return Check("cache dir", "OK", f"{root} (writable)")


def _dependencies(offline: bool, can_build: bool) -> Check:
    """Are PyO3 and the numpy crate built in the cache, or can cargo fetch them?"""
    from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION
    from rustify.config import cache_dir

    name = "rust dependencies"
    wanted = f"pyo3 {PYO3_VERSION}, numpy {NUMPY_CRATE_VERSION}"
    deps = cache_dir() / "target" / "release" / "deps"
    built = [p for p in _glob(deps, "libpyo3-*.rlib")] and [p for p in _glob(deps, "libnumpy-*.rlib")]
    if built and (cache_dir() / "Cargo.lock").is_file():
        return Check(name, "OK", f"{wanted} already built in {deps.parent.parent} (a new function compiles in seconds)")
    cargo_home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    sources = list(_glob(cargo_home / "registry" / "src", f"*/pyo3-{PYO3_VERSION}"))
    if sources:
        return Check(name, "OK", f"{wanted} not built yet; their sources are in {cargo_home}/registry "
                     "(the first compile builds them, about a minute)")
    if offline:
        return Check(name, "NOTE", f"{wanted} neither built nor downloaded; not checking the network (--offline)",
                     "run once with network access (the first compile downloads them)")
    try:
        with socket.create_connection(CRATES_IO, timeout=5):
            pass
    except OSError as e:
        return Check(name, "MISSING", f"{wanted} are neither built nor downloaded, and {CRATES_IO[0]} is "
                     f"unreachable ({e})",
                     "connect to the network once (or set a crates.io mirror in ~/.cargo/config.toml)")
    how = "the first compile downloads and builds them, about a minute" if can_build else "reachable"
    return Check(name, "OK", f"{wanted} not built yet; crates.io is reachable ({how})")


def _glob(folder: Path, pattern: str):
    try:
        return list(folder.glob(pattern))
    except OSError:
        return []
