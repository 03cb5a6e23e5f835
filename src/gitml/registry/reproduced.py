"""The promote guard: a version is registered only on a commit whose ``dvc.lock`` describes it.

A commit whose data, params or code changed while its ``dvc.lock`` did not (a retraining PR that
only moved the data, a params change merged without reproducing) names the model of an older
run: registering it would ship that older model under the new version. The check reads only the
commit (hashes in ``.dvc`` files and ``dvc.lock``, the committed params and code), so it needs no
data in the workspace; see :func:`gitml.dvc_adapter.stale_stages`.
"""

from __future__ import annotations

from pathlib import Path

from gitml import dvc_adapter
from gitml.errors import GatesFailed


class StaleLock(GatesFailed):
    """The commit's dvc.lock does not match its data, params or code (exit 1: a refusal)."""


def describe_stale(stages: list[dvc_adapter.StaleStage]) -> str:
    """``prepare (data changed), train (params train changed)``."""
    return ", ".join(f"{stage.name} ({'; '.join(stage.reasons)})" for stage in stages)


def check_reproduced(root: Path | str, artifact: str, commit: str) -> None:
    """Refuse (``StaleLock``) when ``dvc status`` on ``commit`` would call a stage changed."""
    stale = dvc_adapter.stale_stages(root, commit)
    if not stale:
        return
    raise StaleLock(
        f"refusing to promote {artifact} at {commit[:12]}: its dvc.lock does not match its "
        f"data, params or code, so the model it names was not trained on them; stale "
        f"stage(s): {describe_stale(stale)}; reproduce the pipeline on that commit and commit "
        "the result (`gitml run --push`, then commit dvc.lock and the metrics files), as "
        "`gitml retrain` does unless --no-repro"
    )
