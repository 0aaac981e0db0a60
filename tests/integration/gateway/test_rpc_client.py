"""The gateway's asyncio RPC client against a real directory service process
on the real broker: answers, remote errors, and services that are not there."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from gateway.rpc import RpcClient
from shared.errors import InvalidInput, ServiceUnavailable
from tests.samples import PROVINCE, WARD
from tests.support import (
    RABBIT_API,
    ServiceProcess,
    embedded_mongo,
    fresh_vhost,
    python_env,
    queue_depth,
    wait_until,
)

TIMEOUT = 2.0


@pytest.fixture
def amqp_uri() -> Iterator[str]:
    with fresh_vhost() as uri:
        yield uri


@pytest.fixture
def directory(amqp_uri: str, tmp_path: Path) -> Iterator[ServiceProcess]:
    with embedded_mongo() as mongo_url:
        env = python_env(
            AMQP_URI=amqp_uri, MONGO_URL=mongo_url, DANBAN_DB_PREFIX=f"t{uuid.uuid4().hex[:10]}"
        )
        service = ServiceProcess("directory", env, tmp_path / "directory.log").start()
        yield service
        service.stop()


async def with_client[T](amqp_uri: str, use) -> T:  # noqa: ANN001
    client = RpcClient(amqp_uri, timeout=TIMEOUT)
    await client.start()
    try:
        return await use(client)
    finally:
        await client.close()


def test_a_call_returns_the_services_answer(amqp_uri, directory):
    async def use(client: RpcClient):
        await client.call("directory", "register_unit", PROVINCE)
        await client.call("directory", "register_unit", WARD)
        return await client.call("directory", "get_commune_overview", {"commune_id": "huong-an"})

    overview = asyncio.run(with_client(amqp_uri, use))
    assert overview["commune"]["name"] == "Phường Hương An"


def test_a_refusal_comes_back_as_the_same_error_with_its_fields(amqp_uri, directory):
    async def use(client: RpcClient):
        await client.call("directory", "register_unit", PROVINCE)
        return await client.call("directory", "register_unit", {**WARD, "parent_id": "nowhere"})

    with pytest.raises(InvalidInput) as refused:
        asyncio.run(with_client(amqp_uri, use))
    assert refused.value.fields == {"parent_id": "Không tìm thấy đơn vị cấp trên."}


def test_many_concurrent_calls_each_get_their_own_answer(amqp_uri, directory):
    async def use(client: RpcClient):
        await client.call("directory", "register_unit", PROVINCE)
        units = [{**WARD, "id": f"ward-{n}", "name": f"Phường {n}"} for n in range(100)]
        return await asyncio.gather(*(client.call("directory", "register_unit", u) for u in units))

    answers = asyncio.run(with_client(amqp_uri, use))
    assert [a["name"] for a in answers] == [f"Phường {n}" for n in range(100)]


def test_a_service_that_never_ran_is_unavailable_at_once(amqp_uri):
    async def use(client: RpcClient):
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            await client.call("directory", "list_communes")
        return time.monotonic() - started

    elapsed = asyncio.run(with_client(amqp_uri, use))
    assert elapsed < TIMEOUT / 2  # returned by the broker, not timed out


def test_a_stopped_service_times_out_and_its_request_expires(amqp_uri, directory):
    """The caller gave up, so the service must not act on the request later."""
    directory.kill()

    async def use(client: RpcClient):
        with pytest.raises(ServiceUnavailable, match="did not answer"):
            await client.call("directory", "register_unit", PROVINCE)

    asyncio.run(with_client(amqp_uri, use))
    wait_until(lambda: queue_depth(amqp_uri, "rpc-directory") == 0, timeout=5)
    directory.start()  # it waits for this start's "service started", not the first one's

    async def answers(client: RpcClient) -> bool:
        try:
            await client.call("directory", "health", timeout=3)
        except ServiceUnavailable:
            return False
        return True

    # wait for the service to answer, and show its log if it never does
    try:
        wait_until(lambda: asyncio.run(with_client(amqp_uri, answers)), timeout=30)
    except AssertionError:
        raise AssertionError(directory.log_path.read_text()[-3000:]) from None

    async def after_restart(client: RpcClient):
        return await client.call("directory", "list_communes", timeout=15)

    assert asyncio.run(with_client(amqp_uri, after_restart)) == {"communes": []}


def test_losing_the_broker_connection_fails_calls_in_flight_at_once(amqp_uri, directory):
    directory.kill()  # so the call below waits for an answer that cannot come

    def close_gateway_connection() -> bool:
        response = requests.get(f"{RABBIT_API}/api/connections", timeout=5)
        names = [
            c["name"]
            for c in response.json()
            if c.get("client_properties", {}).get("connection_name") == "danban-gateway"
            and c["vhost"] == amqp_uri.rsplit("/", 1)[1]
        ]
        for name in names:
            requests.delete(f"{RABBIT_API}/api/connections/{name}", timeout=5)
        return bool(names)

    async def use(client: RpcClient):
        call = asyncio.create_task(client.call("directory", "list_communes", timeout=30))
        await asyncio.to_thread(wait_until, close_gateway_connection, 10, 0.2)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            await call
        assert not client.connected  # what /healthz reports as "broker down"
        with pytest.raises(ServiceUnavailable, match="no broker connection"):
            await client.call("directory", "list_communes")
        return time.monotonic() - started

    assert asyncio.run(with_client(amqp_uri, use)) < 5
