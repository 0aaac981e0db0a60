"""The local runner (deploy/run.py) starts again a service that exited, after a
pause that doubles up to a cap, resets the pause once a process has run steadily,
leaves the database to the operator, with `restart` off only reports, and kills
what an exited child left in its session. Real child processes; only the
runner's clock is moved."""

import contextlib
import sys
import time
from types import SimpleNamespace

import psutil
import pytest

from deploy import run

EXITS_AT_ONCE = [sys.executable, "-c", "raise SystemExit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(run.time, "monotonic", clock)
    return clock


@pytest.fixture
def stack(tmp_path) -> run.Stack:
    stack = run.Stack(SimpleNamespace(var_dir=str(tmp_path)), env={})
    yield stack
    for child in stack.children:
        if child.alive():
            child.process.kill()
        child.process.wait()


def exited(child: run.Child) -> None:
    child.process.wait(timeout=10)


def test_an_exited_service_starts_again_after_a_pause_that_doubles(stack, clock, capsys):
    child = stack.start("surveys", EXITS_AT_ONCE)
    first = child.process.pid
    exited(child)
    stack.check_children(restart=True)
    assert child.restart_at == clock.now + 1
    stack.check_children(restart=True)  # not yet
    assert child.process.pid == first

    clock.now += 1
    stack.check_children(restart=True)
    assert child.process.pid != first
    assert (stack.pid_dir / "surveys.pid").read_text() == str(child.process.pid)
    exited(child)
    stack.check_children(restart=True)
    assert child.restart_at == clock.now + 2  # twice as long after a second exit
    assert "starting it again in 2 s" in capsys.readouterr().out


def test_the_pause_stops_growing_at_its_cap_and_resets_after_a_steady_run(stack, clock):
    child = stack.start("surveys", EXITS_AT_ONCE)
    child.pause = run.LAST_RESTART_PAUSE
    exited(child)
    stack.check_children(restart=True)
    assert child.pause == run.LAST_RESTART_PAUSE
    clock.now = child.restart_at
    stack.check_children(restart=True)
    clock.now += run.STEADY_SECONDS  # this one ran a minute before it exited
    exited(child)
    stack.check_children(restart=True)
    assert child.restart_at == clock.now + run.FIRST_RESTART_PAUSE


def test_without_restart_and_for_the_database_an_exit_is_only_reported_once(stack, clock, capsys):
    service = stack.start("surveys", EXITS_AT_ONCE)
    database = stack.start("mongo", EXITS_AT_ONCE)
    exited(service)
    exited(database)
    stack.check_children(restart=False)
    stack.check_children(restart=True)
    clock.now += 60
    stack.check_children(restart=True)
    assert service.restart_at is None and database.restart_at is None
    out = capsys.readouterr().out
    assert out.count("surveys exited with code 3") == 1
    assert out.count("mongo exited with code 3") == 1


def test_instances_are_named_after_their_service():
    assert run.instance_names("surveys", 3) == ["surveys", "surveys-2", "surveys-3"]
    assert run.parse_instances(["surveys=2", "directory=1"]) == {"surveys": 2, "directory": 1}
    for wrong in ("gateway=2", "surveys=0", "surveys", "surveys=two"):
        with pytest.raises(Exception, match="--instances takes NAME=N"):
            run.parse_instances([wrong])


def test_a_long_running_child_is_left_alone(stack, clock):
    child = stack.start("surveys", [sys.executable, "-c", "import time; time.sleep(30)"])
    time.sleep(0.2)
    stack.check_children(restart=True)
    assert child.alive() and child.restart_at is None


def test_what_an_exited_child_left_in_its_session_is_killed(stack, clock, tmp_path):
    """uvicorn killed with kill -9 leaves its workers holding the port."""
    pid_file = tmp_path / "worker.pid"
    leaves_a_worker = (
        "import subprocess, sys; "
        "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"open({str(pid_file)!r}, 'w').write(str(w.pid))"
    )
    child = stack.start("gateway", [sys.executable, "-c", leaves_a_worker])
    exited(child)
    worker = int(pid_file.read_text())
    assert psutil.pid_exists(worker)
    stack.check_children(restart=True)
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(worker).wait(timeout=10)  # killed: gone once reaped
    assert not psutil.pid_exists(worker)
