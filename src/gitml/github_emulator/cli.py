"""``python -m gitml.github_emulator``: the emulation as a process, for act runs and
anyone trying gitml offline. Prints ``url=...`` first; dumps the state on SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from typing import Any

from gitml.github_emulator.emulator import GitHubEmulator

PROG = "python -m gitml.github_emulator"


def _parser() -> argparse.ArgumentParser:
    from gitml import github_emulator

    parser = argparse.ArgumentParser(
        prog=PROG, description=(github_emulator.__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--prefix", default="", help="API path prefix, e.g. /api/v3")
    parser.add_argument("--seed", help="seed document (JSON) to load at start")
    parser.add_argument("--state-file", help="write the state here on exit (JSON)")
    parser.add_argument("--url-file", help="also write the base URL to this file")
    return parser


def _stop_on_signal() -> threading.Event:
    """An event set by SIGTERM or SIGINT (installed before the URL is announced)."""
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopping


def main(argv: list[str] | None = None) -> int:
    """Run the emulation as a process until SIGTERM/SIGINT; print ``url=...`` first."""
    args = _parser().parse_args(argv)
    emulator = GitHubEmulator(host=args.host, port=args.port, prefix=args.prefix)
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            emulator.seed(json.load(handle))
    emulator.start()
    stopping = _stop_on_signal()
    print(f"url={emulator.url}", flush=True)
    if args.url_file:
        with open(args.url_file, "w", encoding="utf-8") as handle:
            handle.write(emulator.url + "\n")
    while not stopping.wait(0.2):
        pass
    emulator.stop()
    if args.state_file:
        with open(args.state_file, "w", encoding="utf-8") as handle:
            json.dump(emulator.state(), handle, indent=2)
    return 0
