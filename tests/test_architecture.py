"""The import contract in pyproject.toml holds, can fail, covers every module, and matches the
diagram in docs/architecture.md.

``lint-imports`` (import-linter) reads ``[tool.importlinter]``: a layers contract (a module imports
only from the layers below its own; modules separated by ``|`` never import each other) and one
forbidden contract per tool gitml wraps, so each tool is imported from one place only.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from gitml.config import tomllib

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "gitml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]
#: The one place allowed to import each wrapped tool (the forbidden contracts' complement).
TOOL_OWNERS = {
    "dvc": {"gitml.dvc_adapter"},
    "gto": {"gitml.registry"},
    "bentoml": {"gitml.serving"},
    "pygithub": {"gitml.github"},
}


def _contract(contract_id: str) -> dict:
    return next(c for c in CONTRACT["contracts"] if c["id"] == contract_id)


def _layers() -> list[set[str]]:
    """The layers contract, top first, each layer as its set of module names."""
    return [{m.strip() for m in layer.split("|")} for layer in _contract("layers")["layers"]]


def _top_level_modules() -> set[str]:
    """Every module and package directly inside ``gitml`` (the package itself aside)."""
    found = {p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    return found | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}


def lint_imports(config: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--cache-dir", str(cache), str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def broken_contracts(output: str) -> list[str]:
    """The names of the contracts lint-imports reports as broken."""
    return re.findall(r"^(.+?) BROKEN$", output, re.MULTILINE)


def test_the_import_contracts_hold(tmp_path):
    result = lint_imports(REPO / "pyproject.toml", tmp_path / "cache")
    broken = broken_contracts(result.stdout)
    assert result.returncode == 0 and not broken, (
        f"import contracts broken: {broken}\n{result.stdout}\n{result.stderr}"
    )
    kept = re.findall(r"^(.+?) KEPT$", result.stdout, re.MULTILINE)
    assert len(kept) == len(CONTRACT["contracts"])


def test_a_violating_layer_order_is_reported_broken(tmp_path):
    """The check can fail: the same contract with two layers swapped (the report above the CLI)
    is broken, and named."""
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    swapped = config.replace('  "commands",\n', '  "report",\n', 1).replace(
        '  "report | serving | scaffold | run | stages | github_emulator",\n',
        '  "commands | serving | scaffold | run | stages | github_emulator",\n',
        1,
    )
    assert swapped != config
    (tmp_path / "pyproject.toml").write_text(swapped, encoding="utf-8")
    result = lint_imports(tmp_path / "pyproject.toml", tmp_path / "cache")
    assert result.returncode != 0
    assert broken_contracts(result.stdout) == [_contract("layers")["name"]]
    assert "gitml.commands" in result.stdout and "gitml.report" in result.stdout


def test_every_module_has_a_layer_and_every_tool_one_owner():
    layered = set().union(*_layers())
    assert layered == _top_level_modules(), "give every top-level module a layer in pyproject.toml"
    everything = {f"gitml.{name}" for name in layered}
    for contract_id, owners in TOOL_OWNERS.items():
        sources = set(_contract(contract_id)["source_modules"])
        assert sources | owners == everything and not sources & owners, contract_id


def _diagram_layers(markdown: str) -> list[set[str]]:
    """The subgraphs of the "Layers" diagram, in order, each as the set of its nodes' ids."""
    block = re.search(r"## Layers\n.*?```mermaid\n(.*?)```", markdown, re.DOTALL)
    assert block, "docs/architecture.md has no Mermaid diagram under '## Layers'"
    layers: list[set[str]] = []
    inside = False
    for line in block.group(1).splitlines():
        line = line.strip()
        if line.startswith("subgraph "):
            layers.append(set())
            inside = True
        elif line == "end":
            inside = False
        elif inside and line:
            layers[-1].add(re.match(r"[\w]+", line).group(0))
    return layers


def test_the_architecture_diagram_draws_the_contract_s_layers():
    markdown = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert _diagram_layers(markdown) == _layers()


@pytest.mark.parametrize("contract_id", sorted(TOOL_OWNERS))
def test_forbidden_contracts_allow_only_indirect_imports(contract_id):
    # indirect imports (the report through the adapter) are the point of an adapter
    assert _contract(contract_id)["allow_indirect_imports"] is True


def test_the_architecture_diagrams_render(mmdc, tmp_path):
    from tests.mermaid_cli import assert_mermaid_renders

    markdown = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert assert_mermaid_renders(mmdc, tmp_path, {"docs/architecture.md": markdown}) == 3


def _feature(module: str) -> str:
    """The top-level package (feature) a dotted ``gitml.*`` module belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2])


def private_borrowings(package: Path = PACKAGE) -> list[str]:
    """Every place a module uses another top-level package's underscored name: ``from gitml.x.y
    import _name`` or ``module._name`` on a ``gitml`` module imported from another package."""
    import ast

    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).with_suffix("")
        module = ".".join(p for p in relative.parts if p != "__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        foreign: dict[str, str] = {}  # local name -> the gitml module it names
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gitml."):
                for alias in node.names:
                    source = node.module or ""
                    if _feature(source) == _feature(module):
                        continue
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{module}: from {source} import {alias.name}")
                    foreign[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    named = alias.name.startswith("gitml.") and alias.asname
                    if named and _feature(alias.name) != _feature(module):
                        foreign[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{module}: {foreign[node.value.id]}.{node.attr}")
    return found


def test_no_package_borrows_another_package_s_private_names():
    """Shared helpers are public names in core/ (or their own package); a feature reaching into
    another feature's ``_underscored`` names couples the two behind the contract's back."""
    assert private_borrowings() == []


def test_the_private_name_check_finds_a_borrowing(tmp_path):
    package = tmp_path / "gitml"
    for folder in ("monitor", "report"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "report" / "mermaid.py").write_text("def _label(x):\n    return x\n")
    (package / "monitor" / "markdown.py").write_text(
        "from gitml.report.mermaid import _label\n"
        "from gitml.report import mermaid\n"
        "x = mermaid._label(1)\n"
    )
    (package / "report" / "own.py").write_text("from gitml.report.mermaid import _label\n")
    assert private_borrowings(package) == [
        "gitml.monitor.markdown: from gitml.report.mermaid import _label",
        "gitml.monitor.markdown: gitml.report.mermaid._label",
    ]
