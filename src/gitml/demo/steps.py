"""The demo's steps: the GitOps loop played out on one machine with gitml's library functions.

Each step starts from what the earlier steps left (their facts in the demo's state), replaces its
own files, and can therefore run again after a failure. The clones stand in for the people and
runners of a real project: ``workspace`` is the data scientist's, ``ci-pull-request`` the PR
workflow's runner, ``ci-main`` the release workflow's runner; ``origin.git`` is the repository on
GitHub and ``dvc-remote`` the bucket.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitml import dvc_adapter, templates
from gitml.core.git import run_git
from gitml.core.project_files import IGNORED
from gitml.demo.folder import DemoFolder
from gitml.demo.progress import Progress
from gitml.errors import GatesFailed, GitmlError

REPOSITORY = "demo/breast-cancer"
PR_NUMBER = 1
PR_BRANCH = "experiment/deeper-trees"
#: the hyper-parameter the pull request changes: deeper trees rank better (roc_auc, log_loss)
PARAM_LINE = ("    max_depth: 4\n", "    max_depth: 8\n")
#: sklearn's breast-cancer classes: 0 malignant, 1 benign
CLASS_NAMES = ("malignant", "benign")
ROWS_TO_SEND = 5
TOKEN = "ghs_demo0000000000000000000000000000000"


@dataclass
class Context:
    folder: DemoFolder
    progress: Progress
    #: lines for stdout (the report, the answers); the command prints them
    show: Any

    @property
    def facts(self) -> dict[str, Any]:
        return self.folder.facts


def git(root: Path, *args: str) -> str:
    return run_git(root, *args).stdout.strip()


@contextmanager
def inside(path: Path) -> Iterator[None]:
    """Run in ``path``, as CI runs in its checkout: DVC resolves pipeline paths from the cwd."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def _describe(result: Any) -> str:
    from gitml.core.wording import STAGE_TEXT

    stages = ", ".join(
        f"{s.name} {STAGE_TEXT.get(s.status, s.status)}"
        + (f" ({s.seconds:.1f}s)" if s.status == "ran" else "")
        for s in result.stages
    )
    return stages or "no stages"


def _clone(ctx: Context, path: Path, branch: str) -> None:
    _fresh(path)
    git(ctx.folder.root, "clone", "--quiet", "--branch", branch, str(ctx.folder.origin), str(path))


# -- 1 ---------------------------------------------------------------------------------------


def create_repository(ctx: Context) -> None:
    """The reference project in a new git repository with DVC, its data tracked and pushed."""
    folder = ctx.folder
    for path in (folder.origin, folder.workspace, folder.dvc_remote):
        _fresh(path)
    git(folder.root, "init", "--quiet", "--bare", "--initial-branch", "main", str(folder.origin))
    root = folder.workspace
    git(folder.root, "init", "--quiet", "--initial-branch", "main", str(root))
    git(root, "remote", "add", "origin", "../origin.git")

    for name in ("dvc.yaml", "params.yaml"):
        (root / name).write_text(templates.read("reference", name), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        "# gitml's settings for this project: base branch, metric directions, gates, promotion\n"
        + templates.read("reference", "gitml.toml"),
        encoding="utf-8",
    )
    (root / ".gitignore").write_text(
        "# gitml's per-run outputs\n" + "".join(f"{line}\n" for line in IGNORED), encoding="utf-8"
    )
    write_dataset(root / "data")
    ctx.progress.note("wrote dvc.yaml, params.yaml, pyproject.toml and data/ (breast cancer)")

    with inside(root):
        dvc_adapter.init_dvc(root)
        dvc_adapter.add_default_remote(root, "local", "../dvc-remote")
        dvc_adapter.track(root, "data")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Reference project: breast-cancer classifier")
    ctx.progress.note(f"git repository {root} (origin: {folder.origin})")


def write_dataset(data: Path) -> None:
    """scikit-learn's bundled breast-cancer CSV, byte for byte, and its feature names."""
    import sklearn
    from sklearn.datasets import load_breast_cancer

    data.mkdir(parents=True, exist_ok=True)
    source = Path(sklearn.__file__).parent / "datasets" / "data" / "breast_cancer.csv"
    shutil.copyfile(source, data / "breast_cancer.csv")
    names = [name.replace(" ", "_") for name in load_breast_cancer().feature_names]
    (data / "breast_cancer_features.txt").write_text("\n".join(names) + "\n", encoding="utf-8")


# -- 2 ---------------------------------------------------------------------------------------


def baseline(ctx: Context) -> None:
    """Train on main, push data, model and run-cache to the DVC remote, register v0.1.0."""
    from gitml.registry.promote import promote
    from gitml.run import run_pipeline

    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "main")
    with inside(root):
        result = run_pipeline(root, push=True)
    ctx.progress.note(f"trained on main: {_describe(result)}")
    ctx.progress.note(f"pushed {result.pushed} file(s) to the DVC remote {ctx.folder.dvc_remote}")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "--allow-empty", "-m", "Train the baseline model")
    git(root, "push", "--quiet", "--force", "origin", "main")
    ctx.facts["baseline"] = git(root, "rev-parse", "HEAD")
    with inside(root):
        promotion = promote(root)
    ctx.facts["baseline_version"] = promotion.version
    ctx.progress.note(
        f"registered {promotion.artifact} {promotion.version} in {promotion.stage} "
        f"(tags: {', '.join(promotion.tags) or 'already there'})"
    )


# -- 3 ---------------------------------------------------------------------------------------


def open_pull_request(ctx: Context) -> None:
    """A branch that changes one hyper-parameter, trained and pushed like a data scientist does."""
    from gitml.run import run_pipeline

    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "-B", PR_BRANCH, ctx.facts["baseline"])
    params = root / "params.yaml"
    text = params.read_text(encoding="utf-8")
    old, new = PARAM_LINE
    if old not in text:
        raise GitmlError(f"params.yaml has no line {old.strip()!r} to change")
    params.write_text(text.replace(old, new, 1), encoding="utf-8")
    ctx.progress.note(f"branch {PR_BRANCH}: train.params.max_depth 4 -> 8")
    with inside(root):
        result = run_pipeline(root, push=True)
    ctx.progress.note(f"trained on the branch: {_describe(result)}")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Experiment: deeper trees (max_depth 4 -> 8)")
    git(root, "push", "--quiet", "--force", "origin", PR_BRANCH)
    ctx.facts["pr_head"] = git(root, "rev-parse", "HEAD")
    ctx.progress.note(f"pushed {PR_BRANCH} and opened pull request #{PR_NUMBER}")


# -- 4 ---------------------------------------------------------------------------------------


def check_pull_request(ctx: Context) -> None:
    """What the PR workflow runs: `gitml run --pull`, then `gitml report --base origin/main`."""
    from gitml.core.gates import describe_failures
    from gitml.report import terminal
    from gitml.report.build import build_report
    from gitml.report.write import write_report
    from gitml.run import run_pipeline

    root = ctx.folder.ci_pull_request
    _clone(ctx, root, PR_BRANCH)
    ctx.progress.note(f"fresh clone of {PR_BRANCH} in {root}")
    with inside(root):
        result = run_pipeline(root, pull=True)
        ctx.progress.note(f"gitml run --pull: pulled {result.pulled} file(s); {_describe(result)}")
        report = build_report(base="origin/main", root=root)
        written = write_report(
            report,
            markdown=root / "report.md",
            json_path=root / "report.json",
            html_path=root / "report.html",
        )
    ctx.progress.note(f"gitml report --base origin/main: wrote {len(written.paths)} files")
    ctx.facts["verdict"] = report.verdict
    if report.failed_gates:
        raise GatesFailed(
            f"the quality gates failed on the pull request: {describe_failures(report.failed_gates)}"
        )
    ctx.show(
        "",
        f"The report on pull request #{PR_NUMBER}, as the reviewer reads it:",
        "",
        terminal.render(report, html_path=str(root / "report.html")),
    )


# -- 5 ---------------------------------------------------------------------------------------


def post_comment(ctx: Context) -> None:
    """`gitml comment` against the GitHub emulation on 127.0.0.1: the sticky comment and check."""
    from gitml.github.publish import CommentRequest, publish
    from gitml.testing.github_emulator import GitHubEmulator

    ci = ctx.folder.ci_pull_request
    out = ctx.folder.github
    _fresh(out)
    out.mkdir(parents=True)
    head = ctx.facts["pr_head"]
    event = out / "event.json"
    event.write_text(json.dumps(pull_request_event(head, ctx.facts["baseline"])), encoding="utf-8")
    with GitHubEmulator() as github:
        github.add_token(TOKEN)
        github.add_repo(REPOSITORY)
        github.add_pull(
            REPOSITORY,
            PR_NUMBER,
            head_sha=head,
            head_ref=PR_BRANCH,
            base_sha=ctx.facts["baseline"],
            title="Experiment: deeper trees",
        )
        ctx.progress.note(f"GitHub emulation at {github.url}")
        env = {
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_STEP_SUMMARY": str(out / "job-summary.md"),
            "GITHUB_OUTPUT": str(out / "step-outputs.txt"),
        }
        request = CommentRequest(
            report=ci / "report.md", json_path=ci / "report.json", artifact_dir=out / "artifact"
        )
        first = publish(request, env=env)
        # a second push to the PR: the same comment is updated, never a second one
        again = publish(request, env=env)
        comments = github.issue_comments(REPOSITORY, PR_NUMBER)
        checks = github.check_runs(REPOSITORY)
        (out / "state.json").write_text(json.dumps(github.state(), indent=2), encoding="utf-8")
    if not comments:
        raise GitmlError("the comment did not reach the GitHub emulation")
    (out / "pull-1-comment.md").write_text(comments[-1]["body"], encoding="utf-8")
    ctx.facts["comment_url"] = first.comment_url
    ctx.progress.note(f"{first.action} the gitml comment: {first.comment_url}")
    ctx.progress.note(
        f"posted again (a second push): {again.action}; the pull request has {len(comments)} "
        "gitml comment"
    )
    if checks:
        ctx.progress.note(f"check run {checks[-1]['name']!r}: {checks[-1].get('conclusion')}")


def pull_request_event(head: str, base: str) -> dict[str, Any]:
    """The part of a ``pull_request`` event payload that gitml reads."""
    repo = {"full_name": REPOSITORY}
    return {
        "action": "synchronize",
        "number": PR_NUMBER,
        "pull_request": {
            "number": PR_NUMBER,
            "head": {"sha": head, "ref": PR_BRANCH, "repo": repo},
            "base": {"sha": base, "ref": "main", "repo": repo},
        },
        "repository": repo,
    }


# -- 6 ---------------------------------------------------------------------------------------


def merge(ctx: Context) -> None:
    """Merge the pull request into main (a merge commit, as GitHub's merge button makes)."""
    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "main")
    git(root, "reset", "--quiet", "--hard", ctx.facts["baseline"])
    git(
        root,
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        f"Merge pull request #{PR_NUMBER} from {PR_BRANCH}",
        PR_BRANCH,
    )
    git(root, "push", "--quiet", "--force", "origin", "main")
    ctx.facts["merge"] = git(root, "rev-parse", "HEAD")
    ctx.progress.note(f"main is now {ctx.facts['merge'][:12]}")


# -- 7 ---------------------------------------------------------------------------------------


def promote_model(ctx: Context) -> None:
    """The release workflow's first job: `gitml run --pull`, then `gitml promote`."""
    from gitml.registry.promote import promote
    from gitml.run import run_pipeline

    root = ctx.folder.ci_main
    _clone(ctx, root, "main")
    with inside(root):
        result = run_pipeline(root, pull=True)
        ctx.progress.note(f"gitml run --pull on main: {_describe(result)}")
        promotion = promote(root)
    ctx.facts["version"] = promotion.version
    ctx.facts["stage"] = promotion.stage
    against = promotion.baseline.version if promotion.baseline else "nothing"
    ctx.progress.note(
        f"gitml promote: {promotion.artifact} {promotion.version} -> {promotion.stage}, gates "
        f"passed against {against}; pushed {', '.join(promotion.tags) or 'no new tags'}"
    )


# -- 8 ---------------------------------------------------------------------------------------


def build_bento(ctx: Context) -> None:
    """`gitml build` and `gitml smoke-test` for the promoted version."""
    from gitml.serving.build import build
    from gitml.serving.smoke import smoke_test

    root = ctx.folder.ci_main
    version = ctx.facts["version"]
    with inside(root):
        built = build(root, version=version)
        ctx.facts["bento"] = built.bento_tag
        ctx.progress.note(f"gitml build: Bento {built.bento_tag} (model {built.model.tag})")
        smoke = smoke_test(root, version=version)
    if not smoke.passed:
        raise GitmlError(
            f"the smoke test failed: {len(smoke.mismatches)} answer(s) differ from the model's"
        )
    ctx.progress.note(
        f"gitml smoke-test: {smoke.rows} rows answered as the model does; a bad row got "
        f"{smoke.bad_request_status}"
    )


# -- 9 ---------------------------------------------------------------------------------------


def serve_and_predict(ctx: Context) -> None:
    """Serve the Bento on 127.0.0.1 and send it real rows from the test split."""
    import pandas as pd

    from gitml.serving.client import predict
    from gitml.serving.serve import start_server, stop_server, wait_ready

    root = ctx.folder.ci_main
    frame = pd.read_csv(root / "prepared" / "test.csv").head(ROWS_TO_SEND)
    actual = frame.pop("target").tolist()
    # the server's own output goes where the step's goes: its log
    process, url = start_server(ctx.facts["bento"])
    try:
        wait_ready(process, url)
        ctx.progress.note(f"serving {ctx.facts['bento']} at {url}")
        instances = frame.to_dict(orient="records")
        labels, probabilities = predict(url, instances)
    finally:
        stop_server(process)
    rows = [["row", "actual", "predicted", "P(benign)"]]
    for index, (truth, label, row_proba) in enumerate(
        zip(actual, labels, probabilities, strict=True), start=1
    ):
        rows.append([str(index), CLASS_NAMES[truth], CLASS_NAMES[label], f"{row_proba[1]:.3f}"])
    from gitml.report.terminal import columns

    right = sum(1 for truth, label in zip(actual, labels, strict=True) if truth == label)
    ctx.facts["predictions"] = f"{right} of {len(actual)} right"
    ctx.show(
        "",
        f"POST {url}/predict with {len(instances)} rows of the test split "
        f"({ctx.facts['version']}, {ctx.facts['stage']}):",
        "",
        *columns(rows),
        "",
    )


# -- 10 --------------------------------------------------------------------------------------

#: the monitoring step's traffic: the test split with these features scaled, as a new scanner's
#: calibration would; KS tests flag them and the model's answers move with them
SHIFT = {"worst_area": 1.6, "worst_perimeter": 1.4, "mean_concave_points": 1.8}
#: rows per request, and every how many rows the true label comes back as feedback
MONITOR_BATCH = 10
FEEDBACK_EVERY = 3


def monitor_traffic(ctx: Context) -> None:
    """Serve with a log folder, send shifted traffic and feedback, `gitml monitor` the logs, and
    keep the sticky monitoring issue on the GitHub emulation (`gitml monitor-issue`)."""
    out = ctx.folder.monitoring
    _fresh(out)
    out.mkdir(parents=True)
    sent, labelled = send_shifted_traffic(ctx, out / "logs")
    ctx.progress.note(
        f"sent {sent} rows of the test split ({_shift_text()}) and {labelled} true labels"
    )
    report = monitor_logs(ctx, out / "logs")
    outcome = keep_monitoring_issue(ctx)
    ctx.facts["monitor_verdict"] = report.verdict
    ctx.facts["monitor_issue_url"] = outcome.url
    ctx.show(*monitor_summary(report, out / "report.html"), f"Monitoring issue: {outcome.url}", "")


def _shift_text() -> str:
    return ", ".join(f"{name} x{factor}" for name, factor in SHIFT.items())


def send_shifted_traffic(ctx: Context, logs: Path) -> tuple[int, int]:
    """POST the shifted test split to ``/predict`` in batches, then the true labels of every
    ``FEEDBACK_EVERY``-th row to ``/feedback``; the service records both under ``logs``."""
    import httpx
    import pandas as pd

    from gitml.serving.serve import start_server, stop_server, wait_ready

    frame = pd.read_csv(ctx.folder.ci_main / "prepared" / "test.csv")
    truth = frame.pop("target").tolist()
    for name, factor in SHIFT.items():
        frame[name] = frame[name] * factor
    rows = frame.to_dict(orient="records")
    feedback: list[dict[str, Any]] = []
    process, url = start_server(ctx.facts["bento"], monitor_dir=logs)
    try:
        wait_ready(process, url)
        ctx.progress.note(f"serving {ctx.facts['bento']} at {url}, recording to {logs}")
        with httpx.Client(base_url=url, timeout=30) as client:
            for start in range(0, len(rows), MONITOR_BATCH):
                answer = client.post(
                    "/predict", json={"instances": rows[start : start + MONITOR_BATCH]}
                )
                _expect_ok(answer, "/predict")
                request_id = answer.headers["X-Request-Id"]
                feedback += [
                    {"request_id": request_id, "instance": index - start, "label": truth[index]}
                    for index in range(start, min(start + MONITOR_BATCH, len(rows)))
                    if index % FEEDBACK_EVERY == 0
                ]
            _expect_ok(client.post("/feedback", json={"feedback": feedback}), "/feedback")
    finally:
        stop_server(process)
    return len(rows), len(feedback)


def _expect_ok(answer: Any, path: str) -> None:
    if answer.status_code != 200:
        raise GitmlError(f"the Bento answered {answer.status_code} to {path}: {answer.text[:200]}")


def monitor_logs(ctx: Context, logs: Path) -> Any:
    """`gitml monitor --stage STAGE --current LOGS -o report.md --json ... --html ...` on main's
    runner: the reference is the promoted version's training data, read through DVC."""
    from gitml.monitor.build import MonitorRequest, monitor
    from gitml.monitor.write import write_report

    root = ctx.folder.ci_main
    out = ctx.folder.monitoring
    with inside(root):
        request = MonitorRequest(stage=ctx.facts["stage"], current=(str(logs),), root=root)
        report = monitor(request).report
    write_report(report, out / "report.md", out / "report.json", out / "report.html")
    ctx.progress.note(f"gitml monitor --stage {ctx.facts['stage']}: verdict {report.verdict}")
    return report


def keep_monitoring_issue(ctx: Context) -> Any:
    """`gitml monitor-issue` against the GitHub emulation, twice (two scheduled runs): one issue,
    opened, then updated. The emulation's state and the issue's body are saved."""
    from gitml.monitor.issue import IssueRequest, publish_issue
    from gitml.testing.github_emulator import GitHubEmulator

    out = ctx.folder.monitoring
    saved = ctx.folder.github
    saved.mkdir(parents=True, exist_ok=True)
    with GitHubEmulator() as github:
        github.add_token(TOKEN)
        github.add_repo(REPOSITORY)
        env = {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_NAME": "schedule",
            "GITHUB_STEP_SUMMARY": str(out / "job-summary.md"),
            "GITHUB_OUTPUT": str(out / "step-outputs.txt"),
        }
        request = IssueRequest(out / "report.md", out / "report.json", REPOSITORY, github.url)
        first = publish_issue(request, env=env)
        again = publish_issue(request, env=env)
        issues = github.issues(REPOSITORY)
        state = github.state()
    (saved / "monitoring-state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
    if not issues:
        raise GitmlError("the monitoring issue did not reach the GitHub emulation")
    (saved / "monitoring-issue.md").write_text(issues[-1]["body"], encoding="utf-8")
    ctx.progress.note(f"{first.action} the monitoring issue: {first.url}")
    ctx.progress.note(f"the next scheduled run: {again.action}; {len(issues)} monitoring issue")
    return first


def monitor_summary(report: Any, html: Path) -> list[str]:
    """The drift report in a few terminal lines: verdict, drifted features, performance."""
    from gitml.monitor.markdown import verdict_line

    lines = ["", "Monitoring the served model (shifted traffic and feedback):", ""]
    lines.append("  " + verdict_line(report).lstrip("# "))
    for feature in report.drifted:
        lines.append(
            f"  drifted: {feature.name} ({feature.test}, p={feature.p_value:.2g})"
            if feature.p_value is not None
            else f"  drifted: {feature.name} ({feature.test}, {feature.statistic:.3g})"
        )
    performance = report.performance
    accuracy = performance.value("accuracy") if performance else None
    if accuracy is not None:
        registered = performance.registered("accuracy")
        was = f" (registered {registered:.3f})" if registered is not None else ""
        lines.append(
            f"  accuracy on {performance.labelled_rows} rows with feedback: {accuracy:.3f}{was}"
        )
    lines.append(f"  the whole report: {html}")
    return lines
