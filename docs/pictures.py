"""Make the README's pictures from a ``gitml demo`` folder, in the Chromium the tests drive.

    python3 -m uv run --frozen --extra test python docs/pictures.py [--demo-dir gitml-demo]

It runs ``gitml demo --dir DIR`` first when DIR holds no finished demo, then writes:

* ``docs/images/pr-comment.png``: the sticky comment of pull request #1 as GitHub renders it
  (GitHub's own Markdown stylesheet, ``github-markdown-css``; the Mermaid charts drawn by Mermaid);
* ``docs/images/report-html.png``: the top of the offline HTML report of that pull request;
* ``docs/images/monitoring-issue.png``: the sticky monitoring issue, rendered like the comment.

Rendering Markdown: markdown-it-py with GitHub's extensions that gitml uses (tables,
strikethrough, raw HTML for ``<details>``). Mermaid and the stylesheet come from npm, installed
once into the tests' tool cache (``tests/tool_cache.py``'s folder). Needs node, npm and Debian's
``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
PACKAGES = ("mermaid@12.4.0", "github-markdown-css@5.9.0")
TOOL_CACHE = Path(
    os.environ.get("GITML_TEST_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gitml-tests"
)
NPM_DIR = TOOL_CACHE / "npm-tools" / "pictures"
MERMAID_BLOCK = re.compile(r"^```mermaid[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
WIDTH = 980  # GitHub's conversation column, in CSS pixels


def npm_tools() -> Path:
    """The npm packages above, installed once (an atomic rename, like the tests' tools)."""
    if (NPM_DIR / "node_modules" / "mermaid").is_dir():
        return NPM_DIR / "node_modules"
    NPM_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="pictures-", dir=NPM_DIR.parent))
    subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(staging),
            *PACKAGES,
        ],
        check=True,
    )
    staging.rename(NPM_DIR)
    return NPM_DIR / "node_modules"


def demo_folder(folder: Path) -> Path:
    """``folder`` holding a finished demo: the demo is run (or resumed) when it does not."""
    if (
        not (folder / "ci-pull-request-1" / "report.md").is_file()
        or not (folder / "github" / "monitoring-issue.md").is_file()
    ):
        gitml = shutil.which("gitml") or str(Path(sys.executable).with_name("gitml"))
        subprocess.run([gitml, "demo", "--dir", str(folder)], check=True)
    return folder


def github_html(markdown: str, title: str, modules: Path) -> str:
    """``markdown`` as a GitHub comment page: GitHub's stylesheet, Mermaid blocks drawn."""
    from markdown_it import MarkdownIt

    charts: list[str] = []

    def keep_chart(found: re.Match[str]) -> str:
        charts.append(found.group(1))
        return f"\n<div data-chart='{len(charts) - 1}'></div>\n"

    text = MERMAID_BLOCK.sub(keep_chart, markdown)
    body = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)
    for index, chart in enumerate(charts):
        body = body.replace(
            f"<div data-chart='{index}'></div>",
            f'<pre class="mermaid">{html.escape(chart)}</pre>',
        )
    css = (modules / "github-markdown-css" / "github-markdown-light.css").read_text()
    mermaid = (modules / "mermaid" / "dist" / "mermaid.min.js").read_text()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{css}
body {{ margin: 0; background: #fff; }}
.comment {{ border: 1px solid #d0d7de; border-radius: 6px; margin: 16px; }}
.comment header {{ background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 8px 16px;
  font: 14px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #59636e; }}
.markdown-body {{ padding: 16px; }}
</style>
<script>{mermaid}</script></head>
<body><div class="comment"><header><b>github-actions</b> bot commented</header>
<div class="markdown-body">{body}</div></div>
<script>mermaid.initialize({{startOnLoad: false}});
mermaid.run().then(() => document.body.dataset.drawn = "yes");</script>
</body></html>"""


def screenshot(page_html: str | None, target: Path, source: Path | None = None) -> None:
    """A full-page PNG of ``page_html`` (or of the file ``source``), 980 CSS pixels wide."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        path = source
        if path is None:
            path = Path(tmp) / "page.html"
            path.write_text(page_html or "", encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900}, device_scale_factor=1)
        page.route("http*://**", lambda route: route.abort())  # offline, as the tests check
        page.goto(path.as_uri())
        if source is None:
            page.wait_for_selector("body[data-drawn=yes]", timeout=60_000)
        else:
            page.wait_for_timeout(2_000)  # the report's own charts draw on load
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=source is None)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-dir", type=Path, default=REPO / "gitml-demo")
    args = parser.parse_args()
    folder = demo_folder(args.demo_dir.resolve())
    modules = npm_tools()
    comment = (folder / "ci-pull-request-1" / "report.md").read_text(encoding="utf-8")
    screenshot(github_html(comment, "pull request #1", modules), IMAGES / "pr-comment.png")
    screenshot(None, IMAGES / "report-html.png", folder / "ci-pull-request-1" / "report.html")
    issue = (folder / "github" / "monitoring-issue.md").read_text(encoding="utf-8")
    screenshot(github_html(issue, "monitoring issue", modules), IMAGES / "monitoring-issue.png")
    for name in ("pr-comment", "report-html", "monitoring-issue"):
        print(f"wrote {IMAGES / name}.png")


if __name__ == "__main__":
    main()
