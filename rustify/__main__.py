"""`python -m rustify ...`: the same as the `rustify` command."""

import sys

from rustify.cli import main

sys.exit(main())
