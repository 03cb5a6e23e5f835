"""The demo's steps in order: the GitOps loop played out on one machine with gitml's library
functions, the same ones the workflows' commands call.

Each step starts from what the earlier steps left (their facts in the demo's state), replaces its
own files, and can therefore run again after a failure. The clones stand in for the people and
runners of a real project: ``workspace`` is the data scientist's, ``ci-pull-request-N`` the PR
workflow's runner for pull request N, ``ci-main`` the release workflow's runner; ``origin.git``
is the repository on GitHub and ``dvc-remote`` the bucket. The loop runs twice: pull request #1
changes a hyper-parameter; pull request #2 is opened by `gitml retrain` with the labelled rows
the monitoring step collected. Then prod: the retrained version is validated on the traffic prod
logged and promoted, and prod is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from gitml.demo.context import Context
from gitml.demo.monitoring import monitor_traffic
from gitml.demo.production import roll_back, validate_and_promote
from gitml.demo.pull_request import check_pull_request, merge, open_pull_request, post_comment
from gitml.demo.release import build_bento, promote_model, serve_and_predict
from gitml.demo.repository import baseline, create_repository
from gitml.demo.retraining import retrain_through_pull_request

#: the first pull request: a data scientist's experiment
EXPERIMENT = 1
EXPERIMENT_BRANCH = "experiment/deeper-trees"
#: the second: the retraining pull request `gitml retrain` opens
RETRAINING = 2


class Step(NamedTuple):
    #: what the state file records
    key: str
    title: str
    run: Callable[[Context], None]


def pull_request_cycle(number: int, suffix: str, what: str) -> list[Step]:
    """CI, comment, merge, release, build and serve for pull request ``number``."""
    return [
        Step(
            f"check{suffix}",
            f"CI on pull request #{number}: reproduce and report",
            partial(check_pull_request, number=number),
        ),
        Step(
            f"comment{suffix}",
            f"Post the sticky comment on pull request #{number} (GitHub emulated on 127.0.0.1)",
            partial(post_comment, number=number),
        ),
        Step(f"merge{suffix}", f"Merge pull request #{number}", partial(merge, number=number)),
        Step(
            f"promote{suffix}",
            f"Release on main: promote {what} (git tags)",
            partial(promote_model, number=number),
        ),
        Step(
            f"build{suffix}",
            f"Build the Bento of {what} and smoke-test it",
            partial(build_bento, number=number),
        ),
        Step(
            f"serve{suffix}",
            f"Serve {what} and send it real rows",
            partial(serve_and_predict, number=number),
        ),
    ]


STEPS: list[Step] = [
    Step("repository", "Create the repository from the reference project", create_repository),
    Step("baseline", "Train the baseline on main and push it to the DVC remote", baseline),
    Step(
        "pull-request",
        f"Open pull request #{EXPERIMENT}: a hyper-parameter change",
        partial(open_pull_request, number=EXPERIMENT, branch=EXPERIMENT_BRANCH),
    ),
    *pull_request_cycle(EXPERIMENT, "", "the model"),
    Step("monitor", "Monitor the served model: shifted traffic, feedback, drift", monitor_traffic),
    Step(
        "retrain",
        f"Retrain: gitml retrain trains on the labelled rows and opens pull request #{RETRAINING}",
        partial(retrain_through_pull_request, number=RETRAINING),
    ),
    *pull_request_cycle(RETRAINING, f"-{RETRAINING}", "the retrained model"),
    Step(
        "prod",
        "Prod: validate on prod's logged traffic, then promote (the release's prod move)",
        validate_and_promote,
    ),
    Step("rollback", "Roll prod back, and read the registry's history", roll_back),
]
#: steps that run again even when done: serving the model in production is the proof, and it
#: leaves nothing behind
ALWAYS_RUN = {f"serve-{RETRAINING}"}
