"""Benchmark: gitml's default BentoML service against a minimal FastAPI app, same model, same load.

Not a test: run it by hand after `gitml build` in the reference project::

    python3 -m uv sync --extra bench
    .venv/bin/gitml run --pull && .venv/bin/gitml build
    .venv/bin/python bench/serving.py                 # newest `classifier` Bento
    .venv/bin/python bench/serving.py --bento classifier:v0.1.0 --requests 5000

Both servers run one worker process on 127.0.0.1 and are driven one after the other by the same
load client: a small asyncio HTTP/1.1 client with keep-alive connections and pre-encoded bodies
(one real row of the test split per request), so the client costs as little CPU as possible on a
2-core machine. It prints requests/s, p50 and p99 latency for each server and the ratio.
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

from gitml.serving.serve import free_port, serve_command

ROOT = Path(__file__).resolve().parent.parent


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
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


async def one_connection(port: int, bodies: list[bytes], queue: asyncio.Queue, latencies: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            body = bodies[index % len(bodies)]
            request = (
                b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            payload = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {payload[:200]!r}")
    finally:
        writer.close()


async def drive(port: int, bodies: list[bytes], requests: int, concurrency: int) -> dict:
    queue: asyncio.Queue = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(index)
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(one_connection(port, bodies, queue, latencies) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def measure(name: str, command: list[str], port: int, ready: str, env: dict, args) -> dict:
    process = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}{ready}", process)
        bodies = args.bodies
        asyncio.run(drive(port, bodies, args.warmup, args.concurrency))  # warm-up
        result = asyncio.run(drive(port, bodies, args.requests, args.concurrency))
    finally:
        stop(process)
    print(
        f"{name:<9} {result['rps']:8.0f} req/s   p50 {result['p50_ms']:6.2f} ms   "
        f"p99 {result['p99_ms']:6.2f} ms   ({result['requests']} requests, "
        f"{args.concurrency} connections)"
    )
    return result


def newest_bento(name: str) -> str:
    import bentoml

    bentos = [b for b in bentoml.bentos.list() if b.tag.name == name]
    if not bentos:
        sys.exit(f"no `{name}` Bento built; run `gitml build` first")
    return str(max(bentos, key=lambda b: b.info.creation_time).tag)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bento", default=None, help="Bento tag (default: newest classifier)")
    parser.add_argument("--test-split", default=str(ROOT / "prepared" / "test.csv"))
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", dest="json_path", default=None, help="Also write results here")
    args = parser.parse_args()

    import bentoml

    bento_tag = args.bento or newest_bento("classifier")
    bento = bentoml.get(bento_tag)
    model_tag = str(bento.info.all_models[0].tag)
    model_dir = bentoml.models.get(model_tag).path
    model_file = os.path.join(model_dir, "model.joblib")

    frame = pd.read_csv(args.test_split)
    rows = frame.drop(columns=["target"], errors="ignore").to_dict(orient="records")
    args.bodies = [json.dumps({"instances": [row]}).encode() for row in rows]

    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True", "BENCH_MODEL": model_file}
    print(f"bento {bento_tag}, model {model_tag}, {len(rows)} distinct rows, one per request")
    port = free_port()
    bento_result = measure(
        "bentoml",
        serve_command(bento_tag, "127.0.0.1", port),
        port,
        "/readyz",
        env,
        args,
    )
    port = free_port()
    with tempfile.TemporaryDirectory():
        fastapi_result = measure(
            "fastapi",
            [
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
            ],
            port,
            "/healthz",
            env,
            args,
        )
    ratio = bento_result["rps"] / fastapi_result["rps"]
    print(f"ratio bentoml/fastapi throughput: {ratio:.2f}x (target >= 0.80x)")
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps(
                {"bentoml": bento_result, "fastapi": fastapi_result, "ratio": ratio}, indent=2
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
