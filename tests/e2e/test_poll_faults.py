"""A poll that keeps going through faults (issue #6 at CI scale): the demo ward's
170 households vote from their phones while the surveys service is killed with
kill -9 (the runner starts it again), a gateway worker is killed (uvicorn starts
a new one), and RabbitMQ is restarted (its application, with `rabbitmqctl
stop_app` and `start_app`: every connection drops, durable queues and persistent
messages stay; the nameko services stop and the runner starts them again, the
gateway reconnects). Phones whose ballot got no answer send the same page again,
as a resident would. Afterwards every receipt shown is counted once, and the
tally equals a recount.

The broker restart touches every vhost of the machine's RabbitMQ: do not run
this test beside a stack of your own."""

import os
import signal
from collections.abc import Iterator

import psutil
import pytest

from tests.e2e.phones import (
    PASSWORD,
    Phone,
    card_codes,
    check_every_receipt_is_counted_once,
    receipts,
    vote_in_waves,
)
from tests.support import Stack, fresh_vhost, restart_broker, stack_env, start_stack, wait_until

GIVE_UP_SECONDS = 150


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("var")
    with fresh_vhost() as amqp_uri:
        running = start_stack(stack_env(amqp_uri, var_dir, PASSWORD, rpc_timeout=3), var_dir)
        yield running
        if running.process.poll() is None:
            running.stop()


def restarted(stack: Stack, name: str, pid: int) -> bool:
    """Has the runner started `name` again, in a process other than `pid`?"""
    try:
        return stack.pid(name) != pid and psutil.pid_exists(stack.pid(name))
    except (OSError, ValueError):
        return False


def test_no_ballot_is_lost_through_kills_and_a_broker_restart(stack):
    cards = card_codes(stack)
    assert len(cards) == 170
    phones = [
        Phone(stack.base_url, card, "opt1" if n % 3 else "opt2") for n, card in enumerate(cards)
    ]
    threads = vote_in_waves(phones)

    wait_until(lambda: receipts(phones) >= 30, timeout=60)
    surveys = stack.pid("surveys")
    os.kill(surveys, signal.SIGKILL)
    wait_until(lambda: restarted(stack, "surveys", surveys), timeout=30)

    wait_until(lambda: receipts(phones) >= 70, timeout=60)
    workers = [
        child
        for child in psutil.Process(stack.pid("gateway")).children()
        if "spawn_main" in " ".join(child.cmdline())  # not the resource tracker
    ]
    workers[0].kill()

    wait_until(lambda: receipts(phones) >= 100, timeout=60)
    surveys, before = stack.pid("surveys"), receipts(phones)
    restart_broker()
    # nameko 2.14 services mostly exit when the broker goes away, and the runner starts
    # them again; one whose reconnection outlasts the restart carries on. Either way the
    # ballots must flow again (a dead service stores none, so gives no receipt).
    wait_until(
        lambda: restarted(stack, "surveys", surveys) or receipts(phones) >= before + 10,
        timeout=90,
    )

    for thread in threads:
        thread.join(timeout=GIVE_UP_SECONDS)
    check_every_receipt_is_counted_once(stack, phones)
    assert sum(phone.retries for phone in phones) > 0  # the faults were felt
