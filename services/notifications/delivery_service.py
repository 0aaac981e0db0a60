"""The notifications service's scheduled work: sending queued deliveries over email,
SMS and Zalo, trying failed ones again later, reminders that fall due, and
finishing a message whose fan-out was cut short.

Every instance of the service ticks; only the holder of the lease in the database
does the work, so it runs once in the cluster whatever the number of instances,
and another instance takes over within LEASE_SECONDS when the holder dies. All of
it is in the database, so a restart loses nothing. Mixed into NotificationsService.
"""

import hashlib
import logging
import os
import socket
import time
import uuid
from datetime import timedelta
from typing import Any

import eventlet
from nameko.timer import timer

from services.notifications import channels, messages
from services.notifications.store import NotificationsStore
from shared.chassis import utcnow
from shared.contracts.notifications import DeliveryStatus
from shared.contracts.training import MovedOffWaitlist, RegistrationConfirmed

log = logging.getLogger(__name__)

LEASE = "scheduled-work"
LEASE_SECONDS = 15.0  # config DELIVERY.lease_seconds: how soon another instance takes over
SENDING_CLAIM = timedelta(minutes=2)  # a sender that died frees its delivery after this
SENDERS_AT_ONCE = 8  # deliveries in flight together: one slow provider does not stall all
JOB_RETRY = timedelta(minutes=1)  # after a scheduled job failed
FAN_OUT_LEFT = timedelta(seconds=60)  # a fan-out still unfinished this long after it began
REGISTRATION_EVENTS = {e.event_type: e for e in (RegistrationConfirmed, MovedOffWaitlist)}


class DeliveryWork:
    store: NotificationsStore
    config: dict

    @timer(interval=1)
    def do_scheduled_work(self) -> None:
        period = timedelta(
            seconds=self.config.get("DELIVERY", {}).get("lease_seconds", LEASE_SECONDS)
        )
        if not self.store.hold_lease(LEASE, self._holder, period):
            return
        for job in self.store.due_jobs(utcnow()):
            try:
                self._run_job(job)
            except Exception as error:  # one bad job must not stop the sending below
                log.exception("scheduled job %s failed; tried again later", job["_id"])
                self.store.postpone_job(job, error, utcnow() + JOB_RETRY)
        self._finish_fan_outs()
        # a third of the lease, then the tick ends and the next one renews it
        self._send_due_deliveries(period.total_seconds() / 3)

    @property
    def _holder(self) -> str:
        """This process's name on the lease: one per service container."""
        name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        return self.store.kept.setdefault("lease-holder", name)

    def _finish_fan_outs(self) -> None:
        """A message accepted but not yet in every inbox (a request or event handler
        died half-way) is finished here, so nothing accepted is lost."""
        for message in self.store.unfinished_messages(utcnow() - FAN_OUT_LEFT):
            try:
                self._fan_out(message, messages.draft_of(message))
            except Exception:  # e.g. the directory is down: the next tick tries again
                log.exception("fan-out of message %s failed; tried again later", message["_id"])

    def _run_job(self, job: dict[str, Any]) -> None:
        payload = job["payload"]
        if not self.store.still_due(job):  # cancelled or rescheduled since it was read
            return
        if job["kind"] == "session_reminder":
            event = REGISTRATION_EVENTS[payload["event_type"]].model_validate(payload["event"])
            self._send_all(messages.draft_reminder(event, self.config.get("PUBLIC_URL", "")))
        elif job["kind"] == "set_units":
            self.store.set_units(payload["owner_keys"], payload["units"])
        else:
            raise ValueError(f"no such kind of job: {job['kind']}")
        self.store.finish_job(job)

    def _send_due_deliveries(self, seconds: float) -> None:
        pool = eventlet.GreenPool(SENDERS_AT_ONCE)
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            delivery = self.store.claim_due_delivery(utcnow(), SENDING_CLAIM)
            if delivery is None:
                break
            pool.spawn_n(self._try, delivery)
        pool.waitall()

    def _try(self, delivery: dict[str, Any]) -> None:
        """One try of one delivery; whatever goes wrong is recorded, never raised."""
        settings = self.config.get("DELIVERY", {})
        outgoing = channels.Outgoing(
            # the providers' idempotency key and Message-ID: stable for the delivery, and
            # not its id, which names the household
            delivery_id=hashlib.sha256(delivery["_id"].encode()).hexdigest()[:32],
            address=delivery["address"],
            subject=delivery["subject"],
            text=delivery["text"],
            link=delivery.get("link"),
        )
        try:
            provider_id = channels.send(delivery["channel"], self.config["CHANNELS"], outgoing)
        except channels.DeliveryFailed as failed:
            self._record_failure(delivery, failed.reason, failed.temporary, settings)
        except Exception as error:  # a fault of ours or the provider's: try again later
            log.exception("delivery %s failed unexpectedly", delivery["_id"])
            self._record_failure(delivery, repr(error), True, settings)
        else:
            self.store.record_sent(delivery["_id"], provider_id, self._holder)

    def _record_failure(
        self, delivery: dict[str, Any], reason: str, temporary: bool, settings: dict
    ) -> None:
        attempts = delivery["attempts"] + 1
        if temporary and attempts < settings.get("max_attempts", 12):
            retry_at = messages.next_try(attempts, settings.get("retry_seconds", 30.0), utcnow())
            self.store.record_failure(delivery["_id"], reason, DeliveryStatus.FAILED, retry_at)
        else:
            self.store.record_failure(delivery["_id"], reason, DeliveryStatus.GIVEN_UP, None)
