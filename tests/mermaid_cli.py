"""Check Mermaid blocks with Mermaid's own parser and renderer (mermaid-cli, in Chromium).

Every Mermaid block gitml writes goes through this check, since GitHub shows a block Mermaid
cannot parse as an error box. Use it from any test::

    from tests.mermaid_cli import assert_mermaid_renders

    def test_my_markdown_has_valid_mermaid(mmdc, tmp_path):
        assert_mermaid_renders(mmdc, tmp_path, {"leaderboard": markdown_text, "docs": other})

``mmdc`` is a session-wide fixture (registered in ``tests/conftest.py``) that installs the pinned
``@mermaid-js/mermaid-cli`` from npm into the tool cache (``tests/tool_cache.py``) once (``PUPPETEER_SKIP_DOWNLOAD``:
it drives Debian's ``/usr/bin/chromium``). ``assert_mermaid_renders`` takes named Markdown
documents, extracts every fenced ``mermaid`` block, and renders them all in ONE mmdc run (one
browser start, about 10 s), so pass everything a test has in one call. It fails with the
document, the block and Mermaid's message for every block that does not render, and when the
documents hold no block at all. It returns the number of blocks checked.

Node, npm and Chromium are needed: missing, the tests are skipped on a laptop and fail when
``CI`` is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, IN_CI
from tests.tool_cache import TOOL_CACHE

MERMAID_CLI_NPM = "@mermaid-js/mermaid-cli@12.2.0"
TOOLS_DIR = TOOL_CACHE / "npm-tools" / "mermaid-cli-12.2.0"
BLOCK = re.compile(r"^```mermaid[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
RENDERED = re.compile(r"out-(\d+)\.svg")


def mermaid_blocks(markdown: str) -> list[str]:
    """The body of every fenced ``mermaid`` block in ``markdown``, in order."""
    return BLOCK.findall(markdown)


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _install() -> Path:
    """npm-install mermaid-cli into a fresh folder, then move it into place in one rename, so
    parallel test processes never see (or write into) a half-installed copy."""
    TOOLS_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="mermaid-cli-", dir=TOOLS_DIR.parent))
    env = {
        **os.environ,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "npm_config_cache": str(TOOL_CACHE / "npm-cache"),
    }
    result = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", staging, MERMAID_CLI_NPM],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        staging.rename(TOOLS_DIR)
    except OSError:  # another process finished first: use its copy
        shutil.rmtree(staging, ignore_errors=True)
    return TOOLS_DIR


@pytest.fixture(scope="session")
def mmdc() -> Path:
    """The mmdc executable of the pinned mermaid-cli (see the module docstring for use)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            _missing(f"{tool} is needed for mermaid-cli (apt-get install nodejs npm)")
    if not Path(CHROMIUM).exists():
        _missing("chromium is not installed (apt-get install chromium, or run .ci/run)")
    executable = TOOLS_DIR / "node_modules" / ".bin" / "mmdc"
    if not executable.exists():
        _install()
    return executable


def _run(mmdc: Path, blocks: list[str], folder: Path) -> tuple[set[int], str | None]:
    """Render ``blocks`` in one mmdc run: the 1-based numbers rendered, and the error if any."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": CHROMIUM, "args": ["--no-sandbox"]}))
    source = folder / "blocks.md"
    source.write_text("".join(f"```mermaid\n{block}```\n\n" for block in blocks))
    result = subprocess.run(
        [mmdc, "-p", config, "-i", source, "-o", folder / "out.md"],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    rendered = {int(n) for n in RENDERED.findall(result.stdout + result.stderr)}
    if result.returncode == 0:
        return rendered, None
    # Mermaid's message is the first lines of the error, before the stack trace
    message = "\n".join(
        line for line in result.stderr.splitlines() if not line.lstrip().startswith("at ")
    )
    return rendered, message.strip()[:2000] or f"mmdc exited {result.returncode}"


def assert_mermaid_renders(mmdc: Path, tmp_path: Path, documents: dict[str, str]) -> int:
    """Render every Mermaid block of ``documents`` (name -> Markdown); fail on any that breaks."""
    blocks = [(name, body) for name, text in documents.items() for body in mermaid_blocks(text)]
    assert blocks, f"no Mermaid block in {sorted(documents)}: nothing was checked"
    failures: list[str] = []
    remaining, attempt = blocks, 0
    while remaining:
        attempt += 1
        rendered, error = _run(mmdc, [body for _, body in remaining], tmp_path / f"mmdc-{attempt}")
        if error is None:
            break
        # mmdc renders the blocks in order and stops at the first it cannot render
        failed = min(set(range(1, len(remaining) + 1)) - rendered, default=len(remaining))
        name, body = remaining[failed - 1]
        failures.append(f"--- block in {name}:\n{body}--- Mermaid says:\n{error}")
        remaining = remaining[failed:]
    assert not failures, "Mermaid cannot render these blocks:\n\n" + "\n\n".join(failures)
    return len(blocks)
