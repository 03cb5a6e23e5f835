"""The one way the tests run a command line: ``run_gitml`` (and ``run_dvc``) start this
environment's console script as a real process; the ``gitml_main`` fixture (root conftest) calls
``gitml.cli.main`` in the test's process. Both return a ``CliResult``.

    result = run_gitml("report", "--base", "main", cwd=project, expect=0)
    assert result.stdout.startswith("# Report")

The ``gitml`` and ``dvc`` processes are forked from a zygote that imported DVC, pandas and the rest
once (``tests/forkserver.py``): still one new process per command, with the test's argv, cwd and
whole environment, but without a second of imports each. ``GITML_TEST_FORK=0`` in the environment
runs them as plain subprocesses of the console scripts instead.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests import forkserver

BIN = Path(sys.executable).parent
#: The installed ``gitml`` executable, for tests that need a long-running ``Popen``.
GITML = str(BIN / "gitml")
DVC = str(BIN / "dvc")


@dataclass(frozen=True)
class CliResult:
    """What a command line run left: its exit code and both streams."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    # the short names some tests read (``run.code == 0 and run.out.startswith(...)``)
    @property
    def code(self) -> int:
        return self.returncode

    @property
    def out(self) -> str:
        return self.stdout

    @property
    def err(self) -> str:
        return self.stderr

    @property
    def output(self) -> str:
        """stdout then stderr, for messages that may land on either."""
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return (
            f"CliResult(args={self.args!r}, code={self.returncode}, "
            f"out={self.stdout[-2000:]!r}, err={self.stderr[-2000:]!r})"
        )


def check_exit(result: CliResult, expect: int | None) -> CliResult:
    """``result``, or an AssertionError with both streams when its exit code is not ``expect``."""
    if expect is not None and result.returncode != expect:
        raise AssertionError(
            f"{' '.join(result.args)} exited {result.returncode}, expected {expect}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def run_tool(
    executable: str,
    *args: str,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    expect: int | None = None,
    timeout: float | None = None,
) -> CliResult:
    """Run ``executable ARGS`` in ``cwd`` with ``env`` (the whole environment; default: the
    test's) and capture its output; with ``expect``, fail the test on another exit code.
    ``gitml`` and ``dvc`` are forked from the fork server when it suits (``tests/forkserver.py``)."""
    completed = forkserver.run(executable, list(args), cwd, env, timeout) or subprocess.run(
        [executable, *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    name = Path(executable).name
    result = CliResult((name, *args), completed.returncode, completed.stdout, completed.stderr)
    return check_exit(result, expect)


def run_gitml(
    *args: str,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    expect: int | None = None,
    timeout: float | None = None,
) -> CliResult:
    """Run the installed ``gitml ARGS`` as a real process (see ``run_tool``)."""
    return run_tool(GITML, *args, cwd=cwd, env=env, expect=expect, timeout=timeout)


def run_dvc(
    *args: str,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    expect: int | None = None,
    timeout: float | None = None,
) -> CliResult:
    """Run this environment's ``dvc ARGS`` as a real process (see ``run_tool``)."""
    return run_tool(DVC, *args, cwd=cwd, env=env, expect=expect, timeout=timeout)
