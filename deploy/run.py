"""Run the whole DânBàn stack on this machine: `python -m deploy.run` (`./dev run`).

    python -m deploy.run [--no-demo] [--instances surveys=2 ...] [--no-restart]

Starts, in order: the embedded MongoDB-protocol server (unless MONGO_URL is
given), every service (`--instances NAME=N` runs N processes of one: they
share its queues, each message going to one of them), the gateway; waits until
/healthz says all is up; loads the demo ward; prints the address to open.
A service or the gateway that exits (a crash, kill -9, a broker restart: nameko
services stop when RabbitMQ goes away) is started again after a pause that
doubles from 1 s up to 30 s, as `restart: unless-stopped` does in deploy/;
`--no-restart` leaves it down. Ctrl-C or SIGTERM (what `./dev stop` sends)
stops what it started, in reverse order, and nothing else. Each child runs in
its own session, so a Ctrl-C reaches only this runner, which then stops the
children in order. Logs go to var/log/<process>.log (the second instance of
surveys is `surveys-2`).
"""

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from deploy.bootstrap import prepare
from shared.config import SERVICE_NAMES, ConfigurationError, Settings, load_settings

STARTUP_TIMEOUT_SECONDS = 90
STOP_GRACE_SECONDS = 15
FIRST_RESTART_PAUSE = 1.0  # seconds; doubles after each exit, up to LAST_RESTART_PAUSE
LAST_RESTART_PAUSE = 30.0
STEADY_SECONDS = 60  # a child that ran this long starts the pause from the beginning again


def say(message: str) -> None:
    print(f"[danban] {message}", flush=True)


class StartupError(RuntimeError):
    pass


class StopRequested(Exception):
    """Ctrl-C, SIGTERM or SIGHUP arrived while the stack was still starting."""


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen
    started_at: float = 0.0
    pause: float = FIRST_RESTART_PAUSE
    restart_at: float | None = None  # when an exited child is to be started again

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill_leftovers(self) -> None:
        """Kill what the exited child left in its session (the gateway's workers
        outlive a uvicorn killed with kill -9, and keep its port)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


class Stack:
    """The processes this runner started, so it stops exactly those."""

    def __init__(self, settings: Settings, env: dict[str, str]) -> None:
        self.settings = settings
        self.env = env
        self.log_dir = Path(settings.var_dir) / "log"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.pid_dir = Path(settings.var_dir) / "run"
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        self.children: list[Child] = []
        self.reported_dead: set[str] = set()

    def start(self, name: str, argv: list[str], capture_stdout: bool = False) -> Child:
        child = Child(name, argv, self._spawn(name, argv, capture_stdout), time.monotonic())
        self.children.append(child)
        return child

    def _spawn(self, name: str, argv: list[str], capture_stdout: bool = False) -> subprocess.Popen:
        # The child keeps its own copy of the log's descriptor; the runner's is closed,
        # so restarting a child again and again leaks nothing.
        with open(self.log_dir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                argv,
                env=self.env,
                stdout=subprocess.PIPE if capture_stdout else log,
                stderr=log,
                start_new_session=True,
            )
        (self.pid_dir / f"{name}.pid").write_text(str(process.pid))
        return process

    def check_children(self, restart: bool) -> None:
        """Report each child that exited; with `restart`, start services and the
        gateway again after their pause (the database is left to the operator: a
        new embedded server would not hold the port the services use)."""
        now = time.monotonic()
        for child in self.children:
            if child.alive():
                continue
            if child.restart_at is None and child.name not in self.reported_dead:
                child.kill_leftovers()
                code = child.process.returncode
                log = self.log_dir / f"{child.name}.log"
                if restart and child.name != "mongo":
                    if now - child.started_at >= STEADY_SECONDS:
                        child.pause = FIRST_RESTART_PAUSE
                    child.restart_at = now + child.pause
                    say(f"{child.name} exited with code {code}; starting it again in "
                        f"{child.pause:.0f} s (see {log})")  # fmt: skip
                    child.pause = min(child.pause * 2, LAST_RESTART_PAUSE)
                else:
                    self.reported_dead.add(child.name)
                    say(f"{child.name} exited with code {code}; see {log}")
            elif child.restart_at is not None and now >= child.restart_at:
                child.process = self._spawn(child.name, child.argv)
                child.started_at, child.restart_at = now, None
                say(f"{child.name} started again (pid {child.process.pid})")

    def stop(self) -> None:
        """Stop children one by one, newest first, so none outlives what it needs."""
        for child in reversed(self.children):
            (self.pid_dir / f"{child.name}.pid").unlink(missing_ok=True)
            if not child.alive():
                child.kill_leftovers()
                continue
            child.process.terminate()
            try:
                child.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                say(f"{child.name} did not stop in {STOP_GRACE_SECONDS}s; killing it")
                child.process.kill()
                child.process.wait()


def local_secrets(settings: Settings) -> dict[str, str]:
    """Secrets for a local run: generated once, kept in var/secrets.env (mode 600)."""
    path = Path(settings.var_dir) / "secrets.env"
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            stored[key] = value
    wanted = {
        "DANBAN_SECRET_KEY": settings.secret_key
        or stored.get("DANBAN_SECRET_KEY")
        or secrets.token_urlsafe(48),
        "DANBAN_ADMIN_PASSWORD": settings.admin_password
        or stored.get("DANBAN_ADMIN_PASSWORD")
        or secrets.token_urlsafe(12),
    }
    if wanted != stored:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text("".join(f"{k}={v}\n" for k, v in wanted.items()))
    return wanted


def running_runner(pid_file: Path) -> int | None:
    """The pid of another live runner using the same var directory, if any. A pid
    file left by a crash may name an unrelated process by now: check what it runs."""
    try:
        pid = int(pid_file.read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"deploy.run" in command else None


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_broker(amqp_uri: str) -> None:
    parts = urlsplit(amqp_uri)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        raise StartupError(
            f"RabbitMQ is not reachable at {host}:{port} ({exc}). `./dev run` starts a local "
            "one; or set AMQP_URI to a running broker."
        ) from None


def start_embedded_mongo(stack: Stack) -> str:
    port = stack.settings.embedded_mongo_port
    if port and not port_is_free("127.0.0.1", port):
        raise StartupError(
            f"Port {port} is taken, so the embedded MongoDB server cannot start. Stop what uses "
            "it, set EMBEDDED_MONGO_PORT to a free port, or set MONGO_URL to a running MongoDB."
        )
    data = Path(stack.settings.var_dir) / "mongo" / "danban.sqlite"
    child = stack.start(
        "mongo",
        [sys.executable, "-m", "deploy.embedded_mongo", "--data", str(data), "--port", str(port)],
        capture_stdout=True,
    )
    assert child.process.stdout is not None
    line = child.process.stdout.readline().decode().strip()  # "ready mongodb://..."
    if not line.startswith("ready "):
        raise StartupError(
            f"the embedded MongoDB server did not start; see {stack.log_dir}/mongo.log"
        )
    return line.removeprefix("ready ")


def wait_until_healthy(stack: Stack, base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        for child in stack.children:
            if not child.alive():
                raise StartupError(
                    f"{child.name} stopped during start-up; see "
                    f"{stack.log_dir / (child.name + '.log')}"
                )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = exc.read().decode(errors="replace")
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise StartupError(f"the stack did not become healthy in {STARTUP_TIMEOUT_SECONDS}s: {last}")


def instance_names(name: str, count: int) -> list[str]:
    """`surveys`, `surveys-2`, `surveys-3`...: the first keeps the plain name."""
    return [name] + [f"{name}-{n}" for n in range(2, count + 1)]


def parse_instances(values: list[str]) -> dict[str, int]:
    counts = {}
    for value in values:
        name, _, count = value.partition("=")
        if name not in SERVICE_NAMES or not count.isdigit() or int(count) < 1:
            raise argparse.ArgumentTypeError(
                f"--instances takes NAME=N with NAME one of {', '.join(SERVICE_NAMES)} "
                f"and N at least 1, not {value!r}"
            )
        counts[name] = int(count)
    return counts


def run(demo: bool, instances: dict[str, int], restart: bool) -> int:
    settings = load_settings()
    env = dict(os.environ)
    if not settings.production:
        env.update(local_secrets(settings))
    settings = load_settings(env)
    stack = Stack(settings, env)
    started = stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if not started:
            raise StopRequested

    # SIGHUP too: the children run in sessions of their own, so a closed
    # terminal would otherwise leave them running.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)
    pid_file = stack.pid_dir / "runner.pid"
    if (other := running_runner(pid_file)) is not None:
        say(
            f"cannot start: a stack from {settings.var_dir} is already running (pid {other}); "
            "stop it with `./dev stop`"
        )
        return 1
    pid_file.write_text(str(os.getpid()))
    base_url = f"http://{settings.gateway_host}:{settings.gateway_port}"
    try:
        check_broker(settings.amqp_uri)
        if not port_is_free(settings.gateway_host, settings.gateway_port):
            raise StartupError(f"Port {settings.gateway_port} is taken; set GATEWAY_PORT.")
        if "MONGO_URL" not in os.environ:
            env["MONGO_URL"] = start_embedded_mongo(stack)
            say(
                f"embedded MongoDB-protocol server at {env['MONGO_URL']} "
                f"(data in {settings.var_dir}/mongo)"
            )
        for service in SERVICE_NAMES:
            for name in instance_names(service, instances.get(service, 1)):
                stack.start(name, [sys.executable, "-m", "services", service])
        stack.start(
            "gateway",
            [
                sys.executable,
                "-m",
                "deploy.serve_http",  # uvicorn's workers, without Nagle's delay
                "gateway.app:create_app",
                "--factory",
                "--host",
                settings.gateway_host,
                "--port",
                str(settings.gateway_port),
                "--workers",
                str(settings.gateway_workers),
                "--no-access-log",
            ],
        )
        wait_until_healthy(stack, base_url)
        _, card_code = asyncio.run(prepare(settings, demo))
        if demo:
            say("demo ward and polls loaded")
        if card_code:
            say(f"vote as a demo household: {base_url}/b/{card_code}")
        say(f"DânBàn is running at {base_url}/")
        if not settings.production:
            say(
                f"staff sign-in: admin / {env['DANBAN_ADMIN_PASSWORD']} "
                f"(set on the first run; kept in {settings.var_dir}/secrets.env)"
            )
        say(f"logs in {stack.log_dir}/; press Ctrl-C (or run `./dev stop`) to stop")
        started = True
        while not stopping:
            stack.check_children(restart)
            time.sleep(0.5)
        return 0
    except (StartupError, ConfigurationError) as exc:
        say(f"cannot start: {exc}")
        return 1
    except StopRequested:
        say("start-up interrupted")
        return 130
    finally:
        say("stopping")
        stack.stop()
        pid_file.unlink(missing_ok=True)
        say("stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole DânBàn stack locally.")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo ward")
    parser.add_argument(
        "--instances",
        action="append",
        default=[],
        metavar="NAME=N",
        help="run N processes of service NAME (e.g. surveys=2); may be repeated",
    )
    parser.add_argument("--no-restart", action="store_true", help="leave a service that exits down")
    args = parser.parse_args()
    try:
        instances = parse_instances(args.instances)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    sys.exit(run(demo=not args.no_demo, instances=instances, restart=not args.no_restart))


if __name__ == "__main__":
    main()
