"""Any nesting DVC flattens, gitml flattens the same way (property-based, on a real project).

For generated metrics files (nested tables, lists, nulls, strings, booleans, huge integers,
infinities), the names and values in gitml's report are those DVC itself reads from the file, and
``gitml init``'s flatten agrees; the JSON report stays strict; and a name whose dotted part is a
known metric gets that metric's direction.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitml import dvc_adapter
from gitml.config import Settings
from gitml.core.compare import KNOWN_DIRECTIONS, as_number, known_direction, resolve_direction
from gitml.dvc_adapter import flatten_metrics as flatten
from gitml.report import json_render
from gitml.report.assemble import build_report
from tests.cli import run_dvc
from tests.helpers import git

KNOWN = [name for names in KNOWN_DIRECTIONS.values() for name in names]
# Keys as people write them (no dots: "a.b" next to a: {b} is a name DVC itself cannot flatten).
KEYS = st.one_of(
    st.sampled_from([*KNOWN[:6], "train", "test", "val", "fold_1", "per-class", "Ünïcode"]),
    st.text(st.characters(codec="utf-8", exclude_characters="."), min_size=1, max_size=8),
)
LEAVES = st.one_of(
    st.floats(allow_nan=False),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)
TREES = st.recursive(LEAVES, lambda inner: st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)
METRICS = st.dictionaries(KEYS, TREES, min_size=1, max_size=5)


def dvc_reads(repo) -> dict:
    """What DVC reads from the one metrics file in the workspace, flattened by DVC (``dvc metrics show``)."""
    from dvc.utils.flatten import flatten as dvc_flatten

    (workspace,) = repo.metrics.show().values()  # the workspace only
    (entry,) = workspace["data"].values()  # the one metrics file
    shown = entry.get("data", {})
    return dict(dvc_flatten(shown)) if isinstance(shown, dict) else {}


def test_gitml_flattens_every_nesting_as_dvc_does(tmp_path: Path):
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    run_dvc("init", "-q", cwd=root, expect=0)
    (root / "dvc.yaml").write_text("metrics:\n  - metrics.json\n")
    (root / "metrics.json").write_text("{}")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "empty metrics")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(METRICS)
    def check(data: dict) -> None:
        (root / "metrics.json").write_text(json.dumps(data))  # Infinity as Python writes it
        with dvc_adapter.open_repo(root) as repo:
            theirs = dvc_reads(repo)
        assert flatten(data) == theirs
        report = build_report(base="HEAD", root=root, settings=Settings())
        rows = {row.name: row for row in report.metrics}
        assert set(rows) == set(theirs)
        for name, value in theirs.items():
            assert rows[name].head == as_number(value), name
            assert rows[name].status == ("new" if as_number(value) is not None else "unchanged")
        strict = json.loads(
            json_render.render(report),
            parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)),
        )
        assert len(strict["metrics"]) == len(theirs)
        for name in theirs:
            known = {KNOWN_DIRECTIONS["higher"][0]: "higher", "loss": "lower"}
            parts = name.lower().split(".")
            for part, direction in known.items():
                others = [known_direction(p) for p in parts if p != part]
                if part in parts and all(found in (None, direction) for found in others):
                    assert resolve_direction("metrics.json", name, {}) == direction

    check()


def test_a_dotted_name_twice_is_one_clear_error_as_in_dvc(tmp_path: Path):
    import pytest

    from gitml.errors import DataError

    with pytest.raises(DataError, match=r"duplicated key 'a\.b'"):
        flatten({"a.b": 1, "a": {"b": 2}})
    assert math.isinf(flatten({"x": {"y": math.inf}})["x.y"])
