"""Real parts for tests: a RabbitMQ vhost per test, the embedded MongoDB-protocol
server, service processes. No eventlet here: both test processes use it.

A missing broker or database fails the tests loudly; nothing is skipped.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import kombu
import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
AMQP_URI = os.environ.get("AMQP_URI") or "amqp://guest:guest@127.0.0.1:5672/"
RABBIT_API = os.environ.get("RABBIT_API_URI") or "http://guest:guest@127.0.0.1:15672"


def _api(method: str, path: str, body: object = None) -> requests.Response:
    """Call the RabbitMQ management API."""
    parts = urlsplit(RABBIT_API)
    base = urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port or 15672}", "", "", ""))
    response = requests.request(
        method,
        f"{base}/api/{path}",
        json=body,
        timeout=10,
        auth=(parts.username or "guest", parts.password or "guest"),
    )
    response.raise_for_status()
    return response


@contextmanager
def fresh_vhost(tracing: bool = False) -> Iterator[str]:
    """A RabbitMQ vhost of its own; yields its AMQP URI and deletes it afterwards.
    With `tracing`, RabbitMQ's firehose copies every message published there to
    the vhost's `amq.rabbitmq.trace` exchange."""
    name = f"danban-test-{uuid.uuid4().hex[:12]}"
    user = urlsplit(AMQP_URI).username or "guest"
    try:
        _api("PUT", f"vhosts/{quote(name, safe='')}", {"tracing": True} if tracing else None)
    except requests.ConnectionError as exc:
        raise RuntimeError(
            f"The RabbitMQ management API is not reachable at {RABBIT_API}: {exc}. "
            "Run the tests with ./dev test, which enables it."
        ) from None
    _api(
        "PUT",
        f"permissions/{quote(name, safe='')}/{quote(user, safe='')}",
        {"configure": ".*", "write": ".*", "read": ".*"},
    )
    parts = urlsplit(AMQP_URI)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + quote(name, safe=""), "", ""))
    finally:
        _api("DELETE", f"vhosts/{quote(name, safe='')}")


def deliveries_by_process(amqp_uri: str, pids: dict[str, int]) -> dict[str, int]:
    """Messages RabbitMQ delivered to the channels of each named process in the
    vhost of `amqp_uri` (the management API's numbers, which lag a few seconds)."""
    broker_port = urlsplit(amqp_uri).port or 5672
    owner = {
        connection.laddr.port: name
        for name, pid in pids.items()
        for connection in psutil.Process(pid).net_connections("tcp")
        if connection.raddr and connection.raddr.port == broker_port
    }
    vhost = quote(unquote(urlsplit(amqp_uri).path[1:]), safe="")
    delivered = dict.fromkeys(pids, 0)
    for channel in _api("GET", f"vhosts/{vhost}/channels").json():
        name = owner.get(channel["connection_details"]["peer_port"])
        if name is not None:
            delivered[name] += channel.get("message_stats", {}).get("deliver_get", 0)
    return delivered


def restart_broker() -> None:
    """Restart the local RabbitMQ's application (every connection drops; durable
    queues and persistent messages stay) and wait until it takes connections."""
    for action in ("stop_app", "start_app"):
        subprocess.run(["rabbitmqctl", "-q", action], check=True, timeout=120)
    parts = urlsplit(AMQP_URI)
    wait_until(lambda: port_open(parts.hostname or "127.0.0.1", parts.port or 5672), 60)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0


def queue_depth(amqp_uri: str, queue: str) -> int:
    """Messages ready in `queue`, asked of the broker itself (the management
    API's numbers lag by seconds)."""
    with kombu.Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare(queue, passive=True).message_count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def python_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **overrides}
    env["PYTHONPATH"] = str(ROOT)
    return env


@contextmanager
def embedded_mongo(reuse_env: bool = True) -> Iterator[str]:
    """MONGO_URL if the environment names a real MongoDB (and `reuse_env`), else a
    fresh in-memory mongoeco wire server on a free port for the duration."""
    if reuse_env and os.environ.get("MONGO_URL"):
        yield os.environ["MONGO_URL"]
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy.embedded_mongo", "--memory", "--port", "0"],
        cwd=ROOT,
        env=python_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("ready "):
            raise RuntimeError(f"the embedded MongoDB server did not start: {line!r}")
        yield line.removeprefix("ready ")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


class ServiceProcess:
    """`python -m services <name>` in its own process, as the runner starts it."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name, self.env, self.log_path = name, env, log_path
        self.process: subprocess.Popen | None = None
        self.log: Any = None

    def start(self) -> "ServiceProcess":
        # a restart appends to the same log: look for "started" only in what it writes
        written_before = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed when the process ends
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services", self.name],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while b"service started" not in self.log_path.read_bytes()[written_before:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as when a machine or process dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        if self.log is not None:
            self.log.close()


def wait_until(condition, timeout: float = 15.0, interval: float = 0.1):  # noqa: ANN001
    """Poll `condition()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


@dataclass
class Stack:
    """The whole stack as `./dev run` starts it (`python -m deploy.run`)."""

    process: subprocess.Popen
    base_url: str
    var_dir: Path
    env: dict[str, str]
    output: list[str]

    def pid(self, name: str) -> int:
        return int((self.var_dir / "run" / f"{name}.pid").read_text())

    @property
    def mongo_url(self) -> str:
        return next(
            line.split(" at ", 1)[1].split(" ")[0]
            for line in self.output
            if "embedded MongoDB-protocol server at" in line
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        code = self.process.wait(timeout=60)
        self.output.extend(self.process.stdout.read().splitlines())
        self.process.stdout.close()
        return code


def start_stack(env: dict[str, str], var_dir: Path, *args: str) -> Stack:
    """Start `python -m deploy.run *args` and wait until it says it is running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy.run", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line.rstrip())
        if match := re.search(r"DânBàn is running at (\S+)/$", line.strip()):
            return Stack(process, match.group(1), var_dir, env, output)
    process.kill()
    raise AssertionError("the stack did not start:\n" + "\n".join(output))


def stack_env(
    amqp_uri: str, var_dir: Path, password: str, rpc_timeout: float, workers: int = 2
) -> dict[str, str]:
    """A stack of its own: its vhost, var dir, free ports, the embedded database."""
    env = python_env(
        AMQP_URI=amqp_uri,
        DANBAN_VAR_DIR=str(var_dir),
        GATEWAY_PORT=str(free_port()),
        EMBEDDED_MONGO_PORT=str(free_port()),
        DANBAN_ADMIN_PASSWORD=password,
        RPC_TIMEOUT=str(rpc_timeout),
        GATEWAY_WORKERS=str(workers),
    )
    env.pop("MONGO_URL", None)
    return env
