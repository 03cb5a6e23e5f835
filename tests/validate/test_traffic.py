"""Reading prod's logged traffic as requests to replay: whole requests in the logged order and
shapes, only the champion's answers, the window, the cap, broken and incomplete requests, the
feedback joined. Log files in the service's format (docs/serving.md), no server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from gitml.config import parse_deploy_settings, parse_validate_settings
from gitml.errors import ConfigError
from gitml.monitor.sources import find_sources
from gitml.validate.traffic import TrafficRequest, read_traffic
from gitml.validate.window import since_time
from tests.monitor_logs import write_feedback

START = datetime(2026, 11, 1, tzinfo=timezone.utc)


def record(request: str, instance: int, minute: int, version: str = "v0.1.0", **extra) -> dict:
    return {
        "instance": instance,
        "model": f"classifier:{version}",
        "version": version,
        "commit": "c" * 40,
        "features": {"a": float(minute), "b": float(instance)},
        "prediction": instance % 2,
        "probabilities": [0.4, 0.6],
        "classes": [0, 1],
        "timestamp": (START + timedelta(minutes=minute)).isoformat(),
        "request_id": request,
        **extra,
    }


def write(folder: Path, worker: int, lines: list) -> None:
    path = folder / "gitml_predictions" / "data" / f"data.{worker}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


def read(folder: Path, **options):
    return read_traffic(find_sources([str(folder)]), TrafficRequest("v0.1.0", **options))


def test_requests_come_whole_in_the_logged_order_and_shape(tmp_path: Path) -> None:
    # two workers' files interleave in time; a request's rows are ordered by instance
    write(tmp_path, 0, [record("r1", 1, 1), record("r1", 0, 1), record("r3", 0, 3)])
    write(tmp_path, 1, [record("r2", 0, 2), record("r2", 1, 2), record("r2", 2, 2)])
    traffic = read(tmp_path)
    assert [(r.request_id, r.rows) for r in traffic.requests] == [("r1", 2), ("r2", 3), ("r3", 1)]
    first = traffic.requests[0]
    assert first.instances == [{"a": 1.0, "b": 0.0}, {"a": 1.0, "b": 1.0}]
    assert first.predictions == [0, 1] and first.probabilities == [[0.4, 0.6], [0.4, 0.6]]
    assert traffic.classes == [0, 1] and traffic.rows == 6


def test_only_the_champions_answers_count_and_the_rest_are_counted(tmp_path: Path) -> None:
    write(tmp_path, 0, [
        record("r1", 0, 1),
        record("s1", 0, 2, version="v0.2.0"),
        record("s2", 0, 3, version="v0.2.0"),
        {**record("u1", 0, 4), "version": None},
        "not json",
        '{"features": {"a": 1',
    ])  # fmt: skip
    traffic = read(tmp_path)
    assert [r.request_id for r in traffic.requests] == ["r1"]
    assert traffic.other_versions == {"v0.2.0": 2, "unknown": 1}
    assert traffic.broken_lines == 2


def test_the_window_and_the_cap_keep_the_newest_requests(tmp_path: Path) -> None:
    write(tmp_path, 0, [record(f"r{m}", 0, m) for m in (5, 1, 4, 2, 3, 6)])
    since = START + timedelta(minutes=2)
    traffic = read(tmp_path, since=since, limit=3)
    assert [r.request_id for r in traffic.requests] == ["r4", "r5", "r6"]
    assert traffic.before_window == 1 and traffic.beyond_limit == 2


def test_a_request_missing_a_row_is_left_out(tmp_path: Path) -> None:
    write(tmp_path, 0, [record("r1", 0, 1), record("r1", 2, 1), record("r2", 0, 2)])
    traffic = read(tmp_path)
    assert [r.request_id for r in traffic.requests] == ["r2"] and traffic.incomplete == 1


def test_feedback_labels_join_their_rows_and_the_newest_wins(tmp_path: Path) -> None:
    write(tmp_path, 0, [record("r1", 0, 1), record("r1", 1, 1), record("r2", 0, 2)])
    write_feedback(tmp_path, [("r1", 0)], at=START + timedelta(days=1))
    write_feedback(tmp_path, [("r1", 1), ("nobody", 1)], at=START + timedelta(days=2))
    traffic = read(tmp_path)
    assert traffic.requests[0].labels == {0: 1} and traffic.requests[1].labels == {}
    assert traffic.labelled_rows == 1 and traffic.feedback_records == 3


def test_since_takes_an_age_or_a_time() -> None:
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert since_time("7d", now) == now - timedelta(days=7)
    assert since_time("2026-11-29T08:00:00Z") == datetime(2026, 11, 29, 8, tzinfo=timezone.utc)
    with pytest.raises(Exception, match="is not a time"):
        since_time("last week")


def test_the_validate_and_deploy_tables_are_strict() -> None:
    settings = parse_validate_settings({"min_agreement": 0.99, "metric": "f1", "since": "7d"})
    assert (settings.min_agreement, settings.metric, settings.since) == (0.99, "f1", "7d")
    bad = [
        ({"min_agreement": 1.5}, "between 0 and 1"),
        ({"metric": "roc_auc"}, "use one of accuracy"),
        ({"since": "yesterday"}, "an age"),
        ({"max_new_errors": -1}, ">= 0"),
        ({"max_regresion": 0.1}, "unknown key max_regresion"),
        ({"bootstrap": 10}, ">= 100"),
    ]
    for table, message in bad:
        with pytest.raises(ConfigError, match=message):
            parse_validate_settings(table)
    deploy = parse_deploy_settings({"stages": {"prod": "deploy/prod/kustomization.yaml"}})
    assert deploy.enabled and deploy.stages == {"prod": "deploy/prod/kustomization.yaml"}
    for table, message in [
        ({"stages": {"prod": "../x/kustomization.yaml"}}, "inside the repository"),
        ({"stages": {"prod": "deploy/prod/deployment.yaml"}}, "kustomization.yaml"),
        ({"repo": "acme/manifests"}, "unknown key repo"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_deploy_settings(table)
