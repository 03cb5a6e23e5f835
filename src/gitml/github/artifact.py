"""The report saved for a later post, when this job could not comment (a pull request from a fork).

On ``pull_request`` from a fork the token is read-only. ``gitml comment`` then writes the directory
``--artifact-dir`` (default ``gitml-report/``), which the workflow uploads as an artifact; a second
workflow (``on: workflow_run``, with a write token, never running the pull request's code) downloads
it and runs ``gitml comment gitml-report/report.md --pr-from gitml-report/pr.json``.

Files::

    report.md   the comment body, ending with the marker <!-- gitml:report id=ID -->
    report.json the report engine's JSON (verdict and gates), when there was one
    pr.json     where to post it:
                {"format": "gitml-pr/1",
                 "repository": "OWNER/NAME",
                 "pr": 12,                      # int > 0, or null: comment on the commit
                 "head_sha": "<40 hex>",        # or null
                 "id": "default",               # the report id (the marker's id)
                 "verdict": "pass",             # "pass", "fail" or "unknown"
                 "reason": "forbidden"}         # why it was not posted: "forbidden", "too-long"

Everything in the artifact came from the pull request and is untrusted data: ``read_pr_file``
accepts only this exact shape (known keys, types, ``format``, number, SHA and id patterns) and the
repository must be the one the posting workflow runs in. Nothing in it is ever executed.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from gitml.errors import UsageError
from gitml.github.context import REPOSITORY_RE, SHA_RE
from gitml.github.sticky import ID_RE

FORMAT = "gitml-pr/1"
KEYS = {"format", "repository", "pr", "head_sha", "id", "verdict", "reason"}
REASONS = ("forbidden", "too-long")


@dataclass(frozen=True)
class PrFile:
    repository: str
    pr: int | None
    head_sha: str | None
    id: str
    verdict: str
    reason: str


def write_artifact(directory: Path, body: str, pr_file: PrFile, report_json: Path | None) -> Path:
    """Write ``report.md``, ``pr.json`` and a copy of the report JSON; return ``report.md``."""
    directory.mkdir(parents=True, exist_ok=True)
    report = directory / "report.md"
    report.write_text(body, encoding="utf-8")
    (directory / "pr.json").write_text(
        json.dumps(
            {
                "format": FORMAT,
                "repository": pr_file.repository,
                "pr": pr_file.pr,
                "head_sha": pr_file.head_sha,
                "id": pr_file.id,
                "verdict": pr_file.verdict,
                "reason": pr_file.reason,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    if report_json is not None:
        target = directory / "report.json"
        if not (target.exists() and target.resolve() == report_json.resolve()):
            shutil.copyfile(report_json, target)
    return report


def read_pr_file(path: Path) -> PrFile:
    """Read and validate a ``pr.json``; anything unexpected is refused, naming the field."""

    def bad(what: str) -> UsageError:
        return UsageError(f"{path} is not a gitml pr.json ({what}); refusing to use it")

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {path} ({error})") from None
    if not isinstance(data, dict):
        raise bad("not a JSON object")
    if data.get("format") != FORMAT:
        raise bad(f'"format" is not "{FORMAT}"')
    unknown = set(data) - KEYS
    if unknown:
        raise bad(f"unknown keys {', '.join(sorted(unknown))}")
    repository, pr, sha = data.get("repository"), data.get("pr"), data.get("head_sha")
    report_id, verdict = data.get("id"), data.get("verdict")
    if not isinstance(repository, str) or not REPOSITORY_RE.fullmatch(repository):
        raise bad('"repository" is not OWNER/NAME')
    if pr is not None and (isinstance(pr, bool) or not isinstance(pr, int) or pr < 1):
        raise bad('"pr" is not a pull request number')
    if sha is not None and (not isinstance(sha, str) or not SHA_RE.fullmatch(sha)):
        raise bad('"head_sha" is not a commit SHA')
    if pr is None and sha is None:
        raise bad('neither "pr" nor "head_sha"')
    if not isinstance(report_id, str) or not ID_RE.fullmatch(report_id):
        raise bad('"id" is not a report id')
    if verdict not in ("pass", "fail", "unknown"):
        raise bad('"verdict" is not pass, fail or unknown')
    reason = data.get("reason")
    if reason not in REASONS:
        raise bad(f'"reason" is not one of {", ".join(REASONS)}')
    return PrFile(repository, pr, sha, report_id, verdict, reason)
