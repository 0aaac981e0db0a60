"""Benchmark: inserting households into the embedded MongoDB-protocol server.

    .venv/bin/python loadtests/embedded_inserts.py [--households 5000]

Runs the stock mongoeco server and DânBàn's (with `skip_needless_id_scans`)
side by side in the same run, inserts the same households in batches of 500
through pymongo, and prints milliseconds per document for the first and the
last batch of each. A cost that grows with the collection shows as a ratio
last/first well above 1. Appends the numbers to loadtests/RESULTS.md.
"""

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500


def household(n: int) -> dict:
    return {
        "_id": f"H{n:07d}",
        "periods": [
            {"unit_id": f"u{n % 40}", "status": "active", "from": "2025-07-01", "to": "9999-12-31"}
        ],
        "members": [{"name": "Nguyễn Văn An", "birth_year": 1970, "phone": f"09{n:08d}"}],
        "address": f"Số {n}, đường Hương An",
    }


def measure(households: int, stock: bool, folder: Path) -> tuple[float, float, float]:
    """(ms/doc first batch, ms/doc last batch, seconds in all)."""
    argv = [
        sys.executable,
        "-m",
        "deploy.embedded_mongo",
        "--data",
        str(folder / f"{'stock' if stock else 'danban'}.sqlite"),
        "--port",
        "0",
    ]
    server = subprocess.Popen(
        argv + (["--stock"] if stock else []), cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        uri = server.stdout.readline().strip().removeprefix("ready ")
        with MongoClient(uri) as client:
            collection = client.bench.households
            timings = []
            started = time.perf_counter()
            for first in range(0, households, BATCH):
                batch = [household(n) for n in range(first, min(first + BATCH, households))]
                batch_started = time.perf_counter()
                collection.insert_many(batch)
                timings.append((time.perf_counter() - batch_started) * 1000 / len(batch))
            return timings[0], timings[-1], time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stock = measure(args.households, stock=True, folder=Path(folder))
        ours = measure(args.households, stock=False, folder=Path(folder))
    line = (
        f"{args.households} households: stock {stock[0]:.1f}→{stock[1]:.1f} ms/doc "
        f"({stock[2]:.0f} s), DânBàn {ours[0]:.1f}→{ours[1]:.1f} ms/doc ({ours[2]:.0f} s); "
        f"growth last/first: stock {stock[1] / stock[0]:.1f}×, DânBàn {ours[1] / ours[0]:.1f}×; "
        f"stock/DânBàn total time {stock[2] / ours[2]:.1f}×"
    )
    print(line)
    with open(ROOT / "loadtests" / "RESULTS.md", "a") as results:
        results.write(
            f"\n## embedded_inserts, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`python loadtests/embedded_inserts.py --households {args.households}` on "
            f"{platform.node()} ({platform.machine()}, Python {platform.python_version()})\n\n"
            f"{line}\n"
        )


if __name__ == "__main__":
    main()
