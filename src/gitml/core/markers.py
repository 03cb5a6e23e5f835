"""gitml's hidden markers (``<!-- gitml:KIND key=VALUE -->``) in the text it posts, kept apart
from the content around them.

A marker tells gitml which comment, issue or pull request is its own. Two rules keep content
from impersonating one: :func:`neutralize` turns every gitml marker inside content (a metric name,
a categorical value, a summary) into visible text (``&lt;!-- gitml:...``), so no content line can
be a marker; and :func:`holds` matches a marker only as a whole line of its own, exactly, never
as a substring (``id=classifier.prod`` is not ``id=classifier.production``, and a marker quoted
inside a table row or a chart is not one).
"""

from __future__ import annotations

import re

#: the start of any gitml marker, however spaced or cased (HTML comments are case-sensitive in
#: gitml's own markers, but a look-alike is neutralized all the same)
_OPENING = re.compile(r"<!--(?=\s*/?\s*gitml\s*:)", re.IGNORECASE)


def neutralize(content: str) -> str:
    """``content`` with every gitml marker made visible text, so it cannot act as one."""
    return _OPENING.sub("&lt;!--", content)


def holds(body: str | None, marker: str) -> bool:
    """``body`` has ``marker`` as a whole line of its own."""
    return any(line.strip() == marker for line in (body or "").splitlines())


def attach(content: str, marker: str) -> str:
    """The body to post: the content (its markers neutralized), a blank line, the marker."""
    return f"{neutralize(content).rstrip()}\n\n{marker}\n"
