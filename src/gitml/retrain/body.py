"""The words of a retraining: the commit message, the pull request's title and body (pure).

The body ends with a hidden marker, ``<!-- gitml:retrain model=NAME -->``, by which the next run
finds the open retraining pull request of that model. The monitoring summary sits between its
own markers, so a run without ``--summary`` keeps the one an earlier run wrote.
"""

from __future__ import annotations

import re

from gitml.core.limits import COMMENT_LIMIT
from gitml.core.markdown import cell, markdown_cell
from gitml.core.markers import neutralize
from gitml.retrain.append import Appended
from gitml.retrain.branch import TRAILER, RetrainCommit
from gitml.retrain.summary import MonitoringSummary

MAX_DRIFTED_SHOWN = 50
SUMMARY_START = "<!-- gitml:retrain-summary -->"
SUMMARY_END = "<!-- /gitml:retrain-summary -->"
_SUMMARY_RE = re.compile(re.escape(SUMMARY_START) + r"\n?(.*?)\n?" + re.escape(SUMMARY_END), re.S)


def marker(model: str) -> str:
    return f"<!-- gitml:retrain model={model} -->"


def sources_text(sources: tuple[tuple[str, int], ...]) -> str:
    """``labelled.csv (52 rows); more.csv (3 rows)``."""
    return "; ".join(f"{name} ({rows} row{'s' if rows != 1 else ''})" for name, rows in sources)


def pipeline_sentence(stages: str | None) -> str:
    """What the commit says of the pipeline: reproduced (``stages``: what each stage did) or not."""
    if stages is None:
        return (
            "The pipeline was not reproduced (--no-repro): dvc.lock still names the model "
            "trained before these rows, and gitml promote refuses this commit until it is."
        )
    return (
        f"The pipeline was reproduced on the new data ({stages}): dvc.lock and the metrics "
        "in this commit describe the retrained model, which is on the DVC remote."
    )


def commit_message(
    model: str,
    dataset: str,
    appended: Appended,
    sources: tuple[tuple[str, int], ...],
    stages: str | None = None,
) -> str:
    """Subject naming the rows added and the dataset; whether the pipeline was reproduced
    (``stages``, None: not); the source and counts as git trailers."""
    dropped = appended.duplicates + appended.repeated
    return (
        f"Retrain {model}: add {appended.added} labelled row{'s' if appended.added != 1 else ''} "
        f"to {dataset}\n\n"
        f"From {sources_text(sources)}; {dropped} duplicate row(s) dropped. The dataset grows "
        f"from {appended.rows_before} to {appended.rows_after} rows.\n"
        f"{pipeline_sentence(stages)}\n\n"
        f"{TRAILER}: {model}\n"
        f"Gitml-Dataset: {dataset}\n"
        f"Gitml-Rows-Added: {appended.added}\n"
        f"Gitml-Rows-Dropped: {dropped}\n"
        f"Gitml-Rows-Total: {appended.rows_after}\n"
        f"Gitml-Source: {sources_text(sources)}\n"
        f"Gitml-Pipeline: {'reproduced' if stages is not None else 'not reproduced'}\n"
    )


def title(model: str, commits: list[RetrainCommit]) -> str:
    added = sum(c.added for c in commits)
    return f"Retrain {model} on {added} new labelled row{'s' if added != 1 else ''}"


def previous_summary(body: str | None) -> str | None:
    """The monitoring section an earlier run wrote into the pull request's body."""
    found = _SUMMARY_RE.search(body or "")
    return found.group(1).strip() if found and found.group(1).strip() else None


def pr_body(
    model: str,
    dataset: str,
    dvc_file: str,
    base: str,
    commits: list[RetrainCommit],
    summary: str | None,
) -> str:
    """The pull request's body: what changed in the data, the monitoring summary, the marker."""
    added = sum(c.added for c in commits)
    first_total = (
        commits[0].rows_after - commits[0].added if commits and commits[0].rows_after else None
    )
    last_total = commits[-1].rows_after if commits else None
    size = f" ({first_total} → {last_total} rows)" if first_total is not None and last_total else ""
    lines = [
        f"## Retraining {model} on new labelled data",
        "",
        f"`gitml retrain` added **{added}** labelled row{'s' if added != 1 else ''} to "
        f"`{dataset}`{size}. `{dvc_file}` points at the new data version, which is on the DVC "
        "remote.",
        "",
        _pipeline_paragraph(commits[-1].reproduced if commits else None, base),
        "",
        "### Data change",
        "",
        "| commit | date | rows added | duplicates dropped | dataset rows | pipeline | source |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for c in commits:
        lines.append(
            f"| {c.sha[:7]} | {c.date} | {c.added} | {c.dropped} | "
            f"{c.rows_after if c.rows_after is not None else '-'} | {_PIPELINE[c.reproduced]} | "
            f"{neutralize(markdown_cell('; '.join(c.sources))) or '-'} |"
        )
    lines += [
        "",
        "### Monitoring",
        "",
        SUMMARY_START,
        neutralize(
            summary or "_No monitoring summary was given (`gitml retrain --summary FILE`)._"
        ),
        SUMMARY_END,
        "",
        marker(model),
        "",
    ]
    text = "\n".join(lines)
    if len(text) > COMMENT_LIMIT:  # only a huge hand-written summary gets here: cut it
        keep = COMMENT_LIMIT - len(text) + len(summary or "") - 200
        return pr_body(
            model, dataset, dvc_file, base, commits, (summary or "")[:keep] + "\n\n… (cut)"
        )
    return text


_PIPELINE = {True: "reproduced", False: "not reproduced", None: "-"}


def _pipeline_paragraph(reproduced: bool | None, base: str) -> str:
    """What the branch's last retraining commit did with the pipeline, and what comes next."""
    if not reproduced:
        return (
            "**`dvc.lock` is stale:** the last retraining commit holds the data alone (`gitml "
            "retrain --no-repro`), so `dvc.lock` and the metrics still describe the model "
            "trained before these rows, and `gitml promote` refuses to register this commit. "
            "Reproduce the pipeline on this branch (`gitml run --pull --push`) and commit "
            "`dvc.lock` and the metrics files before merging."
        )
    return (
        "The pipeline was reproduced on the new data in the same commit: `dvc.lock` and the "
        "metrics files describe the retrained model, which is on the DVC remote. The PR "
        f"workflow's comment compares it with the model on `{base}`; merge when the gates pass, "
        "and the release workflow promotes it."
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def summary_markdown(summary: MonitoringSummary) -> str:
    """The monitoring summary as Markdown: verdict, drifted features first, performance."""
    if summary.markdown is not None:
        return f"From `{summary.source}`:\n\n{summary.markdown}"
    where = " ".join(
        part
        for part in (
            f"`{summary.model}`" if summary.model else None,
            summary.version,
            f"({summary.stage})" if summary.stage else None,
        )
        if part
    )
    head = f"**Verdict: {summary.verdict or 'unknown'}**" + (f" for {where}" if where else "")
    if summary.rows is not None:
        head += f", {summary.rows} rows monitored"
    lines = [head + f" (from `{summary.source}`).", ""]
    share = f", share {summary.share_drifted:.2f}" if summary.share_drifted is not None else ""
    drift = " Dataset drift." if summary.dataset_drift else ""
    lines.append(
        f"Drifted features: {len(summary.drifted)} of {summary.features_checked}{share}.{drift}"
    )
    if summary.drifted:
        lines += ["", "| feature | test | statistic | threshold |", "| --- | --- | ---: | ---: |"]
        for feature in summary.drifted[:MAX_DRIFTED_SHOWN]:
            lines.append(
                f"| {cell(feature.name)} | {cell(feature.test or '-')} | "
                f"{_fmt(feature.statistic)} | {_fmt(feature.threshold)} |"
            )
        if len(summary.drifted) > MAX_DRIFTED_SHOWN:
            lines.append(f"\n… and {len(summary.drifted) - MAX_DRIFTED_SHOWN} more.")
    if summary.performance:
        rows = f" on {summary.labelled_rows} labelled rows" if summary.labelled_rows else ""
        lines += [
            "",
            f"Performance{rows} (registered: the metrics the version was promoted with):",
            "",
            "| metric | labelled rows | registered |",
            "| --- | ---: | ---: |",
        ]
        for entry in summary.performance:
            lines.append(
                f"| {cell(entry.metric)} | {_fmt(entry.value)} | {_fmt(entry.registered)} |"
            )
    return "\n".join(lines)
