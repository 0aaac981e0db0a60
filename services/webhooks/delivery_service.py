"""The webhooks service's sending: every second, one indexed read asks whether any
delivery is due; each subscription with one gets a sender of its own (a green thread,
see sending.Senders), which POSTs its due deliveries one at a time, each subject's in
the order things happened, until none is due. A slow or failing endpoint holds its
own sender only.

Claims are conditional writes, so several instances of the service may send side by
side; a delivery whose sender died is claimed until its claim runs out, then due
again. Mixed into WebhooksService.
"""

import logging
import time
from datetime import timedelta
from typing import Any

from nameko.timer import timer

from services.webhooks import domain
from services.webhooks.sending import PostFailed, Senders, post
from services.webhooks.store import WebhooksStore
from shared.chassis import utcnow

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=2)  # longer than any POST may take (timeout_seconds)
DRAIN_SECONDS = 30.0  # a sender ends after this and the next tick starts a fresh one


class DeliveryWork:
    store: WebhooksStore
    senders: Senders
    settings: dict[str, Any]

    @timer(interval=1)
    def send_due_deliveries(self) -> None:
        for subscription_id in self.store.anything_due(utcnow()):
            self.senders.ensure(subscription_id, self._drain)

    @timer(interval=30)
    def free_stale_claims(self) -> None:
        if freed := self.store.free_stale_claims(utcnow()):
            log.warning("%d webhook deliveries claimed by a sender that died are due again", freed)

    def _drain(self, subscription_id: str) -> None:
        settings = self.settings  # read in the worker that started this sender
        stop_at = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < stop_at:
            now = utcnow()
            delivery = self.store.claim_due(subscription_id, now, now + CLAIM)
            if delivery is None:
                return
            head = self.store.subject_head(subscription_id, delivery["subject"])
            later = domain.wait_for_earlier(delivery["_id"], head, now)
            if later is not None:
                self.store.put_back(delivery["_id"], later)
                continue
            subscription = self.store.subscription(subscription_id)
            if subscription is None:  # deleted while this delivery waited
                self.store.cancel_deliveries(subscription_id)
                return
            self._attempt(subscription, delivery, settings)

    def _attempt(self, subscription: dict, delivery: dict, settings: dict[str, Any]) -> None:
        body = delivery["body"].encode()
        secret = subscription["secret"]
        headers = domain.signed_headers(secret, delivery["event_id"], body, utcnow())
        try:
            status_code = post(subscription["url"], body, headers, settings["timeout_seconds"])
        except PostFailed as failed:
            attempts = delivery["attempts"] + 1
            fate = domain.after_failure(attempts, settings["max_attempts"])
            wait = domain.retry_wait(
                attempts, settings["first_retry_seconds"], settings["retry_cap_seconds"]
            )
            retry_at = utcnow() + wait if fate == domain.DeliveryStatus.WAITING else None
            self.store.record_failure(
                delivery["_id"], fate, failed.status_code, failed.reason, retry_at
            )
        else:
            self.store.record_sent(delivery, status_code)
