"""Publish a GitHub Release on a version tag: create it, or update the one already there.

One release per tag, whatever the number of runs: the release is looked up by its tag first and
updated in place; two runs racing to create it meet GitHub's 422 ``already_exists`` and the
loser updates the winner's. Assets are replaced by name (GitHub refuses a second asset of the
same name, so the old one is deleted first), and an asset whose bytes are already there (same
SHA-256 ``digest``) is kept. Assets the release holds that gitml does not publish are left alone.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.errors import UsageError
from gitml.github.api import GitHubApi
from gitml.github.errors import ApiError

#: GitHub refuses release bodies over this many characters (422 ``body is too long``).
MAX_RELEASE_BODY = 125_000
CONTENT_TYPES = {
    ".cdx.json": "application/vnd.cyclonedx+json",
    ".sigstore.json": "application/vnd.dev.sigstore.bundle.v0.3+json",
    ".sig": "application/vnd.dev.sigstore.bundle.v0.3+json",
    ".json": "application/json",
    ".html": "text/html",
    ".md": "text/markdown",
}


@dataclass(frozen=True)
class ReleaseRequest:
    """What to publish: the release on ``tag`` named ``name``, with ``body`` and ``assets``."""

    tag: str
    name: str
    body: str
    #: the commit the tag is on (GitHub makes the tag there if it is missing)
    commit: str
    assets: tuple[Path, ...] = ()


@dataclass
class PublishedRelease:
    url: str
    release_id: int
    created: bool
    uploaded: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "id": self.release_id,
            "created": self.created,
            "uploaded": self.uploaded,
            "kept": self.kept,
            "replaced": self.replaced,
        }


def content_type(path: Path) -> str:
    """The ``Content-Type`` an asset is uploaded with."""
    for suffix, kind in CONTENT_TYPES.items():
        if path.name.endswith(suffix):
            return kind
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def check_request(request: ReleaseRequest) -> None:
    """Refuse before any request what GitHub would refuse halfway."""
    if len(request.body) > MAX_RELEASE_BODY:
        raise UsageError(
            f"the release body has {len(request.body)} characters, over GitHub's "
            f"{MAX_RELEASE_BODY}; shorten the model card template"
        )
    names = [path.name for path in request.assets]
    for path in request.assets:
        if not path.is_file():
            raise UsageError(f"release asset {path} is not a file")
    if len(set(names)) != len(names):
        raise UsageError(f"two release assets share a name: {', '.join(sorted(names))}")


def publish_release(api: GitHubApi, request: ReleaseRequest) -> PublishedRelease:
    """Create or update the release of ``request.tag`` and put its assets in place."""
    check_request(request)
    repo = api.gh.get_repo(str(api.context.repository))
    release, created = _find_or_create(api, repo, request)
    if not created:
        release = api(
            f"updating the release of {request.tag}",
            lambda: release.update_release(
                name=request.name, message=request.body, target_commitish=request.commit
            ),
        )
    published = PublishedRelease(release.html_url, release.id, created)
    existing = {
        asset.name: asset
        for asset in api(f"listing the assets of {request.tag}", lambda: list(release.get_assets()))
    }
    for path in request.assets:
        _put_asset(api, release, existing.get(path.name), path, published)
    return published


def _find_or_create(api: GitHubApi, repo: Any, request: ReleaseRequest) -> tuple[Any, bool]:
    found = _by_tag(api, repo, request.tag)
    if found is not None:
        return found, False
    try:
        return api(
            f"creating the release of {request.tag}",
            lambda: repo.create_git_release(
                request.tag,
                name=request.name,
                message=request.body,
                target_commitish=request.commit,
            ),
        ), True
    except ApiError as error:
        # 422 already_exists: another run created it in between; update that one
        if error.status == 422:
            again = _by_tag(api, repo, request.tag)
            if again is not None:
                return again, False
        raise


def _by_tag(api: GitHubApi, repo: Any, tag: str) -> Any | None:
    try:
        return api(f"reading the release of {tag}", lambda: repo.get_release(tag))
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def _put_asset(
    api: GitHubApi, release: Any, existing: Any | None, path: Path, published: PublishedRelease
) -> None:
    digest = f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    if existing is not None:
        if getattr(existing, "digest", None) == digest:
            published.kept.append(path.name)
            return
        api(f"deleting the old asset {path.name}", existing.delete_asset)
        published.replaced.append(path.name)
    api(
        f"uploading the asset {path.name}",
        lambda: release.upload_asset(str(path), content_type=content_type(path), name=path.name),
    )
    published.uploaded.append(path.name)
