"""How values read in every rendering: data changes of outputs the workspace does not hold."""

from __future__ import annotations

from gitml.core.text import data_change


def test_an_output_the_workspace_lacks_says_what_dvc_lock_records():
    assert data_change("not pulled") == "not in the workspace (not pulled)"
    assert data_change("modified", in_workspace=False) == (
        "modified (not pulled; hash in dvc.lock changed)"
    )
    assert data_change("added", in_workspace=False) == "added (not pulled; in dvc.lock)"
    assert data_change("modified") == "modified"
