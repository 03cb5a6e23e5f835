"""Checking and appending rows, on plain files: types, classes, duplicates, the atomic write."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from gitml.dvc_adapter import TrackedData
from gitml.errors import EXIT_USAGE, InputError
from gitml.retrain import append, labelled
from gitml.retrain.dataset import Dataset, read

TRACKED = TrackedData(output="data", dvc_file="data.dvc", is_dir=True)


def csv_dataset(tmp_path: Path, text: str, target: str = "label") -> tuple[Dataset, pd.DataFrame]:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "d.csv").write_text(text)
    dataset = Dataset(path="data/d.csv", tracked=TRACKED, target=target)
    return dataset, read(tmp_path, dataset)


def new_file(tmp_path: Path, text: str, name: str = "new.csv") -> list[labelled.LabelledFile]:
    path = tmp_path / name
    path.write_text(text)
    return labelled.read_files([path])


def test_rows_are_typed_as_the_dataset_and_duplicates_dropped_and_counted(tmp_path):
    dataset, existing = csv_dataset(tmp_path, "x,n,colour,label\n0.1,1,red,yes\n0.25,2,,no\n")
    files = new_file(
        tmp_path,
        # columns in another order; a row already present; a row twice; 3.0 in an int column
        "label,colour,x,n\nyes,red,0.1,1\nno,blue,0.3,3.0\nno,blue,0.3,3\nyes,,1e-3,4\n",
    )
    rows = labelled.check(files, existing, dataset)
    assert rows.sources == (("new.csv", 4),)
    result = append.append_rows(tmp_path, dataset, existing, rows.frame)
    assert (result.added, result.duplicates, result.repeated) == (2, 1, 1)
    assert (result.rows_before, result.rows_after) == (2, 4)
    assert (tmp_path / "data" / "d.csv").read_text() == (
        "x,n,colour,label\n0.1,1,red,yes\n0.25,2,,no\n0.3,3,blue,no\n0.001,4,,yes\n"
    )
    assert not [p for p in (tmp_path / "data").iterdir() if p.name != "d.csv"]  # no temp left


def test_the_target_column_is_the_datasets_own_never_a_guessed_target(tmp_path):
    dataset, existing = csv_dataset(tmp_path, "x,label\n1.5,yes\n")
    with pytest.raises(InputError) as refused:
        labelled.check(new_file(tmp_path, "x,target\n2.5,yes\n"), existing, dataset)
    assert "(missing label; unknown target)" in refused.value.message
    assert refused.value.exit_code == EXIT_USAGE  # bad input, not a broken environment


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "x,n,label\n0.5,1,yes\n,2,no\n",
            "row 2 (line 3), column 'x': '' is missing, and this column has no missing values",
        ),
        (
            "x,n,label\n0.5,1.5,yes\n",
            "row 1 (line 2), column 'n': '1.5' is not a whole number, and this column holds integers",
        ),
        (
            "x,n,label\n0.5,1,yes\ninf,1,no\n",
            "row 2 (line 3), column 'x': 'inf' is not a finite number",
        ),
        (
            "x,n,label\n0.5,1,maybe\n",
            "row 1 (line 2), column 'label': 'maybe' is not a class the dataset knows ('no', 'yes')",
        ),
        # numbers as the dataset's CSV reader (pandas) reads them, not as float() does
        (
            "x,n,label\n1_000,1,yes\n",
            "row 1 (line 2), column 'x': '1_000' is not a number (as the dataset's CSV reader "
            "reads numbers)",
        ),
        (
            "x,n,label\n0.5,\u0661\u0662,yes\n",
            "row 1 (line 2), column 'n': '\u0661\u0662' is not a number (as the dataset's CSV "
            "reader reads numbers)",
        ),
        (
            "x,n,label\n0.5,1e30,yes\n",
            "row 1 (line 2), column 'n': '1e30' is out of the range of this column's 64-bit "
            "integers",
        ),
    ],
)
def test_a_bad_value_refuses_the_file_naming_the_row(tmp_path, text, problem):
    dataset, existing = csv_dataset(tmp_path, "x,n,label\n0.1,1,yes\n0.2,2,no\n")
    files = new_file(tmp_path, text)
    with pytest.raises(InputError) as refused:
        labelled.check(files, existing, dataset)
    assert refused.value.message == (
        f"{files[0].path} is refused: {problem}; fix or remove that row, nothing was appended"
    )


def test_the_first_bad_row_is_named_whichever_column_it_is_in(tmp_path):
    dataset, existing = csv_dataset(tmp_path, "x,n,label\n0.1,1,yes\n")
    files = new_file(tmp_path, "x,n,label\n0.5,1,yes\n0.5,zz,yes\nbad,1,yes\n")
    with pytest.raises(InputError, match=r"row 2 \(line 3\), column 'n'"):
        labelled.check(files, existing, dataset)


def test_scikit_learns_layout_keeps_its_count_row_right(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "d.csv").write_text("2,2,no,yes\r\n1.0,2.0,0\r\n3.5,4.25,1")  # CRLF, no final newline
    (data / "names.txt").write_text("a\nb\n")
    dataset = Dataset("data/d.csv", TRACKED, format="sklearn", feature_names="data/names.txt")
    existing = read(tmp_path, dataset)
    assert list(existing.columns) == ["a", "b", "target"]
    rows = labelled.check(new_file(tmp_path, "b,a,target\n8,7.5,1\n2.0,1.0,0\n"), existing, dataset)
    before = os.stat(data / "d.csv").st_ino
    result = append.append_rows(tmp_path, dataset, existing, rows.frame)
    assert (result.added, result.duplicates) == (1, 1)
    assert (
        data / "d.csv"
    ).read_bytes() == b"3,2,no,yes\r\n1.0,2.0,0\r\n3.5,4.25,1\r\n7.5,8.0,1\r\n"
    assert os.stat(data / "d.csv").st_ino != before  # replaced, never written in place


def test_a_file_with_other_columns_is_refused(tmp_path):
    dataset, existing = csv_dataset(tmp_path, "x,n,label\n0.1,1,yes\n")
    files = new_file(tmp_path, "x,label,extra\n0.5,yes,1\n")
    with pytest.raises(InputError) as refused:
        labelled.check(files, existing, dataset)
    assert refused.value.message == (
        f"{files[0].path} is refused: its columns do not match the dataset data/d.csv (missing "
        "n; unknown extra); export it with the training data's columns"
    )


def test_empty_files_have_no_rows(tmp_path):
    dataset, existing = csv_dataset(tmp_path, "x,label\n0.1,yes\n")
    files = [*new_file(tmp_path, "", "a.csv"), *new_file(tmp_path, "x,label\n", "b.csv")]
    rows = labelled.check(files, existing, dataset)
    assert rows.sources == (("a.csv", 0), ("b.csv", 0)) and rows.frame.empty


def test_a_huge_whole_number_in_an_integer_target_is_refused_not_a_crash(tmp_path):
    dataset, existing = csv_dataset(tmp_path, "x,label\n0.1,0\n0.2,1\n")
    for value in ("1e30", "99999999999999999999", "-1e19"):
        with pytest.raises(InputError, match="out of the range of this column's 64-bit integers"):
            labelled.check(new_file(tmp_path, f"x,label\n0.5,{value}\n"), existing, dataset)
    rows = labelled.check(new_file(tmp_path, "x,label\n+.5,1.0\n1e-3,0\n"), existing, dataset)
    assert rows.frame.to_dict("records") == [{"x": 0.5, "label": 1}, {"x": 0.001, "label": 0}]


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b'x,label\n"unclosed,1\n'])
def test_a_labelled_file_that_is_not_csv_is_bad_input(tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as refused:
        labelled.read_files([path])
    assert refused.value.exit_code == EXIT_USAGE
    assert refused.value.message.startswith(f"cannot read the labelled file {path} as CSV (")


def test_the_target_comes_from_settings_else_params_else_a_clear_error(tmp_path):
    from gitml.config import parse_settings
    from gitml.errors import ConfigError
    from gitml.retrain.dataset import resolve

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("x,outcome\n0.1,1\n")
    no_target = parse_settings({})
    with pytest.raises(ConfigError) as unknown:
        resolve(tmp_path, TRACKED, "data/d.csv", no_target)
    assert unknown.value.message == (
        "cannot tell the target column of the dataset data/d.csv: set [tool.gitml.retrain] "
        'target = "COLUMN" in pyproject.toml (or data.target in params.yaml)'
    )
    (tmp_path / "params.yaml").write_text("data:\n  path: data/d.csv\n  target: outcome\n")
    assert resolve(tmp_path, TRACKED, "data/d.csv", no_target).target == "outcome"
    configured = parse_settings({"retrain": {"target": "label"}})
    assert resolve(tmp_path, TRACKED, "data/d.csv", configured).target == "label"  # settings win
