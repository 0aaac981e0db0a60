"""Benchmark: a ward-wide poll against the bare-HTTP limit, in one run.

    .venv/bin/pip install -e '.[load]'
    .venv/bin/python loadtests/poll_benchmark.py [--households 30000] [--groups 40]
        [--users 200] [--seconds 60] [--workers 2]

1. The bare limit: loadtests/bare_server.py (parses the ballot form, redirects)
   under uvicorn with `--workers` workers, driven by the same locust scenario
   (loadtests/ward_poll.py with DANBAN_BARE=1) as fast as it can go.
2. The real stack (`python -m deploy.run`, embedded database, a RabbitMQ vhost
   of its own), seeded with a ward of `--households` households in `--groups`
   residential groups through the directory's import, and one commune-wide
   decision open online; ballot cards issued for every group.
3. The poll, twice: phones as fast as they can go (throughput, and the ratio to
   the bare limit), then `--users` phones that pause about 1 s between steps as a
   resident would (latency). Each run lasts at most `--seconds` and stops by itself.
4. Counting: every receipt shown is in the database once, and the tally the
   surveys service gives equals a recount of the answers the phones sent.

Prints one summary line and appends command, machine, date and numbers to
loadtests/RESULTS.md. Loopback only. Needs the RabbitMQ management API.
"""

import argparse
import asyncio
import contextlib
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.sample_roster import roster_rows, write  # noqa: E402
from gateway.rpc import RpcClient  # noqa: E402
from loadtests.household_import import run_import  # noqa: E402
from services.surveys.codes import receipt_hash  # noqa: E402
from tests.support import free_port, fresh_vhost, python_env, stack_env, start_stack  # noqa: E402

PASSWORD = "mật-khẩu-đo-hiệu-năng"
WARD = "huong-an"
RESULTS = ROOT / "loadtests" / "RESULTS.md"


# --- seeding ----------------------------------------------------------------------


async def seed(rpc: RpcClient, households: int, groups: int, folder: Path) -> tuple[str, list]:
    """The ward, its households (through the import, as a clerk would), one open
    commune-wide decision, and every household's card code."""
    path = folder / "ds.csv"
    write(path, roster_rows(households, groups))
    started = time.perf_counter()
    imported = await run_import(rpc, path.read_bytes(), path.name)
    print(f"imported {imported['households']} households in {time.perf_counter() - started:.0f} s")
    now = datetime.now(UTC)
    poll_id = uuid.uuid4().hex
    question = {
        "id": "q1",
        "type": "single",
        "text": "Hộ gia đình có đồng ý chuyển giờ thu gom rác sang 5 giờ 30 sáng?",
        "options": [{"id": "opt1", "label": "Đồng ý"}, {"id": "opt2", "label": "Không đồng ý"}],
    }
    await rpc.call(
        "surveys",
        "create_poll",
        {
            "actor": "admin", "request_id": poll_id, "kind": "decision", "commune_id": WARD,
            "unit_id": WARD, "title": "Chuyển giờ thu gom rác", "matter": "other",
            "channels": ["online", "paper"], "questions": [question],
            "deciding_options": ["opt1"], "noticed_on": str(date.today() - timedelta(days=2)),
            "opens_at": now.isoformat(), "closes_at": (now + timedelta(hours=3)).isoformat(),
            "online_opt_in": households // 2 + 1,
        },
    )  # fmt: skip
    started = time.perf_counter()
    while (await rpc.call("surveys", "get_poll", {"poll_id": poll_id}))["status"] != "open":
        await asyncio.sleep(1)
    print(f"the poll opened with its electorate in {time.perf_counter() - started:.0f} s")
    cards = []
    for number in range(1, groups + 1):
        command = {"actor": "admin", "poll_id": poll_id, "unit_id": f"tdp-{number}"}
        sheet = await rpc.call("surveys", "issue_cards", command, timeout=60)
        cards += [card["card_code"] for card in sheet["cards"]]
    random.Random(1).shuffle(cards)
    return poll_id, cards


# --- measuring --------------------------------------------------------------------


class Sampler(threading.Thread):
    """Peak resident memory of each process, and CPU seconds, sampled twice a second."""

    def __init__(self, processes: dict[str, psutil.Process]) -> None:
        super().__init__(daemon=True)
        self.processes, self.peak = processes, Counter()
        self.stopping = threading.Event()

    def cpu(self) -> dict[str, float]:
        return {name: sum(p.cpu_times()[:2]) for name, p in self.processes.items()}

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for name, process in self.processes.items():
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.peak[name] = max(self.peak[name], process.memory_info().rss)


def locust(host: str, env: dict[str, str], users: int, seconds: int, folder: Path, tag: str):
    """Run the scenario headless; return locust's stats rows by request name."""
    prefix = folder / tag
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "ward_poll.py"),
         "--headless", "--host", host, "-u", str(users), "-r", str(max(users // 4, 1)),
         "-t", f"{seconds}s", "--stop-timeout", "5", "--csv", str(prefix), "--only-summary"],
        env=env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def scenario_env(cards: list[str], folder: Path, tag: str, **extra: str) -> dict[str, str]:
    (folder / f"{tag}.cards").write_text("\n".join(cards))
    return python_env(
        DANBAN_POLL_CARDS=str(folder / f"{tag}.cards"),
        DANBAN_POLL_RECEIPTS=str(folder / f"{tag}.json"),
        DANBAN_STAFF_PASSWORD=PASSWORD,
        **extra,
    )


def bare_limit(users: int, seconds: int, workers: int, folder: Path) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "loadtests.bare_server:app", "--port", str(port),
         "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=python_env(),
    )  # fmt: skip
    try:
        time.sleep(3)
        cards = [f"H{n:07d}-AAAAAAAA" for n in range(10**6)]
        env = scenario_env(cards, folder, "bare", DANBAN_BARE="1")
        return locust(f"http://127.0.0.1:{port}", env, users, seconds, folder, "bare")
    finally:
        server.terminate()
        server.wait(timeout=30)


def profile(processes: dict[str, psutil.Process], seconds: int, folder: Path) -> list:
    """py-spy samples every process for the flat-out run; collapsed stacks, one file
    a process (`summarise_profile.py` reads them)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--pid",
                str(process.pid),
                "--duration",
                str(seconds),
                "--rate",
                "100",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(folder / f"{name.replace(' ', '-')}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for name, process in processes.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=30000)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--profile", type=Path, help="folder for py-spy profiles of the flat-out run"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_vhost() as amqp_uri:
        folder = Path(tmp)
        bare = bare_limit(args.users, args.seconds, args.workers, folder)["/b/[card]/cast"]
        env = stack_env(amqp_uri, folder / "var", PASSWORD, rpc_timeout=10, workers=args.workers)
        stack = start_stack(env, folder / "var", "--no-demo")
        try:
            rpc = RpcClient(amqp_uri, timeout=60)

            async def prepare() -> tuple[str, list]:
                await rpc.start()
                try:
                    return await seed(rpc, args.households, args.groups, folder)
                finally:
                    await rpc.close()

            poll_id, cards = asyncio.run(prepare())
            names = ("mongo", "directory", "surveys", "notifications", "gateway")
            processes = {name: psutil.Process(stack.pid(name)) for name in names}
            workers = [
                child
                for child in processes["gateway"].children()
                if "spawn_main" in " ".join(child.cmdline())  # not the resource tracker
            ]
            for index, worker in enumerate(workers):
                processes[f"gateway worker {index + 1}"] = worker
            sampler = Sampler(processes)
            sampler.start()
            half = len(cards) // 2
            cpu_before = sampler.cpu()
            profilers = profile(processes, args.seconds, args.profile) if args.profile else []
            fast_env = scenario_env(cards[:half], folder, "fast", DANBAN_POLL_ID=poll_id)
            fast = locust(stack.base_url, fast_env, args.users, args.seconds, folder, "fast")
            cpu_after = sampler.cpu()
            for profiler in profilers:
                profiler.wait(timeout=60)
            paced_env = scenario_env(
                cards[half:], folder, "paced", DANBAN_POLL_ID=poll_id, DANBAN_THINK_SECONDS="1"
            )
            paced = locust(stack.base_url, paced_env, args.users, args.seconds, folder, "paced")
            sampler.stopping.set()
            counted = check_counts(rpc, amqp_uri, stack.mongo_url, poll_id, folder)
        finally:
            stack.stop()
    report(args, bare, fast, paced, counted, sampler, cpu_before, cpu_after)


def check_counts(rpc: RpcClient, amqp_uri: str, mongo_url: str, poll_id: str, folder: Path):
    """Every receipt shown is stored once; the service's tally equals a recount."""
    shown = {}
    refused = Counter()
    for tag in ("fast", "paced"):
        run = json.loads((folder / f"{tag}.json").read_text())
        shown |= run["accepted"]
        refused.update(run["refused"])
    with MongoClient(mongo_url) as client:
        stored = list(client.danban_surveys.participation.find({"poll_id": poll_id}))
    stored_hashes = Counter(doc["receipt_hash"] for doc in stored)
    lost = sum(receipt_hash(ballot["receipt"]) not in stored_hashes for ballot in shown.values())
    duplicates = sum(n - 1 for n in stored_hashes.values() if n > 1)
    recount = Counter(ballot["answer"] for ballot in shown.values())

    async def tally() -> dict:
        await rpc.start()
        try:
            return await rpc.call("surveys", "get_results", {"poll_id": poll_id, "actor": "admin"})
        finally:
            await rpc.close()

    totals = asyncio.run(tally())["totals"]["q1"]
    service = {option: sum(by.values()) for option, by in totals.items()}
    return {
        "shown": len(shown), "stored": len(stored), "lost": lost, "duplicates": duplicates,
        "recount_equal": service == dict(recount), "refused": dict(refused),
    }  # fmt: skip


def report(args, bare, fast, paced, counted, sampler, cpu_before, cpu_after) -> None:
    cast, paced_cast = fast["/b/[card]/cast"], paced["/b/[card]/cast"]
    bare_rps = float(bare["Requests/s"])
    ballots = int(cast["Request Count"]) - int(cast["Failure Count"])
    fast_rps = ballots / args.seconds
    errors = sum(int(row["Failure Count"]) for row in (*fast.values(), *paced.values())
                 if row["Name"] != "Aggregated")  # fmt: skip
    surveys_cpu = cpu_after["surveys"] - cpu_before["surveys"]
    memory = ", ".join(f"{name} {rss / 2**20:.0f} MB" for name, rss in sampler.peak.items())
    line = (
        f"ballots accepted {fast_rps:.1f}/s (as fast as phones go), bare limit {bare_rps:.0f}/s, "
        f"ratio {fast_rps / bare_rps:.3f}; cast p50/p95/p99 {cast['50%']}/{cast['95%']}/"
        f"{cast['99%']} ms flat out, {paced_cast['50%']}/{paced_cast['95%']}/{paced_cast['99%']} "
        f"ms with {args.users} phones pausing ~1 s; errors {errors}; receipts shown "
        f"{counted['shown']}, stored {counted['stored']}, lost {counted['lost']}, duplicates "
        f"{counted['duplicates']}, tally = recount: {counted['recount_equal']}"
    )
    per_ballot = 1000 * surveys_cpu / max(ballots, 1)
    detail = (
        f"Invalid requests refused as expected: {counted['refused']}. Surveys CPU per ballot "
        f"(all its calls of the flat-out run / ballots): {per_ballot:.1f} ms. "
        f"Peak memory: {memory}."
    )
    print(line)
    print(detail)
    with RESULTS.open("a") as results:
        results.write(
            f"\n## poll_benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`python loadtests/poll_benchmark.py --households {args.households} --groups "
            f"{args.groups} --users {args.users} --seconds {args.seconds} --workers "
            f"{args.workers}` on {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()})\n\n{line}\n\n{detail}\n"
        )


if __name__ == "__main__":
    main()
