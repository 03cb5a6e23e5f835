"""The emulation's state document, as ``/_emulator/state`` and ``--state-file`` write it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from .conftest import PR, REPO, TOKEN


def test_a_request_with_a_body_that_is_not_json_is_logged_and_the_state_stays_json(emulator):
    url = f"{emulator.url}/repos/{REPO}/issues/{PR}/comments"
    request = urllib.request.Request(url, data=b"{not json", method="POST")
    request.add_header("Authorization", f"token {TOKEN}")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a body that is not JSON was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 400
        assert json.loads(error.read())["message"] == "Problems parsing JSON"
    logged = emulator.requests_to("POST", f"/repos/{REPO}/issues/{PR}/comments")
    assert [(r.status, r.json) for r in logged] == [(400, "{not json")]
    state = json.loads(json.dumps(emulator.state()))  # the process dumps it on SIGTERM
    assert state["requests"][-1]["json"] == "{not json"
    assert emulator.issue_comments(REPO, PR) == []
