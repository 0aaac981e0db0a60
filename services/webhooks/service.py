"""The webhooks service: province and commune systems hear of DânBàn's public events
(a poll opened, closed, decided with its sealed result; a disclosure posted; a petition
answered; a commendation decided) as signed CloudEvents 1.0, retried with backoff,
each subject's in order, with a delivery log and dead letters for staff."""

from datetime import timedelta
from typing import Any

from nameko.timer import timer

from services.webhooks import domain
from services.webhooks.base import AUDIT_ROLES, WebhooksBase, no_events
from services.webhooks.delivery_service import DeliveryWork
from shared.chassis import on_event, utcnow
from shared.contracts.common import Event, ServiceHealth
from shared.contracts.disclosures import DisclosurePosted
from shared.contracts.feedback import PetitionAnswered
from shared.contracts.recognition import CommendationDecided
from shared.contracts.staff import AuditLog, ListAudit
from shared.contracts.surveys import PollClosed, PollDecided, PollOpened
from shared.contracts.webhooks import (
    DeliveryLog,
    DeliveryStatus,
    ListDeliveries,
    ListWebhooks,
    RegisterWebhook,
    RetryDelivery,
    Webhook,
    WebhookDelivery,
    WebhookList,
    WebhookRef,
    WebhookSecret,
)
from shared.errors import WIRE_ERRORS, Conflict, NotFound, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc


def webhook_of(document: dict[str, Any]) -> Webhook:
    fields = set(Webhook.model_fields) - {"id"}
    return Webhook(id=document["_id"], **{k: v for k, v in document.items() if k in fields})


def delivery_of(document: dict[str, Any]) -> WebhookDelivery:
    fields = set(WebhookDelivery.model_fields) - {"id", "webhook_id"}
    return WebhookDelivery(
        id=document["_id"],
        webhook_id=document["subscription_id"],
        **{k: v for k, v in document.items() if k in fields},
    )


class WebhooksService(DeliveryWork, WebhooksBase):
    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    # --- subscriptions ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def register_webhook(self, payload: dict) -> dict:
        command = parse(RegisterWebhook, payload)
        kind = self._scope_kind(command.scope_id)
        self._require_admin(command.actor, command.scope_id, kind)
        url = domain.check_url(command.url, self.settings["allow_http_loopback"])
        now, secret = utcnow(), domain.new_secret()
        document = {
            "_id": new_id(),
            "scope_id": command.scope_id,
            "scope_kind": kind.value,
            "url": url,
            "event_types": sorted(set(command.event_types)),
            "description": command.description,
            "secret": secret,
            "created_by": command.actor,
            "created_at": now,
            "secret_set_at": now,
        }
        audit = self._audit(
            command.actor, "register_webhook", document["_id"], command.scope_id,
            after={"url": url, "event_types": document["event_types"]},
        )  # fmt: skip
        self.store.insert_once("subscriptions", document, [audit])
        self._relay("subscriptions", document["_id"])
        return WebhookSecret(webhook=webhook_of(document), secret=secret).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_webhooks(self, payload: dict) -> dict:
        query = parse(ListWebhooks, payload)
        self._require_admin(query.actor, query.scope_id)
        webhooks = [webhook_of(d) for d in self.store.subscriptions_of(query.scope_id)]
        return WebhookList(scope_id=query.scope_id, webhooks=webhooks).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def rotate_secret(self, payload: dict) -> dict:
        """A new secret at once (the old one no longer signs); shown this once."""
        command = parse(WebhookRef, payload)
        found = self._subscription(command.webhook_id)
        self._require_admin(command.actor, found["scope_id"], found.get("scope_kind"))
        secret = domain.new_secret()
        audit = self._audit(command.actor, "rotate_webhook_secret", found["_id"], found["scope_id"])
        changed = self.store.change_subscription(
            found["_id"], {"secret": secret, "secret_set_at": utcnow()}, [audit]
        )
        if changed is None:
            raise NotFound(_("Không tìm thấy địa chỉ nhận sự kiện này."))
        self._relay("subscriptions", found["_id"])
        return WebhookSecret(webhook=webhook_of(changed), secret=secret).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def delete_webhook(self, payload: dict) -> dict:
        """Stop sending; the deliveries not yet sent are cancelled, the log stays."""
        command = parse(WebhookRef, payload)
        found = self._subscription(command.webhook_id)
        self._require_admin(command.actor, found["scope_id"], found.get("scope_kind"))
        audit = self._audit(
            command.actor, "delete_webhook", found["_id"], found["scope_id"],
            before={"url": found["url"], "event_types": found["event_types"]},
        )  # fmt: skip
        if self.store.change_subscription(found["_id"], {"deleted_at": utcnow()}, [audit]):
            self.store.cancel_deliveries(found["_id"])
            self._relay("subscriptions", found["_id"])
        return webhook_of(found).model_dump(mode="json")

    # --- the delivery log ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_deliveries(self, payload: dict) -> dict:
        query = parse(ListDeliveries, payload)
        self._require_admin(query.actor, query.scope_id)
        found = self.store.deliveries_of(query.scope_id, query.dead_only, query.limit)
        return DeliveryLog(
            scope_id=query.scope_id, deliveries=[delivery_of(d) for d in found]
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def retry_delivery(self, payload: dict) -> dict:
        """A dead letter tried again now, from its first attempt; the deliveries of its
        subject held behind it follow it in order."""
        command = parse(RetryDelivery, payload)
        found = self.store.delivery(command.delivery_id)
        if found is None:
            raise NotFound(_("Không tìm thấy lần gửi này."))
        subscription = self.store.subscription(found["subscription_id"]) or {}
        self._require_admin(command.actor, found["scope_id"], subscription.get("scope_kind"))
        audit = self._audit(
            command.actor, "retry_webhook_delivery", found["_id"], found["scope_id"],
            before={"attempts": found["attempts"], "last_error": found.get("last_error")},
        )  # fmt: skip
        retried = self.store.retry(found["_id"], [audit])
        if retried is None:
            raise Conflict(_("Lần gửi này không còn ở danh sách gửi không được."))
        self.store.release_held(found["subscription_id"], found["subject"], utcnow())
        self._relay("deliveries", found["_id"])
        return delivery_of(retried).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        """Webhooks registered, secrets rotated, webhooks deleted, dead letters retried."""
        query = parse(ListAudit, payload)
        self._require(query.actor, query.commune_id, AUDIT_ROLES)
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Append the audit entries whose writer died before relaying them."""
        self.store.relay_events(no_events, older_than=timedelta(seconds=5))

    # --- the public events ---

    @on_event("surveys", PollOpened)
    def poll_opened(self, event: PollOpened) -> None:
        self._accept(event, event.commune_id)

    @on_event("surveys", PollClosed)
    def poll_closed(self, event: PollClosed) -> None:
        self._accept(event, event.commune_id)

    @on_event("surveys", PollDecided)
    def poll_decided(self, event: PollDecided) -> None:
        self._accept(event, event.commune_id)

    @on_event("notifications", DisclosurePosted)
    def disclosure_posted(self, event: DisclosurePosted) -> None:
        self._accept(event, event.disclosure.commune_id)

    @on_event("feedback", PetitionAnswered)
    def petition_answered(self, event: PetitionAnswered) -> None:
        self._accept(event, event.commune_id)

    @on_event("recognition", CommendationDecided)
    def commendation_decided(self, event: CommendationDecided) -> None:
        self._accept(event, event.commune_id)

    def _accept(self, event: Event, commune_id: str) -> None:
        """One delivery per subscription that asked for it (stored once: a redelivered
        event adds nothing); the sender takes it from there."""
        envelope = domain.cloud_event(event, self.config.get("PUBLIC_URL", ""))
        if envelope is None:
            return
        subscribers = self.store.subscribers(self._scopes_of(commune_id), envelope["type"])
        now, body = utcnow(), domain.body_of(envelope)
        order = domain.order_key(event.occurred_at, event.event_id)
        self.store.add_deliveries(
            [
                {
                    "_id": f"{subscriber['_id']}:{event.event_id}",
                    "subscription_id": subscriber["_id"],
                    "scope_id": subscriber["scope_id"],
                    "url": subscriber["url"],
                    "event_id": event.event_id,
                    "event_type": envelope["type"],
                    "subject": envelope["subject"],
                    "order": order,
                    "body": body,
                    "status": DeliveryStatus.WAITING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for subscriber in subscribers
            ]
        )
