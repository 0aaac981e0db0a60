"""The services' queues on RabbitMQ are quorum queues.

A quorum queue keeps its messages on a majority of the broker's nodes, so the
calls and events that carry ballots, petitions and registrations survive the
loss of one node of a three-node cluster (a classic queue lives on one node and
its messages go with it). nameko 2.14 declares its queues itself with no
setting for their type, so our entrypoints add the queue arguments: `rpc` here
for `rpc-<service>`, and `shared.chassis.on_event` for each
`evt-<source>-<type>--<service>.<method>`. Arguments rather than the vhost's
default queue type: they work on every RabbitMQ since 3.8 (the vhost default
came with 3.11), and a service cannot be pointed at a vhost without them.

Callers' reply queues stay classic: quorum queues cannot be exclusive or expire,
and a reply lost with its node only makes the caller time out and ask again.

A message that comes back to its queue again and again (a worker killed by it
each time) goes after DELIVERY_LIMIT deliveries to the `danban.dead-letters`
queue, where an operator reads it (README: Operations), instead of looping.

Only service processes import this module: it pulls in nameko.
"""

from typing import Any

from kombu import Connection, Exchange, Queue
from nameko.events import SERVICE_POOL, EventHandler
from nameko.rpc import Rpc, RpcConsumer

DEAD_LETTERS = "danban.dead-letters"
# High enough that a database outage (an event is requeued every 2 s while the
# database is down, see shared.chassis.on_event) takes half an hour to reach it.
DELIVERY_LIMIT = 1000

QUORUM_ARGUMENTS = {
    "x-queue-type": "quorum",
    "x-delivery-limit": DELIVERY_LIMIT,
    "x-dead-letter-exchange": DEAD_LETTERS,
}

DEAD_LETTER_QUEUE = Queue(
    DEAD_LETTERS,
    exchange=Exchange(DEAD_LETTERS, type="fanout", durable=True),
    durable=True,
    queue_arguments={"x-queue-type": "quorum"},
)


def declare_dead_letters(amqp_uri: str) -> None:
    """The exchange the quorum queues dead-letter to, and the queue that keeps them."""
    with Connection(amqp_uri) as connection:
        DEAD_LETTER_QUEUE(connection.default_channel).declare()


class QuorumRpcConsumer(RpcConsumer):
    def setup(self) -> None:
        if self.queue is None:
            super().setup()
            self.queue.queue_arguments = QUORUM_ARGUMENTS
            declare_dead_letters(self.container.config["AMQP_URI"])


class QuorumRpc(Rpc):
    rpc_consumer = QuorumRpcConsumer()


rpc = QuorumRpc.decorator


class QuorumEventHandler(EventHandler):
    def setup(self) -> None:
        super().setup()
        # Broadcast and singleton handlers' queues are not ours to choose: we use neither.
        if self.handler_type is SERVICE_POOL:
            self.queue.queue_arguments = QUORUM_ARGUMENTS


def event_handler(source_service: str, event_type: str, **kwargs: Any) -> Any:
    return QuorumEventHandler.decorator(source_service, event_type, **kwargs)
