"""The reference project shipped in the package is the one this repository runs on itself."""

from __future__ import annotations

import pytest

from gitml import templates
from gitml.config import tomllib
from tests.helpers import REPO_ROOT


@pytest.mark.parametrize("name", ["dvc.yaml", "params.yaml"])
def test_reference_files_match_the_repository(name: str) -> None:
    assert templates.read("reference", name) == (REPO_ROOT / name).read_text(encoding="utf-8")


def test_reference_settings_match_the_repository() -> None:
    shipped = tomllib.loads(templates.read("reference", "gitml.toml"))
    ours = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert shipped["tool"]["gitml"] == ours["tool"]["gitml"]


def test_no_shipped_file_looks_like_a_dvc_pipeline() -> None:
    # DVC collects every dvc.yaml under a project, including one inside an installed package
    package = REPO_ROOT / "src" / "gitml"
    assert [
        p for p in package.rglob("*") if p.name in ("dvc.yaml", "dvc.lock", "params.yaml")
    ] == []
