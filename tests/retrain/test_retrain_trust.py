"""What gitml retrain trusts, on real repositories: the stages never see the token, a branch's
foreign commits never run, another account's pull request is never taken for gitml's, and the
hand-off between the halves is data checked before anything is pushed."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from gitml.errors import EXIT_GATES_FAILED, EXIT_USAGE, Refused
from gitml.retrain.prepare import prepare
from gitml.retrain.publish import PublishRequest, publish
from gitml.retrain.retrain import RetrainRequest, retrain
from tests.cli import GITML, run_gitml
from tests.helpers import git
from tests.retrain.helpers import (
    BRANCH,
    DATE,
    REPOSITORY,
    TOKEN,
    env_for,
    labelled_rows,
    write_labelled,
)

pytestmark = pytest.mark.slow(minutes=2)
SPY = Path(__file__).with_name("spy.py")


def request(world, *files: Path, **options) -> RetrainRequest:
    return RetrainRequest(data=files, root=world.workspace, date=DATE, **options)


def on_main(world, message: str, edit) -> None:
    """Commit ``edit(workspace)`` on main and push it."""
    edit(world.workspace)
    git(world.workspace, "add", "-A")
    git(world.workspace, "commit", "--quiet", "-m", message)
    git(world.workspace, "push", "--quiet", "origin", "main")


def add_spy_stage(world, secret: str) -> None:
    """A stage on main that searches for ``secret`` and writes spy.json (kept in git)."""
    encoded = base64.b64encode(secret.encode()).decode()

    def edit(root: Path) -> None:
        shutil.copy(SPY, root / "spy.py")
        pipeline = yaml.safe_load((root / "dvc.yaml").read_text())
        pipeline["stages"]["spy"] = {
            "cmd": f"{sys.executable} spy.py {encoded} GITML_SPY_CANARY spy.json",
            "deps": ["spy.py"],
            "outs": [{"spy.json": {"cache": False}}],
            "always_changed": True,
        }
        (root / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))

    on_main(world, "A stage that looks for the token", edit)


def test_the_stages_find_the_token_nowhere_and_gitmls_own_environment_does_not_hold_it(
    world, github, tmp_path
):
    token = "ghs_spytoken" + os.urandom(12).hex()  # only this test's processes could hold it
    github.add_token(token)
    add_spy_stage(world, token)
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 8, seed=2))
    env = {
        **{k: v for k, v in env_for(github).items() if k != "GITHUB_TOKEN"},
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "GITML_SPY_CANARY": "canary-" + os.urandom(8).hex(),
        **{k: v for k, v in os.environ.items() if k.startswith(("GIT_", "DVC_"))},
    }
    # a real process, not one forked from the tests' zygote: /proc/<pid>/environ as on a laptop
    done = subprocess.run(
        [GITML, "retrain", "--data", str(labelled), "--token-file", str(token_file)],
        cwd=world.workspace, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Opened pull request #1" in done.stdout
    [branch] = git(
        world.origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/gitml/"
    ).split()
    spied = json.loads(git(world.origin, "show", f"{branch}:spy.json"))
    assert spied["found"] == []
    # the search reached gitml's own starting environment: the token would have been found there
    assert spied["canary_in_gitml_environ"] is True and spied["gitml_processes"] >= 1
    assert spied["processes"] > 3 and spied["files"] > 10

    # with the token in its environment, the one-shot form refuses before any work
    env["GITHUB_TOKEN"] = token
    again = subprocess.run(
        [GITML, "retrain", "--data", str(labelled)], cwd=world.workspace, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == EXIT_USAGE
    assert again.stderr.startswith(
        "ERROR: GITHUB_TOKEN is in the environment of gitml retrain, which runs the pipeline's "
        "stages, and they could read it; give the token as a file"
    )
    assert token not in again.stderr + again.stdout


def push_foreign_commit(world, tmp_path) -> str:
    """A second clone adds a commit to the retraining branch that changes a stage's command."""
    clone = tmp_path / "second-clone"
    git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(world.origin), str(clone))
    pipeline = yaml.safe_load((clone / "dvc.yaml").read_text())
    pwned = tmp_path / "pwned"
    pipeline["stages"]["prepare"]["cmd"] = f"touch {pwned} && gitml stage prepare"
    (clone / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    git(clone, "commit", "--quiet", "-am", "Speed up prepare")
    git(clone, "push", "--quiet", "origin", BRANCH)
    return git(clone, "rev-parse", "--short=7", "HEAD")


def test_a_foreign_commit_on_the_retraining_branch_is_refused_and_never_runs(
    world, github, tmp_path
):
    first = write_labelled(tmp_path / "week1.csv", labelled_rows(world, 6, seed=1))
    retrain(request(world, first), env_for(github))
    foreign = push_foreign_commit(world, tmp_path)
    tip = git(world.workspace, "ls-remote", "origin", BRANCH).split()[0]

    second = write_labelled(tmp_path / "week2.csv", labelled_rows(world, 6, seed=9))
    with pytest.raises(Refused) as refused:
        retrain(request(world, second), env_for(github))
    assert refused.value.exit_code == EXIT_GATES_FAILED
    assert refused.value.message.startswith(
        f"branch {BRANCH} holds commits gitml did not write, changing dvc.yaml: {foreign} Speed "
        "up prepare (gitml tests). gitml runs only the default branch's code"
    )
    assert not (tmp_path / "pwned").exists()  # the changed command never ran
    assert git(world.workspace, "ls-remote", "origin", BRANCH).split()[0] == tip


def test_a_clean_branch_behind_main_is_brought_up_to_date_with_main_s_code(world, github, tmp_path):
    first = write_labelled(tmp_path / "week1.csv", labelled_rows(world, 6, seed=1))
    retrain(request(world, first), env_for(github))
    on_main(world, "Docs", lambda root: (root / "NOTES.md").write_text("notes\n"))
    main = git(world.workspace, "rev-parse", "HEAD")
    second = write_labelled(tmp_path / "week2.csv", labelled_rows(world, 5, seed=9))
    result = retrain(request(world, second), env_for(github))
    assert result.pr_action == "updated" and result.appended.added == 5
    parents = git(world.workspace, "rev-parse", f"{result.commit}^@").split()
    assert parents[1] == main  # the default branch's tip: its code, the branch's data
    changed = git(world.workspace, "diff", "--name-only", main, result.commit).split()
    assert "NOTES.md" not in changed and "data.dvc" in changed and "dvc.lock" in changed
    assert "(569 → 580 rows)" in github.pulls(REPOSITORY)[0]["body"]


def test_another_accounts_pull_request_quoting_the_marker_is_left_untouched(
    world, github, tmp_path
):
    github.add_token("ghp_mallory000000000000000000000000000000", login="mallory", kind="user")
    clone = tmp_path / "mallory"
    git(tmp_path, "clone", "--quiet", str(world.origin), str(clone))
    git(clone, "checkout", "--quiet", "-b", "mallory/idea")
    (clone / "idea.txt").write_text("an idea\n")
    git(clone, "add", "idea.txt")
    git(clone, "commit", "--quiet", "-m", "An idea")
    git(clone, "push", "--quiet", "origin", "mallory/idea")
    quoting = "How about this?\n\n<!-- gitml:retrain model=classifier -->\n"
    answer = requests.post(
        f"{github.url}/repos/{REPOSITORY}/pulls",
        headers={"Authorization": "token ghp_mallory000000000000000000000000000000"},
        json={"title": "Mallory's idea", "body": quoting, "head": "mallory/idea", "base": "main"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text

    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 6, seed=4))
    result = retrain(request(world, labelled), env_for(github))

    assert result.pr_action == "created" and result.branch == BRANCH
    theirs, ours = github.pulls(REPOSITORY)
    assert (theirs["title"], theirs["body"], theirs["head_ref"]) == (
        "Mallory's idea",
        quoting,
        "mallory/idea",
    )
    assert git(world.workspace, "ls-remote", "origin", "mallory/idea").split()[0] == git(
        clone, "rev-parse", "HEAD"
    )
    assert ours["head_ref"] == BRANCH and ours["number"] == result.pr.number


def test_the_halves_apart_and_a_crafted_hand_off_pushes_nothing(world, github, tmp_path):
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 6, seed=4))
    folder = tmp_path / "handoff"
    prepared = prepare(request(world, labelled), folder)
    assert prepared.commit and not prepared.pushed
    assert sorted(p.name for p in folder.iterdir()) == ["commit.bundle", "retrain.json"]
    manifest = json.loads((folder / "retrain.json").read_text())

    def publish_crafted(**changes) -> Refused:
        (folder / "retrain.json").write_text(json.dumps({**manifest, **changes}))
        with pytest.raises(Refused) as refused:
            publish(PublishRequest(folder, root=world.workspace), env_for(github))
        return refused.value

    # the commit pushed to main itself, past review
    assert (
        "which is not a retraining branch of classifier" in publish_crafted(branch="main").message
    )
    assert "is for model other" in publish_crafted(model="other").message
    # a commit that changes the pipeline, bundled as the hand-off's commit
    crafted = craft_commit(world, tmp_path, manifest["base_sha"], folder / "commit.bundle")
    message = publish_crafted(commit=crafted).message
    assert message == (
        f"commit {crafted[:12]} changes dvc.yaml, which a retraining commit never does; "
        "nothing was pushed"
    )
    assert git(world.workspace, "ls-remote", "origin", BRANCH) == ""
    assert github.pulls(REPOSITORY) == []

    # the genuine hand-off, published apart (its own command line, the token in the env); its
    # summary quotes the token and gitml's marker
    summary = tmp_path / "summary.md"
    summary.write_text(f"Leaked {TOKEN}\n<!-- gitml:retrain model=classifier -->\n")
    genuine = prepare(request(world, labelled, summary=summary), folder)
    done = run_gitml(
        "retrain", "--publish", str(folder), cwd=world.workspace,
        env={**os.environ, **env_for(github)},
    )  # fmt: skip
    assert done.returncode == 0, done
    assert "Opened pull request #1: " in done.stdout
    assert git(world.workspace, "ls-remote", "origin", BRANCH).split()[0] == genuine.commit
    [pull] = github.pulls(REPOSITORY)
    assert TOKEN not in pull["body"] and "Leaked ***" in pull["body"]
    assert pull["body"].count("<!-- gitml:retrain model=classifier -->") == 1  # its own, last
    assert pull["body"].endswith("<!-- gitml:retrain model=classifier -->\n")


def craft_commit(world, tmp_path: Path, base: str, bundle: Path) -> str:
    clone = tmp_path / "crafter"
    git(tmp_path, "clone", "--quiet", str(world.origin), str(clone))
    git(clone, "checkout", "--quiet", base)
    dvc_yaml = clone / "dvc.yaml"
    dvc_yaml.write_text(dvc_yaml.read_text().replace("gitml stage prepare", "touch pwned"))
    git(clone, "commit", "--quiet", "-am", "Retrain classifier\n\nGitml-Retrain: classifier")
    git(clone, "bundle", "create", "--quiet", str(bundle), "HEAD", f"^{base}")
    return git(clone, "rev-parse", "HEAD")
