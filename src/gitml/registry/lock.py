"""Serialize promotions inside one clone: an exclusive lock file in the git directory.

Across clones the shared remote is the arbiter (an atomic tag push either creates every tag or
none); this lock only stops two processes of one clone from computing the same next version.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gitml.errors import GitmlError
from gitml.registry.git import git_dir

LOCK_NAME = "gitml-registry.lock"


@contextmanager
def registry_lock(root: Path | str, timeout: float = 120.0) -> Iterator[Path]:
    """Hold the clone's registry lock; wait up to ``timeout`` seconds for another holder."""
    path = git_dir(root) / LOCK_NAME
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise GitmlError(
                        f"another gitml promotion holds {path} for over {timeout:.0f}s; "
                        "wait for it or remove the file if no gitml process runs"
                    ) from None
                time.sleep(0.1)
        try:
            yield path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
