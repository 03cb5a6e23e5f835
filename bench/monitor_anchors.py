"""One drift run of one tool, in the environment it needs: run by ``bench/monitor.py``, never alone.

``gitml`` and ``gitml-evidently`` (gitml with ``categorical_test = "evidently"``) run in the
project's environment; ``evidently`` (0.7.x, its legacy ``DataDriftPreset``) and ``nannyml``
(0.13.1, ``UnivariateDriftCalculator``; ``CBPE`` for the estimate) each in an environment of their
own that ``uv run --with`` makes, since both need pandas below 3. Every tool starts from the same
CSV files and ends with per-feature decisions; the time of each run (reading included, imports
excluded) and the process's peak memory are written as JSON for the orchestrator.

    python bench/monitor_anchors.py TOOL --pairs pairs.json --runs 3 --out result.json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")


def gitml_runner(mode: str):
    from gitml.config import MonitorSettings, Settings
    from gitml.monitor.flow import MonitorRequest, monitor
    from gitml.monitor.json_render import render

    settings = Settings(monitor=MonitorSettings(categorical_test=mode))

    def run(reference: str, current: str, columns: dict) -> dict:
        request = MonitorRequest(
            reference=reference, current=(current,), root=Path(reference).parent
        )
        report = monitor(request, settings).report
        render(report)  # the JSON report, as `gitml monitor --json` writes it
        return {f.name: [bool(f.drifted), f.test, f.statistic] for f in report.features}

    return run


def evidently_runner():
    import pandas as pd
    from evidently.legacy.metric_preset import DataDriftPreset
    from evidently.legacy.pipeline.column_mapping import ColumnMapping
    from evidently.legacy.report import Report

    def run(reference: str, current: str, columns: dict) -> dict:
        ref, cur = pd.read_csv(reference), pd.read_csv(current)
        mapping = ColumnMapping(
            numerical_features=columns["numeric"], categorical_features=columns["categorical"]
        )
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=ref, current_data=cur, column_mapping=mapping)
        for metric in report.as_dict()["metrics"]:
            by_column = metric["result"].get("drift_by_columns")
            if by_column:
                return {
                    name: [bool(r["drift_detected"]), r["stattest_name"], r["drift_score"]]
                    for name, r in by_column.items()
                }
        raise RuntimeError("no per-column drift in Evidently's result")

    return run


def nannyml_runner():
    import nannyml as nml
    import pandas as pd

    def run(reference: str, current: str, columns: dict) -> dict:
        ref, cur = pd.read_csv(reference), pd.read_csv(current)
        few = [c for c in columns["numeric"] if ref[c].nunique() <= 5]
        names = columns["numeric"] + columns["categorical"]
        calculator = nml.UnivariateDriftCalculator(
            column_names=names,
            treat_as_categorical=columns["categorical"] + few,
            continuous_methods=["kolmogorov_smirnov"],
            categorical_methods=["chi2"],
            chunk_size=len(cur),
        )
        calculator.fit(ref)
        result = calculator.calculate(cur).filter(period="analysis").to_df()
        decisions = {}
        for name in names:
            method = "chi2" if name in columns["categorical"] + few else "kolmogorov_smirnov"
            alert = result[(name, method, "alert")].iloc[-1]
            value = float(result[(name, method, "value")].iloc[-1])
            decisions[name] = [bool(alert), method, value]
        return decisions

    return run


def nannyml_cbpe(cases: list[dict]) -> list[float]:
    """NannyML's CBPE accuracy on each case: reference (labels, probabilities) and window."""
    import nannyml as nml
    import pandas as pd

    estimates = []
    for case in cases:
        reference, window = pd.read_csv(case["reference"]), pd.read_csv(case["window"])
        estimator = nml.CBPE(
            y_pred_proba="proba", y_pred="pred", y_true="truth", problem_type="classification_binary",
            metrics=["accuracy"], chunk_size=len(window),
        )  # fmt: skip
        estimator.fit(reference)
        result = estimator.estimate(window).filter(period="analysis").to_df()
        estimates.append(float(result[("accuracy", "value")].iloc[-1]))
    return estimates


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "tool", choices=["gitml", "gitml-evidently", "evidently", "nannyml", "cbpe"]
    )
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--warm-up", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    job = json.loads(args.pairs.read_text())
    if args.tool == "cbpe":
        args.out.write_text(json.dumps({"estimates": nannyml_cbpe(job["cases"])}))
        return 0
    runner = {
        "gitml": lambda: gitml_runner("two-sample"),
        "gitml-evidently": lambda: gitml_runner("evidently"),
        "evidently": evidently_runner,
        "nannyml": nannyml_runner,
    }[args.tool]()
    pairs, columns = job["pairs"], job["columns"]
    if args.warm_up:
        runner(pairs[0][0], pairs[0][1], columns)
    times, decisions = [], []
    for reference, current in pairs:
        for _ in range(args.runs):
            started = time.perf_counter()
            result = runner(reference, current, columns)
            times.append(time.perf_counter() - started)
        decisions.append(result)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    args.out.write_text(json.dumps({"times": times, "decisions": decisions, "peak_bytes": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
