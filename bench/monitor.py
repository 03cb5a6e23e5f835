"""Benchmark: `gitml monitor` against Evidently's DataDriftPreset on the same data.

Not a test: a measurement to run by hand (Evidently comes with the bench extra)::

    .venv/bin/python bench/monitor.py
    .venv/bin/python bench/monitor.py --runs 5 --current-rows 100000 --reference-rows 20000

Data: 30 numeric features drawn from normal, log-normal and uniform distributions with a fixed
seed; a reference of ``--reference-rows`` rows and a current window of ``--current-rows`` rows in
which 6 features are shifted (mean, scale or both). Both are written as CSV files.

Both sides start from the two CSV files and end with per-feature drift decisions, in one warm
process (imports done, the first run of each discarded): gitml runs the library function behind
`gitml monitor --reference ref.csv --current cur.csv --json report.json` (read in chunks, test,
render the JSON); Evidently reads the files with pandas and runs `Report([DataDriftPreset()])`.
With a reference over 1000 rows both choose the normed Wasserstein distance at 0.1.

It prints the median wall time of each side, the ratio gitml/Evidently (target: at most 0.2x),
and whether the per-feature decisions agree. It exits 0 either way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

FEATURES = 30
SHIFTED = {"f03": (0.5, 1.0), "f07": (0.0, 1.6), "f12": (0.3, 1.3), "f18": (1.0, 1.0),
           "f24": (0.0, 0.5), "f29": (0.25, 1.0)}  # fmt: skip  # name: (mean shift in std, scale)


def make_data(rows: int, seed: int, shifted: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for index in range(FEATURES):
        name = f"f{index:02d}"
        kind = index % 3
        if kind == 0:
            values = rng.normal(10 + index, 1 + index / 10, rows)
        elif kind == 1:
            values = rng.lognormal(1, 0.4, rows)
        else:
            values = rng.uniform(-5, 5 + index, rows)
        if shifted and name in SHIFTED:
            move, scale = SHIFTED[name]
            mean, std = values.mean(), values.std()
            values = mean + (values - mean) * scale + move * std
        columns[name] = values
    return pd.DataFrame(columns)


def run_gitml(reference: Path, current: Path, out: Path) -> dict[str, bool]:
    from gitml.monitor.flow import MonitorRequest, monitor
    from gitml.monitor.write import write_report

    result = monitor(MonitorRequest(reference=str(reference), current=(str(current),), root=out))
    write_report(result.report, json_path=out / "report.json")
    return {f.name: bool(f.drifted) for f in result.report.features}


def _evidently():
    # evidently 0.7 imports a pandas helper that pandas 3 removed; it is only used for type checks
    import pandas.core.dtypes.common as common

    if not hasattr(common, "infer_dtype_from_object"):
        common.infer_dtype_from_object = lambda value: value
    from evidently.legacy.metric_preset import DataDriftPreset
    from evidently.legacy.report import Report

    return Report, DataDriftPreset


def run_evidently(reference: Path, current: Path) -> dict[str, bool]:
    report_class, preset = _evidently()
    ref, cur = pd.read_csv(reference), pd.read_csv(current)
    report = report_class(metrics=[preset()])
    report.run(reference_data=ref, current_data=cur)
    for metric in report.as_dict()["metrics"]:
        by_column = metric["result"].get("drift_by_columns")
        if by_column:
            return {name: bool(r["drift_detected"]) for name, r in by_column.items()}
    raise RuntimeError("no per-column drift in Evidently's result")


def timed(function, *args) -> tuple[float, dict[str, bool]]:
    started = time.perf_counter()
    decisions = function(*args)
    return time.perf_counter() - started, decisions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference-rows", type=int, default=20_000)
    parser.add_argument("--current-rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gitml-bench-monitor-") as folder:
        root = Path(folder)
        reference, current = root / "ref.csv", root / "cur.csv"
        make_data(args.reference_rows, 1, shifted=False).to_csv(reference, index=False)
        make_data(args.current_rows, 2, shifted=True).to_csv(current, index=False)
        print(f"{FEATURES} numeric features; reference {args.reference_rows:,} rows, current "
              f"{args.current_rows:,} rows; shifted: {', '.join(sorted(SHIFTED))}")  # fmt: skip
        run_gitml(reference, current, root)  # warm-up: imports and caches
        run_evidently(reference, current)
        gitml_times, evidently_times = [], []
        for _ in range(args.runs):
            seconds, ours = timed(run_gitml, reference, current, root)
            gitml_times.append(seconds)
            seconds, theirs = timed(run_evidently, reference, current)
            evidently_times.append(seconds)

    gitml_median = statistics.median(gitml_times)
    evidently_median = statistics.median(evidently_times)
    agree = ours == theirs
    print(f"gitml monitor:            median {gitml_median:.2f}s  (runs: "
          f"{', '.join(f'{t:.2f}' for t in gitml_times)})")  # fmt: skip
    print(f"Evidently DataDriftPreset: median {evidently_median:.2f}s  (runs: "
          f"{', '.join(f'{t:.2f}' for t in evidently_times)})")  # fmt: skip
    print(f"ratio gitml/Evidently: {gitml_median / evidently_median:.3f}x (target <= 0.2x)")
    print(f"drifted (gitml):     {sorted(k for k, v in ours.items() if v)}")
    print(f"drifted (Evidently): {sorted(k for k, v in theirs.items() if v)}")
    print(f"decisions agree on all {len(ours)} features: {agree}")
    if not agree:
        print("differ:", sorted(k for k in ours if ours[k] != theirs.get(k)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
