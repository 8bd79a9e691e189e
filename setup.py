"""Installs `rustify-auto.pth` next to the package (metadata is in pyproject.toml).

The .pth file makes `RUSTIFY_AUTO=pkg python app.py` work: at interpreter start
it checks the variable and, only when it is set, imports rustify._auto_startup.
A wheel carries it at its root (build_py copies it into build_lib); an editable
install (`pip install -e .`, PEP 660) gets it added to the editable wheel.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = Path(__file__).resolve().parent / "rustify-auto.pth"


class build_py_with_pth(build_py):
    """build_py that also puts rustify-auto.pth at the root of the wheel."""

    def run(self):
        super().run()
        self.copy_file(str(PTH), str(Path(self.build_lib, PTH.name)), preserve_mode=0)

    def get_outputs(self, *args, **kwargs):
        return [*super().get_outputs(*args, **kwargs), str(Path(self.build_lib, PTH.name))]


cmdclass = {"build_py": build_py_with_pth}

try:
    from setuptools.command.editable_wheel import editable_wheel
except ImportError:  # setuptools < 64 has no PEP 660 editable wheels
    editable_wheel = None

if editable_wheel is not None and hasattr(editable_wheel, "_run_build_commands"):
    class editable_wheel_with_pth(editable_wheel):
        """Editable wheel that also carries rustify-auto.pth (it runs from site-packages)."""

        def _run_build_commands(self, dist_name, unpacked_wheel, build_lib, tmp_dir):
            result = super()._run_build_commands(dist_name, unpacked_wheel, build_lib, tmp_dir)
            self.copy_file(str(PTH), str(Path(unpacked_wheel, PTH.name)), preserve_mode=0)
            return result

    cmdclass["editable_wheel"] = editable_wheel_with_pth

setup(cmdclass=cmdclass)
