"""Benchmark: `gitml monitor` against the anchors, Evidently 0.7.23 and NannyML 0.13.1.

Not a test: a measurement to run by hand (PyPI must be reachable the first time; uv caches)::

    .venv/bin/python bench/monitor.py                         # 800, 20,000 and 1M rows
    .venv/bin/python bench/monitor.py --sizes 800,20000 --runs 3 --null-windows 20

Each anchor runs in an environment of its own (``uv run --with evidently==0.7.23 --with
'pandas<3'``, the same for NannyML with statsmodels, which it imports without declaring it), since
both pin pandas below 3; gitml runs in the project's environment. Every tool runs as its own
process from the same CSV files (``bench/monitor_anchors.py``), and its peak memory is that
process's.

Data: 20 features, seeded: 12 numeric (normal, log-normal, uniform), an integer with 10 values,
two few-valued numbers (3 and 4 values), a binary, a 3-category, a 5-category, a 20-category and
a 50-category Zipf column. Reference and current have the same size; in the current, 6 features
are shifted.

It prints, per size: each tool's median wall time and peak memory, the ratios gitml/Evidently
(targets: at most 0.5x at 800 rows, at most 0.2x at 1M), and how many per-feature decisions agree
(gitml with ``categorical_test = "evidently"`` against Evidently: the same rule; gitml's default
against Evidently: they differ only where Evidently's chi-squared is wrong). Then, over
``--null-windows`` windows of 800 rows where reference and current come from one distribution,
each tool's false-alarm rate per test type. Then the label-free accuracy estimate against the
truth for a well-calibrated and an under-confident model: gitml's (calibrated), NannyML's CBPE
and the model's own confidence. It exits 0 either way.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "monitor_anchors.py"
#: uv as the README installs it (`python3 -m pip install uv`), or on PATH
UV = [shutil.which("uv")] if shutil.which("uv") else ["python3", "-m", "uv"]
ANCHORS = {
    "evidently": ["--with", "evidently==0.7.23", "--with", "pandas<3"],
    "nannyml": ["--with", "nannyml==0.13.1", "--with", "pandas<3", "--with", "statsmodels"],
}
NUMERIC = [f"n{i:02d}" for i in range(12)] + ["int10", "few3", "few4"]
CATEGORICAL = ["binary", "cat3", "cat5", "zipf20", "zipf50"]
SHIFTED = ["n03", "n07", "int10", "few3", "cat3", "zipf20"]


def zipf(count: int) -> np.ndarray:
    weights = 1 / np.arange(1, count + 1)
    return weights / weights.sum()


def make_data(rows: int, seed: int, shifted: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {}
    for index in range(12):
        kind = index % 3
        if kind == 0:
            values = rng.normal(10 + index, 1 + index / 10, rows)
        elif kind == 1:
            values = rng.lognormal(1, 0.4, rows)
        else:
            values = rng.uniform(-5, 5 + index, rows)
        data[f"n{index:02d}"] = values
    data["int10"] = rng.integers(0, 10, rows).astype(float)
    data["few3"] = rng.choice([1.0, 2.0, 3.0], rows, p=[0.5, 0.3, 0.2])
    data["few4"] = rng.choice([1.0, 2.0, 3.0, 4.0], rows)
    data["binary"] = rng.choice(["yes", "no"], rows, p=[0.7, 0.3])
    data["cat3"] = rng.choice(["a", "b", "c"], rows, p=[0.6, 0.3, 0.1])
    data["cat5"] = rng.choice([f"k{i}" for i in range(5)], rows)
    data["zipf20"] = rng.choice([f"z{i:02d}" for i in range(20)], rows, p=zipf(20))
    data["zipf50"] = rng.choice([f"y{i:02d}" for i in range(50)], rows, p=zipf(50))
    if shifted:
        data["n03"] = data["n03"] + 0.5 * data["n03"].std()
        data["n07"] = data["n07"].mean() + (data["n07"] - data["n07"].mean()) * 1.6
        data["int10"] = np.minimum(data["int10"] + rng.integers(0, 3, rows), 9)
        data["few3"] = rng.choice([1.0, 2.0, 3.0], rows, p=[0.35, 0.35, 0.3])
        data["cat3"] = rng.choice(["a", "b", "c"], rows, p=[0.45, 0.35, 0.2])
        data["zipf20"] = rng.choice(
            [f"z{i:02d}" for i in range(20)], rows, p=zipf(20) ** 0.8 / (zipf(20) ** 0.8).sum()
        )
    return pd.DataFrame(data)


def run_tool(tool: str, job: dict, folder: Path, runs: int, warm_up: bool) -> dict:
    """One tool's process over ``job``'s pairs; its JSON result."""
    pairs, out = folder / f"{tool}-job.json", folder / f"{tool}-result.json"
    pairs.write_text(json.dumps(job))
    anchor = "nannyml" if tool == "cbpe" else tool
    if anchor in ANCHORS:
        command = [
            *UV,
            "run",
            "--quiet",
            "--no-project",
            *ANCHORS[anchor],
            "python",
        ]
    else:
        command = [sys.executable]
    command += [str(RUNNER), tool, "--pairs", str(pairs), "--runs", str(runs), "--out", str(out)]
    if warm_up:
        command.append("--warm-up")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def compare_sizes(sizes: list[int], runs: int, folder: Path, anchors: bool) -> None:
    columns = {"numeric": NUMERIC, "categorical": CATEGORICAL}
    tools = ["gitml", "gitml-evidently"] + (["evidently", "nannyml"] if anchors else [])
    for rows in sizes:
        reference, current = folder / f"ref-{rows}.csv", folder / f"cur-{rows}.csv"
        make_data(rows, 1, shifted=False).to_csv(reference, index=False)
        make_data(rows, 2, shifted=True).to_csv(current, index=False)
        repeat = 1 if rows >= 500_000 else runs
        job = {"pairs": [[str(reference), str(current)]], "columns": columns}
        results = {
            tool: run_tool(tool, job, folder, repeat, warm_up=rows < 500_000) for tool in tools
        }
        print(
            f"\n== {rows:,} rows (reference and current), {repeat} run(s), shifted: {', '.join(SHIFTED)}"
        )
        for tool, result in results.items():
            print(f"{tool:16s} median {statistics.median(result['times']):8.2f}s   peak memory "
                  f"{result['peak_bytes'] / 2**20:7.0f} MiB   runs: {', '.join(f'{t:.2f}' for t in result['times'])}")  # fmt: skip
        if "evidently" in results:
            ours, theirs = results["gitml"], results["evidently"]
            ratio = statistics.median(ours["times"]) / statistics.median(theirs["times"])
            memory = ours["peak_bytes"] / theirs["peak_bytes"]
            print(f"ratio gitml/Evidently: time {ratio:.3f}x, peak memory {memory:.2f}x")
            _agreement(results)


def _agreement(results: dict) -> None:
    evidently = results["evidently"]["decisions"][0]
    for tool in ("gitml-evidently", "gitml"):
        decisions = results[tool]["decisions"][0]
        same = [name for name in evidently if decisions[name][0] == evidently[name][0]]
        differ = sorted(set(evidently) - set(same))
        print(f"decisions {tool} vs Evidently: {len(same)}/{len(evidently)} agree"
              + (f" (differ: {', '.join(differ)})" if differ else ""))  # fmt: skip
    drifted = {
        tool: sorted(n for n, d in r["decisions"][0].items() if d[0]) for tool, r in results.items()
    }
    for tool, names in drifted.items():
        print(f"  drifted ({tool}): {', '.join(names)}")


def null_windows(windows: int, folder: Path, anchors: bool) -> None:
    pairs = []
    for index in range(windows):
        reference, current = folder / f"null-ref-{index}.csv", folder / f"null-cur-{index}.csv"
        make_data(800, 100 + 2 * index, shifted=False).to_csv(reference, index=False)
        make_data(800, 101 + 2 * index, shifted=False).to_csv(current, index=False)
        pairs.append([str(reference), str(current)])
    job = {"pairs": pairs, "columns": {"numeric": NUMERIC, "categorical": CATEGORICAL}}
    tools = ["gitml", "gitml-evidently"] + (["evidently", "nannyml"] if anchors else [])
    print(f"\n== {windows} null windows of 800 rows (nothing changed): share of windows flagged")
    for tool in tools:
        decisions = run_tool(tool, job, folder, 1, warm_up=False)["decisions"]
        by_test: dict[str, list[bool]] = {}
        for window in decisions:
            for name, (drifted, test, _) in window.items():
                group = "categorical" if name in CATEGORICAL else "numeric"
                by_test.setdefault(f"{test} ({group})", []).append(drifted)
        zipf20 = np.mean([w["zipf20"][0] for w in decisions])
        overall = np.mean([d for flags in by_test.values() for d in flags])
        parts = ", ".join(
            f"{key} {np.mean(flags):.1%} of {len(flags)}" for key, flags in sorted(by_test.items())
        )
        print(f"{tool:16s} all {overall:.1%}; zipf20 {zipf20:.0%}; {parts}")


def estimate_cases(folder: Path, anchors: bool) -> None:
    from sklearn import metrics as skm
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB

    from gitml.monitor.estimate import Calibration, Calibrator, estimate

    rng = np.random.default_rng(0)
    weights = np.array([1.0, -0.8, 0.5, 0.3, 0.0]) * 1.2

    def draw(rows: int, shift: float = 0.0):
        features = rng.normal(size=(rows, 5))
        features[:, 0] += shift
        return features, (rng.random(rows) < 1 / (1 + np.exp(-features @ weights))).astype(int)

    train, evaluation, window = draw(3000), draw(5000), draw(20_000, 0.5)
    cases, rows = [], []
    for name, model in (
        ("logistic regression", LogisticRegression()),
        ("naive Bayes", GaussianNB()),
    ):
        model.fit(*train)
        proba_eval, proba_window = (
            model.predict_proba(evaluation[0]),
            model.predict_proba(window[0]),
        )
        predicted = model.predict(window[0])
        reference_csv, window_csv = (
            folder / f"cbpe-ref-{len(cases)}.csv",
            folder / f"cbpe-win-{len(cases)}.csv",
        )
        pd.DataFrame(
            {
                "proba": proba_eval[:, 1],
                "pred": model.predict(evaluation[0]),
                "truth": evaluation[1],
            }
        ).to_csv(reference_csv, index=False)
        pd.DataFrame({"proba": proba_window[:, 1], "pred": predicted}).to_csv(
            window_csv, index=False
        )
        cases.append({"reference": str(reference_csv), "window": str(window_csv)})
        calibration = Calibration(("0", "1"), proba_eval, evaluation[1].astype(str))
        ours = {e.name: e for e in estimate(Calibrator(calibration), proba_window, predicted)}[
            "accuracy"
        ]
        rows.append(
            (name, skm.accuracy_score(window[1], predicted), ours, proba_window.max(axis=1).mean())
        )
    theirs = (
        run_tool("cbpe", {"cases": cases}, folder, 1, False)["estimates"] if anchors else [None] * 2
    )
    print("\n== label-free accuracy, 20,000-row window under covariate shift (truth, estimates)")
    for (name, truth, ours, confidence), cbpe in zip(rows, theirs, strict=True):
        cbpe_text = f"NannyML CBPE {cbpe:.4f} ({cbpe - truth:+.4f})" if cbpe is not None else ""
        print(f"{name:20s} truth {truth:.4f}  gitml {ours.value:.4f} ({ours.value - truth:+.4f}, band "
              f"{ours.low:.4f}-{ours.high:.4f})  {cbpe_text}  confidence {confidence:.4f} ({confidence - truth:+.4f})")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="800,20000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--null-windows", type=int, default=20)
    parser.add_argument("--no-anchors", action="store_true", help="gitml only (no PyPI needed)")
    args = parser.parse_args(argv)
    anchors = not args.no_anchors
    with tempfile.TemporaryDirectory(prefix="gitml-bench-monitor-") as name:
        folder = Path(name)
        compare_sizes([int(s) for s in args.sizes.split(",") if s], args.runs, folder, anchors)
        null_windows(args.null_windows, folder, anchors)
        estimate_cases(folder, anchors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
