"""Words the renderings share, so the terminal, Markdown and HTML say the same thing."""

from __future__ import annotations

from gitml.core.model import MetricStatus, StageState, Verdict

#: A metric's status in the reports and leaderboards.
MARKS = {
    MetricStatus.IMPROVED: "🟢 better",
    MetricStatus.REGRESSED: "🔴 worse",
    MetricStatus.UNCHANGED: "⚪ same",
    MetricStatus.CHANGED: "🔵 changed",
    MetricStatus.NEW: "🆕 new",
    MetricStatus.REMOVED: "➖ removed",
    MetricStatus.NOT_LOADED: "⚠️ not loaded",
}

#: A value that could not be read at a revision (its file did not load).
NOT_LOADED_VALUE = "not loaded"

#: A gate's outcome in the reports.
GATE_MARKS = {
    Verdict.PASS: "✅ pass",
    Verdict.FAIL: "❌ fail",
    Verdict.INCOMPLETE: "⚠️ incomplete",
}

#: A pipeline stage's state, as `gitml run` prints it and the report shows it. "skipped" is DVC's
#: word for a stage whose inputs did not change ("didn't change, skipping").
STAGE_TEXT = {
    StageState.RAN: "ran",
    StageState.RESTORED: "restored from run-cache",
    StageState.SKIPPED: "skipped (unchanged)",
    StageState.FAILED: "failed",
}
