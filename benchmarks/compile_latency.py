"""How long rustify makes you wait before a call runs native code.

    .venv/bin/python benchmarks/compile_latency.py [--kinds list,numpy] [--keep]

Runs everything against a fresh cache (a new temporary RUSTIFY_CACHE_DIR,
so an empty crate cache AND an empty cargo target dir) and prints Markdown:

(a) cold: a fresh process, empty cache: first call -> native result. This pays
    for building PyO3 and rust-numpy once per cache dir (and resolving them
    with cargo, online when there is no seed Cargo.lock yet).
(b) warm: the dependencies are built (same cache dir); a function never seen
    before -> first call to native result. Every seed kernel, once per input
    kind, in one fresh process (the first sample also pays for importing the
    analysis/codegen stack; it is listed separately as well).
(c) cache hit in a fresh process: the artifact is already in the cache; a new
    `python -c` process imports rustify and the kernel and calls it once.
    Reported: the time from just before that call to the native result
    (measured inside the process), and the wall time of the whole subprocess
    (interpreter start, imports, argument construction, call, exit), next to
    the same script calling the plain function and a bare interpreter.

No target is asserted; the numbers are printed, and --json writes them out.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"


def cold_probe(xs):
    """The function compiled in the cold measurement (not one of the seed kernels)."""
    total = 0.0
    for x in xs:
        total += x * x
    return total


# --------------------------------------------------------------------------
# Workers: run in a subprocess with RUSTIFY_CACHE_DIR set; print one JSON line.
# --------------------------------------------------------------------------

def _maturin_seconds(info, sig) -> float | None:
    """maturin's own run time for the crate of `sig`, from its build log (None for a cache hit)."""
    m = re.search(r"module (\w+)", info.explain())
    if not m:
        return None
    from rustify.config import cache_dir

    log = cache_dir() / "crates" / m.group(1) / "build.log"
    try:
        runs = re.findall(r"# exit 0 after ([0-9.]+) s", log.read_text(errors="replace"))
    except OSError:
        return None
    return float(runs[-1]) if runs and not info.cache_hits.get(sig) else None


def _first_call(func, args) -> dict:
    import rustify

    f = rustify.accelerate(func, eager=True)
    t0 = time.perf_counter()
    f(*args)
    elapsed = time.perf_counter() - t0
    info = f.rustify
    sig = info.last_signature
    return {
        "function": func.__name__,
        "signature": list(sig) if sig else None,
        "last_call": info.last_call,
        "seconds": elapsed,
        "compile_seconds": info.compile_seconds.get(sig),
        "cache_hit": info.cache_hits.get(sig),
        "maturin_seconds": _maturin_seconds(info, sig),
        "explain": info.explain() if info.last_call != "native" else None,
    }


def worker_cold() -> None:
    t_import = time.perf_counter()
    import rustify  # noqa: F401

    import_seconds = time.perf_counter() - t_import
    # Import ourselves as a module so inspect finds the probe's source.
    sys.path.insert(0, str(HERE))
    import compile_latency

    xs = [float(i) for i in range(1000)]
    out = _first_call(compile_latency.cold_probe, (xs,))
    out["import_seconds"] = import_seconds
    print(json.dumps(out))


def worker_warm(kinds: list[str]) -> None:
    sys.path.insert(0, str(EXAMPLES))
    from seed_kernels import KERNELS

    samples = []
    for kind in kinds:
        for name, k in KERNELS.items():
            args = k.make_args(k.size, kind == "numpy", seed=0)
            s = _first_call(k.func, args)
            s["kind"] = kind
            samples.append(s)
    print(json.dumps(samples))


# The cache-hit process: as small as a user's script (no argparse/json/subprocess
# imports of this file), so its wall time is interpreter + imports + call.
# `{use}` is True for rustify, False for the same script calling the plain function.
HIT_PROGRAM = """\
import sys, time
t_start = time.perf_counter()
sys.path.insert(0, {examples!r})
if {use}:
    import rustify
t_rustify = time.perf_counter()
from seed_kernels import KERNELS
k = KERNELS[{kernel!r}]
args = k.make_args(k.size, {numpy}, seed=0)
f = rustify.accelerate(k.func, eager=True) if {use} else k.func
t0 = time.perf_counter()
f(*args)
t1 = time.perf_counter()
f(*args)
t2 = time.perf_counter()
out = dict(function={kernel!r}, kind={kind!r}, seconds=t1 - t0, second_call_seconds=t2 - t1,
           import_seconds=t_rustify - t_start, last_call="native", cache_hit=None, explain=None)
if {use}:
    info = f.rustify
    sig = info.last_signature
    out.update(last_call=info.last_call, cache_hit=info.cache_hits.get(sig),
               compile_seconds=info.compile_seconds.get(sig))
    if info.last_call != "native" or not out["cache_hit"]:
        out["explain"] = info.explain()
print(repr(out))
"""


def _run_hit(cache: Path, kernel: str, kind: str, use_rustify: bool = True) -> tuple[dict, float]:
    code = HIT_PROGRAM.format(examples=str(EXAMPLES), use=use_rustify, kernel=kernel, kind=kind,
                              numpy=kind == "numpy")
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(cache))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"cache-hit process for {kernel} ({kind}) failed with exit code {proc.returncode}")
    return ast.literal_eval(proc.stdout.strip().splitlines()[-1]), wall


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def _run(cache: Path, *worker_args: str, timeout: float = 1800.0) -> tuple[object, float]:
    env = dict(os.environ, RUSTIFY_CACHE_DIR=str(cache))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", *worker_args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"worker {worker_args} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def _check_native(sample: dict) -> None:
    if sample["last_call"] != "native":
        raise SystemExit(f"{sample['function']} did not run natively:\n{sample.get('explain')}")


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _bare_interpreter_wall(repeats: int = 5) -> float:
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", default="list,numpy", help="input kinds for (b) and (c): list, numpy or both")
    ap.add_argument("--keep", action="store_true", help="keep the temporary cache dir (its path is printed)")
    ap.add_argument("--json", metavar="PATH", help="also write every sample as JSON to PATH")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)

    if opts.worker:
        what, *rest = opts.worker
        if what == "cold":
            worker_cold()
        elif what == "warm":
            worker_warm(rest[0].split(","))
        return

    kinds = [k for k in opts.kinds.split(",") if k]
    cache = Path(tempfile.mkdtemp(prefix="rustify-latency-"))
    print(f"fresh RUSTIFY_CACHE_DIR={cache}", file=sys.stderr)
    results: dict[str, object] = {"cache_dir": str(cache), "python": sys.version.split()[0]}
    try:
        # (a) cold
        print("(a) cold compile (builds the dependencies; a minute or more)...", file=sys.stderr)
        cold, cold_wall = _run(cache, "cold")
        _check_native(cold)
        results["cold"] = dict(cold, wall=cold_wall)

        # (b) warm
        print(f"(b) warm compile: {len(kinds)} x 11 kernels...", file=sys.stderr)
        warm, warm_wall = _run(cache, "warm", ",".join(kinds))
        for s in warm:
            _check_native(s)
            if s["cache_hit"]:
                raise SystemExit(f"{s['function']} was a cache hit in the warm run: not a new function")
        results["warm"] = warm

        # (c) cache hit, fresh process per kernel and kind
        print("(c) cache hits in fresh processes...", file=sys.stderr)
        bare = _bare_interpreter_wall()
        hits = []
        for s in warm:
            hit, wall = _run_hit(cache, s["function"], s["kind"])
            _, plain_wall = _run_hit(cache, s["function"], s["kind"], use_rustify=False)
            _check_native(hit)
            if not hit["cache_hit"]:
                raise SystemExit(f"{hit['function']} ({hit['kind']}) was not a cache hit:\n{hit.get('explain')}")
            hit["wall"] = wall
            hit["plain_wall"] = plain_wall
            hits.append(hit)
        results["hit"] = hits
        results["bare_interpreter_wall"] = bare
    finally:
        if opts.keep:
            print(f"kept {cache}", file=sys.stderr)
        else:
            shutil.rmtree(cache, ignore_errors=True)

    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=2))
    print(report(results))


def report(results: dict) -> str:
    cold = results["cold"]
    warm = results["warm"]
    hits = results["hit"]
    med = statistics.median
    lines = [
        "| measurement | median | max | n | notes |",
        "|---|---:|---:|---:|---|",
        f"| (a) cold compile, first call -> native | {_fmt(cold['seconds'])} | | 1 | "
        f"empty cache and cargo target; maturin {_fmt(cold['maturin_seconds'])}, "
        f"subprocess wall {_fmt(cold['wall'])} |",
    ]
    kinds = list(dict.fromkeys(s["kind"] for s in warm))
    groups = [(kind, [s for s in warm if s["kind"] == kind]) for kind in kinds]
    if len(kinds) > 1:
        groups.insert(0, ("all kinds", warm))
    for label, ss in groups:
        secs = [s["seconds"] for s in ss]
        mat = [s["maturin_seconds"] for s in ss if s["maturin_seconds"] is not None]
        worst = max(ss, key=lambda s: s["seconds"])
        lines.append(
            f"| (b) warm compile, new function ({label}) | {_fmt(med(secs))} | {_fmt(max(secs))} | {len(ss)} | "
            f"maturin median {_fmt(med(mat) if mat else None)}; slowest {worst['function']} ({worst['kind']}) |"
        )
    first = warm[0]
    lines.append(
        f"| (b) warm, first function in the process | {_fmt(first['seconds'])} | | 1 | "
        f"{first['function']} ({first['kind']}); includes importing the analysis/codegen stack |"
    )
    for label, key in (("(c) cache hit, in process: call -> native result", "seconds"),
                       ("(c) cache hit, whole subprocess wall", "wall")):
        vals = [h[key] for h in hits]
        worst = max(hits, key=lambda h: h[key])
        note = f"slowest {worst['function']} ({worst['kind']})"
        if key == "wall":
            note += (f"; the same script calling the plain function: median "
                     f"{_fmt(med(h['plain_wall'] for h in hits))}; bare `python -c pass` "
                     f"{_fmt(results['bare_interpreter_wall'])}")
        else:
            note += f"; second call median {_fmt(med(h['second_call_seconds'] for h in hits))}"
        lines.append(f"| {label} | {_fmt(med(vals))} | {_fmt(max(vals))} | {len(vals)} | {note} |")
    imp = [h["import_seconds"] for h in hits]
    lines.append(f"| (c) `import rustify` in the subprocess | {_fmt(med(imp))} | {_fmt(max(imp))} | "
                 f"{len(imp)} | part of the wall time, not of the in-process time |")
    per = ["", "| kernel | kind | warm first call | maturin | cache hit (in process) | cache hit (wall) "
                "| plain script (wall) |",
           "|---|---|---:|---:|---:|---:|---:|"]
    by_key = {(h["function"], h["kind"]): h for h in hits}
    for s in warm:
        h = by_key.get((s["function"], s["kind"]), {})
        per.append(f"| {s['function']} | {s['kind']} | {_fmt(s['seconds'])} | {_fmt(s['maturin_seconds'])} | "
                   f"{_fmt(h.get('seconds'))} | {_fmt(h.get('wall'))} | {_fmt(h.get('plain_wall'))} |")
    return "\n".join(lines + per)


if __name__ == "__main__":
    main()
