"""Auto mode at interpreter start: what `rustify-auto.pth` runs when RUSTIFY_AUTO is set.

The .pth line checks the environment variable itself, so an interpreter without
RUSTIFY_AUTO never imports this module. Here the settings are read
(RUSTIFY_AUTO, RUSTIFY_MODE, ... over [tool.rustify]) and the import hook is
installed for the listed packages. A problem is reported on stderr in one
line and never stops the interpreter.
"""

from __future__ import annotations

import sys


def start() -> None:
    try:
        from rustify.config import settings
        from rustify.import_hook import install_import_hook

        packages = settings().auto
        if packages:
            install_import_hook(packages)
    except Exception as e:  # noqa: BLE001 - startup must never break the interpreter
        print(f"rustify: RUSTIFY_AUTO ignored: {type(e).__name__}: {e}", file=sys.stderr)


start()
