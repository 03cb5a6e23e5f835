"""astral-sh/setup-uv on the host (stand-in): the host's uv on PATH, and setup-uv's cache rules.

act cannot download uv, so the uv at STANDIN_UV (the harness passes the host's) is linked into a
folder on PATH. The cache follows setup-uv v10: ``enable-cache: auto`` is on only on GitHub-hosted
runners and never for release, tag push, pull_request_target or workflow_run events; when on, the
key is computed from the same parts (with the suffix URL-encoded) and UV_CACHE_DIR is set. A cache
hit is a link to STANDIN_CACHE_DIR (the host's uv cache); with the cache off, nothing is set.
"""

from __future__ import annotations

import glob
import hashlib
import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote


def fail(message: str) -> None:
    print(f"::error::{message}")
    sys.exit(1)


def cache_enabled() -> bool:
    value = os.environ.get("ENABLE_CACHE", "auto")
    if value != "auto":
        return value == "true"
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    tag_push = event == "push" and os.environ.get("GITHUB_REF", "").startswith("refs/tags/")
    excluded = event in ("release", "pull_request_target", "workflow_run") or tag_push
    return os.environ.get("RUNNER_ENVIRONMENT") == "github-hosted" and not excluded


def cache_key(python_version: str = "unknown") -> str:
    workdir = Path(os.environ.get("WORKDIR") or os.environ["GITHUB_WORKSPACE"])
    digest = hashlib.sha256()
    for pattern in os.environ.get("CACHE_GLOB", "").split():
        for name in sorted(glob.glob(str(workdir / pattern), recursive=True)):
            if Path(name).is_file():
                digest.update(Path(name).read_bytes())
    suffix = os.environ.get("CACHE_SUFFIX", "")
    suffix = f"-{quote(suffix, safe='')}" if suffix else ""
    return f"setup-uv-2-{platform.machine()}-linux-{python_version}-{digest.hexdigest()}{suffix}"


def main() -> None:
    uv = os.environ.get("STANDIN_UV")
    if not uv or not Path(uv).is_file():
        fail("the act harness must pass --env STANDIN_UV=<the host's uv>")
    version = subprocess.run([uv, "--version"], capture_output=True, text=True).stdout.split()[1]
    wanted = os.environ.get("UV_VERSION_WANTED", "")
    if wanted and wanted != version:
        fail(f"setup-uv stand-in: asked for uv {wanted}, the host has {version}")
    folder = Path(os.environ["RUNNER_TEMP"]) / "stand-in-uv"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "uv"
    link.unlink(missing_ok=True)
    link.symlink_to(uv)
    outputs = {"uv-version": version, "uv-path": str(link), "cache-hit": "false", "cache-key": ""}
    env = {}
    if cache_enabled():
        key = outputs["cache-key"] = cache_key()
        cache = Path(os.environ["RUNNER_TEMP"]) / "setup-uv-cache"
        if cache.is_symlink() or cache.exists():
            cache.unlink()
        host_cache = os.environ.get("STANDIN_CACHE_DIR")
        if host_cache:
            cache.symlink_to(host_cache)
            outputs["cache-hit"] = "true"
            print(f"cache hit for {key}: {cache} -> {host_cache}")
        else:
            cache.mkdir()
            print(f"cache miss for {key}")
        env["UV_CACHE_DIR"] = str(cache)
    else:
        print("cache disabled: nothing restored or saved")
    with open(os.environ["GITHUB_PATH"], "a") as path_file:
        path_file.write(f"{folder}\n")
    with open(os.environ["GITHUB_ENV"], "a") as env_file:
        env_file.writelines(f"{name}={value}\n" for name, value in env.items())
    with open(os.environ["GITHUB_OUTPUT"], "a") as output:
        output.writelines(f"{name}={value}\n" for name, value in outputs.items())
    print(f"stand-in uv {version} at {link}")


if __name__ == "__main__":
    main()
