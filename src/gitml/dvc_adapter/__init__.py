"""The one package that talks to DVC's Python API.

DVC's in-process functions (``Repo.metrics.show``, ``Repo.params.diff``, the plots renderers, the
data index) are not a documented API, which is why DVC's minor version is pinned and why nothing
else in gitml imports ``dvc``: a DVC upgrade touches this package only. Everything here returns
plain Python data (dicts, lists, dataclasses), never DVC objects; callers hold the repository as
a :class:`DvcRepo` and hand it back.

One module per job: ``repository`` (opening a project, DVC's environment and logs, revisions),
``failures`` (DVC's exceptions as gitml errors), ``transfer`` (pull and push), ``reproduction``
(``dvc repro``), ``metrics``, ``data_index_diff`` and ``plot_data`` (the diffs), ``compare``
(all of them with each revision read once), ``outputs`` (artifacts, tracked files, URLs), ``lineage`` (what a model was trained from),
``project`` (set-up, remotes, what dvc.yaml declares), ``experiments`` (``gitml sweep``) and
``staleness`` (the promote guard).
"""

from gitml.dvc_adapter.compare import RevisionComparison, compare_revisions
from gitml.dvc_adapter.data_index_diff import data_diff
from gitml.dvc_adapter.experiments import (
    apply_experiment,
    has_experiment,
    param_names,
    run_experiment,
    run_experiments_in_parallel,
    set_params,
)
from gitml.dvc_adapter.lineage import Lineage, TrackedInput, model_lineage
from gitml.dvc_adapter.metrics import flatten_metrics, metrics_at, metrics_diff, params_diff
from gitml.dvc_adapter.outputs import artifact_path, declared_artifacts, read_output, url_filesystem
from gitml.dvc_adapter.plot_data import plots
from gitml.dvc_adapter.project import (
    ProjectOutline,
    TrackedData,
    add_default_remote,
    init_dvc,
    pipeline_dependencies,
    pipeline_git_files,
    project_outline,
    share_local_settings,
    track,
    tracked_data,
)
from gitml.dvc_adapter.repository import WORKSPACE, DvcRepo, check_revision, open_repo
from gitml.dvc_adapter.reproduction import reproduce
from gitml.dvc_adapter.staleness import StaleStage, stale_stages
from gitml.dvc_adapter.transfer import checkout_data, pull, push, push_data

__all__ = [
    "WORKSPACE",
    "DvcRepo",
    "Lineage",
    "ProjectOutline",
    "RevisionComparison",
    "StaleStage",
    "TrackedData",
    "TrackedInput",
    "add_default_remote",
    "apply_experiment",
    "artifact_path",
    "check_revision",
    "checkout_data",
    "compare_revisions",
    "data_diff",
    "declared_artifacts",
    "flatten_metrics",
    "has_experiment",
    "init_dvc",
    "metrics_at",
    "metrics_diff",
    "model_lineage",
    "open_repo",
    "param_names",
    "params_diff",
    "pipeline_dependencies",
    "pipeline_git_files",
    "plots",
    "project_outline",
    "pull",
    "push",
    "push_data",
    "read_output",
    "reproduce",
    "run_experiment",
    "run_experiments_in_parallel",
    "set_params",
    "share_local_settings",
    "stale_stages",
    "track",
    "tracked_data",
    "url_filesystem",
]
