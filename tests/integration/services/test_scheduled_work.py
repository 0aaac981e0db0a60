"""The notifications service's scheduled work with several instances running: one
lease holder sends each delivery once, and another instance takes over when the
holder stops."""

from datetime import timedelta

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.notifications.service import NotificationsService
from shared.chassis import MongoStore
from tests.integration.services.conftest import FAST_RETRIES
from tests.integration.services.test_messages import publish, registration, send, titles
from tests.support import wait_until


def holder_of(container) -> str | None:
    store = next(d for d in container.dependencies if isinstance(d, MongoStore))
    return store.kept.get("lease-holder")


@pytest.fixture
def two_instances(ward, start_service, config, channels):
    return [
        start_service(NotificationsService, CHANNELS=channels, DELIVERY=FAST_RETRIES)
        for _ in range(2)
    ]


def test_two_instances_send_each_delivery_once_and_one_takes_over(
    two_instances, config, sms, databases
):
    with ServiceRpcProxy("notifications", config) as notifications:
        notifications.save_preferences(
            {"owner": {"household": "HAAAA2"}, "channels": ["sms"], "phone": "0912345678"}
        )
        for number in range(10):
            send(notifications, {"kind": "household", "household": "HAAAA2"}, title=f"Tin {number}")
        wait_until(
            lambda: databases["notifications"].deliveries.count_documents({"status": "sent"}) == 10,
            timeout=20,
        )

        assert len(sms.requests) == 10
        assert len({r.body["idempotency_key"] for r in sms.requests}) == 10
        lease = databases["notifications"].leases.find_one()
        holder = next(c for c in two_instances if holder_of(c) == lease["holder"])
        senders = databases["notifications"].deliveries.distinct("sent_by")
        assert senders == [lease["holder"]]  # the other instance sent nothing
        other = next(c for c in two_instances if c is not holder)

        holder.stop()
        send(notifications, {"kind": "household", "household": "HAAAA2"}, title="Sau khi dừng")
        wait_until(lambda: len(sms.requests) == 11, timeout=FAST_RETRIES["lease_seconds"] + 10)
        assert databases["notifications"].leases.find_one()["holder"] == holder_of(other)
        # the sender is recorded once the provider has answered, after its request
        last = wait_until(
            lambda: databases["notifications"].deliveries.find_one(
                {"title": "Sau khi dừng", "status": "sent"}
            )
        )
        assert last["sent_by"] == holder_of(other)


def test_a_reminder_scheduled_before_a_restart_is_sent_after_it(
    ward, start_service, config, databases
):
    first = start_service(NotificationsService, DELIVERY=FAST_RETRIES)
    # the session starts in a day and 4 s: its reminder falls due in 4 s
    confirmed = registration(timedelta(days=1, seconds=4), "Kỹ năng hòa giải ở cơ sở")
    with ServiceRpcProxy("notifications", config) as notifications:
        notifications.container = first
        publish(notifications, config, "training", confirmed, "confirm_registration")
        first.stop()  # before the reminder is due
        assert databases["notifications"].scheduled.find_one()["status"] == "waiting"

        start_service(NotificationsService, DELIVERY=FAST_RETRIES)
        expected = "Nhắc lịch học: Kỹ năng hòa giải ở cơ sở"
        wait_until(lambda: expected in titles(notifications, username="tuyet"), timeout=20)
