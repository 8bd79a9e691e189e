"""`rustify run [--auto PKG ...] [--mode M] [--summary] (script.py | -m module) [args...]`

Runs a script or module as `python script.py args` / `python -m module args`
would (`__main__`, `sys.argv`, `sys.path[0]`, exit code, exceptions), with the
import hook installed for the packages named by `--auto` (repeatable, or
comma-separated; default: the `auto` setting, RUSTIFY_AUTO or [tool.rustify]).
`--mode` sets RUSTIFY_MODE. Both are also exported to the environment, so
Python subprocesses the program starts run in the same auto mode (through the
installed rustify-auto.pth). `--summary` prints to stderr at exit which wrapped
functions ran native and which stayed Python, and why.

The script's own functions are not wrapped (it runs as `__main__`, not through
an import); put the hot code in a module of a named package.
"""

from __future__ import annotations

import argparse
import os
import sys


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run a script or module with auto mode for named packages",
        description="Run SCRIPT (or -m MODULE) like python does, with the plain functions of the --auto packages "
                    "wrapped by rustify. Options go before SCRIPT / -m MODULE; everything after is passed to it.")
    p.add_argument("--auto", action="append", default=[], metavar="PKG",
                   help="a package (and its submodules) to accelerate; repeat or separate with commas "
                        "(default: the auto setting, RUSTIFY_AUTO or [tool.rustify] auto)")
    p.add_argument("--mode", choices=("eager", "profile", "off"),
                   help="profile: compile hot functions (default); eager: compile every signature at its first "
                        "call; off: wrap but never compile (sets RUSTIFY_MODE)")
    p.add_argument("--summary", action="store_true",
                   help="at exit, print to stderr which wrapped functions ran native and which stayed Python")
    p.add_argument("-m", dest="module", nargs=argparse.REMAINDER, metavar="MODULE [ARGS]",
                   help="run a library module as a script (like python -m)")
    p.add_argument("script", nargs="?", help="the Python script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    p.set_defaults(run=run)


def run(args) -> int:
    from rustify.config import reload_settings, settings

    if args.module is not None:
        if not args.module or args.script is not None:
            return _usage("give either a script or -m MODULE, then its arguments")
        target, argv = args.module[0], list(args.module[1:])
    elif args.script is not None:
        target, argv = args.script, list(args.args)
    else:
        return _usage("give the script (or -m MODULE) to run")

    if args.mode:
        os.environ["RUSTIFY_MODE"] = args.mode
    try:
        reload_settings()
        packages = [p.strip() for given in args.auto for p in given.split(",") if p.strip()] or list(settings().auto)
    except ValueError as e:
        return _usage(str(e))
    if not packages:
        return _usage("name the packages to accelerate: --auto PKG (or set RUSTIFY_AUTO / [tool.rustify] auto)")

    from rustify.import_hook import install_import_hook

    try:
        packages = install_import_hook(packages)
    except (TypeError, ValueError) as e:
        return _usage(str(e))
    os.environ["RUSTIFY_AUTO"] = ",".join(packages)  # Python subprocesses inherit auto mode

    try:
        if args.module is not None:
            return _run_module(target, argv)
        return _run_script(target, argv)
    finally:
        if args.summary:
            sys.stdout.flush()
            print(summary_text(), file=sys.stderr, flush=True)


def _run_script(path: str, argv: list[str]) -> int:
    import runpy

    if not os.path.isfile(path):
        print(f"rustify run: can't open file {os.path.abspath(path)!r}: no such file", file=sys.stderr)
        return 2
    sys.argv = [path, *argv]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    runpy.run_path(path, run_name="__main__")
    return 0


def _run_module(name: str, argv: list[str]) -> int:
    import importlib.util
    import runpy

    sys.argv = [name, *argv]  # runpy puts the module's file in argv[0], as python -m does
    sys.path[0] = os.getcwd()
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError) as e:
        found, why = None, str(e)
    else:
        why = f"No module named {name}"
    if found is None:
        print(f"rustify run: {why}", file=sys.stderr)
        return 1
    runpy.run_module(name, run_name="__main__", alter_sys=True)
    return 0


def summary_text() -> str:
    """Which functions the hook wrapped ran native, which stayed Python, and why."""
    from rustify.import_hook import hooked_packages, watched_functions, wrapped_functions

    wrappers = wrapped_functions()
    watched = len(watched_functions())
    called = [w for w in wrappers if _signatures(w.rustify)]
    native_lines, python_lines = [], []
    for w in sorted(called, key=lambda w: w.rustify.function):
        info = w.rustify
        native_calls = info.native_calls
        for sig in _signatures(info):
            text = f"{info.function}({', '.join(sig)})"
            if native_calls.get(sig):
                native_lines.append(f"  native  {text}: {native_calls[sig]} native calls")
            else:
                python_lines.append(f"  python  {text}: {_why_python(info, sig)}")
    ran_native = sum(1 for w in called if any(w.rustify.native_calls.values()))
    head = (f"rustify summary: {len(wrappers)} functions wrapped in {', '.join(hooked_packages()) or '-'}; "
            f"{len(called)} called; {ran_native} ran native"
            + (f"; {watched} more watched, never hot enough to wrap" if watched else ""))
    return "\n".join([head, *native_lines, *python_lines])


def _signatures(info) -> list[tuple]:
    stats = getattr(info, "stats", None)
    if stats is not None:
        return list(dict.fromkeys([*stats, *info.reasons]))
    return list(dict.fromkeys([*info.native_signatures, *info.reasons]))


def _why_python(info, sig: tuple) -> str:
    why = info.reasons.get(sig)
    if why is None:
        if sig in info.native_signatures:
            return "compiled, but every call handed back to Python"
        st = info._stats.get(sig) if hasattr(info, "_stats") else None
        if st is not None and (st.compile_requested or st.python_last and st.python_last[2]
                               or getattr(info, "_ski_rental", False)):
            return info._not_native_yet(sig)  # hot and queued, waiting for a build lock, or cheaper than a build
        return "not compiled: not hot enough yet (mode profile) or compile disabled (mode off)"
    return " ".join(why.split())


def _usage(message: str) -> int:
    print(f"rustify run: {message}", file=sys.stderr)
    return 2
