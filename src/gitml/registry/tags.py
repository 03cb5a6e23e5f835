"""Create registry tags locally and publish them to the shared remote, retrying on races.

Two clones promoting at once compute the same next version (or stage counter ``#N``). The remote
is the arbiter: tags go up with ``git push --atomic``, so either every tag of one promotion lands
or none does. The loser deletes its local tags, fetches the winner's, recomputes and tries again,
a bounded number of times.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from gitml.core.git import run_git
from gitml.errors import GitmlError, RemoteError, describe_exception
from gitml.registry import git

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_RETRIES = 5


@contextmanager
def gto_errors(action: str) -> Iterator[None]:
    """Turn GTO's and scmrepo's exceptions into one actionable ``GitmlError``."""
    from gto.exceptions import GTOException
    from scmrepo.exceptions import SCMError

    try:
        yield
    except (GTOException, SCMError) as error:
        message = describe_exception(error)
        hint = ""
        if "user name and email" in message:
            hint = (
                "; set them, e.g. `git config user.name gitml-bot` and `git config user.email ...`"
            )
        raise GitmlError(f"could not {action}: {message}{hint}") from error


def latest_tag_time(root: Path | str, artifact: str) -> int:
    """Unix time of the newest registry tag of ``artifact`` (0 when there is none)."""
    out = run_git(
        root,
        "for-each-ref",
        "--sort=-taggerdate",
        "--count=1",
        "--format=%(taggerdate:unix)",
        f"refs/tags/{artifact}@*",
        f"refs/tags/{artifact}#*",
    ).stdout.strip()
    return int(out) if out.isdigit() else 0


def wait_for_new_second(root: Path | str, artifact: str) -> None:
    """Sleep until the clock passes the newest tag's second.

    ``gto show`` and ``dvc artifacts get`` order stage assignments by tag time, which has
    one-second resolution: two assignments within one second would make "the version in staging"
    ambiguous. Waiting (at most a second) keeps the order strict.
    """
    latest = latest_tag_time(root, artifact)
    while int(time.time()) <= latest:
        time.sleep(0.05)


def publish(
    root: Path | str,
    create: Callable[[], tuple[T, list[str]]],
    push: bool,
    remote: str,
    retries: int = DEFAULT_RETRIES,
) -> tuple[T, int]:
    """Run ``create`` (which makes local tags and returns ``(result, tags)``) and push the tags.

    Returns the result and the number of attempts. Without ``push`` the tags stay local.
    """
    if push:
        git.require_remote(root, remote)
        git.fetch_tags(root, remote)
    for attempt in range(1, retries + 1):
        result, tags = create()
        if not push or not tags:
            return result, attempt
        try:
            git.push_tags(root, remote, tags)
        except git.PushRejected as rejected:
            log.info("attempt %d: %s rejected (%s); fetching tags", attempt, tags, rejected.detail)
            git.delete_local_tags(root, tags)
            git.fetch_tags(root, remote)
            continue
        except Exception:
            git.delete_local_tags(root, tags)
            raise
        return result, attempt
    raise RemoteError(
        f"the remote '{remote}' rejected the registry tags {retries} times (other promotions "
        "kept winning the race); run the promotion again"
    )
