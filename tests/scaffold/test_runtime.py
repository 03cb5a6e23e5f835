"""The Python version and the CI runners `gitml init` reads from a project."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitml.scaffold.runtime import ci_runner_notes, project_python
from tests.projects import Project


@pytest.mark.parametrize(
    ("files", "version", "source"),
    [
        ({".python-version": "3.12.4\n"}, "3.12", ".python-version"),
        ({".python-version": "cpython-3.11\n"}, "3.11", ".python-version"),
        (
            {
                ".devcontainer/devcontainer.json": (
                    '{\n  // a comment JSON does not allow\n  "image": '
                    '"mcr.microsoft.com/devcontainers/python:1-3.12-bookworm"\n}\n'
                )
            },
            "3.12",
            ".devcontainer/devcontainer.json",
        ),
        (
            {
                ".devcontainer.json": (
                    '{"image": "mcr.microsoft.com/devcontainers/base:ubuntu", "features": '
                    '{"ghcr.io/devcontainers/features/python:1": {"version": "3.13"}}}'
                )
            },
            "3.13",
            ".devcontainer.json",
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11,<3.13"\n'},
            "3.11",
            "pyproject.toml's requires-python",
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.8"\n'},
            "3.10",
            "pyproject.toml's requires-python",
        ),
        (
            {
                ".python-version": "3.12\n",
                "pyproject.toml": '[project]\nrequires-python = "~=3.10"',
            },
            "3.12",
            ".python-version",
        ),
    ],
)
def test_the_python_version_comes_from_the_project(tmp_path: Path, files, version, source):
    Project(tmp_path).write(files)
    chosen = project_python(tmp_path)
    assert (chosen.version, chosen.source, chosen.notes) == (version, source, ())


def test_a_python_older_than_gitml_gets_its_floor_and_a_note(tmp_path: Path):
    (tmp_path / ".python-version").write_text("3.8.18\n")
    chosen = project_python(tmp_path)
    assert chosen.version == "3.10"
    assert chosen.notes == (
        ".python-version asks for Python 3.8, older than gitml supports: the workflows use "
        "3.10; check that the stages run on it",
    )
    assert project_python(tmp_path / "nothing-here").version is None


def test_gpu_and_self_hosted_jobs_of_the_project_ci_are_named(tmp_path: Path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    jobs = {
        "lint": {"runs-on": "ubuntu-latest"},
        "train": {"runs-on": ["self-hosted", "linux", "gpu"]},
        "deploy": {"runs-on": {"group": "ml", "labels": ["self-hosted"]}},
    }
    (workflows / "ci.yml").write_text(yaml.safe_dump({"on": "push", "jobs": jobs}, sort_keys=False))
    (workflows / "cml.yaml").write_text("on: push\njobs:\n  run:\n    runs-on: cml-gpu-t4\n")
    (workflows / "gitml-pr.yml").write_text("jobs:\n  x:\n    runs-on: self-hosted\n")
    (workflows / "broken.yml").write_text("jobs: [\n")
    notes = ci_runner_notes(tmp_path, ("gitml-pr.yml",))
    assert [note.split(";")[0] for note in notes] == [
        ".github/workflows/ci.yml runs job train on a GPU runner (self-hosted, linux, gpu)",
        ".github/workflows/ci.yml runs job deploy on a self-hosted runner (self-hosted)",
        ".github/workflows/cml.yaml runs job run on a GPU runner (cml-gpu-t4)",
    ]
    assert notes[0].endswith(
        'add `runs-on: \'["self-hosted", "linux", "gpu"]\'` to gitml-pr.yml\'s `with:` (that '
        "runner then runs every pull request's code: require approval for fork PRs first)"
    )
    assert "`runs-on: 'cml-gpu-t4'`" in notes[2]


def test_init_writes_the_python_version_and_names_the_gpu_runner(project: Project):
    project.write(
        {
            ".python-version": "3.12\n",
            ".github/workflows/train.yml": "on: push\njobs:\n  train:\n    runs-on: [self-hosted, gpu]\n",
        }
    )
    result = project.gitml("init", "--release")
    assert result.returncode == 0, result.stderr
    assert "the workflows use Python 3.12 (from .python-version)\n" in result.stdout
    for name in ("gitml-pr.yml", "gitml-release.yml"):
        workflow = yaml.safe_load((project.root / ".github/workflows" / name).read_text())
        job = next(iter(workflow["jobs"].values()))
        assert job["with"]["python-version"] == "3.12"
        assert "runs-on" not in job["with"]  # named, not written: see scaffold/runtime.py
    assert "WARNING: .github/workflows/train.yml runs job train on a GPU runner" in result.stderr
