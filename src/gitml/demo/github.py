"""The demo's GitHub: the emulation on 127.0.0.1, started by each step that talks to GitHub and
given back what the earlier steps put there (the pull requests, merged ones closed), so pull
request numbers go on as on GitHub. The repository reads its branches from the demo's origin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gitml.demo.context import REPOSITORY, TOKEN, Context


@contextmanager
def emulated_github(ctx: Context, state_file: Path) -> Iterator[Any]:
    """The emulation holding the demo's repository and pull requests; its state (with the
    requests it received) is saved to ``state_file`` when the block ends."""
    from gitml.github_emulator import GitHubEmulator

    state_file.parent.mkdir(parents=True, exist_ok=True)
    with GitHubEmulator() as github:
        github.add_token(TOKEN)
        github.add_repo(REPOSITORY)
        github.link_git(REPOSITORY, str(ctx.folder.origin))
        for number, pull in sorted(ctx.facts.get("pulls", {}).items(), key=lambda i: int(i[0])):
            if "head" not in pull:
                continue
            github.add_pull(
                REPOSITORY,
                int(number),
                head_sha=pull["head"],
                head_ref=pull["branch"],
                base_sha=pull["base"],
                title=pull.get("title"),
                state="closed" if "merge" in pull else "open",
            )
        try:
            yield github
        finally:
            state_file.write_text(json.dumps(github.state(), indent=2), encoding="utf-8")


def pull_request_environment(ctx: Context, github: Any, number: int) -> dict[str, str]:
    """What the comment workflow's runner has for pull request ``number``: the event, the API,
    the token, the job summary and step outputs (in the demo's ``github/`` folder)."""
    out = ctx.folder.github
    pull = ctx.pull(number)
    event = out / f"pull-{number}-event.json"
    event.write_text(json.dumps(pull_request_event(number, pull)), encoding="utf-8")
    return {
        **ctx.env,
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(out / f"pull-{number}-job-summary.md"),
        "GITHUB_OUTPUT": str(out / f"pull-{number}-step-outputs.txt"),
    }


def pull_request_event(number: int, pull: dict[str, Any]) -> dict[str, Any]:
    """The part of a ``pull_request`` event payload that gitml reads."""
    repo = {"full_name": REPOSITORY}
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"sha": pull["head"], "ref": pull["branch"], "repo": repo},
            "base": {"sha": pull["base"], "ref": "main", "repo": repo},
        },
        "repository": repo,
    }
