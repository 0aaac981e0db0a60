"""What a cluster deployment relies on, against the real broker and a real process:
the queues the services declare are quorum queues, their database writes wait for
a majority, and a service process answers its probes and stops when told."""

import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import kombu
import pytest
import requests
from eventlet.event import Event as Signal
from nameko.standalone.rpc import ServiceRpcProxy
from pymongo import MongoClient

from services.__main__ import SERVICE_CLASSES, load_service_class
from services.probes import Probes
from shared.chassis import MongoStore, Store
from shared.queues import DEAD_LETTERS, DELIVERY_LIMIT, QueueInTheWay
from tests.support import _api, free_port, python_env, queue_depth, wait_until


def queues_of(amqp_uri: str) -> dict[str, dict]:
    vhost = quote(unquote(urlsplit(amqp_uri).path[1:]), safe="")
    return {queue["name"]: queue for queue in _api("GET", f"queues/{vhost}").json()}


def test_every_service_declares_its_work_queues_as_quorum_queues(start_service, config):
    containers = [start_service(load_service_class(name)) for name in SERVICE_CLASSES]
    queues = queues_of(config["AMQP_URI"])

    work = {name: queue for name, queue in queues.items() if name.startswith(("rpc-", "evt-"))}
    assert {f"rpc-{name}" for name in SERVICE_CLASSES} <= set(work)
    assert len(work) > len(SERVICE_CLASSES)  # the event handlers' queues too
    for name, queue in work.items():
        assert queue["type"] == "quorum", name
        assert queue["durable"] and not queue["auto_delete"] and not queue["exclusive"], name
        assert queue["arguments"]["x-delivery-limit"] == DELIVERY_LIMIT, name
        # an event taken off after the limit is kept; a call is dropped (its caller
        # timed out long before, and expired calls would fill the dead letters)
        dead_letters = queue["arguments"].get("x-dead-letter-exchange")
        assert dead_letters == (DEAD_LETTERS if name.startswith("evt-") else None), name

    assert queues[DEAD_LETTERS]["type"] == "quorum"
    vhost = quote(unquote(urlsplit(config["AMQP_URI"]).path[1:]), safe="")
    exchange = _api("GET", f"exchanges/{vhost}/{DEAD_LETTERS}").json()
    assert (exchange["type"], exchange["durable"]) == ("fanout", True)
    bound = _api("GET", f"exchanges/{vhost}/{DEAD_LETTERS}/bindings/source").json()
    assert [binding["destination"] for binding in bound] == [DEAD_LETTERS]

    for container in containers:
        [store] = [d for d in container.dependencies if isinstance(d, MongoStore)]
        assert store.client.write_concern.document == {"w": "majority"}
        assert store.client.options.retry_writes


def test_an_empty_queue_an_earlier_release_declared_classic_is_made_a_quorum_queue(
    start_service, config
):
    with kombu.Connection(config["AMQP_URI"]) as connection:
        connection.default_channel.queue_declare("rpc-directory", durable=True)
    start_service(load_service_class("directory"))
    assert queues_of(config["AMQP_URI"])["rpc-directory"]["type"] == "quorum"


def test_a_classic_queue_still_holding_messages_stops_the_service_and_loses_none(
    start_service, config
):
    with kombu.Connection(config["AMQP_URI"]) as connection:
        connection.default_channel.queue_declare("rpc-directory", durable=True)
        kombu.Producer(connection).publish({}, routing_key="rpc-directory")
    with pytest.raises(QueueInTheWay, match="rpc-directory.*1 messages"):
        start_service(load_service_class("directory"))
    assert queue_depth(config["AMQP_URI"], "rpc-directory") == 1


def test_a_call_waits_in_its_quorum_queue_while_the_service_restarts(start_service, config):
    container = start_service(load_service_class("directory"))
    container.stop()
    with ServiceRpcProxy("directory", config, timeout=30) as directory:
        reply = directory.health.call_async()
        wait_until(lambda: queue_depth(config["AMQP_URI"], "rpc-directory") == 1)
        start_service(load_service_class("directory"))
        assert reply.result()["database_up"] is True


def test_a_service_process_answers_its_probes_and_stops_on_sigterm(amqp_uri, mongo_url):
    port = free_port()
    env = python_env(
        AMQP_URI=amqp_uri, MONGO_URL=mongo_url, SERVICE_HEALTH_PORT=str(port),
        DANBAN_DB_PREFIX="probes",
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "services", "directory"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def status(path: str) -> int | None:
            try:
                return requests.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code
            except requests.ConnectionError:
                return None

        wait_until(lambda: status("/readyz") == 200, timeout=60)
        assert status("/livez") == 200
        assert status("/elsewhere") == 404

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert status("/livez") is None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# ---- the probes' answers: stand-in containers with the two attributes they read ----


@dataclass
class Container:
    started: bool = True
    dependencies: set = field(default_factory=set)
    _died: Signal = field(default_factory=Signal)

    def __hash__(self) -> int:
        return id(self)


def store_at(url: str) -> MongoStore:
    store = MongoStore(Store)
    store.client = MongoClient(url, serverSelectionTimeoutMS=300, connect=False)
    store.database = store.client["probes"]
    return store


def get(probes: Probes, path: str) -> str:
    answer = []
    probes({"PATH_INFO": path}, lambda status, headers: answer.append(status))
    return answer[0]


@pytest.fixture
def unreachable() -> Iterator[MongoStore]:
    store = store_at(f"mongodb://127.0.0.1:{free_port()}/?directConnection=true")
    yield store
    store.client.close()


def test_a_service_whose_database_does_not_answer_is_live_but_not_ready(unreachable):
    probes = Probes([Container(dependencies={unreachable})])
    assert get(probes, "/livez") == "200 OK"
    assert get(probes, "/readyz") == "503 Service Unavailable"
    assert get(probes, "/elsewhere") == "404 Not Found"


def test_a_service_not_started_or_dead_is_not_ready():
    assert get(Probes([Container(started=False)]), "/readyz") == "503 Service Unavailable"
    dead = Container()
    dead._died.send(None)
    assert get(Probes([dead]), "/readyz") == "503 Service Unavailable"
    assert get(Probes([Container()]), "/readyz") == "200 OK"  # no database to ask
