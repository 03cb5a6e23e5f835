"""The report reads each revision once (``compare_revisions``) and gets exactly what DVC's own
``show`` functions give, one revision switch per call (``metrics_diff``, ``params_diff``,
``data_diff``, ``plots``): metrics (one file broken at base), params, a plot drawn from two files,
an image plot, a plot file missing at base, a directory output, and the workspace, a commit or
the same commit as head."""

from __future__ import annotations

import json

import pytest

from gitml import dvc_adapter
from gitml.dvc_adapter import WORKSPACE
from tests.cli import run_dvc
from tests.projects import Project

PLOTS = """
plots:
  - ROC:
      template: simple
      x: fpr
      y:
        eval/roc/train.json: tpr
        eval/roc/test.json: tpr
  - eval/loss.csv:
      x: step
      y: loss
  - eval/importance.png
"""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def roc(points: int, shift: float) -> dict:
    return {
        "roc": [{"fpr": i / points, "tpr": min(1.0, i / points + shift)} for i in range(points)]
    }


def separately(repo, base: str, head: str) -> tuple:
    metrics, metric_errors = dvc_adapter.metrics_diff(repo, base, head)
    params, param_errors = dvc_adapter.params_diff(repo, base, head)
    data = dvc_adapter.data_diff(repo, base, head)
    plots, plot_errors = dvc_adapter.plots(repo, base, head)
    return metrics, metric_errors, params, param_errors, data, plots, plot_errors


def together(repo, base: str, head: str) -> tuple:
    c = dvc_adapter.compare_revisions(repo, base, head)
    return c.metrics, c.metric_errors, c.params, c.param_errors, c.data, c.plots, c.plot_errors


@pytest.fixture
def two_revisions(project: Project) -> Project:
    project.declare(["eval/metrics.json", "eval/extra.json"], ["params.yaml"], extra=PLOTS)
    project.write(
        {
            "eval/metrics.json": {"auc": 0.9, "loss": 0.3},
            "eval/extra.json": "{not json",
            "params.yaml": {"train": {"depth": 4, "seed": 1}},
            "eval/roc/train.json": roc(50, 0.1),
            "eval/roc/test.json": roc(40, 0.05),
            "features/a.csv": "1,2\n",
            "features/b.csv": "3,4\n",
        }
    )
    (project.root / "eval" / "importance.png").write_bytes(PNG)
    run_dvc("add", "-q", "features", cwd=project.root, expect=0)
    project.commit("base")
    project.write(
        {
            "eval/metrics.json": {"auc": 0.92, "loss": 0.25},
            "eval/extra.json": {"widgets": 3},
            "params.yaml": {"train": {"depth": 3, "seed": 1}},
            "eval/roc/test.json": roc(40, 0.08),
            "eval/loss.csv": "step,loss\n0,1.0\n1,0.5\n",
            "features/c.csv": "5\n",
        }
    )
    run_dvc("add", "-q", "features", cwd=project.root, expect=0)
    return project


def assert_one_pass_equals_show_functions(project: Project, base: str, head: str) -> tuple:
    with dvc_adapter.open_repo(project.root) as repo:
        expected = separately(repo, base, head)
        got = together(repo, base, head)
    assert got == expected, (base, head)
    return got


def test_one_pass_reads_what_dvcs_show_functions_read(two_revisions: Project):
    same = assert_one_pass_equals_show_functions(two_revisions, "HEAD", "HEAD")
    assert not same[4] and same[0]["eval/metrics.json"]["auc"] == {"old": 0.9, "new": 0.9}
    assert_shapes(assert_one_pass_equals_show_functions(two_revisions, "HEAD", WORKSPACE), "HEAD")
    two_revisions.commit("head")
    assert_shapes(assert_one_pass_equals_show_functions(two_revisions, "HEAD~1", "HEAD"), "HEAD~1")


def assert_shapes(compared: tuple, base: str) -> None:
    """The project really has each shape the comparison must agree on."""
    metrics, metric_errors, params, _, data, plots, plot_errors = compared
    assert metrics["eval/metrics.json"]["auc"] == {"old": 0.9, "new": 0.92}
    assert {(e.rev, e.file) for e in metric_errors} == {(base, "eval/extra.json")}
    assert params == {"params.yaml": {"train.depth": {"old": 4, "new": 3}}}
    changes = [(c.path, c.change, c.base_files, c.head_files) for c in data]
    assert ("features/", "modified", 2, 3) in changes
    by_id = {plot.id: plot for plot in plots}
    assert by_id["eval/importance.png"].template == "image"
    assert len(by_id["ROC"].sources()) == 2 and len(by_id["ROC"].datapoints) == 180
    assert any(e.rev == base and str(e.file).endswith("loss.csv") for e in plot_errors)
    assert json.dumps(by_id["ROC"].vega_lite)  # a filled spec, as DVC's renderer makes it
