"""gitml validate's statistics: the paired bootstrap interval of a labelled metric, against the loop
users write today (resample indices, call scikit-learn's metric on both models, 2000 times).

    python bench/validate.py [--rows 10000] [--resamples 2000] [--repeat 3]

Prints the median seconds of each way for accuracy and f1, and the ratio; checks both give the
same interval within the bootstrap's own noise.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn import metrics as skm

from gitml.validate.stats import labelled_rows, paired_metric


def loop_interval(truth, champion, candidate, name, resamples, seed):
    """What a user writes: a Python loop over resamples with scikit-learn's metric."""
    score = {"accuracy": skm.accuracy_score, "f1": skm.f1_score}[name]
    rng = np.random.default_rng(seed)
    n = len(truth)
    differences = []
    for _ in range(resamples):
        index = rng.integers(0, n, n)
        differences.append(
            score(truth[index], candidate[index]) - score(truth[index], champion[index])
        )
    return np.percentile(differences, [2.5, 97.5])


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, args.rows)
    champion = np.where(rng.random(args.rows) < 0.9, truth, 1 - truth)
    candidate = np.where(rng.random(args.rows) < 0.05, 1 - champion, champion)
    rows = labelled_rows([0, 1], truth.tolist(), champion.tolist(), candidate.tolist())
    print(f"{args.rows:,} labelled rows, {args.resamples:,} resamples, median of {args.repeat}")
    for name in ("accuracy", "f1"):
        ours, paired = timed(
            lambda name=name: paired_metric(rows, name, 0.95, args.resamples, 0), args.repeat
        )
        theirs, interval = timed(
            lambda name=name: loop_interval(truth, champion, candidate, name, args.resamples, 0),
            args.repeat,
        )
        print(
            f"{name:9s} gitml {ours:7.3f}s  loop with scikit-learn {theirs:7.3f}s  "
            f"ratio {theirs / ours:6.1f}x  interval [{paired.low:+.4f}, {paired.high:+.4f}] vs "
            f"[{interval[0]:+.4f}, {interval[1]:+.4f}]"
        )


if __name__ == "__main__":
    main()
