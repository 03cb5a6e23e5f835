"""Benchmark: `gitml report` against the DVC command chain CML users run today, same project, same revisions.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/report.py                  # throwaway copy of the reference project
    .venv/bin/python bench/report.py --runs 9
    .venv/bin/python bench/report.py --project DIR    # an existing DVC project whose HEAD~1 differs

What is compared. A pull-request comment made with CML today is built from one DVC process per
section, each of which opens the repository, reads both revisions and renders its own piece:

    dvc metrics diff HEAD~1 --md
    dvc params diff HEAD~1 --md
    dvc plots diff HEAD~1 --targets <id> --show-vega      # once per plot: --show-vega takes one target

(`HEAD~1` is passed explicitly, as CML workflows pass `main`; with no revision these commands
compare HEAD with the workspace, which in a clean checkout is an empty diff.) The plot ids are
the keys of the top-level `plots:` list of `dvc.yaml`. The gitml side is one process::

    gitml report --base HEAD~1 -o report.md --json report.json

which does strictly more work: it writes the Markdown comment, the JSON data and an offline HTML
file with every plot rendered, and evaluates the quality gates. Both sides compare HEAD~1 with the
workspace (a clean checkout of HEAD).

Setup. By default the repository root (the directory above `bench/`) is `git clone`d into a
temporary directory; there `gitml run --pull` reproduces the pipeline from the embedded local DVC
remote (offline), then `train.params.max_depth` is changed in `params.yaml` (4 -> 3), the
pipeline rerun and the result committed, so that HEAD~1 differs in params, metrics and plots.

Timing. Each side is run once to warm up (discarded: the first `gitml report` builds the cached
JavaScript bundle for the HTML file, and both warm the OS file cache), then N times, alternating,
wall time measured with `time.perf_counter` around `subprocess.run` (output to /dev/null). The
chain's time is the sum of its commands, run sequentially as a CI job runs them. It prints the
median and minimum of each side and the ratio gitml/chain of the medians against the target
(at most 0.25x). It exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # not resolved: the venv's bin/, where gitml and dvc live
GITML = str(BIN / "gitml")
DVC = str(BIN / "dvc")
TARGET = 0.25


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DVC_NO_ANALYTICS="1",
        GIT_AUTHOR_NAME="gitml bench",
        GIT_AUTHOR_EMAIL="bench@gitml.invalid",
        GIT_COMMITTER_NAME="gitml bench",
        GIT_COMMITTER_EMAIL="bench@gitml.invalid",
        # dvc.yaml stages call `gitml stage ...`
        PATH=os.pathsep.join([str(BIN), env.get("PATH", "")]),
    )
    return env


def setup(root: Path, dest: Path, env: dict[str, str]) -> None:
    """Clone `root` into `dest`, reproduce it, then commit a max_depth change on top."""

    def step(*cmd: str, cwd: Path = dest) -> None:
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    print(f"setting up {dest} ...", file=sys.stderr)
    step("git", "clone", "--quiet", str(root), str(dest), cwd=root)
    step(GITML, "run", "--pull")
    params = dest / "params.yaml"
    text = params.read_text()
    if text.count("max_depth: 4") != 1:
        sys.exit("params.yaml: expected exactly one `max_depth: 4` to change")
    params.write_text(text.replace("max_depth: 4", "max_depth: 3"))
    step(GITML, "run")
    step("git", "commit", "--quiet", "-am", "bench: max_depth 4 -> 3")


def plot_ids(project: Path) -> list[str]:
    spec = yaml.safe_load((project / "dvc.yaml").read_text())
    ids = []
    for entry in spec.get("plots") or []:
        ids.extend(entry if isinstance(entry, dict) else [entry])
    if not ids:
        sys.exit(f"{project}/dvc.yaml: no top-level plots")
    return ids


def timed(commands: list[list[str]], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    for cmd in commands:
        subprocess.run(
            cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    return time.perf_counter() - start


def measure(project: Path, runs: int, env: dict[str, str], out: Path) -> None:
    plots = plot_ids(project)
    gitml = [
        [GITML, "report", "--base", "HEAD~1", "-o", str(out / "report.md"),
         "--json", str(out / "report.json")],
    ]  # fmt: skip
    chain = [
        [DVC, "metrics", "diff", "HEAD~1", "--md"],
        [DVC, "params", "diff", "HEAD~1", "--md"],
        *([DVC, "plots", "diff", "HEAD~1", "--targets", plot, "--show-vega"] for plot in plots),
    ]
    print(f"project: {project}", file=sys.stderr)
    print(f"chain: {len(chain)} dvc commands ({len(plots)} plots); warming up ...", file=sys.stderr)
    timed(gitml, project, env)
    timed(chain, project, env)

    times: dict[str, list[float]] = {"gitml": [], "chain": []}
    for i in range(runs):
        times["gitml"].append(timed(gitml, project, env))
        times["chain"].append(timed(chain, project, env))
        print(
            f"run {i + 1}/{runs}: gitml {times['gitml'][-1]:.2f}s  chain {times['chain'][-1]:.2f}s",
            file=sys.stderr,
        )

    medians = {side: statistics.median(values) for side, values in times.items()}
    ratio = medians["gitml"] / medians["chain"]
    print(f"runs: {runs} each, alternating, after 1 warm-up each")
    print(f"{'':44} {'median':>8} {'min':>8}")
    labels = {
        "gitml": "gitml report --base HEAD~1 (md+json+html)",
        "chain": f"dvc metrics+params diff, plots diff x{len(plots)}",
    }
    for side, label in labels.items():
        print(f"{label:44} {medians[side]:7.2f}s {min(times[side]):7.2f}s")
    print(f"ratio gitml/chain (medians): {ratio:.2f}x")
    print(f"target <= {TARGET}x: {'met' if ratio <= TARGET else 'not met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument(
        "--project",
        type=Path,
        help="existing DVC project to measure in place (HEAD~1 must exist); "
        "default: a throwaway copy of the reference project",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    for exe in (GITML, DVC):
        if not Path(exe).exists():
            sys.exit(f"{exe} not found: run with the project's .venv/bin/python")

    env = environment()
    with tempfile.TemporaryDirectory(prefix="gitml-bench-") as tmp:
        tmp_path = Path(tmp)
        out = tmp_path / "out"
        out.mkdir()
        if args.project:
            project = args.project.resolve()
        else:
            project = tmp_path / "project"
            setup(ROOT, project, env)
        measure(project, args.runs, env, out)


if __name__ == "__main__":
    main()
