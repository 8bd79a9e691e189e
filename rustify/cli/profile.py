"""`rustify profile script.py [args]`: rank a script's functions by interpreter time.

Runs the script under scalene in a subprocess (`rustify.profiling.scalene`),
prints the ranked candidates (interpreter vs native seconds) with the
analyser's verdict, and with `--write-config [PATH]` adds the modules of the
translatable candidates to `auto = [...]` in the `[tool.rustify]` table of a
pyproject.toml (created if missing; nothing else in the file changes).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "profile", help="profile a script with scalene and rank what to accelerate",
        description="Run SCRIPT under scalene (CPU only, in a subprocess), then rank its functions by the time "
                    "the interpreter spent in them, with the analyser's verdict. Options go before SCRIPT; "
                    "everything after SCRIPT is passed to it.")
    p.add_argument("--top", type=int, default=10, metavar="N", help="show the N functions with the most interpreter time (default 10)")
    p.add_argument("--no-verdict", action="store_true",
                   help="skip the second run of the script that records signatures and asks the analyser")
    p.add_argument("--write-config", nargs="?", const="", default=None, metavar="PATH.toml",
                   help="add the modules of the translatable candidates to [tool.rustify] auto in this "
                        "pyproject.toml (default: the nearest one above the working directory, else ./pyproject.toml)")
    p.add_argument("--keep-json", type=Path, metavar="PATH", help="keep scalene's JSON profile here")
    p.add_argument("script", nargs="?", help="the Python script to profile")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    p.set_defaults(run=run)


def run(args) -> int:
    from rustify.profiling import scalene
    from rustify.profiling.candidates import format_table

    if args.write_config and not args.write_config.endswith(".toml"):
        # `--write-config script.py ...`: the optional PATH swallowed the script.
        args.args = ([args.script] if args.script else []) + args.args
        args.script, args.write_config = args.write_config, ""
    if not args.script:
        print("rustify profile: give the script to profile: rustify profile [options] script.py [args]", file=sys.stderr)
        return 2
    script = Path(args.script)
    if not script.is_file():
        print(f"rustify profile: no such script: {script}", file=sys.stderr)
        return 2
    if args.top < 1:
        print("rustify profile: --top must be at least 1", file=sys.stderr)
        return 2
    try:
        prof = scalene.profile_script(script, list(args.args), verdicts=not args.no_verdict, top=args.top,
                                      keep_json=args.keep_json)
    except scalene.ScaleneError as e:
        print(f"rustify profile: {e}", file=sys.stderr)
        return 1

    print()
    print(f"rustify profile of {script} ({prof.elapsed_seconds:.2f} s; scalene CPU samples, "
          f"python s = interpreter time, native s = time in C code it called)")
    print(format_table(prof.candidates, prof.elapsed_seconds))
    for function, note in prof.notes.items():
        print(f"  {function}: {note}")
    for c in prof.candidates:
        if c.reasons:
            print(f"\n{c.function} stays Python ({c.file}):")
            print("\n".join(f"  {r}" for r in c.reasons))
    status = 0
    if prof.exit_code:
        print(f"\nnote: the script exited with code {prof.exit_code} under scalene", file=sys.stderr)
        status = 1
    if args.write_config is not None:
        status = _write_config(args.write_config, prof) or status
    return status


def _write_config(path_text: str, prof) -> int:
    from rustify.config import find_pyproject
    from rustify.profiling.scalene import module_name_for

    path = Path(path_text) if path_text else (find_pyproject() or Path.cwd() / "pyproject.toml")
    modules, skipped = [], []
    for c in prof.candidates:
        if not c.translatable:
            continue
        if Path(c.file) == prof.script.resolve():
            skipped.append(c.function)  # the script itself runs as __main__, not through an import
            continue
        module = module_name_for(Path(c.file))
        if module not in modules:
            modules.append(module)
    for function in skipped:
        print(f"note: {function} is in the script itself; auto mode wraps imported modules, "
              f"so decorate it with @rustify.accelerate instead")
    if not modules:
        print(f"no translatable candidates in imported modules: {path} left unchanged")
        return 0
    try:
        added = update_auto_config(path, modules)
    except ConfigUpdateError as e:
        print(f"rustify profile: {e}", file=sys.stderr)
        return 1
    if added:
        print(f"wrote [tool.rustify] auto in {path}: added {', '.join(added)}")
    else:
        print(f"[tool.rustify] auto in {path} already lists {', '.join(modules)}")
    return 0


# ---------------------------------------------------- pyproject.toml update


class ConfigUpdateError(Exception):
    """The pyproject.toml cannot be updated without risking the rest of it."""


_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*rustify\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_AUTO_KEY = re.compile(r"^\s*auto\s*=")


def update_auto_config(path: Path, modules: list[str]) -> list[str]:
    """Add `modules` to `auto` in the `[tool.rustify]` table of `path`; returns the ones added.

    Creates the file or the table when missing. Only the `auto = ...` line (or
    lines) and, when needed, the table header are written; every other byte
    stays. Raises ConfigUpdateError (and writes nothing) when the file does not
    parse, or the table is written in a way this edit cannot follow (dotted
    keys, inline tables, `auto` that is not a list of strings).
    """
    import tomllib

    text = path.read_bytes().decode("utf-8") if path.exists() else ""  # keeps \r\n
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigUpdateError(f"{path} is not valid TOML ({e}); not changed") from None
    table = before.get("tool", {}).get("rustify", {})
    current = table.get("auto", [])
    if isinstance(current, str):
        current = [p.strip() for p in current.split(",") if p.strip()]
    if not isinstance(current, list) or not all(isinstance(p, str) for p in current):
        raise ConfigUpdateError(f"[tool.rustify] auto in {path} is not a list of module names; not changed")
    added = [m for m in modules if m not in current]
    if not added and "auto" in table:
        return []
    new_value = current + added
    newline = "\r\n" if "\r\n" in text else "\n"
    auto_line = "auto = [" + ", ".join(_toml_string(m) for m in new_value) + "]" + newline
    new_text = _with_auto_line(text, auto_line, newline)

    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    expected = _replace_auto(before, new_value)
    if after != expected:
        raise ConfigUpdateError(
            f"cannot safely update [tool.rustify] in {path} (it is written with dotted keys or an inline "
            f"table); add auto = {new_value!r} to it by hand")
    tmp = path.with_name(path.name + ".rustify-tmp")
    tmp.write_bytes(new_text.encode("utf-8"))
    os.replace(tmp, path)
    return added


def _with_auto_line(text: str, auto_line: str, newline: str) -> str:
    """`text` with `auto_line` replacing the table's `auto = ...` (or added under its header, or a new table)."""
    lines = text.splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    if not headers:
        sep = "" if not text or text.endswith(("\n", "\r")) else newline
        gap = newline if text.strip() else ""
        return text + sep + gap + "[tool.rustify]" + newline + auto_line
    start = headers[0] + 1
    end = next((i for i in range(start, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines))
    for i in range(start, end):
        if _AUTO_KEY.match(lines[i]):
            stop = _value_end(lines, i, end)
            return "".join(lines[:i]) + auto_line + "".join(lines[stop:])
    if not lines[headers[0]].endswith(("\n", "\r")):
        lines[headers[0]] += newline
    return "".join(lines[:start]) + auto_line + "".join(lines[start:])


def _value_end(lines: list[str], first: int, end: int) -> int:
    """Index after the last line of the key/value starting at `first` (it may span lines)."""
    import tomllib

    for stop in range(first + 1, end + 1):
        try:
            tomllib.loads("".join(lines[first:stop]))
            return stop
        except tomllib.TOMLDecodeError:
            continue
    return first + 1


def _replace_auto(data: dict, value: list[str]) -> dict:
    tool = dict(data.get("tool", {}))
    tool["rustify"] = {**tool.get("rustify", {}), "auto": value}
    return {**data, "tool": tool}


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string of a module name is a valid TOML basic string
