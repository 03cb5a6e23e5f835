"""Step outputs for GitHub Actions: ``name=value`` lines appended to ``$GITHUB_OUTPUT`` when set."""

from __future__ import annotations

import os
from pathlib import Path


def write_outputs(values: dict[str, str | None]) -> Path | None:
    """Append ``values`` to the file named by ``$GITHUB_OUTPUT``; None when it is not set."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return None
    lines = []
    for key, value in values.items():
        text = "" if value is None else str(value)
        if "\n" in text:
            raise ValueError(f"output {key} must be one line")
        lines.append(f"{key}={text}\n")
    with open(target, "a", encoding="utf-8") as handle:
        handle.writelines(lines)
    return Path(target)
