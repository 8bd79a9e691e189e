"""Where built artifacts live in the cache, and the cheap check for one.

Only stdlib modules that are nearly free to import: this is on the path of
every fresh process that loads a cached artifact.
"""

from __future__ import annotations

import functools
import os
import sysconfig
from pathlib import Path

from rustify.config import cache_dir

# The Cache Directory Tagging marker (https://bford.info/cachedir/): backup
# tools skip the directory, and `rustify cache` knows the directory is rustify's.
CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rustify.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
# What rustify puts in its cache dir; `rustify cache` refuses a dir holding anything else.
LAYOUT = ("crates", "lib", "target", "tmp", "toolchain", "runs", "Cargo.lock", "build.lock", CACHEDIR_TAG)


@functools.cache
def ext_suffix() -> str:
    """This interpreter's extension-module suffix, e.g. `.cpython-311-x86_64-linux-gnu.so`."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not suffix:  # pragma: no cover - every CPython sets it
        import importlib.machinery

        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    return suffix


def artifact_path(name: str) -> Path:
    """Where the built extension for crate `name` lives. Pure path computation, no I/O."""
    return cache_dir() / "lib" / f"{name}{ext_suffix()}"


def find_artifact(name: str) -> Path | None:
    """The artifact's path if it has been built, else None. One stat, nothing else."""
    path = artifact_path(name)
    return path if os.path.isfile(path) else None
