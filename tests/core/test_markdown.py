"""Markdown cells, code spans and tables shared by every rendering."""

from __future__ import annotations

from gitml.core.markdown import cell, code, markdown_cell, table


def test_data_cells_are_literal_text():
    assert cell("a|b") == "a\\|b"
    assert cell("<script>") == "&lt;script&gt;"
    assert cell("@octocat") == "&#64;octocat"
    assert cell("`x`") == "&#96;x&#96;"
    assert cell("line1\nline2\r\nline3") == "line1<br>line2<br>line3"
    assert cell("**bold** _it_ [link](x) ~s~ #1 !") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\[link\\](x) \\~s\\~ \\#1 \\!"
    )
    assert cell(0.5) == "0.5"


def test_markdown_cells_keep_markdown_on_one_line():
    assert markdown_cell("run `gitml run`\n  then **push** | pull") == (
        "run `gitml run` then **push** \\| pull"
    )


def test_code_spans_cannot_be_closed_early():
    assert code("main") == "`main`"
    assert code("a`b\nc") == "`a'b c`"


def test_tables():
    assert table(["A", "B"], [["1", "2"], ["3", "4"]]) == [
        "| A | B |",
        "|---|---|",
        "| 1 | 2 |",
        "| 3 | 4 |",
    ]
    assert table(["Only"], []) == ["| Only |", "|---|"]
    assert table(["", "Metric"], [["", "x"]]) == ["| | Metric |", "|---|---|", "|  | x |"]
