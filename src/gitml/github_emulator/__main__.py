"""``python -m gitml.github_emulator`` (see ``cli.main``)."""

import sys

from gitml.github_emulator.cli import main

sys.exit(main())
