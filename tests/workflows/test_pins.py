"""Every `uses:` gitml ships or documents names an action release that exists, on Node 24.

The only allowed third-party pins are the tag/SHA pairs in the project's pins file
(``.github/action-pins.json``; each pair was read from the action's own repository, and
docs/workflows.md says how to refresh it). A SHA one character off ("unable to resolve action" on GitHub) or a release of
another line fails here, which the act tests cannot see: they replace remote actions by stand-ins.

Where a `uses:` may appear and what it may be:

* workflows and the composite action: ``owner/repo[/path]@<sha> # <tag>`` from the pins file, or
  ``./path`` to a file of this repository (the dogfood callers);
* the ``gitml init`` templates: gitml's own reusable workflows only, at the commit init pins
  (``@<<sha>> # v<<version>>``, filled in by ``gitml init``);
* docs and README (fenced code and inline): pinned third-party actions as above, and gitml's own
  workflows and action at the placeholder ``<full-commit-sha>`` (a real SHA would go stale).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PINS_FILE = REPO_ROOT / ".github" / "action-pins.json"
#: the team's copy, beside a working clone only (a user's clone and CI's have none)
TEAM_PINS = REPO_ROOT.parent / "shared" / "data" / "action-pins.json"
#: gitml's own repository: its workflows and action are referenced, never pinned from the file.
GITML = "gitml/gitml"
SHA = re.compile(r"[0-9a-f]{40}")
#: a `uses:` anywhere in a text, its target, and the rest of the line (the version comment)
USES_LINE = re.compile(r"""(?<![\w-])uses:\s*["']?((?:\./|[\w.-]+/)[^\s"'`},]*)["']?([^\n`]*)""")


def pins_file() -> Path:
    """The pins file: $GITML_ACTION_PINS, else the project's own ``.github/action-pins.json``."""
    return Path(os.environ.get("GITML_ACTION_PINS") or PINS_FILE)


def load_pins(path: Path | None = None) -> dict[str, dict[str, dict]]:
    """``{"owner/repo": {sha: release}}`` from the pins file."""
    data = json.loads((path or pins_file()).read_text(encoding="utf-8"))
    return {
        action: {release["sha"]: release for release in releases}
        for action, releases in data["actions"].items()
    }


PINS = load_pins()


def yaml_uses(path: Path) -> list[tuple[str, str]]:
    """(target, version comment) of every `uses:` in a workflow or action, read as YAML for the
    targets (so none hides in a flow mapping) and as text for the comments, which YAML drops."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    targets: list[str] = []
    jobs = (data.get("jobs") or {}).values()
    for job in jobs:
        if "uses" in job:
            targets.append(job["uses"])
        targets += [step["uses"] for step in job.get("steps") or [] if "uses" in step]
    runs = data.get("runs") or {}
    targets += [step["uses"] for step in runs.get("steps") or [] if "uses" in step]
    comments = dict(text_uses(path.read_text(encoding="utf-8")))
    assert sorted(comments) == sorted(set(targets)), f"{path}: a `uses:` the text scan missed"
    return [(target, comments[target]) for target in targets]


def text_uses(text: str) -> list[tuple[str, str]]:
    return [(m[1], m[2].strip()) for m in USES_LINE.finditer(text)]


def pinned_problem(target: str, comment: str) -> str | None:
    """Why ``target # comment`` is not an exact pair from the pins file (None when it is)."""
    action, at, ref = target.partition("@")
    owner_repo = "/".join(action.split("/")[:2])
    if not at or not SHA.fullmatch(ref):
        return f"{target}: pin a full commit SHA from the pins file"
    releases = PINS.get(owner_repo)
    if releases is None:
        return f"{target}: {owner_repo} is not in the pins file; use an action listed there"
    release = releases.get(ref)
    if release is None:
        tags = ", ".join(f"{r['tag']} = {sha}" for sha, r in releases.items())
        return f"{target}: no release of {owner_repo} has this SHA (known: {tags})"
    if comment != f"# {release['tag']}":
        return f"{target}: the comment must be '# {release['tag']}', got {comment!r}"
    runtime = release["runs_using"]
    if runtime == "composite":
        runtime = COMPOSITE_STEPS.get(f"{owner_repo}@{ref}", ("", "composite"))[1]
    if runtime != "node24":
        return f"{target}: {release['tag']} runs on {release['runs_using']}; pick a node24 release"
    return None


#: Composite actions run other actions: what the pinned release's own steps run, read from its
#: action.yml at that commit. actions/attest-build-provenance v4.1.0 is one step,
#: actions/attest@59d89421af93a897026c735860bf21b6eb4f7b26 (v4.1.0), which runs on node24.
COMPOSITE_STEPS = {
    "actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32": (
        "actions/attest@59d89421af93a897026c735860bf21b6eb4f7b26",
        "node24",
    ),
}


WORKFLOW_FILES = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
YAML_FILES = [*WORKFLOW_FILES, REPO_ROOT / "action" / "action.yml"]
TEMPLATES = sorted((REPO_ROOT / "src" / "gitml" / "templates").rglob("*.tmpl"))
MARKDOWN = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]


def ids(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def test_the_pins_file_lists_releases() -> None:
    assert PINS, "the pins file lists no action"
    assert all(SHA.fullmatch(sha) for releases in PINS.values() for sha in releases)
    assert all(
        {"tag", "sha", "runs_using"} <= set(release)
        for releases in PINS.values()
        for release in releases.values()
    )


@pytest.mark.skipif(not TEAM_PINS.is_file(), reason="no team pins file beside this clone")
def test_the_project_pins_hold_every_pair_the_team_file_lists() -> None:
    """Where the team's file is beside the clone (a developer's machine), the project's copy is
    not behind it: every tag/SHA pair it lists is in the project's file, equal."""
    team = load_pins(TEAM_PINS)
    missing = [
        f"{action} {release['tag']} {sha}"
        for action, releases in team.items()
        for sha, release in releases.items()
        if PINS.get(action, {}).get(sha) != release
    ]
    assert not missing, f"refresh .github/action-pins.json from {TEAM_PINS}: {missing}"


@pytest.mark.parametrize("path", YAML_FILES, ids=ids)
def test_workflows_and_the_action_use_only_pinned_releases_or_local_files(path: Path) -> None:
    uses = yaml_uses(path)
    problems = []
    for target, comment in uses:
        if target.startswith("./"):
            local = REPO_ROOT / target.split("@")[0]
            if not local.exists():
                problems.append(f"{target}: no such file in the repository")
        else:
            problems.append(pinned_problem(target, comment))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [p for p in TEMPLATES if p.name.endswith(".yml.tmpl")], ids=ids)
def test_init_templates_call_gitml_at_the_commit_init_pins(path: Path) -> None:
    uses = text_uses(path.read_text(encoding="utf-8"))
    for target, comment in uses:
        action, _, ref = target.partition("@")
        if action.startswith(f"{GITML}/"):
            assert (ref, comment) == ("<<sha>>", "# v<<version>>"), target
        else:
            assert pinned_problem(target, comment) is None, pinned_problem(target, comment)


@pytest.mark.parametrize("path", MARKDOWN, ids=ids)
def test_docs_show_pinned_releases_and_gitml_at_a_placeholder(path: Path) -> None:
    problems = []
    for target, comment in text_uses(path.read_text(encoding="utf-8")):
        action, _, ref = target.partition("@")
        if action.startswith(f"{GITML}/"):
            if ref != "<full-commit-sha>":
                problems.append(f"{target}: show gitml's own ref as <full-commit-sha>")
        elif not target.startswith("./"):
            problems.append(pinned_problem(target, comment))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_a_wrong_sha_a_wrong_tag_and_a_node20_release_are_caught() -> None:
    checkout = PINS["actions/checkout"]
    sha, release = next(iter(checkout.items()))
    one_off = sha[:-1] + ("0" if sha[-1] != "0" else "1")
    assert pinned_problem(f"actions/checkout@{sha}", f"# {release['tag']}") is None
    assert "no release" in pinned_problem(f"actions/checkout@{one_off}", f"# {release['tag']}")
    assert "comment" in pinned_problem(f"actions/checkout@{sha}", "# v0.0.1")
    assert "full commit SHA" in pinned_problem("actions/checkout@v7", "# v7")
    node20 = [(s, r) for a in PINS.values() for s, r in a.items() if r["runs_using"] != "node24"]
    if node20:
        old_sha, old = node20[0]
        owner_repo = next(a for a, r in PINS.items() if old_sha in r)
        assert "node24" in pinned_problem(f"{owner_repo}@{old_sha}", f"# {old['tag']}")


def test_every_uses_in_a_flow_mapping_is_seen_too(tmp_path: Path) -> None:
    hidden = tmp_path / "w.yml"
    hidden.write_text(
        "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"
        "      - {uses: actions/checkout@" + "0" * 40 + "}\n"
    )
    ((target, _),) = yaml_uses(hidden)
    assert pinned_problem(target, "") is not None
