"""The served Bento records what it answers and takes feedback (a real `bentoml serve`).

Records follow the format of docs/serving.md (the contract the monitor reads): one JSON line per
answered row under ``<monitor dir>/gitml_predictions/data/``, one per label under
``gitml_feedback/data/``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest

from gitml.serving.serve import stop_server
from tests.serving.helpers import serve

# serves a Bento over HTTP: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def _rows(features, start: int, count: int) -> list[dict]:
    return features.iloc[start : start + count].to_dict(orient="records")


def _records_of(served, request_id: str, kind: str = "gitml_predictions") -> list[dict]:
    return [
        record
        for record in map(json.loads, served.records(kind))
        if record["request_id"] == request_id
    ]


def test_every_answer_has_a_request_id_and_one_record_per_row(served, test_split):
    features, model = test_split
    rows = _rows(features, 0, 3)
    answer = httpx.post(f"{served.url}/predict", json={"instances": rows}, timeout=60)
    assert answer.status_code == 200
    request_id = answer.headers["x-request-id"]
    assert REQUEST_ID.match(request_id)
    assert answer.json() == model.predict(features.head(3)).tolist()  # the body is unchanged

    records = _records_of(served, request_id)
    proba = model.predict_proba(features.head(3)).tolist()
    assert [r["instance"] for r in records] == [0, 1, 2]
    for index, record in enumerate(records):
        assert set(record) == {
            "timestamp", "request_id", "trace_id", "instance", "model", "version", "commit",
            "features", "prediction", "probabilities", "classes",
        }  # fmt: skip
        assert datetime.fromisoformat(record["timestamp"]).tzinfo is not None
        assert record["model"] == "classifier:v0.1.0"
        assert record["version"] == "v0.1.0"
        assert re.match(r"^[0-9a-f]{40}$", record["commit"])
        assert record["features"] == rows[index]
        assert record["prediction"] == answer.json()[index]
        assert record["probabilities"] == proba[index]
        assert record["classes"] == [0, 1]


def test_predict_proba_answers_are_recorded_with_their_id(served, test_split):
    features, model = test_split
    answer = httpx.post(
        f"{served.url}/predict_proba", json={"instances": _rows(features, 5, 2)}, timeout=60
    )
    assert answer.status_code == 200
    records = _records_of(served, answer.headers["x-request-id"])
    assert [r["probabilities"] for r in records] == answer.json()
    assert [r["prediction"] for r in records] == model.predict(features.iloc[5:7]).tolist()


async def _hammer(url: str, features, connections: int) -> list[tuple[int, str, list, int]]:
    """Every row of the test split, 1 to 3 rows per request, over ``connections`` clients."""
    sizes = [1 + index % 3 for index in range(len(features))]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    work = [(s, n) for s, n in zip(starts, sizes, strict=True) if s < len(features)]
    answers = []

    async def client(queue: asyncio.Queue) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            while not queue.empty():
                start, count = queue.get_nowait()
                rows = _rows(features, start, count)
                answer = await http.post("/predict", json={"instances": rows})
                answers.append(
                    (start, answer.headers.get("x-request-id"), answer.json(), len(rows))
                )

    queue: asyncio.Queue = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    await asyncio.gather(*(client(queue) for _ in range(connections)))
    return answers


def test_concurrent_answers_are_the_models_and_each_row_has_exactly_one_record(served, test_split):
    """Batched across requests or not, every row's answer is the model's own, and recorded once."""
    features, model = test_split
    expected = model.predict(features).tolist()
    before = len(served.records())
    # in a thread of its own: a session's Playwright (tests/browser.py) keeps an event loop
    # running in this worker's main thread once a browser test has run here
    with ThreadPoolExecutor(1) as thread:
        answers = thread.submit(asyncio.run, _hammer(served.url, features, connections=16)).result()

    assert sum(count for *_, count in answers) == len(features)
    for start, _request_id, labels, count in answers:
        assert labels == expected[start : start + count]
    lines = served.records()[before:]
    records = [json.loads(line) for line in lines]  # no broken line
    per_request = Counter(r["request_id"] for r in records)
    assert per_request == {request_id: count for _s, request_id, _l, count in answers}
    by_row = {(r["request_id"], r["instance"]): r["prediction"] for r in records}
    assert len(by_row) == len(records)  # no row recorded twice
    for _start, request_id, labels, _count in answers:
        assert [by_row[(request_id, i)] for i in range(len(labels))] == labels


def _answered(served, features, rows: int = 2) -> str:
    answer = httpx.post(
        f"{served.url}/predict", json={"instances": _rows(features, 10, rows)}, timeout=60
    )
    assert answer.status_code == 200
    return answer.headers["x-request-id"]


def test_feedback_is_recorded_and_the_last_label_wins(served, test_split):
    features, _model = test_split
    request_id = _answered(served, features)

    def post(body: dict) -> httpx.Response:
        return httpx.post(f"{served.url}/feedback", json=body, timeout=60)

    assert post({"request_id": request_id, "label": 1}).json() == {"recorded": 1}
    assert post({"request_id": request_id, "label": 0, "instance": 1}).json() == {"recorded": 1}
    batch = {"feedback": [{"request_id": request_id, "label": 0}, {"request_id": request_id, "label": 1, "instance": 1}]}  # fmt: skip
    assert post(batch).json() == {"recorded": 2}

    records = _records_of(served, request_id, "gitml_feedback")
    assert [(r["instance"], r["label"]) for r in records] == [(0, 1), (1, 0), (0, 0), (1, 1)]
    assert all(datetime.fromisoformat(r["timestamp"]) for r in records)


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"request_id": "0" * 32, "label": 1}, 404, "unknown request_id '" + "0" * 32 + "'"),
        ({"request_id": "nope", "label": 1}, 404, "unknown request_id 'nope'"),
        ({"request_id": "ID"}, 400, '"label" must be one of the model\'s classes [0, 1], got null'),
        ({"request_id": "ID", "label": "yes"}, 400, '"label" must be one of the model\'s classes'),
        ({"request_id": "ID", "label": True}, 400, '"label" must be one of the model\'s classes'),
        ({"request_id": 7, "label": 1}, 400, '"request_id" must be the X-Request-Id of an answer'),
        ({"request_id": "ID", "label": 1, "instance": 2}, 400, "request ID had 2 instance(s): "),
        ({"request_id": "ID", "label": 1, "instance": -1}, 400, '"instance" must be the row index'),
        ({"feedback": []}, 400, '"feedback" must be a non-empty list'),
        ({"feedback": [{"request_id": "ID", "label": 1}, 3]}, 400, "feedback[1]: must be an object"),
        ({"feedback": [{"request_id": "ID", "label": 1, "x": 1}]}, 400, "feedback[0]: has unknown key(s): x"),
        ({"feedback": [], "request_id": "ID"}, 400, 'send either {"request_id", "label"} or'),
    ],
)  # fmt: skip
def test_bad_feedback_is_4xx_with_a_message_and_records_nothing(
    served, test_split, body, status, expected
):
    features, _model = test_split
    request_id = _answered(served, features)
    text = json.dumps(body).replace('"ID"', json.dumps(request_id))
    before = served.records("gitml_feedback")
    answer = httpx.post(
        f"{served.url}/feedback",
        content=text,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["error"].startswith(expected.replace("ID", request_id)), answer.json()
    assert served.records("gitml_feedback") == before


def test_after_a_restart_feedback_finds_ids_in_the_log_and_a_full_disk_fails_loudly(
    project, served, test_split, tmp_path
):
    """A second server on a copy of the first one's records, whose own prediction file is
    /dev/full (every write: "No space left on device"): it knows the first server's ids from
    the log on disk, and it refuses to answer what it cannot record."""
    _clone, env = project
    features, _model = test_split
    request_id = _answered(served, features, rows=3)
    monitor_dir = tmp_path / "monitoring"
    shutil.copytree(served.monitor_dir, monitor_dir)
    data = monitor_dir / "gitml_predictions" / "data"
    for path in data.glob("data.*.log"):
        path.rename(path.with_name("data.earlier.log"))
        (data / path.name).symlink_to("/dev/full")
    process, second = serve(env, monitor_dir, tmp_path / "server.log")
    try:
        feedback = {"request_id": request_id, "label": 0, "instance": 2}
        answer = httpx.post(f"{second.url}/feedback", json=feedback, timeout=60)
        assert answer.json() == {"recorded": 1}

        rows = _rows(features, 0, 2)
        answer = httpx.post(f"{second.url}/predict", json={"instances": rows}, timeout=60)
        assert answer.status_code == 503
        assert "x-request-id" not in answer.headers
        assert answer.json()["error"].startswith(
            "the answer was not given: its record was not written ("
        )
        assert answer.json()["error"].endswith(": No space left on device)")
    finally:
        stop_server(process)
    assert "No space left on device" in second.log.read_text(errors="replace")
