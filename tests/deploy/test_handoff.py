"""`gitml deploy`: the version in a stage, its image as the registry records it, written into the
stage's kustomization, committed with [skip ci] and pushed to a bare origin; `kubectl kustomize`
(this machine image has it) renders the Deployment with exactly the pushed digest."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import gto.api
import pytest
import yaml

from tests.cli import run_gitml
from tests.helpers import git

pytestmark = pytest.mark.slow(minutes=1)

KUBECTL = shutil.which("kubectl")
IMAGE = "127.0.0.1:5000/acme/ml/classifier"
DIGESTS = ("sha256:" + "1" * 64, "sha256:" + "2" * 64)
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: classifier
spec:
  replicas: 2
  selector:
    matchLabels: {app: classifier}
  template:
    metadata:
      labels: {app: classifier}
    spec:
      containers:
        - name: classifier
          image: classifier
          ports: [{containerPort: 3000}]
"""
SETTINGS = """\
[tool.gitml]
base = "main"

[tool.gitml.promote]
artifact = "classifier"

[tool.gitml.deploy]
stages = { prod = "deploy/prod/kustomization.yaml" }
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with a Deployment and its prod kustomization, two versions registered,
    v1.0.0 in prod with its image recorded (as the release records it), and a bare origin."""
    root, origin = tmp_path / "work", tmp_path / "origin.git"
    (root / "deploy" / "prod").mkdir(parents=True)
    (root / "deploy" / "prod" / "deployment.yaml").write_text(DEPLOYMENT)
    (root / "deploy" / "prod" / "kustomization.yaml").write_text(
        "# prod\nresources:\n  - deployment.yaml\n"
    )
    (root / "pyproject.toml").write_text(SETTINGS)
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "manifests")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    gto.api.register(str(root), "classifier", "HEAD", version="v1.0.0")
    git(root, "commit", "-q", "--allow-empty", "-m", "a better model")
    gto.api.register(str(root), "classifier", "HEAD", version="v1.1.0")
    image = f"{IMAGE}:v1.0.0@{DIGESTS[0]}"
    run_gitml("promote", "--to", "prod", "--version", "v1.0.0", "--image", image, "--no-push",
              cwd=root, expect=0)  # fmt: skip
    return root, origin


def render(origin: Path, tmp_path: Path) -> str:
    """``kubectl kustomize`` of origin main's prod folder: the Deployment a cluster would get."""
    if KUBECTL is None:
        pytest.skip("kubectl is not installed (it is part of gitml's CI machine image)")
    checkout = tmp_path / "checkout"
    if checkout.exists():
        shutil.rmtree(checkout)
    git(tmp_path, "clone", "-q", str(origin), str(checkout))
    rendered = subprocess.run([KUBECTL, "kustomize", str(checkout / "deploy" / "prod")],
                              capture_output=True, text=True, check=True)  # fmt: skip
    return rendered.stdout


def deployed_images(rendered: str) -> list[str]:
    """The images of the rendered Deployment's containers."""
    [deployment] = [d for d in yaml.safe_load_all(rendered) if d["kind"] == "Deployment"]
    return [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]]


def test_deploy_pins_the_pushed_digest_and_kustomize_renders_it(project, tmp_path) -> None:
    root, origin = project
    done = run_gitml("deploy", "--stage", "prod", cwd=root, expect=0)
    assert done.stdout.startswith(
        f"deploy/prod/kustomization.yaml: {IMAGE}@{DIGESTS[0]} (prod: v1.0.0); commit "
    )
    assert done.stdout.rstrip().endswith("pushed to origin/main")
    message = git(origin, "log", "-1", "--format=%B", "main")
    assert message.splitlines()[0] == "Deploy classifier v1.0.0 to prod [skip ci]"
    assert "Gitml-Deploy: prod v1.0.0" in message
    assert git(origin, "show", "--name-only", "--format=", "main") == (
        "deploy/prod/kustomization.yaml"
    )
    assert deployed_images(render(origin, tmp_path)) == [f"{IMAGE}@{DIGESTS[0]}"]

    again = run_gitml("deploy", "--stage", "prod", cwd=root, expect=0)
    assert "already pins" in again.stdout
    assert git(origin, "rev-list", "--count", "main") == "2"


def test_a_commit_that_lands_first_is_kept_and_the_next_move_is_deployed(project, tmp_path):
    root, origin = project
    run_gitml("deploy", "--stage", "prod", cwd=root, expect=0)
    # someone merges meanwhile: the deploy commit goes on top of theirs
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    (other / "README.md").write_text("merged while releasing\n")
    git(other, "add", "-A")
    git(other, "-c", "user.name=a", "-c", "user.email=a@a", "commit", "-q", "-m", "a merge")
    git(other, "push", "-q", "origin", "main")
    image = f"{IMAGE}@{DIGESTS[1]}"
    run_gitml("promote", "--to", "prod", "--version", "v1.1.0", "--image", image, "--no-push",
              cwd=root, expect=0)  # fmt: skip
    run_gitml("deploy", "--stage", "prod", cwd=root, expect=0)
    log = git(origin, "log", "--format=%s", "main").splitlines()
    assert log[:3] == ["Deploy classifier v1.1.0 to prod [skip ci]", "a merge",
                       "Deploy classifier v1.0.0 to prod [skip ci]"]  # fmt: skip
    assert deployed_images(render(origin, tmp_path)) == [image]


def test_a_version_with_no_recorded_image_is_refused_by_name(project) -> None:
    root, _origin = project
    run_gitml("promote", "--to", "prod", "--version", "v1.1.0", "--no-push", cwd=root, expect=0)
    refused = run_gitml("deploy", "--stage", "prod", cwd=root, expect=3)
    assert refused.stderr.startswith("ERROR: no image is recorded for classifier v1.1.0")
    missing = run_gitml("deploy", "--stage", "staging", cwd=root, expect=2)
    assert "set [tool.gitml.deploy.stages] staging" in missing.stderr
