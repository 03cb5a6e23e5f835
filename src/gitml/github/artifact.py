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
                 "verdict": "pass",             # "pass", "fail", "incomplete" or "unknown"
                 "reason": "forbidden"}         # why it was not posted: "forbidden", "too-long"

Everything in the artifact came from the pull request and is untrusted data: ``read_saved`` reads
only regular files directly inside the artifact directory (the folder holding ``pr.json``): no
symbolic link, no ``..``, no device or FIFO, each under a size bound checked before reading, so a
``report.md`` linked to ``/etc/passwd`` is refused, not posted. ``pr.json`` must have this exact
shape (known keys, types, ``format``, number, SHA and id patterns) and the repository must be the
one the posting workflow runs in. Nothing in it is ever executed.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from gitml.errors import UsageError
from gitml.github.context import REPOSITORY_RE, SHA_RE
from gitml.github.sticky import ID_RE, MAX_BODY

FORMAT = "gitml-pr/1"
KEYS = {"format", "repository", "pr", "head_sha", "id", "verdict", "reason"}
#: why a report was saved instead of posted
Reason = Literal["forbidden", "too-long"]
REASONS: tuple[Reason, ...] = get_args(Reason)
#: Bytes read at most from each saved file. report.md: GitHub's comment limit in characters, at
#: four UTF-8 bytes each; pr.json: a few hundred bytes; report.json: metrics, params and gates.
MAX_PR_JSON = 4 * 1024
MAX_REPORT = 4 * MAX_BODY
MAX_REPORT_JSON = 16 * 1024 * 1024


@dataclass(frozen=True)
class PrFile:
    repository: str
    pr: int | None
    head_sha: str | None
    id: str
    verdict: str
    reason: Reason


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


@dataclass(frozen=True)
class SavedReport:
    """A saved report read back from its artifact directory."""

    body: str
    pr_file: PrFile
    #: the report JSON's path and text, when the artifact holds one
    verdict_path: Path | None
    verdict_text: str | None


def read_saved(pr_json: Path, report: Path, report_json: Path | None) -> SavedReport:
    """Read ``pr.json``, the report and its JSON (``report_json``, else the report's ``.json``
    sibling when present) from the artifact directory that holds ``pr.json``, refusing anything
    that is not a regular file directly inside it."""
    directory = _artifact_directory(pr_json)
    pr_file = parse_pr_file(read_inside(directory, pr_json, MAX_PR_JSON), pr_json)
    body = read_inside(directory, report, MAX_REPORT)
    if report_json is None:
        sibling = report.with_suffix(".json")
        report_json = sibling if os.path.lexists(sibling) else None
    verdict_text = None
    if report_json is not None:
        verdict_text = read_inside(directory, report_json, MAX_REPORT_JSON)
    return SavedReport(body, pr_file, report_json, verdict_text)


def _artifact_directory(pr_json: Path) -> Path:
    """The folder holding ``pr.json`` as the caller named it (absolute, ``..`` kept as written:
    the caller's path is trusted, the files inside are not)."""
    directory = Path.cwd() / pr_json.parent
    if directory.is_symlink() or not directory.is_dir():
        raise UsageError(
            f"{directory} is not a directory (or is a symbolic link); refusing to read the saved "
            "report from it"
        )
    return directory


def read_inside(directory: Path, path: Path, limit: int) -> str:
    """The UTF-8 text of ``path``, a regular file directly inside ``directory`` of at most
    ``limit`` bytes; a symbolic link, ``..``, a folder, device or FIFO, or a larger file is
    refused with a ``UsageError`` (exit 2) before anything is read."""

    def refuse(why: str) -> UsageError:
        return UsageError(
            f"refusing to read {path}: {why}; a saved report is regular files directly inside "
            f"{directory}"
        )

    # compared as written: in `dir/link/../report.md` the kernel follows `link` before `..`
    if Path.cwd() / path.parent != directory or path.name in ("", ".", ".."):
        raise refuse(f"it is not directly inside {directory}")
    try:
        # O_NOFOLLOW: a link is refused by the kernel itself, with no window between check and
        # open; O_NONBLOCK: opening a FIFO does not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if os.path.islink(path):
            raise refuse("it is a symbolic link") from None
        raise UsageError(f"cannot read {path} ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("it is not a regular file")
        if info.st_size > limit:
            raise refuse(f"it is {info.st_size:,} bytes, over the {limit:,} allowed")
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    if len(data) > limit:
        raise refuse(f"it grew over the {limit:,} bytes allowed while being read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse("it is not UTF-8 text") from None


def parse_pr_file(text: str, path: Path) -> PrFile:
    """Validate a ``pr.json``'s text; anything unexpected is refused, naming the field."""

    def bad(what: str) -> UsageError:
        return UsageError(f"{path} is not a gitml pr.json ({what}); refusing to use it")

    try:
        data = json.loads(text)
    except ValueError as error:
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
    if verdict not in ("pass", "fail", "incomplete", "unknown"):
        raise bad('"verdict" is not pass, fail, incomplete or unknown')
    reason = data.get("reason")
    if reason not in REASONS:
        raise bad(f'"reason" is not one of {", ".join(REASONS)}')
    return PrFile(repository, pr, sha, report_id, verdict, reason)
