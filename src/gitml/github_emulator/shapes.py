"""The JSON GitHub returns for users, repositories, pull requests, issues, labels, comments,
commits and check runs.

``url`` fields point back at the emulation (PyGithub follows them); ``html_url`` fields at its
origin, like ``https://HOST/owner/repo`` next to ``https://HOST/api/v3`` on GitHub Enterprise.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from gitml.github_emulator.limits import ACTIONS_BOT
from gitml.github_emulator.state import (
    CheckRun,
    CommitComment,
    Issue,
    IssueComment,
    PullRequest,
    Release,
    ReleaseAsset,
    Repository,
    Review,
)


class Site(Protocol):
    """Where the emulation answers: ``url`` is the API base, ``origin`` the web pages' host."""

    @property
    def url(self) -> str: ...

    @property
    def origin(self) -> str: ...


def api_base(site: Site, repo: Repository) -> str:
    return f"{site.url}/repos/{repo.full_name}"


def user_json(site: Site, login: str, user_type: str = "User") -> dict[str, Any]:
    if login == ACTIONS_BOT["login"]:
        user_id, user_type = ACTIONS_BOT["id"], "Bot"
        html = "https://github.com/apps/github-actions"
    elif user_type == "Bot" and login.endswith("[bot]"):
        # another GitHub App's bot: its own fixed id, its page under /apps/
        user_id = 2000 + sum(login.encode())
        html = f"{site.origin}/apps/{login.removesuffix('[bot]')}"
    else:
        user_id = 1000 + sum(login.encode())
        html = f"{site.origin}/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": f"U_{user_id}",
        "type": user_type,
        "site_admin": False,
        "url": f"{site.url}/users/{quote(login)}",
        "html_url": html,
    }


def author_json(site: Site, author: dict[str, str]) -> dict[str, Any]:
    return user_json(site, author["login"], author["type"])


def repo_json(site: Site, repo: Repository) -> dict[str, Any]:
    base = api_base(site, repo)
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user_json(site, repo.owner, "Organization"),
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "fork": False,
        "default_branch": repo.default_branch,
        "url": base,
        "html_url": f"{site.origin}/{repo.full_name}",
        "issues_url": base + "/issues{/number}",
        "pulls_url": base + "/pulls{/number}",
        "comments_url": base + "/comments{/number}",
        "commits_url": base + "/commits{/sha}",
        "statuses_url": base + "/statuses/{sha}",
    }


def head_repo_json(site: Site, repo: Repository, pr: PullRequest) -> dict[str, Any]:
    """The head's repository: the base repository, or a contributor's fork of it."""
    head_repo = repo_json(site, repo)
    if not pr.fork:
        return head_repo
    return {
        **head_repo,
        "full_name": f"contributor/{repo.name}",
        "fork": True,
        "owner": user_json(site, "contributor"),
        "id": repo.id + 1,
    }


def pull_json(site: Site, repo: Repository, pr: PullRequest) -> dict[str, Any]:
    base, n = api_base(site, repo), pr.number
    head_repo = head_repo_json(site, repo, pr)
    return {
        "id": pr.id,
        "node_id": f"PR_{pr.id}",
        "number": n,
        "state": pr.state,
        "title": pr.title,
        "body": pr.body,
        "draft": pr.draft,
        "merged": pr.merged_at is not None,
        "merged_at": pr.merged_at,
        "merged_by": user_json(site, pr.merged_by) if pr.merged_by else None,
        "merge_commit_sha": pr.merge_commit_sha,
        "user": pr.user or user_json(site, "contributor" if pr.fork else "octocat"),
        "url": f"{base}/pulls/{n}",
        "html_url": f"{site.origin}/{repo.full_name}/pull/{n}",
        "issue_url": f"{base}/issues/{n}",
        "comments_url": f"{base}/issues/{n}/comments",
        "statuses_url": f"{base}/statuses/{pr.head_sha}",
        "head": {
            "label": f"{head_repo['owner']['login']}:{pr.head_ref}",
            "ref": pr.head_ref,
            "sha": pr.head_sha,
            "repo": head_repo,
            "user": head_repo["owner"],
        },
        "base": {
            "label": f"{repo.owner}:{pr.base_ref}",
            "ref": pr.base_ref,
            "sha": pr.base_sha,
            "repo": repo_json(site, repo),
            "user": user_json(site, repo.owner, "Organization"),
        },
        "created_at": pr.created_at,
        "updated_at": pr.updated_at or pr.created_at,
    }


def issue_comment_json(site: Site, repo: Repository, c: IssueComment) -> dict[str, Any]:
    base = api_base(site, repo)
    kind = "pull" if c.issue in repo.pulls else "issues"
    return {
        "id": c.id,
        "node_id": f"IC_{c.id}",
        "url": f"{base}/issues/comments/{c.id}",
        "html_url": f"{site.origin}/{repo.full_name}/{kind}/{c.issue}#issuecomment-{c.id}",
        "issue_url": f"{base}/issues/{c.issue}",
        "body": c.body,
        "user": author_json(site, c.author),
        "author_association": "NONE",
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def commit_comment_json(site: Site, repo: Repository, c: CommitComment) -> dict[str, Any]:
    return {
        "id": c.id,
        "node_id": f"CC_{c.id}",
        "url": f"{api_base(site, repo)}/comments/{c.id}",
        "html_url": f"{site.origin}/{repo.full_name}/commit/{c.commit_id}#commitcomment-{c.id}",
        "body": c.body,
        "user": author_json(site, c.author),
        "commit_id": c.commit_id,
        "path": None,
        "position": None,
        "line": None,
        "author_association": "NONE",
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def label_json(site: Site, repo: Repository, name: str) -> dict[str, Any]:
    label_id = 7_000_000 + sum(name.encode())
    return {
        "id": label_id,
        "node_id": f"LA_{label_id}",
        "url": f"{api_base(site, repo)}/labels/{quote(name)}",
        "name": name,
        "color": "ededed",
        "default": False,
        "description": None,
    }


def issue_json(site: Site, repo: Repository, record: Issue) -> dict[str, Any]:
    base, n = api_base(site, repo), record.number
    return {
        "id": record.id,
        "node_id": f"I_{record.id}",
        "number": n,
        "title": record.title,
        "body": record.body,
        "state": record.state,
        "state_reason": record.state_reason,
        "labels": [label_json(site, repo, name) for name in record.labels],
        "user": author_json(site, record.author),
        "url": f"{base}/issues/{n}",
        "repository_url": base,
        "comments_url": f"{base}/issues/{n}/comments",
        "html_url": f"{site.origin}/{repo.full_name}/issues/{n}",
        "comments": len(repo.issue_comments.get(n, [])),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "closed_at": record.closed_at,
    }


def bare_issue_json(site: Site, repo: Repository, n: int) -> dict[str, Any]:
    """An issue known only by its number (seeded with ``add_issue``) or a pull request's issue."""
    base = api_base(site, repo)
    body = {
        "id": n,
        "number": n,
        "state": repo.pulls[n].state if n in repo.pulls else "open",
        "title": f"Issue {n}",
        "url": f"{base}/issues/{n}",
        "comments_url": f"{base}/issues/{n}/comments",
        "html_url": f"{site.origin}/{repo.full_name}/issues/{n}",
        "user": user_json(site, "octocat"),
        "comments": len(repo.issue_comments.get(n, [])),
    }
    if n in repo.pulls:
        body["pull_request"] = {"url": f"{base}/pulls/{n}"}
    return body


def pull_as_issue_json(site: Site, repo: Repository, pr: PullRequest) -> dict[str, Any]:
    """A pull request as the issue list shows it."""
    record = repo.issue_records.get(pr.number)
    data = (
        issue_json(site, repo, record)
        if record is not None
        else bare_issue_json(site, repo, pr.number)
    )
    return {**data, "title": pr.title, "labels": [], "created_at": pr.created_at}


def commit_json(site: Site, repo: Repository, sha: str) -> dict[str, Any]:
    base = api_base(site, repo)
    return {
        "sha": sha,
        "node_id": f"C_{sha}",
        "url": f"{base}/commits/{sha}",
        "html_url": f"{site.origin}/{repo.full_name}/commit/{sha}",
        "comments_url": f"{base}/commits/{sha}/comments",
    }


def check_run_json(site: Site, repo: Repository, run: CheckRun) -> dict[str, Any]:
    return {
        **run.to_dict(),
        "node_id": f"CR_{run.id}",
        "url": f"{api_base(site, repo)}/check-runs/{run.id}",
        "html_url": f"{site.origin}/{repo.full_name}/runs/{run.id}",
        "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
    }


def review_json(site: Site, repo: Repository, pr: PullRequest, review: Review) -> dict[str, Any]:
    base = api_base(site, repo)
    return {
        "id": review.id,
        "node_id": f"PRR_{review.id}",
        "user": user_json(site, review.login),
        "body": review.body,
        "state": review.state,
        "html_url": f"{site.origin}/{repo.full_name}/pull/{pr.number}#pullrequestreview-{review.id}",
        "pull_request_url": f"{base}/pulls/{pr.number}",
        "author_association": "MEMBER",
        "submitted_at": review.submitted_at,
        "commit_id": review.commit_id,
    }


def upload_url(site: Site, repo: Repository, release: Release) -> str:
    """Where assets are uploaded: ``uploads.github.com`` on github.com, ``HOST/api/uploads`` on
    GitHub Enterprise (as here: the emulation's origin)."""
    return f"{site.origin}/api/uploads/repos/{repo.full_name}/releases/{release.id}/assets"


def asset_json(
    site: Site, repo: Repository, release: Release, asset: ReleaseAsset
) -> dict[str, Any]:
    download = f"{site.origin}/{repo.full_name}/releases/download"
    return {
        **asset.document(),
        "node_id": f"RA_{asset.id}",
        "url": f"{api_base(site, repo)}/releases/assets/{asset.id}",
        "browser_download_url": f"{download}/{quote(release.tag_name)}/{quote(asset.name)}",
        "state": "uploaded",
        "download_count": 0,
    }


def release_json(site: Site, repo: Repository, release: Release) -> dict[str, Any]:
    base = f"{api_base(site, repo)}/releases/{release.id}"
    tag = quote(release.tag_name)
    page = f"untagged-{release.id}" if release.draft else tag
    return {
        "id": release.id,
        "node_id": f"RE_{release.id}",
        "url": base,
        "html_url": f"{site.origin}/{repo.full_name}/releases/tag/{page}",
        "assets_url": f"{base}/assets",
        "upload_url": upload_url(site, repo, release) + "{?name,label}",
        "tarball_url": f"{api_base(site, repo)}/tarball/{tag}",
        "zipball_url": f"{api_base(site, repo)}/zipball/{tag}",
        "tag_name": release.tag_name,
        "target_commitish": release.target_commitish,
        "name": release.name,
        "body": release.body,
        "draft": release.draft,
        "prerelease": release.prerelease,
        "immutable": False,
        "author": release.author,
        "created_at": release.created_at,
        "published_at": release.published_at,
        "updated_at": release.updated_at,
        "assets": [asset_json(site, repo, release, asset) for asset in release.assets],
    }
