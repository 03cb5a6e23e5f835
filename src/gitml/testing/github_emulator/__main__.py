"""``python -m gitml.testing.github_emulator`` (see ``cli.main``)."""

import sys

from gitml.testing.github_emulator.cli import main

sys.exit(main())
