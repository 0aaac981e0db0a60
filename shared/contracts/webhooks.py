"""Contracts of the webhooks service: provincial and commune systems registering an
HTTPS endpoint for DânBàn's public events, delivered as CloudEvents 1.0.

What is delivered is only what the public pages show (no resident's name, household
code, phone or e-mail): see services/webhooks/domain.py.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Text
from shared.i18n import N_


class WebhookEventType(StrEnum):
    """The CloudEvents `type` of each public event a subscription may ask for."""

    POLL_OPENED = "vn.danban.poll.opened"
    POLL_CLOSED = "vn.danban.poll.closed"
    POLL_DECIDED = "vn.danban.poll.decided"
    DISCLOSURE_POSTED = "vn.danban.disclosure.posted"
    PETITION_ANSWERED = "vn.danban.petition.answered"
    COMMENDATION_DECIDED = "vn.danban.commendation.decided"


EVENT_TYPE_NAMES_VI = {
    WebhookEventType.POLL_OPENED: N_("Mở cuộc lấy ý kiến, biểu quyết"),
    WebhookEventType.POLL_CLOSED: N_("Kết thúc cuộc lấy ý kiến, biểu quyết"),
    WebhookEventType.POLL_DECIDED: N_("Xác nhận kết quả (kèm mã niêm phong)"),
    WebhookEventType.DISCLOSURE_POSTED: N_("Niêm yết công khai"),
    WebhookEventType.PETITION_ANSWERED: N_("Trả lời phản ánh, kiến nghị"),
    WebhookEventType.COMMENDATION_DECIDED: N_("Có quyết định khen thưởng"),
}


class ScopeKind(StrEnum):
    COMMUNE = "commune"  # one commune, ward or special zone
    PROVINCE = "province"  # every commune of the province


class DeliveryStatus(StrEnum):
    WAITING = "waiting"  # due at next_attempt_at (after the subject's earlier ones)
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"  # failed the most attempts allowed; staff may try it again
    CANCELLED = "cancelled"  # its subscription was deleted


DELIVERY_STATUS_VI = {
    DeliveryStatus.WAITING: N_("Đang chờ gửi"),
    DeliveryStatus.SENDING: N_("Đang gửi"),
    DeliveryStatus.SENT: N_("Đã gửi"),
    DeliveryStatus.DEAD: N_("Gửi không được"),
    DeliveryStatus.CANCELLED: N_("Đã hủy"),
}

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500)]


class RegisterWebhook(Contract):
    """`webhooks.register_webhook`: an administrator of the commune (or the province)
    `scope_id` asks for `event_types` at `url` (HTTPS). The answer carries the signing
    secret, shown this once."""

    actor: Text
    scope_id: Text
    url: Url
    event_types: list[WebhookEventType] = Field(min_length=1)
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class Webhook(Contract):
    id: str
    scope_id: str
    scope_kind: ScopeKind
    url: str
    event_types: list[WebhookEventType]
    description: str
    created_by: str
    created_at: datetime
    secret_set_at: datetime


class WebhookSecret(Contract):
    """A subscription with its secret: only in the answer to registering or rotating."""

    webhook: Webhook
    secret: str


class ListWebhooks(Contract):
    """`webhooks.list_webhooks`: the subscriptions of a commune or a province."""

    actor: Text
    scope_id: Text


class WebhookList(Contract):
    scope_id: str
    webhooks: list[Webhook]


class WebhookRef(Contract):
    """`webhooks.delete_webhook`, `webhooks.rotate_secret`."""

    actor: Text
    webhook_id: Text


class ListDeliveries(Contract):
    """`webhooks.list_deliveries`: the newest deliveries of a scope's subscriptions, or
    only its dead letters."""

    actor: Text
    scope_id: Text
    dead_only: bool = False
    limit: int = Field(default=50, ge=1, le=500)


class WebhookDelivery(Contract):
    id: str
    webhook_id: str
    url: str
    event_id: str
    event_type: WebhookEventType
    subject: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


class DeliveryLog(Contract):
    scope_id: str
    deliveries: list[WebhookDelivery]


class RetryDelivery(Contract):
    """`webhooks.retry_delivery`: a dead letter tried again from its first attempt."""

    actor: Text
    delivery_id: Text
