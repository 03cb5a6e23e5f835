"""``gitml retrain`` in one call: the two halves, one after the other, on this machine.

``prepare`` (labelled rows in, the pipeline reproduced, one commit, no token anywhere near it)
writes a hand-off folder; ``publish`` (the token, no project code) checks it, pushes the branch
and opens or updates the pull request. The workflow runs them in two jobs; here the token is
read only once the stages are done: from ``request.token_file``, or from ``env`` (a mapping this
process was given, never its own environment when stages run: ``request.refuse_tokens``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from gitml.errors import UsageError
from gitml.retrain.prepare import prepare, stage_words
from gitml.retrain.publish import PublishRequest, publish
from gitml.retrain.pull_request import pull_requests, target_context
from gitml.retrain.request import Retrained, RetrainRequest, model_name

__all__ = ["RetrainRequest", "Retrained", "model_name", "retrain", "stage_words"]


def retrain(request: RetrainRequest, env: Mapping[str, str] | None = None) -> Retrained:
    """Append ``request.data`` to the dataset on a retraining branch, push, open or update the PR."""
    env = os.environ if env is None else env
    # before any work: where the pull request goes, and a token (a file is read only later)
    if request.token_file is not None:
        if request.pr:
            target_context(env, request.repository, request.api_url)
        if not os.access(request.token_file, os.R_OK):
            raise UsageError(f"cannot read the token file {request.token_file}")
    elif request.pr:
        pull_requests(env, request.repository, request.api_url)
    with tempfile.TemporaryDirectory(prefix="gitml-retrain-handoff-") as folder:
        prepared = prepare(request, Path(folder))
        if prepared.nothing and not prepared.branch:
            return prepared
        return publish(
            PublishRequest(
                folder=Path(folder),
                pr=request.pr,
                repository=request.repository,
                api_url=request.api_url,
                remote=request.remote,
                root=request.root,
                branch=request.branch,
                token_file=request.token_file,
            ),
            env,
        )
