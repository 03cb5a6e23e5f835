"""`gitml report` on real git + DVC projects: numbers, statuses, errors, gates, limits."""

from __future__ import annotations

import json

from gitml.core.limits import COMMENT_LIMIT
from tests.cli import run_dvc
from tests.helpers import git


def test_numbers_equal_dvc_metrics_diff(project):
    project.declare(["metrics.json", "eval/scores.json"])
    project.write(
        {
            "metrics.json": {"accuracy": 0.81, "loss": 0.52, "nested": {"auc": 0.7, "n": 3}},
            "eval/scores.json": {"f1": 0.6},
        }
    )
    project.commit("base")
    project.write(
        {
            "metrics.json": {"accuracy": 0.84, "loss": 0.55, "nested": {"auc": 0.75, "n": 3}},
            "eval/scores.json": {"f1": 0.58},
        }
    )
    ours = project.report_json("--base", "HEAD")
    theirs = json.loads(
        run_dvc("metrics", "diff", "HEAD", "--json", "--all", cwd=project.root, expect=0).stdout
    )
    expected = {
        (file, name): (v["old"], v["new"], v.get("diff"))
        for file, entries in theirs.items()
        for name, v in entries.items()
    }
    got = {(m["file"], m["name"]): (m["base"], m["head"], m["delta"]) for m in ours["metrics"]}
    assert set(got) == set(expected)
    for key, (old, new, delta) in expected.items():
        assert got[key][0] == old and got[key][1] == new
        assert got[key][2] == (delta or 0)
    statuses = {(m["file"], m["name"]): m["status"] for m in ours["metrics"]}
    assert statuses[("metrics.json", "accuracy")] == "improved"
    assert statuses[("metrics.json", "loss")] == "regressed"
    assert statuses[("metrics.json", "nested.auc")] == "improved"  # nested, known direction
    assert statuses[("metrics.json", "nested.n")] == "unchanged"
    assert statuses[("eval/scores.json", "f1")] == "regressed"
    # regressions come first, whatever order DVC returned
    assert [m["status"] for m in ours["metrics"]][:2] == ["regressed", "regressed"]


def test_metrics_missing_on_base_are_new_and_gone_from_head_are_removed(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8, "old_metric": 1.5}})
    project.commit("base")
    project.write({"metrics.json": {"accuracy": 0.8, "fresh": 2}})
    report = project.report_json("--base", "HEAD")
    statuses = {m["name"]: (m["status"], m["base"], m["head"]) for m in report["metrics"]}
    assert statuses["fresh"] == ("new", None, 2)
    assert statuses["old_metric"] == ("removed", 1.5, None)
    assert statuses["accuracy"] == ("unchanged", 0.8, 0.8)


def test_params_only_change_lists_only_changed_params(project):
    project.declare(["metrics.json"], params=["params.yaml"])
    project.write(
        {
            "metrics.json": {"accuracy": 0.8},
            "params.yaml": {"train": {"lr": 0.1, "epochs": 3}, "seed": 1},
        }
    )
    project.commit("base")
    project.write({"params.yaml": {"train": {"lr": 0.05, "epochs": 3}, "seed": 1}})
    report = project.report_json("--base", "HEAD")
    assert report["params"] == [
        {"file": "params.yaml", "name": "train.lr", "base": 0.1, "head": 0.05}
    ]
    assert [m["status"] for m in report["metrics"]] == ["unchanged"]
    markdown = project.gitml("report", "--base", "HEAD").stdout
    assert "| params.yaml | train.lr | 0.1 | 0.05 |" in markdown


def test_no_change_at_all(project):
    project.declare(["metrics.json"], params=["params.yaml"])
    project.write({"metrics.json": {"accuracy": 0.8}, "params.yaml": {"lr": 0.1}})
    project.commit("base")
    result = project.gitml("report", "--base", "HEAD")
    assert result.returncode == 0
    assert result.stdout.startswith("## ✅ gitml: 0 improved, 0 regressed, no gates")
    assert "Params changed" not in result.stdout and "Data changed" not in result.stdout


def test_load_errors_are_reported_not_swallowed(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    project.commit("base")
    (project.root / "metrics.json").write_text("{not json")
    assert run_dvc("metrics", "diff", "HEAD", cwd=project.root).returncode == 0  # DVC hides it
    report = project.report_json("--base", "HEAD")
    assert report["errors"] and report["errors"][0]["source"] == "metrics"
    assert report["errors"][0]["file"] == "metrics.json"
    # a file that did not load is neither removed nor passed
    assert [m["status"] for m in report["metrics"]] == ["not loaded"]
    assert report["verdict"] == "incomplete"
    markdown = project.gitml("report", "--base", "HEAD").stdout
    assert markdown.startswith("## ⚠️ gitml: 1 metric not loaded, 0 improved")
    assert "| ⚠️ not loaded | metrics.json | accuracy | 0.8 | not loaded | — | — |" in markdown
    assert "### Not loaded" in markdown and "| metrics.json | `workspace` |" in markdown


def test_awkward_names_render_safely(project):
    name = "acc|uracy <b>`x`</b> @team\nline2"
    project.declare(["metrics.json"])
    project.write({"metrics.json": {name: 0.5}})
    project.commit("base")
    project.write({"metrics.json": {name: 0.6}})
    markdown = project.gitml("report", "--base", "HEAD").stdout
    row = next(line for line in markdown.splitlines() if "uracy" in line)
    assert row.count(" | ") == 6  # the table row still has its 7 cells
    assert "acc\\|uracy &lt;b&gt;&#96;x&#96;&lt;/b&gt; &#64;team<br>line2" in row
    assert "<b>" not in markdown and "@team" not in markdown


def test_thousands_of_metrics_stay_under_the_comment_limit(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {f"class_{i:04d}.recall": 0.5 for i in range(1500)}})
    project.commit("base")
    values = {f"class_{i:04d}.recall": 0.5 + (0.01 if i % 2 else 0) for i in range(1500)}
    values["class_0000.recall"] = 0.4  # the one regression must survive shortening
    project.write({"metrics.json": values})
    out = project.root / "report.md"
    result = project.gitml("report", "--base", "HEAD", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith("## ✅ gitml: 750 improved, 1 regressed")
    assert "class\\_0000.recall" in text
    assert "…and 1500 more metrics not shown" not in text and "1499 more metrics" in text
    full = (project.root / "report.full.md").read_text()
    assert full.count("🟢 better") == 750
    assert text == project.gitml("report", "--base", "HEAD").stdout  # deterministic


GATES = """
[tool.gitml]
base = "main"
[tool.gitml.metrics]
accuracy = "higher"
[[tool.gitml.gates]]
metric = "accuracy"
min = 0.75
max_regression = 0.02
"""


def test_gates_pass_and_fail_with_exit_codes(project):
    project.write({"pyproject.toml": GATES})
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    project.commit("base")

    project.write({"metrics.json": {"accuracy": 0.79}})
    passing = project.gitml("report", "--check")
    assert passing.returncode == 0, passing.stderr
    assert passing.stdout.startswith("## ✅ gitml: 0 improved, 1 regressed, all gates pass")

    project.write({"metrics.json": {"accuracy": 0.7}})
    failing = project.gitml("report", "--check", "--json", "r.json")
    assert failing.returncode == 1
    assert failing.stderr.strip().splitlines()[-1] == (
        "ERROR: 2 quality gate(s) failed: accuracy min 0.75: 0.7 < 0.75; "
        "accuracy max_regression 0.02: regressed by 0.1 > 0.02 (0.8 -> 0.7)"
    )
    data = json.loads((project.root / "r.json").read_text())
    assert data["verdict"] == "fail"
    assert [g["passed"] for g in data["gates"]] == [False, False]
    assert failing.stdout.startswith("## ❌ gitml: 0 improved, 1 regressed, 2 of 2 gates failed")
    assert project.gitml("report").returncode == 0  # without --check the report is not a failure


def test_bad_gate_config_is_a_clear_error(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    project.write({"pyproject.toml": GATES.replace('accuracy"\nmin', 'acuracy"\nmin')})
    project.commit("base")
    result = project.gitml("report")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: gate on metric 'acuracy', which no metrics file has (metrics: accuracy); "
        "fix the name in [[tool.gitml.gates]]"
    )
    project.write({"pyproject.toml": GATES.replace("min = 0.75", "minimum = 0.75")})
    result = project.gitml("report")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown key minimum in [[tool.gitml.gates]] #1; allowed: max, max_regression, metric, min"
    )


def test_unknown_base_revision_names_the_fix(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    project.commit("base")
    result = project.gitml("report", "--base", "origin/main")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'origin/main'; check the name (this repository has no git "
        "remote to fetch it from)"
    )


def test_revisions_render_as_plain_code_spans(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    project.commit("one")
    project.write({"metrics.json": {"accuracy": 0.9}})
    project.commit("two")
    markdown = project.gitml("report", "--base", "HEAD~1").stdout
    head, base = (git(project.root, "rev-parse", "--short=7", rev) for rev in ("HEAD", "HEAD~1"))
    # a clean workspace is its branch and commit; uncommitted changes are said
    assert f"Comparing `main` at `{head}` against `HEAD~1` at `{base}`." in markdown
    project.write({"metrics.json": {"accuracy": 0.95}})
    markdown = project.gitml("report", "--base", "HEAD~1").stdout
    assert (
        f"Comparing `workspace` at `{head}` (uncommitted changes on main) against `HEAD~1` at "
        f"`{base}`." in markdown
    )


def test_a_broken_pipeline_definition_is_one_line_naming_the_revision(project):
    project.declare(["metrics.json"], params=["params.yaml"])
    project.write({"metrics.json": {"accuracy": 0.8}, "params.yaml": {"lr": 0.1}})
    project.commit("base")
    (project.root / "params.yaml").write_text("lr: [\n")
    result = project.gitml("report", "--base", "HEAD")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "ERROR: at workspace, a file dvc.yaml reads is broken: unable to read: 'params.yaml', "
        "YAML file structure is corrupted; fix the file"
    )
