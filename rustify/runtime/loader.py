"""Load a built extension module from its path (the build stage's output)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_extension(path: Path, name: str) -> ModuleType:
    """Import the extension at `path`; `name` must equal its `#[pymodule]` name.

    Artifacts are content-addressed (a new build gets a new name and path), so
    the dlopen cache can never hand back stale code.
    """
    cached = sys.modules.get(name)
    if cached is not None:
        return cached
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module
