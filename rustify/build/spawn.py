"""Start a subprocess so that an `os.fork()` in another thread cannot inherit its half-made pipes.

In: `subprocess.Popen`'s arguments. Out: the started `Popen` (`popen`).

While `Popen()` runs, the parent holds the write end of the child's exec-status
pipe (and of any stdout/stderr pipe) and reads the status pipe until EOF, that
is until every copy of its write end is closed. A process forked by another
thread inside that window (a worker of `multiprocessing`, a test's `os.fork()`)
gets a copy it never closes (it does not exec), so the parent's `Popen()` blocks
for as long as the forked process lives: the compile that started cargo stalls,
holding the build lock, and a forked process that wants to build waits for that
lock: a deadlock that lasts until the forked process dies. So `Popen()` runs under
`_spawn_lock`, and a fork in this process first waits (a bounded time) until no
`Popen()` of ours is under way; the forked child starts with a fresh lock.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading

log = logging.getLogger("rustify.build")

# A fork waits at most this long for a Popen() of ours to finish (it takes milliseconds;
# past it the fork goes ahead, as it did before this lock existed).
FORK_WAIT = 30.0

_spawn_lock = threading.Lock()
_spawning_thread: int | None = None  # who holds _spawn_lock for a Popen()
_held_for_fork = False


def popen(*args, **kwargs) -> subprocess.Popen:
    """`subprocess.Popen(*args, **kwargs)`, never overlapping an `os.fork()` of another thread."""
    global _spawning_thread
    with _spawn_lock:
        _spawning_thread = threading.get_ident()
        try:
            return subprocess.Popen(*args, **kwargs)
        finally:
            _spawning_thread = None


def run(*args, timeout: float | None = None, capture_output: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """`subprocess.run` started through `popen` (`input` and `check` are not supported)."""
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    proc = popen(*args, **kwargs)
    with proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        return subprocess.CompletedProcess(proc.args, proc.poll(), out, err)


def _before_fork() -> None:
    global _held_for_fork
    if _spawning_thread == threading.get_ident():
        return  # a fork inside our own Popen() (a preexec_fn): nothing else can be mid-spawn
    _held_for_fork = _spawn_lock.acquire(timeout=FORK_WAIT)  # releases the GIL while it waits
    if not _held_for_fork:
        log.warning("rustify: forking while a subprocess start took over %g s; the child may hold its pipes",
                    FORK_WAIT)


def _after_fork_in_parent() -> None:
    global _held_for_fork
    if _held_for_fork:
        _held_for_fork = False
        _spawn_lock.release()


def _after_fork_in_child() -> None:
    global _spawn_lock, _held_for_fork, _spawning_thread
    _spawn_lock = threading.Lock()
    _spawning_thread = None
    _held_for_fork = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)
