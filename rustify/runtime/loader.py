"""Load a built extension module from its path (the build stage's output).

Nothing is dlopen()ed unless it matches the digest recorded when it was built
(`rustify.build.cache.verify_artifact`): a truncated or overwritten `.so`
would crash the process (SIGBUS, SIGSEGV) instead of raising.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_extension(path: Path, name: str, verified: bool = False) -> ModuleType:
    """Import the extension at `path`; `name` must equal its `#[pymodule]` name.

    Raises CorruptArtifact (a BuildFailed) unless the file matches its recorded
    digest; `verified=True` skips the hash for a path `find_artifact` or
    `build_extension` has just checked.

    Artifacts are content-addressed (a new build gets a new name and path), so
    the dlopen cache can never hand back stale code.
    """
    cached = sys.modules.get(name)
    if cached is not None:
        return cached
    if not verified:
        from rustify.build.cache import CorruptArtifact, verify_artifact

        if not verify_artifact(path):
            raise CorruptArtifact(f"{path} does not match the digest recorded when it was built; not loading it")
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module
