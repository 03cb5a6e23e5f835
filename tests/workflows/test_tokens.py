"""The GitHub token reaches only the steps that call GitHub, never a step that runs pipeline code.

`gitml run` executes the repository's own pipeline stages (any code a pull request changes), so a
token in its environment could be read and used by that code. The composite action decides per
command (`comment` gets the token, every other command runs without it); the reusable workflows
hand the token to named steps only.
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
    r"gitml (comment|promote|rollback|deploy|monitor-issue|retrain|card|release)\b|(docker|skopeo) login"
)


def action_steps() -> list[dict]:
    return yaml.safe_load(ACTION.read_text())["runs"]["steps"]


def token_env(step: dict) -> list[str]:
    return [name for name, value in (step.get("env") or {}).items() if TOKEN.search(str(value))]


def test_only_the_github_step_of_the_action_gets_the_token() -> None:
    steps = action_steps()
    with_token = [step.get("id") for step in steps if token_env(step)]
    assert with_token == ["github"]
    (github,) = [step for step in steps if step.get("id") == "github"]
    assert github["if"] == "steps.kind.outputs.calls-github == 'true'"
    assert token_env(github) == ["GITHUB_TOKEN"]
    # the other gitml step runs every other command, with the storage secrets and no token
    (plain,) = [s for s in steps if s.get("name") == "gitml"]
    assert plain["if"] == "steps.kind.outputs.calls-github != 'true'"
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
    ("command", "gets_token"),
    [
        ("comment report.md --json report.json", True),
        ("-v comment report.md", True),
        ("run --pull --push", False),
        ("report --base origin/main -o report.md --check", False),
        ("build --version v1.0.0", False),
        ("--version", False),
        ("run --pull comment", False),
        ("", False),
    ],
)
def test_the_action_gives_the_token_to_comment_only(
    command: str, gets_token: bool, tmp_path: Path
) -> None:
    expected = "true" if gets_token else "false"
    assert calls_github(command, tmp_path) == f"calls-github={expected}"


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


def test_the_retrain_token_reaches_only_the_gitml_retrain_step() -> None:
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
        ("retrain", "gitml retrain", "GITHUB_TOKEN"),
        ("retrain", "gitml retrain", "GIT_TOKEN"),
    ]
    retrain = workflow["jobs"]["retrain"]
    assert retrain["permissions"] == {"contents": "write", "pull-requests": "write"}
    (checkout,) = [s for s in retrain["steps"] if "actions/checkout" in s.get("uses", "")]
    assert checkout["with"]["persist-credentials"] is False
    (step,) = [s for s in retrain["steps"] if s.get("name") == "gitml retrain"]
    assert step["env"]["GITHUB_TOKEN"] == "${{ secrets.retrain-token || github.token }}"
    assert "GIT_TOKEN" not in step["run"] and "GITHUB_TOKEN" not in step["run"]  # never echoed
