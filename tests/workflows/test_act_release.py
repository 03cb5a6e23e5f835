"""End to end: a merge to main releases the model under act, into a real OCI registry.

act runs this repository's `.github/workflows/release.yml` (which calls the reusable
gitml-release.yml) for a `push` to main of a copy of this repository with a bare origin. The
copy's first commit sets the caller's inputs as a user would: Debian's `docker-registry` on
127.0.0.1 as the registry, buildah as the backend, a Debian base image built with debootstrap
(tests/workflows/base_image.py, cached between runs). Every
job runs for real on the host: gitml promotes (tags pushed to the origin), builds the Bento,
smoke-tests it, builds the image with buildah, saves it as an OCI archive; the publish job pushes
the archive with skopeo; the assign job then pushes the stage tag. The remote actions are the
stand-ins of stand-ins/README.md.

One scenario, run once per module (seven act runs, three image builds), and tests that read it:

1. a merge whose service answers differently from the model: the smoke test fails, nothing is
   pushed, no stage is assigned (the version is registered: promote runs first);
2. the next merge while the registry is read-only: the push is refused, the job names the
   registry, no stage is assigned;
3. the same run again once the registry takes pushes: it completes, with no second version,
   records the pushed image by digest in the staging tag, and publishes the version's GitHub
   Release (on the emulation) with its papers;
4. the same run once more, as a re-run of a finished release: nothing new is registered or
   assigned, and the same release is updated, its assets not doubled.

The project signs its models with a key pair ([tool.gitml.signing], the private key as the
caller's GITML_MODEL_SIGNING_KEY secret), and the merge of step 2 is pull request #1 on the
emulation, merged by one maintainer and approved by another, which the model card tells.

Then the prod path, which builds no image: v0.2.0 is in prod (moved by hand, as a first prod
version would be), its service logged prod traffic with feedback, and v0.3.0 was registered from
a merged pull request (the GitHub emulation knows it). `workflow_dispatch` with
`promote-to-prod-version: v0.3.0`:

5. with the caller set to a service that answers the other class: validate fails its gates on
   the replayed traffic, the report still reaches the pull request, and prod does not move;
6. with gitml's service again: validate passes, the report on the pull request is updated, and
   only then the prod job moves the tag, whose message records the validation;
7. `rollback: true`: prod goes back to v0.2.0, the reason in the tag's message.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli import run_gitml
from tests.helpers import git, isolate
from tests.signing_keys import key_pair
from tests.workflows import act_harness
from tests.workflows.act_harness import (
    REPOSITORY,
    WRITE_TOKEN,
    World,
    act_world,
    explain,
)
from tests.workflows.base_image import ensure_base_image, missing_tools
from tests.workflows.oci_registry import Registry, skopeo_inspect

# read at import: the autouse fixture deletes CI during the tests
IN_CI = bool(os.environ.get("CI"))
MISSING = missing_tools()
if MISSING and IN_CI:
    raise AssertionError(f"CI must have {', '.join(MISSING)}: .ci/system-packages.sh installs them")

pytestmark = [
    pytest.mark.slow(minutes=6),  # seven act runs, three image builds (5.5 min; 12.7 at load 6)
    pytest.mark.xdist_group("release"),
    pytest.mark.skipif(
        bool(MISSING), reason=f"needs {', '.join(MISSING)}: apt-get install -y {' '.join(MISSING)}"
    ),
]

RELEASE_TIMEOUT = 1800
ARTIFACT = "classifier"
NAMESPACE = f"{REPOSITORY}/{ARTIFACT}"  # the image's path under the registry
BENTO_PORT = 3000
MARK = "GITML_TEST_IMAGE_SERVER"

SERVICE = "serving/answers_wrong.py:AnswersWrong"
#: A user's own service with a bug: it answers the other class. The smoke test must catch it.
WRONG_SERVICE = """\
import os
from typing import Any

import bentoml
import joblib
import numpy as np


@bentoml.service(workers=1)
class AnswersWrong:
    model_ref = bentoml.models.BentoModel(os.environ["GITML_MODEL_TAG"])

    def __init__(self) -> None:
        self.model = joblib.load(self.model_ref.path_of("model.joblib"))

    def matrix(self, instances: list[Any]) -> np.ndarray:
        return np.array([[row[f] for f in self.model.feature_names_in_] for row in instances])

    @bentoml.api
    def predict(self, instances: list[Any]) -> list[Any]:
        return (1 - self.model.predict(self.matrix(instances))).tolist()

    @bentoml.api
    def predict_proba(self, instances: list[Any]) -> list[list[float]]:
        return self.model.predict_proba(self.matrix(instances))[:, ::-1].tolist()
"""


@dataclass
class Run:
    code: int
    log: str
    seconds: float
    commit: str
    origin_tags: list[str]
    catalog: list[str]
    run_id: int


@dataclass
class Scenario:
    world: World
    registry: Registry
    base_image: str
    runs: dict[str, Run] = field(default_factory=dict)

    def release(self, name: str) -> Run:
        """Run release.yml for a push of main's HEAD; record what the origin and registry hold."""
        commit = git(self.world.work, "rev-parse", "HEAD")
        event = {
            "ref": "refs/heads/main",
            "after": commit,
            "head_commit": {"id": commit},
            "repository": self.world.repository(),
        }
        started = time.monotonic()
        code, log = self.world.act("push", "release.yml", event, WRITE_TOKEN)
        seconds = time.monotonic() - started
        tags = git(self.world.origin, "tag", "--list").split()
        catalog = self.registry.catalog() if self.registry.process else []
        self.runs[name] = Run(code, log, seconds, commit, tags, catalog, self.world.run_id)
        print(f"\nrelease run {name!r}: act exited {code} after {seconds:.0f}s")
        return self.runs[name]

    def dispatch(self, name: str, inputs: dict[str, str]) -> Run:
        """Run release.yml by hand (``workflow_dispatch``) on main's HEAD with ``inputs``."""
        git(self.world.work, "checkout", "-q", "main")
        commit = git(self.world.work, "rev-parse", "HEAD")
        event = {"inputs": inputs, "ref": "refs/heads/main", "repository": self.world.repository()}
        started = time.monotonic()
        code, log = self.world.act("workflow_dispatch", "release.yml", event, WRITE_TOKEN)
        seconds = time.monotonic() - started
        tags = git(self.world.origin, "tag", "--list").split()
        self.runs[name] = Run(code, log, seconds, commit, tags, [], self.world.run_id)
        print(f"\nrelease run {name!r}: act exited {code} after {seconds:.0f}s")
        return self.runs[name]

    def merge(self, message: str, edit) -> None:
        edit(self.world.work)
        git(self.world.work, "add", "-A")
        git(self.world.work, "commit", "-q", "-m", message)
        git(self.world.work, "push", "-q", "origin", "main")


CALLER = Path(".github") / "workflows" / "release.yml"
CALLER_ANCHOR = "      prod-version: ${{ inputs.promote-to-prod-version }}\n"


def configure_caller(work: Path, inputs: dict[str, str]) -> None:
    """Add ``with:`` inputs to the copy's release.yml, below prod-version."""
    caller = work / CALLER
    text = caller.read_text()
    assert CALLER_ANCHOR in text, "release.yml changed: update this test's edit"
    lines = "".join(f"      {name}: {json.dumps(value)}\n" for name, value in inputs.items())
    caller.write_text(text.replace(CALLER_ANCHOR, CALLER_ANCHOR + lines))


def use_wrong_service(work: Path) -> None:
    (work / "serving").mkdir(exist_ok=True)
    (work / "serving" / "answers_wrong.py").write_text(WRONG_SERVICE)
    configure_caller(work, {"service": SERVICE})


def back_to_the_default_service(work: Path) -> None:
    caller = work / CALLER
    caller.write_text(caller.read_text().replace(f'      service: "{SERVICE}"\n', ""))


SIGNING = '\n[tool.gitml.signing]\nmethod = "key"\npublic_key = "signing/model.pub"\n'


def sign_with_a_key_pair(work: Path, world: World) -> None:
    """Commit a public key and the signing settings; the private key becomes the caller's
    GITML_MODEL_SIGNING_KEY secret."""
    (work / "signing").mkdir()
    private, _public = key_pair(work / "signing")
    with (work / "pyproject.toml").open("a") as pyproject:
        pyproject.write(SIGNING)
    world.secrets["GITML_MODEL_SIGNING_KEY"] = private


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("home"))
        # a release builds an image: minutes on a busy 2-core machine
        monkeypatch.setattr(act_harness, "ACT_TIMEOUT", RELEASE_TIMEOUT)
        base_image = ensure_base_image()
        images_before = set(stored_images())
        tmp = tmp_path_factory.mktemp("release")
        registry = Registry(tmp_path_factory.mktemp("registry"))
        with act_world(tmp) as world:
            world.create()
            world.emulator.link_git(REPOSITORY, str(world.origin))
            world.install_from_the_tests_cache()  # the release restores no cache
            # BentoML's start-up on a loaded 2-core machine can take more than the default 60s
            world.env["GITML_READY_TIMEOUT"] = "300"
            world.env["GITML_GITHUB_WRITE_INTERVAL"] = "0"
            story = Scenario(world, registry, base_image)
            try:
                play(story)
                yield story
            finally:
                registry.stop()
                remove_images(registry.host, images_before)


def play(story: Scenario) -> None:
    registry = story.registry
    registry.start()
    settings = {
        "registry": f"{registry.host}/{REPOSITORY}",
        "containerize-backend": "buildah",
        "base-image": story.base_image,
    }
    story.merge("Release to our registry", lambda work: configure_caller(work, settings))
    story.merge("Sign the models", lambda work: sign_with_a_key_pair(work, story.world))
    story.merge("Serve the model with our own service", use_wrong_service)
    story.release("wrong answers")

    registry.start(read_only=True)
    story.merge("Back to gitml's service", back_to_the_default_service)
    merged_as_pull_request(story.world)
    story.release("read-only registry")

    registry.start()
    story.release("rerun")
    story.release("rerun after success")

    play_prod(story)


#: The merged pull request that introduced v0.3.0, on the GitHub emulation.
PR_OF_V030 = 12
VALIDATE_MARKER = "<!-- gitml:report id=validate -->"
#: Rows per logged prod request, in turn.
SHAPES = (1, 3, 5, 2)
VALIDATION_SETTINGS = """
# the end-to-end test's prod validation: latency is measured, never asserted (a loaded runner)
[tool.gitml.validate]
max_p99_ratio = 1000
"""


def prod_traffic(world: World, folder: Path, version: str) -> None:
    """The answers of ``version``'s model to the test split, as its service logs them: requests
    of SHAPES rows, feedback for every other row."""
    import joblib
    import pandas as pd

    from gitml import dvc_adapter

    commit = git(world.work, "rev-list", "-n", "1", f"{ARTIFACT}@{version}")
    scratch = world.tmp / f"scratch-{version}"
    model = joblib.load(dvc_adapter.read_output(world.work, "models/model.joblib", commit,
                                                scratch / "m.joblib"))  # fmt: skip
    test = pd.read_csv(dvc_adapter.read_output(world.work, "prepared/test.csv", commit,
                                               scratch / "test.csv"))  # fmt: skip
    truth = test.pop("target").tolist()
    answers, probabilities = model.predict(test).tolist(), model.predict_proba(test).tolist()
    records, feedback, start, sent = [], [], 0, 0
    while start < len(test):
        size = min(SHAPES[sent % len(SHAPES)], len(test) - start)
        request = f"{sent:032x}"
        for instance, row in enumerate(range(start, start + size)):
            records.append({
                "instance": instance, "model": f"{ARTIFACT}:{version}", "version": version,
                "commit": commit, "features": test.iloc[row].to_dict(),
                "prediction": answers[row], "probabilities": probabilities[row],
                "classes": [int(c) for c in model.classes_],
                "timestamp": f"2026-11-01T08:{sent // 60:02d}:{sent % 60:02d}+00:00",
                "request_id": request,
            })  # fmt: skip
            if row % 2 == 0:
                feedback.append({"request_id": request, "instance": instance,
                                 "label": truth[row], "timestamp": "2026-11-02T00:00:00Z"})  # fmt: skip
        start, sent = start + size, sent + 1
    for kind, lines in (("gitml_predictions", records), ("gitml_feedback", feedback)):
        path = folder / kind / "data" / "data.1.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def play_prod(story: Scenario) -> None:
    """v0.2.0 into prod by hand, its logged traffic, v0.3.0 from a merged PR; then the prod
    dispatches (refused, then moved) and a rollback."""
    world = story.world
    work = world.work
    git(work, "fetch", "-q", "origin", "+refs/tags/*:refs/tags/*")  # the releases' tags
    run_gitml("promote", "--to", "prod", "--version", "v0.2.0", "--no-push", cwd=work, expect=0)
    git(work, "push", "-q", "origin", "--tags")
    logs = world.tmp / "prod-logs"
    prod_traffic(world, logs, "v0.2.0")

    def settings(folder: Path) -> None:
        with (folder / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write(VALIDATION_SETTINGS)
        configure_caller(folder, {"validate-current": str(logs)})  # where prod's logs are

    story.merge("Merge pull request #12: validate on prod's traffic", settings)
    signing = {**os.environ, "GITML_SIGNING_KEY": world.secrets["GITML_MODEL_SIGNING_KEY"]}
    run_gitml("promote", "--no-assign", "--no-push", cwd=work, env=signing, expect=0)  # as promote
    git(work, "push", "-q", "origin", "--tags")
    v030 = git(work, "rev-list", "-n", "1", f"{ARTIFACT}@v0.3.0")
    world.emulator.add_pull(REPOSITORY, PR_OF_V030, head_sha="9" * 40)
    world.emulator.merge_pull(REPOSITORY, PR_OF_V030, merge_commit_sha=v030)
    inputs = {"promote-to-prod-version": "v0.3.0"}
    story.merge("Serve the model with our own service", use_wrong_service)
    story.dispatch("prod refused", inputs)
    story.merge("Back to gitml's service", back_to_the_default_service)
    story.dispatch("prod", inputs)
    story.dispatch("rollback", {"rollback": "true", "reason": "accuracy fell on Monday"})


def merged_as_pull_request(world: World) -> None:
    """GitHub knows main's HEAD as the merge of pull request #1, approved by a reviewer."""
    head = git(world.work, "rev-parse", "HEAD")
    world.emulator.add_pull(REPOSITORY, 1, head_sha=git(world.work, "rev-parse", "HEAD^"),
                            head_ref="back-to-default", title="Back to gitml's service")  # fmt: skip
    world.emulator.add_review(REPOSITORY, 1, "reviewer-ana", "APPROVED")
    world.emulator.merge_pull(REPOSITORY, 1, merge_commit_sha=head, merged_by="maintainer-bo")


def stored_images() -> dict[str, list[str]]:
    """Buildah's images, the layer cache's intermediate ones too: id -> its names
    (``<none>:<none>`` for one no tag names)."""
    listed = subprocess.run(
        ["buildah", "images", "--all", "--format", "{{.ID}} {{.Name}}:{{.Tag}}"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    images: dict[str, list[str]] = {}
    for line in listed:
        image_id, name = line.split()  # buildah pads the columns even in a template
        images.setdefault(image_id, []).append(name)
    return images


def remove_images(host: str, before: set[str]) -> None:
    """Drop the images this module built (about 1.3 GB each) from buildah's storage: those
    tagged for its registry, those a rebuild of the same tags left untagged and the layer
    cache's (``before``: the ids stored when the module started)."""
    ours = [
        image_id
        for image_id, names in stored_images().items()
        if image_id not in before
        and all(name.startswith(f"{host}/") or name == "<none>:<none>" for name in names)
    ]
    if ours:
        subprocess.run(["buildah", "rmi", "--force", *ours], capture_output=True)


def stage_tags(tags: list[str], stage: str = "staging") -> list[str]:
    return [t for t in tags if f"#{stage}#" in t]


def tag_message(origin: Path, tag: str) -> str:
    return git(origin, "for-each-ref", "--format=%(contents)", f"refs/tags/{tag}")


def newest(tags: list[str]) -> str:
    return max(tags, key=lambda tag: int(tag.rsplit("#", 1)[1]))


def validation_comments(scenario: Scenario) -> list[str]:
    comments = scenario.world.emulator.issue_comments(REPOSITORY, PR_OF_V030)
    return [c["body"] for c in comments if VALIDATE_MARKER in c["body"]]


def posted_bodies(scenario: Scenario) -> list[str]:
    """Every body sent to the pull request's comments (created, then updated), in order."""
    emulator = scenario.world.emulator
    sent = emulator.requests_to("POST", f"/repos/{REPOSITORY}/issues/{PR_OF_V030}/comments")
    sent += emulator.requests_to("PATCH", "*/issues/comments/*")
    return [r.json["body"] for r in sorted(sent, key=lambda r: r.time)]


# -- 1. a smoke test that fails ----------------------------------------------------------------


def test_a_failing_smoke_test_pushes_nothing_and_assigns_no_stage(scenario: Scenario) -> None:
    run = scenario.runs["wrong answers"]
    assert run.code != 0, explain(run.code, run.log)
    assert "smoke test of classifier:v0.1.0 failed" in run.log, explain(run.code, run.log)
    assert "no image was built" in run.log
    # promote ran first and registered the version; nothing after the build ran
    assert f"{ARTIFACT}@v0.1.0" in run.origin_tags
    assert stage_tags(run.origin_tags) == []
    assert run.catalog == []
    built = subprocess.run(
        ["buildah", "images", "--format", "{{.Name}}:{{.Tag}}"], capture_output=True, text=True
    ).stdout.split()
    assert f"{scenario.registry.host}/{NAMESPACE}:v0.1.0" not in built


# -- 2. a registry that refuses the push ----------------------------------------------------------


def test_a_refusing_registry_assigns_no_stage_and_names_the_registry(scenario: Scenario) -> None:
    run = scenario.runs["read-only registry"]
    host = scenario.registry.host
    assert run.code != 0, explain(run.code, run.log)
    assert f"the registry {host} refused {host}/{NAMESPACE}:v0.2.0" in run.log, explain(
        run.code, run.log
    )
    assert f"{ARTIFACT}@v0.2.0" in run.origin_tags
    assert stage_tags(run.origin_tags) == []
    assert "gitml promote --to staging" not in run.log  # the assign job never started


# -- 3. the rerun once the registry is back -----------------------------------------------------


def test_the_rerun_pushes_the_smoke_tested_image_then_assigns_the_stage(scenario: Scenario) -> None:
    run = scenario.runs["rerun"]
    assert run.code == 0, explain(run.code, run.log)
    refused = scenario.runs["read-only registry"]
    assert run.commit == refused.commit
    # no second version: the rerun reused v0.2.0
    versions = sorted(t for t in run.origin_tags if t.startswith(f"{ARTIFACT}@"))
    assert versions == [f"{ARTIFACT}@v0.1.0", f"{ARTIFACT}@v0.2.0"], run.origin_tags
    staged = stage_tags(run.origin_tags)
    assert len(staged) == 1, run.origin_tags
    assert git(scenario.world.origin, "rev-list", "-n", "1", staged[0]) == run.commit

    host = scenario.registry.host
    assert run.catalog == [NAMESPACE]
    inspected = scenario.registry.inspect(f"{NAMESPACE}:v0.2.0")
    assert sorted(inspected["RepoTags"]) == sorted(["v0.2.0", f"sha-{run.commit[:12]}", "staging"])
    for tag in (f"sha-{run.commit[:12]}", "staging"):
        assert scenario.registry.inspect(f"{NAMESPACE}:{tag}")["Digest"] == inspected["Digest"]

    # the registry holds the very image the build job built and smoke-tested (the last run's:
    # a re-run rebuilds the image and pushes it under the same tags)
    last = scenario.runs["rerun after success"]
    build_digest = re.search(r"digest: (sha256:[0-9a-f]{64}) \(saved to", last.log)
    assert build_digest, explain(last.code, last.log)
    assert inspected["Digest"] == build_digest[1]
    archive = scenario.world.artifact(last.run_id, "gitml-image") / "image.oci.tar"
    assert skopeo_inspect(f"oci-archive:{archive}")["Digest"] == inspected["Digest"]

    # and the stage tag came only after the push, recording the image by digest
    pushed_at = run.log.index(f"pushed {host}/{NAMESPACE}:staging")
    assigned_at = run.log.index(f"{ARTIFACT} v0.2.0 -> staging")
    assert pushed_at < assigned_at
    pushed = re.search(r"digest: (sha256:[0-9a-f]{64}) \(saved to", run.log)
    assert pushed, explain(run.code, run.log)
    image = f"gitml-image: {host}/{NAMESPACE}:v0.2.0@{pushed[1]}"  # this run's push
    assert image in tag_message(scenario.world.origin, staged[0])
    assert "[tool.gitml.deploy] names no stage: nothing to deploy" in run.log
    print(f"\nrelease run (promote, build, smoke test, image, push, assign): {run.seconds:.0f}s")


# -- the prod path: validate, then move; refuse on a failed gate; roll back -------------------------


def test_a_failed_validation_gate_stops_the_prod_move_and_the_report_still_reaches_the_pr(
    scenario: Scenario,
) -> None:
    run = scenario.runs["prod refused"]
    assert run.code != 0, explain(run.code, run.log)
    # only the first prod move, made by hand before the dispatches
    assert len(stage_tags(run.origin_tags, "prod")) == 1
    assert "gitml promote --to prod" not in run.log  # the prod job never started
    report = posted_bodies(scenario)[0]  # the pass run updated it later
    assert report.startswith(f"## ❌ gitml validate: {ARTIFACT} v0.3.0 against v0.2.0 (prod): "), (
        report[:300]
    )
    assert "agreement" in report.splitlines()[0]


def test_the_prod_move_validates_on_prods_traffic_then_moves_the_tag(scenario: Scenario) -> None:
    run = scenario.runs["prod"]
    assert run.code == 0, explain(run.code, run.log)
    [report] = validation_comments(scenario)  # the same sticky comment, updated
    assert len(posted_bodies(scenario)) == 2
    assert report.startswith(
        f"## ✅ gitml validate: {ARTIFACT} v0.3.0 against v0.2.0 (prod): every gate passes on "
        "52 logged requests"
    ), report[:300]
    data = json.loads(
        (scenario.world.artifact(run.run_id, "gitml-validate") / "validate.json").read_text()
    )
    assert (data["verdict"], data["agreement"], data["new_errors"]) == ("pass", 1.0, 0)
    assert data["traffic"]["labelled_rows"] == 72
    moved = newest(stage_tags(run.origin_tags, "prod"))
    message = tag_message(scenario.world.origin, moved)
    assert "version v0.3.0 (gitml promote --to; was v0.2.0)" in message
    assert '"verdict":"pass"' in message and '"champion":"v0.2.0"' in message
    assert run.log.index("every gate passes") < run.log.index(f"{ARTIFACT} v0.3.0 -> prod")


def test_rollback_moves_prod_back_and_records_why(scenario: Scenario) -> None:
    run = scenario.runs["rollback"]
    assert run.code == 0, explain(run.code, run.log)
    assert f"{ARTIFACT} prod: v0.3.0 -> v0.2.0 (rolled back)" in run.log
    assert "gitml validate" not in run.log and "gitml promote --no-assign" not in run.log
    message = tag_message(scenario.world.origin, newest(stage_tags(run.origin_tags, "prod")))
    assert "(gitml rollback; was v0.3.0)" in message
    assert "gitml-reason: accuracy fell on Monday" in message
    assert set(scenario.runs["prod"].origin_tags) < set(run.origin_tags)  # nothing deleted


# -- 4. the image itself ---------------------------------------------------------------------------


def test_the_image_runs_as_a_user_exposes_the_port_and_carries_its_labels(
    scenario: Scenario,
) -> None:
    run = scenario.runs["rerun"]
    inspected = scenario.registry.inspect(f"{NAMESPACE}:v0.2.0", "--config")
    config = inspected["config"]
    assert config["User"] not in ("", "root", "0", "0:0")
    assert f"{BENTO_PORT}/tcp" in config["ExposedPorts"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.revision"] == run.commit
    assert labels["org.opencontainers.image.version"] == "v0.2.0"
    assert labels["org.opencontainers.image.source"] == f"https://github.com/{REPOSITORY}"
    assert labels["com.github.gitml.model-tag"] == f"{ARTIFACT}:v0.2.0"
    manifest = scenario.registry.inspect(
        f"{NAMESPACE}:v0.2.0", "--raw"
    )  # skopeo 1.9: no LayersData
    compressed = sum(layer["size"] for layer in manifest["layers"])
    print(f"\nimage size: {compressed / 1e6:.0f} MB compressed in the registry")


def test_the_image_answers_readyz_and_predicts_like_the_model(scenario: Scenario) -> None:
    import httpx
    import joblib
    import pandas as pd

    from gitml.serving.serve import free_port

    work = scenario.world.work
    # The released commit's model and test split, from the DVC remote (a clone has no outputs).
    git(work, "checkout", "-q", "--force", "--detach", scenario.runs["rerun"].commit)
    subprocess.run([str(Path(sys.executable).parent / "dvc"), "pull", "-q"], cwd=work, check=True)
    image = f"{scenario.registry.host}/{NAMESPACE}:v0.2.0"
    frame = pd.read_csv(work / "prepared" / "test.csv").drop(columns=["target"]).head(20)
    expected = joblib.load(work / "models" / "model.joblib").predict(frame).tolist()
    container = subprocess.run(
        ["buildah", "from", "--pull-never", image], capture_output=True, text=True, check=True
    ).stdout.strip()
    size = subprocess.run(
        ["buildah", "images", "--format", "{{.Size}}", image], capture_output=True, text=True
    ).stdout.strip()
    print(f"\nimage size: {size} in buildah's storage")
    port = free_port()
    server = subprocess.Popen(
        ["buildah", "run", "--isolation", "chroot", container, "--", "sh", "-c",
         f"cd /home/bentoml/bento && export {MARK}={port} BENTOML_HOME=/home/bentoml/bento && "
         f"exec /app/.venv/bin/bentoml serve . --host 127.0.0.1 --port {port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(f"{url}/readyz", timeout=2).status_code == 200, server)
        answer = httpx.post(
            f"{url}/predict", json={"instances": frame.to_dict(orient="records")}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == expected
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        kill_marked(MARK, str(port))  # workers inside the chroot outlive `buildah run`
        subprocess.run(["buildah", "rm", container], capture_output=True)


def wait_for(ready, server: subprocess.Popen, timeout: float = 300) -> None:
    # as GITML_READY_TIMEOUT in this test: a loaded 2-core runner starts BentoML slowly
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the image's server exited: {server.stderr.read()[-2000:]!r}")
        with contextlib.suppress(httpx.TransportError):
            if ready():
                return
        time.sleep(0.5)
    raise AssertionError("the image's server did not become ready")


def kill_marked(name: str, value: str) -> None:
    """Kill, by process id, every process whose environment has ``name=value``."""
    import signal

    needle = f"{name}={value}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in environ:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


# -- 5. the papers: model card, signature, SBOM, provenance, one GitHub Release ------------------

PAPERS = ["metrics.json", "model-card.md", "model.sig", "report.html", "sbom.cdx.json"]
TAG = f"{ARTIFACT}@v0.2.0"


def test_one_release_carries_the_card_and_the_papers_however_often_it_runs(
    scenario: Scenario,
) -> None:
    first, again = scenario.runs["rerun"], scenario.runs["rerun after success"]
    assert again.code == 0, explain(again.code, again.log)
    assert "release created: " in first.log and "release updated: " in again.log
    # the re-run of a finished release registered and assigned nothing new
    assert again.origin_tags == first.origin_tags
    emulator = scenario.world.emulator
    [release] = emulator.releases(REPOSITORY)
    assert (release["tag_name"], release["name"]) == (TAG, f"{ARTIFACT} v0.2.0")
    assert release["target_commitish"] == first.commit
    assert sorted(asset["name"] for asset in release["assets"]) == PAPERS
    body = release["body"]
    assert body.startswith(f"# {ARTIFACT} v0.2.0\n")
    # who merged and approved, from the pull request the emulation knows
    assert "merged by maintainer-bo" in body and "approved by reviewer-ana" in body
    # v0.1.0 never reached staging (its smoke test failed): v0.2.0 had no baseline
    assert "Quality gates, checked with no baseline (the promote stage was empty):" in body
    assert "| accuracy | min 0.9 | pass |" in body
    assert f"tag `gitml-signatures/{ARTIFACT}/v0.2.0`" in body
    assert "## Intended use" in body  # this repository's MODEL_CARD.md
    card = emulator.asset_bytes(REPOSITORY, TAG, "model-card.md").decode()
    assert card.startswith("---\nlicense: apache-2.0\n")
    metrics = json.loads(emulator.asset_bytes(REPOSITORY, TAG, "metrics.json"))
    assert metrics["baseline"] is None and metrics["version"] == "v0.2.0"
    assert metrics["gates_recorded"] and all(gate["passed"] for gate in metrics["gates"])


def test_the_signature_tag_and_asset_verify_the_registered_model(scenario: Scenario) -> None:
    import model_signing

    run = scenario.runs["rerun after success"]
    work = scenario.world.work
    git(work, "fetch", "-q", "--tags", "origin")
    git(work, "checkout", "-q", "--force", "--detach", run.commit)
    subprocess.run([str(Path(sys.executable).parent / "dvc"), "pull", "-q"], cwd=work, check=True)
    assert f"gitml-signatures/{ARTIFACT}/v0.2.0" in run.origin_tags
    signature = work.parent / "model.sig"
    signature.write_bytes(scenario.world.emulator.asset_bytes(REPOSITORY, TAG, "model.sig"))
    verifier = model_signing.verifying.Config().use_elliptic_key_verifier(
        public_key=work / "signing" / "model.pub"
    )
    verifier.verify(work / "models" / "model.joblib", signature)  # what a deployer runs


def test_the_sbom_lists_the_python_packages_installed_in_the_image(scenario: Scenario) -> None:
    sbom = json.loads(scenario.world.emulator.asset_bytes(REPOSITORY, TAG, "sbom.cdx.json"))
    image = f"{scenario.registry.host}/{NAMESPACE}:v0.2.0"
    listed = {
        (c["name"], c["version"])
        for c in sbom["components"]
        if c["purl"].startswith("pkg:pypi/")
        and any(p["value"].startswith("/app/.venv/") for p in c.get("properties", []))
    }
    script = (
        "import json, importlib.metadata as m; "
        "print(json.dumps(sorted([d.metadata['Name'], d.version] for d in m.distributions())))"
    )
    installed = {
        tuple(item) for item in json.loads(in_image(image, "/app/.venv/bin/python", "-c", script))
    }
    assert listed == installed
    assert ("bentoml", "1.4.40") in listed
    debian = [c for c in sbom["components"] if c["purl"].startswith("pkg:deb/debian/")]
    assert any(c["name"] == "libc6" for c in debian)
    assert sbom["metadata"]["component"]["version"] == "v0.2.0"


def test_the_pushed_digest_is_attested(scenario: Scenario) -> None:
    run = scenario.runs["rerun after success"]
    digest = scenario.registry.inspect(f"{NAMESPACE}:v0.2.0")["Digest"]
    folder = scenario.world.artifacts / "attestations" / str(run.run_id)
    [statement_file] = folder.glob("*.intoto.json")
    statement = json.loads(statement_file.read_text())
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    assert statement["subject"] == [
        {"name": f"{scenario.registry.host}/{NAMESPACE}", "digest": {"sha256": digest[7:]}}
    ]


def in_image(image: str, *command: str) -> str:
    """The output of ``command`` run inside ``image`` (buildah, chroot isolation)."""
    container = subprocess.run(
        ["buildah", "from", "--pull-never", image], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        return subprocess.run(
            ["buildah", "run", "--isolation", "chroot", container, "--", *command],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True)
