"""upload-artifact (v7) on the host (stand-in): a folder per run and artifact name.

Layout as since v4: one folder uploads its contents; several paths upload relative to their
least common ancestor. Hidden files and folders (a name starting with a dot) are left out unless
``include-hidden-files`` is true, as since v4.4.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
from pathlib import Path


def fail(message: str) -> None:
    print(f"::error::{message}")
    sys.exit(1)


def store(run_id: str) -> Path:
    root = os.environ.get("STANDIN_ARTIFACTS")
    if not root:
        fail("the act harness must pass --env STANDIN_ARTIFACTS=<folder>")
    return Path(root) / run_id / os.environ["ARTIFACT_NAME"]


def hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def upload() -> None:
    workspace = Path(os.environ["GITHUB_WORKSPACE"])
    found: list[Path] = []
    for line in os.environ["ARTIFACT_PATH"].splitlines():
        pattern = line.strip()
        if pattern:
            found += [Path(p) for p in glob.glob(str(workspace / pattern), recursive=True)]
    found = [p.resolve() for p in found]
    if not found:
        level = os.environ.get("IF_NO_FILES_FOUND", "warn")
        if level == "error":
            fail(f"No files were found with the provided path: {os.environ['ARTIFACT_PATH']}")
        print(f"{'::warning::' if level == 'warn' else ''}No files found; no artifact uploaded.")
        return
    if len(found) == 1 and found[0].is_dir():
        root = found[0]
    else:
        root = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in found]))
    target = store(os.environ["GITHUB_RUN_ID"])
    if target.exists():
        if os.environ.get("OVERWRITE") != "true":
            fail(f"an artifact named {target.name} already exists in this run")
        shutil.rmtree(target)
    target.mkdir(parents=True)
    count = 0
    for path in found:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if hidden(file.relative_to(root)) and os.environ.get("INCLUDE_HIDDEN_FILES") != "true":
                continue
            destination = target / file.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, destination)
            count += 1
    print(f"uploaded {count} file(s) as {target.name} to {target}")
    with open(os.environ["GITHUB_OUTPUT"], "a") as output:
        output.write(f"artifact-id={abs(hash(str(target))) % 10**9}\n")


if __name__ == "__main__":
    upload()
