"""Reading ``params.yaml`` for the built-in stages, with clear errors for missing keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gitml.errors import ConfigError

DEFAULT_PARAMS_FILE = "params.yaml"


def load_params(path: Path | str = DEFAULT_PARAMS_FILE) -> dict[str, Any]:
    """Load the params file as a dict; a missing or malformed file is a ``ConfigError``."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path} not found; gitml's stages read their settings from it")
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}".splitlines()[0]) from None
    if not isinstance(params, dict):
        raise ConfigError(f"{path} must be a mapping of sections (data, prepare, train, ...)")
    return params


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    """Return one section of the params, or raise naming the missing section."""
    value = params.get(name)
    if not isinstance(value, dict):
        raise ConfigError(f"params.yaml has no '{name}:' section; gitml's {name} stage needs it")
    return value
