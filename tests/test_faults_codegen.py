"""Faults in what reaches the generated text: user names that look like generated
ones, and file names, function names and strings that try to write code.

Every test builds for real (shared test cache) or renders the real templates;
the answer must be Python's and the generated text must hold no injected line.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import itertools
import keyword
import sys
import tempfile
import tomllib
import unicodedata
from pathlib import Path

import pytest
from conftest import assert_same_outcome, outcome
from faultlib import fault, write_module
from hypothesis import given, settings
from hypothesis import strategies as st

import rustify
from rustify.analysis import analyse
from rustify.build import build_extension
from rustify.codegen import template_fingerprint
from rustify.codegen.export import ExportedFunction, render_export
from rustify.codegen.renderer import UnsafeTemplateValue, _environment, render_crate
from rustify.runtime.loader import load_extension

_module_counter = itertools.count()
_MODULE_DIR = Path(tempfile.mkdtemp(prefix="rustify-faults-codegen-"))


def import_file(path: Path, name: str | None = None):
    """Import the module at `path` (any file name) under a fresh module name."""
    name = name or f"faults_codegen_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def import_source(source: str):
    """Write `source` as a fresh module and import it (inspect can read its source)."""
    name = f"faults_codegen_{next(_module_counter)}"
    return import_file(write_module(_MODULE_DIR, name, source), name)


def compiled(func, signature: tuple):
    """`func` accelerated, with `signature` built now (waiting for other processes' builds)."""
    fast = rustify.accelerate(func, eager=True)
    assert fast.compile(signature) is not None, fast.rustify.explain()
    return fast


def rust_lines_outside_comments(rust: str) -> list[str]:
    """The generated lines that are code (a `//` comment line is not)."""
    return [line for line in rust.splitlines() if not line.lstrip().startswith("//")]


SEED_FLAG_LOOKALIKE = """
def total_of(xs):
    total = 0
    total__seed = False
    for x in xs:
        total += x
    return total
"""


@fault("codegen", injects="a local named `total__seed` next to the seeded `total` (`total = 0`, then `+=` floats)",
       observes="`f([])` is Python's int `0`, not `0.0`; a non-empty list still runs native")
def test_local_named_like_a_seed_flag_keeps_the_python_result():
    module = import_source(SEED_FLAG_LOOKALIKE)
    fast = compiled(module.total_of, ("list[float]",))
    assert fast([1.5, 2.0]) == 3.5 and fast.rustify.last_call == "native", fast.rustify.explain()
    got = fast([])
    assert got == 0 and type(got) is int


LONG_NAME = "long_" * 45 + "name"  # 229 characters

HOSTILE_NAMES = f"""
def hostile(xs, ys, py, p0, a0):
    type = 1
    fn = 2
    match = 3
    self = 4
    Self = 5
    crate = 6
    r = 7
    σ = 8
    _u3c3_ = 9
    日本 = 10
    Total = 11
    TOTAL = 12
    k_12 = 13
    v_x = 14
    i = 0
    val = 15
    start = 2
    step = 3
    result = 16
    s0 = 17
    l0 = 18
    b0 = 19
    u_x = 20
    seed_total = True
    t0 = 0
    n = 21
    v = 22
    kernel = 23
    entry = 24
    {LONG_NAME} = 25
    total = 0
    total__seed = False
    for q in range(start, 40, step):
        i = i + q
        step = step + 1
        val = val + 2 * step
    l0, b0 = b0, l0
    t0 = n or v
    for z in xs:
        total += z
    ys[i % len(ys)] = val + a0
    ys.append(p0 * 1.0)
    acc = (type + 2 * fn + 3 * match + 5 * self + 7 * Self + 11 * crate + 13 * r + 17 * σ + 19 * _u3c3_
           + 23 * 日本 + 29 * Total + 31 * TOTAL + 37 * k_12 + 41 * v_x + 43 * i + 47 * val + 53 * start
           + 59 * step + 61 * result + 67 * s0 + 71 * l0 + 73 * b0 + 79 * u_x + 83 * t0 + 89 * n + 97 * v
           + 101 * kernel + 103 * entry + 107 * {LONG_NAME} + 109 * py + 113 * p0)
    if seed_total and not total__seed:
        return total + acc
    return total - acc
"""


@fault("codegen", injects="locals and parameters named like Rust keywords (`type`, `fn`, `match`, `self`, `Self`, "
       "`crate`, `r`), Unicode (`σ`, `日本`, and `_u3c3_`, σ's escape), case variants, a 229-character name and "
       "the generated names (`k_12`, `i`, `val`, `start`, `step`, `result`, `py`, `p0`, `a0`, `s0`, `l0`, `b0`, "
       "`t0`, `total__seed`)",
       observes="it builds, runs native, and returns and mutates exactly what Python does")
def test_hostile_identifiers_compile_and_agree():
    module = import_source(HOSTILE_NAMES)
    fast = compiled(module.hostile, ("list[float]", "list[float]", "int", "int", "float"))
    for xs in ([1.5, 2.5], [-0.0], []):
        args = [xs, [0.5, 1.5, 2.5], 3, 4, 0.25]
        assert_same_outcome(outcome(module.hostile, args), outcome(fast, args))
        assert fast.rustify.last_call == ("native" if xs else "python"), fast.rustify.explain()


_LETTERS = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl")
_unicode_names = st.builds(
    lambda first, rest: unicodedata.normalize("NFKC", first + "".join(rest)),  # the form Python's parser keeps
    st.characters(categories=_LETTERS),
    st.lists(st.characters(categories=_LETTERS + ("Mn", "Mc", "Nd", "Pc")), max_size=8))
_lookalike_names = st.from_regex(r"[a-z_]{1,4}(__seed|_u[0-9a-f]{1,4}_|_[0-9]{1,3}|__)?", fullmatch=True)
_rust_words = st.sampled_from(["type", "fn", "match", "self", "Self", "crate", "super", "mod", "impl", "ref", "mut",
                               "move", "loop", "where", "dyn", "unsafe", "use", "let", "r", "k_3", "val", "step",
                               "start", "result", "py", "p0", "a0", "t0", "n", "v", "entry", "kernel", "u_a",
                               "signal_poll", "range_len", "idx_list", "i_neg", "Fault", "R", "Ok", "Err"])
_RESERVED_BY_THE_BODY = {"xs", "n_steps", "range"}
_identifiers = st.one_of(_unicode_names, _lookalike_names, _rust_words).filter(
    lambda s: s.isidentifier() and not keyword.iskeyword(s) and s not in _RESERVED_BY_THE_BODY)


def _function_with_names(names: list[str]) -> str:
    """`f(xs, n_steps)`: names[0] a seeded float sum (plus its `__seed` look-alike), names[1] the
    loop variable over xs, names[2] over range(n_steps), the rest int locals updated in the loop."""
    acc, item, counter, *ints = names
    lines = ["def f(xs, n_steps):", f"    {acc} = 0", f"    {acc}__seed = False"]
    lines += [f"    {name} = {k + 1}" for k, name in enumerate(ints)]
    lines += [f"    for {item} in xs:", f"        {acc} += {item}", f"    for {counter} in range(n_steps):"]
    lines += [f"        {name} = {name} * 3 + {counter} % {k + 2}" for k, name in enumerate(ints)]
    checksum = " + ".join(f"{k + 1} * {name}" for k, name in enumerate(ints)) or "0"
    lines += [f"    return {acc} + ({checksum})"]
    return "\n".join(lines) + "\n"


@fault("codegen", injects="random valid Python identifiers (Unicode, Rust keywords, generated-name look-alikes) "
       "as the locals of one function",
       observes="it builds, runs native, and agrees with Python")
@settings(max_examples=4, deadline=None)
@given(names=st.lists(_identifiers, min_size=4, max_size=9, unique=True))
def test_random_identifiers_compile_and_agree(names):
    if any(name.endswith("__seed") and name[:-6] == names[0] for name in names):
        names = [name for name in names if name != names[0] + "__seed"]
        if len(names) < 3:
            return
    module = import_source(_function_with_names(names))
    fast = compiled(module.f, ("list[float]", "int"))
    for args in ([[1.5, -0.25], 5], [[2.0], 0]):
        assert_same_outcome(outcome(module.f, args), outcome(fast, args))
        assert fast.rustify.last_call == "native", fast.rustify.explain()
    assert_same_outcome(outcome(module.f, [[], 3]), outcome(fast, [[], 3]))  # the seed guard: Python's int


INJECTED_ATTRIBUTE = '#![doc = include_str!("/etc/hostname")]'


@fault("codegen", injects="a module whose file name holds a newline, `#![doc = include_str!(\"\\x2fetc\\x2fhostname\")]`,"
       " `*`, `\"`, `\\` and a bidi override",
       observes="the crate builds and runs native; the name stays inside its `//` comment (no injected line)")
def test_source_file_name_with_newline_writes_no_rust(tmp_path):
    evil_name = 'kernel\n#![doc = include_str!("\\x2fetc\\x2fhostname")]\n* "q" \\ \u202e.py'
    path = tmp_path / evil_name
    path.write_text("def norm2(xs):\n    s = 0.0\n    for x in xs:\n        s += x * x\n    return s\n")
    module = import_file(path)
    fast = compiled(module.norm2, ("list[float]",))
    assert fast([3.0, 4.0]) == 25.0 and fast.rustify.last_call == "native", fast.rustify.explain()
    rust = fast.rustify.rust_source(("list[float]",))
    code = rust_lines_outside_comments(rust)
    assert not any("include_str" in line or line.startswith("*") for line in code)
    attributes = [line for line in code if line.startswith("#!")]
    assert len(attributes) == 1 and attributes[0].startswith("#![allow(")
    assert rust.splitlines()[0].startswith("// Generated by rustify") and "kernel\\u{a}#![doc" in rust.splitlines()[0]


def sum_of_squares(xs):
    s = 0.0
    for x in xs:
        s += x * x
    return s


@fault("codegen", injects="a function name, source file and signature holding newlines, `#![...]`, `\"`, `\\`, "
       "`*/`, NUL and a bidi override, rendered into a crate and built",
       observes="lib.rs has no injected line, it builds, and `SIGNATURE` reads back exactly the hostile text")
def test_hostile_names_and_signature_render_escaped_and_build():
    fn = analyse(sum_of_squares, ("list[float]",))
    fn.name = 'f"\\ */ \n#![no_std]\x00'
    fn.source_file = '/tmp/a\n#![doc = include_str!("/etc/hostname")]\n/* \x00 \u202e\r.py'
    fn.signature = ('list[float]"); panic!("x\n#![no_std] */ \\', "\x00\u202e\u2028")
    key = hashlib.sha256(repr((fn.name, fn.source_file, fn.signature)).encode() + template_fingerprint().encode())
    name = "rustify_fault_" + key.hexdigest()[:16]
    crate = render_crate(fn, name)
    rust = crate.files["src/lib.rs"]
    code = rust_lines_outside_comments(rust)
    assert not any("include_str" in line or line.lstrip().startswith(("*/", "#!", "panic!")) for line in code
                   if not line.startswith("#![allow("))
    # the hostile signature is only in the SIGNATURE string literal, on its one line
    assert [line.strip()[:20] for line in code if "no_std" in line] == ['m.add("SIGNATURE", "']
    assert "\x00" not in rust and "\u202e" not in rust and "\r" not in rust and "\u2028" not in rust
    for line in rust.splitlines():
        if line.lstrip().startswith("//"):
            assert "*/" not in line and "/*" not in line.lstrip()[2:]
    module = load_extension(build_extension(crate), name, verified=True)
    assert module.SIGNATURE == ", ".join(fn.signature)
    assert module.entry([1.0, 2.0]) == 5.0


@fault("codegen", injects="a template that writes a hostile value (`x\\n#![no_std]`, a quote, a non-ASCII name) "
       "without an escaping filter",
       observes="the render is refused with UnsafeTemplateValue; the escaping filters render it as inert text")
def test_unescaped_template_value_is_refused():
    env = _environment()
    for value in ("x\n#![no_std]", 'a"b', "σ", "*/", 1.5, None, True):
        with pytest.raises(UnsafeTemplateValue):
            env.from_string("let s = {{ value }};").render(value=value)
    rendered = env.from_string("// {{ v|comment }}\nlet s = {{ v|rust_str }}; let {{ v|ident }} = 0;").render(
        v="x\n#![no_std]*/\"σ")
    assert rendered.splitlines() == ['// x\\u{a}#![no_std]* /"σ',
                                     'let s = "x\\u{a}#![no_std]*/\\"\\u{3c3}"; let u_x_ua__u23__u21__u5b_no__std_u5d__u2a__u2f__u22__u3c3_ = 0;']


EXPORTED = """
def scaled(xs):
    t = 0.0
    for x in xs:
        t += 2.0 * x
    return t
"""


@fault("codegen", injects="an exported project whose source path holds `\"\"\"`, a newline and Python code",
       observes="the shim, the originals and pyproject.toml parse, carry the path as text, and hold no injected "
       "statement")
def test_export_source_path_cannot_write_python():
    module = import_source(EXPORTED)
    translations = [analyse(module.scaled, ("list[float]",))]
    source = 'evil"""\nimport os; os.system("touch /tmp/pwned")\n"""\\ \u2028\'.py'
    crate = render_export("scaled_native", [ExportedFunction(module.scaled, translations)], source)
    for path in ("python/scaled_native/__init__.py", "python/scaled_native/_original.py"):
        tree = ast.parse(crate.files[path])
        assert source in ast.get_docstring(tree, clean=False)
        assert not any("pwned" in ast.unparse(node) for node in tree.body[1:]), path
    project = tomllib.loads(crate.files["pyproject.toml"])["project"]
    assert source in project["description"]
    assert not any("pwned" in line for line in rust_lines_outside_comments(crate.files["src/lib.rs"]))
