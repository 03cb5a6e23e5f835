"""DVC's ``-S``/``--set-param``: its value grammar, and writing params files with it.

``dvc exp run -S`` reads values with Hydra's override grammar (``dvc/utils/hydra.py``), not
YAML: ``yes``, ``no``, ``on``, ``off`` and ``2020-01-01`` stay strings, ``1e-3`` is a float,
``'a,b'`` one quoted string, ``a,b`` (or ``choice(a,b)``, ``range(1,4)``) a sweep of values, and
YAML tags or anchors (``!!binary``, ``&a``) are not values at all. gitml parses a sweep's specs
with the same parser, and writes each value back in that grammar (strings quoted), checked to
read back equal, so the value DVC sets is the one gitml planned.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from gitml.errors import ConfigError, UsageError, describe_exception

#: the value types a param may take (what JSON and YAML both hold)
SCALARS = (str, int, float, bool, type(None))


def parse_values(name: str, text: str) -> list[Any]:
    """The values of ``name=text`` as ``dvc exp run -S`` reads them: one value, or each value
    of a choice or range sweep; a ``UsageError`` naming the spec otherwise."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    spec = f"{name}={text}"
    try:
        override = OverridesParser.create().parse_overrides([spec])[0]
        values: list[Any] = (
            list(override.sweep_iterator()) if override.is_sweep_override() else [override.value()]
        )
    except (HydraException, ValueError, TypeError) as error:
        raise UsageError(
            f"-S {spec!r} is not a value DVC's -S reads ({describe_exception(error)}); values are "
            "numbers, true/false, null, text ('quoted' when it holds a comma), [lists] or {maps}"
        ) from None
    return [plain(value, spec) for value in values]


def plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON-able data (Hydra's strings, lists and maps), or a ``UsageError``."""
    from hydra.core.override_parser.types import QuotedString

    if isinstance(value, QuotedString):  # a quoted item of a sweep
        return value.text
    if isinstance(value, SCALARS):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, (list, tuple)):
        return [plain(item, where) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item, where) for key, item in value.items()}
    raise UsageError(f"-S {where!r}: {value!r} is not a number, text, list or map")


def render(value: Any) -> str:
    """``value`` in DVC's ``-S`` grammar (text always quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        # Hydra reads a backslash as itself, except in a run before a quote or the closing one
        text = re.sub(r"(\\*)'", lambda m: m.group(1) * 2 + "\\'", value)
        return "'" + re.sub(r"(\\+)$", lambda m: m.group(1) * 2, text) + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(render(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{key}:{render(item)}" for key, item in value.items()) + "}"
    raise UsageError(f"{value!r} cannot be passed to DVC's -S")


def override(key: str, value: Any) -> str:
    """``key=value`` for ``dvc exp run -S``, checked to read back as ``value``."""
    text = render(value)
    _, _, dotted = key.rpartition(":")
    read = parse_values(dotted, text)
    if len(read) != 1 or not _same(read[0], value):
        raise UsageError(f"{key}: {value!r} cannot be passed to DVC's -S exactly")
    return f"{key}={text}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b if not isinstance(a, (list, dict)) else a == b


def set_params(root: Path | str, overrides: list[str]) -> None:
    """Write ``-S``-style overrides (``[file:]name=value``) into the params files, as
    ``dvc exp run -S`` does (comments and order kept): all of them, or none (a failure restores
    every file written before it)."""
    from dvc.exceptions import DvcException
    from dvc.utils.cli_parse import to_path_overrides
    from dvc.utils.hydra import apply_overrides

    by_file = {Path(root) / path: items for path, items in to_path_overrides(overrides).items()}
    saved = {path: path.read_bytes() if path.is_file() else None for path in by_file}
    try:
        for path, items in by_file.items():
            apply_overrides(path, items)
    except (DvcException, OSError, ValueError) as error:
        for path, content in saved.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        raise ConfigError(
            f"could not set params ({describe_exception(error)}); no params file was changed"
        ) from error
