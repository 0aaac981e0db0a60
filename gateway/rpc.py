"""Calling nameko services from asyncio, over nameko's RPC wire format.

One connection, one channel and one reply queue per gateway process, opened
and closed by the app's lifespan. Each call publishes to the `nameko-rpc`
exchange with publisher confirms and `mandatory`, so a call to a service that
has never run comes straight back as "unavailable"; a call nobody answers in
time fails with the same error and expires in the broker, so a service that
comes back later does not act on a request whose caller already gave up.
No eventlet here: this runs inside uvicorn's event loop.
"""

import asyncio
import json
import logging
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage, AbstractRobustConnection
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError, DeliveryError

from shared.errors import ServiceUnavailable, from_wire

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float) -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._reply_key = f"gateway-{uuid.uuid4().hex}"
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None

    @property
    def connected(self) -> bool:
        """True while the broker connection is open; False during a reconnect too."""
        return self._connection is not None and self._connection.connected.is_set()

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.amqp_uri, client_properties={"connection_name": "danban-gateway"}
        )
        self._connection.close_callbacks.add(self._fail_pending)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await channel.declare_exchange(
            RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        replies = await channel.declare_queue(
            f"rpc.reply-{self._reply_key}", exclusive=True, auto_delete=True
        )
        await replies.bind(self._exchange, routing_key=self._reply_key)
        await replies.consume(self._on_reply, no_ack=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._fail_pending()

    async def call(
        self, service: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        """Call `service.method(*args, **kwargs)`; raise the service's WireError, or
        ServiceUnavailable if it cannot be reached or does not answer in time."""
        if self._exchange is None or not self.connected:
            raise ServiceUnavailable(f"no broker connection for {service}")
        timeout = timeout or self.timeout
        correlation_id = uuid.uuid4().hex
        reply = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = reply
        message = aio_pika.Message(
            json.dumps({"args": list(args), "kwargs": kwargs}).encode(),
            content_type="application/json",
            content_encoding="utf-8",
            correlation_id=correlation_id,
            reply_to=self._reply_key,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            expiration=timeout,
            headers={"nameko.call_id_stack": [f"gateway.{service}.{method}.{correlation_id}"]},
        )
        try:
            async with asyncio.timeout(timeout):
                await self._exchange.publish(
                    message, routing_key=f"{service}.{method}", mandatory=True
                )
                answer = await reply
        except DeliveryError:
            raise ServiceUnavailable(f"{service} is not running") from None
        except TimeoutError:
            raise ServiceUnavailable(f"{service}.{method} did not answer in {timeout}s") from None
        except (AMQPError, ChannelInvalidStateError, ConnectionError) as exc:
            raise ServiceUnavailable(f"broker connection failed: {exc}") from None
        finally:
            self._pending.pop(correlation_id, None)
        if answer.get("error"):
            raise from_wire(answer["error"])
        return answer.get("result")

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        reply = self._pending.get(message.correlation_id or "")
        if reply is None or reply.done():
            return  # its caller timed out already
        try:
            reply.set_result(json.loads(message.body))
        except ValueError as exc:
            reply.set_exception(ServiceUnavailable(f"unreadable reply: {exc}"))

    def _fail_pending(self, *_: Any) -> None:
        """A dropped connection loses the replies in flight: fail their callers now."""
        for reply in self._pending.values():
            if not reply.done():
                reply.set_exception(ServiceUnavailable("broker connection lost"))
