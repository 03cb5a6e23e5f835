"""``[tool.gitml]`` of any shape: every bad one is a configuration error (exit 2, one line).

pyproject.toml shaped ``[tool] gitml = 5``, ``tool = 5`` or ``[[tool.gitml]]``, with a byte that
is not UTF-8, or a directory in its place exited 3 with "unexpected ..."; nan thresholds,
``min > max`` and a stage name GTO cannot tag were accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitml.config import load_settings
from gitml.errors import ConfigError
from tests.cli import run_gitml

BAD_FILES = {
    "gitml is a number": (
        b"[tool]\ngitml = 5\n",
        "tool.gitml must be one table ([tool.gitml]), got 5",
    ),
    "tool is a number": (b"tool = 5\n", "tool must be a table ([tool]), got 5"),
    "array of tables": (
        b"[[tool.gitml]]\nbase = 'main'\n",
        "tool.gitml must be one table ([tool.gitml]), got an array of tables",
    ),
    "not utf-8": (b"[tool.gitml]\nbase = '\xff'\n", "is not UTF-8 text (line 2)"),
    "nan threshold": (
        b"[[tool.gitml.gates]]\nmetric = 'accuracy'\nmin = nan\n",
        "[[tool.gitml.gates]] #1 min must be a finite number, got nan",
    ),
    "infinite threshold": (
        b"[[tool.gitml.gates]]\nmetric = 'accuracy'\nmax_regression = inf\n",
        "max_regression must be a finite number, got inf",
    ),
    "huge threshold": (
        b"[[tool.gitml.gates]]\nmetric = 'accuracy'\nmax = " + b"9" * 400 + b"\n",
        "[[tool.gitml.gates]] #1 max must be a finite number",
    ),
    "min above max": (
        b"[[tool.gitml.gates]]\nmetric = 'accuracy'\nmin = 0.9\nmax = 0.8\n",
        "[[tool.gitml.gates]] #1 on accuracy: min 0.9 > max 0.8, so it can never pass",
    ),
    "stage with a space": (
        b"[tool.gitml.promote]\nstage = 'my stage'\n",
        "[tool.gitml.promote] stage = 'my stage' is not a valid GTO stage name",
    ),
    "stage with a hash": (b"[tool.gitml.promote]\nstage = 'prod#1'\n", "'prod#1' is not a valid"),
    "stage not a string": (b"[tool.gitml.promote]\nstage = 3\n", "stage = 3 is not a valid"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_pyproject_is_a_config_error(tmp_path: Path, case: str):
    content, message = BAD_FILES[case]
    (tmp_path / "pyproject.toml").write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_a_directory_named_pyproject_is_a_config_error(tmp_path: Path):
    (tmp_path / "pyproject.toml").mkdir()
    with pytest.raises(ConfigError, match=r"pyproject\.toml is not a file"):
        load_settings(tmp_path)


def test_valid_stage_names_load(tmp_path: Path):
    for stage in ("prod", "stage", "dev", "team/prod", "pre_prod-2"):
        (tmp_path / "pyproject.toml").write_text(f"[tool.gitml.promote]\nstage = '{stage}'\n")
        assert load_settings(tmp_path).promote.stage == stage


@pytest.mark.parametrize(
    "content",
    [BAD_FILES["gitml is a number"][0], BAD_FILES["not utf-8"][0], BAD_FILES["array of tables"][0]],
)
def test_the_cli_exits_2_with_one_error_line(project, content: bytes):
    (project.root / "pyproject.toml").write_bytes(content)
    result = project.gitml("report", "--base", "HEAD")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: ")
    assert "pyproject.toml" in lines[0] and "unexpected" not in lines[0]


def test_the_cli_exits_2_when_pyproject_is_a_directory(project):
    (project.root / "pyproject.toml").mkdir()
    result = run_gitml("report", "--base", "HEAD", cwd=project.root)
    assert result.returncode == 2
    assert result.stderr.startswith("ERROR: ") and "is not a file" in result.stderr
