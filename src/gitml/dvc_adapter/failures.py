"""DVC's exceptions turned into gitml's one-line errors."""

from __future__ import annotations

from gitml.dvc_adapter.repository import DvcRepo
from gitml.errors import (
    ConfigError,
    DataError,
    GitmlError,
    PipelineError,
    describe_exception,
)


def _causes(error: BaseException) -> list[BaseException]:
    chain = [error]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    return chain


def definition_error(error: BaseException) -> ConfigError | None:
    """A broken pipeline definition (dvc.yaml syntax, schema, cycle, duplicate outputs) in
    ``error``'s causes, as the ``ConfigError`` every command reports for it; else None."""
    from dvc.exceptions import (
        CyclicGraphError,
        OutputDuplicationError,
        OverlappingOutputPathsError,
    )
    from dvc.utils.strictyaml import YAMLSyntaxError, YAMLValidationError

    for cause in _causes(error):
        if isinstance(cause, (YAMLSyntaxError, YAMLValidationError)):
            return ConfigError(f"dvc.yaml is broken: {describe_exception(cause)}; fix the file")
        if isinstance(
            cause, (CyclicGraphError, OutputDuplicationError, OverlappingOutputPathsError)
        ):
            return ConfigError(f"dvc.yaml is broken: {describe_exception(cause)}")
    return None


def dvc_failure(error: Exception, pulled_from: str | None = None) -> GitmlError:
    """Turn a DVC exception (and its causes) into one actionable gitml error.

    ``pulled_from`` names the remote just pulled from: then "pull it" is no advice.
    """
    from dvc.exceptions import ReproductionError
    from dvc.stage.exceptions import MissingDataSource, StageCmdFailedError

    broken = definition_error(error)
    if broken is not None:
        return broken
    chain = _causes(error)
    for cause in chain:
        if isinstance(cause, MissingDataSource) and pulled_from:
            return DataError(
                f"{describe_exception(cause)}; it was just pulled from {pulled_from}, which "
                "lacks it: push it from a machine that has it (`dvc push`)"
            )
        if isinstance(cause, MissingDataSource):
            return DataError(
                f"{describe_exception(cause)}; pull it with `gitml run --pull`, and if the DVC "
                "remote lacks it too, push it from a machine that has it (`dvc push`)"
            )
        if isinstance(cause, StageCmdFailedError):
            return PipelineError(
                f"{describe_exception(chain[0])}: {describe_exception(cause)}; "
                "the stage's own error is printed above"
            )
    if isinstance(error, ReproductionError):
        return PipelineError(describe_exception(error))
    return PipelineError(f"DVC failed: {describe_exception(error)}")


def remote_description(repo: DvcRepo, remote: str | None) -> str:
    try:
        name = remote or repo.config["core"].get("remote")
        url = repo.config["remote"][name]["url"] if name else None
    except (KeyError, TypeError):
        return f"remote '{remote}'" if remote else "the default remote"
    return f"remote '{name}' ({url})" if name else "the default remote (none configured)"
