"""Production: the release workflow's prod move and a rollback, on main's runner.

The first version to reach prod has nothing to be compared with: `gitml validate` says so and
smoke-tests it. The retrained version then earns prod on prod's own traffic: the monitoring
step's logs are the answers of the version in prod, replayed through both Bentos; its report
goes into the prod tag's message. Then prod is rolled back, and the registry's history shows
every move with who made it and why.
"""

from __future__ import annotations

from pathlib import Path

from gitml.demo.context import Context, clone, fresh, git

#: why the demo rolls prod back
ROLLBACK_REASON = "demo: the retrained model is rolled back to show the audit trail"


def _validate(ctx: Context, root: Path, version: str, out: Path) -> tuple[str, Path]:
    """`gitml validate --candidate VERSION --current monitoring/logs` with its three files."""
    from gitml.validate.flow import ValidateRequest, validate
    from gitml.validate.markdown import verdict_line
    from gitml.validate.write import write_report

    logs = ctx.folder.monitoring / "logs"
    request = ValidateRequest(candidate=version, current=(str(logs),), root=root, env=ctx.env)
    report = validate(request)
    write_report(report, out / "validate.md", out / "validate.json", out / "validate.html")
    ctx.progress.note(f"gitml validate --candidate {version}: verdict {report.verdict}")
    ctx.show("", "  " + verdict_line(report).lstrip("# "), "")
    return report.verdict, out / "validate.json"


def _move(ctx: Context, root: Path, version: str, evidence: Path, verdict: str) -> None:
    """`gitml promote --to prod --version V --validation validate.json`, the release's prod job;
    a verdict that did not pass goes through with a recorded override, as a person would."""
    from gitml.registry.assign import assign_stage
    from gitml.validate.evidence import validation_notes
    from gitml.validate.model import PASSING

    override = None if verdict in PASSING else f"demo: moved despite verdict {verdict}"
    notes = validation_notes(evidence, version, override)
    move = assign_stage(root, version=version, stage="prod", notes=notes)
    ctx.progress.note(
        f"gitml promote --to prod --version {version}: {move.artifact} {move.version} -> prod "
        f"(was {move.previous or 'empty'}); pushed {', '.join(move.tags)}"
    )


def validate_and_promote(ctx: Context) -> None:
    """v0.2.0 to prod first (nothing to compare with: smoke-tested), then the retrained v0.3.0,
    validated against it on the logged traffic."""
    from gitml.run import run_pipeline

    root = ctx.folder.ci_main
    clone(ctx, root, "main")
    run_pipeline(root, pull=True)  # the smoke test reads the test split
    out = ctx.folder.root / "production"
    fresh(out)
    first, retrained = ctx.release(1)["version"], ctx.release(2)["version"]
    verdict, evidence = _validate(ctx, root, first, out / "first")
    _move(ctx, root, first, evidence, verdict)
    verdict, evidence = _validate(ctx, root, retrained, out / "retrained")
    ctx.facts["validation"] = {"version": retrained, "verdict": verdict}
    _move(ctx, root, retrained, evidence, verdict)
    show_history(ctx, root, "after the prod moves")


def roll_back(ctx: Context) -> None:
    """`gitml rollback --stage prod --reason ...`: back to the version prod held before."""
    from gitml.registry.rollback import rollback

    root = ctx.folder.ci_main  # the prod step's clone: serving reads its test split afterwards
    git(root, "fetch", "--quiet", "origin", "+refs/tags/*:refs/tags/*")
    move = rollback(root, stage="prod", reason=ROLLBACK_REASON)
    ctx.facts["rollback"] = {"from": move.previous, "to": move.version}
    ctx.progress.note(
        f"gitml rollback --stage prod: {move.previous} -> {move.version}; pushed "
        f"{', '.join(move.tags)}"
    )
    show_history(ctx, root, "after the rollback")


def show_history(ctx: Context, root: Path, when: str) -> None:
    """`gitml models --history --stage prod`, in the terminal."""
    from gitml.config import load_settings
    from gitml.core.artifacts import artifact_name
    from gitml.registry.history import read_history, render_history

    events = read_history(root, artifact_name(load_settings(root), None), "prod")
    table = render_history(events).rstrip("\n").splitlines()
    ctx.show(
        f"gitml models --history --stage prod ({when}):", "", *(f"  {line}" for line in table), ""
    )
