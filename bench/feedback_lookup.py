"""Benchmark: how long ``POST /feedback`` for an unknown id holds the served model's event loop.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/feedback_lookup.py
    .venv/bin/python bench/feedback_lookup.py --megabytes 50 --lookups 20

It writes a prediction log of ``--megabytes`` MB in the service's record format (the reference
model's 30 features per row) and looks up ids that are not in it, as a client posting feedback
for an unknown but well-formed id does:

- before (what gitml 0.1 ran): every miss scanned every prediction file line by line, in the
  event loop, so every prediction waiting behind it waited as long;
- now (``service_records.RequestIndex``): one background thread reads the files once at start,
  then only what was appended since; a miss awaits that read off the event loop.

It prints the median time the event loop was blocked per unknown-id lookup (before: the whole
scan; now: the longest gap between two ticks of a 1 ms timer while the lookup runs), the start
read's duration in the thread (with the longest event-loop stall while it runs), and the ratio. It exits 0 either way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src" / "gitml" / "serving"))

FEATURES = [f"feature_{index:02d}" for index in range(30)]


def write_log(folder: Path, megabytes: int) -> int:
    """A prediction log of about ``megabytes`` MB; returns its number of records."""
    folder.mkdir(parents=True)
    path, count, target = folder / "data.0.log", 0, megabytes * 1024 * 1024
    with path.open("w", encoding="utf-8") as handle:
        while handle.tell() < target:
            record = {
                "instance": 0, "model": "classifier:v0.1.0", "version": "v0.1.0",
                "commit": "c" * 40, "features": {name: 12.345678 + count for name in FEATURES},
                "prediction": 1, "probabilities": [0.02, 0.98], "classes": [0, 1],
                "timestamp": "2026-11-29T08:28:35.628911+00:00",
                "request_id": f"{count:032x}", "trace_id": "0",
            }  # fmt: skip
            handle.write(json.dumps(record) + "\n")
            count += 1
    return count


def scan_before(folder: Path, request_id: str) -> int:
    """gitml 0.1's lookup of an id outside the in-memory window: every file, every line."""
    needle = f'"request_id": "{request_id}"'
    instances = set()
    for path in sorted(folder.glob("data.*.log*"), key=os.path.getmtime, reverse=True):
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if needle in line:
                    instances.add(int(json.loads(line)["instance"]))
        if instances:
            return max(instances) + 1
    return 0


async def longest_stall(lookup) -> float:
    """The longest gap between ticks of a 1 ms timer while ``lookup`` runs, in seconds."""
    done, longest = False, 0.0

    async def ticker():
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last - 0.001)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.005)
    await lookup()
    done = True
    await task
    return longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--lookups", type=int, default=10)
    args = parser.parse_args()
    from service_records import RequestIndex

    with tempfile.TemporaryDirectory(prefix="gitml-bench-") as scratch:
        folder = Path(scratch) / "gitml_predictions" / "data"
        records = write_log(folder, args.megabytes)
        unknown = [f"{records + n:032x}" for n in range(args.lookups)]

        before = []
        for request_id in unknown:
            start = time.perf_counter()
            scan_before(folder, request_id)  # on the event loop: it blocks for all of this
            before.append(time.perf_counter() - start)

        start = time.perf_counter()
        index = RequestIndex(100_000, folder)  # starts reading in its thread

        async def start_read() -> None:
            await asyncio.wrap_future(index.refresh_soon())

        start_stall = asyncio.run(longest_stall(start_read))
        first_read = time.perf_counter() - start

        async def lookups() -> list[float]:
            stalls = []
            for request_id in unknown:

                async def one(request_id=request_id):
                    assert await index.lookup(request_id) == [None]

                stalls.append(await longest_stall(one))
            return stalls

        now = asyncio.run(lookups())
    b, n = statistics.median(before), statistics.median(now)
    print(f"prediction log: {args.megabytes} MB, {records:,} records")
    print(f"before: event loop blocked {b * 1000:.1f} ms per unknown id (median of {len(before)})")
    print(f"now:    event loop blocked {n * 1000:.2f} ms per unknown id (median of {len(now)})")
    print(
        f"now:    the start read in the background thread took {first_read:.2f} s, once; the "
        f"event loop's longest stall meanwhile: {start_stall * 1000:.1f} ms"
    )
    print(f"ratio now/before: {n / b:.4f}")


if __name__ == "__main__":
    main()
