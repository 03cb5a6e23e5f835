"""The demo's folder: its layout, the lock that keeps two demos out of it, and the steps done."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.errors import UsageError

STATE_FILE = "gitml-demo.json"
LOCK_FILE = ".gitml-demo.lock"
#: 2: facts per pull request and per release (the loop runs twice); a state file of another
#: version is from another gitml, whose steps this one cannot continue
STATE_VERSION = 2


@dataclass
class DemoFolder:
    """Paths inside the demo folder. Every clone sits one level down, so the DVC remote's relative
    URL (``../../dvc-remote`` from ``.dvc/``) is right in all of them."""

    root: Path
    steps: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    #: the state file was from another gitml version: its steps were forgotten
    started_over: bool = False
    _lock: Any = None

    @property
    def origin(self) -> Path:
        """A bare repository standing in for the repository on GitHub."""
        return self.root / "origin.git"

    @property
    def dvc_remote(self) -> Path:
        """The DVC remote standing in for a bucket (S3, GCS, Azure)."""
        return self.root / "dvc-remote"

    @property
    def workspace(self) -> Path:
        """The data scientist's clone."""
        return self.root / "workspace"

    def ci_pull_request(self, number: int) -> Path:
        """A fresh clone of pull request ``number``, as the PR workflow's runner has."""
        return self.root / f"ci-pull-request-{number}"

    @property
    def ci_main(self) -> Path:
        """A fresh clone of main after the merge, as the release workflow's runner has."""
        return self.root / "ci-main"

    @property
    def github(self) -> Path:
        """What the GitHub emulation held: the comment, the check run, the request log."""
        return self.root / "github"

    @property
    def monitoring(self) -> Path:
        """The served model's prediction and feedback logs and the monitoring report."""
        return self.root / "monitoring"

    @property
    def bentoml_home(self) -> Path:
        """The demo's own BentoML store (models and Bentos), removed with the folder."""
        return self.root / "bentoml"

    @property
    def logs(self) -> Path:
        """Each step's full output (DVC, the stages, BentoML)."""
        return self.root / "logs"

    @property
    def state_file(self) -> Path:
        return self.root / STATE_FILE

    # -- claiming and state ------------------------------------------------------------------

    def claim(self) -> bool:
        """Lock the folder for this process; return True when it holds an earlier demo's steps.

        A folder that exists, is not empty and is not a demo folder is refused, so the demo never
        writes into someone's project. A folder another demo is running in is refused too.
        """
        if self.root.exists() and not self.root.is_dir():
            raise UsageError(f"{self.root} is a file; pass --dir with a folder for the demo")
        if self.root.is_dir() and any(self.root.iterdir()) and not self.state_file.exists():
            raise UsageError(
                f"{self.root} is not empty and holds no gitml demo; pass --dir with a new or "
                "empty folder"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.root / LOCK_FILE)
        if self.state_file.exists():
            self._load()
            return bool(self.steps)
        self.save()
        return False

    def _load(self) -> None:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            steps = dict(state.get("steps", {}))
            facts = dict(state.get("facts", {}))
            version = state.get("version")
        except (OSError, ValueError, AttributeError):
            raise UsageError(
                f"{self.state_file} is damaged; pass --restart to start the demo over"
            ) from None
        if version != STATE_VERSION:
            # an older demo recorded its facts in another shape: run every step again
            self.started_over = bool(steps)
            self.reset()
            return
        self.steps, self.facts = steps, facts

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def save(self) -> None:
        document = {"version": STATE_VERSION, "steps": self.steps, "facts": self.facts}
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.state_file)

    def reset(self) -> None:
        """Forget every step (``--restart``); their files are replaced as the steps run again."""
        self.steps.clear()
        self.facts.clear()
        self.save()


def _lock(path: Path) -> Any:
    """An exclusive lock held while the file stays open; the OS drops it if the process dies."""
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closing it drops the lock
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, run unguarded
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise UsageError(
            f"{path.parent} is in use by another gitml demo (pid {owner}); wait for it to "
            "finish or pass --dir with another folder"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
