"""Plots (data and image plots) at revisions, with their load errors."""

from __future__ import annotations

from typing import Any

from gitml.core.model import LoadError, PlotData, PlotImage
from gitml.dvc_adapter.repository import WORKSPACE, DvcRepo
from gitml.errors import (
    describe_exception,
)


def _revision_plot_errors(data: dict[str, Any]) -> list[LoadError]:
    """Errors that stop DVC reading a revision's plot definitions at all (a broken dvc.yaml)."""
    found: dict[tuple[str, str | None, str], LoadError] = {}
    for rev, content in data.items():
        failures = [(None, content.get("error"))]
        for part in ("definitions", "sources"):
            section = content.get(part) or {}
            failures.append((None, section.get("error")))
            if part == "definitions":
                for file, entry in (section.get("data") or {}).items():
                    failures.append((file, (entry or {}).get("error")))
        for file, error in failures:
            if error:
                message = describe_exception(error)
                found.setdefault((rev, file, message), LoadError("plots", rev, file, message))
    return list(found.values())


def _image_plot(renderer: Any) -> PlotData:
    """An image plot: its files at each revision, decoded from DVC's data URIs."""
    import base64

    images = []
    for point in renderer.datapoints:
        src = str(point.get("src", ""))
        if src.startswith("data:") and "," in src:
            data = base64.b64decode(src.split(",", 1)[1])
            images.append(PlotImage(str(point.get("rev")), str(point.get("filename")), data))
    title = renderer.properties.get("title") or renderer.name
    return PlotData(
        renderer.name, str(title), "image", None, None, None, None, [], None, tuple(images)
    )


def _vega_plot(renderer: Any, head: str, errors: list[LoadError]) -> PlotData:
    props = renderer.properties
    try:
        spec = renderer.get_filled_template()
        spec = spec if isinstance(spec, dict) else None
    except Exception as error:  # a broken template must not hide the rest of the report
        errors.append(LoadError("plots", head, renderer.name, describe_exception(error)))
        spec = None
    return PlotData(
        id=renderer.name,
        title=str(props.get("title") or renderer.name),
        template=str(props.get("template") or "linear"),
        x=props.get("x"),
        y=props.get("y"),
        x_label=props.get("x_label"),
        y_label=props.get("y_label"),
        datapoints=list(renderer.datapoints),
        vega_lite=spec,
    )


def plots(repo: DvcRepo, base: str, head: str) -> tuple[list[PlotData], list[LoadError]]:
    """Every plot in ``dvc.yaml`` (data plots and image plots) with its data at both revisions,
    and every plot file or definition DVC failed to load, as ``LoadError`` data."""
    revs = [base] if base == head else [base, head]
    return plots_from_shown(repo, repo.plots.show(revs=revs), head)


def plots_from_shown(
    repo: DvcRepo, data: dict[str, Any], head: str
) -> tuple[list[PlotData], list[LoadError]]:
    """``plots``'s result from ``Repo.plots.show``'s ``{rev: {"definitions", "sources"}}``."""
    from dvc.render.match import match_defs_renderers

    errors = _revision_plot_errors(data)
    found = []
    for item in match_defs_renderers(data=data, templates_dir=repo.plots.templates_dir):
        renderer = item.renderer
        for rev, by_file in item.source_errors.items():
            errors.extend(
                LoadError("plots", rev, file, describe_exception(e)) for file, e in by_file.items()
            )
        for rev, error in item.definition_errors.items():
            errors.append(LoadError("plots", rev, renderer.name, describe_exception(error)))
        if renderer.TYPE == "image":
            found.append(_image_plot(renderer))
        else:
            found.append(_vega_plot(renderer, head, errors))
    return found, errors


def revision_plots(repo: DvcRepo, rev: str) -> dict[str, Any]:
    """One revision's part of ``Repo.plots.show``'s result, data files read (``Plots.collect``
    and ``Plots.show`` for one revision, on a repository already switched to it)."""
    from dvc.repo.plots import (
        _collect_definitions,
        _get_data_targets,
        _resolve_data_sources,
        onerror_collect,
    )

    result: dict[str, Any] = {}
    definitions = _collect_definitions(
        repo, targets=[], revision=rev, onerror=onerror_collect, props=None
    )
    if definitions:
        sources = repo.plots._collect_data_sources(
            repo, targets=_get_data_targets(definitions), recursive=False, props=None,
            onerror=onerror_collect,
        )  # fmt: skip
        result[rev] = {"definitions": definitions, "sources": sources}
    short_rev = getattr(repo.fs, "rev", None)
    _resolve_data_sources(result, short_rev[:7] if short_rev else WORKSPACE, cache=True)
    return result


def report_plot_failures(data: dict[str, Any]) -> None:
    """DVC's one-line warning for revisions whose plots failed to load, as ``plots.show``."""
    from dvc.utils import errored_revisions

    errored = errored_revisions(data)
    if errored:
        from dvc.ui import ui

        ui.error_write(
            f"DVC failed to load some plots for following revisions: '{', '.join(errored)}'."
        )
