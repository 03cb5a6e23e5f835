"""The sweep tests' project: a stage that computes a known score from its params."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import run_dvc, run_gitml

TRAIN = """\
import json, os, sys, yaml
params = yaml.safe_load(open("params.yaml"))["train"]
if os.environ.get("SWEEP_TRAIN_LOG"):  # where a test counts the runs that really trained
    open(os.environ["SWEEP_TRAIN_LOG"], "a").write(f"{params}\\n")
if params["depth"] == 99:
    sys.exit("depth 99 is not supported")
score = round(1 - abs(params["depth"] - 4) / 10 - (0.05 if params["kind"] == "b" else 0), 6)
open("model.txt", "w").write(f"{params}\\n")
json.dump({"score": score, "loss": round(1 - score, 6)}, open("metrics.json", "w"))
"""


DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    params: [train]
    outs: [model.txt]
    metrics: [metrics.json]  # cached, so the run-cache can restore it on another clone
"""


PYPROJECT = """\
[tool.gitml]
base = "main"

[tool.gitml.metrics]
score = "higher"

[[tool.gitml.gates]]
metric = "score"
min = 0.75
"""


def expected_score(depth: int, kind: str) -> float:
    """What train.py computes."""
    return round(1 - abs(depth - 4) / 10 - (0.05 if kind == "b" else 0), 6)


class SweepProject:
    """The project's folder, its DVC remote, and helpers to run gitml and dvc in it."""

    def __init__(self, root: Path):
        self.root = root

    def gitml(self, *args: str, check: bool = False):
        return run_gitml(*args, cwd=self.root, expect=0 if check else None)

    def dvc(self, *args: str, check: bool = True):
        return run_dvc(*args, cwd=self.root, expect=0 if check else None)

    def leaderboard(self, path: str = "lb.json") -> dict:
        return json.loads((self.root / path).read_text())
