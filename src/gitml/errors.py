"""One error base for every expected failure, and the exit codes gitml uses.

Every ``GitmlError`` carries a one-line message that names the cause and the fix; the CLI prints it
as ``ERROR: ...`` and exits with the error's code. Tracebacks are shown only with ``-v``.
"""

from __future__ import annotations

EXIT_OK = 0
#: Quality gates failed (``gitml report --check``), a promotion was refused, or what was asked
#: for does not exist (``gitml models --artifact NAME``, as ``gto show NAME`` exits 1).
EXIT_GATES_FAILED = 1
#: Bad usage or bad configuration: the user must change a command or a file. Click uses 2 as well.
EXIT_USAGE = 2
#: The environment failed: missing data, unreachable remote, pipeline or API errors.
EXIT_FAILURE = 3


def first_line(error: BaseException) -> str:
    """The first non-empty line of an exception's message ("" when it has none): messages from
    DVC, GTO and git can run to many lines, gitml's errors are one."""
    message = str(error).strip()
    return message.splitlines()[0] if message else ""


def describe_exception(error: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none."""
    return first_line(error) or type(error).__name__


class GitmlError(Exception):
    """An expected failure with an actionable, one-line message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(GitmlError):
    """Bad configuration in ``pyproject.toml``, ``params.yaml`` or ``dvc.yaml``."""

    exit_code = EXIT_USAGE


class UsageError(GitmlError):
    """A command was called with arguments that cannot work."""

    exit_code = EXIT_USAGE


class DataError(GitmlError):
    """Data or model files are missing or unreadable."""


class RemoteError(GitmlError):
    """A DVC or git remote could not be reached, refused a transfer, or is missing objects."""


class GitError(GitmlError):
    """A git command failed on the local repository (a commit, a worktree, a ref), not a remote."""


class PipelineError(GitmlError):
    """A pipeline stage failed or the pipeline definition is broken."""


class RevisionError(GitmlError):
    """A git revision could not be resolved."""

    exit_code = EXIT_USAGE


class GatesFailed(GitmlError):
    """One or more quality gates failed."""

    exit_code = EXIT_GATES_FAILED


class NotFound(GitmlError):
    """What the command was asked to show does not exist (an artifact no tag or dvc.yaml names)."""

    exit_code = EXIT_GATES_FAILED


class GitHubError(GitmlError):
    """The GitHub API refused a request, could not be reached, or kept failing after retries."""


class Refused(GitmlError):
    """gitml refuses to act on something it does not trust (a foreign commit, a crafted file)."""

    exit_code = EXIT_GATES_FAILED


class InputError(UsageError):
    """A file given on the command line is not what it must be (a labelled rows file, a result
    file): bad input, fixed by changing the file."""
