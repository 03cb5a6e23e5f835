"""Step outputs for GitHub Actions: the one writer of ``$GITHUB_OUTPUT``.

A one-line value is written ``name=value``. A value with a line break is written the way GitHub
documents for multi-line values, between ``name<<DELIMITER`` and ``DELIMITER`` lines, with a random
delimiter, so no value can end the block early or smuggle in another output. Secret values are
masked (``core/secrets.py``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path

from gitml.core.secrets import mask


def format_output(name: str, value: str | None) -> str:
    """One output as the lines ``$GITHUB_OUTPUT`` takes; None is an empty value."""
    if not name or "=" in name or "<" in name or any(c in name for c in "\r\n"):
        raise ValueError(f"output name {name!r} cannot be written to $GITHUB_OUTPUT")
    text = "" if value is None else mask(str(value))
    if "\n" not in text and "\r" not in text:
        return f"{name}={text}\n"
    delimiter = f"gitml_{uuid.uuid4().hex}"
    return f"{name}<<{delimiter}\n{text}\n{delimiter}\n"


def write_outputs(values: Mapping[str, str | None], path: Path | str | None = None) -> Path | None:
    """Append ``values`` to ``path`` (default: the file ``$GITHUB_OUTPUT`` names).

    Returns the file written, or None when there is none (not running in GitHub Actions).
    """
    target = path if path is not None else os.environ.get("GITHUB_OUTPUT")
    if not target:
        return None
    text = "".join(format_output(name, value) for name, value in values.items())
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(text)
    return Path(target)
