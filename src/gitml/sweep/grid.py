"""The grid: ``-S key=v1,v2`` specs (DVC's ``exp run -S`` syntax) or ``[tool.gitml.sweep]``, as
named cells, each one set of param overrides.

Values are read as DVC's own ``-S`` reads them (``dvc_adapter.parse_values``: Hydra's grammar,
so ``yes`` stays text and ``'a,b'`` is one value), and each cell's overrides are written back in
that grammar, so DVC sets exactly the planned value. ``$GITML_SWEEP_SET`` holds several specs:
one per line, or on one line separated by white space outside quotes and brackets (a value with a
space is quoted: ``name='a b'``)."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from dataclasses import dataclass
from typing import Any

from gitml import dvc_adapter
from gitml.errors import ConfigError, UsageError

#: GitHub refuses a job matrix of more than 256 jobs.
MATRIX_LIMIT = 256
DEFAULT_PARAMS_FILE = "params.yaml"
#: files DVC reads as pipeline definitions, never as params to set
NOT_PARAMS = ("dvc.yaml", "dvc.lock")


@dataclass(frozen=True)
class Axis:
    """One swept param: its file, dotted name and the values to try."""

    file: str
    name: str
    values: tuple[Any, ...]

    @property
    def key(self) -> str:
        """The name as DVC's ``-S`` takes it (the file only when it is not params.yaml)."""
        return self.name if self.file == DEFAULT_PARAMS_FILE else f"{self.file}:{self.name}"


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a stable name, the params it sets (``key`` -> value) and its place
    in the grid (which breaks ties in the leaderboard, wherever the run ran)."""

    name: str
    params: dict[str, Any]
    position: int = 0

    def overrides(self) -> list[str]:
        """The params as DVC ``-S`` overrides, in DVC's grammar (text quoted)."""
        return [dvc_adapter.override(key, value) for key, value in self.params.items()]


def split_specs(text: str) -> tuple[str, ...]:
    """``$GITML_SWEEP_SET``'s specs: split on line breaks, and on white space outside quotes
    and brackets (``a=1,2 b='x y'`` is two specs)."""
    specs, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{(":
            depth += 1
        elif char in "]})":
            depth = max(depth - 1, 0)
        elif char.isspace() and (depth == 0 or char in "\r\n"):
            specs.append(current)
            current, depth = "", 0
            continue
        current += char
    specs.append(current)
    return tuple(spec for spec in specs if spec)


def parse_spec(spec: str) -> Axis:
    """``[file:]dotted.name=v1,v2,...`` as an axis; values are read as DVC's -S reads them."""
    name, sep, raw = spec.partition("=")
    name = name.strip()
    if not sep or not name or not raw.strip():
        raise UsageError(f"-S {spec!r}: use -S name=value1,value2 (e.g. -S train.lr=0.1,0.01)")
    file, colon, dotted = name.rpartition(":")
    file = file if colon else DEFAULT_PARAMS_FILE
    values = dvc_adapter.parse_values(dotted, raw.strip())
    if len(set(map(_key, values))) != len(values):
        raise UsageError(f"-S {spec!r} lists a value twice")
    return Axis(file=file, name=dotted, values=tuple(values))


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def axes_from_config(params: dict[str, Any]) -> list[Axis]:
    """``[tool.gitml.sweep] params = {"train.lr" = [0.1, 0.01]}`` as axes."""
    axes = []
    for name, values in params.items():
        file, colon, dotted = name.rpartition(":")
        plain = tuple(dvc_adapter.plain(value, name) for value in values)
        axes.append(Axis(file=file if colon else DEFAULT_PARAMS_FILE, name=dotted, values=plain))
    return axes


def cell_name(params: dict[str, Any]) -> str:
    """A name that depends on the params only, so a rerun of the same cell reuses its name (and
    DVC's experiment ref) and the matrix job, the result file and the leaderboard row agree."""
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()
    return f"sweep-{digest[:7]}"


def expand(axes: list[Axis], max_runs: int | None = None, seed: int = 0) -> list[Cell]:
    """The product of the axes as cells, in grid order; with ``max_runs``, a seeded random subset
    (kept in grid order so the plan reads like the grid)."""
    if not axes:
        raise UsageError(
            "nothing to sweep: pass -S name=v1,v2 or set [tool.gitml.sweep] params in pyproject.toml"
        )
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        raise UsageError(f"a param is swept twice: {', '.join(sorted(keys))}")
    combos = [
        dict(zip(keys, values, strict=True))
        for values in itertools.product(*(a.values for a in axes))
    ]
    positions = list(range(len(combos)))
    if max_runs is not None and max_runs < len(combos):
        positions = sorted(random.Random(seed).sample(positions, max_runs))
    return [Cell(cell_name(combos[i]), combos[i], i) for i in positions]


def check_params_exist(axes: list[Axis], known: dict[str, set[str]]) -> None:
    """Every swept param must exist in its params file (``known``: file -> dotted names), before
    anything runs: a typo would otherwise train the same model N times."""
    for axis in axes:
        names = known.get(axis.file)
        if names is None or axis.file.endswith((*NOT_PARAMS, ".dvc")):
            raise ConfigError(
                f"swept param {axis.key}: {axis.file} is not a params file of this project"
            )
        if axis.name not in names:
            close = sorted(n for n in names if n.rsplit(".", 1)[-1] == axis.name.rsplit(".", 1)[-1])
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ConfigError(f"swept param {axis.key} is not in {axis.file}{hint}")


def check_matrix_size(cells: list[Cell]) -> None:
    """GitHub runs at most 256 jobs per matrix; say so before a workflow fails obscurely."""
    if len(cells) > MATRIX_LIMIT:
        raise UsageError(
            f"the grid has {len(cells)} runs, more than GitHub's limit of {MATRIX_LIMIT} jobs per "
            "matrix; drop values or set [tool.gitml.sweep] max_runs"
        )


def find_cell(cells: list[Cell], name: str) -> Cell:
    """The cell called ``name``; a clear error naming the grid's cells otherwise."""
    for cell in cells:
        if cell.name == name:
            return cell
    raise UsageError(
        f"no run named {name!r} in this grid (runs: {', '.join(c.name for c in cells)}); "
        "pass the same -S specs as the plan"
    )
