"""`python -m digest.cli`: the `digest` command, for where the script is not on PATH."""

import sys

from digest.cli import main

sys.exit(main())
