"""The training service's events and the "participants of a course" audience, on the
real broker and wire server: people with no account are reached through their
household's inbox or at their phone and email, a cancelled registration is not
reminded of, and redelivered events duplicate nothing."""

from datetime import date, timedelta

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.notifications import messages
from services.notifications.service import NotificationsService
from shared.chassis import utcnow
from shared.contracts.positions import Person
from shared.contracts.training import (
    CertificateIssued,
    InvitedToTraining,
    MovedOffWaitlist,
    ParticipantList,
    Participants,
    RegistrationCancelled,
    RegistrationConfirmed,
)
from shared.errors import WIRE_ERRORS, Forbidden, NotFound
from shared.ids import new_id
from shared.queues import rpc
from tests.integration.services.conftest import FAST_RETRIES
from tests.integration.services.test_messages import inbox, publish, send, titles
from tests.support import wait_until

COURSE = "Giám sát đầu tư của cộng đồng"


@pytest.fixture
def notifications(ward, start_service, config, channels):
    container = start_service(
        NotificationsService, CHANNELS=channels, DELIVERY=FAST_RETRIES, PUBLIC_URL="http://x"
    )
    with ServiceRpcProxy("notifications", config) as proxy:
        proxy.container = container
        yield proxy


def registration(event=RegistrationConfirmed, starts_in=timedelta(hours=3), **fields):
    facts = {
        "event_id": new_id(),
        "occurred_at": utcnow(),
        "registration_id": "r1",
        "commune_id": "huong-an",
        "full_name": "Trần Thị Bình",
        "course_title": COURSE,
        "session_starts_at": utcnow() + starts_in,
        "place": "Hội trường phường",
    }
    return event(**{**facts, **fields})


def handler_of(event) -> str:
    return {
        RegistrationConfirmed: "confirm_registration",
        MovedOffWaitlist: "tell_moved_off_waitlist",
        RegistrationCancelled: "tell_registration_cancelled",
        CertificateIssued: "tell_of_certificate",
        InvitedToTraining: "invite_to_training",
    }[type(event)]


def tell(notifications, config, event, times: int = 1) -> None:
    for _ in range(times):  # more than once: a redelivery
        publish(notifications, config, "training", event, handler_of(event))


def reminder(databases, registration_id: str = "r1") -> dict | None:
    job_id = messages.reminder_job(registration_id)
    return databases["notifications"].scheduled.find_one({"_id": job_id})


def test_a_household_only_persons_registration_and_reminder_land_in_the_household_inbox(
    notifications, config, databases
):
    confirmed = registration(household="HAAAA2")
    tell(notifications, config, confirmed, times=2)

    expected = [f"Nhắc lịch học: {COURSE}", f"Đã xác nhận đăng ký: {COURSE}"]
    wait_until(lambda: sorted(titles(notifications, household="HAAAA2")) == expected, timeout=15)
    # the job is marked done only after its reminder is in the inbox
    wait_until(lambda: reminder(databases)["status"] == "done")
    assert titles(notifications, household="HAAAA3") == []
    body = inbox(notifications, household="HAAAA2")["items"][-1]["body"]
    assert "Trần Thị Bình" in body
    assert databases["notifications"].messages.count_documents({}) == 2  # redelivered: no more


def test_a_person_with_only_a_phone_and_email_is_told_by_sms_and_email(
    notifications, config, databases, smtp, sms
):
    tell(notifications, config, registration(phone="0912345678", email="binh@example.test"))

    # the confirmation and, the session being within a day, its reminder: both ways
    wait_until(lambda: len(smtp.messages) == 2 and len(sms.requests) == 2, timeout=20)
    assert sorted(m["Subject"] for m in smtp.messages) == [
        f"Nhắc lịch học: {COURSE}",
        f"Đã xác nhận đăng ký: {COURSE}",
    ]
    assert {m["To"] for m in smtp.messages} == {"binh@example.test"}
    assert {r.body["to"] for r in sms.requests} == {"0912345678"}
    assert not any("hop-thu" in r.body["text"] for r in sms.requests)  # they have no inbox
    assert databases["notifications"].inbox.count_documents({}) == 0


def test_a_cancellation_removes_the_reminder_and_a_new_place_has_its_own(
    notifications, config, databases
):
    start = utcnow()
    confirmed = registration(household="HAAAA2", starts_in=timedelta(days=2), occurred_at=start)
    tell(notifications, config, confirmed)
    assert reminder(databases)["status"] == "waiting"  # due tomorrow

    cancelled = registration(
        RegistrationCancelled,
        household="HAAAA2",
        starts_in=timedelta(days=2),
        occurred_at=start + timedelta(seconds=1),
    )
    tell(notifications, config, cancelled, times=2)
    tell(notifications, config, confirmed)  # the confirmation again, late: changes nothing
    assert reminder(databases)["status"] == "cancelled"
    assert titles(notifications, household="HAAAA2") == [
        f"Đã hủy đăng ký: {COURSE}",
        f"Đã xác nhận đăng ký: {COURSE}",
    ]

    moved = registration(
        MovedOffWaitlist, household="HAAAA2", occurred_at=start + timedelta(seconds=2)
    )
    tell(notifications, config, moved)  # a place again, in 3 hours: reminded at once
    wait_until(lambda: titles(notifications, household="HAAAA2")[0].startswith("Nhắc"), timeout=15)
    wait_until(lambda: reminder(databases)["status"] == "done")  # marked after the inbox item
    assert len(titles(notifications, household="HAAAA2")) == 4
    assert databases["notifications"].scheduled.count_documents({}) == 1


def test_a_cancellation_handled_before_its_confirmation_leaves_no_reminder(
    notifications, config, databases
):
    start = utcnow()
    confirmed = registration(username="tuyet", starts_in=timedelta(days=2), occurred_at=start)
    cancelled = registration(
        RegistrationCancelled, username="tuyet", occurred_at=start + timedelta(seconds=1)
    )
    tell(notifications, config, cancelled)  # their queues are separate: any order may come
    tell(notifications, config, confirmed)

    assert titles(notifications, username="tuyet") == [f"Đã hủy đăng ký: {COURSE}"]
    assert reminder(databases)["status"] == "cancelled"


def test_another_persons_place_after_a_cancellation_is_reminded(notifications, config, databases):
    seated = registration(household="HAAAA2", starts_in=timedelta(days=2))
    tell(notifications, config, seated)
    tell(notifications, config, registration(RegistrationCancelled, household="HAAAA2"))
    waiting = registration(MovedOffWaitlist, registration_id="r2", household="HBBBB2")
    tell(notifications, config, waiting)

    expected = f"Nhắc lịch học: {COURSE}"
    wait_until(lambda: expected in titles(notifications, household="HBBBB2"), timeout=15)
    assert expected not in titles(notifications, household="HAAAA2")
    wait_until(lambda: reminder(databases, "r2")["status"] == "done")  # marked after the inbox item


def test_a_certificate_reaches_the_household_with_its_code_and_link(notifications, config):
    issued = CertificateIssued(
        event_id=new_id(),
        occurred_at=utcnow(),
        certificate_id="c1",
        commune_id="huong-an",
        household="HAAAA3",
        full_name="Trần Thị Bình",
        course_title=COURSE,
        code="7K2M-9QXB-4RTA-HC3P",
        link="/chung-nhan/7K2M-9QXB-4RTA-HC3P",
    )
    tell(notifications, config, issued, times=2)

    [item] = inbox(notifications, household="HAAAA3")["items"]
    assert item["title"] == f"Giấy chứng nhận: {COURSE}"
    assert "7K2M-9QXB-4RTA-HC3P" in item["body"]
    assert item["link"] == "http://x/chung-nhan/7K2M-9QXB-4RTA-HC3P"


def test_an_invitation_brings_the_personal_link_to_the_inbox_or_the_phone(
    notifications, config, databases, sms
):
    def invitation(**whom) -> InvitedToTraining:
        return InvitedToTraining(
            event_id=new_id(),
            occurred_at=utcnow(),
            invitation_id=new_id(),
            commune_id="huong-an",
            full_name="Lê Văn Cường",
            course_title=COURSE,
            code="TH-7K2M9QXB",
            registration_closes_on=date(2026, 12, 20),
            **whom,
        )

    tell(notifications, config, invitation(household="HBBBB2"))
    tell(notifications, config, invitation(phone="0987654321"), times=2)

    [item] = inbox(notifications, household="HBBBB2")["items"]
    assert item["title"] == f"Mời đăng ký tập huấn: {COURSE}"
    assert "20/12/2026" in item["body"] and item["link"] == "http://x/tap-huan/ma/TH-7K2M9QXB"
    wait_until(lambda: sms.requests, timeout=15)
    assert sms.requests[0].body["to"] == "0987654321"
    assert sms.requests[0].body["text"].endswith("http://x/tap-huan/ma/TH-7K2M9QXB")
    deliveries = databases["notifications"].deliveries
    # a delivery is marked sent only after the provider has answered
    wait_until(lambda: deliveries.count_documents({"status": "sent"}) >= 1, timeout=10)
    assert deliveries.count_documents({"status": "sent"}) == 1  # the redelivered one: nothing twice
    assert len(sms.requests) == 1


# ---- a message to a course's participants ----------------------------------------------

PEOPLE = [
    Person(person_id="account:tuyet", full_name="Nguyễn Thị Tuyết", username="tuyet"),
    Person(person_id="p-00000000000000a1", full_name="Trần Thị Bình", household="HAAAA3"),
    Person(person_id="p-00000000000000a2", full_name="Lê Văn Cường", phone="0987654321"),
    Person(person_id="p-00000000000000a3", full_name="Phạm Văn Dũng"),
]


class FakeTraining:
    """Stands in for the training service's `participants` port: course k1 of the
    ward with PEOPLE (its session b1 with the first two of them), k9 of another
    commune; any other course is unknown."""

    name = "training"

    @rpc(expected_exceptions=WIRE_ERRORS)
    def participants(self, payload: dict) -> dict:
        query = Participants.model_validate(payload)
        if query.course_id not in ("k1", "k9"):
            raise NotFound("Không tìm thấy khóa tập huấn này.")
        commune_id = "huong-an" if query.course_id == "k1" else "kim-long"
        people = PEOPLE[:2] if query.session_id == "b1" else PEOPLE
        return ParticipantList(commune_id=commune_id, people=people).model_dump(mode="json")


def test_a_message_to_a_courses_participants_reaches_each_by_inbox_or_phone(
    notifications, start_service, databases, sms
):
    start_service(FakeTraining)
    audience = {"kind": "training_participants", "course_id": "k1"}
    receipt = send(notifications, audience, title="Đổi phòng học")

    assert receipt["inboxes"] == 2 and receipt["deliveries"] == 1
    assert receipt["unknown_recipients"] == 1  # no account, household, phone or email
    assert titles(notifications, username="tuyet") == ["Đổi phòng học"]
    assert titles(notifications, household="HAAAA3") == ["Đổi phòng học"]
    wait_until(lambda: sms.requests, timeout=15)
    assert sms.requests[0].body["to"] == "0987654321"
    dead = notifications.list_dead_letters({"actor": "minh", "commune_id": "huong-an"})
    assert "Phạm Văn Dũng" in dead["deliveries"][0]["last_error"]

    one_session = {**audience, "session_id": "b1"}
    again = send(notifications, one_session, title="Buổi 1 dời giờ")
    # no delivery queued: an SMS to the session's people could only come later
    assert again["inboxes"] == 2 and again["deliveries"] == 0  # no bare phone among them
    assert titles(notifications, household="HAAAA3")[0] == "Buổi 1 dời giờ"
    assert len(sms.requests) == 1


def test_another_communes_course_or_an_unknown_one_is_refused_and_nothing_stored(
    notifications, start_service, databases
):
    start_service(FakeTraining)
    with pytest.raises(Forbidden):
        send(notifications, {"kind": "training_participants", "course_id": "k9"})
    with pytest.raises(NotFound):
        send(notifications, {"kind": "training_participants", "course_id": "k5"})
    assert databases["notifications"].messages.count_documents({}) == 0
