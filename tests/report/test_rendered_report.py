"""What a reader sees: the HTML report in Chromium, every Mermaid block through Mermaid's parser,
and plots over several files, image plots and broken plot files compared with `dvc plots diff`.

The three projects (this repository's reference project, a project with a plot over two files,
an image plot and a broken plot file, and one with hostile plot data) are built once per module:
each costs a `gitml report` run.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import zlib
from pathlib import Path

import pytest

from gitml import dvc_adapter
from gitml.core import html as core_html
from gitml.report import html as html_render
from gitml.report.assemble import build_report
from gitml.report.model import Report
from tests.browser import open_in_browser
from tests.cli import run_dvc, run_gitml
from tests.helpers import REPO_ROOT, git
from tests.mermaid_cli import assert_mermaid_renders, mermaid_blocks
from tests.projects import Project

HOSTILE = "</script><script>document.title='pwned'</script><!--<script>\u2028x"
ROC = {
    "eval/roc/train.json": [(0, 0), (0, 0.8), (0.1, 0.95), (1, 1)],
    "eval/roc/test.json": [(0, 0), (0.2, 0.5), (0.5, 0.7), (1, 1)],
}
MULTI_FILE_DVC_YAML = """\
plots:
  - ROC:
      template: simple
      x: fpr
      y:
        eval/roc/train.json: tpr
        eval/roc/test.json: tpr
  - Confusion:
      template: confusion
      x: actual
      y:
        eval/cm/train.json: predicted
        eval/cm/test.json: predicted
  - eval/importance.png
  - eval/loss.json:
      x: step
      y: loss
"""


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG image of one colour."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory):
    """The isolated host of tests/conftest.py, for module-wide fixtures (built before it runs)."""
    home = tmp_path_factory.mktemp("module-home")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "gitml tests",
            "GIT_AUTHOR_EMAIL": "tests@gitml.invalid",
            "GIT_COMMITTER_NAME": "gitml tests",
            "GIT_COMMITTER_EMAIL": "tests@gitml.invalid",
            "DVC_NO_ANALYTICS": "1",
            "DVC_SITE_CACHE_DIR": str(home / ".dvc-site"),
        }.items():
            patch.setenv(name, value)
        patch.delenv("CI", raising=False)
        yield tmp_path_factory


def new_project(root: Path) -> Project:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    run_dvc("init", "-q", cwd=root, expect=0)
    return Project(root)


def report_files(root: Path, *args: str) -> tuple[str, Path]:
    result = run_gitml("report", *args, "-o", "report.md", cwd=root)
    assert result.returncode == 0, result.stderr
    return (root / "report.md").read_text(), root / "report.html"


@pytest.fixture(scope="module")
def reference(host) -> tuple[str, Path]:
    """The reference project's report (a clone of this repository, workspace against HEAD)."""
    clone = host.mktemp("reference") / "clone"
    git(clone.parent, "clone", "-q", str(REPO_ROOT), str(clone))
    return report_files(clone, "--base", "HEAD")


@pytest.fixture(scope="module")
def multi_file(host) -> Project:
    """ROC and confusion plots over train and test files, an image plot, and at head a test
    ROC that changed, a new image and a broken loss file."""
    project = new_project(host.mktemp("multi") / "project")
    project.write({"dvc.yaml": MULTI_FILE_DVC_YAML})
    project.write(
        {
            path: {"roc": [{"fpr": x, "tpr": y, "threshold": 1 - x} for x, y in points]}
            for path, points in ROC.items()
        }
    )
    project.write(
        {
            "eval/cm/train.json": [{"actual": "a", "predicted": "a"}] * 3
            + [{"actual": "a", "predicted": "b"}],
            "eval/cm/test.json": [{"actual": "b", "predicted": "b"}] * 2,
            "eval/loss.json": [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.0}],
        }
    )
    (project.root / "eval" / "importance.png").write_bytes(png(4, 3, (200, 0, 0)))
    project.commit("base")
    project.write({"eval/roc/test.json": {"roc": [{"fpr": 0, "tpr": 0}, {"fpr": 1, "tpr": 1}]}})
    (project.root / "eval" / "importance.png").write_bytes(png(6, 3, (0, 0, 200)))
    (project.root / "eval" / "loss.json").write_text('[{"step": 1,', encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def multi_file_report(multi_file: Project) -> tuple[str, Path]:
    return report_files(multi_file.root, "--base", "main")


@pytest.fixture(scope="module")
def multi_file_built(multi_file: Project) -> Report:
    """The multi-file project's report, built in process (its PlotData and errors)."""
    return build_report(base="main", root=multi_file.root)


@pytest.fixture(scope="module")
def hostile(host) -> tuple[str, Path]:
    """Plot titles, labels, categories and a metric name made to break out of a script."""
    project = new_project(host.mktemp("hostile") / "project")
    project.write(
        {
            "dvc.yaml": (
                "metrics:\n  - metrics.json\nplots:\n"
                f"  - curve.json:\n      title: {json.dumps(HOSTILE)}\n      x: x\n      y: y\n"
                "  - bars.csv:\n      template: bar_horizontal\n      x: value\n      y: name\n"
                "  - cm.json:\n      template: confusion\n      x: actual\n      y: predicted\n"
            ),
            "metrics.json": {HOSTILE: 0.5},
            "curve.json": [{"x": i, "y": i * i, "note": HOSTILE} for i in range(4)]
            + [{"x": 5, "y": float("nan")}],
            "bars.csv": f'name,value\n"{HOSTILE}",0.7\nplain,0.2\n',
            "cm.json": [
                {"actual": HOSTILE, "predicted": "<!--"},
                {"actual": "x", "predicted": "x"},
            ],
        }
    )
    project.commit("base")
    project.write({"metrics.json": {HOSTILE: 0.6}})
    return report_files(project.root, "--base", "main")


# -- the HTML in a real browser --------------------------------------------------------------


def test_reference_report_renders_every_plot_in_chromium(browser, reference):
    markdown, page_path = reference
    page = open_in_browser(browser, page_path)
    page.assert_clean()
    assert len(page.charts) == 4 and all(count >= 1 for count in page.charts.values())
    # the whole report, readable on its own
    for heading in ("Quality gates", "Metrics", "Data changed", "Plots", "ROC curve"):
        assert heading in page.text
    assert page.text.startswith(markdown.splitlines()[0].lstrip("# "))
    assert "roc_auc" in page.text and "min 0.95" in page.text


def test_hostile_plot_data_cannot_break_the_page(browser, hostile):
    _markdown, page_path = hostile
    page = open_in_browser(browser, page_path)
    page.assert_clean()
    assert len(page.charts) == 3 and all(page.charts.values())
    assert HOSTILE.replace("\u2028", " ")[:40] in page.text.replace("\u2028", " ")  # text, inert


def test_multi_file_report_renders_charts_images_and_load_errors(browser, multi_file_report):
    _markdown, page_path = multi_file_report
    page = open_in_browser(browser, page_path)
    page.assert_clean()
    assert sorted(page.charts) == ["0: ROC", "1: Confusion", "3: eval/loss.json"]
    assert "Load errors" in page.text and "eval/loss.json" in page.text
    html = page_path.read_text()
    red, blue = (
        base64.b64encode(png(*s)).decode() for s in ((4, 3, (200, 0, 0)), (6, 3, (0, 0, 200)))
    )
    assert html.index(red) < html.index(blue)  # base, then head, side by side
    specs = json.loads(html.split('id="gitml-specs">')[1].split("</script>")[0])
    roc = specs["0: ROC"]  # drawn through the points in DVC's order, not re-sorted by x
    assert roc["encoding"]["order"] == {"field": "gitml_order", "type": "quantitative"}
    values = roc["data"]["values"]
    confusion = json.dumps(specs["1: Confusion"])  # counted per revision and file, as faceted
    assert '"groupby": ["predicted", "actual", "rev", "filename"]' in confusion
    assert '"sort": []' not in confusion
    assert [row["gitml_order"] for row in values] == list(range(len(values)))


def test_script_inlining_keeps_the_program_and_cannot_be_closed():
    code = 'const r = /</g; const s = "</script><!--<SCRIPT>"; // </Script\n'
    safe = core_html.script_safe_code(code)
    assert "/</g" in safe  # a regular expression rewriting every "</" broke the Vega bundle
    assert not re.search(r"</script|<!--|<script", safe, re.IGNORECASE)
    assert safe.count("\\x3C") == 4
    data = core_html.script_safe_json({"k": HOSTILE, "n": [float("nan"), float("inf"), 1.5]})
    assert json.loads(data) == {"k": HOSTILE, "n": [None, None, 1.5]}
    assert not re.search(r"[<>&\u2028\u2029]", data)


def test_an_oversized_image_is_not_embedded_and_says_so(monkeypatch, multi_file_built):
    monkeypatch.setattr(html_render, "MAX_IMAGE_BYTES", 50)
    page = html_render.render(multi_file_built)
    assert "data:image/png" not in page
    assert "too large to embed" in page


# -- Mermaid blocks through Mermaid's own parser ---------------------------------------------


@pytest.mark.slow(minutes=1)
def test_every_mermaid_block_gitml_writes_renders(
    mmdc, tmp_path, reference, multi_file_report, hostile
):
    documents = {
        "reference report": reference[0],
        "multi-file report": multi_file_report[0],
        "hostile report": hostile[0],
        "docs/architecture.md": (REPO_ROOT / "docs" / "architecture.md").read_text(),
    }
    assert all(mermaid_blocks(text) for text in documents.values())
    assert assert_mermaid_renders(mmdc, tmp_path, documents) >= 8


def test_the_mermaid_check_fails_on_a_block_mermaid_cannot_parse(mmdc, tmp_path):
    good = "```mermaid\nxychart-beta\n  line [1, 2]\n```\n"
    bad = '```mermaid\nxychart-beta\n  title "unterminated\n  line [1, 2\n```\n'
    with pytest.raises(AssertionError) as failure:
        assert_mermaid_renders(mmdc, tmp_path, {"doc": good + bad + good + bad})
    message = str(failure.value)
    assert message.count("--- block in doc") == 2 and "Parse error" in message


# -- plots over several files, images and load errors, against `dvc plots diff --json` ------


def dvc_plots_diff(project: Project) -> dict:
    result = run_dvc("plots", "diff", "main", "--json", cwd=project.root, expect=0)
    return json.loads(result.stdout)


def test_plots_and_errors_equal_dvc_plots_diff(multi_file, multi_file_built):
    theirs = dvc_plots_diff(multi_file)
    report = multi_file_built
    ours = {plot.id: plot for plot in report.plots}
    assert set(ours) == set(theirs["data"])
    for plot_id, entries in theirs["data"].items():
        if entries[0]["type"] == "vega":
            values = entries[0]["content"]["data"]["values"]
            assert json.dumps(ours[plot_id].datapoints, sort_keys=True) == json.dumps(
                values, sort_keys=True
            )
        else:
            assert {image.rev for image in ours[plot_id].images} == {
                rev for entry in entries for rev in entry["revisions"]
            }
    assert {(e.rev, e.file) for e in report.errors if e.source == "plots"} == {
        (error["rev"], error["source"]) for error in theirs["errors"]
    }


def test_mermaid_draws_one_chart_per_file_and_never_mixes_them(multi_file_report):
    markdown, _page = multi_file_report
    charts = {
        re.search(r'title "([^"]*)"', block).group(1): block for block in mermaid_blocks(markdown)
    }
    assert {"ROC (train.json)", "ROC (test.json)"} <= set(charts)
    assert not any(title.startswith("ROC") and "(" not in title for title in charts)
    for block in (charts["ROC (train.json)"], charts["ROC (test.json)"]):
        for line in re.findall(r"line \[([^\]]*)\]", block):
            values = [float(v) for v in line.split(",")]
            assert all(a <= b for a, b in itertools.pairwise(values)), block  # ROC never falls
    train = re.findall(r"line \[([^\]]*)\]", charts["ROC (train.json)"])
    assert train[0] == train[1]  # train did not change; test did
    assert "| **a** | 3 | 1 |" in markdown  # train's confusion counts, not summed with test's
    assert "| **b** | 2 |" in markdown  # test's own table, with its own labels
    assert "- `eval/importance.png`: image plot (at `main`, `workspace`)" in markdown
    assert "HTML report" in markdown


def test_a_broken_plot_file_is_a_load_error_in_every_rendering(multi_file, multi_file_report):
    markdown, _page = multi_file_report
    assert "### Load errors" in markdown
    row = next(
        line for line in markdown.splitlines() if "eval/loss.json" in line and "plots" in line
    )
    assert "workspace" in row and "corrupted" in row


def test_a_broken_dvc_yaml_at_head_is_a_plot_load_error_not_no_plots(multi_file, tmp_path):
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(multi_file.root), str(copy))
    (copy / "dvc.yaml").write_text("plots:\n  - eval/loss.json:\n      y: [loss\n")
    with dvc_adapter.open_repo(copy) as repo:
        plots, errors = dvc_adapter.plots(repo, "main", "workspace")
    assert [(e.rev, e.file) for e in errors] == [("workspace", None)]
    assert "dvc.yaml" in errors[0].message
    page = html_render.render(Report(base="main", head="workspace", plots=plots, errors=errors))
    assert "No plots are defined" not in page and "eval/loss.json" in page  # base's plots drawn
    page = html_render.render(Report(base="main", head="workspace", errors=errors))
    assert "No plots are defined" not in page
    assert "DVC could not load the plots defined in dvc.yaml" in page
