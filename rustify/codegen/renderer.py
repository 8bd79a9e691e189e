"""Render an `ir.Function` into a `CrateSource` through the Jinja templates.

This module only prepares the values the templates need; the Rust text is in
`rust_templates/`. It also owns the two rules about what reaches that text:

- Naming: every identifier the templates write is made by one of the filters
  in `NAMING`. A user's variable `x` becomes `u_<escaped x>` (injective, ASCII:
  `_` doubled, any other character that is not an ASCII letter or digit as
  `_u<hex>_`); every generated name (seed flags, loop counters, temporaries,
  the entry's locals) starts otherwise, so no user name can meet one.
- Escaping: the environment's `finalize` checks every `{{ }}` value. Text
  rustify generated (`GeneratedText`: a template's or macro's output, a
  rendered type or literal) and plain ASCII tokens go through; anything else
  must pass an escaping filter (`rust_str`, `comment`, `toml_str`, `py_str`,
  `py_doc`, `py_ident`) or the render is refused. A forgotten escape is an
  error, never injected code.
"""

from __future__ import annotations

import keyword
import math
import os
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from rustify import ir
from rustify._version import __version__
from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION, TEMPLATE_PACKAGE
from rustify.codegen.crate import CrateSource

class GeneratedText(str):
    """Text rustify generated from checked parts; the templates render it as it is."""


class RustCode(GeneratedText):
    """Rust text rustify generated (a type, a literal, a name, a rendered template)."""


class PythonCode(GeneratedText):
    """Python text for the export: generated, or the user's function source copied on purpose."""


class UnsafeTemplateValue(ValueError):
    """A template wrote a value that is neither generated text nor passed through an escaping filter."""


# Plain strings the templates may write unescaped: ASCII words, numbers, paths
# (`std::cmp::min`, `0.30.1`) and the operators the expression macros choose.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.]*(::[A-Za-z0-9_]+)*")
_OPERATORS = frozenset({"+", "-", "*", "<", "<=", ">", ">=", "==", "!=", "&&", "||"})


def _finalize(value):
    """Jinja's finalize: what every `{{ }}` value must be before it joins the output."""
    import jinja2

    if isinstance(value, (GeneratedText, jinja2.Undefined)):
        return value  # StrictUndefined raises when Jinja turns it into text
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if type(value) is str and (_PLAIN_TOKEN.fullmatch(value) or value in _OPERATORS):
        return value
    raise UnsafeTemplateValue(
        f"template value {value!r} is not known-safe text: build it as RustCode in renderer.py, or pass it "
        "through a naming filter (ident, seed_flag, loop_counter) or an escaping filter "
        "(rust_str, comment, toml_str, py_str, py_doc, py_ident)")


# ------------------------------------------------------------------ naming


def _escape_name(name: str) -> str:
    """Injective, ASCII: letters and digits stay, `_` doubles, anything else is `_u<hex>_`."""
    return "".join(ch if ch.isascii() and ch.isalnum() else "__" if ch == "_" else f"_u{ord(ch):x}_"
                   for ch in name)


def user_ident(name: str) -> RustCode:
    """The Rust name of the user's variable or parameter `name` (only these start with `u_`)."""
    return RustCode("u_" + _escape_name(name))


def seed_flag(name: str) -> RustCode:
    """The flag that says the user's variable `name` still holds its seed constant."""
    return RustCode("seed_" + _escape_name(name))


def bound_flag(name: str) -> RustCode:
    """The flag that says the user's variable `name` has been assigned (`ir.UnboundGuard`)."""
    return RustCode("bound_" + _escape_name(name))


def loop_counter(line: int) -> RustCode:
    """The counter of the loop that starts on source line `line` (one loop header per line)."""
    return RustCode(f"k_{int(line)}")


def export_entry_name(function_name: str, index: int) -> RustCode:
    """The Rust and Python name of an exported function's `index`-th specialization."""
    return RustCode(f"{_escape_name(function_name)}__{int(index)}")


def comp_label(label: int) -> RustCode:
    """The block label and accumulator of the comprehension (or object loop) numbered `label`."""
    return RustCode(f"c_{int(label)}")


def slot_name(slot: ir.ArraySlot) -> RustCode:
    """The prefix of the locals (`_p` pointer, `_d<k>` lengths, `_s<k>` strides) that hold an
    array's data pointer and shape for one fast loop (`ir.ArraySlot`)."""
    return RustCode(f"sl_{int(slot.line)}_{int(slot.index)}")


# One function owns each kind of name; the templates reach them as filters.
NAMING = {"ident": user_ident, "seed_flag": seed_flag, "bound_flag": bound_flag, "loop_counter": loop_counter, "comp_label": comp_label,
          "slot_name": slot_name}


# ------------------------------------------------------------------ escaping


def _text(value) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise UnsafeTemplateValue(f"cannot render {type(value).__name__} {value!r} as text")
    return str(value)


def rust_str(value) -> RustCode:
    """A Rust string literal with exactly `value`'s characters (a lone surrogate becomes U+FFFD)."""
    out = []
    for ch in _text(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\u{{{0xFFFD if 0xD800 <= code <= 0xDFFF else code:x}}}")
    return RustCode('"' + "".join(out) + '"')


def _visible(ch: str) -> bool:
    """A character that ends no comment or line and changes no text direction."""
    return unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn")


def comment_text(value) -> GeneratedText:
    """Text for inside a `//`, `/* */` or `#` comment: no line breaks, no control or
    direction characters (shown as `\\u{..}`), no comment delimiters."""
    text = "".join(ch if _visible(ch) else f"\\u{{{ord(ch):x}}}" for ch in _text(value))
    while "*/" in text or "/*" in text:
        text = text.replace("*/", "* /").replace("/*", "/ *")
    return GeneratedText(text)


def toml_str(value) -> GeneratedText:
    """A TOML basic string with exactly `value`'s characters."""
    out = []
    for ch in _text(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~" or (ord(ch) > 0x7F and _visible(ch)):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\U{0xFFFD if 0xD800 <= code <= 0xDFFF else code:08x}")
    return GeneratedText('"' + "".join(out) + '"')


def py_str(value) -> PythonCode:
    """A Python string literal with exactly `value`'s characters."""
    return PythonCode(repr(_text(value)))


def py_doc(value) -> PythonCode:
    """Text for inside a triple-quoted docstring: quotes, backslashes and control characters escaped."""
    return PythonCode(repr(_text(value))[1:-1].replace('"', '\\"'))


def py_ident(value) -> PythonCode:
    """`value` if it is a Python identifier (not a keyword); anything else is refused."""
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise UnsafeTemplateValue(f"{value!r} is not a Python identifier")
    return PythonCode(value)


def join_text(items, separator: str = "") -> str:
    """Jinja's `join`, except that generated text joined by a plain separator stays generated text."""
    items = list(items)
    text = str(separator).join(str(i) for i in items)
    if separator in _JOIN_SEPARATORS and all(isinstance(i, GeneratedText) for i in items):
        return GeneratedText(text)
    return text


_JOIN_SEPARATORS = ("", ", ", " ", ",")


ESCAPING = {"rust_str": rust_str, "comment": comment_text, "toml_str": toml_str, "py_str": py_str,
            "py_doc": py_doc, "py_ident": py_ident, "join": join_text}


def rust_type(t: ir.Type) -> RustCode:
    """The Rust type that holds a value of IR type `t` inside the kernel (`t.rust`)."""
    return RustCode(t.rust)


def rust_literal(c: ir.Const) -> RustCode:
    """A Rust literal with exactly the constant's value."""
    return RustCode(_literal_text(c))


def _literal_text(c: ir.Const) -> str:
    v = c.value
    if isinstance(c.type, ir.Complex):
        return f"Cx::new({_literal_text(ir.Const(ir.FLOAT, v.real))}, {_literal_text(ir.Const(ir.FLOAT, v.imag))})"
    if c.type == ir.NONE:
        return "()"
    if c.type == ir.BOOL:
        return "true" if v else "false"
    if c.type == ir.PYINT:
        return f'bi_parse(py, "{int(v)}")?'  # an int constant past 64 bits (lower/bigints.py)
    if c.type == ir.INT:
        return "i64::MIN" if v == -(2**63) else (f"({int(v)}i64)" if v < 0 else f"{int(v)}i64")
    v = float(v)
    if math.isnan(v):
        return "f64::NAN"
    if math.isinf(v):
        return "f64::INFINITY" if v > 0 else "f64::NEG_INFINITY"
    text = repr(v)
    if "e" not in text and "." not in text:
        text += ".0"
    return f"({text}f64)" if text.startswith("-") else f"{text}f64"


def _raise(message: str):
    raise AssertionError(message)


@lru_cache(maxsize=1)
def _environment():
    import jinja2  # imported here: a cache hit must not pay for jinja2

    def load(name: str) -> str:
        return resources.files(TEMPLATE_PACKAGE).joinpath(name).read_text()

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False, finalize=_finalize)
    # A template's (and a macro's) output is its own text plus finalized values: generated text.
    env.concat = lambda parts: GeneratedText("".join(parts))
    env.filters.update(NAMING)
    env.filters.update(ESCAPING)
    env.filters["kind"] = lambda node: type(node).__name__
    env.filters["rtype"] = rust_type
    env.filters["literal"] = rust_literal
    env.filters["unbox"] = lambda t: RustCode(t.unbox)  # a value read from a Python object (types.py)
    env.filters["box"] = lambda t: RustCode(t.box)  # a value stored into one
    env.filters["check"] = lambda t: RustCode(t.check)  # what an object must hold all the way down
    env.globals["raise"] = _raise
    return env


def _param_context(index: int, p: ir.Param, snapshot: bool, writes_visible: bool = True) -> dict:
    """How argument `index` crosses the boundary, from its type's `Boundary`.

    mode "value": converted by value; "copy": checked as an exact list, copied into a
    Vec, written back after the call if mutated; "view": a zero-copy numpy slice
    (`snapshot`: copied first, so a Deopt can restore it before Python re-runs)."""
    t = p.type
    b = t.boundary
    arg = b.arg_unwritten if b.arg_unwritten and not writes_visible else b.arg
    common = dict(index=index, name=p.name, mode=b.mode, arg=RustCode(arg), mutated=p.mutated,
                  write_back=RustCode(b.write_back or ""), snapshot=False)
    if b.mode in ("value", "object"):  # "object": the caller's own object, checked deeply
        return dict(common, elem=RustCode(t.rust), mutated=False, kernel_type=RustCode(t.rust),
                    **{"pass": RustCode(f"p{index}")})
    if b.mode == "copy":
        elem = t.item.rust
        kernel_type = f"&mut {t.rust}" if p.mutated else f"&[{elem}]"
        passed = f"&mut p{index}" if p.mutated else f"&p{index}"
        return dict(common, elem=RustCode(elem), kernel_type=RustCode(kernel_type), **{"pass": RustCode(passed)})
    elem = t.storage
    if t.is_slice:  # 1-D C-contiguous: a Rust slice, the fastest loops
        kernel_type = f"&mut [{elem}]" if p.mutated else f"&[{elem}]"
        passed = f"&mut *p{index}" if p.mutated else f"p{index}"
    else:  # any other array: an ndarray view with the caller's strides
        view = "ArrayViewMut" if p.mutated else "ArrayView"
        kernel_type = f"numpy::ndarray::{view}<'_, {elem}, {t.dim}>"
        passed = f"p{index}.view_mut()" if p.mutated else f"p{index}.view()"
    return dict(common, elem=RustCode(elem), snapshot=p.mutated and snapshot, kernel_type=RustCode(kernel_type),
                dim=RustCode(t.dim), is_slice=t.is_slice, c_order=t.ndim > 1 and t.layout == "C",
                **{"pass": RustCode(passed)})


def _sub_statements(s: ir.Stmt) -> list:
    """The statements nested in `s` (loop and `if` bodies, handlers, ...), one level down."""
    import dataclasses

    out = []
    for f in dataclasses.fields(s):
        value = getattr(s, f.name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ir.Stmt):
                out.append(item)
            elif isinstance(item, ir.Handler):
                out.extend(item.body)
    return out


def _is_loop(s: ir.Stmt) -> bool:
    return type(s).__name__.startswith(("For", "While"))


def chunked_loops(body: list) -> set:
    """Lines of the innermost `for k in range(a, b)` loops (step 1) and `for x in seq` loops with no
    other loop, `break` or `try` inside: they run in chunks, one signal tick per chunk (expr.rs.j2;
    a `for x in seq` only when `seq` is an array), so the compiler can vectorise them. A `break`
    would leave only the chunk, so such loops keep a tick per step."""
    out: set = set()

    def walk(stmts) -> bool:  # True if `stmts` holds a loop, break or try at any depth
        found = False
        for s in stmts:
            inner = walk(_sub_statements(s))
            if not inner and (isinstance(s, ir.ForEach) or (
                    isinstance(s, ir.ForRange) and not s.reverse
                    and isinstance(s.step, ir.Const) and s.step.value == 1)):
                out.add(s.line)
            found = found or inner or _is_loop(s) or type(s).__name__ in ("Break", "Try", "TryExit")
        return found

    walk(body)
    return out


def has_fast_loops(body: list) -> bool:
    """Does `body` hold a loop with a fast (versioned) body, at any depth?"""
    return any((isinstance(s, ir.ForRange) and s.fast is not None) or has_fast_loops(_sub_statements(s))
               for s in body)


def _return_context(t: ir.Type) -> dict:
    return dict(rust_type=rust_type(t), converter=RustCode(t.boundary.ret))


# Where generated code finds the `Deopt` exception it raises: rustify's runtime,
# or (for an exported wheel that must not need rustify) the wheel's own package.
RUNTIME_DEOPT_MODULE = "rustify.runtime.deopt"


def function_context(fn: ir.Function, deopt_module: str = RUNTIME_DEOPT_MODULE, kernel_name: str = "kernel",
                     unit: dict | None = None) -> dict:
    """Template values for one function (function.rs.j2 and the crate around it); its
    callees' kernels (named after `kernel_name`) are rendered into `callee_kernels`.
    `unit`: for a callee, the names and flags of the compile unit it belongs to."""
    params = [_param_context(i, p, fn.may_deopt, fn.writes_visible_objects) for i, p in enumerate(fn.params)]
    list_params = [p for p in params if p["mode"] == "copy"]
    alias_pairs = [(a["index"], b["index"]) for a in list_params for b in list_params
                   if a["index"] < b["index"] and (a["mutated"] or b["mutated"])]
    array_names = {p.name for p in fn.params if isinstance(p.type, ir.Array)}
    array_names |= {n for n, t in fn.locals.items() if isinstance(t, ir.Array)}
    bool_arrays = {n for n, t in [(p.name, p.type) for p in fn.params] + list(fn.locals.items())
                   if isinstance(t, ir.Array) and t.elem.name == "np.bool"}  # held as bytes
    # N-D C-contiguous arrays: elements are read at a flat offset (the innermost stride is one)
    c_arrays = {n for n, t in [(p.name, p.type) for p in fn.params] + list(fn.locals.items())
                if isinstance(t, ir.Array) and t.ndim > 1 and t.layout == "C"}
    uses_objects = fn.uses_objects or any(
        t.is_object for t in [p.type for p in fn.params] + list(fn.locals.values()) + [fn.return_type])
    context = dict(
        fn=fn, version=__version__, params=params, uses_objects=uses_objects,
        locals=[(n, rust_type(t), RustCode(t.rust_init)) for n, t in fn.locals.items()],
        ret=_return_context(fn.return_type), alias_pairs=alias_pairs, array_names=array_names, bool_arrays=bool_arrays,
        c_arrays=c_arrays, chunked_loops=chunked_loops(fn.body),
        # numpy's float errors: the entry reads the IEEE flags after the kernel (ir.Function)
        checks_fp_status=fn.checks_fp_status or any(c.checks_fp_status for c in fn.callees),
        # no array argument is written: the views skip rust-numpy's borrow registration
        writes_arrays=any(p["mode"] == "view" and p["mutated"] for p in params),
        # a kernel with vectorisable loops is compiled twice, for AVX2 and for any CPU, and
        # picks one at run time (the artifact stays the same for every x86-64 machine)
        multiversion=(fn.unit_id == 0 and not uses_objects and not fn.recursive
                      and any(has_fast_loops(f.body) for f in [fn, *fn.callees])),
        # (a panic in a function that logs its writes undoes them, but not its attribute writes)
        unrestorable_writes=fn.writes_visible_objects
        or any(p["mode"] == "view" and p["mutated"] and not p["snapshot"] for p in params),
        # a kernel that mutates a copy of a list keeps the GIL, so no other thread writes
        # that list before the copy goes back, and one that works on Python objects needs
        # it; the others release it
        holds_gil=uses_objects or any(p["mode"] == "copy" and p["mutated"] for p in params),
        pyo3_version=PYO3_VERSION, numpy_crate_version=NUMPY_CRATE_VERSION, deopt_module=deopt_module,
        kernel_name=RustCode(kernel_name), entry_name="entry", entry_python_name="entry",
    )
    return _with_callees(context, fn, deopt_module, unit)


def callee_kernel_name(kernel_name: str, unit_id: int) -> RustCode:
    """The Rust name of specialisation `unit_id` of the unit whose root kernel is `kernel_name`."""
    return RustCode(kernel_name if unit_id == 0 else f"{kernel_name}_c{int(unit_id)}")


def _with_callees(context: dict, fn: ir.Function, deopt_module: str, unit: dict | None) -> dict:
    """`context` plus the compile unit: `callee_names` (unit id -> kernel name, for calls),
    `unit_recursive` (kernels take a `Frames` depth bound), and, for the root, the callees'
    kernels rendered by function.rs.j2 (`kernel_only`) in `callee_kernels`."""
    if unit is None:
        root = str(context["kernel_name"])
        names = {c.unit_id: callee_kernel_name(root, c.unit_id) for c in [fn, *fn.callees]}
        unit = dict(callee_names=names, unit_recursive=fn.recursive)
    context.update(unit, kernel_only=fn.unit_id != 0, callee_kernels=[])
    template = _environment().get_template("function.rs.j2")
    for callee in fn.callees:
        callee_context = function_context(callee, deopt_module, unit["callee_names"][callee.unit_id], unit)
        context["callee_kernels"].append(RustCode(template.render(callee_context)))
        context["holds_gil"] = context["holds_gil"] or callee_context["holds_gil"]
    return context


def render_crate(fn: ir.Function, crate_name: str, wide_fn: ir.Function | None = None) -> CrateSource:
    """Render the crate for `fn`; `crate_name` is also the Python module name. `wide_fn`: the
    wide specialisation of the same signature; the entry then runs `fn`'s kernel and, when it
    asks to re-run because of an int overflow, the wide one (lib.rs.j2)."""
    env = _environment()
    context = dict(function_context(fn), crate_name=crate_name, wide=None)
    if wide_fn is not None:
        context.update(entry_name="entry_i64", entry_python_name="entry_i64")
        wide = function_context(wide_fn, kernel_name="kernel_wide")
        wide.update(entry_name="entry_wide", entry_python_name="entry_wide")
        context["wide"] = RustCode(env.get_template("function.rs.j2").render(wide))

    return CrateSource(crate_name, {
        "Cargo.toml": env.get_template("Cargo.toml.j2").render(context),
        "pyproject.toml": env.get_template("pyproject.toml.j2").render(context),
        "src/lib.rs": env.get_template("lib.rs.j2").render(context),
    })


def render_template(name: str, context: dict) -> str:
    """Render one template of rust_templates/ with `context` (for the export)."""
    return _environment().get_template(name).render(context)


# A forked child starts with a new Jinja environment: the parent's template cache and its
# lock may have been in use by another thread at the fork.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_environment.cache_clear)
