"""Benchmark: a ward-wide poll against the bare flow, in one run.

    .venv/bin/pip install -e '.[load]'
    .venv/bin/python loadtests/poll_benchmark.py [--households 30000] [--groups 40]
        [--users 200] [--seconds 60] [--workers 2]

1. The bare flow: loadtests/bare_server.py (the same four steps a household's
   phone takes, each parsing the same form and rendering the gateway's page for
   that step, with no service behind it) under uvicorn (deploy/serve_http.py, as
   the gateway) with `--workers` workers,
   driven by the same locust scenario (loadtests/ward_poll.py with DANBAN_BARE=1,
   locust's FastHttpUser) with the same number of users, as fast as it can go.
2. The real stack (`python -m deploy.run`, embedded database, a RabbitMQ vhost
   of its own), seeded with a ward of `--households` households in `--groups`
   residential groups through the directory's import, and one commune-wide
   decision open online; ballot cards issued for every group.
3. The poll, twice: phones as fast as they can go (throughput: households a
   second, a household counted when its ballot got its 303; the ratio is that over
   the bare flow's households a second), then `--users` phones that pause about 1 s
   between steps as a resident would (latency). Each run lasts at most `--seconds`
   and stops by itself. The load generator's own CPU a household is reported for
   both runs (locust uses one CPU at most: near 100% of one, it is the limit).
4. Counting, once no ballot has been stored for a few seconds (casts still in the
   broker when the phones stopped): every receipt shown is in the database once
   with the answer its phone sent, and the tally the surveys service gives equals
   a recount of the stored ballots, option by option and channel by channel.

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
import re
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
import requests
from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.run import instance_names  # noqa: E402
from deploy.sample_roster import roster_rows, write  # noqa: E402
from gateway.rpc import RpcClient  # noqa: E402
from shared.ballot_codes import receipt_hash  # noqa: E402
from shared.config import SERVICE_NAMES  # noqa: E402
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
MEASUREMENTS = ROOT / "loadtests" / "measurements.json"  # what capacity.py reads


# --- seeding ----------------------------------------------------------------------


async def seed(
    rpc: RpcClient, households: int, groups: int, folder: Path, timings: dict[str, float]
) -> tuple[str, list]:
    """The ward, its households (through the import, as a clerk would), one open
    commune-wide decision, and every household's card code; how long the import,
    creating the poll and opening it took go into `timings`."""
    # here, not at the top: it imports a service's store and so eventlet, which the
    # unit tests of this module's measurements file must not
    from loadtests.household_import import run_import

    path = folder / "ds.csv"
    write(path, roster_rows(households, groups))
    started = time.perf_counter()
    imported = await run_import(rpc, path.read_bytes(), path.name)
    timings["import"] = time.perf_counter() - started
    print(f"imported {imported['households']} households in {timings['import']:.0f} s")
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
    started = time.perf_counter()
    for attempt in range(12):
        try:  # the same request id: a retry creates the poll once
            await rpc.call("surveys", "create_poll", command)
            timings["create"] = time.perf_counter() - started
            timings["create_tries"] = attempt + 1
            break
        except ServiceUnavailable:  # the directory is still busy with the import
            print(f"creating the poll: no answer yet (attempt {attempt + 1}), trying again")
            await asyncio.sleep(5)
    else:
        raise SystemExit("the poll could not be created: the directory never answered")
    started = time.perf_counter()
    while (await rpc.call("surveys", "get_poll", {"poll_id": poll_id}))["status"] != "open":
        await asyncio.sleep(1)
    timings["open"] = time.perf_counter() - started
    print(f"created the poll in {timings['create']:.1f} s, it opened in {timings['open']:.1f} s")
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
    CPU seconds locust itself used (the load generator shares the machine; its
    start included), and its failures ("request: error" → how many)."""
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


STEPS = ("/b/[card]", "/b/[card]/confirm", "/b/[card]/cast", "/r/[receipt]")


def households(rows: dict) -> int:
    """Households whose ballot got its 303 (the cast's requests, less failed tries)."""
    cast = rows.get("/b/[card]/cast")
    return int(cast["Request Count"]) - int(cast["Failure Count"]) if cast else 0


def accepted_per_second(row: dict) -> float:
    """Ballots accepted per second over the run (locust's rate, less refusals)."""
    requests = int(row["Request Count"])
    return float(row["Requests/s"]) * (requests - int(row["Failure Count"])) / max(requests, 1)


def page_sizes(rows: dict) -> str:
    """Bytes of each step's answer as locust received it (unzipped), on average."""
    return "/".join(
        f"{float(rows[step]['Average Content Size']):.0f}" if step in rows else "-"
        for step in STEPS
    )


def scenario_env(cards: list[str], folder: Path, tag: str, **extra: str) -> dict[str, str]:
    (folder / f"{tag}.cards").write_text("\n".join(cards))
    return python_env(
        DANBAN_POLL_CARDS=str(folder / f"{tag}.cards"),
        DANBAN_POLL_RECEIPTS=str(folder / f"{tag}.json"),
        DANBAN_STAFF_PASSWORD=PASSWORD,
        **extra,
    )


def bare_cards(count: int) -> list[str]:
    """Card codes of the real shape (six characters, a dash, eight, here of the
    digits 2 to 9 of the codes' alphabet), one a household: the bare server checks
    their shape as the gateway does, and nothing else."""
    digits = str.maketrans("01234567", "23456789")
    codes = (f"{n:014o}".translate(digits) for n in range(count))
    return [f"{code[:6]}-{code[6:]}" for code in codes]


def bare_flow(args: argparse.Namespace, folder: Path) -> dict:
    """The bare server under the same scenario, users and workers: its stats rows,
    households a second, and CPU ms a household of the server (all its workers)
    and of locust."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "deploy.serve_http", "loadtests.bare_server:app",
         "--port", str(port), "--workers", str(args.workers), "--no-access-log",
         "--log-level", "warning"],
        cwd=ROOT, env=python_env(DANBAN_BARE_HOUSEHOLDS=str(args.households),
                                 DANBAN_BARE_GROUPS=str(args.groups)),
    )  # fmt: skip
    try:
        time.sleep(5)
        if server.poll() is not None:
            raise SystemExit("the bare server did not start (see its output above)")
        processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children()]
        before = sum(sum(p.cpu_times()[:2]) for p in processes)
        # more cards than the bare flow can take in the time (2,000 households a second)
        env = scenario_env(bare_cards(2000 * args.seconds), folder, "bare", DANBAN_BARE="1")
        rows, locust_cpu, failures = locust(
            f"http://127.0.0.1:{port}", env, args.users, args.seconds, folder, "bare"
        )
        server_cpu = sum(sum(p.cpu_times()[:2]) for p in processes) - before
        done = households(rows)
        if not done:
            raise SystemExit(f"no household got through the bare flow: {failures}")
        return {"rows": rows, "per_second": accepted_per_second(rows["/b/[card]/cast"]),
                "households": done, "server_ms": 1000 * server_cpu / done,
                "server_cpu": server_cpu, "locust_ms": 1000 * locust_cpu / done,
                "locust_cpu": locust_cpu, "failures": failures}  # fmt: skip
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
    surveys = instance_names("surveys", instances)
    others = [name for name in SERVICE_NAMES if name != "surveys"]
    names = ["mongo", *surveys, *others]
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
        bare = bare_flow(args, folder)
        env = stack_env(amqp_uri, folder / "var", PASSWORD, rpc_timeout=10, workers=args.workers)
        instances = f"surveys={args.instances}"
        stack = start_stack(env, folder / "var", "--no-demo", "--instances", instances)
        try:
            rpc = RpcClient(amqp_uri, timeout=60)

            timings: dict[str, float] = {}

            async def prepare() -> tuple[str, list]:
                await rpc.start()
                try:
                    return await seed(rpc, args.households, args.groups, folder, timings)
                finally:
                    await rpc.close()

            started_rss = resident_memory(stack_processes(stack, args.instances))
            poll_id, cards = asyncio.run(prepare())
            processes = stack_processes(stack, args.instances)
            seeded_rss = resident_memory(processes)
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
            pages = staff_pages(stack.base_url, poll_id)
            counted = check_counts(rpc, amqp_uri, stack.mongo_url, poll_id, folder)
        finally:
            stack.stop()
    report(args, bare, fast, paced, counted, sampler, cpu, shares, failures)
    report_scale(args, timings, pages, started_rss, seeded_rss)


def resident_memory(processes: dict[str, psutil.Process]) -> dict[str, int]:
    return {name: process.memory_info().rss for name, process in processes.items()}


STAFF_PAGES = {
    "home": "/",
    "commune": f"/communes/{WARD}",
    "polls": f"/communes/{WARD}/polls",
    "poll": "/polls/{poll}",
    "results": "/polls/{poll}/results",
    "results CSV": "/polls/{poll}/results.csv",
    "households (search)": f"/communes/{WARD}/households?q=Nguy%E1%BB%85n",
    "audit log": f"/communes/{WARD}/audit",
    "imports": f"/communes/{WARD}/imports",
    "messages": f"/communes/{WARD}/thong-bao",
}


def staff_pages(base_url: str, poll_id: str, tries: int = 3) -> dict[str, tuple[int, float]]:
    """Each staff page, signed in as the ward's administrator after the poll: its
    status and its slowest time of `tries` (the promise: 1 s at most, whatever the
    ward's size)."""
    with requests.Session() as session:
        form = session.get(f"{base_url}/staff/sign-in", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        session.post(
            f"{base_url}/staff/sign-in",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "/"},
            timeout=30,
        )
        timed = {}
        for name, path in STAFF_PAGES.items():
            slowest, status = 0.0, 0
            for _ in range(tries):
                started = time.perf_counter()
                response = session.get(base_url + path.format(poll=poll_id), timeout=60)
                slowest = max(slowest, time.perf_counter() - started)
                status = response.status_code
            timed[name] = (status, slowest)
        return timed


def report_scale(args, timings, pages, started_rss, seeded_rss) -> None:  # noqa: ANN001
    """What a clerk waits for at this size, and memory before and after the seeding."""
    shown = ", ".join(
        f"{name} {seconds * 1000:.0f} ms" + ("" if status == 200 else f" (HTTP {status})")
        for name, (status, seconds) in pages.items()
    )
    memory = ", ".join(
        f"{name} {started_rss[name] / 2**20:.0f} → {seeded_rss.get(name, 0) / 2**20:.0f} MB"
        for name in started_rss
    )
    line = (
        f"At {args.households} households: the import took {timings['import']:.0f} s, "
        f"creating the ward-wide poll {timings['create']:.1f} s "
        f"({timings['create_tries']:.0f} tries), opening it with its electorate "
        f"{timings['open']:.1f} s. Staff pages after the poll, slowest of 3: {shown}. "
        f"Resident memory when the stack started → after the import and the poll: {memory}."
    )
    print(line)
    with RESULTS.open("a") as results:
        results.write(f"\n{line}\n")


TOOK_PART = {"channel": {"$exists": True}}
BALLOT_COLLECTIONS = ("participation", "electors")


def stored_ballots(mongo_url: str, poll_id: str, count: bool = False):  # noqa: ANN201
    """The households of the poll that took part, as stored: the documents of the
    `participation` collection, or, once the ballots are written on the households'
    elector documents, the electors with a channel (either store layout); or only
    how many."""
    query = {"poll_id": poll_id, **TOOK_PART}
    with MongoClient(mongo_url) as client:
        database = client.danban_surveys
        if count:
            return sum(database[name].count_documents(query) for name in BALLOT_COLLECTIONS)
        return [document for name in BALLOT_COLLECTIONS for document in database[name].find(query)]


def settle(mongo_url: str, poll_id: str, quiet: float = 5, limit: float = 120):  # noqa: ANN201
    """Wait until no ballot has been stored for `quiet` seconds. Locust stops its
    phones mid-household: a cast already sent is still in the broker or the surveys
    service, and is stored after the phones stopped (the gateway's calls expire in
    the broker after its RPC timeout, 10 s here, but one the service has taken is
    done). (stored when the phones had stopped, stored once quiet, seconds waited)."""
    started = time.perf_counter()
    first = last = stored_ballots(mongo_url, poll_id, count=True)
    since = time.perf_counter()
    while time.perf_counter() - since < quiet and time.perf_counter() - started < limit:
        time.sleep(1)
        now = stored_ballots(mongo_url, poll_id, count=True)
        if now != last:
            last, since = now, time.perf_counter()
    return first, last, time.perf_counter() - started


def check_counts(rpc: RpcClient, amqp_uri: str, mongo_url: str, poll_id: str, folder: Path):
    """Every receipt shown is stored once, with the answer its phone sent; the
    service's tally equals a recount of the stored ballots. Both are read once the
    stack is quiet (no ballot stored for 5 s), and the tally is the first count the
    service made from the ballots as they were then, so the two count the same
    ballots; like with like: the online ballots' answers against the tally's online
    counts, the households stored by channel against the tally's. Any difference is
    reported by option and by channel, with the ballots stored meanwhile."""
    shown = {}
    refused = Counter()
    for tag in ("fast", "paced"):
        run = json.loads((folder / f"{tag}.json").read_text())
        shown |= run["accepted"]
        refused.update(run["refused"])
    stopped, settled, settle_seconds = settle(mongo_url, poll_id)
    voted_until = datetime.now(UTC)
    started = time.perf_counter()
    stored = stored_ballots(mongo_url, poll_id)
    read_seconds = time.perf_counter() - started
    stored_hashes = Counter(doc["receipt_hash"] for doc in stored if "receipt_hash" in doc)
    lost = sum(receipt_hash(ballot["receipt"]) not in stored_hashes for ballot in shown.values())
    duplicates = sum(n - 1 for n in stored_hashes.values() if n > 1)
    # what the service counts: the online ballots' answers (a public poll's are on
    # the stored ballot), and the households that took part by each channel
    online = [doc for doc in stored if doc["channel"] == "online" and "answers" in doc]
    recount = Counter(value for doc in online for value in doc["answers"].get("q1", []))
    took_part = Counter(doc["channel"] for doc in stored)
    by_hash = {doc["receipt_hash"]: doc["answers"].get("q1") for doc in online}
    not_as_sent = sum(
        by_hash.get(receipt_hash(ballot["receipt"]), [ballot["answer"]]) != [ballot["answer"]]
        for ballot in shown.values()
    )  # a receipt not stored at all is counted in `lost`

    async def tally() -> dict | None:
        """The first live count that read the ballots after the stack was quiet (the
        service counts in the background, again 10 s or more after its last count:
        see LIVE_COUNT_SECONDS), or None within 5 minutes. A count finished after
        `voted_until` may have begun reading before the last ballot came: it is
        taken if it saw as many households as are stored, else the next one is,
        which began after it."""
        await rpc.start()
        try:
            deadline, first = time.perf_counter() + 300, None
            while time.perf_counter() < deadline:
                query = {"poll_id": poll_id, "actor": "admin"}
                results = await rpc.call("surveys", "get_results", query)
                computed = datetime.fromisoformat(results["computed_at"])
                if computed > voted_until:
                    if sum(results["participated"].values()) == len(stored):
                        return results
                    if first is not None and computed > first:
                        return results  # began after the quiet: its difference is real
                    first = first or computed
                await asyncio.sleep(1)
            return None
        finally:
            await rpc.close()

    started = time.perf_counter()
    results = asyncio.run(tally())
    count_seconds = time.perf_counter() - started
    stored_after = stored_ballots(mongo_url, poll_id, count=True) - len(stored)
    differences = []
    if results is None:
        differences.append("no live count was made after the last ballot within 300 s")
    else:
        totals = results["totals"].get("q1", {})
        counted = {option: by.get("online", 0) for option, by in totals.items()}
        for option in sorted(set(counted) | set(recount)):
            if counted.get(option, 0) != recount[option]:
                differences.append(
                    f"{option}: counted {counted.get(option, 0)}, recounted {recount[option]}"
                )
        for channel in sorted(set(results["participated"]) | set(took_part)):
            if results["participated"].get(channel, 0) != took_part[channel]:
                differences.append(
                    f"took part by {channel}: counted {results['participated'].get(channel, 0)}"
                    f", stored {took_part[channel]}"
                )
        other = {f"{option} by {channel}": n for option, by in totals.items()
                 for channel, n in by.items() if channel != "online" and n}  # fmt: skip
        if other:
            differences.append(f"counted though no phone sent them: {other}")
    if differences and stored_after:
        differences.append(f"ballots stored after the recount read them: {stored_after}")
    return {
        "shown": len(shown), "stored": len(stored), "lost": lost, "duplicates": duplicates,
        "recount_equal": not differences, "differences": differences,
        "not_as_sent": not_as_sent, "refused": dict(refused),
        "stored_after_stop": settled - stopped, "settle_seconds": settle_seconds,
        "count_seconds": count_seconds, "read_seconds": read_seconds,
    }  # fmt: skip


def report(args, bare, fast, paced, counted, sampler, cpu, shares, failures) -> None:  # noqa: ANN001
    cast, paced_cast = fast["/b/[card]/cast"], paced["/b/[card]/cast"]
    bare_rate = bare["per_second"]
    ballots = households(fast)
    fast_rate = accepted_per_second(cast)

    def errors_of(rows: dict) -> int:
        return sum(int(r["Failure Count"]) for name, r in rows.items() if name != "Aggregated")

    errors = f"errors {errors_of(fast)} flat out, {errors_of(paced)} paced" + (
        " (tries that met a fault, each sent again)" if args.faults else ""
    )
    memory = ", ".join(f"{name} {rss / 2**20:.0f} MB" for name, rss in sampler.peak.items())
    tally = f"tally = recount: {counted['recount_equal']}" + (
        f" ({'; '.join(counted['differences'])})" if counted["differences"] else ""
    )
    line = (
        f"households through the stack {fast_rate:.1f} households/s (as fast as phones go), "
        f"through the bare flow {bare_rate:.0f} households/s (the same four steps, "
        f"{args.users} users, {args.workers} workers), ratio {fast_rate / bare_rate:.3f}; cast "
        f"p50/p95/p99 {cast['50%']}/{cast['95%']}/{cast['99%']} ms flat out, "
        f"{paced_cast['50%']}/{paced_cast['95%']}/{paced_cast['99%']} ms with {args.users} "
        f"phones pausing ~1 s; {errors}; receipts shown {counted['shown']}, stored "
        f"{counted['stored']}, lost {counted['lost']}, duplicates {counted['duplicates']}, "
        f"answers not as sent {counted['not_as_sent']}, {tally}"
        + (" (with faults in the paced run)" if args.faults else "")
    )
    per_ballot = {name: 1000 * seconds / max(ballots, 1) for name, seconds in cpu.items()}
    heaviest = sorted(per_ballot.items(), key=lambda item: -item[1])
    where = ", ".join(f"{name} {ms:.1f}" for name, ms in heaviest)
    stack_ms = sum(ms for name, ms in per_ballot.items() if name != "locust")
    calls = sum(shares.values())
    surveys_ms = sum(ms for name, ms in per_ballot.items() if name.startswith("surveys"))
    machine = args.seconds * (os.cpu_count() or 1)  # CPU-seconds the machine had in a run
    detail = (
        f"The load generator (locust, FastHttpUser, one process): {per_ballot['locust']:.1f} ms "
        f"of CPU a household through the stack, {bare['locust_ms']:.1f} ms through the bare "
        f"flow; it used {bare['locust_cpu']:.1f} CPU-seconds in the {args.seconds} s of the "
        f"bare run ({100 * bare['locust_cpu'] / args.seconds:.0f}% of one CPU; near 100% the "
        f"generator is the limit) and {cpu['locust']:.1f} in the flat-out run "
        f"({100 * cpu['locust'] / args.seconds:.0f}%). The bare server: {bare['server_ms']:.2f} "
        f"ms a household (four steps, {args.workers} workers), "
        f"{100 * bare['server_cpu'] / machine:.0f}% of the machine's CPU (the stack in the "
        f"flat-out run: {100 * sum(t for n, t in cpu.items() if n != 'locust') / machine:.0f}%"
        f"; if these and locust's are well below 100%, a run was bound by latency, not by "
        f"CPU: more users would go faster). Pages as locust received them "
        f"(bytes, ballot/review/send/receipt): stack {page_sizes(fast)}, bare flow "
        f"{page_sizes(bare['rows'])}. Where the CPU goes, ms per household accepted in the "
        f"flat-out run (four requests each): {where}; the stack {stack_ms:.1f} ms in all. "
        f"Surveys: {surveys_ms:.1f} ms a household, {calls / max(ballots, 1):.1f} "
        f"calls a household, {1000 * sum(cpu[n] for n in shares) / max(calls, 1):.2f} ms a "
        f"call; calls taken by each instance: {shares}. After the phones stopped, "
        f"{counted['stored_after_stop']} more ballots were stored and the stack was quiet in "
        f"{counted['settle_seconds']:.0f} s. Reading the {counted['stored']} stored "
        f"ballots back from the embedded database: {counted['read_seconds']:.1f} s "
        f"({counted['stored'] / max(counted['read_seconds'], 1e-6):.0f} ballots/s); the first "
        f"live count made after the last ballot came {counted['count_seconds']:.0f} s later. "
        f"Invalid requests refused as expected: {counted['refused']}. Failed requests: "
        f"{failures or 'none'}; in the bare run: {bare['failures'] or 'none'}. "
        f"Peak memory: {memory}."
    )
    print(line)
    print(detail)
    with RESULTS.open("a") as results:
        results.write(
            f"\n## poll_benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`{command_line(args)}` on {platform.node()} "
            f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
            f"\n\n{line}\n\n{detail}\n"
        )
    write_measurements(MEASUREMENTS, measurements(args, fast, cpu, sampler.peak, calls))


def command_line(args: argparse.Namespace) -> str:
    return (
        f"python loadtests/poll_benchmark.py --households {args.households} --groups "
        f"{args.groups} --users {args.users} --seconds {args.seconds} --workers "
        f"{args.workers} --instances {args.instances}{' --faults' if args.faults else ''}"
    )


def component_of(process: str) -> str:
    """What a measured process is in a deployment: `gateway worker 2` is part of a
    gateway pod, `surveys-2` a second surveys replica, `mongo` the database."""
    if process.startswith("gateway"):
        return "gateway"
    others = {"rabbitmq": "broker", "mongo": "database", "locust": "load generator"}
    return others.get(process, process.split("-")[0])


def measurements(
    args: argparse.Namespace, fast: dict, cpu: dict[str, float], peak: dict[str, int], calls: int
) -> dict:
    """The flat-out run's numbers that loadtests/capacity.py plans from: CPU ms a
    household accepted and peak memory, by process, with the component each
    process is; requests and the surveys service's RPC calls a household."""
    ballots = max(households(fast), 1)
    components: dict[str, list[str]] = {}
    for process in [*cpu, *(name for name in peak if name not in cpu)]:
        components.setdefault(component_of(process), []).append(process)
    return {
        "source": "loadtests/poll_benchmark.py, its flat-out run",
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "command": command_line(args),
        "machine": {"node": platform.node(), "arch": platform.machine(),
                    "cpus": os.cpu_count(), "python": platform.python_version()},
        "ward_households": args.households,
        "households_per_second": round(accepted_per_second(fast["/b/[card]/cast"]), 1),
        # every request of the run (invalid ones and the staff's included) a household
        "http_requests_per_household": round(int(fast["Aggregated"]["Request Count"]) / ballots, 2),
        "rpc_calls_per_household": round(calls / ballots, 2),  # taken by surveys
        "gateway_workers": args.workers,  # one gateway pod as measured
        "cpu_ms_per_household": {name: round(1000 * seconds / ballots, 2)
                                 for name, seconds in cpu.items()},
        "peak_rss_mb": {name: round(rss / 2**20, 1) for name, rss in peak.items()},
        "components": components,
    }  # fmt: skip


def write_measurements(path: Path, measured: dict) -> None:
    path.write_text(json.dumps(measured, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
