"""The install steps of the reusable workflows and the action, run as scripts with a recording uv.

A called workflow cannot tell which repository and commit its caller pinned, so `gitml-spec` is
required there and an empty one stops the install with what to pass; the composite action knows
its own folder and installs the gitml it comes from.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("gitml-*.yml"))
SPEC = "gitml[s3] @ git+https://github.com/gitml/gitml@" + "a" * 40


def install_steps(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text())
    jobs = data.get("jobs") or {}
    steps = [s for job in jobs.values() for s in job.get("steps") or []]
    steps += (data.get("runs") or {}).get("steps") or []
    return [s for s in steps if s.get("name") == "Install gitml"]


def run_install(
    step: dict, tmp_path: Path, offline_fails: bool = False, **env: str
) -> tuple[subprocess.CompletedProcess, str]:
    """Run the step's script with ``env`` and a `uv` that records its arguments (the last
    call's); with ``offline_fails``, a `uv ... --offline` call fails as on a cold cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "uv-args"
    record.unlink(missing_ok=True)
    uv = bin_dir / "uv"
    fail = 'case " $* " in *" --offline "*) exit 1;; esac\n' if offline_fails else ""
    uv.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n{fail}')
    uv.chmod(0o755)
    values = {"GITML_REQUIREMENTS": "", **env, "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"}
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], env=values, capture_output=True, text=True
    )
    return result, record.read_text() if record.exists() else ""


def cached_install_steps(path: Path) -> list[tuple[dict, bool]]:
    """Each job's 'Install gitml' steps, with whether that job restores the uv cache
    (astral-sh/setup-uv with enable-cache: true)."""
    found = []
    for job in (yaml.safe_load(path.read_text()).get("jobs") or {}).values():
        steps = job.get("steps") or []
        cached = any(
            str(s.get("uses", "")).startswith("astral-sh/setup-uv@")
            and (s.get("with") or {}).get("enable-cache") is True
            for s in steps
        )
        found += [(s, cached) for s in steps if s.get("name") == "Install gitml"]
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_a_reusable_workflow_requires_gitml_spec(path: Path, tmp_path: Path) -> None:
    call = yaml.safe_load(path.read_text())[True]["workflow_call"]
    spec = call["inputs"]["gitml-spec"]
    assert spec.get("required") is True and "default" not in spec
    steps = cached_install_steps(path)
    assert steps, f"{path.name} has no 'Install gitml' step"
    for step, cached in steps:
        assert step["env"]["GITML_SPEC"] == "${{ inputs.gitml-spec }}"
        result, args = run_install(step, tmp_path, GITML_SPEC="")
        assert result.returncode == 2 and args == ""
        assert result.stdout.startswith("::error::gitml-spec is empty: pass the gitml this ")
        assert "gitml @ git+https://github.com/gitml/gitml@<the SHA in your uses: line>" in (
            result.stdout
        )
        result, args = run_install(step, tmp_path, GITML_SPEC=SPEC)
        assert result.returncode == 0, result.stderr
        online = ["pip", "install", "--python", "python", SPEC]
        if not cached:  # a job without the cache (release, pushing jobs) installs from the index
            assert args.splitlines() == online
            continue
        # from the restored uv cache first (offline) ...
        assert args.splitlines() == ["pip", "install", "--offline", "--python", "python", SPEC]
        # ... and online when the cache lacks something
        result, args = run_install(step, tmp_path, offline_fails=True, GITML_SPEC=SPEC)
        assert result.returncode == 0, result.stderr
        assert args.splitlines() == online


def test_the_action_installs_its_own_source_without_gitml_spec(tmp_path: Path) -> None:
    (step,) = install_steps(REPO_ROOT / "action" / "action.yml")
    assert step["env"]["ACTION_SOURCE"] == "${{ github.action_path }}/.."
    source = "/runner/_actions/gitml/gitml/" + "b" * 40 + "/action/.."
    # From the restored cache first (offline) ...
    result, args = run_install(step, tmp_path, GITML_SPEC="", ACTION_SOURCE=source)
    assert result.returncode == 0, result.stderr
    assert args.splitlines() == ["pip", "install", "--offline", "--python", "python", source]
    # ... and online when the cache lacks something.
    result, args = run_install(
        step, tmp_path, offline_fails=True, GITML_SPEC=SPEC, ACTION_SOURCE=source,
        GITML_REQUIREMENTS="req.txt",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert args.splitlines() == ["pip", "install", "--python", "python", SPEC, "-r", "req.txt"]
