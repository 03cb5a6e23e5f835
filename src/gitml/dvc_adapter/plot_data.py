"""Plots (data and image plots) at revisions, with their load errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
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
                LoadError("plots", rev, file, describe_exception(e), plot=renderer.name)
                for file, e in by_file.items()
            )
        for rev, error in item.definition_errors.items():
            errors.append(
                LoadError(
                    "plots", rev, renderer.name, describe_exception(error), plot=renderer.name
                )
            )
        if renderer.TYPE == "image":
            found.append(_image_plot(renderer))
        else:
            found.append(_vega_plot(renderer, head, errors))
    return found, errors


@dataclass(frozen=True)
class PlotFailure:
    """A plot whose files DVC could not read at a revision: its id, its file and DVC's error."""

    plot: str
    file: str
    error: BaseException


def declared_plots(repo: DvcRepo) -> list[tuple[str, str]]:
    """Every plot the revision's dvc.yaml files declare, as (id, the file or folder it reads):
    top-level ``plots:`` (a plot over several files gives the first) and outputs with ``plots``."""
    import posixpath

    found = []
    for dvcfile, definitions in repo.index._plots.items():
        folder = posixpath.dirname(os.path.relpath(dvcfile, repo.root_dir).replace(os.sep, "/"))
        for entry in definitions:
            plot_id, props = (entry, None) if isinstance(entry, str) else next(iter(entry.items()))
            y = (props or {}).get("y")
            source = next(iter(y)) if isinstance(y, dict) and y else plot_id
            found.append((plot_id, posixpath.normpath(posixpath.join(folder, source))))
    for out in repo.index.plots:
        path = os.path.relpath(out.fs_path, repo.root_dir).replace(os.sep, "/")
        found.append((str(out), path))
    return found


def _definitions_per_plot(repo: DvcRepo, rev: str) -> tuple[dict[str, Any], list[PlotFailure]]:
    """The definitions of every plot that loads, one plot at a time, and the plots that do not.

    DVC collects a revision's plot definitions in one go: one plot folder it cannot list (inside
    an output that is not pulled) loses every plot of the revision, and the error names no plot.
    """
    import re

    import dpath
    from dvc.repo.plots import _collect_definitions, onerror_collect

    merged: dict[str, Any] = {}
    failures = []
    for plot_id, path in declared_plots(repo):
        one = _collect_definitions(
            repo, targets=[f"^{re.escape(plot_id)}$"], revision=rev, onerror=onerror_collect,
            props=None,
        )  # fmt: skip
        if one.get("error") is not None:
            failures.append(PlotFailure(plot_id, path, one["error"]))
        elif one.get("data"):
            dpath.merge(merged, {"data": one["data"]})
    return merged, failures


def revision_plots(repo: DvcRepo, rev: str) -> tuple[dict[str, Any], list[PlotFailure]]:
    """One revision's part of ``Repo.plots.show``'s result, data files read (``Plots.collect``
    and ``Plots.show`` for one revision, on a repository already switched to it), and the plots
    that could not be read at all."""
    from dvc.repo.plots import (
        _collect_definitions,
        _get_data_targets,
        _resolve_data_sources,
        onerror_collect,
    )

    result: dict[str, Any] = {}
    failures: list[PlotFailure] = []
    definitions = _collect_definitions(
        repo, targets=[], revision=rev, onerror=onerror_collect, props=None
    )
    if definitions.get("error") is not None and not definition_error_of(definitions["error"]):
        definitions, failures = _definitions_per_plot(repo, rev)
    if definitions:
        sources = repo.plots._collect_data_sources(
            repo, targets=_get_data_targets(definitions), recursive=False, props=None,
            onerror=onerror_collect,
        )  # fmt: skip
        result[rev] = {"definitions": definitions, "sources": sources}
    short_rev = getattr(repo.fs, "rev", None)
    _resolve_data_sources(result, short_rev[:7] if short_rev else WORKSPACE, cache=True)
    return result, failures


def definition_error_of(error: BaseException) -> bool:
    """A broken dvc.yaml (syntax, schema): the revision's own error, not one plot's."""
    from gitml.dvc_adapter.failures import definition_error

    return definition_error(error) is not None
