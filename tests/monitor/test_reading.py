"""Reading windows: log folders with broken lines and feedback, --since/--last, seeded samples."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest

from gitml.errors import DataError, UsageError
from gitml.monitor.reading import LABEL, SCHEMA_OK, WindowRequest, read_window
from gitml.monitor.sources import find_sources
from tests.monitor_logs import START, frame, write_feedback, write_logs


def read(paths, **options):
    return read_window(find_sources([str(p) for p in paths]), WindowRequest(**options))


def test_logs_across_workers_with_broken_lines_are_read_and_the_bad_lines_counted(tmp_path):
    write_logs(tmp_path, frame(300, 1), workers=3, broken=4)
    # BentoML's rotated file of an earlier day, and its schema file, which is not data
    rotated = tmp_path / "gitml_predictions" / "data" / "data.0.log.2026-10-31"
    write_logs(tmp_path / "old", frame(20, 2), first_index=1000)
    rotated.write_text((tmp_path / "old/gitml_predictions/data/data.0.log").read_text())
    schema = tmp_path / "gitml_predictions" / "schema" / "schema.0.log"
    schema.parent.mkdir(parents=True)
    schema.write_text('{"meta_data": {}}\n')

    window = read([tmp_path / "gitml_predictions"], chunk_rows=64)
    assert window.rows == window.rows_read == 300 + 20
    assert window.broken_lines == 6  # 4 half-written records and 2 lines that are not JSON
    assert window.is_log and window.versions == {"v0.1.0": 320}
    assert set(window.sample.columns) >= {"x1", "x2", "x3", "color"}


def test_feedback_joins_by_request_and_the_newest_label_wins(tmp_path):
    write_logs(tmp_path, frame(10, 1))
    write_feedback(tmp_path, [("req-1", 1), ("req-2", 0), ("req-1", 0), ("unknown", 1)])
    # a later record in another worker file, but with an older timestamp: it loses
    write_feedback(tmp_path, [("req-2", 1)], worker=1, at=START)
    window = read([tmp_path])
    labels = dict(zip(window.labelled["__request_id"], window.labelled[LABEL], strict=True))
    assert labels == {"req-1": 0, "req-2": 0}
    assert window.feedback_records == 5 and window.unmatched_feedback == 1


def test_since_and_last_select_the_window(tmp_path):
    write_logs(tmp_path, frame(100, 1), workers=2)  # one record a minute from START
    since = read([tmp_path], since=START + timedelta(minutes=90))
    assert since.rows == 10 and since.rows_read == 100
    last = read([tmp_path], last=7, chunk_rows=16)
    assert sorted(last.sample["__request_id"]) == sorted(f"req-{i}" for i in range(93, 100))
    with pytest.raises(UsageError, match="no timestamp column"):
        data = tmp_path / "plain.csv"
        frame(5, 1).to_csv(data, index=False)
        read([data], since=START)


def test_a_large_input_is_sampled_with_a_fixed_seed_and_memory_bounded_by_the_sample(tmp_path):
    data = tmp_path / "big.csv"
    frame(5000, 1).assign(row=range(5000)).to_csv(data, index=False)
    first = read([data], sample_rows=500, chunk_rows=300, seed=3)
    again = read([data], sample_rows=500, chunk_rows=300, seed=3)
    other = read([data], sample_rows=500, chunk_rows=300, seed=4)
    assert first.sampled and first.rows == 5000 and len(first.sample) == 500
    assert list(first.sample["row"]) == list(again.sample["row"])
    assert list(first.sample["row"]) != list(other.sample["row"])
    # the sample does not depend on how the input was chunked
    rechunked = read([data], sample_rows=500, chunk_rows=777, seed=3)
    assert sorted(rechunked.sample["row"]) == sorted(first.sample["row"])
    # and is spread over the whole file
    assert first.sample["row"].min() < 500 and first.sample["row"].max() > 4500


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_tables_in_each_format(tmp_path, suffix):
    data = frame(50, 1)
    path = tmp_path / f"data{suffix}"
    if suffix == ".csv":
        data.to_csv(path, index=False)
    elif suffix == ".parquet":
        data.to_parquet(path)
    else:
        path.write_text(
            "".join(json.dumps(r) + "\n" for r in data.to_dict(orient="records")) + "{oops\n"
        )
    window = read([path], chunk_rows=20)
    assert window.rows == 50 and not window.is_log
    assert window.broken_lines == (1 if suffix == ".jsonl" else 0)
    pd.testing.assert_frame_equal(
        window.sample[data.columns].reset_index(drop=True), data, check_dtype=False
    )


def test_rows_whose_features_are_not_the_models_are_marked(tmp_path):
    data = frame(4, 1)
    records = write_logs(tmp_path, data)
    path = tmp_path / "gitml_predictions" / "data" / "data.0.log"
    odd = dict(records[0], request_id="odd", features={"x1": 1.0, "other": 2})
    path.write_text(path.read_text() + json.dumps(odd) + "\n")
    window = read([tmp_path], expected=("x1", "x2", "x3", "color"))
    assert list(window.sample[SCHEMA_OK]) == [True] * 4 + [False]


def test_missing_and_unusable_inputs_are_one_clear_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no prediction logs"):
        read([tmp_path / "empty"])
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(UsageError, match="cannot tell the format"):
        read([tmp_path / "x.txt"])
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(DataError, match="cannot read"):
        read([bad])


def test_an_empty_window_is_a_window(tmp_path):
    write_logs(tmp_path, frame(5, 1))
    window = read([tmp_path], since=START + timedelta(days=30))
    assert window.rows == 0 and window.sample.empty and window.labelled.empty
