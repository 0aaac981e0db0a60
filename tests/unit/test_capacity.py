"""Capacity on paper (loadtests/capacity.py): the plan scales with the households,
rounds replicas up, gives an idle service its minimum, refuses a window it cannot
plan, and reads exactly what the benchmark writes."""

import argparse
import json
import sys

import pytest

from loadtests import capacity, poll_benchmark
from loadtests.capacity import CASES, Measurements, load_measurements, plan
from shared.config import SERVICE_NAMES

COMPONENTS = ("gateway", *SERVICE_NAMES, "broker", "database")


def measured(**cpu_ms: float) -> Measurements:
    """Made-up measurements: no CPU anywhere but where given, 100 MB a replica."""
    return Measurements(
        date="2026-01-01 00:00 UTC",
        source="made up",
        cpus=2,
        households_per_second=50.0,
        http_requests_per_household=4.0,
        rpc_calls_per_household=2.0,
        gateway_workers=2,
        cpu_ms={name: 0.0 for name in COMPONENTS} | cpu_ms,
        replica_mb={name: 100.0 for name in COMPONENTS},
    )


def at_the_peak(households_per_second: int, **cpu_ms: float):  # noqa: ANN201
    """A plan whose peak is exactly `households_per_second` (all vote, in one hour,
    evenly)."""
    return plan(measured(**cpu_ms), households_per_second * 3600, 1, 1.0, 1, 1)


def deployment(result, name: str):  # noqa: ANN001, ANN201
    return next(item for item in result.deployments if item.name == name)


def test_the_country_runs_as_a_stack_a_province_because_one_stack_would_overload_a_queue():
    kept = load_measurements(capacity.MEASUREMENTS)
    _, communes, households, stacks = CASES[-1]
    as_one = plan(kept, households, communes, 0.8, 2, 3)
    assert any("rpc-surveys" in warning for warning in as_one.warnings)
    a_province = plan(kept, -(-households // stacks), -(-communes // stacks), 0.8, 2, 3)
    assert a_province.warnings == ()
    assert a_province.rpc_per_second * stacks == pytest.approx(as_one.rpc_per_second, rel=1e-3)


def test_load_and_cores_grow_in_step_with_the_households():
    costs = {"gateway": 5.0, "surveys": 3.0, "broker": 1.5, "database": 6.0}
    one = plan(measured(**costs), 1_000_000, 100, 0.8, 2, 3)
    two = plan(measured(**costs), 2_000_000, 200, 0.8, 2, 3)
    assert one.per_second == pytest.approx(1_000_000 * 0.8 / 7200)
    assert one.peak_per_second == pytest.approx(3 * one.per_second)
    assert one.http_per_second == pytest.approx(4 * one.peak_per_second)
    assert one.rpc_per_second == pytest.approx(2 * one.peak_per_second)
    for field in ("voting", "per_second", "peak_per_second", "http_per_second", "rpc_per_second"):
        assert getattr(two, field) == pytest.approx(2 * getattr(one, field)), field
    for name in ("gateway", "surveys"):
        assert deployment(two, name).cores == pytest.approx(2 * deployment(one, name).cores)
    assert two.broker.cores_per_node == pytest.approx(2 * one.broker.cores_per_node)
    assert two.database.writes_per_second == pytest.approx(2 * one.database.writes_per_second)
    assert two.database.data_gb == pytest.approx(2 * one.database.data_gb)


def test_a_service_that_took_no_cpu_gets_its_minimum_replicas():
    result = plan(measured(surveys=3.0), 27_000_000, 3_321, 0.8, 2, 3, min_replicas=3)
    training = deployment(result, "training")
    assert (training.cores, training.replicas, training.memory_mb) == (0, 3, 300)
    assert deployment(result, "surveys").replicas > 3


def test_a_service_off_the_ballot_path_keeps_the_cpu_it_had_in_the_benchmark():
    # its timers' work, not the ballots': 0.6 ms a household at the measured 50
    # households/s is 0.03 busy cores, 0.05 at 60%, for a ward as for the country
    for households in (30_000, 27_000_000):
        result = plan(measured(directory=0.6, surveys=0.6), households, 1, 0.8, 2, 3)
        assert deployment(result, "directory").cores == pytest.approx(0.05)
    assert deployment(result, "surveys").cores > 1  # on the path: grows with the households


def test_replicas_are_rounded_up_and_a_whole_number_stays_whole():
    # 1,260 households/s at 1 ms each: 1.26 busy cores, 2.1 at 60% → 3 replicas
    assert deployment(at_the_peak(1260, surveys=1.0), "surveys").replicas == 3
    # the gateway: 6.3 busy cores, 9 at its HPA's 70%, pods of 2 workers → 4.5 → 5 pods
    assert deployment(at_the_peak(1260, gateway=5.0), "gateway").replicas == 5
    # 840: 4.2 busy cores, 6 at 70%, exactly 3 pods (3.0000000000000004 in floats), not 4
    assert deployment(at_the_peak(840, gateway=5.0), "gateway").replicas == 3


def test_the_broker_stays_three_nodes_until_the_cluster_rate_and_warns_for_one_queue():
    quiet = at_the_peak(4_999)  # 2 calls a household: 9,998 requests/s into rpc-surveys
    assert (quiet.broker.nodes, quiet.warnings) == (3, ())
    busy = at_the_peak(5_001)
    assert busy.broker.nodes == 3
    assert busy.warnings and "rpc-surveys would take 10,002 requests/s" in busy.warnings[0]
    assert at_the_peak(15_000).broker.nodes == 5  # 30,000 requests/s: 4.5 → 5


def test_the_database_gets_a_second_replica_set_past_one_sets_writes():
    # 3 writes a household of an assumed 10,000 a second a replica set
    assert at_the_peak(3_333).database.replica_sets == 1
    sharded = at_the_peak(3_334)
    assert sharded.database.replica_sets == 2
    assert sharded.database.writes_per_second == pytest.approx(10_002)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"turnout": 0}, "turnout is a share of households in \\(0, 1\\], not 0"),
        ({"turnout": 1.2}, "turnout is a share of households in \\(0, 1\\], not 1.2"),
        ({"turnout": -0.5}, "turnout"),
        ({"window_hours": 0}, "window must last more than 0 hours, not 0"),
        ({"window_hours": -2}, "window must last more than 0 hours"),
        ({"peak_factor": 0.5}, "peak factor is at least 1"),
        ({"households": 0}, "at least one household and one commune"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(arguments, message):
    given = {"households": 30_000, "communes": 1, "turnout": 0.8, "window_hours": 2}
    with pytest.raises(ValueError, match=message):
        plan(measured(), **(given | {"peak_factor": 3} | arguments))


def test_everyone_voting_is_a_turnout_it_plans():
    assert plan(measured(), 30_000, 1, 1, 2, 3).voting == 30_000


def test_the_command_refuses_bad_input_with_its_message(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["capacity.py", "--window-hours", "0"])
    with pytest.raises(SystemExit) as exited:
        capacity.main()
    assert exited.value.code == 2
    assert "the window must last more than 0 hours, not 0.0" in capsys.readouterr().err


def test_what_the_benchmark_writes_is_what_capacity_reads(tmp_path):
    args = argparse.Namespace(
        households=1000, groups=4, users=10, seconds=20, workers=2, instances=2, faults=False
    )
    fast = {
        "/b/[card]/cast": {"Request Count": "1010", "Failure Count": "10", "Requests/s": "50.5"},
        "Aggregated": {"Request Count": "4300", "Failure Count": "10"},
    }
    cpu_seconds = {"mongo": 6.0, "surveys": 2.0, "surveys-2": 1.0, "gateway": 0.0,
                   "gateway worker 1": 2.5, "gateway worker 2": 2.5, "rabbitmq": 1.5,
                   "directory": 0.2, "notifications": 0.1, "feedback": 0.0, "training": 0.0,
                   "recognition": 0.0, "webhooks": 0.0, "locust": 1.7}  # fmt: skip
    megabytes = {"mongo": 110, "surveys": 70, "surveys-2": 80, "gateway": 20,
                 "gateway worker 1": 100, "gateway worker 2": 90, "rabbitmq": 160,
                 "directory": 200, "notifications": 70, "feedback": 60, "training": 60,
                 "recognition": 60, "webhooks": 60}  # fmt: skip
    peak = {name: mb * 2**20 for name, mb in megabytes.items()}
    path = tmp_path / "measurements.json"
    written = poll_benchmark.measurements(args, fast, cpu_seconds, peak, calls=2200)
    poll_benchmark.write_measurements(path, written)

    read = load_measurements(path)
    assert read.households_per_second == 50.0  # 50.5 a second, less 10 refused in 1,010
    assert read.http_requests_per_household == 4.3
    assert read.rpc_calls_per_household == 2.2
    assert read.gateway_workers == 2
    assert read.cpus == written["machine"]["cpus"]
    assert read.cpu_ms["surveys"] == 3.0  # both instances' CPU, over 1,000 households
    assert read.cpu_ms["gateway"] == 5.0  # its workers
    assert (read.cpu_ms["broker"], read.cpu_ms["database"]) == (1.5, 6.0)
    assert read.replica_mb["surveys"] == 80  # one replica: the larger instance
    assert read.replica_mb["gateway"] == 210  # one pod: the parent and its two workers
    assert read.cpu_ms["load generator"] == 1.7  # measured, in no plan
    assert deployment(plan(read, 30_000, 1, 0.8, 2, 3), "surveys").ms_per_household == 3.0


def test_a_measurements_file_without_a_service_is_refused_naming_it(tmp_path):
    data = json.loads(capacity.MEASUREMENTS.read_text())
    del data["components"]["webhooks"]
    path = tmp_path / "measurements.json"
    path.write_text(json.dumps(data))
    with pytest.raises(capacity.MeasurementsError, match="nothing measured for webhooks"):
        load_measurements(path)
    del data["rpc_calls_per_household"]
    data["components"]["webhooks"] = ["webhooks"]
    path.write_text(json.dumps(data))
    with pytest.raises(capacity.MeasurementsError, match="lacks 'rpc_calls_per_household'"):
        load_measurements(path)


def test_the_kept_measurements_plan_the_three_cases():
    kept = load_measurements(capacity.MEASUREMENTS)
    plans = [plan(kept, households, communes, 0.8, 2, 3) for _, communes, households, _ in CASES]
    surveys = [deployment(result, "surveys").replicas for result in plans]
    assert surveys == sorted(surveys) and surveys[-1] > surveys[0]
