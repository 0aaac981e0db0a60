"""Capacity on paper, from our own measurements: for a ward, a province and the
whole country voting in one window, the load, the cores, memory and replicas of
every Deployment, and the broker's and the database's nodes.

    .venv/bin/python loadtests/capacity.py [--measurements loadtests/measurements.json]
        [--turnout 0.8] [--window-hours 2] [--peak-factor 3] [--utilisation 0.6]
        [--min-replicas 2]

Every figure rests on a number the ward-poll benchmark measured on one machine
(loadtests/measurements.json, written by loadtests/poll_benchmark.py: CPU ms a
household and peak memory, by process) or on an assumption the output names.
Estimates to size a cluster and its autoscalers' bounds, not a measurement of one.
"""

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.config import SERVICE_NAMES  # noqa: E402

MEASUREMENTS = ROOT / "loadtests" / "measurements.json"
CASES = (  # name, communes, households, stacks
    ("ward", 1, 30_000, 1),
    ("province", 100, 1_000_000, 1),
    # The country runs as one stack (broker, database, services) a province: nothing
    # in a poll crosses a province, and one stack for all would put the whole peak on
    # one rpc-surveys queue (see QUEUE_RATE). 34 provinces since 1 July 2025.
    ("country", 3_321, 27_000_000, 34),
)
# a ballot's pages call the surveys service only (gateway/routes/ballots.py)
BALLOT_PATH = ("gateway", "surveys")
GATEWAY_HPA_TARGET = 0.7  # the gateway's HorizontalPodAutoscaler: 70% of its CPU request,
# taken as a core a worker (a worker is one process: one core at most)
# RabbitMQ's published quorum-queue benchmarks (3 nodes, 1 kB messages), not ours:
QUEUE_RATE = 10_000  # one queue held steady, 8-CPU nodes (blog 2022-05-16, 3.10, scenario 2)
CLUSTER_RATE = 20_000  # 10 queues, within the limit on 16 vCPUs (blog 2020-05-15, benchmark 1)
# MongoDB, assumed, not measured (MongoDB publishes no throughput figures of its own):
SET_WRITES = 10_000  # small single-document writes a second, w=majority, one replica set
WRITES_PER_HOUSEHOLD = 3  # a secret ballot: the ballot, its box, the seal (ballot_store.py)
BYTES_PER_HOUSEHOLD = 2_000  # its directory document, its elector document, their indexes
SET_GB = 60  # the WiredTiger cache of a 128 GB member (half of RAM less 1 GB)


class MeasurementsError(ValueError):
    """The measurements file lacks what a plan needs."""


@dataclass(frozen=True)
class Measurements:
    date: str
    source: str
    cpus: int
    households_per_second: float  # through the whole stack on the benchmark's machine
    http_requests_per_household: float
    rpc_calls_per_household: float  # taken by surveys
    gateway_workers: int  # in the one gateway pod measured
    cpu_ms: dict[str, float]  # a component's processes together, ms a household
    replica_mb: dict[str, float]  # one replica's peak memory (a gateway pod: all its processes)


@dataclass(frozen=True)
class Deployment:
    name: str
    ms_per_household: float  # measured
    replica_mb: float  # measured
    cores: float  # busy cores at the peak over the target utilisation
    replicas: int
    memory_mb: float


@dataclass(frozen=True)
class Broker:
    nodes: int
    requests_per_second: float  # into rpc-surveys at the peak
    cores_per_node: float
    memory_mb_per_node: float  # measured: a floor


@dataclass(frozen=True)
class Database:
    replica_sets: int  # more than one: shards
    writes_per_second: float  # at the peak
    data_gb: float
    memory_gb_per_member: float
    cores_at_most: float  # a primary's, from the embedded database's CPU: an upper bound


@dataclass(frozen=True)
class Plan:
    households: int
    communes: int
    voting: int
    per_second: float  # households, on average over the window
    peak_per_second: float
    http_per_second: float  # at the peak
    rpc_per_second: float  # at the peak
    deployments: tuple[Deployment, ...]
    broker: Broker
    database: Database
    warnings: tuple[str, ...]


def load_measurements(path: Path) -> Measurements:
    """The benchmark's numbers, by component: CPU summed over its processes (two
    surveys processes share the households), memory of one replica (the largest
    process; a gateway pod's parent and workers together)."""
    data = json.loads(path.read_text())
    try:
        components = data["components"]
        missing = [name for name in ("gateway", *SERVICE_NAMES, "broker", "database")
                   if name not in components]  # fmt: skip
        if missing:
            raise MeasurementsError(
                f"{path}: nothing measured for {', '.join(missing)}; "
                "run loadtests/poll_benchmark.py again"
            )
        cpu, rss = data["cpu_ms_per_household"], data["peak_rss_mb"]
        return Measurements(
            date=data["date"],
            source=data["source"],
            cpus=data["machine"]["cpus"],
            households_per_second=data["households_per_second"],
            http_requests_per_household=data["http_requests_per_household"],
            rpc_calls_per_household=data["rpc_calls_per_household"],
            gateway_workers=data["gateway_workers"],
            cpu_ms={name: round(sum(cpu[p] for p in processes), 2)
                    for name, processes in components.items()},
            replica_mb={name: (sum if name == "gateway" else max)(rss.get(p, 0) for p in processes)
                        for name, processes in components.items()},
        )  # fmt: skip
    except KeyError as error:
        raise MeasurementsError(f"{path}: lacks {error}") from None


def rounded_up(value: float) -> int:
    return math.ceil(round(value, 9))  # 4.2 / 0.7 / 2 is 3.0000000000000004: 3 pods, not 4


def plan(
    measurements: Measurements,
    households: int,
    communes: int,
    turnout: float,
    window_hours: float,
    peak_factor: float,
    *,
    utilisation: float = 0.6,
    min_replicas: int = 2,
) -> Plan:
    """What `households` in `communes`, a `turnout` share of them voting in
    `window_hours`, the busiest minutes at `peak_factor` times the average, need.
    A nameko replica uses one core at most (eventlet), sized for `utilisation` of
    it; a gateway pod runs the measured workers, its autoscaler at 70% CPU."""
    if not 0 < turnout <= 1:
        raise ValueError(f"the turnout is a share of households in (0, 1], not {turnout}")
    if window_hours <= 0:
        raise ValueError(f"the window must last more than 0 hours, not {window_hours}")
    if peak_factor < 1:
        raise ValueError(f"the peak factor is at least 1 (the average), not {peak_factor}")
    if households < 1 or communes < 1:
        raise ValueError(f"at least one household and one commune, not {households}, {communes}")
    if not 0 < utilisation <= 1:
        raise ValueError(f"the utilisation is a share of a core in (0, 1], not {utilisation}")
    if min_replicas < 1:
        raise ValueError(f"at least one replica, not {min_replicas}")
    voting = round(households * turnout)
    per_second = voting / (window_hours * 3600)
    peak = per_second * peak_factor
    measured_rate = measurements.households_per_second

    def cores(name: str, target: float) -> float:
        # off the ballot path, a service's CPU during the poll was its timers', not the
        # ballots': it keeps the rate measured, whatever the households
        rate = peak if name in (*BALLOT_PATH, "broker", "database") else measured_rate
        return measurements.cpu_ms[name] * rate / 1000 / target

    def deployment(name: str, cores_per_replica: int, target: float) -> Deployment:
        needed = cores(name, target)
        replicas = max(min_replicas, rounded_up(needed / cores_per_replica))
        replica_mb = measurements.replica_mb[name]
        return Deployment(
            name, measurements.cpu_ms[name], replica_mb, needed, replicas, replicas * replica_mb
        )

    deployments = (
        deployment("gateway", measurements.gateway_workers, GATEWAY_HPA_TARGET),
        *(deployment(name, 1, utilisation) for name in SERVICE_NAMES),
    )
    requests = peak * measurements.rpc_calls_per_household
    broker = Broker(
        nodes=max(3, rounded_up(3 * requests / CLUSTER_RATE)),
        requests_per_second=requests,
        cores_per_node=cores("broker", utilisation),  # each node of three replicates each request
        memory_mb_per_node=measurements.replica_mb["broker"],
    )
    writes = peak * WRITES_PER_HOUSEHOLD
    data_gb = households * BYTES_PER_HOUSEHOLD / 1e9
    replica_sets = max(1, rounded_up(writes / SET_WRITES), rounded_up(data_gb / SET_GB))
    database = Database(
        replica_sets=replica_sets,
        writes_per_second=writes,
        data_gb=data_gb,
        memory_gb_per_member=2 * data_gb / replica_sets + 1,  # its share in WiredTiger's cache
        cores_at_most=cores("database", utilisation) / replica_sets,
    )
    warnings = []
    if requests > QUEUE_RATE:
        warnings.append(
            f"rpc-surveys would take {requests:,.0f} requests/s at the peak, above the "
            f"{QUEUE_RATE:,} a second one quorum queue is known to hold: a queue lives on one "
            "leader, so more nodes do not help; spread the peak (a longer window) or split "
            "the ballot queue (not built)"
        )
    return Plan(
        households=households,
        communes=communes,
        voting=voting,
        per_second=per_second,
        peak_per_second=peak,
        http_per_second=peak * measurements.http_requests_per_household,
        rpc_per_second=requests,
        deployments=deployments,
        broker=broker,
        database=database,
        warnings=tuple(warnings),
    )


def memory(mb: float) -> str:
    return f"{mb:.0f} MB" if mb < 1000 else f"{mb / 1024:.1f} GB"


def shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def assumptions(measured: Measurements, args: argparse.Namespace) -> str:
    workers = measured.gateway_workers
    lines = [
        f"Capacity on paper from {shown(args.measurements)}",
        f"measured: the poll_benchmark run of {measured.date} on {measured.cpus} CPUs "
        f"({measured.households_per_second} households/s through the whole stack there)",
        f"  source: {measured.source}",
        "assumed:",
        f"  {args.turnout:.0%} of households vote in {args.window_hours:g} h, the busiest "
        f"minutes at {args.peak_factor:g}x the window's average (--peak-factor)",
        f"  a nameko replica uses one core at most, sized for {args.utilisation:.0%} of it "
        f"(--utilisation); a gateway pod runs {workers} workers as measured and requests a "
        f"core a worker, its HPA at {GATEWAY_HPA_TARGET:.0%} of that; at least "
        f"{args.min_replicas} replicas a Deployment (--min-replicas)",
        "  the services off the ballot path keep the CPU they had in the benchmark (their "
        "timers, not ballots: ms/household at the measured households/s)",
        "  KEDA scales on queue length (20 messages a replica), not CPU: these are the "
        "replicas at which the CPU keeps up; a queue long for another reason (a slow "
        "database) drives it to its maximum",
        "  broker: CPU and memory of one RabbitMQ node (its quorum queues on one node), "
        "counted on each of three nodes (quorum queues replicate every message); "
        "limits from RabbitMQ's "
        f"published quorum-queue benchmarks, not ours: {QUEUE_RATE:,} msg/s held steady by "
        "one queue on three 8-CPU nodes (blog 2022-05-16, scenario 2), "
        f"{CLUSTER_RATE:,} msg/s within a 3-node cluster's limit with 10 queues on 16 vCPUs "
        "(blog 2020-05-15, benchmark 1)",
        "  database: its CPU is the benchmark's embedded database (Python, not MongoDB): an "
        "upper bound for our code's load, not a MongoDB measurement; not measured: "
        f"{SET_WRITES:,} single-document writes/s a replica set with w=majority, "
        f"{WRITES_PER_HOUSEHOLD} writes a household (a secret ballot; a public one writes 1), "
        f"{BYTES_PER_HOUSEHOLD / 1000:g} kB stored a household, {SET_GB} GB a replica set "
        "(WiredTiger's cache on a 128 GB member); shards on commune beyond one set",
    ]
    return "\n".join(lines)


def report(
    name: str,
    result: Plan,
    measured: Measurements,
    window_hours: float,
    stacks: int = 1,
    totals: tuple[int, int] = (0, 0),  # communes, households of all the stacks
) -> str:
    at = f"measured {measured.date.removesuffix(' UTC')}"
    heading = (
        f"== {name}: {totals[0]:,} communes, {totals[1]:,} households; as {stacks} stacks, "
        f"one a province, each (on average) of {result.communes:,} communes and "
        f"{result.households:,} households, {result.voting:,} voting in {window_hours:g} h =="
        if stacks > 1
        else f"== {name}: {result.communes:,} commune{'s' if result.communes > 1 else ''}, "
        f"{result.households:,} households; {result.voting:,} vote in {window_hours:g} h =="
    )
    lines = [
        heading,
        f"households/s     {result.per_second:,.1f} on average, "
        f"{result.peak_per_second:,.1f} at the peak",
        f"HTTP requests/s  {result.http_per_second:,.0f} at the peak  "
        f"<- {measured.http_requests_per_household:g} a household ({at})",
        f"RPC calls/s      {result.rpc_per_second:,.0f} at the peak  "
        f"<- {measured.rpc_calls_per_household:g} a household ({at})",
        f"{'':15}{'role':13}{'replicas':15}{'cores':>7}{'memory':>9}  <- {at}",
    ]
    for item in result.deployments:
        role = "ballot path" if item.name in BALLOT_PATH else "nearly idle"
        kind = "pods (HPA)" if item.name == "gateway" else "(KEDA)"
        per = f"a pod of {measured.gateway_workers} workers" if item.name == "gateway" else ""
        rate = "" if item.name in BALLOT_PATH else f" at {measured.households_per_second}/s"
        lines.append(
            f"{item.name:15}{role:13}{item.replicas:>3} {kind:11}{item.cores:>7.2f}"
            f"{memory(item.memory_mb):>9}  <- {item.ms_per_household:.2f} ms/household{rate}, "
            f"{memory(item.replica_mb)} {per or 'a replica'}"
        )
    cores = sum(item.cores for item in result.deployments)
    total = sum(item.memory_mb for item in result.deployments)
    lines.append(f"{'in all':43}{cores:>7.2f}{memory(total):>9}")
    broker, database = result.broker, result.database
    lines += [
        f"broker (RabbitMQ): {broker.nodes} nodes; {broker.requests_per_second:,.0f} requests/s "
        f"into rpc-surveys (quorum; as many replies to classic reply queues); a node "
        f"{broker.cores_per_node:.2f} cores, {memory(broker.memory_mb_per_node)} at least  "
        f"<- {measured.cpu_ms['broker']:.2f} ms/household, "
        f"{memory(measured.replica_mb['broker'])} ({at})",
        f"database (MongoDB): {database.replica_sets} replica set"
        f"{'s (shards on commune)' if database.replica_sets > 1 else ''} of 3 members; "
        f"{database.writes_per_second:,.0f} writes/s at the peak; data {database.data_gb:,.2f} "
        f"GB; a member {database.memory_gb_per_member:,.1f} GB of memory; a primary at most "
        f"{database.cores_at_most:.2f} cores  <- {measured.cpu_ms['database']:.2f} "
        f"ms/household of the embedded database ({at})",
        *(f"WARNING: {warning}" for warning in result.warnings),
    ]
    if stacks > 1:
        lines.append(
            f"in all, {stacks} stacks: {stacks * cores:,.0f} cores and {memory(stacks * total)} "
            f"for the Deployments, {stacks * broker.nodes} broker nodes, "
            f"{stacks * database.replica_sets * 3} database members"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measurements", type=Path, default=MEASUREMENTS)
    parser.add_argument("--turnout", type=float, default=0.8, help="share of households voting")
    parser.add_argument("--window-hours", type=float, default=2, help="the voting window")
    parser.add_argument(
        "--peak-factor", type=float, default=3, help="the busiest minutes over the average"
    )
    parser.add_argument("--utilisation", type=float, default=0.6, help="of a core, a replica")
    parser.add_argument("--min-replicas", type=int, default=2, help="of every Deployment")
    args = parser.parse_args()
    try:
        measured = load_measurements(args.measurements)
        options = {"utilisation": args.utilisation, "min_replicas": args.min_replicas}
        plans = [
            (name, stacks, (communes, households),
             plan(measured, math.ceil(households / stacks), math.ceil(communes / stacks),
                  args.turnout, args.window_hours, args.peak_factor, **options))
            for name, communes, households, stacks in CASES
        ]  # fmt: skip
        _, communes, households, _ = CASES[-1]
        as_one = plan(measured, households, communes, args.turnout, args.window_hours,
                      args.peak_factor, **options)  # fmt: skip
    except (OSError, ValueError) as error:
        parser.error(str(error))
    print(assumptions(measured, args))
    for name, stacks, totals, result in plans:
        print()
        print(report(name, result, measured, args.window_hours, stacks, totals))
    print()
    print("Why a stack a province: the country as one stack would meet this first:")
    print("\n".join(f"  {warning}" for warning in as_one.warnings) or "  nothing")


if __name__ == "__main__":
    main()
