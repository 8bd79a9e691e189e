"""`rustify report [RECORD.json] [--output FILE]`: a run as a Markdown migration report.

A run record is written at interpreter exit (setting `record`, on by default)
to `<cache dir>/runs/<UTC time>-<pid>.json` by every process that used
rustify (decorator, profile block, auto mode). The report lists each function
and signature: native or Python and why, compile time, calls each way and the
measured speedup (mean Python time / mean native time per call, both sampled).
Missing fields are shown as unknown, never guessed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("report", help="Markdown report of a run: what went native, what stayed Python, why",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("record", nargs="?", type=Path, metavar="RECORD.json",
                   help="the run record to render (default: the newest in <cache dir>/runs)")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report here instead of stdout")
    p.set_defaults(run=run)


def newest_record() -> Path | None:
    """The most recent run record in the cache, or None."""
    from rustify.config import cache_dir

    folder = cache_dir() / "runs"
    try:
        records = [p for p in folder.iterdir() if p.suffix == ".json"]
    except OSError:
        return None
    return max(records, key=lambda p: (p.stat().st_mtime, p.name)) if records else None


def run(args) -> int:
    path = args.record or newest_record()
    if path is None:
        from rustify.config import cache_dir

        print(f"rustify report: no run records in {cache_dir() / 'runs'}. Records are written when a program "
              "that uses rustify exits (unless RUSTIFY_RECORD=0); or pass RECORD.json.", file=sys.stderr)
        return 1
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        print(f"rustify report: cannot read {path}: {e}", file=sys.stderr)
        return 1
    except json.JSONDecodeError as e:
        print(f"rustify report: {path} is not JSON ({e}); a run record may be cut short if its process was killed",
              file=sys.stderr)
        return 1
    if not isinstance(record, dict):
        print(f"rustify report: {path} is not a rustify run record", file=sys.stderr)
        return 1
    text = render_markdown(record, str(path))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------- rendering


def _cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text) -> str:
    """Inline code that survives backticks in the text."""
    text = str(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def speedup(sig: dict) -> float | None:
    """mean_python_ns / mean_native_ns when both were measured, else None."""
    py, native = _number(sig.get("mean_python_ns")), _number(sig.get("mean_native_ns"))
    if py is None or native is None or py <= 0 or native <= 0:
        return None
    return py / native


def _signature_text(sig: dict) -> str:
    kinds = sig.get("signature")
    return "(" + ", ".join(map(str, kinds)) + ")" if isinstance(kinds, list) else "(?)"


def _compile_text(sig: dict) -> str:
    seconds = _number(sig.get("compile_seconds"))
    if seconds is None:
        return "—"
    hit = sig.get("cache_hit")
    return f"{seconds:.2f} s" + (" (cache hit)" if hit is True else " (built)" if hit is False else "")


def _speedup_text(sig: dict) -> str:
    s = speedup(sig)
    if s is not None:
        return f"{s:.1f}x"
    if _number(sig.get("mean_native_ns")) is not None and _number(sig.get("mean_python_ns")) is None:
        return "not measured: no call of it ran Python to compare with (eager mode compiles before the first)"
    return "not measured"


def _int(value) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def render_markdown(record: dict, source: str = "") -> str:
    """The Markdown report for one run record (tolerates missing or odd fields)."""
    functions = [f for f in _list(record.get("functions")) if isinstance(f, dict)]
    rows = [(f, s) for f in functions for s in _list(f.get("signatures")) if isinstance(s, dict)]
    status = lambda s: s.get("status") if s.get("status") in ("native", "python", "pending") else "unknown"  # noqa: E731
    counts = {k: sum(1 for _, s in rows if status(s) == k) for k in ("native", "python", "pending", "unknown")}

    out = ["# rustify run report", ""]
    argv = record.get("argv")
    facts = [
        ("Command", _code(" ".join(map(str, argv))) if isinstance(argv, list) and argv else "unknown"),
        ("Started", record.get("started") or "unknown"),
        ("Ended", record.get("ended") or "unknown"),
        ("Python", record.get("python") or "unknown"),
        ("rustify", record.get("rustify_version") or "unknown"),
    ]
    if source:
        facts.append(("Record", _code(source)))
    out += [f"- **{k}:** {v}" for k, v in facts]
    out += ["", "## Summary", ""]
    parts = [f"{counts['native']} native", f"{counts['python']} stayed Python"]
    parts += [f"{counts[k]} {k}" for k in ("pending", "unknown") if counts[k]]
    out.append(f"{len(functions)} functions, {len(rows)} signatures: " + ", ".join(parts) + ".")
    compile_total = sum(_number(s.get("compile_seconds")) or 0.0 for _, s in rows)
    if compile_total:
        out.append(f"Time spent compiling (or loading from the cache): {compile_total:.2f} s.")
    mismatches = [(f, s) for f, s in rows if s.get("validation_mismatch")]
    if mismatches:
        out.append(f"**{len(mismatches)} signature(s) gave a different result from Python under validation "
                   "and were switched back to Python; see below.**")
    out.append("")
    if rows:
        out += ["| function | signature | status | compile | speedup | native calls | Python calls | deopts |",
                "|---|---|---|---|---|--:|--:|--:|"]
        for f, s in rows:
            out.append("| " + " | ".join([
                _code(f.get("function") or "?"), _code(_signature_text(s)), _cell(status(s)),
                _cell(_compile_text(s)), _cell(_speedup_text(s)), str(_int(s.get("native_calls"))),
                str(_int(s.get("python_calls"))), str(_int(s.get("deopts"))),
            ]) + " |")
        out.append("")
    elif not functions:
        out += ["No accelerated functions were recorded in this run.", ""]

    out += ["## Functions", ""]
    for f in functions:
        where = f.get("file") or "unknown file"
        if isinstance(f.get("line"), int):
            where += f":{f['line']}"
        out += [f"### {_code(f.get('function') or '?')}", "",
                f"Defined at {_code(where)}; accelerated via {f.get('front_door') or 'unknown'}.", ""]
        sigs = [s for s in _list(f.get("signatures")) if isinstance(s, dict)]
        if not sigs:
            out += ["Never called with positional arguments, so nothing was compiled.", ""]
        for s in sigs:
            out += _signature_section(s, status(s))
    return "\n".join(out).rstrip() + "\n"


def _signature_section(s: dict, status: str) -> list[str]:
    out = [f"#### {_code(_signature_text(s))}: {status}", ""]
    details = []
    if status == "native":
        details.append(f"native module {_code(s['module'])}" if s.get("module") else "native")
    details.append(f"compile: {_compile_text(s)}")
    details.append(f"calls: {_int(s.get('native_calls'))} native, {_int(s.get('python_calls'))} Python, "
                   f"{_int(s.get('deopts'))} handed back to Python (deopt)")
    py, native = _number(s.get("mean_python_ns")), _number(s.get("mean_native_ns"))
    timing = []
    if py is not None:
        timing.append(f"Python {_ns(py)}")
    if native is not None:
        timing.append(f"native {_ns(native)}")
    details.append("mean time per call (sampled): " + (", ".join(timing) if timing else "not measured")
                   + f"; speedup: {_speedup_text(s)}")
    validated = _int(s.get("validated_calls"))
    if validated or s.get("validation_mismatch"):
        details.append(f"validated against Python on {validated} calls"
                       + (f": **mismatch**: {s['validation_mismatch']}" if s.get("validation_mismatch") else
                          ", all equal"))
    out += [f"- {d}" for d in details]
    reasons = [r for r in _list(s.get("reasons")) if isinstance(r, dict)]
    if reasons:
        out += ["", "Stays Python because:", ""]
        for r in reasons:
            line = f"line {r['line']}: " if isinstance(r.get("line"), int) else ""
            construct = f"{_code(r['construct'])}: " if r.get("construct") else ""
            out.append(f"- {line}{construct}{r.get('why') or 'no reason given'}")
    elif s.get("reason"):
        out += ["", f"Reason: {str(s['reason']).strip()}"] if "\n" not in str(s["reason"]) else \
            ["", "Reason:", "", "```", str(s["reason"]).replace("```", "'''"), "```"]
    out.append("")
    return out


def _ns(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.2f} ms"
    if value >= 1e3:
        return f"{value / 1e3:.1f} µs"
    return f"{value:.0f} ns"
