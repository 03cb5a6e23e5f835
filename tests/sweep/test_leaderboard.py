"""Ranking and rendering of sweep runs, on data (no DVC)."""

from __future__ import annotations

import json
import re

import pytest

from gitml.config import parse_settings
from gitml.core.compare import compare
from gitml.core.model import GateResult
from gitml.errors import ConfigError
from gitml.sweep import json_render, markdown
from gitml.sweep.leaderboard import rank
from gitml.sweep.model import SweepRun

SETTINGS = parse_settings({"gates": [{"metric": "score", "min": 0.5}]})


def run(name: str, depth: int, score: float | None, passed: bool = True) -> SweepRun:
    if score is None:
        return SweepRun(name, {"train.depth": depth}, "failed", error="stage train failed")
    row = compare("metrics.json", "score", 0.6, score, "higher")
    gate = GateResult("score", row.key, "min 0.5", passed, "detail")
    return SweepRun(name, {"train.depth": depth}, "ok", metrics=[row], gates=[gate])


def test_runs_are_ranked_best_first_and_failed_runs_last() -> None:
    runs = [run("a", 1, 0.7), run("b", 2, None), run("c", 3, 0.9), run("d", 4, 0.8)]
    board = rank(runs, "main", SETTINGS)
    assert [(r.run.name, r.rank) for r in board.runs] == [("c", 1), ("d", 2), ("a", 3), ("b", None)]
    assert board.best == "c"
    assert board.rank_by == "score" and board.direction == "higher"
    assert board.notes[0] == "Ranked by `score` (the first gated metric)."


def test_lower_is_better_ranks_ascending_and_ties_keep_grid_order() -> None:
    settings = parse_settings({"sweep": {"rank_by": "loss"}})
    rows = lambda v: [compare("m.json", "loss", 0.5, v, "lower")]  # noqa: E731
    runs = [
        SweepRun(n, {"p": i}, "ok", metrics=rows(v))
        for i, (n, v) in enumerate([("x", 0.3), ("y", 0.1), ("z", 0.3)])
    ]
    board = rank(runs, "main", settings)
    assert [r.run.name for r in board.runs] == ["y", "x", "z"]


def test_the_best_run_is_the_first_that_passes_every_gate() -> None:
    board = rank([run("a", 1, 0.9, passed=False), run("b", 2, 0.8)], "main", SETTINGS)
    assert [r.rank for r in board.runs] == [1, 2]
    assert board.best == "b"
    none_pass = rank([run("a", 1, 0.9, passed=False)], "main", SETTINGS)
    assert none_pass.best is None
    assert "No run passes every quality gate" in none_pass.notes[-1]


def test_ranking_by_a_metric_with_no_direction_is_a_config_error() -> None:
    settings = parse_settings({"sweep": {"rank_by": "odd"}})
    runs = [SweepRun("a", {"p": 1}, "ok", metrics=[compare("m.json", "odd", 1, 2, None)])]
    with pytest.raises(
        ConfigError, match=re.escape('set [tool.gitml.metrics] odd = "higher" or "lower"')
    ):
        rank(runs, "main", settings)


def test_only_params_that_vary_are_columns() -> None:
    runs = [
        SweepRun("a", {"x": 1, "y": 5}, "ok"),
        SweepRun("b", {"x": 2, "y": 5}, "ok"),
    ]
    assert rank(runs, "main", parse_settings({})).swept == ["x"]


def test_json_has_the_documented_shape_best_first() -> None:
    board = rank([run("a", 1, 0.7), run("b", 2, None), run("c", 3, 0.9)], "main", SETTINGS)
    data = json.loads(json_render.render(board))
    assert set(data) >= {"base", "rank_by", "runs"}
    assert (data["verdict"], data["best"]) == ("pass", "c")
    assert [r["name"] for r in data["runs"]] == ["c", "a", "b"]
    first = data["runs"][0]
    assert set(first) == {"name", "rank", "status", "error", "params", "metrics", "gates"}
    assert first["params"] == {"train.depth": 3}
    assert first["metrics"] == [
        {
            "file": "metrics.json",
            "name": "score",
            "value": 0.9,
            "base": 0.6,
            "delta": pytest.approx(0.3),
            "status": "improved",
        }
    ]
    assert data["runs"][2] | {"metrics": None} == {
        "name": "b",
        "rank": None,
        "status": "failed",
        "error": "stage train failed",
        "params": {"train.depth": 2},
        "metrics": None,
        "gates": [],
    }


def test_markdown_marks_the_best_and_lists_failures_with_their_error() -> None:
    board = rank([run("a", 1, 0.7), run("b", 2, None), run("c", 3, 0.9)], "main", SETTINGS)
    text = markdown.render(board)
    assert text.startswith("## 🏁 gitml sweep: 3 runs, 1 failed, best `c` (score 0.9)")
    assert "| 🥇 1 ⭐ | `c` | 3 |" in text
    assert "| — | `b` | 2 | failed: stage train failed |" in text
    assert "gitml sweep --apply best" in text


def test_markdown_is_capped_keeping_the_best_runs() -> None:
    runs = [run(f"run-{i:03d}", i, 0.5 + i / 1000) for i in range(400)]
    board = rank(runs, "main", SETTINGS)
    text = markdown.render(board, limit=6000)
    assert len(text) <= 6000
    assert "`run-399`" in text and "`run-000`" not in text
    assert "more runs: the full leaderboard is in the workflow's artifact" in text
    assert len(markdown.render_full(board)) > 6000


def test_the_html_leaderboard_renders_in_chromium_even_with_hostile_names(
    browser, tmp_path
) -> None:
    from gitml.sweep import html
    from tests.browser import open_in_browser

    hostile = "</script><!--<script>alert(1)</script>"
    runs = [
        SweepRun(
            f"r{i}",
            {"train.kind": f"{hostile}{i}", "train.depth": i},
            "ok",
            metrics=[compare("m.json", "score", 0.5, 0.5 + i / 10, "higher")],
        )
        for i in range(3)
    ] + [SweepRun("broken", {"train.kind": hostile, "train.depth": 9}, "failed", error=hostile)]
    board = rank(runs, "main", parse_settings({"sweep": {"rank_by": "score"}}))
    path = tmp_path / "leaderboard.html"
    path.write_text(html.render(board), encoding="utf-8")
    page = open_in_browser(browser, path)
    page.assert_clean()
    assert page.charts == {"score against train.kind": 1, "score against train.depth": 1}
    assert hostile in page.text  # shown as text, not run
