"""Render an `ir.Function` into a `CrateSource` through the Jinja templates.

This module only prepares the values the templates need; the Rust text is in
`rust_templates/`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

from rustify import ir
from rustify._version import __version__
from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION, TEMPLATE_PACKAGE
from rustify.codegen.crate import CrateSource

_RUST_TYPES = {"float": "f64", "np.float64": "f64", "int": "i64", "np.int64": "i64", "bool": "bool"}
_RETURN_CONVERTERS = {"float": "ret_float", "np.float64": "ret_np_float64", "int": "ret_int",
                      "np.int64": "ret_np_int64", "bool": "ret_bool"}


def rust_type(t: ir.Type) -> str:
    """The Rust type that holds a value of IR type `t` inside the kernel."""
    if isinstance(t, ir.Scalar):
        return _RUST_TYPES[t.name]
    if isinstance(t, (ir.ListOf, ir.Array1)):
        return f"Vec<{_RUST_TYPES.get(t.elem.name, 'f64')}>"
    return "()"


def rust_literal(c: ir.Const) -> str:
    """A Rust literal with exactly the constant's value."""
    v = c.value
    if c.type == ir.BOOL:
        return "true" if v else "false"
    if c.type == ir.INT:
        return "i64::MIN" if v == -(2**63) else (f"({v}i64)" if v < 0 else f"{v}i64")
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
                             keep_trailing_newline=True, autoescape=False)
    env.filters["kind"] = lambda node: type(node).__name__
    env.filters["rtype"] = rust_type
    env.filters["literal"] = rust_literal
    env.globals["raise"] = _raise
    return env


def _param_context(index: int, p: ir.Param, snapshot: bool) -> dict:
    t = p.type
    if isinstance(t, ir.Scalar):
        return dict(index=index, name=p.name, kind="scalar", elem=_RUST_TYPES[t.name], mutated=False,
                    snapshot=False, kernel_type=_RUST_TYPES[t.name], **{"pass": f"p{index}"})
    elem = _RUST_TYPES[t.elem.name]
    if isinstance(t, ir.ListOf):
        kernel_type = f"&mut Vec<{elem}>" if p.mutated else f"&[{elem}]"
        passed = f"&mut p{index}" if p.mutated else f"&p{index}"
        return dict(index=index, name=p.name, kind="list", elem=elem, mutated=p.mutated, snapshot=False,
                    kernel_type=kernel_type, **{"pass": passed})
    kernel_type = f"&mut [{elem}]" if p.mutated else f"&[{elem}]"
    passed = f"&mut *p{index}" if p.mutated else f"p{index}"
    return dict(index=index, name=p.name, kind="array", elem=elem, mutated=p.mutated,
                snapshot=p.mutated and snapshot, kernel_type=kernel_type, **{"pass": passed})


def _return_context(t: ir.Type) -> dict:
    if isinstance(t, ir.Scalar):
        return dict(rust_type=_RUST_TYPES[t.name], converter=_RETURN_CONVERTERS[t.name])
    if isinstance(t, ir.ListOf):
        return dict(rust_type=rust_type(t), converter="ret_list")
    if isinstance(t, ir.Array1):
        return dict(rust_type=rust_type(t), converter="ret_array")
    return dict(rust_type="()", converter="ret_none")


# Where generated code finds the `Deopt` exception it raises: rustify's runtime,
# or (for an exported wheel that must not need rustify) the wheel's own package.
RUNTIME_DEOPT_MODULE = "rustify.runtime.deopt"


def function_context(fn: ir.Function, deopt_module: str = RUNTIME_DEOPT_MODULE) -> dict:
    """Template values for one function (function.rs.j2 and the crate around it)."""
    params = [_param_context(i, p, fn.may_deopt) for i, p in enumerate(fn.params)]
    list_params = [p for p in params if p["kind"] == "list"]
    alias_pairs = [(a["index"], b["index"]) for a in list_params for b in list_params
                   if a["index"] < b["index"] and (a["mutated"] or b["mutated"])]
    array_names = {p.name for p in fn.params if isinstance(p.type, ir.Array1)}
    array_names |= {n for n, t in fn.locals.items() if isinstance(t, ir.Array1)}
    return dict(
        fn=fn, version=__version__, params=params,
        locals=[(n, rust_type(t)) for n, t in fn.locals.items()],
        ret=_return_context(fn.return_type), alias_pairs=alias_pairs, array_names=array_names,
        unrestorable_writes=any(p["kind"] == "array" and p["mutated"] and not p["snapshot"] for p in params),
        pyo3_version=PYO3_VERSION, numpy_crate_version=NUMPY_CRATE_VERSION, deopt_module=deopt_module,
        kernel_name="kernel", entry_name="entry", entry_python_name="entry",
    )


def render_crate(fn: ir.Function, crate_name: str) -> CrateSource:
    """Render the crate for `fn`; `crate_name` is also the Python module name."""
    env = _environment()
    context = dict(function_context(fn), crate_name=crate_name)
    return CrateSource(crate_name, {
        "Cargo.toml": env.get_template("Cargo.toml.j2").render(context),
        "pyproject.toml": env.get_template("pyproject.toml.j2").render(context),
        "src/lib.rs": env.get_template("lib.rs.j2").render(context),
    })


def render_template(name: str, context: dict) -> str:
    """Render one template of rust_templates/ with `context` (for the export)."""
    return _environment().get_template(name).render(context)
