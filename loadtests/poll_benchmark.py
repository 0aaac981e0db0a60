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
import resource
import signal
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

from deploy.run import instance_names  # noqa: E402
from deploy.sample_roster import roster_rows, write  # noqa: E402
from gateway.rpc import RpcClient  # noqa: E402
from loadtests.household_import import run_import  # noqa: E402
from services.surveys.codes import receipt_hash  # noqa: E402
from shared.errors import ServiceUnavailable  # noqa: E402
from tests.support import (  # noqa: E402
    deliveries_by_process,
    free_port,
    fresh_vhost,
    python_env,
    restart_broker,
    stack_env,
    start_stack,
)

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
    command = {
        "actor": "admin", "request_id": poll_id, "kind": "decision", "commune_id": WARD,
        "unit_id": WARD, "title": "Chuyển giờ thu gom rác", "matter": "other",
        "channels": ["online", "paper"], "questions": [question],
        "deciding_options": ["opt1"], "noticed_on": str(date.today() - timedelta(days=2)),
        "opens_at": now.isoformat(), "closes_at": (now + timedelta(hours=3)).isoformat(),
        "online_opt_in": households // 2 + 1,
    }  # fmt: skip
    for attempt in range(12):
        try:  # the same request id: a retry creates the poll once
            await rpc.call("surveys", "create_poll", command)
            break
        except ServiceUnavailable:  # the directory is still busy with the import
            print(f"creating the poll: no answer yet (attempt {attempt + 1}), trying again")
            await asyncio.sleep(5)
    else:
        raise SystemExit("the poll could not be created: the directory never answered")
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
    """Run the scenario headless; return locust's stats rows by request name, the
    CPU seconds locust itself used (the load generator shares the machine), and
    its failures ("request: error" → how many)."""
    prefix = folder / tag
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "ward_poll.py"),
         "--headless", "--host", host, "-u", str(users), "-r", str(max(users // 4, 1)),
         "-t", f"{seconds}s", "--stop-timeout", "5", "--csv", str(prefix), "--only-summary"],
        env=env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    with open(f"{prefix}_failures.csv") as failed:
        failures = {f"{row['Name']}: {row['Error']}": int(row["Occurrences"])
                    for row in csv.DictReader(failed)}  # fmt: skip
    with open(f"{prefix}_stats.csv") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    return rows, cpu, failures


def accepted_per_second(row: dict) -> float:
    """Ballots accepted per second over the run (locust's rate, less refusals)."""
    requests = int(row["Request Count"])
    return float(row["Requests/s"]) * (requests - int(row["Failure Count"])) / max(requests, 1)


def scenario_env(cards: list[str], folder: Path, tag: str, **extra: str) -> dict[str, str]:
    (folder / f"{tag}.cards").write_text("\n".join(cards))
    return python_env(
        DANBAN_POLL_CARDS=str(folder / f"{tag}.cards"),
        DANBAN_POLL_RECEIPTS=str(folder / f"{tag}.json"),
        DANBAN_STAFF_PASSWORD=PASSWORD,
        **extra,
    )


def bare_limit(users: int, seconds: int, workers: int, folder: Path) -> dict:
    """The bare server under the same scenario: its cast row, and CPU ms a request
    of the server (all its workers) and of locust."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "loadtests.bare_server:app", "--port", str(port),
         "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=python_env(),
    )  # fmt: skip
    try:
        time.sleep(3)
        processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children()]
        before = sum(sum(p.cpu_times()[:2]) for p in processes)
        cards = [f"H{n:07d}-AAAAAAAA" for n in range(10**6)]
        env = scenario_env(cards, folder, "bare", DANBAN_BARE="1")
        rows, locust_cpu, _ = locust(
            f"http://127.0.0.1:{port}", env, users, seconds, folder, "bare"
        )
        server_cpu = sum(sum(p.cpu_times()[:2]) for p in processes) - before
        row = rows["/b/[card]/cast"]
        count = max(int(row["Request Count"]), 1)
        return {"row": row, "server_ms": 1000 * server_cpu / count,
                "locust_ms": 1000 * locust_cpu / count}  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def inject_faults(stack, seconds: int) -> None:  # noqa: ANN001
    """Faults while the paced phones vote, each a sixth of the run after the last,
    so the stack has half the run to recover: kill -9 the surveys service (the
    runner starts it again), kill a gateway worker (uvicorn starts another),
    restart RabbitMQ's application (every connection drops)."""
    time.sleep(seconds / 6)
    os.kill(stack.pid("surveys"), signal.SIGKILL)
    print("fault: surveys killed with kill -9")
    time.sleep(seconds / 6)
    gateway = psutil.Process(stack.pid("gateway"))
    next(c for c in gateway.children() if "spawn_main" in " ".join(c.cmdline())).kill()
    print("fault: a gateway worker killed")
    time.sleep(seconds / 6)
    restart_broker()
    print("fault: RabbitMQ restarted")


def stack_processes(stack, instances: int) -> dict[str, psutil.Process]:  # noqa: ANN001
    """Every process of the stack, the gateway's workers and RabbitMQ, by name."""
    names = ["mongo", "directory", *instance_names("surveys", instances), "notifications"]
    processes = {name: psutil.Process(stack.pid(name)) for name in [*names, "gateway"]}
    workers = [
        child
        for child in processes["gateway"].children()
        if "spawn_main" in " ".join(child.cmdline())  # not the resource tracker
    ]
    for index, worker in enumerate(workers):
        processes[f"gateway worker {index + 1}"] = worker
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "beam.smp":
            processes["rabbitmq"] = process
    return processes


def profile(processes: dict[str, psutil.Process], seconds: int, folder: Path) -> list:
    """py-spy samples every process for the flat-out run while it runs Python (holds
    the GIL); collapsed stacks, one file a process (`summarise_profile.py` reads them)."""
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
                "--gil",  # CPU only: where the time goes, not where it waits
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
    parser.add_argument("--instances", type=int, default=1, help="surveys service processes")
    parser.add_argument(
        "--profile", type=Path, help="folder for py-spy profiles of the flat-out run"
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        help="during the paced run: kill -9 surveys, kill a gateway worker, restart RabbitMQ",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_vhost() as amqp_uri:
        folder = Path(tmp)
        bare = bare_limit(args.users, args.seconds, args.workers, folder)
        env = stack_env(amqp_uri, folder / "var", PASSWORD, rpc_timeout=10, workers=args.workers)
        instances = f"surveys={args.instances}"
        stack = start_stack(env, folder / "var", "--no-demo", "--instances", instances)
        try:
            rpc = RpcClient(amqp_uri, timeout=60)

            async def prepare() -> tuple[str, list]:
                await rpc.start()
                try:
                    return await seed(rpc, args.households, args.groups, folder)
                finally:
                    await rpc.close()

            poll_id, cards = asyncio.run(prepare())
            processes = stack_processes(stack, args.instances)
            surveys = {n: p.pid for n, p in processes.items() if n.startswith("surveys")}
            sampler = Sampler(processes)
            sampler.start()
            half = len(cards) // 2
            cpu_before = sampler.cpu()
            delivered_before = deliveries_by_process(amqp_uri, surveys)
            profilers = profile(processes, args.seconds, args.profile) if args.profile else []
            fast_env = scenario_env(cards[:half], folder, "fast", DANBAN_POLL_ID=poll_id)
            fast, locust_cpu, failures = locust(
                stack.base_url, fast_env, args.users, args.seconds, folder, "fast"
            )
            cpu = {name: t - cpu_before[name] for name, t in sampler.cpu().items()}
            cpu["locust"] = locust_cpu
            for profiler in profilers:
                profiler.wait(timeout=60)
            time.sleep(6)  # the management API's numbers lag
            delivered = deliveries_by_process(amqp_uri, surveys)
            shares = {name: delivered[name] - delivered_before[name] for name in surveys}
            paced_env = scenario_env(
                cards[half:], folder, "paced", DANBAN_POLL_ID=poll_id, DANBAN_THINK_SECONDS="1"
            )
            faults = threading.Thread(target=inject_faults, args=(stack, args.seconds), daemon=True)
            if args.faults:
                faults.start()
            paced, _, paced_failures = locust(
                stack.base_url, paced_env, args.users, args.seconds, folder, "paced"
            )
            failures = {f"flat out, {k}": n for k, n in failures.items()} | {
                f"paced, {k}": n for k, n in paced_failures.items()
            }
            if args.faults:
                faults.join(timeout=args.seconds)
            sampler.stopping.set()
            counted = check_counts(rpc, amqp_uri, stack.mongo_url, poll_id, folder)
        finally:
            stack.stop()
    report(args, bare, fast, paced, counted, sampler, cpu, shares, failures)


def check_counts(rpc: RpcClient, amqp_uri: str, mongo_url: str, poll_id: str, folder: Path):
    """Every receipt shown is stored once; the service's tally equals a recount."""
    shown = {}
    refused = Counter()
    for tag in ("fast", "paced"):
        run = json.loads((folder / f"{tag}.json").read_text())
        shown |= run["accepted"]
        refused.update(run["refused"])
    voted_until = datetime.now(UTC)
    started = time.perf_counter()
    with MongoClient(mongo_url) as client:
        stored = list(client.danban_surveys.participation.find({"poll_id": poll_id}))
    read_seconds = time.perf_counter() - started
    stored_hashes = Counter(doc["receipt_hash"] for doc in stored)
    lost = sum(receipt_hash(ballot["receipt"]) not in stored_hashes for ballot in shown.values())
    duplicates = sum(n - 1 for n in stored_hashes.values() if n > 1)
    # the tally must equal a recount from the stored ballots; the answers the
    # phones sent must be what is stored for every receipt shown
    recount = Counter(document["answers"]["q1"][0] for document in stored)
    by_hash = {document["receipt_hash"]: document["answers"]["q1"][0] for document in stored}
    sent_as_stored = all(
        by_hash.get(receipt_hash(ballot["receipt"])) == ballot["answer"]
        for ballot in shown.values()
    )

    async def tally() -> dict:
        """The first live count made after the last ballot came in."""
        await rpc.start()
        try:
            while True:
                query = {"poll_id": poll_id, "actor": "admin"}
                results = await rpc.call("surveys", "get_results", query)
                if datetime.fromisoformat(results["computed_at"]) > voted_until:
                    return results
                await asyncio.sleep(1)
        finally:
            await rpc.close()

    started = time.perf_counter()
    totals = asyncio.run(tally())["totals"]["q1"]
    count_seconds = time.perf_counter() - started
    service = {option: sum(by.values()) for option, by in totals.items()}
    return {
        "shown": len(shown), "stored": len(stored), "lost": lost, "duplicates": duplicates,
        "recount_equal": service == dict(recount) and sent_as_stored, "refused": dict(refused),
        "count_seconds": count_seconds, "read_seconds": read_seconds,
    }  # fmt: skip


def report(args, bare, fast, paced, counted, sampler, cpu, shares, failures) -> None:  # noqa: ANN001
    cast, paced_cast = fast["/b/[card]/cast"], paced["/b/[card]/cast"]
    bare_rps = float(bare["row"]["Requests/s"])
    ballots = int(cast["Request Count"]) - int(cast["Failure Count"])
    fast_rps = accepted_per_second(cast)

    def errors_of(rows: dict) -> int:
        return sum(int(r["Failure Count"]) for name, r in rows.items() if name != "Aggregated")

    errors = f"errors {errors_of(fast)} flat out, {errors_of(paced)} paced" + (
        " (tries that met a fault, each sent again)" if args.faults else ""
    )
    memory = ", ".join(f"{name} {rss / 2**20:.0f} MB" for name, rss in sampler.peak.items())
    line = (
        f"ballots accepted {fast_rps:.1f}/s (as fast as phones go), bare limit {bare_rps:.0f}/s, "
        f"ratio {fast_rps / bare_rps:.3f}; cast p50/p95/p99 {cast['50%']}/{cast['95%']}/"
        f"{cast['99%']} ms flat out, {paced_cast['50%']}/{paced_cast['95%']}/{paced_cast['99%']} "
        f"ms with {args.users} phones pausing ~1 s; {errors}; receipts shown "
        f"{counted['shown']}, stored {counted['stored']}, lost {counted['lost']}, duplicates "
        f"{counted['duplicates']}, tally = recount: {counted['recount_equal']}"
        + (" (with faults in the paced run)" if args.faults else "")
    )
    per_ballot = {name: 1000 * seconds / max(ballots, 1) for name, seconds in cpu.items()}
    heaviest = sorted(per_ballot.items(), key=lambda item: -item[1])
    where = ", ".join(f"{name} {ms:.1f}" for name, ms in heaviest)
    stack_ms = sum(ms for name, ms in per_ballot.items() if name != "locust")
    calls = sum(shares.values())
    surveys_ms = sum(ms for name, ms in per_ballot.items() if name.startswith("surveys"))
    detail = (
        f"Where the CPU goes, ms per ballot accepted in the flat-out run (each ballot is a "
        f"household's four requests): {where}; the stack {stack_ms:.1f} ms in all. The bare "
        f"limit: server {bare['server_ms']:.2f} ms and locust {bare['locust_ms']:.2f} ms a "
        f"request. Surveys: {surveys_ms:.1f} ms a household, {calls / max(ballots, 1):.1f} "
        f"calls a household, {1000 * sum(cpu[n] for n in shares) / max(calls, 1):.2f} ms a "
        f"call; calls taken by each instance: {shares}. Reading the {counted['stored']} stored "
        f"ballots back from the embedded database: {counted['read_seconds']:.1f} s "
        f"({counted['stored'] / counted['read_seconds']:.0f} ballots/s); the first live count "
        f"made after the last ballot came {counted['count_seconds']:.0f} s later. Invalid "
        f"requests "
        f"refused as expected: {counted['refused']}. Failed requests: {failures or 'none'}. "
        f"Peak memory: {memory}."
    )
    print(line)
    print(detail)
    with RESULTS.open("a") as results:
        results.write(
            f"\n## poll_benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`python loadtests/poll_benchmark.py --households {args.households} --groups "
            f"{args.groups} --users {args.users} --seconds {args.seconds} --workers "
            f"{args.workers} --instances {args.instances}{' --faults' if args.faults else ''}` "
            f"on {platform.node()} "
            f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
            f"\n\n{line}\n\n{detail}\n"
        )


if __name__ == "__main__":
    main()
