"""Benchmark: gitml's default BentoML service against a minimal FastAPI app, same model, same load.

Not a test: run it by hand after `gitml build` in the reference project::

    python3 -m uv sync --extra bench
    .venv/bin/gitml run --pull && .venv/bin/gitml build
    .venv/bin/python bench/serving.py                 # newest `classifier` Bento
    .venv/bin/python bench/serving.py --bento classifier:v0.1.0 --runs 5 --seconds 10

Both servers run one worker process on 127.0.0.1 and stay up side by side; for each number of
connections (1, 8, 32) the runs alternate between them, so a machine whose load changes affects
both alike. The load client is a small asyncio HTTP/1.1 client with keep-alive connections and
pre-encoded bodies (one real row of the test split per request). Every answer is checked: its
status (non-2xx are counted, not retried) and its prediction (compared with the model's own for
that row). The Bento records every answer (`gitml serve`'s default) unless `--no-records`.

It prints one table: requests/s, p50 and p99 latency of each server (medians over the runs),
the throughput ratio, the p99 ratio, the CPU time each server's processes used per request
(which the machine's load inflates far less than latency), non-2xx answers, wrong predictions
and the 1-minute load average when each level's runs ended (the benchmark's own client and
servers are part of it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pandas as pd

from gitml.serving.serve import free_port, serve_command, server_environment

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (1, 8, 32)


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"{url} not ready after {timeout}s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


async def exchange(reader, writer, body: bytes) -> tuple[int, bytes]:
    writer.write(
        b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return int(head.split(b" ", 2)[1]), await reader.readexactly(length)


async def one_connection(port: int, work, deadline: float, tally: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        index = next(work)
        while time.perf_counter() < deadline:
            body, expected = work.bodies[index], work.expected[index]
            started = time.perf_counter()
            status, payload = await exchange(reader, writer, body)
            tally["latencies"].append(time.perf_counter() - started)
            if not 200 <= status < 300:
                tally["non_2xx"] += 1
            elif json.loads(payload) != expected:
                tally["wrong"] += 1
            index = next(work)
    finally:
        writer.close()


class Work:
    """Request bodies and the model's own answers, handed out in turn to every connection."""

    def __init__(self, bodies: list[bytes], expected: list[list]):
        self.bodies, self.expected, self.next = bodies, expected, 0

    def __iter__(self):
        return self

    def __next__(self) -> int:
        self.next += 1
        return self.next % len(self.bodies)


async def drive(port: int, work: Work, seconds: float, connections: int) -> dict:
    tally: dict = {"latencies": [], "non_2xx": 0, "wrong": 0}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(one_connection(port, work, deadline, tally) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies = sorted(tally["latencies"])
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "non_2xx": tally["non_2xx"],
        "wrong": tally["wrong"],
    }


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process and its live descendants: the
    server's cost per request, which the machine's load does not inflate the way it inflates
    latency. (BentoML's workers run in sessions of their own, so the tree is walked.)"""
    parent, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parent[pid] = int(fields[1])
        used[pid] = int(fields[11]) + int(fields[12])  # utime + stime

    def inside(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parent.get(pid, 0)
        return False

    return sum(ticks for pid, ticks in used.items() if inside(pid)) / os.sysconf("SC_CLK_TCK")


def measured(process: subprocess.Popen, port: int, work, seconds: float, connections: int):
    before = cpu_seconds(process.pid)
    result = asyncio.run(drive(port, work, seconds, connections))
    used = cpu_seconds(process.pid) - before
    result["cpu_ms"] = used * 1000 / max(result["requests"], 1)
    return result


def start(command: list[str], port: int, ready: str, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}{ready}", process)
    except BaseException:  # not ready, or Ctrl-C: leave no server behind
        stop(process)
        raise
    return process


def fastapi_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "fastapi_app:app",
        "--app-dir",
        str(Path(__file__).parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def median_of(runs: list[dict]) -> dict:
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "wrong": sum(r["wrong"] for r in runs),
        "cpu_ms": statistics.median(r["cpu_ms"] for r in runs),
        "runs": runs,
    }


def compare(servers: dict[str, tuple[subprocess.Popen, int]], work: Work, args) -> dict:
    """{connections: {server: medians}}: runs alternate between the servers."""
    results: dict = {}
    for connections in args.levels:
        runs: dict[str, list] = {name: [] for name in servers}
        for _process, port in servers.values():  # warm-up
            asyncio.run(drive(port, work, args.warmup, connections))
        for _ in range(args.runs):
            for name, (process, port) in servers.items():
                runs[name].append(measured(process, port, work, args.seconds, connections))
        results[connections] = {name: median_of(r) for name, r in runs.items()}
        results[connections]["load"] = os.getloadavg()[0]  # the 1-minute load when this level ended
    return results


def table(results: dict) -> str:
    lines = [
        "| connections | bentoml req/s | fastapi req/s | ratio | bentoml p50 / p99 ms "
        "| fastapi p50 / p99 ms | p99 ratio | CPU ms/req bentoml / fastapi | non-2xx | wrong "
        "| load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for connections, by_server in results.items():
        bento, fast = by_server["bentoml"], by_server["fastapi"]
        lines.append(
            f"| {connections} | {bento['rps']:.1f} | {fast['rps']:.1f} | "
            f"{bento['rps'] / fast['rps']:.2f}x | {bento['p50_ms']:.1f} / {bento['p99_ms']:.1f} | "
            f"{fast['p50_ms']:.1f} / {fast['p99_ms']:.1f} | "
            f"{bento['p99_ms'] / fast['p99_ms']:.2f}x | "
            f"{bento['cpu_ms']:.1f} / {fast['cpu_ms']:.1f} | "
            f"{bento['non_2xx']} / {fast['non_2xx']} | {bento['wrong']} / {fast['wrong']} | "
            f"{by_server['load']:.1f} |"
        )
    return "\n".join(lines)


def newest_bento(name: str) -> str:
    import bentoml

    bentos = [b for b in bentoml.bentos.list() if b.tag.name == name]
    if not bentos:
        sys.exit(f"no `{name}` Bento built; run `gitml build` first")
    return str(max(bentos, key=lambda b: b.info.creation_time).tag)


def workload(bento_tag: str, test_split: str) -> tuple[Work, str]:
    import bentoml
    import joblib

    bento = bentoml.get(bento_tag)
    model_tag = str(bento.info.all_models[0].tag)
    model_file = os.path.join(bentoml.models.get(model_tag).path, "model.joblib")
    frame = pd.read_csv(test_split).drop(columns=["target"], errors="ignore")
    expected = joblib.load(model_file).predict(frame).tolist()
    rows = frame.to_dict(orient="records")
    bodies = [json.dumps({"instances": [row]}).encode() for row in rows]
    return Work(bodies, [[label] for label in expected]), model_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bento", default=None, help="Bento tag (default: newest classifier)")
    parser.add_argument("--test-split", default=str(ROOT / "prepared" / "test.csv"))
    parser.add_argument("--runs", type=int, default=3, help="Runs per server and level")
    parser.add_argument("--seconds", type=float, default=8.0, help="Length of one run")
    parser.add_argument("--warmup", type=float, default=2.0, help="Seconds before the runs")
    parser.add_argument("--no-records", action="store_true", help="Serve with monitoring off")
    parser.add_argument(
        "--levels", type=int, nargs="+", default=list(LEVELS), help="Connection counts to drive"
    )
    parser.add_argument("--json", dest="json_path", default=None, help="Also write results here")
    args = parser.parse_args()

    bento_tag = args.bento or newest_bento("classifier")
    work, model_file = workload(bento_tag, args.test_split)
    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True", "BENCH_MODEL": model_file}
    print(
        f"bento {bento_tag}, {len(work.bodies)} distinct rows, one per request; "
        f"records {'off' if args.no_records else 'on'}; {args.runs} runs of {args.seconds:g} s "
        f"per server and level, medians; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    processes = []
    with tempfile.TemporaryDirectory() as records:
        try:
            ports = {"bentoml": free_port(), "fastapi": free_port()}
            bento_env = server_environment(None if args.no_records else records, env, bento_tag)
            bento_command = serve_command(bento_tag, "127.0.0.1", ports["bentoml"])
            processes.append(start(bento_command, ports["bentoml"], "/readyz", bento_env))
            fastapi = fastapi_command(ports["fastapi"])
            processes.append(start(fastapi, ports["fastapi"], "/healthz", env))
            servers = {name: (p, ports[name]) for name, p in zip(ports, processes, strict=True)}
            results = compare(servers, work, args)
        finally:
            for process in processes:
                stop(process)
    print(table(results))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
