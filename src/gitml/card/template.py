"""``MODEL_CARD.md``: the part of every model card the project writes once (``gitml init``
writes a starting one): YAML front matter (license, language, tags, datasets, pipeline_tag...)
and Markdown sections (intended use, limitations, contacts). gitml adds the rest per version.

The file is read as committed at the version's commit, so each card says what the project said
then; a version older than the file gets the working tree's (the card names which).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gitml.card.model import CardTemplate
from gitml.core.git import run_git
from gitml.errors import ConfigError

TEMPLATE_FILE = "MODEL_CARD.md"
#: Front matter gitml writes itself for every version: the template may not set them.
GENERATED_KEYS = ("model-index",)


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a Markdown file that may start with ``---`` YAML ``---``."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        raise ConfigError(f"{where}: the front matter opened by --- is never closed; add ---")
    try:
        data = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{where}: its front matter is not YAML ({error}); fix it") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: its front matter must be a YAML mapping (key: value)")
    body = text[end + 4 :].lstrip("-").lstrip("\n")
    return data, body


def read_template(root: Path | str, commit: str) -> CardTemplate:
    """The template at ``commit``, else in the working tree, else an empty one."""
    shown = run_git(root, "show", f"{commit}:./{TEMPLATE_FILE}", check=False)
    if shown.returncode == 0:
        text, source = shown.stdout, f"{TEMPLATE_FILE} at {commit[:12]}"
    elif (Path(root) / TEMPLATE_FILE).is_file():
        text = (Path(root) / TEMPLATE_FILE).read_text(encoding="utf-8")
        source = f"{TEMPLATE_FILE} (working tree)"
    else:
        return CardTemplate()
    metadata, body = split_front_matter(text, source)
    for key in GENERATED_KEYS:
        if key in metadata:
            raise ConfigError(
                f"{source} sets {key}, which gitml writes for each version from its metrics; "
                "remove it from the front matter"
            )
    return CardTemplate(metadata, body.strip(), source)
