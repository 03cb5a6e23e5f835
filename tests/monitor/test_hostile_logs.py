"""Property tests: whatever JSON a log or feedback line holds, ``gitml monitor`` gives a report
(every rendering) or one ``GitmlError``, never an unexpected exception."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitml.config import Settings
from gitml.errors import GitmlError
from gitml.monitor import html as html_render
from gitml.monitor import json_render, markdown
from gitml.monitor.export import export_labelled
from gitml.monitor.flow import MonitorRequest, monitor
from tests.monitor_logs import frame, log_record

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, -0.0, 10**400]),
    st.text(max_size=8),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
FEATURE_VALUES = st.one_of(st.floats(-3, 3), VALUES)


def _line(record: dict) -> str:
    # json.dumps writes NaN and Infinity as Python's JSON reader (and BentoML's writer) do
    return json.dumps(record, default=str)


@st.composite
def log_lines(draw) -> list[str]:
    rows = frame(8, 2).to_dict(orient="records")
    lines = []
    for index, row in enumerate(rows):
        features = {name: draw(FEATURE_VALUES) if draw(st.booleans()) else value
                    for name, value in row.items()}  # fmt: skip
        record = log_record(index, features, draw(VALUES), draw(VALUES), draw(VALUES))
        if draw(st.booleans()):
            record["instance"] = draw(VALUES)
        lines.append(_line(record))
    return lines


@st.composite
def feedback_lines(draw) -> list[str]:
    lines = []
    for index in range(draw(st.integers(0, 6))):
        record = {"timestamp": draw(st.sampled_from(["2026-11-02T00:00:00Z", "x", None, 1e400])),
                  "request_id": draw(st.sampled_from([f"req-{index}", None, 7, ["req-1"]])),
                  "instance": draw(st.one_of(st.just(0), VALUES)), "label": draw(VALUES)}  # fmt: skip
        lines.append(_line(record))
    return lines


def _write(folder: Path, kind: str, lines: list[str]) -> None:
    path = folder / kind / "data" / "data.0.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(logs=log_lines(), feedback=feedback_lines())
def test_any_json_in_the_logs_gives_a_report_or_one_clear_error(logs, feedback):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        reference = frame(60, 1).assign(target=lambda d: (d["x1"] > 0).astype(int))
        reference.to_csv(root / "ref.csv", index=False)
        _write(root / "logs", "gitml_predictions", logs)
        if feedback:
            _write(root / "logs", "gitml_feedback", feedback)
        request = MonitorRequest(
            reference=str(root / "ref.csv"), current=(str(root / "logs"),), root=root
        )
        try:
            result = monitor(request, Settings())
        except GitmlError as error:  # the only one expected: every line broken
            assert "holds no prediction logs" in error.message or not logs, error
            return
        report = result.report
        data = json.loads(json_render.render(report))
        assert data["verdict"] in ("pass", "drift", "fail", "untested", "empty")
        assert markdown.render(report) and html_render.render(report)
        for feature in data["features"]:
            assert (feature["status"] == "untested") == (feature["reason"] is not None)
        if report.performance and report.performance.estimated_accuracy is not None:
            assert 0 <= report.performance.estimated_accuracy <= 1
        exported = export_labelled(result, root / "new.csv")
        assert exported.rows <= data["rows"]["labelled"]
        assert not any(isinstance(v, float) and math.isnan(v) for v in data["rows"].values())


COLUMN_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1.7976931348623157e308, 5e-324, 10**400, -(10**400)]),
    st.integers(),
    st.none(),
    st.text(max_size=4),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    reference=st.lists(COLUMN_VALUES, max_size=40),
    current=st.lists(COLUMN_VALUES, max_size=40),
    kind=st.sampled_from([None, "numeric", "categorical"]),
    test=st.sampled_from([None, "ks", "chisquare", "z", "wasserstein", "jensenshannon"]),
)
def test_any_column_is_tested_or_not_tested_with_a_reason(reference, current, kind, test):
    from gitml.config import FeatureSettings
    from gitml.monitor.compare import compare_column

    result = compare_column(
        "x",
        pd.Series(reference, dtype=object),
        pd.Series(current, dtype=object),
        FeatureSettings(kind=kind, test=test),
    )
    data = result.to_dict()
    assert (data["status"] == "untested") == bool(data["reason"])
    assert json.dumps(data, allow_nan=False)
    if result.statistic is not None:
        assert math.isfinite(result.statistic)
