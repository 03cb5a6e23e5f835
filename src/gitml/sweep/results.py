"""Result files: one JSON file per run, written where the run happened (this machine or a matrix
job) and read back by ``gitml sweep --collect`` and ``--apply``. Their content is data from other
jobs (which ran a pull request's code): read strictly (known keys, exact types, ``passed`` a
boolean), accepted only as runs of the grid being collected (name and params exactly a cell's),
never executed; ``--apply`` writes only the grid's params."""

from __future__ import annotations

import json
from pathlib import Path

from gitml.errors import InputError, UsageError
from gitml.sweep.grid import Cell
from gitml.sweep.model import RESULT_FORMAT, SweepRun

#: Where ``gitml sweep`` keeps the results of the last local sweep (``--apply`` reads them).
DEFAULT_RESULTS = Path(".gitml") / "sweep"
#: A result file is a few KiB; anything far larger is not one.
MAX_RESULT_BYTES = 1_000_000


def save(directory: Path, base: str, run: SweepRun, position: int) -> Path:
    """Write ``run``'s result file atomically (a half-written file would be read as broken)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{run.name}.json"
    tmp = path.with_suffix(".json.tmp")
    document = {"format": RESULT_FORMAT, "base": base, "position": position, "run": run.to_dict()}
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


DOCUMENT_KEYS = {"format", "base", "position", "run"}


def _read(path: Path) -> tuple[str, int, SweepRun]:
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RESULT_BYTES:
        raise InputError(f"{path} is not a sweep result file (a regular file under 1 MB)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or set(document) != DOCUMENT_KEYS:
            raise ValueError(f"keys are not exactly {sorted(DOCUMENT_KEYS)}")
        if document["format"] != RESULT_FORMAT or isinstance(document["format"], bool):
            raise ValueError(f"format {document['format']!r}")
        position, base = document["position"], document["base"]
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValueError(f"position {position!r}")
        if not isinstance(base, str) or not 0 < len(base) < 256:
            raise ValueError(f"base {base!r}")
        return base, position, SweepRun.from_dict(document["run"])
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise InputError(
            f"{path} is not a gitml sweep result ({str(error)[:300]}); collect only the files "
            "that `gitml sweep --cell` writes"
        ) from None


def collect(directory: Path, cells: list[Cell]) -> tuple[str | None, list[SweepRun]]:
    """Every result under ``directory`` (artifacts unpack into sub-folders), in grid order: a
    planned cell without a result is a failed run, never a lost one. A result is data another
    job wrote: it must be a run of this grid (its name and params exactly a cell's), once."""
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder of sweep results")
    planned = {cell.name: cell for cell in cells}
    found: dict[str, SweepRun] = {}
    bases: set[str] = set()
    for path in sorted(directory.rglob("*.json")):
        base, _position, run = _read(path)
        cell = planned.get(run.name)
        if cell is None or _canonical(run.params) != _canonical(cell.params):
            raise InputError(
                f"{path} is not a run of this grid (run {run.name!r} with params "
                f"{_canonical(run.params)[:200]}); collect with the same -S specs as the plan, "
                "and only the files its runs wrote"
            )
        if run.name in found:
            raise InputError(f"{path}: a second result for run {run.name}; keep one per run")
        found[run.name], bases = run, bases | {base}
    if len(bases) > 1:
        raise InputError(
            f"the results in {directory} compare against different bases ({', '.join(sorted(bases))})"
        )
    runs = [
        found[cell.name]
        if cell.name in found
        else SweepRun(
            cell.name, cell.params, "failed", error="no result: the run's job did not finish"
        )
        for cell in cells
    ]
    return (bases.pop() if bases else None), runs


def _canonical(params: dict) -> str:
    """Params compared exactly: 4 and 4.0, "4" and 4 are different values."""
    return json.dumps(params, sort_keys=True, allow_nan=True)
