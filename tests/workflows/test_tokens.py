"""The GitHub token reaches only the steps that call GitHub, never a step that runs pipeline code.

`gitml run` executes the repository's own pipeline stages (any code a pull request changes), and
so does `gitml retrain` without `--publish`, so a token in their environment could be read and
used by that code. The composite action decides per command (`comment` and `monitor-issue` get the
token for the API, `retrain --publish` for the API and git push, every other command runs without
it); the reusable workflows hand the token to named steps only.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTION = REPO_ROOT / "action" / "action.yml"
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("gitml-*.yml"))
TOKEN = re.compile(r"github\.token|inputs\.github-token|secrets\.GITHUB_TOKEN")
#: what a step that gets the token may run: gitml's GitHub commands, git pushes, a registry login
MAY_HOLD_TOKEN = re.compile(
    r"gitml (comment|promote|rollback|deploy|monitor-issue|retrain --publish|card|release)\b|(docker|skopeo) login"
)


def action_steps() -> list[dict]:
    return yaml.safe_load(ACTION.read_text())["runs"]["steps"]


def token_env(step: dict) -> list[str]:
    return [name for name, value in (step.get("env") or {}).items() if TOKEN.search(str(value))]


def test_only_the_github_steps_of_the_action_get_the_token() -> None:
    steps = action_steps()
    with_token = [step.get("id") for step in steps if token_env(step)]
    assert with_token == ["github", "push"]
    (github,) = [step for step in steps if step.get("id") == "github"]
    assert github["if"] == "steps.kind.outputs.calls-github == 'api'"
    assert token_env(github) == ["GITHUB_TOKEN"]
    (push,) = [step for step in steps if step.get("id") == "push"]
    assert push["if"] == "steps.kind.outputs.calls-github == 'push'"
    assert token_env(push) == ["GITHUB_TOKEN", "GIT_TOKEN"]
    for step in (github, push):
        assert not [name for name in step["env"] if name.startswith(("AWS_", "AZURE_"))]
    # the other gitml step runs every other command, with the storage secrets and no token
    (plain,) = [s for s in steps if s.get("name") == "gitml"]
    assert plain["if"] == "steps.kind.outputs.calls-github == 'none'"
    assert "GITHUB_TOKEN" not in plain["env"] and "AWS_ACCESS_KEY_ID" in plain["env"]
    # and no step hands the token over through `with:` (setup-uv keeps its own default)
    assert not [s for s in steps if TOKEN.search(str(s.get("with") or ""))]


def calls_github(command: str, tmp_path: Path) -> str:
    """Run the action's own classifying script on ``command``; return its output."""
    (kind,) = [step for step in action_steps() if step.get("id") == "kind"]
    output = tmp_path / "output"
    output.write_text("")
    subprocess.run(
        ["bash", "-c", kind["run"]],
        env={"GITML_COMMAND": command, "GITHUB_OUTPUT": str(output), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return output.read_text().strip()


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("comment report.md --json report.json", "api"),
        ("-v comment report.md", "api"),
        ("monitor-issue monitor.md --json monitor.json", "api"),
        ("retrain --publish handoff/", "push"),
        ("-v retrain --publish=handoff/", "push"),
        ("retrain --data labelled.csv", "none"),  # trains: the stages must not see the token
        ("retrain --data labelled.csv --prepare handoff/", "none"),
        ("run --pull --push", "none"),
        ("report --base origin/main -o report.md --check", "none"),
        ("build --version v1.0.0", "none"),
        ("--version", "none"),
        ("run --pull comment", "none"),
        ("run --publish", "none"),
        ("", "none"),
    ],
)
def test_the_action_gives_the_token_to_the_commands_that_call_github_only(
    command: str, kind: str, tmp_path: Path
) -> None:
    assert calls_github(command, tmp_path) == f"calls-github={kind}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_steps_with_the_token_call_github_and_run_no_pipeline(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text())
    assert not TOKEN.search(str(workflow.get("env") or "")), "no token in the workflow's env"
    for name, job in workflow["jobs"].items():
        assert not TOKEN.search(str(job.get("env") or "")), f"{name}: no token in the job's env"
        for step in job.get("steps") or []:
            label = f"{name}: {step.get('name') or step.get('uses') or step.get('run')}"
            if "uses" in step:
                continue  # actions take the token through `with:`, checked by zizmor
            held = token_env(step)
            run = step.get("run", "")
            if "gitml run" in run:
                assert not held, f"{label} runs the pipeline and must not get {held}"
            if held:
                assert MAY_HOLD_TOKEN.search(run), f"{label} gets {held} but calls no GitHub"
                storage = [k for k in step.get("env") or {} if k.startswith(("AWS_", "AZURE_"))]
                assert not storage, f"{label} holds the token and the storage secrets {storage}"


def test_the_retrain_token_reaches_only_the_publishing_step() -> None:
    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/gitml-monitor.yml").read_text())
    holders = [
        (job_id, step.get("name"), name)
        for job_id, job in workflow["jobs"].items()
        for step in job["steps"]
        for name, value in (step.get("env") or {}).items()
        if "retrain-token" in str(value)
    ]
    # the API and git push, falling back to the job's own token
    assert holders == [
        ("retrain-pr", "gitml retrain --publish", "GITHUB_TOKEN"),
        ("retrain-pr", "gitml retrain --publish", "GIT_TOKEN"),
    ]
    jobs = workflow["jobs"]
    # the job that trains holds no token, no write permission; the one that pushes runs no
    # project code: gitml alone is installed, not the project's requirements
    assert jobs["retrain"]["permissions"] == {"contents": "read"}
    assert not [s for j in ("retrain",) for s in jobs[j]["steps"] if token_env(s)]
    assert jobs["retrain-pr"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    runs = [s.get("run", "") for s in jobs["retrain-pr"]["steps"]]
    assert not [r for r in runs if "REQUIREMENTS" in r or "gitml run" in r]
    assert [r for r in runs if r.startswith("gitml ")] == ['gitml retrain --publish "$HANDOFF"']
    (prepare,) = [s for s in jobs["retrain"]["steps"] if s.get("name") == "gitml retrain --prepare"]
    assert "--no-fetch" in prepare["run"] and "AWS_SECRET_ACCESS_KEY" in prepare["env"]
    for job in ("retrain", "retrain-pr"):
        (checkout,) = [s for s in jobs[job]["steps"] if "actions/checkout" in s.get("uses", "")]
        assert checkout["with"]["persist-credentials"] is False
    (step,) = [s for s in jobs["retrain-pr"]["steps"] if s.get("name") == "gitml retrain --publish"]
    assert step["env"]["GITHUB_TOKEN"] == "${{ secrets.retrain-token || github.token }}"
    assert "GIT_TOKEN" not in step["run"] and "GITHUB_TOKEN" not in step["run"]  # never echoed


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_cache_reaches_a_job_that_pushes_or_retrains(path: Path) -> None:
    """A cache another run wrote (a pull request's) must not reach a job that holds a write
    permission on contents or packages, nor one that retrains."""
    for name, job in yaml.safe_load(path.read_text())["jobs"].items():
        writes = {k for k, v in (job.get("permissions") or {}).items() if v == "write"}
        if not writes & {"contents", "packages"} and not name.startswith("retrain"):
            continue
        for step in job.get("steps") or []:
            if "setup-uv" in step.get("uses", ""):
                assert step["with"]["enable-cache"] is False, f"{path.name}: {name}"
            assert "actions/cache" not in step.get("uses", ""), f"{path.name}: {name}"
