"""Metrics and params of revisions, in the shapes ``dvc metrics diff`` and ``dvc params diff``
give."""

from __future__ import annotations

from typing import Any

from gitml.core.model import LoadError, LoadSource
from gitml.dvc_adapter.repository import DvcRepo
from gitml.errors import (
    DataError,
    describe_exception,
)


def _errors(source: LoadSource, errors: dict[str, Any]) -> list[LoadError]:
    found = []
    for rev, value in (errors or {}).items():
        if isinstance(value, dict):
            for file, error in value.items():
                found.append(LoadError(source, rev, file, describe_exception(error)))
        elif value:
            found.append(LoadError(source, rev, None, describe_exception(value)))
    return found


def _duplicated_name(error: ValueError) -> DataError:
    return DataError(
        f"DVC cannot flatten the metrics: {describe_exception(error)} (a metrics file holds "
        'the same dotted name twice, e.g. "a.b" and a: {b}); rename one of them'
    )


def flatten_metrics(data: Any) -> dict[str, Any]:
    """A metrics file's content as DVC flattens it for ``dvc metrics show/diff``: nested names
    joined with dots, lists, nulls and empty tables dropped, strings and booleans kept. A value
    that is not a table has no named metrics here ({}). DVC's own functions do the work, so
    gitml cannot disagree with it."""
    from dvc.repo.metrics.show import _extract_metrics
    from dvc.utils.flatten import flatten

    extracted = _extract_metrics(data, "")
    if not isinstance(extracted, dict):
        return {}
    try:
        return dict(flatten(extracted))
    except ValueError as error:  # flatten_dict: "duplicated key"
        raise _duplicated_name(error) from None


def _metric_values(data: dict) -> dict[str, dict[str, Any]]:
    """One revision's metrics, ``{file: {name: value}}``, flattened as ``dvc metrics diff`` does
    (DVC's own ``format_dict``, ``_parse`` and ``_flatten``; a file that is one value is ``""``)."""
    from dvc.utils.diff import _flatten, _parse, format_dict

    values = {}
    for file, entry in format_dict(data).items():
        content = _parse(entry.get("data", {}))
        if isinstance(content, dict):
            values[file] = dict(_flatten(content))
        elif content not in (None, {}):
            values[file] = {"": content}
    return values


def _show_errors(shown: dict, rev: str) -> Any:
    """DVC's load errors of one revision, shaped as ``Repo.metrics.diff`` returns them."""
    entry = shown.get(rev, {})
    if entry.get("error"):
        return entry["error"]
    return {file: d["error"] for file, d in entry.get("data", {}).items() if "error" in d}


def metrics_diff(repo: DvcRepo, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """All metrics at both revisions: ``{file: {name: {"old", "new"}}}`` plus load errors.

    Values are DVC's own (nested metrics flattened to dotted keys; lists dropped), so the numbers
    are exactly those of ``dvc metrics diff``. DVC's diff is not called: it subtracts every pair
    and crashes with ``OverflowError`` on a huge integer against a float; gitml computes changes
    itself (``report/compare.py``).
    """
    if repo.scm.no_commits:
        return {}, []
    return metrics_from_shown(
        repo.metrics.show(revs=[base, head], hide_workspace=False), base, head
    )


def metrics_from_shown(shown: dict, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """``metrics_diff``'s result from ``Repo.metrics.show``'s ``{rev: Result}``."""
    try:
        old = _metric_values(shown.get(base, {}).get("data", {}))
        new = _metric_values(shown.get(head, {}).get("data", {}))
    except ValueError as error:  # DVC's `dvc metrics diff` stops the same way
        if "duplicated key" not in str(error):
            raise
        raise _duplicated_name(error) from None
    diff = {}
    for file in old.keys() | new.keys():
        before, after = old.get(file, {}), new.get(file, {})
        diff[file] = {
            name: {"old": before.get(name), "new": after.get(name)}
            for name in before.keys() | after.keys()
        }
    errors = {rev: _show_errors(shown, rev) for rev in dict.fromkeys([base, head])}
    return diff, _errors("metrics", errors)


def metrics_at(repo: DvcRepo, rev: str) -> tuple[dict, list[LoadError]]:
    """Metrics of one revision in ``metrics_diff``'s shape, with no base (``old`` is None)."""
    diff, errors = metrics_diff(repo, rev, rev)
    return (
        {
            file: {name: {"old": None, "new": v["new"]} for name, v in entries.items()}
            for file, entries in diff.items()
        },
        errors,
    )


def params_diff(repo: DvcRepo, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """Changed params only: ``{file: {name: {"old", "new"}}}`` plus load errors."""
    return params_from_diff(repo.params.diff(a_rev=base, b_rev=head))


def params_from_diff(result: dict) -> tuple[dict, list[LoadError]]:
    """``params_diff``'s result from DVC's ``{"diff", "errors"}``."""
    diff = {
        file: {name: {"old": v.get("old"), "new": v.get("new")} for name, v in entries.items()}
        for file, entries in result.get("diff", {}).items()
    }
    return diff, _errors("params", result.get("errors", {}))
