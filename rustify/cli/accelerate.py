"""`rustify accelerate FILE`: profile a script's workload and export its hot functions.

    FILE runs as __main__ ─► hot functions + call signatures ─► analysis ─► codegen (export)
        ─► DIR (the maturin project) | stdout (--dry-run) | DIR/dist/*.whl (--build)

Without `--function`, `rustify.profile()` ranks the functions by interpreter
time and those at or above `--threshold` percent are chosen. `--function NAME`
skips profiling; the workload still runs once to see which argument
signatures the named functions are called with.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import sys
import traceback
from pathlib import Path

log = logging.getLogger("rustify.cli")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "accelerate", help="profile a script and generate (and build) Rust for its hot functions",
        usage="rustify accelerate FILE [options] [-- SCRIPT_ARG ...]",
        description=__doc__.split("\n\n")[0] + " The workload's own output goes to stderr.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the script whose __main__ runs the workload")
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="...",
                   help="options (below), then -- and the script's own arguments")
    _add_options(p)
    p.set_defaults(run=run)


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--function", action="append", metavar="NAME",
                   help="accelerate this function (name, qualname or module.name) instead of profiling; repeatable")
    p.add_argument("--threshold", type=float, metavar="PCT",
                   help="choose functions with at least PCT%% of the run's interpreter time (default 5)")
    p.add_argument("--output", type=Path, metavar="DIR",
                   help="where the generated project goes (default ./rustify-out)")
    p.add_argument("--package", metavar="NAME", help="Python package name of the export (default <FILE stem>_native)")
    p.add_argument("--dry-run", action="store_true", help="print the generated Rust instead of writing files")
    p.add_argument("--build", action="store_true",
                   help="build a wheel with maturin into DIR/dist (installs without Rust or rustify)")


def _complete_args(args) -> str | None:
    """Read the options given after FILE and the script's arguments after `--`; an error or None."""
    rest = list(args.rest)
    split = rest.index("--") if "--" in rest else len(rest)
    args.script_args = rest[split + 1:]
    after = argparse.ArgumentParser(prog="rustify accelerate FILE", argument_default=argparse.SUPPRESS)
    _add_options(after)
    after.parse_args(rest[:split], namespace=args)  # exits 2 with a message on a bad option
    args.function = args.function or []
    args.threshold = 5.0 if args.threshold is None else args.threshold
    args.output = args.output or Path("rustify-out")
    if args.dry_run and args.build:
        return "--dry-run and --build exclude each other"
    if not 0 <= args.threshold <= 100:
        return "--threshold is a percentage between 0 and 100"
    return None


def run(args) -> int:
    from rustify.cli._target import TargetError

    error = _complete_args(args)
    if error:
        print(f"rustify accelerate: {error}", file=sys.stderr)
        return 2
    package = args.package or _package_name(args.file)
    if not package.isidentifier():
        print(f"rustify accelerate: --package {package!r} is not a Python identifier", file=sys.stderr)
        return 2
    try:
        chosen = _choose(args)
    except TargetError as e:
        print(f"rustify accelerate: {e}", file=sys.stderr)
        return 2
    except _WorkloadFailed as e:
        print(f"rustify accelerate: the workload of {args.file} raised {e}", file=sys.stderr)
        return 1
    if not chosen:
        return 1
    exported = _translate(chosen)
    if not exported:
        print("rustify accelerate: nothing translates; nothing to export", file=sys.stderr)
        return 1
    return _export(args, package, exported)


class _WorkloadFailed(Exception):
    pass


def _package_name(file: Path) -> str:
    stem = re.sub(r"\W", "_", file.stem)
    return ("_" + stem if stem[:1].isdigit() else stem) + "_native"


def _run_workload(args, after_statement=None):
    """Run FILE as __main__ with its stdout sent to stderr (stdout is for --dry-run's Rust)."""
    from rustify.cli._target import run_as_main

    try:
        with contextlib.redirect_stdout(sys.stderr):
            return run_as_main(args.file, args.script_args, after_statement)
    except SystemExit as e:
        raise _WorkloadFailed(f"SystemExit({e.code!r})") from None
    except Exception as e:
        from rustify.cli._target import TargetError

        if isinstance(e, TargetError):
            raise
        traceback.print_exc(file=sys.stderr)
        raise _WorkloadFailed(f"{type(e).__name__}: {e}") from e


def _choose(args) -> list[tuple]:
    """[(function, [signature, ...])]: the functions to export, each with its call signatures.

    Profiled functions come with the signatures the sampler saw; functions
    named with --function (or profiled without a signature) get theirs from a
    run of the workload with counting wrappers around them.
    """
    from rustify.cli._target import SignatureRecorder

    chosen: list[tuple] = []
    targets = list(args.function)
    if not targets:
        hot = _profile(args)
        chosen = [(c.func, list(c.signatures)) for c in hot if c.signatures]
        targets = [c.function.removeprefix("__main__.") for c in hot if not c.signatures]
        if not targets:
            return chosen
    recorder = SignatureRecorder(targets)
    _run_workload(args, recorder.install)
    for target in targets:
        func = recorder.functions.get(target)
        if func is None:
            print(f"rustify accelerate: {args.file} defines or imports no function {target!r} at top level",
                  file=sys.stderr)
            continue
        signatures = recorder.signatures(target)
        if not signatures:
            print(f"rustify accelerate: {target} was never called (with positional arguments) by the workload, "
                  "so its argument types are unknown; skipped", file=sys.stderr)
            continue
        chosen.append((func, signatures))
    return chosen


def _profile(args) -> list:
    """The profiled `Candidate`s at or above the threshold (a live function each), hottest first."""
    import rustify

    with rustify.profile() as prof:
        _run_workload(args)
    total = prof.total_seconds
    chosen = []
    for c in prof.candidates:
        share = 100.0 * c.interpreted_share(total)
        if share >= args.threshold and c.func is not None:
            print(f"  {c.function}: {share:.1f}% of the interpreter time", file=sys.stderr)
            chosen.append(c)
    if not chosen:
        print(f"rustify accelerate: no function reached {args.threshold:g}% of the interpreter time "
              "(lower --threshold, or name one with --function)", file=sys.stderr)
    return chosen


def _translate(chosen: list[tuple]) -> list:
    """Analysis for each (function, signature); prints each verdict to stderr."""
    from rustify.analysis import analyse
    from rustify.codegen.export import ExportedFunction
    from rustify.errors import Untranslatable

    exported = []
    for func, signatures in chosen:
        translations = []
        for sig in signatures:
            where = f"{func.__qualname__}({', '.join(sig)})"
            try:
                translations.append(analyse(func, sig))
            except Untranslatable as e:
                print(f"  {where}: stays Python", file=sys.stderr)
                for reason in e.reasons:
                    print(f"      {reason}", file=sys.stderr)
            except (OSError, SyntaxError, TypeError) as e:
                print(f"  {where}: stays Python: source not available ({e})", file=sys.stderr)
            else:
                print(f"  {where}: native", file=sys.stderr)
        if translations:
            exported.append(ExportedFunction(func, translations))
    return exported


def _export(args, package: str, exported: list) -> int:
    from rustify.codegen.export import ExportError, render_export
    from rustify.errors import BuildFailed

    try:
        project = render_export(package, exported, source=args.file.name)
    except ExportError as e:
        print(f"rustify accelerate: {e}", file=sys.stderr)
        return 1
    if args.dry_run:
        sys.stdout.write(project.files["src/lib.rs"])
        return 0
    if args.build:
        from rustify.build.wheel import build_wheel

        try:
            wheel = build_wheel(project, args.output)
        except BuildFailed as e:
            print(f"rustify accelerate: {e}", file=sys.stderr)
            return 1
        print(f"wrote {args.output}/ and built {wheel}", file=sys.stderr)
        print(f"install it with: pip install {wheel}", file=sys.stderr)
        print(wheel)
        return 0
    from rustify.build.wheel import write_project

    write_project(project, args.output)
    print(f"wrote the {package} project to {args.output}/ (build it with `maturin build --release "
          f"-m {args.output / 'Cargo.toml'}`, or run again with --build)", file=sys.stderr)
    return 0
