"""Benchmark: a 6-run grid with `gitml sweep --jobs 2` against the same runs made one after the
other with `dvc exp run -S ...`, on the reference project.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/sweep.py            # throwaway clone of this repository
    .venv/bin/python bench/sweep.py --jobs 2 --repeats 3

Setup. The repository root is `git clone`d into a temporary folder and `dvc pull`ed from the
embedded local remote (offline). Each side starts from the same clean clone state: experiments
removed (`dvc exp remove --all`) and the run-cache emptied (`.dvc/cache/runs`), so that both
sides really train (a run-cache hit would make the second side free).

Grid: train.params.max_depth in (2, 3, 5) x train.params.n_estimators in (50, 150), six runs.

What is printed: each side's wall time (median of the repeats), the ratio gitml/sequential
(target at most 0.7x on 2 cores) and whether every leaderboard value equals the metrics DVC
recorded for that experiment (`dvc exp show --json`). It exits 0 either way.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GITML, DVC = str(BIN / "gitml"), str(BIN / "dvc")
DEPTHS, TREES = (2, 3, 5), (50, 150)
TARGET = 0.7


def environment() -> dict[str, str]:
    env = dict(os.environ, DVC_NO_ANALYTICS="1")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(cwd: Path, *command: str) -> None:
    subprocess.run(command, cwd=cwd, env=environment(), check=True, capture_output=True)


def reset(project: Path) -> None:
    """No experiments and an empty run-cache: every run trains."""
    run(project, DVC, "exp", "remove", "--all", "-q")
    shutil.rmtree(project / ".dvc" / "cache" / "runs", ignore_errors=True)
    shutil.rmtree(project / ".gitml" / "sweep", ignore_errors=True)


def sequential(project: Path) -> float:
    started = time.perf_counter()
    for depth in DEPTHS:
        for trees in TREES:
            run(
                project,
                DVC,
                "exp",
                "run",
                "--temp",
                "-q",
                "-S",
                f"train.params.max_depth={depth}",
                "-S",
                f"train.params.n_estimators={trees}",
            )
    return time.perf_counter() - started


def gitml_sweep(project: Path, jobs: int) -> float:
    started = time.perf_counter()
    run(
        project,
        GITML,
        "sweep",
        "--jobs",
        str(jobs),
        "-S",
        "train.params.max_depth=" + ",".join(map(str, DEPTHS)),
        "-S",
        "train.params.n_estimators=" + ",".join(map(str, TREES)),
        "--json",
        "leaderboard.json",
    )
    return time.perf_counter() - started


def values_agree(project: Path) -> bool:
    """Every leaderboard metric equals what DVC recorded for that experiment."""
    board = json.loads((project / "leaderboard.json").read_text())
    shown = subprocess.run(
        [DVC, "exp", "show", "--json"],
        cwd=project,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    recorded = {}
    for baseline in json.loads(shown):
        for exp in baseline.get("experiments") or []:
            for rev in exp["revs"]:
                recorded[rev["name"]] = rev["data"]["metrics"]["metrics.json"]["data"]
    return len(board["runs"]) == 6 and all(
        recorded[r["name"]][m["name"]] == m["value"] for r in board["runs"] for m in r["metrics"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitml-bench-sweep-") as tmp:
        project = Path(tmp) / "project"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(project)], check=True)
        run(project, DVC, "pull", "-q")
        times: dict[str, list[float]] = {"sequential": [], "gitml": []}
        agree = True
        for _ in range(args.repeats):
            reset(project)
            times["sequential"].append(sequential(project))
            reset(project)
            times["gitml"].append(gitml_sweep(project, args.jobs))
            agree = agree and values_agree(project)
    seq, ours = (statistics.median(times[k]) for k in ("sequential", "gitml"))
    print(f"dvc exp run x6, one after the other: {seq:6.1f} s (median of {args.repeats})")
    print(f"gitml sweep --jobs {args.jobs}:              {ours:6.1f} s")
    verdict = "met" if ours / seq <= TARGET else "NOT met"
    print(f"ratio gitml/sequential: {ours / seq:.2f}x (target <= {TARGET}x: {verdict})")
    print(f"leaderboard values equal each experiment's own metrics: {agree}")


if __name__ == "__main__":
    main()
