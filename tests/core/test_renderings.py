"""The one writer of a report's files, shared by the PR report, the monitoring report and sweeps."""

from __future__ import annotations

from gitml.core.model import MetricStatus, StageState, Verdict
from gitml.core.renderings import Renderers, write_renderings
from gitml.core.wording import GATE_MARKS, MARKS, STAGE_TEXT

SHORT = Renderers(
    markdown=lambda text: text[:5],
    full_markdown=lambda text: text,
    json=lambda text: f'"{text}"',
    html=lambda text: f"<p>{text}</p>",
)


def test_the_full_markdown_goes_beside_a_capped_one(tmp_path):
    written = write_renderings(
        "long report", SHORT, tmp_path / "out" / "r.md", tmp_path / "r.json", tmp_path / "r.html"
    )
    assert written.markdown == "long "
    assert [p.name for p in written.paths] == ["r.md", "r.full.md", "r.json", "r.html"]
    assert (tmp_path / "out" / "r.full.md").read_text() == "long report"
    assert (tmp_path / "r.html").read_text() == "<p>long report</p>"


def test_an_uncapped_report_has_no_full_copy_and_nothing_is_written_unasked(tmp_path):
    assert [p.name for p in write_renderings("short", SHORT, tmp_path / "r.md").paths] == ["r.md"]
    nothing = write_renderings("short", SHORT)
    assert nothing.markdown == "short" and nothing.paths == []


def test_every_state_has_its_words():
    assert set(STAGE_TEXT) == set(StageState) and set(MARKS) == set(MetricStatus)
    assert set(GATE_MARKS) == set(Verdict)
    # `gitml run` and the report say the same thing for a stage DVC did not rerun
    assert STAGE_TEXT["skipped"] == "skipped (unchanged)"
