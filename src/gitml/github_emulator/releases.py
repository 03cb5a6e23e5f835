"""Releases and their assets, as GitHub's REST API serves them.

* ``POST /releases`` needs ``tag_name``; a second release for the same tag gets 422
  ``already_exists`` on ``tag_name``; a body over 125,000 characters gets 422 ``body is too
  long``. With a git repository linked, the tag must exist or ``target_commitish`` must name a
  branch or commit (GitHub then creates the tag), else 422 ``invalid`` on ``target_commitish``.
* ``GET /releases/tags/{tag}`` finds a published release by its tag (404 for a draft or none);
  ``GET /releases`` lists them newest first, in pages.
* Assets are uploaded as raw bytes to the release's ``upload_url`` (``HOST/api/uploads/...``, as
  on GitHub Enterprise) with ``?name=`` (required) and ``label=``, and a ``Content-Type``; an asset
  of the same name gets 422 ``already_exists`` on ``name`` (delete it first to replace it). GitHub
  renames names with special characters: here every character other than a letter, a digit,
  ``.``, ``-`` or ``_`` becomes ``.``, and leading or trailing periods are dropped.
  Each asset must be under 2 GiB; a release holds at most 1,000.
* ``GET {origin}/{owner}/{repo}/releases/download/{tag}/{name}`` serves an asset's bytes (the
  ``browser_download_url``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from gitml.github_emulator.branches import _git, branch_sha
from gitml.github_emulator.errors import (
    EmulatorError,
    invalid_request,
    not_found,
    validation_failed,
)
from gitml.github_emulator.limits import (
    MAX_ASSET_BYTES,
    MAX_RELEASE_ASSETS,
    MAX_RELEASE_BODY,
    now,
)
from gitml.github_emulator.pagination import page
from gitml.github_emulator.shapes import asset_json, release_json, user_json
from gitml.github_emulator.state import Release, ReleaseAsset, Repository, Token

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator

_SPECIAL = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Upload:
    """The raw body of an asset upload and its ``Content-Type``."""

    data: bytes
    content_type: str | None


def _release(repo: Repository, release_id: str) -> Release:
    for release in repo.releases:
        if release.id == int(release_id):
            return release
    raise not_found()


def _body(payload: dict[str, Any]) -> str | None:
    body = payload.get("body")
    if body is None:
        return None
    if not isinstance(body, str):
        raise invalid_request(f"For 'body', {body!r} is not a string.")
    if len(body) > MAX_RELEASE_BODY:
        raise validation_failed(
            {
                "resource": "Release",
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {MAX_RELEASE_BODY} characters)",
            }
        )
    return body


def _check_tag(repo: Repository, tag: str, target: str | None) -> str:
    """The target commitish; with git linked, the tag or the target must exist."""
    target = target or repo.default_branch
    if repo.git_dir is None:
        return target
    if _git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}") is not None:
        return target
    if (
        branch_sha(repo, target) is None
        and _git(repo, "cat-file", "-e", f"{target}^{{commit}}") is None
    ):
        raise validation_failed(
            {"resource": "Release", "code": "invalid", "field": "target_commitish"}
        )
    return target


def create_release(emu: GitHubEmulator, repo: Repository, token: Token, query, payload):
    tag = payload.get("tag_name")
    if not isinstance(tag, str) or not tag:
        raise invalid_request('"tag_name" wasn\'t supplied.')
    body = _body(payload)
    if any(r.tag_name == tag for r in repo.releases):
        raise validation_failed(
            {"resource": "Release", "code": "already_exists", "field": "tag_name"}
        )
    target = _check_tag(repo, tag, payload.get("target_commitish"))
    created, draft = now(), bool(payload.get("draft", False))
    release = Release(
        id=emu.next_id(),
        tag_name=tag,
        target_commitish=target,
        name=payload.get("name"),
        body=body,
        draft=draft,
        prerelease=bool(payload.get("prerelease", False)),
        author=user_json(emu, token.login, token.user_type),
        created_at=created,
        published_at=None if draft else created,
        updated_at=created,
    )
    repo.releases.append(release)
    data = release_json(emu, repo, release)
    return 201, data, {"location": data["url"]}


def list_releases(emu: GitHubEmulator, repo: Repository, token, query, payload):
    newest = sorted(repo.releases, key=lambda r: (r.created_at, r.id), reverse=True)
    return page(emu, repo, "/releases", query, [release_json(emu, repo, r) for r in newest])


def get_release(emu: GitHubEmulator, repo: Repository, token, query, payload, release_id):
    return 200, release_json(emu, repo, _release(repo, release_id)), {}


def get_release_by_tag(emu: GitHubEmulator, repo: Repository, token, query, payload, tag):
    tag = unquote(tag)
    for release in repo.releases:
        if release.tag_name == tag and not release.draft:
            return 200, release_json(emu, repo, release), {}
    raise not_found()


def update_release(emu: GitHubEmulator, repo: Repository, token, query, payload, release_id):
    release = _release(repo, release_id)
    body = _body(payload)
    tag = payload.get("tag_name")
    if tag is not None and tag != release.tag_name:
        if any(r.tag_name == tag for r in repo.releases):
            raise validation_failed(
                {"resource": "Release", "code": "already_exists", "field": "tag_name"}
            )
        release.tag_name = tag
    if body is not None:
        release.body = body
    for name in ("name", "target_commitish"):
        if payload.get(name) is not None:
            setattr(release, name, payload[name])
    for flag in ("draft", "prerelease"):
        if flag in payload:
            setattr(release, flag, bool(payload[flag]))
    if not release.draft and release.published_at is None:
        release.published_at = now()
    release.updated_at = now()
    return 200, release_json(emu, repo, release), {}


def delete_release(emu: GitHubEmulator, repo: Repository, token, query, payload, release_id):
    repo.releases.remove(_release(repo, release_id))
    return 204, None, {}


def list_assets(emu: GitHubEmulator, repo: Repository, token, query, payload, release_id):
    release = _release(repo, release_id)
    items = [asset_json(emu, repo, release, asset) for asset in release.assets]
    return page(emu, repo, f"/releases/{release_id}/assets", query, items)


def _asset(repo: Repository, asset_id: str) -> tuple[Release, ReleaseAsset]:
    for release in repo.releases:
        for asset in release.assets:
            if asset.id == int(asset_id):
                return release, asset
    raise not_found()


def get_asset(emu: GitHubEmulator, repo: Repository, token, query, payload, asset_id):
    release, asset = _asset(repo, asset_id)
    return 200, asset_json(emu, repo, release, asset), {}


def delete_asset(emu: GitHubEmulator, repo: Repository, token, query, payload, asset_id):
    release, asset = _asset(repo, asset_id)
    release.assets.remove(asset)
    return 204, None, {}


def asset_name(raw: str) -> str:
    """The name GitHub stores for an uploaded file name."""
    return _SPECIAL.sub(".", raw).strip(".")


def _asset_fields(release: Release, query: dict[str, str], upload: Upload) -> tuple[str, str]:
    """(name, content type) of an upload, or GitHub's 422."""
    raw_name = query.get("name")
    if not raw_name:
        raise validation_failed(
            {"resource": "ReleaseAsset", "code": "missing_field", "field": "name"}
        )
    name = asset_name(raw_name)
    if not name:
        raise validation_failed({"resource": "ReleaseAsset", "code": "invalid", "field": "name"})
    if any(asset.name == name for asset in release.assets):
        raise validation_failed(
            {"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}
        )
    if len(release.assets) >= MAX_RELEASE_ASSETS or len(upload.data) >= MAX_ASSET_BYTES:
        raise validation_failed({"resource": "ReleaseAsset", "code": "custom", "field": "size"})
    if not upload.content_type:
        raise EmulatorError(400, "Bad Content-Type header value: ''")
    return name, upload.content_type


def upload_asset(emu: GitHubEmulator, repo: Repository, token: Token, query, payload, release_id):
    """``POST {upload_url}?name=&label=`` with the raw bytes (``payload`` is an ``Upload``)."""
    if not isinstance(payload, Upload):
        raise not_found()  # uploads go to the upload URL, not the API's
    release = _release(repo, release_id)
    name, content_type = _asset_fields(release, query, payload)
    created = now()
    asset = ReleaseAsset(
        id=emu.next_id(),
        name=name,
        label=query.get("label") or None,
        content_type=content_type,
        size=len(payload.data),
        digest=f"sha256:{hashlib.sha256(payload.data).hexdigest()}",
        uploader=user_json(emu, token.login, token.user_type),
        created_at=created,
        updated_at=created,
        data=payload.data,
    )
    release.assets.append(asset)
    return 201, asset_json(emu, repo, release, asset), {}


def download(emu: GitHubEmulator, full_name: str, tag: str, name: str) -> bytes:
    """The bytes behind a ``browser_download_url`` (404 when there is no such asset)."""
    repo = emu.repos.get(full_name)
    for release in repo.releases if repo and not repo.private else []:
        if release.tag_name == tag:
            for asset in release.assets:
                if asset.name == name:
                    return asset.data
    raise not_found()
