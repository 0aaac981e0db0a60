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
each time) is taken off after DELIVERY_LIMIT deliveries instead of looping. An
event then goes to the `danban.dead-letters` queue, where an operator reads it
(README: Operations); a call is dropped, its caller having long timed out (and
calls that expire unanswered, which the gateway's do, would fill that queue).

A queue the broker already holds with other arguments (a classic queue of an
earlier release) cannot be declared again: an empty one is deleted and declared
anew; one still holding messages stops the service with what to do.

Only service processes import this module: it pulls in nameko.
"""

import logging
from typing import Any

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue
from nameko.events import SERVICE_POOL, EventHandler
from nameko.rpc import Rpc, RpcConsumer

log = logging.getLogger(__name__)

DEAD_LETTERS = "danban.dead-letters"
# High enough that a database outage (an event is requeued every 2 s while the
# database is down, see shared.chassis.on_event) takes half an hour to reach it.
DELIVERY_LIMIT = 1000

RPC_QUEUE_ARGUMENTS = {"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT}
EVENT_QUEUE_ARGUMENTS = {**RPC_QUEUE_ARGUMENTS, "x-dead-letter-exchange": DEAD_LETTERS}

DEAD_LETTER_QUEUE = Queue(
    DEAD_LETTERS,
    exchange=Exchange(DEAD_LETTERS, type="fanout", durable=True),
    durable=True,
    queue_arguments={"x-queue-type": "quorum"},
)


def make_way_for(amqp_uri: str, name: str, arguments: dict[str, Any]) -> None:
    """Delete `name` if the broker holds it empty with other arguments, so that it
    can be declared with `arguments`; refuse to go on if it holds messages. A queue
    that dead-letters gets the exchange and the queue that keep its dead letters."""
    with Connection(amqp_uri) as connection:
        if DEAD_LETTERS in arguments.values():
            DEAD_LETTER_QUEUE(connection.default_channel).declare()
        try:
            connection.channel().queue_declare(
                name, durable=True, auto_delete=False, arguments=arguments
            )
            return  # new, or already as asked
        except PreconditionFailed:
            pass  # the broker closed that channel
        channel = connection.channel()
        waiting = channel.queue_declare(name, passive=True).message_count
        if waiting:
            raise QueueInTheWay(
                f"RabbitMQ holds the queue {name} as an earlier release declared it, with "
                f"{waiting} messages: let that release's instances finish them, then start "
                "this one again (README: Operations, upgrading onto quorum queues)"
            )
        channel.queue_delete(name, if_empty=True)
        log.warning("deleted the empty queue %s declared otherwise by an earlier release", name)


class QueueInTheWay(RuntimeError):
    pass


class QuorumRpcConsumer(RpcConsumer):
    def setup(self) -> None:
        if self.queue is None:
            super().setup()
            make_way_for(self.container.config["AMQP_URI"], self.queue.name, RPC_QUEUE_ARGUMENTS)
            self.queue.queue_arguments = RPC_QUEUE_ARGUMENTS


class QuorumRpc(Rpc):
    rpc_consumer = QuorumRpcConsumer()


rpc = QuorumRpc.decorator


class QuorumEventHandler(EventHandler):
    def setup(self) -> None:
        super().setup()
        # Broadcast and singleton handlers' queues are not ours to choose: we use neither.
        if self.handler_type is SERVICE_POOL:
            make_way_for(self.container.config["AMQP_URI"], self.queue.name, EVENT_QUEUE_ARGUMENTS)
            self.queue.queue_arguments = EVENT_QUEUE_ARGUMENTS


def event_handler(source_service: str, event_type: str, **kwargs: Any) -> Any:
    return QuorumEventHandler.decorator(source_service, event_type, **kwargs)
