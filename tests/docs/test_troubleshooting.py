"""docs/troubleshooting.md quotes the messages gitml really prints, and its exit codes are right.

Every ``ERROR: ...`` and ``WARNING: ...`` line inside a code block of the page must match a string
written in ``src/gitml``: the message is compared with each string literal and f-string of the
source, where an f-string's ``{...}`` parts match anything. The page writes those parts as
placeholders (``<rev>``) or as a concrete example; everything else must be the code's exact text.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache
from pathlib import Path

import pytest

from gitml import errors

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = REPO_ROOT / "docs" / "troubleshooting.md"
SOURCE = REPO_ROOT / "src" / "gitml"
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def quoted_messages(text: str) -> list[str]:
    """The ``ERROR:``/``WARNING:`` lines inside the page's fenced code blocks."""
    lines = []
    for block in FENCE.findall(text):
        lines += [line for line in block.splitlines() if line.startswith(("ERROR: ", "WARNING: "))]
    return lines


#: A message must match a source string with at least this many literal characters: strings such
#: as "{a}: {b}" or "WARNING: {w}" match anything and prove nothing.
MIN_LITERAL = 15

#: Lines that gitml composes from two strings of the code, with the parts each must match.
COMPOSED = {
    "ERROR: could not create the registry tags: <GTO's message>; set them, e.g. "
    "`git config user.name gitml-bot` and `git config user.email ...`": [
        "create the registry tags",
        "; set them, e.g. `git config user.name gitml-bot` and `git config user.email ...`",
    ],
    "ERROR: bentoml serve exited with code <code> before ready: <the last line of its output>": [
        "bentoml serve exited with code <code> before ready",
    ],
}


def _pattern(node: ast.AST) -> tuple[str, int] | None:
    """A source string as (regex, number of literal characters)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value), len(node.value)
    if isinstance(node, ast.JoinedStr):
        parts, literal = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(re.escape(value.value))
                literal += len(value.value)
            else:  # a {...} part: anything
                parts.append(".*")
        return "".join(parts), literal
    return None


@cache
def source_patterns() -> tuple[tuple[re.Pattern, int], ...]:
    """Every string literal and f-string in src/gitml, as a regex ({...} parts match anything)."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            pattern = _pattern(node)
            if pattern:
                found[pattern[0]] = pattern[1]
    return tuple((re.compile(p, re.DOTALL), n) for p, n in sorted(found.items()))


def matches(text: str, min_literal: int = MIN_LITERAL) -> bool:
    """True when ``text`` matches a source string that has ``min_literal`` literal characters."""
    return any(n >= min_literal and p.fullmatch(text) for p, n in source_patterns())


def occurs_in_source(line: str) -> bool:
    """True when the line, or the message after its ``ERROR: ``/``WARNING: ``, is in the code."""
    if line in COMPOSED:
        message = line.split(": ", 1)[1]
        return matches(message, 0) and all(matches(part) for part in COMPOSED[line])
    return matches(line) or matches(line.split(": ", 1)[1])


def test_the_page_quotes_many_messages():
    quoted = quoted_messages(PAGE.read_text(encoding="utf-8"))
    assert len(quoted) >= 50
    assert set(COMPOSED) <= set(quoted), "COMPOSED names a line the page no longer quotes"


@pytest.mark.parametrize("line", quoted_messages(PAGE.read_text(encoding="utf-8")))
def test_quoted_message_still_occurs_in_the_code(line):
    assert occurs_in_source(line), (
        "docs/troubleshooting.md quotes a message that src/gitml no longer prints; copy the "
        f"current text from the code (dynamic parts as <placeholders>):\n{line}"
    )


def test_the_check_rejects_a_made_up_message():
    assert not occurs_in_source("ERROR: unknown git revision '<rev>'; try harder")
    assert not occurs_in_source("ERROR: anything at all: with a colon")
    assert not occurs_in_source("WARNING: anything at all")
    assert occurs_in_source(
        "ERROR: unknown git revision '<rev>'; check the name, or fetch it first with `git fetch origin`"
    )


def test_the_cli_prints_the_error_prefix_the_page_shows():
    from gitml import cli

    assert 'f"ERROR: {error.message}"' in inspect.getsource(cli)


def exit_code_table() -> dict[int, list[str]]:
    text = PAGE.read_text(encoding="utf-8").split("## Exit codes", 1)[1]
    table = {}
    for code, names in re.findall(r"^\| (\d+) \| [^|]+ \|\s*([^|]*?)\s*\|$", text, re.MULTILINE):
        table[int(code)] = re.findall(r"`(\w+)`", names)
    return table


def test_exit_code_table_matches_errors_py():
    table = exit_code_table()
    assert {0, 1, 2, 3} <= set(table)
    assert (errors.EXIT_OK, errors.EXIT_GATES_FAILED, errors.EXIT_USAGE, errors.EXIT_FAILURE) == (
        0,
        1,
        2,
        3,
    )
    documented = set()
    for code, names in table.items():
        for name in names:
            assert getattr(errors, name).exit_code == code, (name, code)
            documented.add(name)
    classes = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.GitmlError)
    }
    assert classes == documented, "every error class of gitml.errors is in the exit code table"
