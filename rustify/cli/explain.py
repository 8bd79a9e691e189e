"""`rustify explain module:function` (or `FILE::FUNCTION`): the function's
source, line by line, marked native or Python with the reason, like `cython -a`.

Signatures come from `--signature` (repeatable), else from the newest run
record that saw the function, else from its annotations. `--html PATH` writes
a self-contained page as well. Analysis only: nothing is compiled.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("explain", help="annotate a function's source: native or Python, line by line, and why",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("target", metavar="module:function|FILE::FUNCTION",
                   help="the function, e.g. mypkg.kernels:euclidean or examples/seed_kernels.py::euclidean")
    p.add_argument("--signature", action="append", default=[], metavar="KINDS",
                   help='argument kinds, e.g. "list[float],list[float]" or "ndarray[float64, 1, C],int"; repeatable')
    p.add_argument("--html", type=Path, metavar="PATH", help="also write an HTML page here")
    p.set_defaults(run=run)


@dataclass
class Annotated:
    """One signature's verdict, attached to source lines."""

    signature: tuple[str, ...]
    origin: str  # where the signature came from
    reasons: list  # of rustify.errors.Reason
    by_line: dict  # line number -> [Reason]
    unplaced: list  # reasons whose line is outside the shown source

    @property
    def native(self) -> bool:
        return not self.reasons


def run(args) -> int:
    from rustify.cli._target import TargetError, parse_signature, resolve_function

    try:
        func = resolve_function(args.target)
        if args.signature:
            signatures = [(parse_signature(s), "--signature") for s in args.signature]
        else:
            signatures = signatures_from_records(func) or signatures_from_annotations(func)
    except TargetError as e:
        print(f"rustify explain: {e}", file=sys.stderr)
        return 2
    if not signatures:
        from rustify import ir

        n = func.__code__.co_argcount
        print(f"rustify explain: no argument signature known for {func.__qualname__}: no run record has it and its "
              f"annotations do not name argument kinds. Pass --signature with {n} kind(s), e.g. "
              f"--signature \"{','.join(['float'] * n)}\" (kinds: {', '.join(ir.SIGNATURE_TYPES)})", file=sys.stderr)
        return 2
    try:
        from rustify.analysis.source import load_source

        src = load_source(func)
    except (OSError, TypeError) as e:
        print(f"rustify explain: the source of {func.__qualname__} is not available ({e})", file=sys.stderr)
        return 2
    results = [annotate(func, sig, origin, src) for sig, origin in signatures]
    print(render_text(func, src, results))
    if args.html:
        args.html.write_text(render_html(func, src, results), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def annotate(func, signature: tuple[str, ...], origin: str, src) -> Annotated:
    from rustify.analysis import verdict

    reasons = verdict(func, signature)
    last = src.first_line + len(src.text.splitlines()) - 1
    by_line: dict[int, list] = {}
    unplaced = []
    for r in reasons:
        if src.first_line <= r.line <= last:
            by_line.setdefault(r.line, []).append(r)
        else:
            unplaced.append(r)
    return Annotated(signature, origin, reasons, by_line, unplaced)


def signatures_from_records(func) -> list[tuple[tuple[str, ...], str]]:
    """Signatures of `func` in the newest run record that has it (matched by file and qualname)."""
    from rustify.config import cache_dir

    file = str(Path(func.__code__.co_filename).resolve())
    suffix = "." + func.__qualname__
    try:
        records = sorted((cache_dir() / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return []
    for path in records[:200]:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for entry in record.get("functions", []) if isinstance(record, dict) else []:
            if not isinstance(entry, dict) or not str(entry.get("function", "")).endswith(suffix):
                continue
            try:
                same_file = Path(str(entry.get("file", ""))).resolve() == Path(file)
            except OSError:
                same_file = False
            if not same_file:
                continue
            sigs = [tuple(s["signature"]) for s in entry.get("signatures", [])
                    if isinstance(s, dict) and isinstance(s.get("signature"), list)]
            if sigs:
                return [(sig, f"run record {path.name}") for sig in dict.fromkeys(sigs)]
    return []


_ANNOTATION_KINDS = {"float": "float", "int": "int", "bool": "bool", "list[float]": "list[float]",
                     "list[int]": "list[int]", "List[float]": "list[float]", "List[int]": "list[int]"}


def signatures_from_annotations(func) -> list[tuple[tuple[str, ...], str]]:
    """One signature from the parameter annotations, if every parameter has one that names a kind."""
    code = func.__code__
    names = code.co_varnames[: code.co_argcount]
    annotations = getattr(func, "__annotations__", {}) or {}
    kinds = []
    for name in names:
        a = annotations.get(name)
        text = a if isinstance(a, str) else getattr(a, "__name__", None) if isinstance(a, type) else str(a)
        kind = _ANNOTATION_KINDS.get((text or "").replace(" ", "").replace("typing.", ""))
        if kind is None:
            return []
        kinds.append(kind)
    return [(tuple(kinds), "annotations")] if names else []


def _status(result: Annotated, line: int) -> str:
    if line in result.by_line:
        return "python"
    return "native" if result.native else "ok"


_LEGEND = ("native: translated to Rust; ok: this line translates, but the function stays Python because of the "
           "marked lines; python: keeps the function in Python (reason below the line)")


def render_text(func, src, results: list[Annotated]) -> str:
    out = []
    for result in results:
        sig = ", ".join(result.signature)
        head = (f"{func.__module__}.{func.__qualname__}({sig})  [{src.filename}:{src.first_line}; signature from "
                f"{result.origin}]")
        verdict = ("NATIVE: every line translates to Rust" if result.native else
                   f"STAYS PYTHON: {len(result.reasons)} construct(s) keep it in Python")
        out += [head, verdict, ""]
        for r in result.unplaced:
            out.append(f"      ! {r.construct}: {r.why}")
        width = len(str(src.first_line + len(src.text.splitlines())))
        for i, text in enumerate(src.text.splitlines()):
            line = src.first_line + i
            status = _status(result, line)
            out.append(f"{line:>{width}} {status:<6} | {text}")
            for r in result.by_line.get(line, []):
                out.append(f"{'':>{width}} {'':<6} |   ^ `{r.construct}`: {r.why}")
        out += ["", _LEGEND, ""]
    return "\n".join(out).rstrip()


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h2 { font-size: 1.1em; margin-top: 2em; }
table.src { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 13px; }
table.src td { padding: 1px 8px; vertical-align: top; white-space: pre; }
td.n { color: #888; text-align: right; }
tr.native td.code { background: #e6f7e6; }
tr.ok td.code { background: #f4f4f4; }
tr.python td.code { background: #fde2e1; }
tr.why td { white-space: normal; color: #8a1f11; font-family: system-ui, sans-serif; padding-left: 2em; }
.badge { padding: 2px 6px; border-radius: 4px; font-weight: 600; }
.badge.native { background: #2e7d32; color: white; } .badge.python { background: #c62828; color: white; }
"""


def render_html(func, src, results: list[Annotated]) -> str:
    """A self-contained page (inline CSS, no scripts); every piece of text is escaped."""
    e = html.escape
    name = f"{func.__module__}.{func.__qualname__}"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>rustify explain: {e(name)}</title><style>{_CSS}</style></head><body>",
             f"<h1>rustify explain: <code>{e(name)}</code></h1>",
             f"<p>{e(src.filename)}:{src.first_line}. {e(_LEGEND)}.</p>"]
    for result in results:
        badge = ('<span class="badge native">native</span>' if result.native else
                 '<span class="badge python">stays Python</span>')
        parts.append(f"<h2><code>({e(', '.join(result.signature))})</code> {badge} "
                     f"<small>signature from {e(result.origin)}</small></h2>")
        if result.unplaced:
            parts.append("<ul>" + "".join(f"<li><code>{e(r.construct)}</code>: {e(r.why)}</li>"
                                          for r in result.unplaced) + "</ul>")
        parts.append('<table class="src">')
        for i, text in enumerate(src.text.splitlines()):
            line = src.first_line + i
            status = _status(result, line)
            parts.append(f'<tr class="{status}"><td class="n">{line}</td><td class="s">{status}</td>'
                         f'<td class="code">{e(text) or " "}</td></tr>')
            for r in result.by_line.get(line, []):
                parts.append(f'<tr class="why"><td></td><td></td><td><code>{e(r.construct)}</code>: '
                             f"{e(r.why)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
