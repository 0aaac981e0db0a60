"""The webhooks' pure rules (services/webhooks/domain.py): what each public event
says as a CloudEvent and what it never says, the signature a receiver checks, the
endpoints accepted, the retry schedule and the order of one subject's deliveries."""

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from services.directory import access
from services.webhooks import domain
from shared.contracts.disclosures import Disclosure, DisclosurePosted
from shared.contracts.feedback import Contact, PetitionAnswered
from shared.contracts.notifications import Owner
from shared.contracts.recognition import CommendationDecided
from shared.contracts.staff import Role, RoleGrant
from shared.contracts.surveys import PollClosed, PollDecided, PollOpened
from shared.contracts.webhooks import DeliveryStatus, ScopeKind
from shared.errors import InvalidInput

AT = datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
PUBLIC = "https://danban.hue.gov.vn"
POLL = {
    "event_id": "e-poll",
    "occurred_at": AT,
    "poll_id": "p1",
    "kind": "decision",
    "commune_id": "huong-an",
    "unit_id": "tdp-1",
    "title": "Làm đường bê tông tổ 1",
    "opens_at": AT,
    "closes_at": AT + timedelta(days=7),
}
# what a resident's household, name, phone and e-mail look like in the events
HOUSEHOLD, NAME, PHONE, EMAIL = "HAAAA2", "Nguyễn Thị Lan", "0912345678", "lan@example.vn"
RECEIPT = "K7M2Q9XA"


def answered(public: bool = True) -> PetitionAnswered:
    return PetitionAnswered(
        event_id="e-answer",
        occurred_at=AT,
        petition_id=RECEIPT,
        commune_id="huong-an",
        petitioner=Owner(household=HOUSEHOLD),
        reply_to=Contact(name=NAME, phone=PHONE, email=EMAIL),
        title="Đèn đường tổ 3 hỏng",
        answered_at=AT,
        answer="Đã thay bóng đèn ngày 04/12/2026.",
        case_id="case-1",
        public=public,
    )


def decided() -> CommendationDecided:
    return CommendationDecided(
        event_id="decided:n1",
        occurred_at=AT,
        decision_id="n1",
        commune_id="huong-an",
        recipient=Owner(household=HOUSEHOLD),
        form="Giấy khen của Chủ tịch Ủy ban nhân dân phường (UBND phường)",
        reason=f"Gương người tốt việc tốt ({NAME})",
        decision_ref="Quyết định số 25/QĐ-UBND",
        decided_on=date(2026, 12, 4),
    )


def posted() -> DisclosurePosted:
    return DisclosurePosted(
        event_id="e-board",
        occurred_at=AT,
        disclosure=Disclosure(
            id="d1", commune_id="huong-an", category=1, title="Kế hoạch 2027",
            summary="Kế hoạch phát triển kinh tế - xã hội năm 2027", decision_ref="12/QĐ-UBND",
            decision_date=date(2026, 12, 1), posted_from=date(2026, 12, 2), posted_to=None,
            forms=["posting"], loudspeaker_days=None, late_reason=None, permanent=True,
            deadline=date(2026, 12, 8), late=False, posted_by="can-bo-minh", posted_at=AT,
        ),
    )  # fmt: skip


def every_event() -> list:
    return [
        PollOpened(**POLL, households=170, public_results=True),
        PollClosed(**POLL, participated=120, households=170, public_results=True),
        PollDecided(**POLL, passes=True, seal="ab" * 32, public_results=True),
        posted(),
        answered(),
        decided(),
    ]


@pytest.mark.parametrize("event", every_event(), ids=lambda e: e.event_type)
def test_every_public_event_is_a_cloudevent_1_0_in_structured_mode(event):
    envelope = domain.cloud_event(event, PUBLIC)

    assert envelope["specversion"] == "1.0"
    assert envelope["id"] == event.event_id
    assert envelope["type"].startswith("vn.danban.")
    assert envelope["source"] == f"{PUBLIC}/communes/huong-an"
    assert envelope["time"] == "2026-12-05T02:30:00Z"
    assert envelope["datacontenttype"] == "application/json"
    assert envelope["subject"] and envelope["data"]["url"].startswith(PUBLIC)


@pytest.mark.parametrize("event", every_event(), ids=lambda e: e.event_type)
def test_no_event_carries_a_residents_name_household_phone_email_or_receipt(event):
    text = domain.body_of(domain.cloud_event(event, PUBLIC))

    for personal in (HOUSEHOLD, NAME, PHONE, EMAIL, RECEIPT, "can-bo-minh"):
        assert personal not in text
    assert "petitioner" not in text and "reply_to" not in text and "recipient" not in text


def test_a_petition_is_delivered_by_its_public_case_id_never_by_the_filers_code():
    envelope = domain.cloud_event(answered(), PUBLIC)

    assert envelope["type"] == "vn.danban.petition.answered"
    assert envelope["subject"] == "case-1"
    assert envelope["data"]["answer"] == "Đã thay bóng đèn ngày 04/12/2026."


def test_a_case_not_on_the_public_list_is_not_delivered_at_all():
    assert domain.cloud_event(answered(public=False), PUBLIC) is None


def test_a_decided_poll_carries_its_outcome_and_seal_when_its_results_are_public():
    event = PollDecided(**POLL, passes=True, seal="ab" * 32, public_results=True)

    data = domain.cloud_event(event, PUBLIC)["data"]

    assert data["passes"] is True and data["seal"] == "ab" * 32
    assert data["url"] == f"{PUBLIC}/polls/p1/results"


def test_a_poll_whose_results_are_for_staff_says_only_what_the_commune_page_shows():
    closed = PollClosed(**POLL, participated=120, households=170)
    final = PollDecided(**POLL, passes=False, seal="cd" * 32)

    closed_data = domain.cloud_event(closed, PUBLIC)["data"]
    final_data = domain.cloud_event(final, PUBLIC)["data"]

    assert "participated" not in closed_data and "passes" not in final_data
    assert "seal" not in final_data
    assert final_data["url"] == f"{PUBLIC}/communes/huong-an"


def test_the_body_is_the_same_bytes_every_time():
    envelope = domain.cloud_event(decided(), PUBLIC)

    assert domain.body_of(envelope) == domain.body_of(json.loads(domain.body_of(envelope)))


def test_the_signature_is_an_hmac_sha256_of_the_timestamp_and_the_body():
    body = b'{"id":"e1"}'
    headers = domain.signed_headers("whsec_k", "e1", body, AT)
    timestamp = int(AT.timestamp())
    expected = hmac.new(b"whsec_k", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()

    assert headers["webhook-signature"] == f"sha256={expected}"
    assert headers["webhook-timestamp"] == str(timestamp)
    assert headers["webhook-id"] == "e1"
    assert headers["Content-Type"].startswith("application/cloudevents+json")


def test_a_receiver_accepts_the_signed_body_and_refuses_a_changed_old_or_foreign_one():
    body = b'{"id":"e1"}'
    headers = {k.lower(): v for k, v in domain.signed_headers("whsec_k", "e1", body, AT).items()}

    assert domain.verify("whsec_k", headers, body, AT + timedelta(seconds=30))
    assert not domain.verify("whsec_k", headers, b'{"id":"e2"}', AT)
    assert not domain.verify("whsec_other", headers, body, AT)
    assert not domain.verify("whsec_k", headers, body, AT + timedelta(minutes=10))


def test_each_secret_is_new_and_long():
    first, second = domain.new_secret(), domain.new_secret()

    assert first != second and first.startswith("whsec_") and len(first) > 40


@pytest.mark.parametrize(
    "url",
    ["https://tinh.hue.gov.vn/danban/events", "https://10.0.0.5:8443/hook?x=1"],
)
def test_an_https_endpoint_is_accepted(url):
    assert domain.check_url(url, allow_http_loopback=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://tinh.hue.gov.vn/events",  # plain http elsewhere, even in development
        "ftp://tinh.hue.gov.vn/",
        "https://user:pass@tinh.hue.gov.vn/",
        "https:///no-host",
        "https://tinh.hue.gov.vn:port/",
    ],
)
def test_other_endpoints_are_refused(url):
    with pytest.raises(InvalidInput):
        domain.check_url(url, allow_http_loopback=True)


def test_plain_http_to_this_machine_only_where_the_deployment_allows_it():
    for url in ("http://127.0.0.1:9000/hook", "http://localhost/hook", "http://[::1]:80/"):
        assert domain.check_url(url, allow_http_loopback=True) == url
        with pytest.raises(InvalidInput):
            domain.check_url(url, allow_http_loopback=False)


def test_retries_wait_twice_as_long_each_time_up_to_the_cap():
    waits = [domain.retry_wait(n, 10, 600).total_seconds() for n in range(1, 10)]

    assert waits == [10, 20, 40, 80, 160, 320, 600, 600, 600]


def test_a_delivery_is_a_dead_letter_after_the_most_attempts_allowed():
    assert domain.after_failure(9, 10) == DeliveryStatus.WAITING
    assert domain.after_failure(10, 10) == DeliveryStatus.DEAD


def test_one_subjects_deliveries_sort_in_the_order_things_happened():
    later = domain.order_key(AT + timedelta(microseconds=5), "a")
    earlier = domain.order_key(AT, "z")
    far_later = domain.order_key(AT + timedelta(days=400), "a")

    assert sorted([far_later, later, earlier]) == [earlier, later, far_later]


def test_a_delivery_waits_for_the_earlier_ones_of_its_subject():
    now = AT
    due_later = AT + timedelta(seconds=40)

    assert domain.wait_for_earlier("d2", None, now) is None
    assert domain.wait_for_earlier("d2", {"_id": "d2", "status": "sending"}, now) is None
    waiting = {"_id": "d1", "status": "waiting", "next_attempt_at": due_later}
    assert domain.wait_for_earlier("d2", waiting, now) == due_later
    in_flight = {"_id": "d1", "status": "sending"}
    assert domain.wait_for_earlier("d2", in_flight, now) == now + domain.SENDING_RECHECK
    dead = {"_id": "d1", "status": "dead"}
    assert domain.wait_for_earlier("d2", dead, now) == now + domain.HELD_RECHECK


# --- who may manage a scope's webhooks (with the directory's roles_covering) -------------

COMMUNE_OF = {"hue": None, "da-nang": None, "huong-an": "huong-an", "kim-long": "kim-long",
              "hai-chau": "hai-chau"}.get  # fmt: skip
PROVINCE_OF = {"huong-an": "hue", "kim-long": "hue", "hai-chau": "da-nang"}.get
SCOPES = {"hue": ScopeKind.PROVINCE, "huong-an": ScopeKind.COMMUNE,
          "kim-long": ScopeKind.COMMUNE, "da-nang": ScopeKind.PROVINCE}  # fmt: skip


def may_manage(grants: list[tuple[Role, str | None]], scope_id: str) -> bool:
    held = access.roles_covering(
        [RoleGrant(role=r, unit_id=u) for r, u in grants], scope_id, COMMUNE_OF, PROVINCE_OF
    )
    return domain.may_manage_webhooks(set(held), SCOPES[scope_id])


@pytest.mark.parametrize(
    "who, grants, allowed",
    [
        ("system", [(Role.SYSTEM_ADMIN, None)], {"hue", "huong-an", "kim-long", "da-nang"}),
        ("hue's province admin", [(Role.PROVINCE_ADMIN, "hue")], {"hue", "huong-an", "kim-long"}),
        ("another province's admin", [(Role.PROVINCE_ADMIN, "da-nang")], {"da-nang"}),
        ("huong-an's admin", [(Role.COMMUNE_ADMIN, "huong-an")], {"huong-an"}),
        ("huong-an's staff", [(Role.COMMUNE_STAFF, "huong-an")], set()),
        ("huong-an's inspector", [(Role.INSPECTOR, "huong-an")], set()),
        (
            "admin of every commune",
            [(Role.COMMUNE_ADMIN, "huong-an"), (Role.COMMUNE_ADMIN, "kim-long")],
            {"huong-an", "kim-long"},
        ),
    ],
)
def test_who_manages_the_webhooks_of_a_province_and_of_a_commune(who, grants, allowed):
    assert {scope for scope in SCOPES if may_manage(grants, scope)} == allowed


def test_a_commune_administrator_never_manages_a_province_even_if_said_to_hold_it():
    # whatever the directory answers, the rule for a province wants its administrator
    assert not domain.may_manage_webhooks({Role.COMMUNE_ADMIN}, ScopeKind.PROVINCE)
    assert not domain.may_manage_webhooks({Role.INSPECTOR}, ScopeKind.PROVINCE)
    assert domain.may_manage_webhooks({Role.PROVINCE_ADMIN}, ScopeKind.PROVINCE)
    assert domain.may_manage_webhooks({Role.PROVINCE_ADMIN}, ScopeKind.COMMUNE)
    assert not domain.may_manage_webhooks(set(), ScopeKind.COMMUNE)
