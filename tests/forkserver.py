"""A fork server ("zygote") for the tests' ``gitml`` and ``dvc`` runs (issue 12).

Each ``gitml``/``dvc`` process a test starts used to spend about a second of CPU importing DVC,
pandas, scikit-learn and click before doing anything. The zygote is a separate interpreter (one per
pytest worker, started on first use) that imports those modules once; every command is then a REAL
new process, ``os.fork``-ed from it, which takes the test's argv, cwd and whole environment, reads
stdin from /dev/null, writes to two pipes the test reads, and exits as a console script would.

What a fork could carry over from the zygote, and how it does not:
- modules that read the environment, HOME or cwd when imported. ``DENIED`` modules are never
  preloaded (the zygote fails loudly if one got in); the few preloaded ones that keep a HOME- or
  cwd-derived value are refreshed in the child (``refresh_import_snapshots``); and a call whose
  environment differs from the zygote's in a variable a preloaded module reads at import
  (``IMPORT_TIME_VARIABLES``) runs as a plain subprocess instead.
- numpy's global random state (reseeded in the child; Python's ``random`` reseeds itself).
- threads: the zygote forks only while it is single-threaded.
What stays shared, as no test may depend on it: the hash seed of str (a new process draws its own,
so set order already differs from one process to the next).

``GITML_TEST_FORK=0`` in the environment turns it off: every command is a plain subprocess. If the
zygote cannot start or dies, the tests fall back to plain subprocesses (said once on stderr).

Run as a script, this file is the zygote itself: ``python tests/forkserver.py FD``.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

#: Never preloaded: they read HOME or the environment when imported (libgit2 reads HOME when it
#: initialises; BentoML reads BENTOML_HOME and more; the service reads GITML_* limits). scmrepo's
#: pygit2 backend module may come in: it imports pygit2 only when a repository is opened.
DENIED = ("pygit2", "bentoml", "gitml.serving.service")

#: Imported once by the zygote (with what they import). Measured with ``-X importtime``: these
#: are what ``gitml report``, ``gitml models`` and ``dvc status`` spend their start-up on.
PRELOAD = (
    "click",
    "yaml",
    "numpy",
    "pandas",
    "scipy.stats",
    "sklearn.base",
    "github",
    "dulwich.repo",
    "dulwich.client",
    "scmrepo.git",
    "dvc.cli",
    "dvc.cli.parser",
    "dvc.repo",
    "dvc.repo.index",
    "dvc.api",
    "gitml.cli",
)

#: gitml's own modules are preloaded too (all but these, see ``gitml_modules``).
GITML_SKIPPED = ("gitml.serving.service", "gitml.github_emulator", "gitml.demo")

#: Variables (prefixes) a preloaded module reads when imported (found by auditing ``os.environ``
#: during the preload): a call that sets them differently from the zygote runs as a subprocess.
IMPORT_TIME_VARIABLES = (
    "PYTHON",
    "TZ",  # the time module's zone, set at start-up
    "LANG",
    "LANGUAGE",
    "LC_",
    "PANDAS_",
    "NPY_",
    "NUMPY_",
    "SCIPY_",
    "SKLEARN_",
    "OPENBLAS_",
    "OMP_",
    "MKL_",
    "KMP_",
    "JOBLIB_",
    "LOKY_",
    "TQDM_",
    "FSSPEC_",
    "DVC_SHOW_TRACEBACK",
    "PSUTIL_",
    "SPHINX_BUILD",
    "PYCHARM_HOSTED",
)

#: What scikit-learn sets when imported (``os.environ.setdefault``): unset is the same as these, as
#: a new process importing it sets them too (the test process has them once a test imported it).
SET_ON_IMPORT = {"KMP_DUPLICATE_LIB_OK": "True", "KMP_INIT_AT_FORK": "FALSE"}

#: console script path -> its entry point, as pip writes the script
ENTRY_POINTS = {"gitml": "gitml.cli:main", "dvc": "dvc.cli:main"}

MAX_MESSAGE = 1 << 20


def send(sock: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    payload = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [payload], fds)
    else:
        sock.send(payload)


def receive(sock: socket.socket, timeout: float | None = None) -> tuple[dict, list[int]]:
    """One message (and the file descriptors sent with it); EOFError when the other side left."""
    sock.settimeout(timeout)
    payload, fds, _flags, _address = socket.recv_fds(sock, MAX_MESSAGE, 3)
    if not payload:
        raise EOFError("the other side closed the socket")
    return json.loads(payload), fds


# ----------------------------------------------------------------------------- the zygote


def gitml_modules() -> list[str]:
    """Every module of the gitml package but ``GITML_SKIPPED`` and ``__main__`` modules."""
    import pkgutil

    import gitml

    return [
        module.name
        for module in pkgutil.walk_packages(gitml.__path__, "gitml.")
        if not module.name.startswith(GITML_SKIPPED) and not module.name.endswith("__main__")
    ]


def denied_loaded() -> list[str]:
    return sorted(
        name for name in sys.modules if any(name == d or name.startswith(d + ".") for d in DENIED)
    )


def preload(extra: list[str]) -> None:
    """Import ``PRELOAD`` (and ``extra``) and gitml; fail loudly if a denied module came in or a
    thread started."""
    import importlib

    for name in [*PRELOAD, *extra]:
        importlib.import_module(name)
    for name in gitml_modules():
        importlib.import_module(name)
    if denied_loaded():
        raise RuntimeError(f"the zygote preloaded denied modules: {denied_loaded()}")
    if threading.active_count() != 1:
        raise RuntimeError(f"the zygote has {threading.active_count()} threads after preloading")


def refresh_import_snapshots() -> None:
    """Recompute, for the child's HOME, environment and cwd, the values preloaded modules took
    from them when imported (found by auditing os.environ and os.getcwd during the preload)."""
    import multiprocessing.process
    import sysconfig

    import dulwich.client
    import dulwich.config
    import fsspec.config
    import rich

    fsspec.config.default_conf_dir = os.path.join(os.path.expanduser("~"), ".config/fsspec")
    fsspec.config.conf_dir = os.environ.get("FSSPEC_CONFIG_DIR", fsspec.config.default_conf_dir)
    fsspec.config.conf.clear()  # the same dict object: fsspec's modules imported it by name
    fsspec.config.set_conf_files(fsspec.config.conf_dir, fsspec.config.conf)
    fsspec.config.set_conf_env(fsspec.config.conf)
    dulwich.client.DEFAULT_GIT_CREDENTIALS_PATHS[:] = [
        os.path.expanduser("~/.git-credentials"),
        dulwich.config.get_xdg_config_home_path("git", "credentials"),
    ]
    if sysconfig._CONFIG_VARS and "userbase" in sysconfig._CONFIG_VARS:  # pandas asked at import
        sysconfig._CONFIG_VARS["userbase"] = sysconfig._getuserbase()
    rich._IMPORT_CWD = os.path.abspath(os.getcwd())
    multiprocessing.process.ORIGINAL_DIR = os.path.abspath(os.getcwd())


def become_command(request: dict, out_fd: int, err_fd: int) -> None:
    """In the forked child: take the request's streams, cwd, environment and argv."""
    stdin = os.open(os.devnull, os.O_RDONLY)
    for fd, target in ((stdin, 0), (out_fd, 1), (err_fd, 2)):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()  # unsetenv/putenv too: C libraries and the child's subprocesses see it
    os.environ.update(request["env"])
    program = request["program"]
    sys.argv = [program, *request["args"]]
    sys.orig_argv = [sys.executable, *sys.argv]
    sys.path[0] = os.path.dirname(program)  # as for a script: its folder first
    import types

    main_module = types.ModuleType("__main__")
    main_module.__file__ = program
    sys.modules["__main__"] = main_module
    refresh_import_snapshots()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # fresh entropy, as a new process would have


def exit_status(code: object) -> int:
    """The exit status Python gives ``SystemExit(code)``: None 0, an int as is, else 1 (the
    message is printed on stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def run_entry_point(entry_point: str) -> int:
    """Run ``module:function`` as the console script does (``sys.exit(main())``), then shut down
    as the interpreter would: wait for threads, run atexit handlers, flush stdio."""
    import atexit
    import importlib

    module_name, function = entry_point.split(":")
    try:
        sys.exit(getattr(importlib.import_module(module_name), function)())
    except SystemExit as exit_:
        status = exit_status(exit_.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        status = 1
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # as the interpreter: a failed stdout flush exits 120
            status = 120
    return status


def fork_command(request: dict, fds: list[int], zygote_fds: list[int]) -> int:
    """Fork a child running ``request`` with the streams ``fds`` (stdout, stderr); the child
    closes the zygote's own descriptors ``zygote_fds``. Returns its pid (in the zygote)."""
    if threading.active_count() != 1:
        raise RuntimeError("the zygote must be single-threaded when it forks")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            for fd in zygote_fds:
                os.close(fd)
            become_command(request, *fds)
            status = run_entry_point(request["entry_point"])
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(status)
    for fd in fds:
        os.close(fd)
    return pid


def serve(sock: socket.socket) -> None:
    """Answer requests until the test process closes the socket. Each request brings its two
    stream pipes and a reply socket: fork, send the pid on it, and when that child exits (its
    pidfd turns readable) its exit status (``returncode`` as subprocess gives it: negative for a
    signal). Commands run at once when tests start them from threads."""
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    replies: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, reply socket)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sock:
                try:
                    request, fds = receive(sock)
                except EOFError:
                    return
                reply = socket.socket(fileno=fds[2])
                own = [sock.fileno(), selector.fileno(), reply.fileno()]
                own += [
                    fd for pidfd, (_, other) in replies.items() for fd in (pidfd, other.fileno())
                ]
                pid = fork_command(request, fds[:2], own)
                send(reply, {"pid": pid})
                pidfd = os.pidfd_open(pid)
                replies[pidfd] = (pid, reply)
                selector.register(pidfd, selectors.EVENT_READ)
            else:
                pid, reply = replies.pop(key.fd)
                selector.unregister(key.fd)
                os.close(key.fd)
                _, wait_status = os.waitpid(pid, 0)
                with contextlib.suppress(OSError):  # the test process may be gone
                    send(reply, {"returncode": os.waitstatus_to_exitcode(wait_status)})
                reply.close()


def zygote_main(fd: int, extra: list[str]) -> None:
    sock = socket.socket(fileno=fd)
    sock.set_inheritable(False)
    sys.path[0] = os.path.dirname(sys.executable)  # the console scripts' folder, not tests/
    try:
        preload(extra)
    except BaseException as error:
        send(sock, {"error": f"{type(error).__name__}: {error}"})
        raise SystemExit(1) from None
    send(sock, {"ready": os.getpid(), "environment": dict(os.environ)})
    serve(sock)


# ----------------------------------------------------------------------------- the test side


class ZygoteGone(Exception):
    """The zygote is not there to take a request (it never started or it died)."""


@dataclass
class Completed:
    """What ``subprocess.run(capture_output=True, text=True)`` returns, in short."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class Zygote:
    """The test process's handle on its zygote."""

    def __init__(self, environment: Mapping[str, str], extra_preload: tuple[str, ...] = ()):
        self.environment = dict(environment)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = parent
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(child.fileno()), *extra_preload],
            pass_fds=[child.fileno()],
            env=self.environment,
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        child.close()
        try:
            hello, _ = receive(self.sock, timeout=300)
        except (EOFError, OSError) as error:
            self.stop()
            raise RuntimeError(f"the zygote did not start: {error}") from None
        if "error" in hello:
            self.stop()
            raise RuntimeError(f"the zygote could not preload: {hello['error']}")
        self.preloaded = hello["environment"]

    def unsuited(self, env: Mapping[str, str]) -> list[str]:
        """The variables read at import whose value in ``env`` differs from the zygote's (a fork
        gives what a fresh process would only when there are none)."""
        names = set(env) | set(self.preloaded)
        return sorted(
            name
            for name in names
            if name.startswith(IMPORT_TIME_VARIABLES)
            and env.get(name, SET_ON_IMPORT.get(name))
            != self.preloaded.get(name, SET_ON_IMPORT.get(name))
        )

    def run(
        self, program: str, args: list[str], cwd: str, env: Mapping[str, str], timeout: float | None
    ) -> Completed:
        """Run ``program ARGS`` forked from the zygote, as ``subprocess.run`` would."""
        deadline = None if timeout is None else time.monotonic() + timeout
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        request = {
            "program": program,
            "entry_point": ENTRY_POINTS[os.path.basename(program)],
            "args": list(args),
            "cwd": cwd,
            "env": dict(env),
        }
        reply, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            try:
                with self.lock:
                    send(self.sock, request, [out_write, err_write, theirs.fileno()])
            finally:  # from now on only the zygote (and then the child) hold these
                for fd in (out_write, err_write, theirs.fileno()):
                    os.close(fd)
                theirs.detach()
            started, _ = receive(reply)  # EOF if the zygote died before forking
        except (OSError, EOFError) as error:  # nothing ran: the caller may run it another way
            for fd in (out_read, err_read):
                os.close(fd)
            reply.close()
            raise ZygoteGone(str(error)) from None
        with reply:
            out, err, timed_out = read_until_eof(out_read, err_read, deadline, started["pid"])
            finished, _ = receive(reply)
        completed = Completed([program, *args], finished["returncode"], *decode(out, err))
        if timed_out:
            raise subprocess.TimeoutExpired(
                completed.args, timeout, output=completed.stdout, stderr=completed.stderr
            )
        return completed

    def stop(self) -> None:
        """Close the socket (the zygote leaves its loop and exits) and wait for it."""
        self.sock.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def read_until_eof(
    out_fd: int, err_fd: int, deadline: float | None, pid: int
) -> tuple[bytes, bytes, bool]:
    """Both pipes' bytes up to EOF (as ``communicate``); past ``deadline`` the child is killed
    (SIGKILL, as ``subprocess.run`` does) and reading goes on to EOF."""
    import signal

    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    timed_out = False
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            wait = None if deadline is None or timed_out else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                os.kill(pid, signal.SIGKILL)
                timed_out = True
                continue
            for key, _ in selector.select(wait):
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd]), timed_out


def decode(*streams: bytes) -> list[str]:
    """Bytes as ``subprocess.run(text=True)`` turns them into text: the default text encoding,
    strict errors, universal newlines."""
    import io

    wrapper = io.TextIOWrapper(io.BytesIO())
    return [
        data.decode(wrapper.encoding, wrapper.errors).replace("\r\n", "\n").replace("\r", "\n")
        for data in streams
    ]


#: The environment the test process started with, before any test monkeypatched it: the zygote's.
STARTING_ENVIRONMENT = dict(os.environ)
_zygote: list[Zygote | None] = [None]
_unavailable: list[str] = []
#: why the last ``run`` returned None (for tests' messages)
last_fallback: list[str] = []


def enabled() -> bool:
    """False when ``GITML_TEST_FORK=0`` is in the test's environment, or the zygote failed."""
    return os.environ.get("GITML_TEST_FORK", "1") != "0" and not _unavailable


def give_up(reason: str) -> None:
    """Use plain subprocesses from now on, and say so once on stderr."""
    stop()
    _unavailable.append(reason)
    print(f"tests/forkserver.py: {reason}; running commands as plain subprocesses", file=sys.stderr)


def zygote() -> Zygote | None:
    """This process's zygote, started on first use; None if it cannot start."""
    if _zygote[0] is None and enabled():
        try:
            _zygote[0] = Zygote(STARTING_ENVIRONMENT)
        except (RuntimeError, OSError) as error:
            give_up(str(error))
    return _zygote[0]


def run(
    program: str,
    args: list[str],
    cwd: str | None,
    env: Mapping[str, str] | None,
    timeout: float | None,
) -> Completed | None:
    """``program ARGS`` forked from the zygote, as ``subprocess.run(capture_output=True,
    text=True)`` would run it; None when it must run as a plain subprocess instead (fork off, not
    a console script the zygote knows, a missing cwd, or an environment it does not suit)."""
    env = dict(os.environ if env is None else env)
    cwd = os.getcwd() if cwd is None else os.fspath(cwd)
    last_fallback[:] = []
    if os.path.basename(program) not in ENTRY_POINTS or not os.path.isdir(cwd) or not enabled():
        last_fallback.append(f"not forked: {program} in {cwd}; {_unavailable or 'fork off'}")
        return None
    server = zygote()
    unsuited = server.unsuited(env) if server is not None else None
    if server is None or unsuited:
        last_fallback.append(f"not forked: {unsuited or _unavailable}")
        return None
    try:
        return server.run(program, args, cwd, env, timeout)
    except ZygoteGone as error:
        give_up(f"the zygote is gone ({error})")
        return None
    except subprocess.TimeoutExpired:
        raise
    except BaseException:  # the conversation is out of step: no more forks from this zygote
        give_up("a fork server request failed")
        raise


def stop() -> None:
    """Stop this process's zygote (at the end of the session)."""
    server, _zygote[0] = _zygote[0], None
    if server is not None:
        server.stop()


if __name__ == "__main__":
    zygote_main(int(sys.argv[1]), sys.argv[2:])
