"""Benchmark: the start-up of `gitml stage NAME` against `python -c "import pandas, sklearn"`.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/stages.py            # 5 runs of each, interleaved (about a minute)
    .venv/bin/python bench/stages.py --runs 15

Start-up is everything `gitml stage NAME` does before the stage's own work: the interpreter,
gitml's CLI and the `stage` command (resolved through the lazy command table, as `gitml` does),
reading params.yaml's parser, and importing the stage's module with everything it imports. Each
is a fresh process (`python -c` doing exactly those steps), so the OS file cache is warm after
the first, discarded round. The baseline is a fresh process importing pandas and scikit-learn,
which every stage needs anyway.

Every process runs with a private ``PYTHONPYCACHEPREFIX`` (filled by the discarded round), so
modules load from compiled bytecode as on any machine after the first run: this machine's
environment sets ``PYTHONDONTWRITEBYTECODE``, under which every run compiled pandas and
scikit-learn from source, about ten times slower, and the script never finished on a busy
machine.

Printed per stage: median wall time and median CPU time (user + system, less sensitive to a
busy machine) of the stage's start-up, of the baseline, the differences and the verdict against
the target (at most 0.3 s over the baseline) by each, with the load average. It exits 0 either
way.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 0.3
STAGES = ("prepare", "train", "evaluate")
BASELINE = "import pandas, sklearn"
STARTUP = """\
from gitml.cli import cli
cli.get_command(None, "stage")
import gitml.stages.params
from gitml.stages import load_stage
load_stage({name!r})
"""


def measure(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh ``python -c code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    programs = {"baseline": BASELINE, **{s: STARTUP.format(name=s) for s in STAGES}}
    with tempfile.TemporaryDirectory(prefix="gitml-stages-bench-") as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"warming up ({load()}) ...", file=sys.stderr)
        for code in programs.values():
            measure(code, env)  # compile to the cache, warm the file cache; discarded
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
        for run in range(args.runs):
            for name, code in programs.items():  # interleaved: load drifts hit every program alike
                samples[name].append(measure(code, env))
            print(f"run {run + 1}/{args.runs} ({load()})", file=sys.stderr)
    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in samples.items()
    }
    base_wall, base_cpu = medians["baseline"]
    print(
        f"gitml stage start-up, median of {args.runs} runs (target: <= +{TARGET_SECONDS} s); {load()}"
    )
    print(f"{'':<34}{'wall s':>8}{'cpu s':>8}{'+wall s':>9}{'+cpu s':>8}  verdict (wall, cpu)")
    print(f"{'python -c ' + repr(BASELINE):<34}{base_wall:>8.3f}{base_cpu:>8.3f}")
    for name in STAGES:
        wall, cpu = medians[name]
        verdicts = [
            "ok" if extra <= TARGET_SECONDS else "OVER"
            for extra in (wall - base_wall, cpu - base_cpu)
        ]
        print(
            f"{'gitml stage ' + name:<34}{wall:>8.3f}{cpu:>8.3f}"
            f"{wall - base_wall:>+9.3f}{cpu - base_cpu:>+8.3f}  {', '.join(verdicts)}"
        )


if __name__ == "__main__":
    main()
