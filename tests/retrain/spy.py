"""A pipeline stage that looks for a secret where a stage could find one: its own environment,
/proc/<pid>/environ of every process it may read (its parents' among them) and gitml's temporary
files (the worktree it runs in, the hand-off). Copied into a project by the tests; the stage
command passes the secret base64-encoded, so no file of the project holds it as it is.

    python spy.py SECRET_B64 CANARY_NAME OUT

Writes OUT (JSON): where the secret was found ("found", must be empty), where the canary (the
value of the variable CANARY_NAME in gitml's own environment) was found (must not be: proof that
the search reaches gitml's environment), and how much was searched.
"""

import base64
import json
import os
import sys
import tempfile
from pathlib import Path

MAX_FILE = 20 * 1024 * 1024


def ancestors() -> list[int]:
    chain, pid = [], os.getpid()
    while pid > 1:
        chain.append(pid)
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return chain


def search(needles: dict[str, bytes]) -> tuple[dict[str, list[str]], int, int]:
    found: dict[str, list[str]] = {name: [] for name in needles}
    for name, value in os.environ.items():
        for label, needle in needles.items():
            if needle in value.encode():
                found[label].append(f"environment {name}")
    processes = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            data = (entry / "environ").read_bytes()
        except OSError:
            continue
        processes += 1
        for label, needle in needles.items():
            if needle in data:
                found[label].append(f"/proc/{entry.name}/environ")
    files = 0
    roots = [p for p in Path(tempfile.gettempdir()).glob("gitml*")]
    roots += [Path(os.environ["RUNNER_TEMP"])] if os.environ.get("RUNNER_TEMP") else []
    for root in roots:
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            if path.is_file() and not path.is_symlink() and path.stat().st_size < MAX_FILE:
                files += 1
                data = path.read_bytes()
                for label, needle in needles.items():
                    if needle in data:
                        found[label].append(str(path))
    return found, processes, files


def main() -> None:
    secret = base64.b64decode(sys.argv[1])
    canary = os.environ.get(sys.argv[2], "").encode()
    found, processes, files = search({"secret": secret, "canary": canary})
    gitml = [pid for pid in ancestors() if b"gitml" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    canary_in_gitml = any(f"/proc/{pid}/environ" in found["canary"] for pid in gitml)
    Path(sys.argv[3]).write_text(
        json.dumps(
            {
                "found": found["secret"],
                "canary_in_gitml_environ": canary_in_gitml,
                "gitml_processes": len(gitml),
                "processes": processes,
                "files": files,
            },
            indent=2,
        )
        + "\n"
    )


main()
