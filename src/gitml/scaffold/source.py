"""Which gitml the written workflows call: the repository, a full commit SHA and a pip spec.

Third-party reusable workflows must be pinned to a full commit SHA (a tag can be moved; zizmor
flags anything else), and the ``gitml-spec`` input must install the same gitml as the workflow it
runs in. The SHA is ``--ref`` when given, else the commit the installed gitml came from (PEP 610
``direct_url.json``: ``vcs_info.commit_id`` for a git install, ``git rev-parse HEAD`` of the folder
for a local or editable one). A gitml installed from a package index records no commit: then
``--ref`` is required, rather than writing a workflow that is not pinned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from urllib.parse import unquote, urlparse

from gitml import __version__
from gitml.core.git import output as git_output
from gitml.errors import UsageError

#: where gitml's reusable workflows live
REPOSITORY = "gitml/gitml"
FULL_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class GitmlSource:
    """The gitml commit the workflows are pinned to."""

    sha: str
    version: str
    #: how the SHA was found, for the user: "--ref", "git install", "local checkout at PATH"
    origin: str

    def spec(self, extras: tuple[str, ...] = ()) -> str:
        """A pip requirement installing this gitml, e.g. ``gitml[s3] @ git+https://...@sha``."""
        name = f"gitml[{','.join(extras)}]" if extras else "gitml"
        return f"{name} @ git+https://github.com/{REPOSITORY}@{self.sha}"


def installed_commit() -> tuple[str, str] | None:
    """(sha, origin) of the installed gitml when it came from git or a local folder, else None."""
    try:
        text = distribution("gitml").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not text:
        return None  # installed from a package index: no commit recorded
    info = json.loads(text)
    commit = info.get("vcs_info", {}).get("commit_id")
    if commit and FULL_SHA.fullmatch(commit):
        return commit, "git install"
    url = urlparse(info.get("url", ""))
    if url.scheme == "file" and "dir_info" in info:
        folder = Path(unquote(url.path))
        sha = git_output(folder, "rev-parse", "HEAD")
        if sha and FULL_SHA.fullmatch(sha):
            return sha, f"local checkout at {folder}"
    return None


def resolve_source(ref: str | None) -> GitmlSource:
    """The gitml to pin: ``ref`` (a full commit SHA) or the installed gitml's commit."""
    if ref is not None:
        if not FULL_SHA.fullmatch(ref):
            raise UsageError(
                f"--ref {ref!r} is not a full commit SHA (40 lowercase hex digits); use the commit "
                f"of a gitml release, e.g. `git ls-remote https://github.com/{REPOSITORY} v{__version__}`"
            )
        return GitmlSource(ref, __version__, "--ref")
    found = installed_commit()
    if found is None:
        raise UsageError(
            f"cannot tell which gitml commit to pin the workflows to (gitml {__version__} was "
            "installed from a package index); pass --ref with the full commit SHA of its release, "
            f"e.g. from `git ls-remote https://github.com/{REPOSITORY} v{__version__}`"
        )
    return GitmlSource(found[0], __version__, found[1])
