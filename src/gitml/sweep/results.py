"""Result files: one JSON file per run, written where the run happened (this machine or a matrix
job) and read back by ``gitml sweep --collect``. Their content is data from other jobs: read
strictly, never executed."""

from __future__ import annotations

import json
from pathlib import Path

from gitml.errors import UsageError
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


def _read(path: Path) -> tuple[str, int, SweepRun]:
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RESULT_BYTES:
        raise UsageError(f"{path} is not a sweep result file (a regular file under 1 MB)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != RESULT_FORMAT:
            raise TypeError(f"format {document.get('format')!r}")
        position = document.get("position", 0)
        if isinstance(position, bool) or not isinstance(position, int):
            raise TypeError(f"position {position!r}")
        return str(document["base"]), position, SweepRun.from_dict(document["run"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UsageError(
            f"{path} is not a gitml sweep result ({error}); collect only the files that "
            "`gitml sweep --cell` writes"
        ) from None


def collect(directory: Path, cells: list[Cell] | None = None) -> tuple[str | None, list[SweepRun]]:
    """Every result under ``directory`` (artifacts unpack into sub-folders), in grid order when
    ``cells`` is given: a planned cell without a result is a failed run, never a lost one."""
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder of sweep results")
    read = [_read(path) for path in sorted(directory.rglob("*.json"))]
    found = {
        run.name: run for _base, _position, run in sorted(read, key=lambda r: (r[1], r[2].name))
    }
    bases = {base for base, _position, _run in read}
    if len(bases) > 1:
        raise UsageError(
            f"the results in {directory} compare against different bases ({', '.join(sorted(bases))})"
        )
    base = bases.pop() if bases else None
    if cells is None:
        return base, list(found.values())
    runs = [
        found.pop(cell.name)
        if cell.name in found
        else SweepRun(
            cell.name, cell.params, "failed", error="no result: the run's job did not finish"
        )
        for cell in cells
    ]
    runs.extend(found.values())  # results from outside this grid are kept, after it
    return base, runs
