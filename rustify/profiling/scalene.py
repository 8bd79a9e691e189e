"""Profile a whole script with scalene, in subprocesses, into ranked `Candidate`s.

In: a script path and its arguments. Out: a `ScaleneProfile`: the run's
elapsed seconds and one `Candidate` per function scalene sampled, with
interpreter seconds (`n_cpu_percent_python`: what compiling can remove) and
native seconds (`n_cpu_percent_c`: what it cannot), the argument signatures
seen, and the analysis stage's verdict.

scalene is never imported into this process (its import changes the locale,
and it cannot start inside a running process). Two subprocesses run instead:

1. `python -m scalene run --cpu-only -o PROFILE.json script.py --- ARGS`
2. a signature run (`run_signature_pass`): the script once more, with each
   candidate wrapped by a recorder that notes the argument signature of its
   calls; at the end that process asks `rustify.analysis.verdict` about each
   function, with its live globals, and writes the answers as JSON.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path

from rustify.errors import Reason
from rustify.profiling.candidates import Candidate, rank

# Lines scalene prints about its own output file (a temporary file here).
_SCALENE_FOOTER = ("Scalene: profile saved to", "  To view in browser:", "  To view in terminal:")
# The recorder notes every call's signature up to this many calls, then one in 64.
_RECORD_ALL_CALLS = 256
_MAX_SIGNATURES = 8


class ScaleneError(RuntimeError):
    """scalene is missing, or its run produced no readable profile."""


@dataclass
class ScaleneProfile:
    script: Path
    elapsed_seconds: float
    candidates: list[Candidate]
    exit_code: int = 0  # the script's exit code under scalene
    # candidate.function -> why no verdict (e.g. "not called in the signature run")
    notes: dict[str, str] = field(default_factory=dict)


def scalene_installed() -> bool:
    """True if `python -m scalene` can run here (checked without importing scalene)."""
    return importlib.util.find_spec("scalene") is not None


def module_name_for(path: Path) -> str:
    """Dotted module name of a source file, walking up through package dirs (`__init__.py`)."""
    path = Path(path).resolve()
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


# ---------------------------------------------------------------- scalene run


def run_scalene(script: Path, args: list[str], profile_json: Path, *, cwd: Path | None = None,
                echo=None) -> int:
    """Run `script args` under scalene (CPU only) writing `profile_json`; returns the script's exit code.

    The script's stdout is passed to `echo` (default: printed) line by line, and
    its stderr to ours, less scalene's notes about its (temporary) output file. Raises ScaleneError when scalene is
    missing or no profile was written.
    """
    if not scalene_installed():
        raise ScaleneError("scalene is not installed for this Python: pip install 'scalene>=2'")
    cmd = [sys.executable, "-m", "scalene", "run", "--cpu-only", "-o", str(profile_json), str(script)]
    if args:
        cmd += ["---", *args]
    echo = echo or (lambda text: print(text, end="", flush=True))
    with subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        errors = threading.Thread(target=_pass_on, args=(proc.stderr, lambda text: print(text, end="", file=sys.stderr)),
                                  daemon=True)
        errors.start()
        _pass_on(proc.stdout, echo)
        errors.join()
    if not profile_json.is_file():
        raise ScaleneError(f"scalene wrote no profile (exit code {proc.returncode}); command: {' '.join(cmd)}")
    return proc.returncode


def _pass_on(stream, echo) -> None:
    for text in stream:
        if not text.startswith(_SCALENE_FOOTER):
            echo(text)


def read_profile(profile_json: Path, script: Path) -> tuple[float, list[Candidate]]:
    """(elapsed seconds, ranked candidates) from a scalene JSON profile.

    A function's seconds are its share of the CPU samples (its own lines, not
    its callees) times the elapsed time. Comprehensions, lambdas and files that
    are not on disk are left out: they cannot be accelerated on their own.
    """
    try:
        data = json.loads(Path(profile_json).read_text())
        elapsed = float(data["elapsed_time_sec"])
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ScaleneError(f"cannot read scalene profile {profile_json}: {e}") from None
    samples = _sample_counts(data.get("stacks", []))
    base = Path(script).resolve().parent
    candidates = []
    for filename, entry in files.items():
        path = Path(filename) if os.path.isabs(filename) else base / filename
        if not path.is_file():
            continue
        module = module_name_for(path)
        for fn in entry.get("functions", []):
            qualname = str(fn.get("line", ""))
            if not qualname or "<" in qualname:
                continue
            python_pct = float(fn.get("n_cpu_percent_python", 0.0))
            native_pct = float(fn.get("n_cpu_percent_c", 0.0))
            candidates.append(Candidate(
                function=f"{module}.{qualname}", file=str(path.resolve()), line=int(fn.get("lineno", 0)),
                interpreted_seconds=python_pct / 100.0 * elapsed,
                native_seconds=native_pct / 100.0 * elapsed,
                samples=samples.get((filename, qualname), 0),
            ))
    return elapsed, rank(candidates)


def _sample_counts(stacks: list) -> dict[tuple[str, str], int]:
    """(file, function) -> samples whose innermost frame was in that function."""
    counts: dict[tuple[str, str], int] = {}
    for entry in stacks:
        try:
            frames, stats = entry
            innermost = frames[-1].rstrip(";")
            filename, _, where = innermost.rpartition(" ")
            key = (filename, where.rpartition(":")[0])
            counts[key] = counts.get(key, 0) + int(stats.get("count", 0))
        except (ValueError, TypeError, IndexError, AttributeError):
            continue
    return counts


# ------------------------------------------------------------ signature pass


def run_signature_pass(script: Path, args: list[str], candidates: list[Candidate], *,
                       cwd: Path | None = None, workdir: Path) -> dict[str, str]:
    """Run the script once more to record signatures and verdicts; fill `candidates` in place.

    Each candidate gets `signatures` (most called first) and `reasons` (the
    verdict for its most called signature). Returns candidate.function -> why
    it has no verdict, for those that have none. The script's output is
    discarded (it was shown during the scalene run).
    """
    targets = [{"key": c.function, "file": c.file, "qualname": c.function[len(module_name_for(Path(c.file))) + 1:]}
               for c in candidates]
    targets_json, result_json = workdir / "targets.json", workdir / "signatures.json"
    targets_json.write_text(json.dumps(targets))
    code = "from rustify.profiling.scalene import signature_pass_main; signature_pass_main()"
    cmd = [sys.executable, "-c", code, str(targets_json), str(result_json), str(script), *args]
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if not result_json.is_file():
        why = f"signature unknown: the signature run failed (exit code {proc.returncode}): {_tail(proc.stderr)}"
        return {c.function: why for c in candidates}
    found = json.loads(result_json.read_text())["functions"]
    notes = {}
    for c in candidates:
        entry = found.get(c.function)
        if entry is None or not entry.get("found"):
            notes[c.function] = "signature unknown: function not found in the signature run"
            continue
        c.signatures = [tuple(s) for s in entry["signatures"]]
        if entry.get("reasons") is not None:
            c.reasons = [Reason(int(line), str(construct), str(why)) for line, construct, why in entry["reasons"]]
        elif entry.get("error"):
            notes[c.function] = f"no verdict: {entry['error']}"
        else:
            notes[c.function] = "signature unknown: not called in the signature run"
    return notes


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "no output"


def profile_script(script: Path, args: list[str], *, verdicts: bool = True, top: int | None = None,
                   cwd: Path | None = None, keep_json: Path | None = None, echo=None) -> ScaleneProfile:
    """scalene run + reading + (optionally) the signature run, for `script args`.

    `top` limits the candidates (the most interpreter time first); `keep_json`
    copies scalene's profile there.
    """
    script = Path(script).resolve()
    with tempfile.TemporaryDirectory(prefix="rustify-profile-") as tmp:
        workdir = Path(tmp)
        profile_json = keep_json.resolve() if keep_json else workdir / "scalene.json"
        exit_code = run_scalene(script, args, profile_json, cwd=cwd, echo=echo)
        elapsed, candidates = read_profile(profile_json, script)
        if top is not None:
            candidates = candidates[:top]
        notes = {}
        if verdicts and candidates:
            notes = run_signature_pass(script, args, candidates, cwd=cwd, workdir=workdir)
        for c in candidates:
            c.note = notes.get(c.function) or (None if verdicts else "no verdict asked for")
    return ScaleneProfile(script, elapsed, candidates, exit_code, notes)


# ------------------------------------------- inside the signature-run process


class _Recorder:
    """Wraps functions to count the argument signatures of their calls."""

    def __init__(self):
        self.entries: dict[str, dict] = {}  # qualified key -> {"func", "wrapper", "counts", "calls"}

    def wrap(self, key: str, func):
        if not isinstance(func, types.FunctionType):
            return func
        from rustify.runtime.signature import signature_of

        entry = self.entries.setdefault(key, {"func": func, "counts": {}, "calls": 0})
        counts = entry["counts"]

        @functools.wraps(func)
        def recording(*args, **kwargs):
            n = entry["calls"] = entry["calls"] + 1
            if not kwargs and (n <= _RECORD_ALL_CALLS or not n & 63):
                sig = signature_of(args)
                if sig in counts or len(counts) < _MAX_SIGNATURES:
                    counts[sig] = counts.get(sig, 0) + 1
            return func(*args, **kwargs)

        entry["wrapper"] = recording
        return recording

    def unwrap_in(self, namespace, key: str, qualname: str) -> None:
        """Put the original function back where the wrapper is bound (so analysis sees plain globals)."""
        entry = self.entries.get(key)
        parts = qualname.split(".")
        owner = namespace
        for part in parts[:-1]:
            owner = getattr(owner, part, None)
        if entry is not None and owner is not None and getattr(owner, parts[-1], None) is entry["wrapper"]:
            setattr(owner, parts[-1], entry["func"])


class _AddRecorderDecorator(ast.NodeTransformer):
    """Adds `@__rustify_record__("qualname")` (innermost) to the wanted defs of a module AST."""

    def __init__(self, wanted: dict[str, str]):
        self.wanted = wanted  # qualname -> key
        self.scope: list[str] = []

    def _function(self, node):
        qualname = ".".join(self.scope + [node.name])
        if qualname in self.wanted:
            call = ast.Call(ast.Name("__rustify_record__", ast.Load()), [ast.Constant(self.wanted[qualname])], [])
            node.decorator_list.append(ast.copy_location(call, node))
        self.scope += [node.name, "<locals>"]
        self.generic_visit(node)
        del self.scope[-2:]
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()
        return node


def signature_pass_main(argv: list[str] | None = None) -> None:
    """Entry of the signature run: `TARGETS.json RESULT.json script.py [args...]`."""
    targets_path, result_path, script, *args = sys.argv[1:] if argv is None else argv
    targets = json.loads(Path(targets_path).read_text())
    script_path = Path(script).resolve()
    sys.argv = [str(script_path), *args]
    sys.path[0] = str(script_path.parent)  # as `python script.py` would have it
    recorder = _Recorder()
    in_script = {t["qualname"]: t["key"] for t in targets if Path(t["file"]) == script_path}
    modules = _wrap_imported(targets, script_path, recorder)

    main = types.ModuleType("__main__")
    main.__file__ = str(script_path)
    main.__builtins__ = builtins
    main.__rustify_record__ = lambda key: functools.partial(recorder.wrap, key)
    sys.modules["__main__"] = main
    exit_code = 0
    try:
        tree = _AddRecorderDecorator(in_script).visit(ast.parse(script_path.read_bytes(), str(script_path)))
        exec(compile(ast.fix_missing_locations(tree), str(script_path), "exec"), main.__dict__)
    except SystemExit as e:
        exit_code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - the script's own error: still report what was seen
        traceback.print_exc()
        exit_code = 1
    finally:
        for t in targets:
            namespace = main if t["key"] in in_script.values() else modules.get(t["file"])
            if namespace is not None:
                recorder.unwrap_in(namespace, t["key"], t["qualname"])
        Path(result_path).write_text(json.dumps({"functions": _verdicts(targets, recorder), "exit_code": exit_code}))
    sys.exit(exit_code)


def _wrap_imported(targets: list[dict], script_path: Path, recorder: _Recorder) -> dict[str, types.ModuleType]:
    """Import the modules (other than the script) holding targets and wrap those functions there.

    Wrapping happens before the script runs, so its `from m import f` gets the wrapper.
    """
    modules = {}
    for t in targets:
        path = Path(t["file"])
        if path == script_path or "<locals>" in t["qualname"]:
            continue
        try:
            module = modules.get(t["file"]) or importlib.import_module(module_name_for(path))
        except Exception:  # noqa: BLE001 - a module that does not import stays unwrapped
            continue
        if Path(getattr(module, "__file__", "") or "").resolve() != path:
            continue
        modules[t["file"]] = module
        parts = t["qualname"].split(".")
        owner = module
        for part in parts[:-1]:
            owner = getattr(owner, part, None)
        func = vars(owner).get(parts[-1]) if owner is not None and hasattr(owner, "__dict__") else None
        if isinstance(func, types.FunctionType):
            setattr(owner, parts[-1], recorder.wrap(t["key"], func))
    return modules


def _verdicts(targets: list[dict], recorder: _Recorder) -> dict[str, dict]:
    """key -> {"found", "signatures" (most called first), "reasons" or None, "error"}."""
    from rustify.analysis import verdict

    out = {}
    for t in targets:
        entry = recorder.entries.get(t["key"])
        if entry is None:
            out[t["key"]] = {"found": False}
            continue
        signatures = sorted(entry["counts"], key=entry["counts"].get, reverse=True)
        result = {"found": True, "signatures": [list(s) for s in signatures], "reasons": None, "error": None}
        if signatures:
            try:
                result["reasons"] = [[r.line, r.construct, r.why] for r in verdict(entry["func"], signatures[0])]
            except Exception as e:  # noqa: BLE001 - an analysis bug must not lose the other verdicts
                result["error"] = f"the analysis failed ({type(e).__name__}: {e})"
        out[t["key"]] = result
    return out
