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
    split_specs,
)


def test_a_spec_is_values_read_as_dvcs_own_set_param_reads_them() -> None:
    axis = parse_spec("train.lr=0.1,1e-3,true,abc,[1, 2]")
    assert axis == Axis("params.yaml", "train.lr", (0.1, 0.001, True, "abc", [1, 2]))
    # DVC's -S (Hydra's grammar), not YAML 1.1: these stay text; a quoted comma is one value
    axis = parse_spec("m.kind=yes,no,on,off,2020-01-01,'a,b'")
    assert axis.values == ("yes", "no", "on", "off", "2020-01-01", "a,b")


@pytest.mark.parametrize(
    "spec",
    ["max_depth=!!binary aGk=", "max_depth=!!set {a}", "max_depth=&a [*a]", "a=interval(0,1)"],
)
def test_what_dvc_does_not_read_as_a_value_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError, match="is not a value DVC's -S reads"):
        parse_spec(spec)


def test_a_date_is_text_and_its_cell_works() -> None:
    [cell] = expand([parse_spec("max_depth=2020-01-01")])
    assert cell.params == {"max_depth": "2020-01-01"}
    assert cell.overrides() == ["max_depth='2020-01-01'"]


def test_gitml_sweep_set_splits_on_lines_and_spaces_outside_quotes_and_brackets() -> None:
    assert split_specs("a=1,2 b='x y',z\n  c=[1, 2]\n\n") == ("a=1,2", "b='x y',z", "c=[1, 2]")
    assert parse_spec(split_specs("b='x y',z")[0]).values == ("x y", "z")


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
    cell = Cell("n", {"train.lr": 0.1, "conf.yaml:m.kind": "b", "flag": True, "m.k": "a,b"})
    # text quoted, so DVC reads back exactly the value (a comma is no sweep, "yes" no boolean)
    assert cell.overrides() == ["train.lr=0.1", "conf.yaml:m.kind='b'", "flag=true", "m.k='a,b'"]


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


def test_set_params_writes_every_file_or_none(tmp_path) -> None:
    from gitml.dvc_adapter import set_params

    (tmp_path / "params.yaml").write_text("a: 1  # kept\n")
    (tmp_path / "conf.yaml").write_text("b: 2\n")
    with pytest.raises(ConfigError, match="no params file was changed"):
        set_params(tmp_path, ["a=5", "conf.yaml:missing.key=3"])
    assert (tmp_path / "params.yaml").read_text() == "a: 1  # kept\n"
    set_params(tmp_path, ["a=5", "conf.yaml:b='x,y'"])
    assert (tmp_path / "params.yaml").read_text() == "a: 5  # kept\n"
    assert (tmp_path / "conf.yaml").read_text() == "b: x,y\n"
