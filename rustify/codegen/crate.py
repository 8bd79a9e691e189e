"""`CrateSource`: the data type the codegen stage hands to the build stage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CrateSource:
    """A complete generated crate, ready for maturin.

    `name` is `rustify_<hash>`: the Cargo package name, the library name and the
    `#[pymodule]` name all at once, so the built module imports under it.
    `files` maps paths relative to the crate root ("Cargo.toml",
    "pyproject.toml", "src/lib.rs") to their text.
    """

    name: str
    files: dict[str, str] = field(default_factory=dict)
