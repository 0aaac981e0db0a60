"""The webhooks' rules, pure (no I/O): which events go out and what they say, the
CloudEvents 1.0 envelope, the signature, who may manage an endpoint where, the
retry schedule and the order of deliveries of one subject.

Only what the public pages show is ever delivered: a poll's title, dates and (when
its results are public) its figures and seal; a disclosure as the notice board shows
it; a petition's masked title and answer, and only for a case on the public list; a
commendation's form and decision. Never a resident's name, household code, phone or
e-mail, nor a petition's receipt code (it lets its holder rate and reopen the case).
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from shared.contracts.common import Event
from shared.contracts.disclosures import DisclosurePosted
from shared.contracts.feedback import PetitionAnswered
from shared.contracts.recognition import CommendationDecided
from shared.contracts.staff import Role
from shared.contracts.surveys import PollClosed, PollDecided, PollEvent, PollOpened
from shared.contracts.webhooks import DeliveryStatus, ScopeKind, WebhookEventType
from shared.errors import InvalidInput
from shared.i18n import _

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SIGNATURE_HEADER = "webhook-signature"  # sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">
TIMESTAMP_HEADER = "webhook-timestamp"  # Unix seconds when this attempt was signed
ID_HEADER = "webhook-id"  # the CloudEvent's id: the same on every attempt
SECRET_PREFIX = "whsec_"
LOOPBACK_HOSTS = frozenset({"localhost"})


# --- what goes out -------------------------------------------------------------------


def cloud_event(event: Event, public_url: str) -> dict[str, Any] | None:
    """The CloudEvent (structured mode) announcing `event`, or None when nothing of it
    is public. `public_url` is the gateway as residents reach it, for links."""
    match event:
        case PollOpened():
            data = _poll(event, public_url) | {"households": event.households}
            return _envelope(event, WebhookEventType.POLL_OPENED, event.commune_id,
                             event.poll_id, data, public_url)  # fmt: skip
        case PollClosed():
            data = _poll(event, public_url)
            if event.public_results:
                data |= {"participated": event.participated, "households": event.households}
            return _envelope(event, WebhookEventType.POLL_CLOSED, event.commune_id,
                             event.poll_id, data, public_url)  # fmt: skip
        case PollDecided():
            data = _poll(event, public_url)
            if event.public_results:
                data |= {"passes": event.passes, "seal": event.seal}
            return _envelope(event, WebhookEventType.POLL_DECIDED, event.commune_id,
                             event.poll_id, data, public_url)  # fmt: skip
        case DisclosurePosted():
            posted = event.disclosure
            data = {
                "disclosure_id": posted.id,
                "commune_id": posted.commune_id,
                "category": posted.category,
                "title": posted.title,
                "summary": posted.summary,
                "decision_ref": posted.decision_ref,
                "decision_date": posted.decision_date.isoformat(),
                "posted_from": posted.posted_from.isoformat(),
                "posted_to": posted.posted_to.isoformat() if posted.posted_to else None,
                "permanent": posted.permanent,
                "replaces": posted.replaces,
                "url": f"{public_url}/communes/{posted.commune_id}/cong-khai/{posted.id}",
            }
            return _envelope(event, WebhookEventType.DISCLOSURE_POSTED, posted.commune_id,
                             posted.id, data, public_url)  # fmt: skip
        case PetitionAnswered():
            # a complaint or a denunciation is not on the public list; petition_id is
            # the filer's receipt code and is never sent
            if not event.public or not event.case_id:
                return None
            data = {
                "case_id": event.case_id,
                "commune_id": event.commune_id,
                "title": event.title,  # masked by the feedback service
                "answer": event.answer,  # masked by the feedback service
                "answered_at": _instant(event.answered_at),
                "url": f"{public_url}/communes/{event.commune_id}/feedback",
            }
            return _envelope(event, WebhookEventType.PETITION_ANSWERED, event.commune_id,
                             event.case_id, data, public_url)  # fmt: skip
        case CommendationDecided():
            # who was commended is on the honour board; the event names nobody
            data = {
                "commendation_id": event.decision_id,
                "commune_id": event.commune_id,
                "form": event.form,
                "decision_ref": event.decision_ref,
                "decided_on": event.decided_on.isoformat(),
                "url": f"{public_url}/vinh-danh/{event.commune_id}",
            }
            return _envelope(event, WebhookEventType.COMMENDATION_DECIDED, event.commune_id,
                             event.decision_id, data, public_url)  # fmt: skip
    return None


def _poll(event: PollEvent, public_url: str) -> dict[str, Any]:
    page = (
        f"/polls/{event.poll_id}/results"
        if event.public_results
        else f"/communes/{event.commune_id}"
    )
    return {
        "poll_id": event.poll_id,
        "kind": event.kind,
        "commune_id": event.commune_id,
        "unit_id": event.unit_id,
        "title": event.title,
        "opens_at": _instant(event.opens_at),
        "closes_at": _instant(event.closes_at),
        "public_results": event.public_results,
        "url": public_url + page,
    }


def _envelope(
    event: Event,
    kind: WebhookEventType,
    commune_id: str,
    subject: str,
    data: dict[str, Any],
    public_url: str,
) -> dict[str, Any]:
    return {
        "specversion": SPEC_VERSION,
        "id": event.event_id,
        "source": f"{public_url}/communes/{commune_id}",
        "type": kind.value,
        "subject": subject,
        "time": _instant(event.occurred_at),
        "datacontenttype": "application/json",
        "communeid": commune_id,  # an extension attribute: a province routes by it
        "data": data,
    }


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body_of(envelope: dict[str, Any]) -> str:
    """The exact text POSTed (and signed): the same bytes on every attempt."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --- signing -------------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256, under the subscription's secret, of the
    timestamp, a dot and the raw body: a receiver checks both the body and that the
    request is recent (an old request replayed has an old timestamp)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, event_id: str, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": CONTENT_TYPE,
        ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str, headers: dict[str, str], body: bytes, now: datetime, tolerance: int = 300
) -> bool:
    """What a receiver does: the signature matches and was made within `tolerance`
    seconds of `now`. `headers` with lower-case names."""
    try:
        timestamp = int(headers[TIMESTAMP_HEADER])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, ""))


# --- who may manage -----------------------------------------------------------------

# Who registers, lists, rotates and deletes a scope's webhooks and reads and retries its
# deliveries, by the roles they hold over the scope (directory.roles_in_unit): over a
# commune, its administrator or the administrator of its province; over a province
# (every commune of it), only its province administrator. The system administrator
# everywhere. A commune's administrator never acts for the province.
MANAGING_ROLES = {
    ScopeKind.COMMUNE: frozenset({Role.SYSTEM_ADMIN, Role.PROVINCE_ADMIN, Role.COMMUNE_ADMIN}),
    ScopeKind.PROVINCE: frozenset({Role.SYSTEM_ADMIN, Role.PROVINCE_ADMIN}),
}


def may_manage_webhooks(held: set[Role] | frozenset[Role], kind: ScopeKind) -> bool:
    """`held`: the roles the actor holds over the scope (on it, on its commune or on
    its province), as the directory counts them."""
    return bool(set(held) & MANAGING_ROLES[kind])


# --- registering ---------------------------------------------------------------------


def check_url(url: str, allow_http_loopback: bool) -> str:
    """An endpoint must be HTTPS; plain HTTP only to this machine, and only where the
    deployment allows it (development and tests)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        host, parts = "", None
    if parts is None or not host or parts.username or parts.password or parts.fragment:
        raise InvalidInput(fields={"url": _("Địa chỉ nhận không hợp lệ.")})
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and allow_http_loopback and is_loopback(host):
        return url
    raise InvalidInput(fields={"url": _("Địa chỉ nhận phải bắt đầu bằng https://.")})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- retrying and order --------------------------------------------------------------


def retry_wait(attempts: int, first_seconds: float, cap_seconds: float) -> timedelta:
    """After the `attempts`-th failed attempt: `first_seconds`, twice as long after each
    further failure, never more than `cap_seconds`."""
    return timedelta(seconds=min(first_seconds * 2 ** max(attempts - 1, 0), cap_seconds))


def after_failure(attempts: int, max_attempts: int) -> DeliveryStatus:
    """Tried again later, or a dead letter once `max_attempts` attempts failed."""
    return DeliveryStatus.DEAD if attempts >= max_attempts else DeliveryStatus.WAITING


def order_key(occurred_at: datetime, event_id: str) -> str:
    """Sorts a subscription's deliveries of one subject in the order things happened."""
    return f"{occurred_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}|{event_id}"


SENDING_RECHECK = timedelta(seconds=2)  # the subject's earlier delivery is in flight
HELD_RECHECK = timedelta(minutes=5)  # it is a dead letter: retrying it releases this one


def wait_for_earlier(
    candidate_id: str, head: dict[str, Any] | None, now: datetime
) -> datetime | None:
    """Per-subject order: a delivery goes only when it is the earliest of its subject
    not yet sent (`head`). None: send it now; else when to look at it again."""
    if head is None or head["_id"] == candidate_id:
        return None
    if head["status"] == DeliveryStatus.WAITING:
        return max(head["next_attempt_at"], now + timedelta(seconds=1))
    if head["status"] == DeliveryStatus.SENDING:
        return now + SENDING_RECHECK
    return now + HELD_RECHECK
