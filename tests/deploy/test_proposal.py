"""A prod monitoring gate that fails proposes the rollback in the monitoring issue, and moves no
tag (`gitml monitor-issue --propose-rollback`, the monitor workflow's opt-in)."""

from __future__ import annotations

import json
from pathlib import Path

import gto.api
import pytest

from gitml.github_emulator import GitHubEmulator
from gitml.registry.tags import wait_for_new_second
from tests.cli import run_gitml
from tests.helpers import git

pytestmark = pytest.mark.slow(minutes=1)

REPO, TOKEN = "octo/ml", "ghs_proposal_token"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """prod held v1.0.0, then v1.1.0 (the monitored one)."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for version in ("v1.0.0", "v1.1.0"):
        git(root, "commit", "-q", "--allow-empty", "-m", version)
        gto.api.register(str(root), "classifier", "HEAD", version=version)
        wait_for_new_second(root, "classifier")
        run_gitml("promote", "--artifact", "classifier", "--to", "prod", "--version", version,
                  "--no-push", cwd=root, expect=0)  # fmt: skip
    return root


def post(root: Path, emulator: GitHubEmulator, verdict: str, tmp_path: Path):
    (root / "monitor.md").write_text(f"## gitml monitor: {verdict}\n")
    gates = [{"metric": "accuracy", "rule": "max_regression 0.05", "passed": verdict != "fail"}]
    report = {"verdict": verdict, "model": "classifier", "stage": "prod", "version": "v1.1.0",
              "gates": gates}  # fmt: skip
    (root / "monitor.json").write_text(json.dumps(report))
    output = tmp_path / f"output-{verdict}"
    env = {"GITHUB_API_URL": emulator.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN,
           "GITHUB_OUTPUT": str(output), "GITML_GITHUB_RETRIES": "0"}  # fmt: skip
    run = run_gitml("monitor-issue", "monitor.md", "--propose-rollback", cwd=root, env=env,
                    expect=0)  # fmt: skip
    return run, output.read_text()


def test_a_failed_gate_proposes_the_rollback_and_moves_nothing(project, tmp_path) -> None:
    tags_before = git(project, "tag", "--list")
    with GitHubEmulator() as emulator:
        emulator.add_token(TOKEN)
        emulator.add_repo(REPO)
        drift, outputs = post(project, emulator, "drift", tmp_path)
        assert "No rollback proposed: no monitoring gate failed." in drift.stderr
        assert "rollback-to=\n" in outputs
        assert "Proposed" not in emulator.issues(REPO)[0]["body"]
        failed, outputs = post(project, emulator, "fail", tmp_path)
        assert "Proposing to roll prod back from v1.1.0 to v1.0.0." in failed.stderr
        assert "rollback-to=v1.0.0\n" in outputs
        [issue] = emulator.issues(REPO)
    body = issue["body"]
    assert body.startswith("## gitml monitor: fail\n\n### Proposed: roll back\n")
    assert "The version `prod` held before it is `v1.0.0`. Nothing has moved" in body
    assert 'gitml rollback --stage prod --reason "monitoring gate(s) failed on accuracy"' in body
    assert body.endswith("<!-- gitml:monitor id=classifier.prod -->\n")
    # a proposal only: the registry is as it was
    assert git(project, "tag", "--list") == tags_before
    shown = gto.api.show(str(project), "classifier")
    assert [v["version"] for v in shown if v["stages"]] == ["v1.1.0"]
