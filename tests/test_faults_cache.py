"""Faults of the cache: damaged artifacts, loose or foreign cache dirs, planted code, a zero umask."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from faultlib import fault, other_user, run_as, run_snippet, write_module

COMPILE_SNIPPET = """
import logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
import {module}
from rustify.pipeline import compile_function

native = compile_function({module}.{function}, ("float",))
print(native.path)
print("native", native.entry(1.5) == {module}.{function}(1.5), "hit" if native.cache_hit else "built")
"""

DECORATED_SNIPPET = """
import warnings
warnings.simplefilter("always")
import rustify
from {module} import {function}

fast = rustify.accelerate(eager=True)({function})
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    value = fast(1.5)
print(value == {function}(1.5))
print(repr(fast.rustify))
for w in caught:
    print("WARNING", w.category.__name__, str(w.message).replace("\\n", " "))
"""


def unique_function(directory: Path, readable_by_all: bool = False) -> tuple[str, str]:
    """A module with one small, uniquely named function (its own crate)."""
    token = uuid.uuid4().hex[:10]
    module, function = f"cachemod_{token}", f"scaled_{token}"
    path = write_module(directory, module, f"""
        def {function}(x):
            total = 0.0
            for i in range(4):
                total += x * {int(token[:5], 16)}.25 - i
            return total
    """)
    if readable_by_all:
        path.chmod(0o644)
    return module, function


def build_into_session_cache(directory: Path) -> tuple[str, str, Path]:
    module, function = unique_function(directory)
    built = run_snippet(COMPILE_SNIPPET.format(module=module, function=function), cwd=directory)
    assert built.returncode == 0, built.stderr
    path = Path(built.stdout.splitlines()[0])
    assert built.stdout.splitlines()[1] == "native True built"
    return module, function, path


def assert_heals(directory: Path, module: str, function: str, artifact: Path) -> None:
    """The damaged artifact is not loaded: rebuilt (native, exit 0), then a cache hit again."""
    second = run_snippet(COMPILE_SNIPPET.format(module=module, function=function), cwd=directory)
    assert second.returncode == 0, f"signal/exit {second.returncode}: {second.stderr}"
    assert second.stdout.splitlines()[1] == "native True built", second.stdout
    assert "does not match the digest" in second.stderr and "rebuilding" in second.stderr
    third = run_snippet(COMPILE_SNIPPET.format(module=module, function=function), cwd=directory)
    assert third.returncode == 0, third.stderr
    assert third.stdout.splitlines()[1] == "native True hit", third.stdout
    assert third.stderr.strip() == ""


@fault("cache", injects="the cached .so truncated to half its size",
       observes="the next process exits 0 (no SIGBUS): the digest check fails, the file is quarantined and "
                "rebuilt; the process after that loads the rebuilt one as a cache hit")
def test_truncated_artifact_is_quarantined_and_rebuilt(tmp_path):
    module, function, artifact = build_into_session_cache(tmp_path)
    with open(artifact, "r+b") as fh:
        fh.truncate(artifact.stat().st_size // 2)
    assert_heals(tmp_path, module, function, artifact)


@fault("cache", injects="the cached .so overwritten with random bytes after its ELF header (same size)",
       observes="the next process exits 0 (no SIGSEGV) with a rebuilt native function; the next one hits")
def test_random_bytes_after_the_elf_header_are_never_loaded(tmp_path):
    module, function, artifact = build_into_session_cache(tmp_path)
    size = artifact.stat().st_size
    with open(artifact, "r+b") as fh:
        fh.seek(size // 3)
        fh.write(os.urandom(size - size // 3))
    assert artifact.read_bytes()[:4] == b"\x7fELF" and artifact.stat().st_size == size
    assert_heals(tmp_path, module, function, artifact)


@fault("cache", injects="a truncated cached .so on a machine with no Rust toolchain (PATH without cargo)",
       observes="one RustifyWarning saying the artifact failed its digest check and cannot be rebuilt; "
                "Python's answer, exit 0")
def test_corrupt_artifact_without_toolchain_runs_python(tmp_path):
    module, function, artifact = build_into_session_cache(tmp_path)
    with open(artifact, "r+b") as fh:
        fh.truncate(4096)
    env = {"PATH": "/usr/bin:/bin"}
    proc = run_snippet(DECORATED_SNIPPET.format(module=module, function=function), cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "True"
    warnings = [ln for ln in lines if ln.startswith("WARNING RustifyWarning")]
    assert len(warnings) == 1 and "does not match the digest" in warnings[0], proc.stdout


def _assert_refused(proc: subprocess.CompletedProcess, cache: Path, fix: str) -> None:
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "True", proc.stdout
    warnings = [ln for ln in lines if ln.startswith("WARNING RustifyWarning")]
    assert len(warnings) == 1, proc.stdout
    assert f"refuses the cache dir {cache}" in warnings[0] and fix in warnings[0], warnings[0]
    assert not (cache / "lib").exists() and not (cache / "target").exists(), "it built into the refused dir"


@fault("cache", injects="a cache dir owned by another user (chown nobody)",
       observes="one RustifyWarning naming the dir, its owner and the fix; Python's answer; nothing built there")
def test_cache_owned_by_another_user_is_refused(tmp_path):
    nobody = other_user()
    module, function = unique_function(tmp_path)
    cache = tmp_path / "foreign-cache"
    cache.mkdir(mode=0o700)
    os.chown(cache, nobody, -1)
    proc = run_snippet(DECORATED_SNIPPET.format(module=module, function=function), cwd=tmp_path, cache=cache)
    _assert_refused(proc, cache, "chown")


@fault("cache", injects="a world-writable cache dir (chmod 0777)",
       observes="one RustifyWarning naming the dir and `chmod -R go-w`; Python's answer; nothing built there")
def test_world_writable_cache_is_refused(tmp_path):
    module, function = unique_function(tmp_path)
    cache = tmp_path / "loose-cache"
    cache.mkdir()
    cache.chmod(0o777)
    proc = run_snippet(DECORATED_SNIPPET.format(module=module, function=function), cwd=tmp_path, cache=cache)
    _assert_refused(proc, cache, "chmod -R go-w")


EVIL_C = r"""
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void planted(void) {
    int fd = open("MARKER", O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) close(fd);
}
"""

PLANT_SCRIPT = 'mkdir -p "$2" && cp "$1" "$2/$3" && chmod 777 "$2/$3" && ' \
               'sha256sum < "$2/$3" | cut -d" " -f1 > "$2/$3.sha256" && id -u'


@fault("cache", injects="user nobody plants a .so (with a matching .sha256) in a world-writable cache root uses",
       observes="root never dlopens it (the planted constructor does not run); one RustifyWarning; Python's answer")
def test_code_planted_by_another_user_is_never_loaded(tmp_path):
    nobody = other_user()
    if shutil.which("cc") is None:
        pytest.skip("needs a C compiler to build the planted library")
    shared = Path(tempfile.mkdtemp(prefix="rustify-shared-"))
    try:
        shared.chmod(0o777)
        module, function = unique_function(shared, readable_by_all=True)
        marker = shared / "planted-code-ran"
        evil_src = shared / "evil.c"
        evil_src.write_text(EVIL_C.replace("MARKER", str(marker)))
        evil = shared / "evil.so"
        subprocess.run(["cc", "-shared", "-fPIC", "-o", str(evil), str(evil_src)], check=True)
        evil.chmod(0o755)
        cache = shared / "cache"
        cache.mkdir()
        cache.chmod(0o777)
        named = run_snippet(f"""
            import {module}, sysconfig
            from rustify.analysis.source import load_source
            from rustify.pipeline import crate_name
            f = {module}.{function}
            print(crate_name(f, ("float",), load_source(f)) + sysconfig.get_config_var("EXT_SUFFIX"))
        """, cwd=shared)
        assert named.returncode == 0, named.stderr
        artifact_name = named.stdout.strip()
        planted = run_as(nobody, ["sh", "-c", PLANT_SCRIPT, "plant", str(evil), str(cache / "lib"), artifact_name])
        assert planted.returncode == 0 and planted.stdout.strip() == str(nobody), planted.stderr
        assert (cache / "lib" / artifact_name).stat().st_uid == nobody

        proc = run_snippet(DECORATED_SNIPPET.format(module=module, function=function), cwd=shared, cache=cache)
        assert not marker.exists(), "root ran code another user planted in the cache"
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[0] == "True", proc.stdout
        warnings = [ln for ln in lines if ln.startswith("WARNING RustifyWarning")]
        assert len(warnings) == 1 and f"refuses the cache dir {cache}" in warnings[0], proc.stdout
    finally:
        shutil.rmtree(shared, ignore_errors=True)


@fault("cache", injects="a process with umask 0 creating a cache from nothing and building into one",
       observes="every dir rustify creates is 0700, every file 0600 (run records too), the .so 0700; the "
                "crate's files in target/ are not group/world-writable")
def test_cache_is_private_whatever_the_umask(tmp_path):
    fresh = tmp_path / "a" / "b" / "cache"
    proc = run_snippet(f"""
        import os
        os.umask(0)
        from pathlib import Path
        from rustify.build.builder import prepare_cache
        prepare_cache(Path({str(fresh)!r}))
    """)
    assert proc.returncode == 0, proc.stderr
    for d in (tmp_path / "a", tmp_path / "a" / "b", fresh, *(fresh / s for s in ("crates", "lib", "target", "tmp"))):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    assert stat.S_IMODE((fresh / "CACHEDIR.TAG").stat().st_mode) == 0o600
    recorded = run_snippet("""
        import os
        os.umask(0)
        import rustify
        from rustify.runtime.record import write_run_record
        rustify.accelerate(lambda x: x)
        print(write_run_record())
    """, cache=fresh, env={"RUSTIFY_RECORD": "0"})
    assert recorded.returncode == 0, recorded.stderr
    record = Path(recorded.stdout.split()[-1])
    assert record.parent == fresh / "runs"
    assert stat.S_IMODE(record.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(record.stat().st_mode) == 0o600

    module, function = unique_function(tmp_path)
    built = run_snippet("import os; os.umask(0)\n" + COMPILE_SNIPPET.format(module=module, function=function),
                        cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    artifact = Path(built.stdout.splitlines()[0])
    name = artifact.name.split(".")[0]
    crate_dir = artifact.parent.parent / "crates" / name
    assert stat.S_IMODE(artifact.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(f"{artifact}.sha256").stat().st_mode) == 0o600
    for dirpath, dirnames, filenames in os.walk(crate_dir):
        assert stat.S_IMODE(os.stat(dirpath).st_mode) == 0o700, dirpath
        for f in filenames:
            assert stat.S_IMODE(os.stat(os.path.join(dirpath, f)).st_mode) == 0o600, os.path.join(dirpath, f)
    target_files = list((artifact.parent.parent / "target").glob(f"release/deps/*{name}*"))
    assert target_files
    for p in target_files:
        assert not p.stat().st_mode & 0o022, p


@fault("cache", injects="artifact bytes shipped from elsewhere whose sha256 differs from the digest sent with them",
       observes="install_artifact_bytes refuses them; good bytes install 0700 with a 0600 sidecar and load; "
                "a verified artifact is never replaced")
def test_install_artifact_bytes_checks_the_digest(tmp_path):
    module, function, artifact = build_into_session_cache(tmp_path)
    data = artifact.read_bytes()
    name = artifact.name.split(".")[0]
    proc = run_snippet(f"""
        import hashlib, os, stat
        from pathlib import Path
        from rustify.build import install_artifact_bytes, verify_artifact
        from rustify.runtime.loader import load_extension

        data = Path({str(artifact)!r}).read_bytes()
        good = hashlib.sha256(data).hexdigest()
        try:
            install_artifact_bytes({name!r}, data[:-1] + b"x", good)
            print("installed corrupt bytes")
        except ValueError as e:
            print("refused", "hash to" in str(e))
        path = install_artifact_bytes({name!r}, data, good)
        print(oct(stat.S_IMODE(path.stat().st_mode)), oct(stat.S_IMODE(Path(str(path) + ".sha256").stat().st_mode)))
        print(verify_artifact(path), hasattr(load_extension(path, {name!r}), "entry"))
        other = hashlib.sha256(b"other").hexdigest()
        again = install_artifact_bytes({name!r}, b"other", other)
        print(again == path, Path(path).read_bytes() == data)
    """, cache=tmp_path / "shipped")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["refused True", "0o700 0o600", "True True", "True True"], proc.stdout
    assert hashlib.sha256(data).hexdigest() == Path(f"{artifact}.sha256").read_text().strip()
