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
