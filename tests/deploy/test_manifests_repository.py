"""`gitml deploy` with a separate manifests repository: the stage's image goes there as gitml's
pull request (opened, updated by the next move, closed when the branch already pins the image),
through the emulated GitHub API and a bare git repository standing in for the git host;
`kubectl kustomize` renders the pull request's branch with exactly the recorded digest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import gto.api
import pytest
import yaml

from gitml.github_emulator import GitHubEmulator
from tests.cli import run_gitml
from tests.helpers import git

pytestmark = pytest.mark.slow(minutes=1)

KUBECTL = shutil.which("kubectl")
MANIFESTS = "acme/k8s-manifests"
BRANCH = "gitml/deploy/classifier-prod"
TOKEN = "ghs_MANIFESTS0123456789abcdefSECRET"
IMAGE = "127.0.0.1:5000/acme/ml/classifier"
DIGESTS = ("sha256:" + "1" * 64, "sha256:" + "2" * 64)
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: classifier}
spec:
  selector: {matchLabels: {app: classifier}}
  template:
    metadata: {labels: {app: classifier}}
    spec:
      containers: [{name: classifier, image: classifier}]
"""
SETTINGS = f"""\
[tool.gitml]
base = "main"

[tool.gitml.promote]
artifact = "classifier"

[tool.gitml.deploy]
repository = "{MANIFESTS}"
stages = {{ prod = "prod/kustomization.yaml" }}
"""


@pytest.fixture
def world(tmp_path: Path):
    """The model's repository (v1.0.0 in prod with its image, v1.1.0 registered), the manifests
    repository as a bare repository under a git host folder, and the emulated API knowing it."""
    host = tmp_path / "git-host"
    manifests = host / f"{MANIFESTS}.git"
    seed = tmp_path / "seed"
    (seed / "prod").mkdir(parents=True)
    (seed / "prod" / "deployment.yaml").write_text(DEPLOYMENT)
    (seed / "prod" / "kustomization.yaml").write_text("resources:\n  - deployment.yaml\n")
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(manifests))
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "manifests")
    git(seed, "push", "-q", str(manifests), "main")

    root = tmp_path / "ml"
    root.mkdir()
    (root / "pyproject.toml").write_text(SETTINGS)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "model")
    gto.api.register(str(root), "classifier", "HEAD", version="v1.0.0")
    git(root, "commit", "-q", "--allow-empty", "-m", "a better model")
    gto.api.register(str(root), "classifier", "HEAD", version="v1.1.0")
    promote(root, "v1.0.0", DIGESTS[0])

    with GitHubEmulator() as github:
        github.add_token(TOKEN)
        github.add_repo(MANIFESTS)
        github.link_git(MANIFESTS, str(manifests))
        env = {
            **os.environ,
            "GITHUB_API_URL": github.url,
            "GITHUB_SERVER_URL": host.as_uri(),
            "GITHUB_REPOSITORY": "acme/ml",
            "GITHUB_TOKEN": "ghs_THEMODELREPOSITORYTOKENunknownHERE",  # not for the manifests
            "GITML_MANIFESTS_TOKEN": TOKEN,
            "GITML_GITHUB_RETRIES": "0",
            "GITML_GITHUB_WRITE_INTERVAL": "0",
        }
        yield root, manifests, github, env


def promote(root: Path, version: str, digest: str) -> None:
    image = f"{IMAGE}:{version}@{digest}"
    run_gitml("promote", "--to", "prod", "--version", version, "--image", image, "--no-push",
              cwd=root, expect=0)  # fmt: skip


def rendered_images(manifests: Path, ref: str, tmp_path: Path) -> list[str]:
    """The images of the Deployment ``kubectl kustomize`` renders from ``ref``'s prod folder."""
    if KUBECTL is None:
        pytest.skip("kubectl is not installed (it is part of gitml's CI machine image)")
    checkout = tmp_path / "render"
    shutil.rmtree(checkout, ignore_errors=True)
    git(tmp_path, "clone", "-q", "--branch", ref, str(manifests), str(checkout))
    out = subprocess.run([KUBECTL, "kustomize", str(checkout / "prod")],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    [deployment] = [d for d in yaml.safe_load_all(out) if d["kind"] == "Deployment"]
    return [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]]


def test_the_move_is_a_pull_request_in_the_manifests_repository(world, tmp_path) -> None:
    root, manifests, github, env = world
    main_before = git(manifests, "rev-parse", "main")
    done = run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=0)
    url = f"{github.url.replace('/api/v3', '')}/{MANIFESTS}/pull/1"
    assert done.stdout.strip().endswith(f"pull request {url} opened (into main)"), done.stdout
    assert git(manifests, "rev-parse", "main") == main_before  # nothing pushed to its branch
    assert rendered_images(manifests, BRANCH, tmp_path) == [f"{IMAGE}@{DIGESTS[0]}"]
    [pull] = github.pulls(MANIFESTS)
    assert (pull["title"], pull["head_ref"], pull["state"]) == (
        "Deploy classifier v1.0.0 to prod",
        BRANCH,
        "open",
    )
    assert "<!-- gitml:deploy artifact=classifier stage=prod -->" in pull["body"].splitlines()
    assert "[acme/ml]" in pull["body"]

    # the next move of prod updates the same pull request: one per stage, never a second
    promote(root, "v1.1.0", DIGESTS[1])
    again = run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=0)
    assert again.stdout.strip().endswith(f"pull request {url} updated (into main)")
    [pull] = github.pulls(MANIFESTS)
    assert pull["title"] == "Deploy classifier v1.1.0 to prod"
    assert rendered_images(manifests, BRANCH, tmp_path) == [f"{IMAGE}@{DIGESTS[1]}"]
    assert git(manifests, "rev-list", "--count", BRANCH) == "2"  # rebuilt on main, not stacked


def test_a_pull_request_proposing_an_image_the_stage_left_is_closed(world, tmp_path) -> None:
    root, manifests, github, env = world
    run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=0)
    git(manifests, "update-ref", "refs/heads/main", BRANCH)  # v1.0.0's pull request merged
    github.merge_pull(MANIFESTS, 1, merge_commit_sha=git(manifests, "rev-parse", "main"))
    promote(root, "v1.1.0", DIGESTS[1])
    run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=0)  # pull request #2
    run_gitml("rollback", "--stage", "prod", "--reason", "errors up", "--no-push", cwd=root,
              expect=0)  # fmt: skip
    back = run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=0)
    assert "prod/kustomization.yaml already pins" in back.stdout
    assert "closed " in back.stdout and "/pull/2" in back.stdout
    assert [p["state"] for p in github.pulls(MANIFESTS)] == ["closed", "closed"]
    assert rendered_images(manifests, "main", tmp_path) == [f"{IMAGE}@{DIGESTS[0]}"]


def test_without_the_manifests_token_nothing_is_done_and_the_line_says_what_to_set(world):
    root, manifests, github, env = world
    env = {k: v for k, v in env.items() if k != "GITML_MANIFESTS_TOKEN"}
    refused = run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=2)
    assert "set GITML_MANIFESTS_TOKEN" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert github.pulls(MANIFESTS) == []
    assert git(manifests, "branch", "--list", BRANCH) == ""


def test_a_token_that_cannot_push_is_named_and_never_printed(world) -> None:
    root, manifests, github, env = world
    hook = manifests / "hooks" / "pre-receive"  # the host refuses the push, as for a read token
    hook.write_text("#!/bin/sh\necho 'Permission to acme/k8s-manifests denied' >&2\nexit 1\n")
    hook.chmod(0o755)
    refused = run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=3)
    assert f"{MANIFESTS} refused the push of {BRANCH}" in refused.stderr
    assert TOKEN not in refused.stdout + refused.stderr
    assert github.pulls(MANIFESTS) == []


def test_another_accounts_pull_request_quoting_the_marker_is_left_alone(world) -> None:
    root, manifests, github, env = world
    main = git(manifests, "rev-parse", "main")
    quoted = "Like gitml's:\n<!-- gitml:deploy artifact=classifier stage=prod -->\n"
    github.add_pull(MANIFESTS, 1, head_sha=main, head_ref="feature", title="Someone's")
    github.repos[MANIFESTS]["pulls"][1]["body"] = quoted  # opened by octocat, not gitml's account
    done = run_gitml("deploy", "--stage", "prod", cwd=root, env=env, expect=0)
    assert "/pull/2 opened" in done.stdout
    theirs, ours = github.pulls(MANIFESTS)
    assert (theirs["title"], theirs["body"], theirs["state"]) == ("Someone's", quoted, "open")
    assert (ours["head_ref"], ours["title"]) == (BRANCH, "Deploy classifier v1.0.0 to prod")
