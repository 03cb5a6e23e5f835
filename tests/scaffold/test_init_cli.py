"""``gitml init`` end to end: what it writes, what it keeps, what it prints."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from gitml.config import load_settings
from gitml.scaffold.settings import BUILTIN_METRICS
from tests.cli import run_dvc, run_gitml
from tests.helpers import git
from tests.linters import check_schema, lint, zizmor
from tests.projects import Project

WORKFLOW_DIR = Path(".github") / "workflows"
USES = re.compile(r"^\s*uses:\s*(\S+)(.*)$", re.MULTILINE)


def expected_stdout(sha: str, files: str, steps: str) -> str:
    return (
        f"{files}\n"
        f"workflows pinned to gitml/gitml@{sha} (v0.1.0, local checkout at "
        f"{Path(__file__).resolve().parents[2]})\n\nNext:\n{steps}"
    )


def test_init_in_an_empty_git_repository_writes_everything(
    project: Project, pinned_sha: str
) -> None:
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    files = (
        "created     dvc.yaml\n"
        "created     params.yaml\n"
        "created     .github/workflows/gitml-pr.yml\n"
        "created     .github/workflows/gitml-comment.yml\n"
        "created     pyproject.toml ([tool.gitml])\n"
        "created     .gitignore\n"
        "created     MODEL_CARD.md\n"
    )
    steps = (
        "  1. put your dataset at data/data.csv (a CSV with a header row and a `target` column; "
        "see params.yaml), track it and run the pipeline once: `dvc add data && gitml run`\n"
        "  2. commit: `git add dvc.yaml params.yaml .github/workflows/gitml-pr.yml "
        ".github/workflows/gitml-comment.yml pyproject.toml .gitignore MODEL_CARD.md data.dvc "
        'models/.gitignore dvc.lock metrics.json plots && git commit -m "Add gitml"`\n'
        "  3. protect main: require the `gitml` check (Settings > Branches), so that a failing "
        "quality gate blocks the merge\n"
    )
    assert result.stdout == expected_stdout(pinned_sha, files, steps)
    assert result.stderr.splitlines()[0] == (
        "WARNING: no default DVC remote: the PR workflow's `gitml run --pull` needs one; add it "
        "with `dvc remote add -d storage s3://BUCKET/PATH` and rerun `gitml init --force`"
    )
    settings = load_settings(project.root)
    assert settings.base == "main"
    assert [(g.metric, g.max_regression, g.min) for g in settings.gates] == [
        ("accuracy", 0.01, None)
    ]
    assert settings.promote.artifact == "model"


def _workflows_without_expression_slots(path: Path) -> str:
    """The workflow minus its jobs' `with:` and `secrets:`: where `${{ }}` may appear."""
    workflow = yaml.safe_load(path.read_text())
    for job in workflow["jobs"].values():
        job.pop("with", None)
        job.pop("secrets", None)
    return yaml.safe_dump(workflow)


def test_written_workflows_pass_the_linters(project: Project, pinned_sha: str, actionlint) -> None:
    run_dvc("remote", "add", "-d", "storage", "s3://bucket/ml", cwd=project.root, expect=0)
    result = project.gitml("init", "--release")
    assert result.returncode == 0, result.stderr
    folder = project.root / WORKFLOW_DIR
    paths = sorted(folder.glob("*.yml"))
    assert [p.name for p in paths] == ["gitml-comment.yml", "gitml-pr.yml", "gitml-release.yml"]

    found = zizmor(folder, cwd=project.root)
    assert found.returncode == 0, found.stdout + found.stderr
    assert "No findings to report" in found.stdout
    for path in paths:
        schema = check_schema("vendor.github-workflows", path)
        assert schema.returncode == 0, schema.stdout + schema.stderr
    assert lint(actionlint, *paths) == []

    for path in paths:
        text = path.read_text()
        workflow = yaml.safe_load(text)
        assert workflow["permissions"] == {}
        assert all("permissions" in job for job in workflow["jobs"].values())
        ((target, comment),) = USES.findall(text)
        assert target == f"gitml/gitml/.github/workflows/{path.name}@{pinned_sha}"
        assert comment == " # v0.1.0"
        assert "${{" not in _workflows_without_expression_slots(path)
        job = next(iter(workflow["jobs"].values()))
        extras = "" if path.name == "gitml-comment.yml" else "[s3]"
        assert job["with"]["gitml-spec"] == (
            f"gitml{extras} @ git+https://github.com/gitml/gitml@{pinned_sha}"
        )
    pr = yaml.safe_load((folder / "gitml-pr.yml").read_text())
    comment = yaml.safe_load((folder / "gitml-comment.yml").read_text())
    assert comment[True]["workflow_run"]["workflows"] == [pr["name"]]  # YAML 1.1: on -> True
    assert pr["jobs"]["experiment"]["secrets"] == {
        "aws-access-key-id": "${{ secrets.DVC_AWS_ACCESS_KEY_ID }}",
        "aws-secret-access-key": "${{ secrets.DVC_AWS_SECRET_ACCESS_KEY }}",
    }


def test_written_callers_pass_only_inputs_the_reusable_workflows_declare(
    project: Project,
) -> None:
    """A `with:` key the called workflow does not declare stops the run on GitHub
    ("Invalid input"); a requirements.txt once gave the release caller cache-dependency-path."""
    (project.root / "requirements.txt").write_text("scikit-learn\n")
    result = project.gitml("init", "--release")
    assert result.returncode == 0, result.stderr
    reusable = Path(__file__).resolve().parents[2] / WORKFLOW_DIR
    for path in sorted((project.root / WORKFLOW_DIR).glob("*.yml")):
        job = next(iter(yaml.safe_load(path.read_text())["jobs"].values()))
        called = yaml.safe_load((reusable / path.name).read_text())
        declared = called[True]["workflow_call"]["inputs"]  # YAML 1.1 reads `on` as True
        assert set(job["with"]) <= set(declared), (path.name, set(job["with"]) - set(declared))
        assert set(job.get("secrets") or {}) <= set(
            called[True]["workflow_call"].get("secrets", {})
        )
    release = yaml.safe_load((project.root / WORKFLOW_DIR / "gitml-release.yml").read_text())
    assert release["jobs"]["release"]["with"]["requirements"] == "requirements.txt"


def test_s3_remote_secrets_are_printed(project: Project) -> None:
    run_dvc("remote", "add", "-d", "storage", "s3://bucket/ml", cwd=project.root, expect=0)
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    assert (
        "  3. set the repository secrets DVC_AWS_ACCESS_KEY_ID, DVC_AWS_SECRET_ACCESS_KEY to the "
        "DVC remote's credentials (Settings > Secrets and variables > Actions)\n"
    ) in result.stdout
    assert "dvc add data && gitml run && dvc push`" in result.stdout
    assert "WARNING" not in result.stderr.replace("WARNING: the workflows are pinned", "")


def test_a_local_remote_warns_that_runners_cannot_reach_it(project: Project) -> None:
    run_dvc("remote", "add", "-d", "local", "/tmp/storage", cwd=project.root, expect=0)
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    assert (
        "WARNING: DVC remote 'local' is a local folder (/tmp/storage): GitHub's runners cannot "
        "reach it unless it is committed to git; add a cloud remote (`dvc remote add -d storage "
        "s3://BUCKET/PATH`) and rerun `gitml init --force`\n"
    ) in result.stderr
    assert "secrets" not in (project.root / WORKFLOW_DIR / "gitml-pr.yml").read_text()
    assert "repository secrets" not in result.stdout


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    result = run_gitml("init", cwd=folder)
    assert result.returncode == 2
    assert result.stderr == (
        f"ERROR: {folder.resolve()} is not in a git repository; run `git init` there first, "
        "or pass --dir with the path of one\n"
    )
    assert result.stdout == ""
    assert list(folder.iterdir()) == []


def test_runs_dvc_init_when_there_is_no_dvc_project(bare_git: Project) -> None:
    result = bare_git.gitml("init")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created     .dvc (dvc init)\n")
    assert (bare_git.root / ".dvc" / "config").is_file()
    assert " .dvc .dvcignore data.dvc " in result.stdout  # to commit
    assert "Initialized DVC repository" not in result.stdout + result.stderr


def test_never_overwrites_without_force(project: Project) -> None:
    mine = {
        ".github/workflows/gitml-pr.yml": "name: mine\n",
        "params.yaml": "train: {}\n",
        "pyproject.toml": '[project]\nname = "x"\n\n[tool.gitml]\nbase = "develop"\n\n[tool.other]\nkeep = 1\n',
    }
    project.write(mine)
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    for name, text in mine.items():
        assert (project.root / name).read_text() == text
    assert result.stdout.splitlines()[:8] == [
        "created     dvc.yaml",
        "skipped     params.yaml (exists; --force to overwrite)",
        "skipped     .github/workflows/gitml-pr.yml (exists; --force to overwrite)",
        "created     .github/workflows/gitml-comment.yml",
        "skipped     pyproject.toml ([tool.gitml] exists; --force to replace it)",
        "created     .gitignore",
        "created     MODEL_CARD.md",
        "",
    ]
    assert (
        "git add dvc.yaml .github/workflows/gitml-comment.yml .gitignore MODEL_CARD.md data.dvc "
        in (result.stdout)
    )

    forced = project.gitml("init", "--force")
    assert forced.returncode == 0, forced.stderr
    # dvc.yaml exists now: it is the project's pipeline, which --force does not replace
    assert forced.stdout.splitlines()[:5] == [
        "overwritten .github/workflows/gitml-pr.yml",
        "overwritten .github/workflows/gitml-comment.yml",
        "overwritten pyproject.toml ([tool.gitml])",
        "skipped     .gitignore (ignores gitml's outputs already)",
        "",
    ]
    assert (project.root / "params.yaml").read_text() == mine["params.yaml"]
    assert "name: gitml PR\n" in (project.root / ".github/workflows/gitml-pr.yml").read_text()
    pyproject = (project.root / "pyproject.toml").read_text()
    assert pyproject.startswith('[project]\nname = "x"\n\n# gitml\'s settings')
    assert pyproject.endswith('bump = "minor"\n\n[tool.other]\nkeep = 1\n')
    settings = load_settings(project.root)
    assert settings.base == "main"
    # gitml's own pipeline, not run yet: the gate comes from what its evaluate stage writes
    assert [g.metric for g in settings.gates] == ["accuracy"]


def test_appends_its_section_to_a_pyproject_without_one(project: Project) -> None:
    project.write({"pyproject.toml": '[project]\nname = "x"'})  # no final newline
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    assert "appended    pyproject.toml ([tool.gitml])" in result.stdout.splitlines()
    text = (project.root / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "x"\n\n# gitml\'s settings')
    assert load_settings(project.root).gates


def test_dry_run_writes_nothing(bare_git: Project) -> None:
    result = bare_git.gitml("init", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "would be created     .dvc (dvc init)",
        "would be created     dvc.yaml",
        "would be created     params.yaml",
    ]
    assert sorted(p.name for p in bare_git.root.iterdir()) == [".git"]


def test_infers_settings_from_an_existing_pipeline(project: Project) -> None:
    project.write(
        {
            "dvc.yaml": (
                "stages:\n  evaluate:\n    cmd: python evaluate.py\n    outs:\n"
                "      - model.pkl\n    metrics:\n      - eval/metrics.json:\n"
                "          cache: false\n"
                "artifacts:\n  churn:\n    path: model.pkl\n    type: model\n"
            ),
            "eval/metrics.json": {"accuracy": 0.91, "log_loss": 0.2, "lift": 2.5, "note": "x"},
        }
    )
    project.commit("pipeline")
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    assert not (project.root / "params.yaml").exists()
    assert (project.root / "pyproject.toml").read_text() == (
        "# gitml's settings, written by `gitml init`: https://github.com/gitml/gitml#configuration\n"
        "[tool.gitml]\n"
        'base = "main"\n'
        "\n"
        "# gitml knows the direction of accuracy, f1, log_loss, rmse, ... by name; set the others\n"
        "# so the report can call a change better or worse:\n"
        "[tool.gitml.metrics]\n"
        '# "lift" = "higher"  # or "lower"\n'
        "\n"
        "# Fail the `gitml` check when accuracy drops by more than 0.01 against the base.\n"
        "[[tool.gitml.gates]]\n"
        'metric = "accuracy"\n'
        "max_regression = 0.01\n"
        "\n"
        "[tool.gitml.promote]\n"
        'artifact = "churn"\n'
        'stage = "staging"\n'
        'bump = "minor"\n'
    )
    settings = load_settings(project.root)
    assert settings.directions == {}
    assert settings.promote.artifact == "churn"
    assert "WARNING: direction unknown for lift: set it in [tool.gitml.metrics]\n" in result.stderr
    # the gate names a metric the project has: `gitml report` accepts it
    report = project.gitml("report", "--base", "HEAD")
    assert report.returncode == 0, report.stderr
    assert "accuracy" in report.stdout


def test_ref_pins_the_given_commit_and_must_be_a_full_sha(project: Project) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    result = project.gitml("init", "--ref", sha)
    assert result.returncode == 0, result.stderr
    text = (project.root / WORKFLOW_DIR / "gitml-pr.yml").read_text()
    assert f"uses: gitml/gitml/.github/workflows/gitml-pr.yml@{sha} # v0.1.0\n" in text
    assert f'gitml-spec: "gitml @ git+https://github.com/gitml/gitml@{sha}"\n' in text
    assert "pinned to" not in result.stderr  # no warning about a local checkout

    bad = project.gitml("init", "--ref", "v0.1.0")
    assert bad.returncode == 2
    assert bad.stderr == (
        "ERROR: --ref 'v0.1.0' is not a full commit SHA (40 lowercase hex digits); use the commit "
        "of a gitml release, e.g. `git ls-remote https://github.com/gitml/gitml v0.1.0`\n"
    )


def test_a_project_below_the_repository_root(bare_git: Project) -> None:
    (bare_git.root / "ml").mkdir()
    result = run_gitml("init", "--dir", "ml", cwd=bare_git.root)
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((bare_git.root / WORKFLOW_DIR / "gitml-pr.yml").read_text())
    assert workflow["jobs"]["experiment"]["with"]["working-directory"] == "ml"
    assert (bare_git.root / "ml" / ".dvc").is_dir() and (
        bare_git.root / "ml" / "dvc.yaml"
    ).is_file()
    assert result.stdout.splitlines()[-4].startswith("  1. cd ml")
    assert "git add dvc.yaml params.yaml ../.github/workflows/gitml-pr.yml " in result.stdout


@pytest.mark.slow(minutes=1)
def test_the_written_pipeline_runs_and_reports(project: Project) -> None:
    """Follow the printed steps: real data, real DVC, real training, then a PR-style report."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    data = project.root / "data" / "data.csv"
    data.parent.mkdir()
    frame: pd.DataFrame = load_breast_cancer(as_frame=True).frame
    frame.to_csv(data, index=False)
    run_dvc("add", "data", cwd=project.root, expect=0)
    ran = project.gitml("run")
    assert ran.returncode == 0, ran.stderr
    assert [line.split()[:2] for line in ran.stdout.splitlines()[:3]] == [
        ["prepare", "ran"],
        ["train", "ran"],
        ["evaluate", "ran"],
    ]
    # the printed `git add` leaves nothing behind
    add = re.search(r"`(git add [^`]+) && git commit", result.stdout).group(1)
    subprocess.run(shlex.split(add), cwd=project.root, check=True, capture_output=True)
    assert [
        line
        for line in git(project.root, "status", "--porcelain").splitlines()
        if not line.startswith("A  ")
    ] == []
    project.commit("Add gitml")

    # an experiment: a weaker model, reported against main with the proposed gate
    params = project.root / "params.yaml"
    params.write_text(params.read_text().replace("n_estimators: 100", "n_estimators: 3"))
    assert project.gitml("run").returncode == 0
    report = project.report_json("--base", "main")
    # what the evaluate stage writes is what init proposed settings for
    assert {m["name"] for m in report["metrics"]} == set(BUILTIN_METRICS)
    assert [g["metric"] for g in report["gates"]] == ["accuracy"]
    assert report["params"] == [
        {"file": "params.yaml", "name": "train.params.n_estimators", "base": 100, "head": 3}
    ]


def test_a_folder_inside_a_dvc_project_is_refused(project: Project) -> None:
    (project.root / "sub").mkdir()
    result = run_gitml("init", cwd=project.root / "sub")
    assert result.returncode == 2
    assert result.stderr == (
        f"ERROR: {(project.root / 'sub').resolve()} is inside the DVC project at "
        f"{project.root.resolve()}; run `gitml init` there (--dir ..)\n"
    )
    assert list((project.root / "sub").iterdir()) == []


def test_invalid_pyproject_stops_before_anything_is_written(bare_git: Project) -> None:
    bare_git.write({"pyproject.toml": "[project\n"})
    result = bare_git.gitml("init")
    assert result.returncode == 2
    assert result.stderr.startswith("ERROR: pyproject.toml is not valid TOML (")
    assert sorted(p.name for p in bare_git.root.iterdir()) == [".git", "pyproject.toml"]
