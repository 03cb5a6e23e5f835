"""The registry's history (`gitml models --history`) and `gitml rollback`, on real GTO tags made
by gitml and by `gto` itself: the history is GTO's own, event for event; a rollback is one more
assignment whose message says why, and rolling back twice returns to where it began."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gto.api
import pytest

from gitml.registry.tags import wait_for_new_second
from tests.cli import BIN, run_gitml, run_tool
from tests.helpers import git

pytestmark = pytest.mark.slow(minutes=2)  # GTO reads every tag per command: ~3 s each

GTO = str(BIN / "gto")
NAME = "classifier"


def tick(root: Path) -> None:
    """GTO orders events by their tag's second: one event per second keeps the order strict."""
    wait_for_new_second(root, NAME)


@pytest.fixture(scope="module")
def base_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1.0.0, v1.1.0, v1.2.0 registered; prod: v1.0.0 (gitml); staging: v1.2.0 assigned and
    then unassigned by alice with gto; v1.3.0 registered then deregistered."""
    root = tmp_path_factory.mktemp("registry") / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "gitml tests")  # GTO tags need an identity; a module
    git(root, "config", "user.email", "tests@gitml.invalid")  # fixture has no test's env
    for number in range(4):
        (root / "model.txt").write_text(f"model {number}\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"model {number}")
        tick(root)
        gto.api.register(str(root), NAME, "HEAD", version=f"v1.{number}.0")
    moved = run_gitml("promote", "--artifact", NAME, "--to", "prod", "--version", "v1.0.0",
                      "--no-push", "--reason", "first prod model", cwd=root)  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    for action in ("assign", "unassign"):
        tick(root)
        getattr(gto.api, action)(str(root), NAME, stage="staging", version="v1.2.0",
                                 author="alice", author_email="alice@example.com")  # fmt: skip
    tick(root)
    gto.api.deregister(str(root), NAME, version="v1.3.0")
    return root


@pytest.fixture
def registry(base_registry: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(base_registry, root)
    return root


def gitml(root: Path, *args: str, expect: int | None = 0):
    return run_gitml(*args, cwd=root, expect=expect)


def history(root: Path, *args: str) -> list[dict]:
    return json.loads(gitml(root, "models", "--artifact", NAME, "--history", "--json",
                            *args).stdout)  # fmt: skip


def gto_history(root: Path) -> list[dict]:
    """`gto history --json` as the gto command prints it (newest first), oldest first."""
    shown = json.loads(run_tool(GTO, "history", NAME, "--json", cwd=root).stdout)
    return list(reversed(shown))


def comparable(event: dict) -> tuple:
    return (event["timestamp"], event["event"], event["version"], event["stage"],
            event["commit"], event["author"], event["author_email"], event["message"])  # fmt: skip


def prod(root: Path) -> str:
    return json.loads(run_tool(GTO, "show", "--json", cwd=root).stdout)[NAME]["stage"]["prod"]


def test_the_history_is_gtos_own_event_for_event(registry: Path) -> None:
    ours = history(registry)
    theirs = gto_history(registry)
    assert [comparable(e) for e in ours] == [comparable(e) for e in theirs]
    assert [e["tag"] for e in ours] == [e["ref"] for e in theirs]
    kinds = [e["event"] for e in ours]
    assert kinds.count("registration") == 4 and "deregistration" in kinds
    assert "unassignment" in kinds  # what DVC's resolver ignores is there
    staging = [e for e in ours if e["stage"] == "staging"]
    assert [(e["event"], e["author"]) for e in staging] == [
        ("assignment", "alice"), ("unassignment", "alice")
    ]  # fmt: skip
    # --stage: that stage's moves only, in the same order
    assert history(registry, "--stage", "staging") == staging
    first = history(registry, "--stage", "prod")[0]
    assert first["details"] == {"reason": "first prod model"}


def test_rolling_back_twice_returns_to_where_it_began(registry: Path) -> None:
    gitml(registry, "promote", "--artifact", NAME, "--to", "prod", "--version", "v1.1.0",
          "--no-push")  # fmt: skip
    tags_before = set(git(registry, "tag", "--list").split())
    assert prod(registry) == "v1.1.0"

    back = gitml(registry, "rollback", "--artifact", NAME, "--stage", "prod", "--no-push",
                 "--reason", "accuracy fell on Monday's traffic")  # fmt: skip
    assert back.stdout.startswith(f"{NAME} prod: v1.1.0 -> v1.0.0 (rolled back)")
    assert prod(registry) == "v1.0.0"
    again = gitml(registry, "rollback", "--artifact", NAME, "--stage", "prod", "--no-push")
    assert again.stdout.startswith(f"{NAME} prod: v1.0.0 -> v1.1.0 (rolled back)")
    assert prod(registry) == "v1.1.0"

    # nothing was deleted: two more assignment tags
    tags_after = set(git(registry, "tag", "--list").split())
    assert tags_before < tags_after and len(tags_after - tags_before) == 2
    moves = history(registry, "--stage", "prod")
    assert [e["version"] for e in moves] == ["v1.0.0", "v1.1.0", "v1.0.0", "v1.1.0"]
    assert moves[2]["details"] == {
        "rollback": {"from": "v1.1.0", "to": "v1.0.0"},
        "reason": "accuracy fell on Monday's traffic",
    }
    assert moves[3]["details"]["reason"] == "none given"
    assert "(gitml rollback; was v1.0.0)" in moves[3]["message"]
    assert [comparable(e) for e in history(registry)] == [
        comparable(e) for e in gto_history(registry)
    ]


def test_rollback_refuses_what_it_cannot_do(registry: Path) -> None:
    only = gitml(registry, "rollback", "--artifact", NAME, "--stage", "prod", expect=2)
    assert only.stderr.strip() == (
        f"ERROR: {NAME} v1.0.0 is the only registered version prod ever held: there is "
        "nothing to roll back to"
    )
    empty = gitml(registry, "rollback", "--artifact", NAME, "--stage", "staging", expect=2)
    assert "staging holds no version of classifier" in empty.stderr
    gitml(registry, "promote", "--artifact", NAME, "--to", "prod", "--version", "v1.1.0",
          "--no-push")  # fmt: skip
    never = gitml(registry, "rollback", "--artifact", NAME, "--stage", "prod", "--to", "v1.2.0",
                  expect=2)  # fmt: skip
    assert "v1.2.0 never held prod" in never.stderr and "(v1.0.0, v1.1.0)" in never.stderr
    named = gitml(registry, "rollback", "--artifact", NAME, "--stage", "prod", "--to", "v1.0.0",
                  "--no-push")  # fmt: skip
    assert "v1.1.0 -> v1.0.0" in named.stdout


def test_a_move_refuses_a_validation_that_did_not_pass_unless_overridden(
    registry: Path, tmp_path: Path
) -> None:
    report = tmp_path / "validate.json"
    report.write_text(json.dumps({
        "verdict": "fail", "candidate": {"version": "v1.1.0"}, "champion": {"version": "v1.0.0"},
        "traffic": {"requests": 120, "labelled_rows": 40}, "agreement": 0.8, "new_errors": 0,
        "gates": [{"gate": "agreement", "passed": False}],
    }))  # fmt: skip
    move = ["promote", "--artifact", NAME, "--to", "prod", "--version", "v1.1.0", "--no-push",
            "--validation", str(report)]  # fmt: skip
    refused = gitml(registry, *move, expect=1)
    assert "the validation of v1.1.0 did not pass (verdict fail, failed: agreement)" in (
        refused.stderr
    )
    assert prod(registry) == "v1.0.0"
    wrong = gitml(registry, *move[:6], "v1.2.0", *move[7:], expect=2)
    assert "validates v1.1.0, not v1.2.0" in wrong.stderr
    gitml(registry, *move, "--override-reason", "the flips are the fix we wanted")
    assert prod(registry) == "v1.1.0"
    details = history(registry, "--stage", "prod")[-1]["details"]
    assert details["override"] == "the flips are the fix we wanted"
    assert details["validation"]["verdict"] == "fail"
    assert details["validation"]["failed_gates"] == ["agreement"]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"verdict": "pass; rm -rf", "candidate": {"version": "v1.2.0"}}))
    bad = gitml(registry, *move[:6], "v1.2.0", "--no-push", "--validation", str(forged), expect=2)
    assert "is not a gitml validation report: verdict is not one of" in bad.stderr
