"""Benchmark: installing gitml's runtime into a fresh environment, from a warm and an empty uv cache.

Not a test: a measurement to run by hand (it downloads from the package index)::

    .venv/bin/python bench/install.py              # 1 cold run, 5 warm runs
    .venv/bin/python bench/install.py --warm-runs 9

What is measured is what gitml's composite action does on a runner: `uv pip install SPEC` into a
fresh Python environment with `UV_CACHE_DIR` pointing at the (restored) uv cache. SPEC is the
gitml wheel built from this checkout (`uv build --wheel`), so its dependencies are resolved from
the package index as they are for a released `gitml==X.Y.Z`.

- cold: an empty cache directory: every wheel is downloaded from the index and unpacked.
- warm, online: the cache the cold run filled (as `actions/cache` restores it), a new
  environment each run; uv revalidates every index page it cached and rebuilds the one sdist in
  the dependencies (antlr4-python3-runtime 4.9.3, via DVC's hydra-core), as it did in CI.
- warm, offline first: what the composite action runs now, `uv pip install --offline` (the
  restored cache alone), falling back to the online install only when that fails.

Each run creates its environment with `uv venv` (not timed) and times `uv pip install` alone.
Printed: the cold time, the median and minimum of the warm runs, the number of packages, and
the warm median against the target (at most 5 s). It exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0


def uv_command() -> list[str]:
    """uv from this environment, else on PATH, else the system Python's `-m uv`."""
    try:
        import uv as uv_package

        return [uv_package.find_uv_bin()]
    except ImportError:
        found = shutil.which("uv")
        return [found] if found else ["python3", "-m", "uv"]


UV = uv_command()


def uv(*args: str, env: dict[str, str], cwd: Path | None = None) -> str:
    result = subprocess.run(
        [*UV, *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"uv {' '.join(args)} failed:\n{result.stderr}")
    return result.stderr


def build_wheel(work: Path, env: dict[str, str]) -> Path:
    uv("build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT), env=env)
    return next((work / "dist").glob("gitml-*.whl"))


def install_once(
    work: Path, name: str, wheel: Path, env: dict[str, str], offline: bool = False
) -> tuple[float, int]:
    """Seconds of `uv pip install WHEEL` into a new environment, and the packages installed."""
    venv = work / name
    uv("venv", "--quiet", "--python", sys.executable, str(venv), env=env)
    command = ["pip", "install", "--python", str(venv / "bin" / "python"), str(wheel)]
    started = time.perf_counter()
    try:
        log = uv(*command, *(["--offline"] if offline else []), env=env)
    except SystemExit:  # the cache lacks something: online, as the action falls back
        log = uv(*command, env=env)
    seconds = time.perf_counter() - started
    installed = next(
        (int(line.split()[1]) for line in log.splitlines() if line.startswith("Installed ")), 0
    )
    return seconds, installed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitml-install-bench-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "UV_CACHE_DIR": str(work / "uv-cache")}
        env.pop("VIRTUAL_ENV", None)
        wheel = build_wheel(work, {**os.environ})
        cold, packages = install_once(work, "cold", wheel, env)
        online, offline = [], []
        for i in range(args.warm_runs):  # interleaved: load drifts hit both alike
            online.append(install_once(work, f"online-{i}", wheel, env)[0])
            offline.append(install_once(work, f"offline-{i}", wheel, env, offline=True)[0])
    print(f"gitml runtime install with uv ({packages} packages, target warm <= {TARGET_SECONDS} s)")
    print(f"  cold (empty cache, from the index):       {cold:7.2f} s")
    for label, times in (("warm, online (before)", online), ("warm, offline first (now)", offline)):
        median = statistics.median(times)
        verdict = "ok" if median <= TARGET_SECONDS else "OVER"
        print(
            f"  {label + ', median of ' + str(len(times)) + ':':<42}{median:7.2f} s "
            f"(min {min(times):.2f} s)  {median / TARGET_SECONDS:.2f}x target  {verdict}"
        )


if __name__ == "__main__":
    main()
