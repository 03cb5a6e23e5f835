"""Sizes GitHub imposes on what gitml posts, and the room gitml keeps within them."""

from __future__ import annotations

#: GitHub rejects a comment, issue or pull request body over this many characters (422).
COMMENT_LIMIT = 65_536
#: A rendered report's cap: the comment limit less room for gitml's hidden marker.
REPORT_LIMIT = 64_000
