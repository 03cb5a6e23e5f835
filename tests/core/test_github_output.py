"""The one ``$GITHUB_OUTPUT`` writer: one-line values as ``name=value``, others as heredocs."""

from __future__ import annotations

import pytest

from gitml.core.github_output import format_output, write_outputs


def _parse(text: str) -> dict[str, str]:
    """Read the file as the Actions runner does (name=value, or name<<DELIMITER blocks)."""
    values, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            values[name] = "\n".join(block)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_nothing_is_written_outside_github_actions(tmp_path):
    assert write_outputs({"a": "1"}) is None
    assert list(tmp_path.iterdir()) == []


def test_values_are_appended_to_the_file_github_names(tmp_path, monkeypatch):
    target = tmp_path / "output"
    target.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    assert write_outputs({"verdict": "pass", "image": None}) == target
    assert target.read_text() == "earlier=1\nverdict=pass\nimage=\n"


def test_multi_line_values_use_a_random_heredoc_delimiter(tmp_path):
    target = tmp_path / "output"
    tricky = "line one\nverdict=fail\nEOF\r\nlast"
    write_outputs({"notes": tricky, "verdict": "pass"}, target)
    write_outputs({"notes2": tricky}, target)
    text = target.read_text()
    first, second = (line.split("<<")[1] for line in text.splitlines() if "<<" in line)
    assert first != second and first.startswith("gitml_")
    assert first not in tricky
    assert _parse(text) == {
        "notes": tricky.replace("\r\n", "\n"),
        "verdict": "pass",
        "notes2": tricky.replace("\r\n", "\n"),
    }


def test_a_name_the_runner_cannot_read_is_refused():
    for bad in ("", "a=b", "a<<b", "a\nb"):
        with pytest.raises(ValueError, match="cannot be written"):
            format_output(bad, "x")
