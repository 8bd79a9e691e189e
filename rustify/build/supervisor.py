"""Run one build command so that it dies with the Python process that started it.

Usage (the builder does this): `python -I -S supervisor.py PARENT_PID CMD ARGS...`,
started as the leader of a new session. The supervisor runs CMD (maturin) in
its own process group, so cargo, rustc and build scripts are in that group
too, and kills the whole group with SIGKILL as soon as PARENT_PID is gone:
on Linux through `PR_SET_PDEATHSIG` (a signal the kernel sends when the parent
thread exits, even on `kill -9`), elsewhere by polling `getppid()`. Its exit
status is CMD's (128 + N for death by signal N). Files the build creates are
private (umask 077).

Stdlib only and run with -I -S: it must start in milliseconds and must not
import rustify or the user's site packages.
"""

from __future__ import annotations

import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.25


def _kill_group(*_args) -> None:
    try:
        os.killpg(0, signal.SIGKILL)  # the whole build, this process included
    finally:
        os._exit(128 + signal.SIGKILL)


def _set_parent_death_signal(signum: int) -> bool:
    """Ask the kernel for `signum` when our parent dies; False where that does not exist."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.stderr.write("usage: supervisor.py PARENT_PID CMD [ARGS...]\n")
        return 2
    parent, cmd = int(argv[0]), argv[1:]
    os.umask(0o077)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _kill_group)
    notified = _set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        _kill_group()
    child = os.fork()
    if child == 0:  # pragma: no cover - replaced by exec
        try:
            for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)
            os.execvp(cmd[0], cmd)
        except OSError as exc:
            sys.stderr.write(f"rustify: cannot run {cmd[0]}: {exc}\n")
        os._exit(127)
    while True:
        if notified:
            pid, status = os.waitpid(child, 0)
        else:
            pid, status = os.waitpid(child, os.WNOHANG)
            if pid == 0:
                if os.getppid() != parent:
                    _kill_group()
                time.sleep(POLL_SECONDS)
                continue
        return _exit_code(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
