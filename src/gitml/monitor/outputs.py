"""The step outputs ``gitml monitor`` writes in GitHub Actions, as data.

The monitoring workflow decides from them whether its retraining job runs, so the rule lives
here and not in YAML: retraining is due on drift or a failed gate (never on ``untested``: a blind
spot is no reason to retrain) when ``--export-labelled`` wrote at least one labelled row.
"""

from __future__ import annotations

from gitml.monitor.export import Exported
from gitml.monitor.model import MonitorReport


def step_outputs(report: MonitorReport, exported: Exported | None) -> dict[str, str]:
    """``verdict`` always; with an export, ``labelled-rows`` and ``retrain`` (true or false)."""
    outputs = {"verdict": report.verdict}
    if exported is not None:
        outputs["labelled-rows"] = str(exported.rows)
        outputs["retrain"] = "true" if report.retrain_due and exported.rows > 0 else "false"
    return outputs
