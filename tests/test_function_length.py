"""No function in src/gitml is longer than 60 lines (issue 12: one job per function).

A function's length is its ``def`` through its last line (``end_lineno - lineno + 1``, decorators
excluded), docstring and nested functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gitml

MAX_LINES = 60
PACKAGE = Path(gitml.__file__).parent


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function in ``source`` over ``limit``."""
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = child.end_lineno - child.lineno + 1
                if length > limit:
                    found.append((name, child.lineno, length))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def package_long_functions() -> dict[str, list[tuple[str, int, int]]]:
    """The long functions of each module of the package, by path relative to it."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        functions = long_functions(path.read_text(encoding="utf-8"))
        if functions:
            found[path.relative_to(PACKAGE).as_posix()] = functions
    return found


def test_no_function_is_longer_than_60_lines():
    offenders = [
        f"src/gitml/{module}:{line} {name} is {length} lines"
        for module, functions in package_long_functions().items()
        for name, line, length in functions
    ]
    assert not offenders, f"split these by job (at most {MAX_LINES} lines each):\n" + "\n".join(
        offenders
    )


def test_a_function_over_the_limit_is_named_with_its_class():
    body = "".join(f"        x = {i}\n" for i in range(60))
    source = f"class Flow:\n    def run(self):\n{body}\n\ndef short():\n    return 1\n"
    assert long_functions(source) == [("Flow.run", 2, 61)]
    assert long_functions(source, limit=61) == []
