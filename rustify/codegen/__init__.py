"""Codegen stage: typed IR -> a complete Rust crate (`CrateSource`).

In: an `ir.Function` and the crate name chosen by the cache key.
Out: `CrateSource` with Cargo.toml, pyproject.toml and src/lib.rs, rendered
from the Jinja templates in `rust_templates/` (`renderer.py` prepares the values;
all Rust text lives in the templates).

This module stays light (no IR, no jinja) because the cache key needs
`template_fingerprint()` and the crate versions on every cache hit.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

PYO3_VERSION = "0.30.1"
NUMPY_CRATE_VERSION = "0.30.0"
TEMPLATE_PACKAGE = "rustify.rust_templates"


# The translator's own source: what it generates depends on these as much as on
# the templates, so they are part of the cache key too.
_TRANSLATOR_DIRS = ("ir", "analysis", "codegen")  # beside this package, read without importing them


@lru_cache(maxsize=1)
def template_fingerprint() -> str:
    """Hash of everything that shapes a runtime crate's text: every template it uses
    (the export_*.j2 templates only shape exported wheels) and the source of the IR,
    analysis and codegen packages. A changed translator gives new crate names."""
    h = hashlib.sha256()
    for entry in sorted(resources.files(TEMPLATE_PACKAGE).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".j2") and not entry.name.startswith("export_"):
            h.update(entry.name.encode() + entry.read_bytes())
    root = Path(__file__).resolve().parent.parent
    for sub in _TRANSLATOR_DIRS:
        for path in sorted((root / sub).rglob("*.py")):
            h.update(f"{path.relative_to(root)}".encode() + path.read_bytes())
    return h.hexdigest()


def render(fn, crate_name: str, wide_fn=None):
    """Render the crate for `fn` (an `ir.Function`; `wide_fn`: its wide specialisation, run
    when `fn` overflows); returns a `CrateSource`."""
    from rustify.codegen.renderer import render_crate

    return render_crate(fn, crate_name, wide_fn)
