"""--branch takes plain branch names only, refused before any work."""

from __future__ import annotations

import pytest

from gitml.errors import EXIT_USAGE


@pytest.mark.parametrize("name", ["@", "@{-1}", "refs/heads/x", "-x", "a..b", "HEAD"])
def test_branch_takes_plain_names_only_before_any_work(gitml_main, tmp_path, name):
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("x,target\n1,0\n")  # not even a project here: refused before any work
    result = gitml_main("retrain", "--data", str(labelled), "--no-pr", f"--branch={name}")
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (
        f"ERROR: --branch {name!r} is not a plain branch name (such as retrain/june); git's "
        "shorthands (@, @{-1}) and full refs (refs/heads/...) are refused\n"
    )
