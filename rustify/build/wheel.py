"""Build an exported project (`rustify accelerate --build`) into a wheel.

In: a `CrateSource` from `rustify.codegen.export.render_export` and a directory.
Out: the project written to that directory and, from `build_wheel`, the path of
a wheel under `<directory>/dist/` that installs without Rust or rustify.

The build shares rustify's cargo target dir, pins and seed Cargo.lock (so
PyO3 and numpy are not compiled again) and its build lock; unlike the
runtime's builds it asks maturin for a portable (manylinux) wheel.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from rustify.codegen.crate import CrateSource
from rustify.config import cache_dir
from rustify.errors import BuildFailed


def write_project(project: CrateSource, directory: Path) -> list[Path]:
    """Write the project's files under `directory` (created if needed); returns their paths.

    Files of an earlier export are overwritten; nothing else in the directory is touched.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, text in project.files.items():
        parts = PurePosixPath(rel)
        if parts.is_absolute() or ".." in parts.parts:
            raise ValueError(f"project file {rel!r} escapes the output directory")
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def build_wheel(project: CrateSource, directory: Path) -> Path:
    """Write `project` to `directory` and build its wheel into `directory/dist`; the wheel's path.

    Raises BuildFailed (with the log at `directory/build.log`) when the
    toolchain is missing or the build fails.
    """
    from .builder import check_toolchain, exclusive_lock, prepare_cache, run_maturin_build

    check_toolchain()
    directory = directory.resolve()
    write_project(project, directory)
    root = cache_dir()
    prepare_cache(root)
    dist = directory / "dist"
    dist.mkdir(exist_ok=True)
    log_path = directory / "build.log"
    with exclusive_lock(root / "build.lock", project.name), tempfile.TemporaryDirectory(
        prefix=f"wheel-{os.getpid()}-", dir=root / "tmp"
    ) as tmp:
        run_maturin_build(directory, root, Path(tmp), log_path, project.name, portable=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise BuildFailed(f"maturin produced {len(wheels)} wheels, expected 1", str(log_path))
        target = dist / wheels[0].name
        shutil.copyfile(wheels[0], target.with_name(target.name + ".tmp"))
        os.replace(target.with_name(target.name + ".tmp"), target)
    return target
