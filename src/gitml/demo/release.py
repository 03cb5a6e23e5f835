"""What the release workflow does once a pull request is merged, on a fresh clone of main:
promote the model (git tags), build and smoke-test its Bento, then serve it real rows."""

from __future__ import annotations

from gitml.demo.context import Context, clone, describe_stages
from gitml.errors import GitmlError

#: sklearn's breast-cancer classes: 0 malignant, 1 benign
CLASS_NAMES = ("malignant", "benign")
ROWS_TO_SEND = 5


def promote_model(ctx: Context, number: int) -> None:
    """The release workflow's first job after pull request ``number`` is merged:
    `gitml run --pull`, then `gitml promote`."""
    from gitml.registry.promote import promote
    from gitml.run import run_pipeline

    root = ctx.folder.ci_main
    clone(ctx, root, "main")
    result = run_pipeline(root, pull=True)
    ctx.progress.note(f"gitml run --pull on main: {describe_stages(result)}")
    promotion = promote(root)
    release = ctx.release(number)
    release.clear()
    release.update(version=promotion.version, stage=promotion.stage)
    against = promotion.baseline.version if promotion.baseline else "nothing"
    ctx.progress.note(
        f"gitml promote: {promotion.artifact} {promotion.version} -> {promotion.stage}, gates "
        f"passed against {against}; pushed {', '.join(promotion.tags) or 'no new tags'}"
    )


def build_bento(ctx: Context, number: int) -> None:
    """`gitml build` and `gitml smoke-test` for the version promoted after pull request
    ``number``; the models and Bentos go to the demo's own BentoML store."""
    from gitml.serving.build import build
    from gitml.serving.smoke import smoke_test

    root = ctx.folder.ci_main
    release = ctx.release(number)
    version = release["version"]
    built = build(root, version=version, env=ctx.env)
    release["bento"] = built.bento_tag
    ctx.progress.note(f"gitml build: Bento {built.bento_tag} (model {built.model.tag})")
    smoke = smoke_test(root, version=version, env=ctx.env)
    if not smoke.passed:
        raise GitmlError(
            f"the smoke test failed: {len(smoke.mismatches)} answer(s) differ from the model's"
        )
    ctx.progress.note(
        f"gitml smoke-test: {smoke.rows} rows answered as the model does; a bad row got "
        f"{smoke.bad_request_status}"
    )


def serve_and_predict(ctx: Context, number: int) -> None:
    """Serve the Bento released after pull request ``number`` on 127.0.0.1 and send it real rows
    from the test split."""
    import pandas as pd

    from gitml.report.terminal import columns
    from gitml.serving.client import predict
    from gitml.serving.serve import start_server, stop_server, wait_ready
    from gitml.serving.smoke import ready_timeout

    release = ctx.release(number)
    frame = pd.read_csv(ctx.folder.ci_main / "prepared" / "test.csv").head(ROWS_TO_SEND)
    actual = frame.pop("target").tolist()
    # the server's own output goes where the step's goes: its log
    process, url = start_server(release["bento"], env=ctx.env)
    try:
        wait_ready(process, url, timeout=ready_timeout(ctx.env))
        ctx.progress.note(f"serving {release['bento']} at {url}")
        instances = frame.to_dict(orient="records")
        labels, probabilities = predict(url, instances)
    finally:
        stop_server(process)
    rows = [["row", "actual", "predicted", "P(benign)"]]
    for index, (truth, label, row_proba) in enumerate(
        zip(actual, labels, probabilities, strict=True), start=1
    ):
        rows.append([str(index), CLASS_NAMES[truth], CLASS_NAMES[label], f"{row_proba[1]:.3f}"])
    right = sum(1 for truth, label in zip(actual, labels, strict=True) if truth == label)
    release["predictions"] = f"{right} of {len(actual)} right"
    ctx.show(
        "",
        f"POST {url}/predict with {len(instances)} rows of the test split "
        f"({release['version']}, {release['stage']}):",
        "",
        *columns(rows),
        "",
    )
