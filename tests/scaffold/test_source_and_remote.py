"""Which gitml commit the workflows pin, and what each kind of DVC remote needs."""

from __future__ import annotations

import pytest

from gitml.errors import UsageError
from gitml.scaffold import source
from gitml.scaffold.remote import AWS, AZURE, remote_needs
from tests.helpers import REPO_ROOT, git


def test_an_editable_install_pins_its_checkouts_commit() -> None:
    # the test environment installs gitml editable from this checkout (PEP 610 dir_info)
    assert source.installed_commit() == (
        git(REPO_ROOT, "rev-parse", "HEAD"),
        f"local checkout at {REPO_ROOT}",
    )


def test_an_index_install_needs_ref(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "installed_commit", lambda: None)
    with pytest.raises(UsageError) as raised:
        source.resolve_source(None)
    assert raised.value.message == (
        "cannot tell which gitml commit to pin the workflows to (gitml 0.1.0 was installed from a "
        "package index); pass --ref with the full commit SHA of its release, e.g. from "
        "`git ls-remote https://github.com/gitml/gitml v0.1.0`"
    )
    sha = "a" * 40
    pinned = source.resolve_source(sha)
    assert (pinned.sha, pinned.origin) == (sha, "--ref")
    assert pinned.spec(("s3",)) == f"gitml[s3] @ git+https://github.com/gitml/gitml@{sha}"


@pytest.mark.parametrize(
    ("url", "secrets", "extras", "warns"),
    [
        ("s3://bucket/path", AWS, ("s3",), None),
        ("azure://container/path", AZURE, (), "add `dvc-azure`"),
        ("gs://bucket/path", (), (), "take no GCS credentials"),
        ("/srv/storage", (), (), "GitHub's runners cannot reach it"),
        ("../storage", (), (), "GitHub's runners cannot reach it"),
        ("ssh://host/path", (), (), "needs credentials gitml's workflows do not pass"),
        (None, (), (), "no default DVC remote"),
    ],
)
def test_remote_needs(url, secrets, extras, warns) -> None:
    needs = remote_needs("r", url)
    assert (needs.secrets, needs.extras) == (secrets, extras)
    if warns is None:
        assert needs.warnings == ()
    else:
        assert len(needs.warnings) == 1 and warns in needs.warnings[0]
