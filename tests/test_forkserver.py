"""The fork server the tests run gitml and dvc through (tests/forkserver.py): a forked command
sees what a fresh process of the console script would, and ``GITML_TEST_FORK=0`` gives the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import forkserver
from tests.cli import GITML, run_gitml, run_tool

#: A console script of its own for these tests: each argument asks the process for one thing.
PROBE_MODULE = """
import atexit, json, os, subprocess, sys, threading, time

def main():
    what, *rest = sys.argv[1:]
    if what == "facts":
        import fsspec.config
        print(json.dumps({
            "argv": sys.argv, "cwd": os.getcwd(), "home": os.path.expanduser("~"),
            "token": os.environ.get("PROBE_TOKEN"), "ppid": os.getppid(),
            "child_env": subprocess.run(["sh", "-c", "echo $PROBE_TOKEN"], capture_output=True,
                                        text=True).stdout,
            "stdin": sys.stdin.read(), "fsspec_conf_dir": fsspec.config.conf_dir,
            "main_file": sys.modules["__main__"].__file__, "path0": sys.path[0],
            "environ": dict(os.environ),
        }))
    elif what == "streams":
        print("to stdout\\r\\nline two")
        print("to stderr ü", file=sys.stderr)
    elif what == "exit":
        return int(rest[0])
    elif what == "message":
        sys.exit("refused: a message")
    elif what == "raise":
        raise ValueError("an uncaught error")
    elif what == "atexit":
        atexit.register(lambda: print("atexit ran"))
        threading.Thread(target=lambda: (time.sleep(0.2), print("thread done"))).start()
        sys.stdout.write("buffered, no newline")
    elif what == "random":
        import numpy
        print(numpy.random.random())
    elif what == "meet":  # leave a mark, wait for the other command's
        open(rest[0], "w").close()
        deadline = time.monotonic() + 20
        while not os.path.exists(rest[1]) and time.monotonic() < deadline:
            time.sleep(0.05)
        return 0 if os.path.exists(rest[1]) else 1
    elif what == "sleep":
        print(os.getpid(), flush=True)
        time.sleep(float(rest[0]))
"""


@pytest.fixture(autouse=True)
def fork_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the server: on even in a run with ``GITML_TEST_FORK=0``."""
    monkeypatch.delenv("GITML_TEST_FORK", raising=False)


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The path of a ``forkprobe`` console script (in ``tmp_path/bin``), known to the server."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "forkprobe_main.py").write_text(PROBE_MODULE)
    script = folder / "forkprobe"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom forkprobe_main import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    monkeypatch.setitem(forkserver.ENTRY_POINTS, "forkprobe", "forkprobe_main:main")
    return str(script)


def both_ways(monkeypatch: pytest.MonkeyPatch, program: str, *args: str, cwd=None, timeout=None):
    """(forked, plain subprocess) results of ``program ARGS``; fails if the first did not fork."""
    forked = forkserver.run(program, list(args), cwd, None, timeout)
    assert forked is not None, forkserver.last_fallback
    monkeypatch.setenv("GITML_TEST_FORK", "0")
    plain = run_tool(program, *args, cwd=cwd, timeout=timeout)
    monkeypatch.delenv("GITML_TEST_FORK")
    return forked, plain


def test_a_forked_command_sees_the_callers_env_cwd_and_home_at_call_time(
    probe, tmp_path, monkeypatch
):
    seen = []
    for n in (1, 2):
        home = tmp_path / f"home{n}"
        work = tmp_path / f"work{n}"
        for folder in (home, work):
            folder.mkdir()
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("PROBE_TOKEN", f"token-{n}")
        monkeypatch.chdir(work)
        if n == 2:  # one the zygote started with
            monkeypatch.delenv("PATH")
        result = forkserver.run(probe, ["facts"], None, None, None)
        assert result is not None, forkserver.last_fallback
        assert result.returncode == 0, result
        seen.append(json.loads(result.stdout))
        assert seen[-1]["environ"] == dict(os.environ)  # the whole environment, nothing more
    for n, facts in enumerate(seen, start=1):
        assert facts["argv"] == [probe, "facts"]
        assert facts["cwd"] == str(tmp_path / f"work{n}")
        assert facts["home"] == str(tmp_path / f"home{n}")
        assert facts["fsspec_conf_dir"] == str(tmp_path / f"home{n}" / ".config/fsspec")
        assert facts["token"] == f"token-{n}"
        assert facts["child_env"] == f"token-{n}\n"  # its own subprocesses inherit it
        assert facts["stdin"] == ""
        assert facts["ppid"] == forkserver.zygote().process.pid  # forked, not exec'd
        assert facts["main_file"] == probe
        assert facts["path0"] == str(Path(probe).parent)


def test_an_explicit_env_and_cwd_replace_the_callers(probe, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "PROBE_TOKEN": "given"}
    result = forkserver.run(probe, ["facts"], tmp_path, env, None)
    facts = json.loads(result.stdout)
    assert (facts["token"], facts["cwd"], facts["home"]) == ("given", str(tmp_path), str(tmp_path))


@pytest.mark.parametrize(
    "args",
    [["streams"], ["exit", "0"], ["exit", "2"], ["exit", "3"], ["message"], ["atexit"]],
)
def test_exit_codes_and_streams_are_those_of_a_fresh_process(probe, monkeypatch, args):
    forked, plain = both_ways(monkeypatch, probe, *args)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        plain.returncode,
        plain.stdout,
        plain.stderr,
    )


def test_streams_are_separate_and_decoded_as_subprocess_does(probe):
    result = forkserver.run(probe, ["streams"], None, None, None)
    assert result.stdout == "to stdout\nline two\n"
    assert result.stderr == "to stderr ü\n"
    assert forkserver.run(probe, ["message"], None, None, None).stderr == "refused: a message\n"
    finished = forkserver.run(probe, ["atexit"], None, None, None)
    assert finished.stdout == "buffered, no newlinethread done\natexit ran\n"


def test_an_uncaught_exception_prints_its_traceback_and_exits_1(probe, monkeypatch):
    forked, plain = both_ways(monkeypatch, probe, "raise")
    assert forked.returncode == plain.returncode == 1
    assert forked.stderr.startswith("Traceback (most recent call last):\n")
    assert forked.stderr.endswith("ValueError: an uncaught error\n")
    assert forked.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1]


def test_each_child_draws_fresh_numpy_randomness(probe):
    draws = {forkserver.run(probe, ["random"], None, None, None).stdout for _ in range(3)}
    assert len(draws) == 3


def test_a_timeout_kills_the_child_and_raises_as_subprocess_does(probe):
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as raised:
        forkserver.run(probe, ["sleep", "60"], None, None, 1.0)
    assert time.monotonic() - started < 30
    assert raised.value.timeout == 1.0
    pid = int(raised.value.stdout)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # the server goes on serving
    assert forkserver.run(probe, ["exit", "3"], None, None, None).returncode == 3


def test_commands_started_from_two_threads_run_at_once(probe, tmp_path):
    """As two subprocesses would (tests/registry promotes from two clones at once)."""
    from concurrent.futures import ThreadPoolExecutor

    def meet(names: tuple[str, str]):
        return forkserver.run(probe, ["meet", *names], tmp_path, None, None)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(meet, [("a", "b"), ("b", "a")]))
    assert [r.returncode for r in results] == [0, 0], results


def test_scikit_learn_sets_what_the_server_takes_for_its_defaults():
    import sklearn  # noqa: F401

    assert {name: os.environ[name] for name in forkserver.SET_ON_IMPORT} == forkserver.SET_ON_IMPORT


def test_a_variable_read_at_import_sends_the_command_to_a_plain_subprocess(probe, monkeypatch):
    # scikit-learn sets these when imported (in the zygote, and in a test that imported it):
    # their defaults are what a new process importing it would have too
    monkeypatch.delenv("KMP_INIT_AT_FORK", raising=False)
    assert forkserver.run(probe, ["exit", "0"], None, None, None), forkserver.last_fallback
    monkeypatch.setenv("KMP_INIT_AT_FORK", "FALSE")
    assert forkserver.run(probe, ["exit", "0"], None, None, None), forkserver.last_fallback
    monkeypatch.setenv("KMP_INIT_AT_FORK", "TRUE")
    assert forkserver.run(probe, ["exit", "0"], None, None, None) is None
    monkeypatch.delenv("KMP_INIT_AT_FORK")
    monkeypatch.setenv("PANDAS_COPY_ON_WRITE", "1")
    assert forkserver.run(probe, ["exit", "0"], None, None, None) is None
    assert run_tool(probe, "exit", "3").returncode == 3


def test_fork_off_runs_every_command_as_a_plain_subprocess(probe, monkeypatch):
    monkeypatch.setenv("GITML_TEST_FORK", "0")
    assert forkserver.run(probe, ["exit", "0"], None, None, None) is None


def test_the_zygote_refuses_to_serve_with_a_denied_module_loaded():
    with pytest.raises(RuntimeError, match=r"denied modules: \['pygit2"):
        forkserver.Zygote(forkserver.STARTING_ENVIRONMENT, extra_preload=("pygit2",))


def test_real_gitml_commands_give_the_same_forked_and_from_the_console_script(project, monkeypatch):
    """With GITML_TEST_FORK=0 these run the installed ``gitml`` executable itself."""
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.9}})
    project.commit("metrics")
    for args in (["--version"], ["--bogus"], ["report", "--base", "main"], ["promote"]):
        forked, plain = both_ways(monkeypatch, GITML, *args, cwd=project.root)
        assert (forked.returncode, forked.stdout, forked.stderr) == (
            plain.returncode,
            plain.stdout,
            plain.stderr,
        ), args
    assert run_gitml("--bogus").returncode == 2
    assert run_gitml("--version", cwd=project.root).stdout.startswith("gitml, version ")
