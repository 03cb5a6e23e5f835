"""`gitml serve` failures before the server runs are one ERROR line with the right exit code.

A busy port is found before `bentoml serve` starts (a real socket, listening, held by the test);
a server that dies while starting (a real `bentoml serve` of a Bento that is not in the store)
is reported with its last stderr line. A Bento that fails to import is in test_bento.py.
"""

from __future__ import annotations

import socket
import sys

import pytest

from gitml.errors import EXIT_FAILURE, GitmlError
from gitml.serving.serve import free_port, run_server
from tests.cli import run_gitml

# starts BentoML servers: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


@pytest.fixture
def busy_port():
    """A port on 127.0.0.1 that a listening socket of this test holds."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_busy_port_is_a_usage_error_naming_the_port_and_the_fix(tmp_path, busy_port, host):
    result = run_gitml("serve", "--host", host, "--port", str(busy_port), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        f"ERROR: port {busy_port} on {host} is already in use; pass --port with another port, "
        f"or stop what listens there (`ss -ltnp 'sport = :{busy_port}'` shows it)\n"
    )


def test_host_that_is_not_this_machine_is_a_usage_error(tmp_path):
    result = run_gitml("serve", "--host", "203.0.113.7", "--port", "3000", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        "ERROR: cannot listen on 203.0.113.7:3000: Cannot assign requested address; "
        "pass another --host or --port\n"
    )


def test_server_that_dies_at_start_is_one_error_with_its_last_stderr_line(capfd):
    port = free_port()
    with pytest.raises(GitmlError) as raised:
        run_server("no-such-bento:v0", "127.0.0.1", port)
    assert raised.value.exit_code == EXIT_FAILURE
    relayed = [line.strip() for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert "no-such-bento" in "\n".join(relayed)  # BentoML's own output still reaches the user
    assert raised.value.message == f"bentoml serve exited with code 1 before ready: {relayed[-1]}"


def test_stand_in_server_exit_before_ready(capfd):
    """Any command: the exit code and the last non-empty stderr line, and nothing swallowed."""
    script = "import sys; print('starting', file=sys.stderr); sys.exit('address in use\\n\\n')"
    with pytest.raises(GitmlError) as raised:
        run_server("x:y", "127.0.0.1", free_port(), command=[sys.executable, "-c", script])
    assert raised.value.message == "bentoml serve exited with code 1 before ready: address in use"
    assert capfd.readouterr().err == "starting\naddress in use\n\n\n"
