"""Benchmark: the start-up of `gitml stage NAME` against `python -c "import pandas, sklearn"`.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/stages.py            # 5 runs of each, interleaved (a few minutes)
    .venv/bin/python bench/stages.py --runs 15

Start-up is everything `gitml stage NAME` does before the stage's own work: the interpreter,
gitml's CLI and the `stage` command (resolved through the lazy command table, as `gitml` does),
reading params.yaml's parser, and importing the stage's module with everything it imports.
Each is a fresh process (`python -c` doing exactly those steps), so the OS file cache is warm
after the first, discarded round. The baseline is a fresh process importing pandas and
scikit-learn, which every stage's work needs anyway.

The stages import scikit-learn's heavy submodules in the function that does the work which
uses them, so these count as the stage's work, not its start-up: `prepare` imports
`sklearn.model_selection` for the split, `train` imports `sklearn.pipeline` and
`sklearn.preprocessing` when it builds the model (with the estimator's own module, which it
always imported there), `evaluate` imports `sklearn.metrics` when it scores (unpickling a model
of `sklearn.ensemble` or `sklearn.linear_model` has imported it by then anyway). So `prepare`
and `evaluate` import no scikit-learn before their work, and their start-up alone is cheaper
than the baseline. The verdict is therefore taken on the start-up run after the baseline's
imports in the same process: what gitml adds to a process that imports pandas and scikit-learn
anyway (its CLI, click, PyYAML, its stage modules). Both rows are printed.

Every process runs with a private ``PYTHONPYCACHEPREFIX`` (filled by the discarded round), so
modules load from compiled bytecode as on any machine after the first run: this machine's
environment sets ``PYTHONDONTWRITEBYTECODE``, under which every run compiled pandas and
scikit-learn from source, about ten times slower, and the script never finished on a busy
machine.

Printed per stage: median wall time and median CPU time (user + system, less sensitive to a
busy machine) of the start-up alone and of the baseline's imports followed by the start-up; of
the latter, its differences from the baseline process (`+wall s`, `+cpu s`) and the start-up's
own time measured inside that process after the baseline's imports (`in-process`), and the load
average. The verdict against the target (at most 0.3 s over the baseline) is taken on the
in-process figures: they time exactly the start-up's steps once pandas and scikit-learn are
imported, whereas a difference of two ~3 s processes moves by several tenths of a second from
run to run on a shared machine (the baseline alone took 2.5-3.4 s of CPU in 8 runs at a load
average of 2.5 on 2 cores). It exits 0 either way.
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


#: The start-up after the baseline's imports, in one process, timing the start-up alone from
#: inside: a between-process difference of two ~3 s processes is noisy on a busy machine.
AFTER_BASELINE = """\
import time
{baseline}
cpu, wall = time.process_time(), time.perf_counter()
{startup}
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def measure(code: str, env: dict[str, str]) -> tuple[float, ...]:
    """Wall and CPU seconds of one fresh ``python -c code``, then any numbers it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (wall, cpu, *(float(value) for value in done.stdout.split()))


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    programs = {"baseline": BASELINE}
    for stage in STAGES:
        programs[stage] = STARTUP.format(name=stage)
        programs[f"{stage}+baseline"] = AFTER_BASELINE.format(
            baseline=BASELINE, startup=STARTUP.format(name=stage)
        )
    with tempfile.TemporaryDirectory(prefix="gitml-stages-bench-") as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"warming up ({load()}) ...", file=sys.stderr)
        for code in programs.values():
            measure(code, env)  # compile to the cache, warm the file cache; discarded
        samples: dict[str, list[tuple[float, ...]]] = {name: [] for name in programs}
        for run in range(args.runs):
            for name, code in programs.items():  # interleaved: load drifts hit every program alike
                samples[name].append(measure(code, env))
            print(f"run {run + 1}/{args.runs} ({load()})", file=sys.stderr)
    medians = {
        name: tuple(statistics.median(values) for values in zip(*runs, strict=True))
        for name, runs in samples.items()
    }
    print_table(medians, args.runs)


def print_table(medians: dict[str, tuple[float, ...]], runs: int) -> None:
    base_wall, base_cpu = medians["baseline"]
    print(f"gitml stage start-up, median of {runs} runs (target: <= +{TARGET_SECONDS} s); {load()}")
    print(
        f"{'':<36}{'wall s':>8}{'cpu s':>8}{'+wall s':>9}{'+cpu s':>8}"
        f"  {'in-process +wall s, +cpu s':>26}  verdict (in-process wall, cpu)"
    )
    print(f"{'python -c ' + repr(BASELINE):<36}{base_wall:>8.3f}{base_cpu:>8.3f}")
    for name in STAGES:
        wall, cpu = medians[name]
        print(f"{'gitml stage ' + name + ', start-up':<36}{wall:>8.3f}{cpu:>8.3f}")
        wall, cpu, inside_wall, inside_cpu = medians[f"{name}+baseline"]
        verdicts = [
            "ok" if extra <= TARGET_SECONDS else "OVER" for extra in (inside_wall, inside_cpu)
        ]
        print(
            f"{'  after import pandas, sklearn':<36}{wall:>8.3f}{cpu:>8.3f}"
            f"{wall - base_wall:>+9.3f}{cpu - base_cpu:>+8.3f}  {inside_wall:>+17.3f}, {inside_cpu:>+6.3f}"
            f"  {', '.join(verdicts)}"
        )


if __name__ == "__main__":
    main()
