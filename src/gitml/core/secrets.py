"""Secret values gitml holds, and the one function that masks them in everything it posts or
prints, as GitHub masks its logs.

A secret is held when it reaches gitml: the values of the variables that carry tokens and
credentials (``SECRET_VARIABLES``, plus any name listed in ``GITML_SECRET_VARIABLES``), and any
value read elsewhere (a token file) and passed to :func:`hold`. :func:`mask` replaces each held
value, longest first, with ``***``; comments, issue and pull request bodies, check runs, the job
summary, step outputs and every line on stdout and stderr go through it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

MASK = "***"
#: the variables whose values are secrets wherever gitml runs: tokens, registry and storage
#: credentials (the reusable workflows' secret inputs arrive as these)
SECRET_VARIABLES = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GIT_TOKEN",
    "GITML_MANIFESTS_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "REGISTRY_PASSWORD",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_STORAGE_CONNECTION_STRING",
)
#: more variable names whose values are secrets, comma- or space-separated
EXTRA_VARIABLES = "GITML_SECRET_VARIABLES"
#: shorter values are not masked: masking "1" or "ab" would garble every text, and no real
#: token or password is that short
MIN_LENGTH = 6

_held: set[str] = set()


def hold(*values: str | None) -> None:
    """Mask these values from now on, in this process."""
    _held.update(v for v in values if v and len(v) >= MIN_LENGTH)


def secret_values(env: Mapping[str, str] | None = None) -> set[str]:
    """The secret values in ``env`` (default: this process's environment) and the held ones."""
    env = os.environ if env is None else env
    names = [*SECRET_VARIABLES, *env.get(EXTRA_VARIABLES, "").replace(",", " ").split()]
    found = {env.get(name, "") for name in names}
    return {v for v in found | _held if v and len(v) >= MIN_LENGTH}


def mask(text: str, env: Mapping[str, str] | None = None, also: Iterable[str] = ()) -> str:
    """``text`` with every secret value gitml holds replaced by ``***``."""
    values = secret_values(env) | {v for v in also if v and len(v) >= MIN_LENGTH}
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


class MaskedStream:
    """A text stream that masks secrets in what is written to it (stdout and stderr of the
    ``gitml`` command)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(mask(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
