"""Shapes of real DVC projects gitml did not write, each checked against DVC's own CLI.

For every shape the report's numbers equal ``dvc metrics diff --json --all``, ``dvc params diff
--json --all`` and ``dvc diff --json`` for the same revisions: dvclive's per-split metrics,
directory outputs, a metrics file broken at one revision, and an experiment made with
``dvc exp run``.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from tests.cli import run_dvc
from tests.helpers import git
from tests.projects import Project

PER_SPLIT = {
    "roc_auc": {"train": 0.97, "test": 0.93},
    "avg_prec": {"train": 0.95, "test": 0.90},
    "log_loss": {"train": 0.20, "test": 0.31},
    "widgets": {"test": 4},
}


def dvc_json(project: Project, *args: str) -> dict:
    return json.loads(run_dvc(*args, "--json", cwd=project.root, expect=0).stdout or "{}")


def assert_metrics_equal_dvc(report: dict, theirs: dict) -> None:
    """Every metric DVC diffs is a row with DVC's old, new and change, and nothing else is."""
    expected = {
        (file, name): (v["old"], v["new"], v.get("diff"))
        for file, entries in theirs.items()
        for name, v in entries.items()
    }
    got = {(m["file"], m["name"]): (m["base"], m["head"], m["delta"]) for m in report["metrics"]}
    assert got.keys() == expected.keys()
    for key, (old, new, delta) in expected.items():
        assert got[key][:2] == (old, new), key
        assert abs(got[key][2] - delta) < 1e-12 if delta is not None else got[key][2] is None


def assert_params_equal_dvc(report: dict, theirs: dict) -> None:
    """The report's params are exactly those DVC shows with a different value."""
    changed = {
        (file, name): (v["old"], v["new"])
        for file, entries in theirs.items()
        for name, v in entries.items()
        if v["old"] != v["new"]
    }
    assert {(p["file"], p["name"]): (p["base"], p["head"]) for p in report["params"]} == changed


def test_dvclive_per_split_metrics_have_directions_and_match_dvc(project):
    project.declare(["eval/metrics.json"], params=["params.yaml"])
    project.write({"eval/metrics.json": PER_SPLIT, "params.yaml": {"train": {"lr": 0.1}}})
    project.write({"pyproject.toml": '[tool.gitml.metrics]\nwidgets = "lower"\n'})
    project.commit("base")
    head = json.loads(json.dumps(PER_SPLIT))
    head["roc_auc"]["test"] = 0.95  # better
    head["avg_prec"]["test"] = 0.88  # worse
    head["log_loss"]["test"] = 0.25  # better (lower)
    head["widgets"]["test"] = 5  # worse: configured "lower" matches the part
    project.write({"eval/metrics.json": head, "params.yaml": {"train": {"lr": 0.2}}})

    report = project.report_json("--base", "HEAD")
    assert_metrics_equal_dvc(report, dvc_json(project, "metrics", "diff", "HEAD", "--all"))
    assert_params_equal_dvc(report, dvc_json(project, "params", "diff", "HEAD", "--all"))
    statuses = {m["name"]: (m["direction"], m["status"]) for m in report["metrics"]}
    assert statuses["roc_auc.test"] == ("higher", "improved")
    assert statuses["avg_prec.test"] == (None, "changed")  # not a name gitml knows
    assert statuses["log_loss.test"] == ("lower", "improved")
    assert statuses["widgets.test"] == ("lower", "regressed")
    assert statuses["roc_auc.train"] == ("higher", "unchanged")
    markdown = project.gitml("report", "--base", "HEAD").stdout
    assert markdown.startswith("## ✅ gitml: 2 improved, 1 regressed, 1 changed, no gates")


def test_directory_outputs_are_listed_as_dvc_diff_lists_them(project):
    features = project.root / "data" / "features"
    features.mkdir(parents=True)
    (features / "a.csv").write_text("1,2\n")
    (features / "b.csv").write_text("3,4\n")
    (project.root / "single.txt").write_text("x\n")
    run_dvc("add", "-q", "data/features", "single.txt", cwd=project.root, expect=0)
    project.commit("base data")
    (features / "a.csv").write_text("1,2\n5,6\n")
    (features / "c.csv").write_text("7\n")
    (project.root / "eval").mkdir()
    (project.root / "eval" / "x.json").write_text("{}\n")
    (project.root / "eval" / "y.json").write_text('{"a": 1}\n')
    run_dvc("add", "-q", "data/features", "eval", cwd=project.root, expect=0)
    project.commit("head data")

    for revisions in (["HEAD~1", "HEAD"], ["HEAD~1"]):  # two commits; a commit and the workspace
        theirs = dvc_json(project, "diff", *revisions)
        expected = {
            (entry["path"], kind)
            for kind in ("added", "deleted", "modified", "renamed")
            for entry in theirs.get(kind, [])
        }
        head = ["--head", revisions[1]] if len(revisions) == 2 else []
        report = project.report_json("--base", revisions[0], *head)
        assert {(c["path"], c["change"]) for c in report["data"]} == expected
        assert ("data/features/", "modified") in expected and ("eval/", "added") in expected
        changes = {c["path"]: c for c in report["data"]}
        assert (
            changes["data/features/"]["base_files"],
            changes["data/features/"]["head_files"],
        ) == (2, 3)
        assert (changes["data/features/"]["base_size"], changes["data/features/"]["head_size"]) == (
            8,
            14,
        )
        assert changes["eval/"]["head_files"] == 2 and changes["eval/"]["head_size"] == 12

    markdown = project.gitml("report", "--base", "HEAD~1").stdout
    assert "| modified | data/features/ | 8 B, 2 files | 14 B, 3 files |" in markdown
    assert "| added | eval/ | — | 12 B, 2 files |" in markdown


def test_an_output_not_pulled_is_not_deleted(project):
    (project.root / "eval").mkdir()
    (project.root / "eval" / "x.json").write_text("{}\n")
    (project.root / "model.bin").write_text("weights\n")
    (project.root / "gone.txt").write_text("old\n")
    run_dvc("add", "-q", "eval", "model.bin", "gone.txt", cwd=project.root, expect=0)
    project.commit("outputs")
    # a fresh clone that has not pulled: the outputs are declared but absent
    shutil.rmtree(project.root / "eval")
    (project.root / "model.bin").unlink()
    # a real deletion: the output is no longer declared
    run_dvc("remove", "-q", "gone.txt.dvc", cwd=project.root, expect=0)
    (project.root / "gone.txt").unlink()

    theirs = dvc_json(project, "diff", "HEAD")
    assert {e["path"] for e in theirs["deleted"]} >= {"eval/", "model.bin", "gone.txt"}
    report = project.report_json("--base", "HEAD")
    assert {(c["path"], c["change"]) for c in report["data"]} == {
        ("eval/", "not pulled"),
        ("model.bin", "not pulled"),
        ("gone.txt", "deleted"),
    }
    markdown = project.gitml("report", "--base", "HEAD").stdout
    assert "| not in the workspace (not pulled) | eval/ | 3 B, 1 file | — |" in markdown
    assert "| deleted | gone.txt |" in markdown


BROKEN_GATES = """
[[tool.gitml.gates]]
metric = "accuracy"
min = 0.5
max_regression = 0.01
"""


def test_a_gate_on_a_metric_that_failed_to_load_fails_and_says_why(project):
    project.declare(["eval/metrics.json"])
    project.write({"pyproject.toml": BROKEN_GATES})
    (project.root / "eval").mkdir()
    (project.root / "eval" / "metrics.json").write_text("{broken json")
    base = project.commit("base: broken metrics")
    project.write({"eval/metrics.json": {"accuracy": 0.9}})

    # broken at base only: max_regression cannot compare, so it fails; min is decided on head
    theirs = dvc_json(project, "metrics", "diff", "HEAD", "--all")
    report = project.report_json("--base", "HEAD")
    assert_metrics_equal_dvc(report, theirs)
    gates = {g["rule"]: g for g in report["gates"]}
    assert gates["min 0.5"]["passed"] is True
    regression = gates["max_regression 0.01"]
    assert regression["passed"] is False
    assert regression["detail"].startswith(
        "no base value: eval/metrics.json failed to load at HEAD: "
    )
    result = project.gitml("report", "--base", "HEAD", "--check")
    assert result.returncode == 1
    assert "eval/metrics.json failed to load at HEAD" in result.stderr

    # broken at both revisions: the gate fails, it is no configuration error
    (project.root / "eval" / "metrics.json").write_text("[1, 2")
    report = project.report_json("--base", base)
    assert report["metrics"] == [] and report["verdict"] == "fail"
    for gate in report["gates"]:
        assert gate["passed"] is False
        assert gate["detail"].startswith("not found, and metrics failed to load: ")
        assert f"eval/metrics.json failed to load at {base}" in gate["detail"]
        assert "eval/metrics.json failed to load at workspace" in gate["detail"]

    # a value that is not a number at head: the gate names it
    project.write({"eval/metrics.json": {"accuracy": "high"}})
    gates = {g["rule"]: g for g in project.report_json("--base", base)["gates"]}
    assert gates["min 0.5"]["passed"] is False
    assert "accuracy is not a number ('high')" in gates["min 0.5"]["detail"]


TRAIN = """
import json, yaml
lr = yaml.safe_load(open("params.yaml"))["train"]["lr"]
json.dump({"accuracy": 0.5 + lr, "loss": {"test": 1 - lr}}, open("metrics.json", "w"))
"""
EXPERIMENT_STAGE = f"""
stages:
  train:
    cmd: {sys.executable} train.py
    deps:
      - train.py
    params:
      - train.lr
    metrics:
      - metrics.json:
          cache: false
"""


@pytest.mark.slow(minutes=1)
def test_experiments_are_revisions_as_in_dvc(project):
    project.write(
        {
            "dvc.yaml": EXPERIMENT_STAGE,
            "train.py": TRAIN,
            "params.yaml": {"train": {"lr": 0.1, "seed": 1}},
        }
    )
    run_dvc("repro", "-q", cwd=project.root, expect=0)
    project.commit("baseline")
    exp = run_dvc(
        "exp", "run", "-q", "-n", "bright-lr", "-S", "train.lr=0.3", cwd=project.root, expect=0
    )
    assert exp.returncode == 0
    refs = git(project.root, "for-each-ref", "--format=%(refname)", "refs/exps").splitlines()
    ref = next(ref for ref in refs if ref.endswith("/bright-lr"))
    git(project.root, "checkout", "-q", "--", ".")  # back to the baseline's files
    params_before = (project.root / "params.yaml").read_text()

    for head in ("bright-lr", ref):
        report = project.report_json("--base", "main", "--head", head)
        assert report["head"] == head
        assert_metrics_equal_dvc(
            report, dvc_json(project, "metrics", "diff", "main", head, "--all")
        )
        assert_params_equal_dvc(report, dvc_json(project, "params", "diff", "main", head, "--all"))
        statuses = {m["name"]: m["status"] for m in report["metrics"]}
        assert statuses == {"accuracy": "improved", "loss.test": "improved"}
        assert report["params"] == [
            {"file": "params.yaml", "name": "train.lr", "base": 0.1, "head": 0.3}
        ]

    assert (project.root / "params.yaml").read_text() == params_before  # read from git only
    help_text = project.gitml("report", "--help").stdout
    assert "experiment" in help_text and "refs/exps/" in help_text
    unknown = project.gitml("report", "--base", "main", "--head", "no-such-exp")
    assert unknown.returncode == 2 and "unknown git revision 'no-such-exp'" in unknown.stderr


EXTREME_GATES = """
[[tool.gitml.gates]]
metric = "loss"
max_regression = 0.0
[[tool.gitml.gates]]
metric = "accuracy"
min = 0.5
"""


def test_extreme_values_match_dvc_and_the_json_is_strict(project):
    huge = "9" * 400
    project.declare(["metrics.json"])
    project.write({"pyproject.toml": EXTREME_GATES})
    project.write({"metrics.json": f'{{"loss": Infinity, "accuracy": 0.5, "count": {huge}}}'})
    project.commit("base")
    project.write({"metrics.json": f'{{"loss": Infinity, "accuracy": {huge}, "count": 1{huge}}}'})

    result = project.gitml("report", "--base", "HEAD", "--check", "--json", "r.json")
    assert result.returncode == 0, result.stderr  # no OverflowError, no failing gate
    text = (project.root / "r.json").read_text()
    report = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    # `dvc metrics diff` itself stops on this pair (0.5 against a 400-digit integer) ...
    crashed = run_dvc("metrics", "diff", "HEAD", "--json", "--all", cwd=project.root)
    assert crashed.returncode != 0 and "too large to convert to float" in crashed.stderr
    # ... so the values are checked against what `dvc metrics show` reads at each revision
    shown = dvc_json(project, "metrics", "show")
    (head_values,) = (entry["data"]["metrics.json"]["data"] for entry in shown.values())
    rows = {m["name"]: m for m in report["metrics"]}
    assert {name: row["head"] for name, row in rows.items()} == {
        **head_values,
        "loss": "Infinity",
    }
    assert head_values["loss"] == float("inf")
    assert rows["loss"]["base"] == rows["loss"]["head"] == "Infinity"
    assert (rows["loss"]["status"], rows["loss"]["delta"]) == ("unchanged", 0)  # DVC: NaN
    assert rows["count"]["head"] == int("1" + huge)  # every digit
    assert rows["count"]["delta"] == int("1" + huge) - int(huge)
    assert rows["accuracy"]["status"] == "improved" and rows["accuracy"]["delta"] == "Infinity"
    assert "| ⚪ same | metrics.json | loss | inf | inf | 0 | — |" in result.stdout
    assert "nan" not in result.stdout
