"""The model card of a real version: a clone of this repository, its pipeline restored from the
committed run-cache, HEAD registered (locally) as classifier v0.1.0. The card says what DVC
recorded (data versions, row counts, params), what the registration tag recorded (metrics,
gates, baseline), who merged and approved (GitHub's API, emulated), the project's
MODEL_CARD.md; Hugging Face's ``ModelCard`` reads its front matter. Its papers publish one
GitHub Release however often they are published."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from huggingface_hub import ModelCard

from gitml.card import markdown
from gitml.card.collect import collect_card
from gitml.card.model import ValidationSummary
from gitml.card.papers import read_papers, write_papers
from gitml.card.template import read_template
from gitml.config import load_settings
from gitml.errors import ConfigError, DataError
from gitml.github_emulator import GitHubEmulator
from tests.cli import run_gitml
from tests.helpers import REPO_ROOT, git

#: restores the pipeline of a clone and builds reports: about a minute on two cores
pytestmark = pytest.mark.slow(minutes=1)

REPO = "acme/churn"
TOKEN = "ghs_card_token"


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory):
    """A clone with the pipeline's outputs and v0.1.0 registered on HEAD (local tags)."""
    base = tmp_path_factory.mktemp("card")
    clone = base / "clone"
    git(base, "clone", "-q", str(REPO_ROOT), str(clone))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))},
        "GIT_COMMITTER_NAME": "release-bot",
        "GIT_COMMITTER_EMAIL": "bot@gitml.invalid",
    }
    run_gitml("run", "--pull", cwd=clone, env=env, expect=0)
    run_gitml("promote", "--no-push", cwd=clone, env=env, expect=0)
    return clone, git(clone, "rev-parse", "HEAD")


@pytest.fixture
def github(version):
    """The emulation knows the commit as the merge of PR #12, reviewed twice."""
    _clone, commit = version
    with GitHubEmulator() as emu:
        emu.add_token(TOKEN)
        emu.add_repo(REPO)
        emu.add_pull(REPO, 12, head_sha="c" * 40, title="Deeper trees | better recall")
        emu.add_review(REPO, 12, "carol", "APPROVED")
        emu.add_review(REPO, 12, "dave", "CHANGES_REQUESTED")
        emu.merge_pull(REPO, 12, merge_commit_sha=commit, merged_by="bob")
        yield emu, {"GITHUB_API_URL": emu.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}


def test_the_card_tells_the_data_params_metrics_and_gates(version):
    clone, commit = version
    card = collect_card(clone, version="v0.1.0", github=False)
    lock = yaml.safe_load((clone / "dvc.lock").read_text())["stages"]
    train_dep = lock["train"]["deps"][0]
    [train, data] = card.data
    assert (train.tracked.path, train.tracked.md5) == ("prepared/train.csv", train_dep["md5"])
    assert train.rows == len(pd.read_csv(clone / "prepared" / "train.csv"))
    assert (data.tracked.path, data.tracked.source, data.rows) == ("data", "data.dvc", None)
    assert card.estimator == "sklearn.ensemble.RandomForestClassifier"
    assert card.params["params.yaml:train.params.max_depth"] == 4
    assert card.model.md5 == lock["train"]["outs"][0]["md5"]
    assert card.metrics == json.loads((clone / "metrics.json").read_text())
    assert card.recorded and card.baseline is None
    assert [(g.metric, g.rule, g.passed) for g in card.gates] == [
        ("accuracy", "min 0.9", True),
        ("accuracy", "max_regression 0.02", True),
        ("roc_auc", "min 0.95", True),
    ]
    assert card.registered_by == "release-bot"
    assert card.commit == commit and card.stages == ("staging",)


def test_hugging_face_reads_the_front_matter(version, tmp_path):
    clone, _commit = version
    card = collect_card(clone, version="v0.1.0", github=False)
    path = tmp_path / "card.md"
    path.write_text(markdown.render(card))
    loaded = ModelCard.load(path)
    assert loaded.data.library_name == "sklearn"
    assert loaded.data.license == "apache-2.0"  # from this repository's MODEL_CARD.md
    assert "gitml" in loaded.data.tags and "classifier" in loaded.data.tags
    found = {r.metric_type: r.metric_value for r in loaded.data.eval_results}
    assert found == card.metrics
    assert {r.task_type for r in loaded.data.eval_results} == {"tabular-classification"}
    # the body keeps the project's sections
    assert "## Intended use" in loaded.text and "## Limitations" in loaded.text


def test_who_merged_and_approved_comes_from_github(version, github):
    clone, _commit = version
    emu, env = github
    card = collect_card(clone, version="v0.1.0", env=env)
    body = markdown.render_body(card)
    pull = [line for line in body.splitlines() if line.startswith("| Pull request |")]
    assert pull == [
        f"| Pull request | [#12 Deeper trees \\| better recall]({emu.origin}/{REPO}/pull/12) by "
        f"octocat, merged by bob {card.merge.merged_at}; approved by carol |"
    ]
    assert "and GitHub" in body


def test_without_a_token_the_card_says_it_did_not_look(version):
    clone, _commit = version
    card = collect_card(clone, version="v0.1.0", env={})
    assert card.merge is None
    assert card.merge_note == "not looked up (no GITHUB_TOKEN and GITHUB_REPOSITORY)"
    assert "| Pull request | not looked up (no GITHUB\\_TOKEN and GITHUB\\_REPOSITORY) |" in (
        markdown.render_body(card)
    )


def test_the_validation_slot_renders_when_filled(version):
    clone, _commit = version
    result = ValidationSummary(
        passed=True,
        summary="served image answered like the model on 143 rows",
        stage="prod",
        checks=(("predictions", True, "143/143 equal"),),
    )
    card = collect_card(clone, version="v0.1.0", github=False, validation=result)
    body = markdown.render_body(card)
    assert "## Validation\n\nValidation (prod) passed: served image answered" in body
    assert "| predictions | pass | 143/143 equal |" in body


def test_a_template_that_sets_model_index_is_refused(tmp_path):
    project = tmp_path / "p"
    git(tmp_path, "init", "-q", str(project))
    (project / "MODEL_CARD.md").write_text("---\nmodel-index: []\n---\nbody\n")
    with pytest.raises(ConfigError, match="sets model-index, which gitml writes"):
        read_template(project, "HEAD")
    (project / "MODEL_CARD.md").write_text("---\nlicense: [unclosed\n---\n")
    with pytest.raises(ConfigError, match="its front matter is not YAML"):
        read_template(project, "HEAD")


def test_gitml_card_prints_markdown_or_json_and_writes_the_papers(version, tmp_path):
    clone, _commit = version
    printed = run_gitml("card", "--version", "v0.1.0", "--no-github", cwd=clone, expect=0)
    assert printed.stdout.startswith("---\nlicense: apache-2.0\n")
    as_json = run_gitml("card", "--version", "0.1.0", "--json", "--no-github", cwd=clone, expect=0)
    assert json.loads(as_json.stdout)["gates_recorded"] is True
    papers = tmp_path / "papers"
    out = tmp_path / "card.md"
    run_gitml(
        "card", "--version", "v0.1.0", "--no-github", "-o", str(out), "--papers", str(papers),
        cwd=clone, expect=0,
    )  # fmt: skip
    assert out.read_text() == printed.stdout == (papers / "model-card.md").read_text()
    assert sorted(p.name for p in papers.iterdir()) == [
        "metrics.json",
        "model-card.md",
        "report.html",
    ]
    unknown = run_gitml("card", "--version", "v9.9.9", "--no-github", cwd=clone)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "ERROR: classifier has no version v9.9.9; list them with `gitml models`"
    )


def test_papers_publish_one_release_however_often(version, github, tmp_path):
    clone, commit = version
    emu, env = github
    card = collect_card(clone, version="v0.1.0", github=False)
    papers = tmp_path / "papers"
    write_papers(clone, card, papers, load_settings(clone))
    for _ in range(2):
        result = run_gitml(
            "release", "--version", "v0.1.0", "--papers", str(papers), cwd=clone,
            env={**os.environ, **env, "GITML_GITHUB_WRITE_INTERVAL": "0"}, expect=0,
        )  # fmt: skip
    assert result.stdout.startswith(f"release updated: {emu.origin}/{REPO}/releases/tag/")
    [release] = emu.releases(REPO)
    assert (release["tag_name"], release["name"]) == ("classifier@v0.1.0", "classifier v0.1.0")
    assert release["target_commitish"] == commit
    assert release["body"] == read_papers(papers).body
    assert release["body"].startswith("# classifier v0.1.0\n")
    assert sorted(a["name"] for a in release["assets"]) == [
        "metrics.json",
        "model-card.md",
        "report.html",
    ]
    # the second run re-sent nothing: the assets were the same bytes
    assert len(emu.requests_to("POST", "/repos/*/releases/*/assets")) == 3


def test_a_papers_folder_with_strays_or_links_is_refused(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "model-card.md").write_text("# card\n")
    (papers / "notes.txt").write_text("x")
    with pytest.raises(DataError, match=r"unexpected files: notes\.txt"):
        read_papers(papers)
    (papers / "notes.txt").unlink()
    (papers / "report.html").symlink_to("/etc/passwd")
    with pytest.raises(DataError, match="is not a regular file"):
        read_papers(papers)


def test_a_version_whose_card_template_is_missing_gets_the_placeholder(version, tmp_path):
    clone, _commit = version
    card = collect_card(clone, version="v0.1.0", github=False)
    empty = type(card.template)()
    body = markdown.render_body(type(card)(**{**card.__dict__, "template": empty}))
    assert "Not written yet: describe them once in `MODEL_CARD.md`" in body


def test_init_writes_the_card_template(tmp_path: Path):
    from gitml import templates

    text = templates.read("init", "MODEL_CARD.md")
    metadata = yaml.safe_load(text.split("---\n")[1])
    assert set(metadata) <= {"license", "language", "tags", "pipeline_tag", "datasets"}
    assert "## Intended use" in text and "## Limitations" in text and "## Contacts" in text
