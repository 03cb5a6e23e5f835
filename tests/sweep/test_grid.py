"""The grid: DVC's -S syntax, products, seeded subsets, stable names, GitHub's matrix limit."""

from __future__ import annotations

import json

import pytest

from gitml.config import parse_settings
from gitml.errors import ConfigError, UsageError
from gitml.sweep.grid import (
    Axis,
    Cell,
    axes_from_config,
    check_matrix_size,
    check_params_exist,
    expand,
    find_cell,
    parse_spec,
)


def test_a_spec_is_values_parsed_as_yaml() -> None:
    axis = parse_spec("train.lr=0.1,1e-3,true,abc,[1, 2]")
    assert axis == Axis("params.yaml", "train.lr", (0.1, 0.001, True, "abc", [1, 2]))


def test_a_spec_may_name_its_params_file() -> None:
    axis = parse_spec("conf/p.yaml:model.depth=2,4")
    assert (axis.file, axis.name, axis.key) == (
        "conf/p.yaml",
        "model.depth",
        "conf/p.yaml:model.depth",
    )


@pytest.mark.parametrize("spec", ["train.lr", "=1,2", "train.lr=", "a=1,1"])
def test_malformed_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_spec(spec)


def test_several_specs_form_the_product_in_grid_order() -> None:
    cells = expand([parse_spec("a=1,2"), parse_spec("b=x,y,z")])
    assert [c.params for c in cells] == [{"a": a, "b": b} for a in (1, 2) for b in ("x", "y", "z")]
    assert len({c.name for c in cells}) == 6


def test_names_depend_on_params_only() -> None:
    first = expand([parse_spec("a=1,2")])
    again = expand([parse_spec("a=2,1")])
    assert {c.name: c.params for c in first} == {c.name: c.params for c in again}


def test_max_runs_picks_a_seeded_subset_in_grid_order() -> None:
    axes = [parse_spec("a=1,2,3,4"), parse_spec("b=1,2,3")]
    subset = expand(axes, max_runs=5)
    assert len(subset) == 5
    assert subset == expand(axes, max_runs=5)
    full = expand(axes)
    assert [full.index(c) for c in subset] == sorted(full.index(c) for c in subset)


def test_overrides_are_dvc_set_param_strings() -> None:
    cell = Cell("n", {"train.lr": 0.1, "conf.yaml:m.kind": "b", "flag": True})
    assert cell.overrides() == ["train.lr=0.1", "conf.yaml:m.kind=b", "flag=true"]


def test_an_unknown_param_is_refused_before_anything_runs() -> None:
    known = {"params.yaml": {"train.depth", "train.kind"}}
    check_params_exist([parse_spec("train.depth=1,2")], known)
    with pytest.raises(ConfigError, match=r"train\.dpth is not in params\.yaml"):
        check_params_exist([parse_spec("train.dpth=1,2")], known)
    with pytest.raises(ConfigError, match=r"other\.yaml is not a params file"):
        check_params_exist([parse_spec("other.yaml:x=1")], known)


def test_more_cells_than_githubs_matrix_limit_are_refused() -> None:
    cells = expand(
        [
            parse_spec("a=" + ",".join(map(str, range(16)))),
            parse_spec("b=" + ",".join(map(str, range(17)))),
        ]
    )
    with pytest.raises(UsageError, match="272 runs, more than GitHub's limit of 256"):
        check_matrix_size(cells)


def test_find_cell_names_the_grid() -> None:
    cells = expand([parse_spec("a=1")])
    assert find_cell(cells, cells[0].name) == cells[0]
    with pytest.raises(UsageError, match="no run named 'nope'"):
        find_cell(cells, "nope")


def test_the_grid_from_config() -> None:
    settings = parse_settings(
        {
            "sweep": {
                "params": {"train.depth": [2, 4], "p.yaml:k": ["a"]},
                "max_runs": 1,
                "rank_by": "score",
            }
        }
    )
    axes = axes_from_config(settings.sweep.params)
    assert [(a.file, a.name, a.values) for a in axes] == [
        ("params.yaml", "train.depth", (2, 4)),
        ("p.yaml", "k", ("a",)),
    ]
    assert settings.sweep.max_runs == 1 and settings.sweep.rank_by == "score"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"sweep": {"param": {}}}, "unknown key param"),
        ({"sweep": {"params": {"a": []}}}, "non-empty list"),
        ({"sweep": {"params": {"a": 3}}}, "non-empty list"),
        ({"sweep": {"max_runs": 0}}, "positive integer"),
        ({"sweep": {"rank_by": 3}}, "rank_by must be a metric name"),
        ({"sweep": 3}, "must be a table"),
    ],
)
def test_bad_sweep_config_is_refused(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(table)


def test_the_plan_is_a_matrix_github_accepts() -> None:
    from gitml.sweep.flow import matrix

    cells = expand([parse_spec("a=1,2")])
    plan = json.loads(matrix(cells))
    assert plan == {"include": [{"name": c.name, "params": " ".join(c.overrides())} for c in cells]}
