"""Resolving repository, pull request and commit from the environment, payloads and flags."""

from __future__ import annotations

import json

import pytest

from gitml.errors import UsageError
from gitml.github.context import DEFAULT_API_URL, resolve

from .conftest import HEAD_SHA, MERGE_SHA, REPO, pull_request_event

PUSHED = "c" * 40


def env_for(tmp_path, event_name: str, payload: dict | None, **extra: str) -> dict[str, str]:
    env = {
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": "t",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_SHA": MERGE_SHA,
        **extra,
    }
    if payload is not None:
        path = tmp_path / "event.json"
        path.write_text(json.dumps(payload))
        env["GITHUB_EVENT_PATH"] = str(path)
    return env


@pytest.mark.parametrize("event_name", ["pull_request", "pull_request_target"])
def test_pull_request_events_give_the_number_and_head_sha_not_the_merge_sha(tmp_path, event_name):
    context = resolve(env_for(tmp_path, event_name, pull_request_event()))
    assert (context.pr, context.sha, context.pr_source, context.fork) == (
        7,
        HEAD_SHA,
        "event",
        False,
    )
    assert context.api_url == DEFAULT_API_URL and context.repository == REPO


def test_a_fork_is_recognised(tmp_path):
    context = resolve(env_for(tmp_path, "pull_request", pull_request_event(fork=True)))
    assert context.fork is True


def test_workflow_run_takes_the_first_pull_request_or_the_head_sha(tmp_path):
    run = {
        "head_sha": HEAD_SHA,
        "head_repository": {"full_name": REPO},
        "repository": {"full_name": REPO},
        "pull_requests": [{"number": 12, "head": {"sha": HEAD_SHA}}],
    }
    context = resolve(env_for(tmp_path, "workflow_run", {"workflow_run": run}))
    assert (context.pr, context.sha) == (12, HEAD_SHA)

    # from a fork, GitHub leaves pull_requests empty: no number, and not GITHUB_SHA either
    fork_run = {**run, "pull_requests": [], "head_repository": {"full_name": "someone/ml"}}
    context = resolve(env_for(tmp_path, "workflow_run", {"workflow_run": fork_run}))
    assert (context.pr, context.sha, context.fork) == (None, HEAD_SHA, True)


def test_push_uses_the_pushed_commit(tmp_path):
    context = resolve(env_for(tmp_path, "push", {"after": PUSHED}))
    assert (context.pr, context.sha) == (None, PUSHED)
    context = resolve(env_for(tmp_path, "workflow_dispatch", None))
    assert (context.pr, context.sha) == (None, MERGE_SHA)


def test_flags_override_the_environment(tmp_path):
    env = env_for(
        tmp_path, "pull_request", pull_request_event(), GITHUB_API_URL="https://ghe.example/api/v3/"
    )
    context = resolve(env, repository="other/repo", pr=9, api_url=None)
    assert context.repository == "other/repo"
    assert context.api_url == "https://ghe.example/api/v3"
    # another PR than the event's: the event's head SHA does not belong to it
    assert (context.pr, context.sha, context.pr_source) == (9, None, "flag")
    context = resolve(env, pr=7, sha=PUSHED, api_url="http://127.0.0.1:1")
    assert (context.pr, context.sha, context.api_url) == (7, PUSHED, "http://127.0.0.1:1")


def test_token_is_never_in_the_repr(tmp_path):
    context = resolve(env_for(tmp_path, "push", None, GITHUB_TOKEN="ghs_supersecret"))
    assert context.token == "ghs_supersecret"
    assert "supersecret" not in repr(context)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repository": "not-a-repo"}, "the repository must be OWNER/NAME, got 'not-a-repo'"),
        ({"sha": "abc"}, "--sha must be a full commit SHA (40 hex digits), got 'abc'"),
        ({"pr": 0}, "--pr must be a pull request number, got 0"),
        ({"api_url": "ftp://x"}, "the GitHub API URL must start with https:// or http://"),
    ],
)
def test_bad_flags_are_usage_errors(tmp_path, kwargs, message):
    with pytest.raises(UsageError) as caught:
        resolve(env_for(tmp_path, "push", None), **kwargs)
    assert caught.value.message.startswith(message)
    assert caught.value.exit_code == 2


def test_an_unreadable_payload_is_a_usage_error(tmp_path):
    env = env_for(tmp_path, "pull_request", None, GITHUB_EVENT_PATH=str(tmp_path / "missing.json"))
    with pytest.raises(UsageError, match="cannot read the event payload GITHUB_EVENT_PATH="):
        resolve(env)
