"""The default service's edges without serving it: body keys, form bodies, the feedback token,
and the request index that ``/feedback`` looks ids up in (off the event loop, reading only what
was appended). The served Bento is tested in test_service_input.py and test_service_records.py.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sys
import threading
from pathlib import Path

import httpx
import pytest

import gitml.serving

# The service's modules import each other by their plain names, as they do inside the Bento.
sys.path.insert(0, str(Path(gitml.serving.__file__).parent))
from service_http import ClientError, FeedbackAuth, JsonErrors, normalise
from service_records import RequestIndex, parse_feedback

ID = "5b52e442b0464b0ca828dcd7f8936674"


def run(coroutine):
    """``asyncio.run`` in a thread of its own: a browser test's sync Playwright may hold this
    thread's event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"request_id": ID, "label": 0, "instanse": 2}, "has unknown key(s): instanse"),
        ([{"request_id": ID, "label": 0}], 'the body must be {"request_id", "label"'),
        ("x", 'the body must be {"request_id", "label"'),
        ({"feedback": [{"request_id": ID, "label": 0}], "x": 1}, "the body has unknown key(s): x"),
        ({"feedback": [{"request_id": ID, "label": 0, "y": 1}]}, "feedback[0]: has unknown key(s): y"),
        ({"feedback": None}, '"feedback" must be a non-empty list'),
        ({"feedback": [], "label": 1}, 'send either {"request_id", "label"} or'),
    ],
)  # fmt: skip
def test_feedback_with_a_key_it_does_not_take_is_refused(body, message):
    """Before: the single form dropped "instanse" and labelled instance 0."""
    with pytest.raises(ClientError) as refused:
        parse_feedback(body, [0, 1], 100)
    assert refused.value.status == 400
    assert refused.value.message.startswith(message), refused.value.message


def test_good_feedback_is_parsed():
    assert parse_feedback({"request_id": ID, "label": 1}, [0, 1], 10) == [(ID, 0, 1)]
    assert parse_feedback({"request_id": ID, "label": 0, "instance": None}, [0, 1], 10) == [
        (ID, 0, 0)
    ]
    batch = {"feedback": [{"request_id": ID, "label": 1, "instance": 2}]}
    assert parse_feedback(batch, [0, 1], 10) == [(ID, 2, 1)]


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        (
            [{"type": "extra_forbidden", "loc": ["body", "instanse"], "msg": "Extra inputs are not permitted"}],
            "the body has unknown key(s): instanse",
        ),
        (
            [{"type": "missing", "loc": ["body", "instances"], "msg": "Field required"},
             {"type": "extra_forbidden", "loc": ["body", "rows"], "msg": "Extra inputs"}],
            '"instances": Field required; the body has unknown key(s): rows',
        ),
        ([{"type": "model_type", "loc": [], "msg": "Input should be an object"}],
         "the request body: Input should be an object"),
    ],
)  # fmt: skip
def test_bentomls_validation_errors_become_one_line(detail, message):
    """The input models forbid extra keys (service.py); pydantic's detail says which."""
    body = json.dumps({"error": "1 validation error", "detail": detail}).encode()
    assert normalise(400, body, "POST", "/feedback") == message


async def _inner(scope, receive, send):
    """The app behind the middleware: echoes the body it was given, 200."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _client(auth: FeedbackAuth | None = None) -> httpx.AsyncClient:
    app = JsonErrors(_inner, max_body_bytes=1000, feedback=auth)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


def _post(auth, path, **kwargs) -> httpx.Response:
    async def go():
        async with _client(auth) as client:
            return await client.post(path, **kwargs)

    return run(go())


@pytest.mark.parametrize(
    "kind", ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]
)
@pytest.mark.parametrize("path", ["/predict", "/feedback", "/metadata"])
def test_a_form_body_is_415_before_bentoml_parses_it(kind, path):
    """Before: a malformed multipart body answered 500 with a traceback in the server's log."""
    answer = _post(None, path, content=b"--x\r\nbroken", headers={"content-type": kind})
    assert answer.status_code == 415
    assert answer.json() == {
        "error": f"{kind.split(';')[0]} is not accepted: send the body as JSON "
        "(Content-Type: application/json)"
    }
    assert _post(None, path, json={"a": 1}).status_code == 200


def test_the_feedback_token_is_required_when_set():
    auth = FeedbackAuth(token="s3cret-token")
    body = {"request_id": ID, "label": 1}
    missing = _post(auth, "/feedback", json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json() == {
        "error": "POST /feedback needs the header Authorization: Bearer <feedback token>"
    }
    for wrong in ("Bearer nope", "Bearer s3cret-token-and-more", "Basic s3cret-token", "Bearer "):
        answer = _post(auth, "/feedback", json=body, headers={"authorization": wrong})
        assert answer.status_code == 401, wrong
        assert "s3cret" not in answer.text
    good = _post(auth, "/feedback", json=body, headers={"authorization": "Bearer s3cret-token"})
    assert good.status_code == 200 and good.json() == body
    # the other endpoints take no token
    assert _post(auth, "/predict", json={"instances": []}).status_code == 200


def test_a_server_that_requires_a_token_and_has_none_refuses_feedback():
    auth = FeedbackAuth.from_env({"GITML_FEEDBACK_AUTH": "required"})
    answer = _post(auth, "/feedback", json={"request_id": ID, "label": 1})
    assert answer.status_code == 503
    assert "set GITML_FEEDBACK_TOKEN on the server" in answer.json()["error"]
    assert FeedbackAuth.from_env({}).open
    assert not FeedbackAuth.from_env({"GITML_FEEDBACK_TOKEN": "t"}).open
    assert FeedbackAuth.from_env({"GITML_FEEDBACK_AUTH": "off"}).open


def _record(request_id: str, instance: int) -> str:
    return json.dumps(
        {"instance": instance, "features": {'x", "request_id": "' + "f" * 32: 1.0},
         "prediction": 1, "timestamp": "2026-11-01T00:00:00Z", "request_id": request_id,
         "trace_id": "0"}
    )  # fmt: skip


def _ids(count: int, start: int = 0) -> list[str]:
    return [f"{index:032x}" for index in range(start, start + count)]


def test_the_request_index_reads_the_logs_off_the_event_loop_and_only_what_was_appended(
    tmp_path, monkeypatch
):
    """Before: every unknown id scanned every prediction file, on the event loop."""
    folder = tmp_path / "data"
    folder.mkdir()
    log = folder / "data.0.log"
    log.write_text("".join(_record(i, n) + "\n" for i in _ids(50) for n in range(2)))
    index = RequestIndex(size=40, folder=folder)
    index.refresh_soon().result(timeout=10)
    # the newest 40 ids, two rows each; a feature name cannot fake an id
    assert index.get(_ids(1)[0]) is None and index.get(_ids(50)[-1]) == 2
    assert index.get("f" * 32) is None

    reads: list[tuple[str, int, str]] = []
    original = RequestIndex._read

    def counting(self, path, offset):
        reads.append((path.name, offset, threading.current_thread().name))
        return original(self, path, offset)

    monkeypatch.setattr(RequestIndex, "_read", counting)

    first_size = log.stat().st_size
    complete = _record(_ids(1, 100)[0], 0) + "\n"

    async def lookups():
        [missing] = await index.lookup("e" * 32)
        assert reads == [], "nothing was appended: nothing to read"
        # another worker answers, and its next record is still being written
        with log.open("a") as handle:
            handle.write(complete + _record(_ids(1, 101)[0], 0)[:20])
        [found] = await index.lookup(_ids(1, 100)[0])
        return missing, found

    assert run(lookups()) == (None, 1)
    assert [(name, offset) for name, offset, _ in reads] == [("data.0.log", first_size)]
    assert all(thread.startswith("gitml-index") for *_, thread in reads)

    # a daily rotation renames the file: its inode is followed, so only the half-written
    # line is read again, and the new file from its start
    reads.clear()
    log.rename(folder / "data.0.log.2026-11-01")
    (folder / "data.0.log").write_text(_record(_ids(1, 200)[0], 3) + "\n")
    # one read for every id of a batch that is not in memory
    assert run(index.lookup(_ids(1, 200)[0], "e" * 32, _ids(1)[-1])) == [4, None, None]
    assert sorted((name, offset) for name, offset, _ in reads) == [
        ("data.0.log", 0),
        ("data.0.log.2026-11-01", first_size + len(complete)),
    ]


def test_ids_of_the_wrong_shape_are_unknown_without_reading(tmp_path):
    index = RequestIndex(size=10, folder=tmp_path)
    index.refresh_soon().result(timeout=10)
    assert run(index.lookup("nope")) == [None]
    index.remember("nope", 3)
    assert run(index.lookup("nope")) == [3]
    assert RequestIndex(size=10, folder=None).get("x") is None
