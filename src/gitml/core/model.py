"""The report's data model: what a comparison of two revisions holds, as plain frozen data.

Every feature reads and writes these types (the report, promotion, the sweep's leaderboard, the
demo); the DVC adapter fills the ones that come from DVC. The closed sets of values are ``str``
enums, so a value compares equal to its string (``MetricStatus.IMPROVED == "improved"``) and
JSON and Markdown show the same text as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal


class TextEnum(str, Enum):
    """A closed set of strings: a member is its value wherever it is printed or compared."""

    def __str__(self) -> str:
        return self.value


class MetricStatus(TextEnum):
    """How a metric moved from base to head."""

    IMPROVED = "improved"
    REGRESSED = "regressed"
    UNCHANGED = "unchanged"
    CHANGED = "changed"  # moved, and its direction is unknown
    NEW = "new"
    REMOVED = "removed"
    #: its metrics file did not load at a revision (an output DVC could not fetch, a broken file):
    #: nothing can be said about how it moved
    NOT_LOADED = "not loaded"


class Direction(TextEnum):
    """Which way a metric gets better."""

    HIGHER = "higher"
    LOWER = "lower"


class Verdict(TextEnum):
    """A report's verdict, and a gate's outcome: ``fail`` when any gate fails; a report whose
    metrics did not all load is ``incomplete`` (never a pass on data that was not read)."""

    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


class StageState(TextEnum):
    """What happened to a pipeline stage during a reproduction."""

    RAN = "ran"
    RESTORED = "restored"  # from the run-cache
    SKIPPED = "skipped"  # unchanged
    FAILED = "failed"


class DataChangeKind(TextEnum):
    """How a DVC-tracked path changed between two revisions."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    #: an output the workspace declares but does not hold (`dvc diff` says deleted; nobody did)
    NOT_PULLED = "not pulled"


#: What a load error is about.
LoadSource = Literal["metrics", "params", "plots"]


def _coerce(instance: Any, name: str, kind: type[TextEnum], optional: bool = False) -> None:
    """Turn a plain string field of a frozen dataclass into its enum member (a bad value raises
    ``ValueError``), so values read back from JSON are members too."""
    value = getattr(instance, name)
    if optional and value is None:
        return
    object.__setattr__(instance, name, kind(value))


@dataclass(frozen=True)
class StageRun:
    """What happened to one pipeline stage during a reproduction."""

    name: str
    status: StageState
    seconds: float

    def __post_init__(self) -> None:
        _coerce(self, "status", StageState)


@dataclass(frozen=True)
class LoadError:
    """A file DVC could not load at a revision; DVC's CLI exits 0 on these, gitml reports them."""

    source: LoadSource
    rev: str
    file: str | None
    message: str
    #: the one value the error is about (a metric that is not a number); None: the whole file
    metric: str | None = None
    #: why, in gitml's words, and what to do (an output not pulled, a remote that cannot be
    #: reached or never received it); None when gitml knows no more than DVC's message
    hint: str | None = None
    #: the DVC remote the file's output needed, by name (None: none, or not an output)
    remote: str | None = None
    #: the plot (its id in dvc.yaml) a plots error is about
    plot: str | None = None

    @property
    def whole_file(self) -> bool:
        """The whole file (or, with no file, the whole revision) failed, not one value."""
        return self.metric is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rev": self.rev,
            "file": self.file,
            "metric": self.metric,
            "plot": self.plot,
            "message": self.message,
            "hint": self.hint,
            "remote": self.remote,
        }


@dataclass(frozen=True)
class DataChange:
    """A DVC-tracked file or directory added, modified or deleted between two revisions."""

    path: str  # a directory's ends with "/", as in `dvc diff`
    change: DataChangeKind
    base_size: int | None
    head_size: int | None
    #: files in a directory at each side, where DVC knows them (None for files)
    base_files: int | None = None
    head_files: int | None = None
    #: False for an output the workspace (head) declares but does not hold: its head side is
    #: what dvc.lock records (hash, size, files), not what is on disk
    in_workspace: bool = True

    def __post_init__(self) -> None:
        _coerce(self, "change", DataChangeKind)


@dataclass(frozen=True)
class PlotImage:
    """One image file of an image plot (``.png``, ``.jpg``, ``.svg`` in ``plots:``) at a revision."""

    rev: str
    file: str
    data: bytes


@dataclass(frozen=True)
class PlotData:
    """One plot definition with its data points at every revision and its filled Vega-Lite spec.

    An image plot has the template ``"image"``, no data points and its files in ``images``.
    """

    id: str
    title: str
    template: str
    x: str | None
    y: str | None
    x_label: str | None
    y_label: str | None
    #: rows with DVC's "rev" field naming the revision each point belongs to, and, when the plot
    #: reads several files (or fields), DVC's "filename" (and "field") naming the source
    datapoints: list[dict[str, Any]]
    vega_lite: dict[str, Any] | None
    images: tuple[PlotImage, ...] = ()

    def sources(self) -> list[str]:
        """The sources the points come from, in DVC's order: one label per file (and field, when
        a file gives several), or ``[""]`` when the plot reads one."""
        return list(self._grouped()[0]) or [""]

    def series(self, source: str, rev: str) -> list[dict[str, Any]]:
        """The points of one source at one revision, in DVC's order (never mixed with others)."""
        return list(self._grouped()[1].get((source, rev), ()))

    def _grouped(self) -> tuple[dict[str, None], dict[tuple[str, Any], list[dict[str, Any]]]]:
        """The source labels in order and the points by (source, rev), computed once: the
        renderers ask for every series of plots of thousands of points."""
        cached = self.__dict__.get("_grouped_points")
        if cached is None:
            keys = _varying_keys(self.datapoints)
            labels: dict[str, None] = {}
            by_series: dict[tuple[str, Any], list[dict[str, Any]]] = {}
            named: dict[tuple[Any, ...], str] = {}  # a source's fields -> its label, made once
            for row in self.datapoints:
                fields = tuple(map(row.get, keys))
                label = named.get(fields)
                if label is None:
                    label = named[fields] = " ".join(map(str, fields))
                    labels[label] = None
                by_series.setdefault((label, row.get("rev")), []).append(row)
            cached = (labels, by_series)
            object.__setattr__(self, "_grouped_points", cached)  # frozen: the points never change
        return cached


def _varying_keys(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """DVC's source fields that differ between rows: those that tell the series apart."""
    return tuple(key for key in ("filename", "field") if len({r.get(key) for r in rows}) > 1)


@dataclass(frozen=True)
class Revisions:
    """The two revisions compared, spelled as given (and as the load errors name them)."""

    base: str = "base"
    head: str = "head"


#: Revisions known only as base and head (callers that have no names for them).
UNNAMED = Revisions()


@dataclass(frozen=True)
class Side:
    """One side of a comparison as its reader knows it: the revision DVC read (``rev``), its
    name (a branch, a tag, the revision as given) and commit, and what else to know (``note``:
    the workspace's uncommitted changes, a pull request's head)."""

    rev: str
    name: str
    sha: str | None = None
    note: str | None = None

    @property
    def short_sha(self) -> str | None:
        return self.sha[:7] if self.sha else None

    def to_dict(self) -> dict[str, Any]:
        return {"rev": self.rev, "name": self.name, "sha": self.sha, "note": self.note}


@dataclass(frozen=True)
class MetricRow:
    """One metric compared between base and head."""

    file: str
    name: str
    base: float | None
    head: float | None
    delta: float | None
    rel_delta: float | None
    direction: Direction | None  # None when unknown
    status: MetricStatus
    #: the revisions at which its metrics file did not load (status ``not loaded``)
    not_loaded_at: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, "direction", Direction, optional=True)
        _coerce(self, "status", MetricStatus)

    @property
    def key(self) -> str:
        return f"{self.file}:{self.name}"


@dataclass(frozen=True)
class ParamRow:
    """A param whose value differs between base and head."""

    file: str
    name: str
    base: Any
    head: Any


@dataclass(frozen=True)
class GateResult:
    """One rule of one quality gate, evaluated."""

    metric: str
    #: ``file:name`` of the metric row the rule was evaluated on
    row_key: str
    rule: str
    passed: bool
    detail: str

    @property
    def outcome(self) -> Verdict:
        return Verdict.PASS if self.passed else Verdict.FAIL

    def to_dict(self, with_row_key: bool = False) -> dict[str, Any]:
        """The shape reports, promotions and leaderboards write (and the check run reads);
        ``with_row_key`` adds the row's ``file:name`` (the sweep's result files keep it)."""
        found: dict[str, Any] = {"metric": self.metric}
        if with_row_key:
            found["row_key"] = self.row_key
        found.update(rule=self.rule, passed=self.passed, detail=self.detail)
        return found
