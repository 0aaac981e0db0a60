"""Benchmark: importing a ward's household list on the embedded database.

    .venv/bin/python loadtests/household_import.py [--households 30000] [--format csv]

Starts the embedded MongoDB-protocol server (SQLite on disk, as `./dev run`
does) and the directory service in a RabbitMQ vhost of their own, creates a
ward of 40 residential groups, generates a list (deploy/sample_roster.py) and
imports it as the import page does: upload in chunks, wait for the check,
apply, wait until done. Baseline, in the same run and on the same server: the
same households inserted straight through pymongo (insert_many, 500 at a time)
into a collection with the registry's indexes: the least any import must spend
writing them. Prints and appends to
loadtests/RESULTS.md: seconds to check, to apply, in all, and the ratio to the
baseline. Needs the RabbitMQ management API (./dev test enables it).
"""

import argparse
import asyncio
import base64
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.sample_roster import roster_rows, write  # noqa: E402
from gateway.rpc import RpcClient  # noqa: E402
from services.directory.roster import check_roster, read_table  # noqa: E402
from services.directory.store import DirectoryStore, _household_document  # noqa: E402
from shared.contracts.imports import CHUNK_BYTES  # noqa: E402
from tests.support import ServiceProcess, fresh_vhost, python_env  # noqa: E402

GROUPS = 40


def unit(unit_id: str, kind: str, name: str, parent_id: str | None = None) -> dict:
    return {"id": unit_id, "kind": kind, "name": name, "parent_id": parent_id,
            "valid_from": "2025-07-01"}  # fmt: skip


WARD = [
    unit("hue", "province", "Thành phố Huế"),
    unit("huong-an", "ward", "Phường Hương An", "hue"),
    *(unit(f"tdp-{n}", "residential_group", f"Tổ dân phố {n}", "huong-an")
      for n in range(1, GROUPS + 1)),
]  # fmt: skip


async def run_import(rpc: RpcClient, content: bytes, filename: str) -> dict[str, float]:
    for registered in WARD:
        await rpc.call("directory", "register_unit", registered)
    await rpc.call("directory", "bootstrap_admin", {"password": "mật-khẩu-đo-hiệu-năng"})
    ref = {"actor": "admin", "import_id": uuid.uuid4().hex}
    chunks = [content[i : i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)]
    start = {**ref, "commune_id": "huong-an", "filename": filename, "chunk_count": len(chunks)}
    started = time.perf_counter()
    await rpc.call("directory", "start_household_import", start)
    for index, chunk in enumerate(chunks):
        part = {**ref, "index": index, "data": base64.b64encode(chunk).decode()}
        await rpc.call("directory", "add_import_chunk", part)
    await rpc.call("directory", "finish_import_upload", ref)
    uploaded = time.perf_counter()
    report = await wait_for(rpc, ref, "checked")
    checked = time.perf_counter()
    assert report["problem_count"] == 0, report["problems"][:5]
    await rpc.call("directory", "apply_household_import", ref)
    done = await wait_for(rpc, ref, "done")
    finished = time.perf_counter()
    count = await rpc.call(
        "directory", "count_households", {"unit_id": "huong-an", "as_of": "2025-08-01"}
    )
    assert done["created"] == count["count"] == report["households"], (done, count)
    return {
        "upload": uploaded - started,
        "check": checked - uploaded,
        "apply": finished - checked,
        "total": finished - started,
        "households": count["count"],
    }


async def wait_for(rpc: RpcClient, ref: dict, status: str) -> dict:
    while True:
        record = await rpc.call("directory", "get_household_import", ref)
        if record["status"] == status:
            return record
        await asyncio.sleep(0.25)


def baseline(mongo_url: str, content: bytes, filename: str) -> float:
    """Seconds to insert the same households straight through pymongo."""
    from shared.contracts.directory import AdministrativeUnit

    units = [
        AdministrativeUnit(
            id=f"tdp-{n}", kind="residential_group", name=f"Tổ dân phố {n}", valid_from="2025-07-01"
        )  # fmt: skip
        for n in range(1, GROUPS + 1)
    ]
    households = check_roster(read_table(filename, content), units, {}, datetime.now().date())
    documents = [_household_document(h) | {"imported_by": "x"} for h in households.households]
    with MongoClient(mongo_url) as client:
        DirectoryStore.ensure_indexes(client.baseline)
        collection = client.baseline.households
        started = time.perf_counter()
        for start in range(0, len(documents), 500):
            collection.insert_many(documents[start : start + 500])
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=30000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    filename = f"danh-sach.{args.format}"
    with tempfile.TemporaryDirectory() as folder, fresh_vhost() as amqp_uri:
        path = Path(folder) / filename
        write(path, roster_rows(args.households, GROUPS))
        content = path.read_bytes()
        argv = ["-m", "deploy.embedded_mongo", "--data", f"{folder}/db.sqlite", "--port", "0"]
        mongo = subprocess.Popen(
            [sys.executable, *argv], cwd=ROOT, env=python_env(), stdout=subprocess.PIPE, text=True
        )
        mongo_url = mongo.stdout.readline().strip().removeprefix("ready ")
        env = python_env(AMQP_URI=amqp_uri, MONGO_URL=mongo_url, DANBAN_DB_PREFIX="bench")
        service = ServiceProcess("directory", env, Path(folder) / "directory.log").start()
        try:
            rpc = RpcClient(amqp_uri, timeout=60)

            async def measure() -> dict[str, float]:
                await rpc.start()
                try:
                    return await run_import(rpc, content, filename)
                finally:
                    await rpc.close()

            times = asyncio.run(measure())
            floor = baseline(mongo_url, content, filename)
        finally:
            service.stop()
            mongo.terminate()
            mongo.wait(timeout=30)
    line = (
        f"{times['households']} households ({len(content) / 1e6:.1f} MB {args.format}): "
        f"upload {times['upload']:.1f} s, check {times['check']:.1f} s, "
        f"apply {times['apply']:.1f} s, total {times['total']:.1f} s; baseline insert_many "
        f"{floor:.1f} s; total/baseline {times['total'] / floor:.1f}×"
    )
    print(line)
    with open(ROOT / "loadtests" / "RESULTS.md", "a") as results:
        results.write(
            f"\n## household_import, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`python loadtests/household_import.py --households {args.households} "
            f"--format {args.format}` on {platform.node()} ({platform.machine()}, "
            f"{os.cpu_count()} CPUs, "
            f"Python {platform.python_version()})\n\n{line}\n"
        )


if __name__ == "__main__":
    main()
