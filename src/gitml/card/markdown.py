"""The card as Markdown: Hugging Face's layout, YAML front matter (``library_name``, ``tags``,
``license`` and the rest of the project's ``MODEL_CARD.md``, ``model-index`` with the version's
metrics) then the body. A GitHub Release shows the body (:func:`render_body`): GitHub would draw
the front matter as text there."""

from __future__ import annotations

from typing import Any

import yaml

from gitml.card.model import ModelCard
from gitml.core.markdown import cell, code, table
from gitml.core.text import number, param, size

GENERATED_BY = "gitml"
DEFAULT_TASK = "tabular-classification"


def front_matter(card: ModelCard) -> dict[str, Any]:
    """The metadata Hugging Face's ``ModelCard`` reads: the project's keys, then gitml's."""
    metadata = dict(card.template.metadata)
    if "library_name" not in metadata and (card.estimator or "").startswith("sklearn."):
        metadata["library_name"] = "sklearn"
    tags = metadata.get("tags") or []
    tags = [tags] if isinstance(tags, str) else list(tags)
    metadata["tags"] = list(dict.fromkeys([*tags, GENERATED_BY, card.artifact]))
    metadata["model-index"] = [{"name": card.artifact, "results": [_result(card)]}]
    return metadata


def _result(card: ModelCard) -> dict[str, Any]:
    task = card.template.metadata.get("pipeline_tag") or DEFAULT_TASK
    data = card.data[0].tracked.path if card.data else card.artifact
    return {
        "task": {"type": str(task)},
        "dataset": {"name": data, "type": data},
        "metrics": [
            {"type": name.rpartition(":")[2], "value": value, "name": name}
            for name, value in sorted(card.metrics.items())
        ],
    }


def render(card: ModelCard) -> str:
    """The whole card: front matter and body."""
    header = yaml.safe_dump(front_matter(card), sort_keys=False, allow_unicode=True)
    return f"---\n{header}---\n\n{render_body(card)}"


def render_body(card: ModelCard) -> str:
    lines = [
        f"# {card.artifact} {card.version}",
        "",
        f"Model card written by gitml from the registry (tag {code(card.artifact + '@' + card.version)}), "
        "DVC's records at the version's commit"
        + (", and GitHub" if card.merge else "")
        + ". The plots are in the HTML report (`report.html`, an asset of the version's release).",
        "",
        *_summary(card),
        *_model(card),
        *_data(card),
        *_evaluation(card),
        *_validation(card),
        *_template(card),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _commit(card: ModelCard) -> str:
    if card.repository_url:
        return f"[{code(card.commit[:12])}]({card.repository_url}/commit/{card.commit})"
    return code(card.commit[:12])


def _pull_request(card: ModelCard) -> str:
    merge = card.merge
    if merge is None:
        return cell(card.merge_note or "unknown")
    approved = ", ".join(cell(a.login) for a in merge.approvals) or "nobody (no approving review)"
    return (
        f"[#{merge.number} {cell(merge.title)}]({merge.url}) by {cell(merge.author or '?')}, "
        f"merged by {cell(merge.merged_by or '?')} {cell(merge.merged_at or '')}; "
        f"approved by {approved}"
    )


def _summary(card: ModelCard) -> list[str]:
    model = card.model
    model_text = (
        f"{code(model.path)} (md5 {code(model.md5 or '?')}, {size(model.size)})"
        + (f", output of stage {code(card.stage)}" if card.stage else "")
        if model
        else "not recorded by DVC at this commit"
    )
    signature = (
        f"signed ({cell(card.signing_method or '?')}): tag {code(card.signature_tag)}"
        if card.signature_tag
        else "not signed"
    )
    registered = cell(card.registered_at or "?") + (
        f" by {cell(card.registered_by)}" if card.registered_by else ""
    )
    rows = [
        ["Version", f"{cell(card.version)}, registered {registered}"],
        ["Stages now", cell(", ".join(card.stages) or "none")],
        ["Commit", _commit(card)],
        ["Pull request", _pull_request(card)],
        ["Model file", model_text],
        ["Signature", signature],
    ]
    return ["## Summary", "", *table(["", ""], rows), ""]


def _model(card: ModelCard) -> list[str]:
    lines = ["## Model", ""]
    if card.estimator:
        lines += [f"Estimator: {code(card.estimator)}.", ""]
    if not card.params:
        return [*lines, "No params recorded for the model's stage.", ""]
    rows = [[code(name), cell(param(value))] for name, value in sorted(card.params.items())]
    return [*lines, *table(["param", "value"], rows), ""]


def _data(card: ModelCard) -> list[str]:
    lines = ["## Training data", ""]
    if not card.data:
        return [*lines, "No DVC-tracked input recorded upstream of the model.", ""]
    rows = [
        [
            code(item.tracked.path),
            code(item.tracked.md5 or "?"),
            size(item.tracked.size),
            str(item.tracked.nfiles) if item.tracked.nfiles is not None else "-",
            f"{item.rows:,}" if item.rows is not None else "-",
            code(item.tracked.source),
        ]
        for item in card.data
    ]
    header = ["path", "DVC version (md5)", "size", "files", "rows", "from"]
    return [*lines, *table(header, rows), ""]


def _evaluation(card: ModelCard) -> list[str]:
    lines = ["## Evaluation", ""]
    if card.metrics:
        rows = [[cell(name), number(value)] for name, value in sorted(card.metrics.items())]
        lines += ["Metrics recorded at registration:", "", *table(["metric", "value"], rows), ""]
    else:
        lines += ["No metrics were recorded at registration.", ""]
    if not card.recorded:
        return [*lines, "The registration tag recorded no gates (registered before gitml did).", ""]
    against = (
        f"against {cell(card.baseline)}, the version in the promote stage then"
        if card.baseline
        else "with no baseline (the promote stage was empty)"
    )
    if not card.gates:
        return [*lines, f"No quality gate was configured; compared {against}.", ""]
    rows = [
        [cell(g.metric), cell(g.rule), "pass" if g.passed else "FAIL", cell(g.detail)]
        for g in card.gates
    ]
    return [
        *lines,
        f"Quality gates, checked {against}:",
        "",
        *table(["metric", "rule", "result", "detail"], rows),
        "",
    ]


def _validation(card: ModelCard) -> list[str]:
    result = card.validation
    if result is None:
        return []
    verdict = "passed" if result.passed else "FAILED"
    where = f" ({cell(result.stage)})" if result.stage else ""
    lines = ["## Validation", "", f"Validation{where} {verdict}: {cell(result.summary)}", ""]
    if result.checks:
        rows = [[cell(n), "pass" if p else "FAIL", cell(d)] for n, p, d in result.checks]
        lines += [*table(["check", "result", "detail"], rows), ""]
    if result.url:
        lines += [f"[Details]({result.url})", ""]
    return lines


def _template(card: ModelCard) -> list[str]:
    if not card.template.body:
        return [
            "## Intended use, limitations and contacts",
            "",
            "Not written yet: describe them once in `MODEL_CARD.md` (`gitml init` writes a "
            "starting one) and every version's card carries them.",
            "",
        ]
    return [card.template.body, ""]
