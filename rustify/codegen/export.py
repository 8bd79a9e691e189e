"""Export: translated functions -> one maturin project whose wheel needs no rustify.

In: a package name and, per function, the live function plus its translated
`ir.Function` for each signature (`ExportedFunction`).
Out: a `CrateSource` holding the whole project, rendered from
`rust_templates/export_*.j2`:

    Cargo.toml, pyproject.toml      one crate, one extension module `<package>._native`
    src/lib.rs                      every specialization (function.rs.j2 each)
    python/<package>/__init__.py    the shim: native first, the original Python otherwise
    python/<package>/_original.py   copies of the original functions and the globals they read

The originals are copied rather than imported from the user's module: the
wheel then stands alone (a script is not importable, and the installing
machine may not have the user's code), and the fall back runs exactly the
source that was translated. The native code raises the shim's own `Deopt`
(`<package>.Deopt`), so nothing imports rustify.
"""

from __future__ import annotations

import ast
import keyword
import math
import sys
import types
from dataclasses import dataclass

from rustify._version import __version__
from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION
from rustify.codegen.crate import CrateSource

NATIVE_MODULE = "_native"


class ExportError(ValueError):
    """The functions cannot be exported as asked (the message says why)."""


@dataclass
class ExportedFunction:
    """One function to export: the live function and its translations (one per signature)."""

    func: types.FunctionType
    translations: list  # of ir.Function, each for its own signature


def render_export(package: str, functions: list[ExportedFunction], source: str,
                  package_version: str = "0.1.0") -> CrateSource:
    """The maturin project for `functions` as package `package` (raises ExportError)."""
    from rustify.codegen.renderer import PythonCode, export_entry_name, function_context, render_template

    if not (package.isascii() and package.isidentifier()) or keyword.iskeyword(package):
        raise ExportError(f"package name {package!r} is not an ASCII Python identifier")
    names = [f.func.__name__ for f in functions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExportError(f"two exported functions share the name {duplicates[0]!r}; export them separately")
    if not functions or any(not f.translations for f in functions):
        raise ExportError("nothing to export: every function needs at least one translated signature")

    rust_functions, exports, prelude = [], [], {}
    for f in functions:
        specializations = []
        for i, fn in enumerate(f.translations):
            entry = export_entry_name(f.func.__name__, i)
            context = dict(function_context(fn, deopt_module=package, kernel_name=f"kernel_{entry}"),
                           entry_name=entry, entry_python_name=entry)
            rust_functions.append(dict(python_name=f.func.__name__, signature=fn.signature, entry_name=entry,
                                       rust=render_template("function.rs.j2", context)))
            specializations.append(dict(signature=fn.signature, entry_name=entry))
        text, needs = original_source(f.func)
        for name, line in needs.items():
            if prelude.setdefault(name, line) != line:
                raise ExportError(f"the exported functions read different values as global {name!r}; "
                                  "export them separately")
        exports.append(dict(python_name=f.func.__name__, nargs=f.func.__code__.co_argcount,
                            specializations=specializations, original_source=PythonCode(text)))

    translations = [fn for f in functions for fn in f.translations]
    context = dict(
        version=__version__, package=package, package_version=package_version, source=source,
        module_name=NATIVE_MODULE, functions=rust_functions, exports=exports,
        prelude=[PythonCode(prelude[k])
                 for k in sorted(prelude, key=lambda k: (not prelude[k].startswith(("import", "from")), k))],
        dependencies=["numpy"] if _needs_numpy(translations, prelude) else [],
        python_min=f"{sys.version_info.major}.{sys.version_info.minor}",
        pyo3_version=PYO3_VERSION, numpy_crate_version=NUMPY_CRATE_VERSION, deopt_module=package,
    )
    return CrateSource(package, {
        "Cargo.toml": render_template("export_Cargo.toml.j2", context),
        "pyproject.toml": render_template("export_pyproject.toml.j2", context),
        "src/lib.rs": render_template("export_lib.rs.j2", context),
        f"python/{package}/__init__.py": render_template("export_shim.py.j2", context),
        f"python/{package}/_original.py": render_template("export_original.py.j2", context),
    })


def original_source(func: types.FunctionType) -> tuple[str, dict[str, str]]:
    """`func`'s source without decorators, and name -> the line that binds each global it reads."""
    from rustify.analysis.source import global_names, load_source

    src = load_source(func)
    tree = ast.parse(src.text)
    fdef = next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)
    if fdef is None:
        raise ExportError(f"{func.__qualname__}: source is not a plain `def`")
    text = "".join(src.text.splitlines(keepends=True)[fdef.lineno - 1:]).rstrip() + "\n"
    needs = {}
    for name in global_names(ast.parse(text)):  # the decorators' names are not needed
        if name in func.__globals__:
            needs[name] = _binding(name, func.__globals__[name], func.__qualname__)
    return text, needs


def _binding(name: str, value, where: str) -> str:
    """A line of Python that binds `name` to `value` in a fresh module."""
    line = _binding_line(name, value, where)
    if line is None:
        raise ExportError(f"{where} reads the global {name!r} ({type(value).__name__}), which the export cannot copy")
    return line


def _dotted_name(text) -> bool:
    """`text` is a Python dotted name (`numpy`, `os.path`): safe to write into an import line."""
    return isinstance(text, str) and all(part.isidentifier() and not keyword.iskeyword(part)
                                         for part in text.split("."))


def _binding_line(name: str, value, where: str) -> str | None:
    if isinstance(value, types.ModuleType):
        module = value.__name__
        if not _dotted_name(module):
            return None
        return f"import {module}" if module == name else f"import {module} as {name}"
    # the base types' own repr: a subclass's __repr__ could write any text into the line
    if isinstance(value, bool):
        return f"{name} = {bool(value)!r}"
    if isinstance(value, int):
        return f"{name} = {int.__repr__(value)}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"{name} = float({float.__repr__(value)!r})"
        return f"{name} = {float.__repr__(value)}"
    module_name = getattr(value, "__module__", None) or ("numpy" if type(value).__name__ == "ufunc" else None)
    attr = getattr(value, "__name__", None)
    if not (_dotted_name(attr) and "." not in attr and _dotted_name(module_name or "numpy")):
        return None
    module = sys.modules.get(module_name or "")
    if module is not None and getattr(module, attr, None) is value:
        return f"from {module_name} import {attr}" + ("" if attr == name else f" as {name}")
    if module_name == "numpy" or (module_name or "").startswith("numpy."):
        numpy = sys.modules.get("numpy")
        if numpy is not None and getattr(numpy, attr, None) is value:
            return f"from numpy import {attr}" + ("" if attr == name else f" as {name}")
    return None


def _needs_numpy(translations: list, prelude: dict[str, str]) -> bool:
    from rustify import ir

    if any("numpy" in line.split() or "numpy." in line for line in prelude.values()):
        return True
    for fn in translations:
        types_ = [p.type for p in fn.params] + [fn.return_type]
        if any(isinstance(t, ir.Array1) or (isinstance(t, ir.Scalar) and t.name.startswith("np.")) for t in types_):
            return True
    return False
