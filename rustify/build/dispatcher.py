"""The native dispatcher's crate (`rust_templates/dispatcher/`): its name, its files, its build.

In: nothing but the template, the pinned crate versions and the toolchain. Out: the
path of the verified extension (`build_dispatcher`), built like every other crate:
same shared CARGO_TARGET_DIR, pins, profile and environment (so PyO3 compiles once),
same build lock, same sha256 sidecar. Its name, `rustify_dispatch_<hash>`, covers
the template, the Cargo/pyproject templates it shares with the function crates,
the rustify version, the Python ABI and the toolchain, so a changed dispatcher is a
new artifact and never overwrites one a process has loaded.
"""

from __future__ import annotations

import hashlib
import sys
import sysconfig
from importlib import resources
from pathlib import Path

DISPATCHER_TEMPLATE = "dispatcher/lib.rs.j2"
_SHARED_TEMPLATES = ("Cargo.toml.j2", "pyproject.toml.j2")


def dispatcher_crate_name() -> str:
    """`rustify_dispatch_<hash>`: cheap (three small file reads and the toolchain fingerprint)."""
    from rustify._version import __version__
    from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION, TEMPLATE_PACKAGE

    from .toolchain import toolchain_fingerprint

    h = hashlib.sha256()
    templates = resources.files(TEMPLATE_PACKAGE)
    for name in (DISPATCHER_TEMPLATE, *_SHARED_TEMPLATES):
        h.update(name.encode() + templates.joinpath(name).read_bytes())
    for part in (__version__, sys.implementation.cache_tag, sysconfig.get_config_var("EXT_SUFFIX") or "",
                 PYO3_VERSION, NUMPY_CRATE_VERSION, toolchain_fingerprint()):
        h.update(part.encode() + b"\0")
    return f"rustify_dispatch_{h.hexdigest()[:24]}"


def dispatcher_crate(name: str):
    """The crate's `CrateSource` (Cargo.toml and pyproject.toml from the shared templates)."""
    from rustify._version import __version__
    from rustify.codegen import NUMPY_CRATE_VERSION, PYO3_VERSION
    from rustify.codegen.crate import CrateSource
    from rustify.codegen.renderer import _environment

    env = _environment()
    values = dict(crate_name=name, version=__version__, pyo3_version=PYO3_VERSION,
                  numpy_crate_version=NUMPY_CRATE_VERSION)
    return CrateSource(name, {
        "Cargo.toml": env.get_template("Cargo.toml.j2").render(**values),
        "pyproject.toml": env.get_template("pyproject.toml.j2").render(**values),
        "src/lib.rs": env.get_template(DISPATCHER_TEMPLATE).render(**values),
    })


def build_dispatcher(name: str, lock_wait: float | None = None) -> Path:
    """Build the dispatcher (or find it built and verified); raises BuildFailed / BuildBusy."""
    from . import build_extension

    return build_extension(dispatcher_crate(name), lock_wait=lock_wait)
