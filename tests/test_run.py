"""`gitml run` on real clones of this repository's reference project, and its failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.cli import run_dvc, run_gitml
from tests.helpers import REPO_ROOT, git


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    target = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(REPO_ROOT), str(target))
    return target


def test_fresh_clone_restores_the_baseline_from_the_embedded_remote(clone):
    result = run_gitml("run", "--pull", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("0 ran, 0 restored, 3 skipped")
    assert (clone / "models" / "model.joblib").exists()
    assert "pulled 0 file(s)" not in result.stderr


@pytest.mark.slow(minutes=1)
def test_fresh_clone_reproduces_the_pipeline_from_the_embedded_remote(clone):
    committed = json.loads((clone / "metrics.json").read_text())
    (clone / "metrics.json").unlink()
    # keep only the dataset in the embedded remote: everything else must be rebuilt
    dataset = (
        "94/9824dcfb1b41fccf98786821c4ba04.dir",
        "36/ef90874abc87f4b4a8554dcc17cf6f",
        "45/81463cb5440d272177df0439735e2d",
    )  # data.dvc's directory and its two files
    for path in (clone / ".dvc-storage").rglob("*"):
        if path.is_file() and not str(path).endswith(dataset):
            path.unlink()
    result = run_gitml("run", "--pull", cwd=clone)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["prepare", "train", "evaluate"]
    assert lines[-1].startswith("3 ran, 0 restored, 0 skipped")
    assert json.loads((clone / "metrics.json").read_text()) == committed

    report = run_gitml("report", "--base", "HEAD", "-o", "report.md", cwd=clone)
    assert report.returncode == 0, report.stderr
    text = (clone / "report.md").read_text()
    assert text.startswith("## ✅ gitml: 0 improved, 0 regressed, all gates pass")
    assert "### Pipeline: 3 ran, 0 cached" in text
    assert "```mermaid" in text and "| **0** |" in text  # curves and the confusion matrix
    html = (clone / "report.html").read_text()
    assert (
        "vegaEmbed" in html and "http" not in html.split("<script>")[0]
    )  # nothing loaded from a CDN

    again = run_gitml("run", cwd=clone)
    assert again.stdout.splitlines()[-1].startswith("0 ran, 0 restored, 3 skipped")


@pytest.mark.slow(minutes=1)
def test_hyper_parameter_change_shows_in_the_report(clone):
    assert run_gitml("run", "--pull", cwd=clone).returncode == 0
    params = yaml.safe_load((clone / "params.yaml").read_text())
    params["train"]["params"]["max_depth"] = 2
    (clone / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    result = run_gitml("run", cwd=clone)
    assert [line.split()[1] for line in result.stdout.splitlines()[:3]] == ["skipped", "ran", "ran"]
    out = clone / "r.json"
    run_gitml("report", "--base", "HEAD", "--json", str(out), cwd=clone)
    data = json.loads(out.read_text())
    assert data["params"] == [
        {"file": "params.yaml", "name": "train.params.max_depth", "base": 4, "head": 2}
    ]
    assert {d["path"] for d in data["data"]} == {"models/model.joblib"}
    assert any(m["status"] != "unchanged" for m in data["metrics"])


def test_missing_data_is_one_clear_line(clone):
    shutil.rmtree(clone / ".dvc-storage")
    result = run_gitml("run", "--pull", cwd=clone)
    assert result.returncode == 3
    storage = clone / ".dvc-storage"
    assert result.stderr.strip().splitlines()[-1] == (  # the remote, not "pull it" again
        f"ERROR: could not pull from remote 'local' ({storage}): the folder {storage} does not "
        "exist (3 output(s) missing); check the URL, the network and the remote's credentials, "
        "then rerun `gitml run --pull`"
    )
    assert "Traceback" not in result.stderr


BROKEN_DVC_YAML = {
    "syntax": (
        "stages:\n  train:\n    cmd: [unclosed\n",
        "ERROR: dvc.yaml is broken: unable to read: 'dvc.yaml', YAML file structure is corrupted; "
        "fix the file",
    ),
    "schema": (
        "stages:\n  train:\n    cmdd: echo\n",
        "ERROR: dvc.yaml is broken: './dvc.yaml' validation failed: 2 errors; fix the file",
    ),
}


@pytest.mark.parametrize("pull", [[], ["--pull"]], ids=["run", "run --pull"])
@pytest.mark.parametrize("kind", sorted(BROKEN_DVC_YAML))
def test_broken_dvc_yaml_is_a_config_error(clone, kind, pull):
    """With --pull DVC reads dvc.yaml while pulling: still a config error, not a remote one."""
    text, message = BROKEN_DVC_YAML[kind]
    (clone / "dvc.yaml").write_text(text)
    result = run_gitml("run", *pull, cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message
    assert "could not pull" not in result.stderr
    assert "Traceback" not in result.stderr


def test_push_with_a_broken_dvc_yaml_is_a_config_error(clone, monkeypatch):
    from gitml import dvc_adapter
    from gitml.errors import ConfigError

    text, message = BROKEN_DVC_YAML["syntax"]
    (clone / "dvc.yaml").write_text(text)
    monkeypatch.chdir(clone)
    with dvc_adapter.open_repo(clone) as repo, pytest.raises(ConfigError) as raised:
        dvc_adapter.push(repo)
    assert f"ERROR: {raised.value.message}" == message


def test_unreachable_remote_names_the_remote(clone, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    run_dvc("remote", "add", "-d", "-f", "gone", "s3://bucket/path", cwd=clone, expect=0)
    run_dvc("remote", "modify", "gone", "endpointurl", "http://127.0.0.1:9", cwd=clone, expect=0)
    run_dvc("remote", "modify", "gone", "retries", "0", cwd=clone)
    result = run_gitml("run", "--pull", cwd=clone)
    assert result.returncode == 3
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ERROR: could not pull from remote 'gone' (s3://bucket/path)")
    assert "Traceback" not in result.stderr


@pytest.mark.slow(minutes=1)
def test_s3_remote_round_trip_through_moto(clone, tmp_path, monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        import boto3

        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="models")
        run_dvc("remote", "add", "-d", "s3", "s3://models/gitml", cwd=clone, expect=0)
        run_dvc("remote", "modify", "s3", "endpointurl", endpoint, cwd=clone, expect=0)
        # seed the bucket: data from the embedded remote, then everything the pipeline makes
        assert run_gitml("run", "--pull", "--remote", "local", cwd=clone).returncode == 0
        pushed = run_gitml("run", "--push", cwd=clone)
        assert pushed.returncode == 0, pushed.stderr
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", "use the S3 remote")

        fresh = tmp_path / "fresh"
        git(tmp_path, "clone", "-q", str(clone), str(fresh))
        shutil.rmtree(fresh / ".dvc-storage", ignore_errors=True)  # only S3 can serve it now
        result = run_gitml("run", "--pull", cwd=fresh)
        assert result.returncode == 0, result.stderr
        # models and run-cache came from S3: nothing had to be trained again
        assert result.stdout.splitlines()[-1].startswith("0 ran")
        assert (fresh / "models" / "model.joblib").exists()
    finally:
        server.stop()
