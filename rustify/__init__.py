"""rustify: make slow pure-Python numeric functions fast by translating them to Rust.

    @rustify.accelerate(eager=True)
    def euclidean(p1, p2): ...

`accelerate` wraps a function; each argument signature gets its own native
specialization, and anything that cannot be translated keeps running as
Python (`f.rustify.explain()` says why).
"""

from rustify._version import __version__
from rustify.accelerate import accelerate
from rustify.errors import BuildFailed, Reason, RustifyWarning, Untranslatable
from rustify.import_hook import install_import_hook, uninstall_import_hook
from rustify.profile_block import profile

__all__ = ["__version__", "accelerate", "profile", "install_import_hook", "uninstall_import_hook", "BuildFailed", "Reason", "RustifyWarning", "Untranslatable"]
