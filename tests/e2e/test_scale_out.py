"""Scale-out (issue #6): with two instances of the surveys service (`deploy.run
--instances surveys=2`), the demo ward's 170 households vote from their phones;
the two instances share the surveys queue (RabbitMQ delivered a share to each)
and every receipt shown is counted once."""

from collections.abc import Iterator

import pytest

from tests.e2e.phones import (
    PASSWORD,
    Phone,
    card_codes,
    check_every_receipt_is_counted_once,
    vote_in_waves,
)
from tests.support import (
    Stack,
    deliveries_by_process,
    fresh_vhost,
    stack_env,
    start_stack,
    wait_until,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("var")
    with fresh_vhost() as amqp_uri:
        env = stack_env(amqp_uri, var_dir, PASSWORD, rpc_timeout=5)
        running = start_stack(env, var_dir, "--instances", "surveys=2")
        yield running
        if running.process.poll() is None:
            running.stop()


def test_two_surveys_instances_share_the_ballots_and_count_each_once(stack):
    instances = {name: stack.pid(name) for name in ("surveys", "surveys-2")}
    before = deliveries_by_process(stack.env["AMQP_URI"], instances)
    phones = [
        Phone(stack.base_url, card, "opt1" if n % 3 else "opt2")
        for n, card in enumerate(card_codes(stack))
    ]
    for thread in vote_in_waves(phones, at_a_time=8):
        thread.join(timeout=120)

    check_every_receipt_is_counted_once(stack, phones)

    # Each phone made at least two calls (confirm, cast). The management API's
    # numbers lag: wait until they show them all, then look at the shares.
    def shares() -> dict[str, int] | None:
        after = deliveries_by_process(stack.env["AMQP_URI"], instances)
        taken = {name: after[name] - before[name] for name in instances}
        return taken if sum(taken.values()) >= 2 * len(phones) else None

    taken = wait_until(shares, timeout=30, interval=1)
    print("surveys deliveries by instance:", taken)
    assert min(taken.values()) >= 0.2 * sum(taken.values()), taken
