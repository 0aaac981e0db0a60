"""What the training service's events become, who a message to a course's
participants reaches (services/notifications/messages.py), and the staff form's
"participants of a course or session" audience (gateway/routes/messages.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.notifications import messages
from shared.contracts.notifications import Audience, AudienceKind, Channel, Language
from shared.contracts.positions import Person
from shared.contracts.training import (
    CertificateIssued,
    InvitedToTraining,
    MovedOffWaitlist,
    RegistrationCancelled,
    RegistrationConfirmed,
)
from shared.errors import NotFound
from tests.unit.gateway_support import csrf_of, sign_in

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
URL = "https://danban.example"


def registration(event=RegistrationConfirmed, **changes):
    fields = {
        "event_id": "e1",
        "occurred_at": NOW,
        "registration_id": "r1",
        "commune_id": "huong-an",
        "full_name": "Trần Thị Bình",
        "course_title": "Giám sát đầu tư của cộng đồng",
        "session_starts_at": NOW + timedelta(days=3),
        "place": "Hội trường phường",
    }
    return event(**{**fields, **changes})


def reached(draft) -> tuple:
    audience = draft.audience
    return audience.kind, audience.username or audience.household or audience.phone


@pytest.mark.parametrize(
    ("whom", "expected"),
    [
        ({"username": "tuyet", "household": "HA7K2M"}, (AudienceKind.PERSON, "tuyet")),
        ({"household": "HA7K2M", "phone": "0905111222"}, (AudienceKind.HOUSEHOLD, "HA7K2M")),
        (
            {"phone": "0905111222", "email": "binh@example.test"},
            (AudienceKind.CONTACT, "0905111222"),
        ),
    ],
)
def test_a_registration_reaches_the_account_else_the_household_else_the_contact(whom, expected):
    [confirmed] = messages.drafts_for_registration(registration(**whom), URL)
    assert reached(confirmed) == expected
    [reminder] = messages.draft_reminder(registration(**whom), URL)
    assert reached(reminder) == expected  # the reminder goes where the confirmation went


def test_a_person_with_no_address_at_all_is_sent_nothing():
    assert messages.drafts_for_registration(registration(), URL) == []
    assert messages.draft_reminder(registration(), URL) == []


def test_a_household_reads_whose_place_it_is_in_both_languages():
    [draft] = messages.drafts_for_registration(registration(household="HA7K2M"), URL)
    title, body = draft.texts[Language.VI]
    assert title == "Đã xác nhận đăng ký: Giám sát đầu tư của cộng đồng"
    assert body == (
        "Đã có chỗ cho Trần Thị Bình trong lớp. Buổi học bắt đầu lúc 09:00 ngày 04/12/2026 "
        "tại Hội trường phường."
    )
    assert "A place is kept for Trần Thị Bình" in draft.texts[Language.EN][1]
    unnamed = registration(username="tuyet", full_name="")
    [official] = messages.drafts_for_registration(unnamed, URL)
    assert official.texts[Language.VI][1].startswith("Đã có chỗ cho bạn trong lớp.")


def test_a_cancellation_says_so_shortly_and_that_no_reminder_will_come():
    [draft] = messages.drafts_for_registration(
        registration(RegistrationCancelled, household="HA7K2M"), URL
    )
    assert draft.kind == "registration_cancelled"
    title, body = draft.texts[Language.VI]
    assert title == "Đã hủy đăng ký: Giám sát đầu tư của cộng đồng"
    assert "Trần Thị Bình" in body and "sẽ không có tin nhắc lịch" in body
    assert draft.texts[Language.EN][0] == "Registration cancelled: Giám sát đầu tư của cộng đồng"


def test_a_registrations_reminder_is_one_job_whichever_event_scheduled_it():
    moved = registration(MovedOffWaitlist, event_id="e2", household="HA7K2M")
    assert messages.reminder_job("r1") == messages.reminder_job(moved.registration_id)
    assert messages.reminder_job("r1") != messages.reminder_job("r2")
    first, again = (messages.draft_reminder(registration(household="HA7K2M"), URL) for _ in "12")
    assert first[0].id == again[0].id  # a redelivered reminder is the same message
    assert messages.draft_reminder(moved, URL)[0].id != first[0].id


def certificate(**changes) -> CertificateIssued:
    fields = {
        "event_id": "e3",
        "occurred_at": NOW,
        "certificate_id": "c1",
        "commune_id": "huong-an",
        "household": "HA7K2M",
        "full_name": "Trần Thị Bình",
        "course_title": "Giám sát đầu tư của cộng đồng",
        "code": "7K2M-9QXB-4RTA-HC3P",
        "link": "/chung-nhan/7K2M-9QXB-4RTA-HC3P",
    }
    return CertificateIssued(**{**fields, **changes})


def test_a_certificate_gives_its_verification_code_and_public_link():
    [draft] = messages.drafts_for_certificate(certificate(), URL)
    assert draft.audience.household == "HA7K2M"
    assert draft.link == "https://danban.example/chung-nhan/7K2M-9QXB-4RTA-HC3P"
    title, body = draft.texts[Language.VI]
    assert title == "Giấy chứng nhận: Giám sát đầu tư của cộng đồng"
    assert body == (
        "Trần Thị Bình đã hoàn thành khóa tập huấn “Giám sát đầu tư của cộng đồng”. Mã xác "
        "minh giấy chứng nhận: 7K2M-9QXB-4RTA-HC3P. Ai cũng kiểm tra được tại "
        "https://danban.example/chung-nhan/7K2M-9QXB-4RTA-HC3P"
    )
    assert draft.texts[Language.EN][0] == "Certificate: Giám sát đầu tư của cộng đồng"


def test_an_invitation_carries_the_personal_link_and_the_closing_day_to_a_bare_phone():
    invited = InvitedToTraining(
        event_id="e4",
        occurred_at=NOW,
        invitation_id="i1",
        commune_id="huong-an",
        phone="0905111222",
        full_name="Lê Văn Cường",
        course_title="Hòa giải ở cơ sở",
        code="TH-7K2M9QXB",
        registration_closes_on=date(2026, 12, 20),
    )
    [draft] = messages.drafts_for_invitation(invited, URL)
    assert draft.audience == Audience(kind=AudienceKind.CONTACT, phone="0905111222")
    assert draft.link == "https://danban.example/tap-huan/ma/TH-7K2M9QXB"
    title, body = draft.texts[Language.VI]
    assert title == "Mời đăng ký tập huấn: Hòa giải ở cơ sở"
    assert "Lê Văn Cường" in body and "hết ngày 20/12/2026" in body
    assert body.endswith("https://danban.example/tap-huan/ma/TH-7K2M9QXB")
    en_title, en_body = draft.texts[Language.EN]
    assert en_title == "Invitation to training: Hòa giải ở cơ sở" and "by 20/12/2026" in en_body
    [sms] = messages.deliveries_for(
        _stored(draft), messages.contact_preferences(draft.audience, [Channel.SMS]), URL
    )
    assert sms["address"] == "0905111222" and sms["link"] == draft.link


def _stored(draft) -> dict:
    return {
        "_id": draft.id,
        "commune_id": draft.commune_id,
        "texts": {lang.value: list(pair) for lang, pair in draft.texts.items()},
        "link": draft.link,
        "created_at": NOW,
    }


def test_a_message_with_no_link_to_a_bare_contact_points_to_no_inbox():
    [draft] = messages.drafts_for_registration(registration(email="binh@example.test"), URL)
    preferences = messages.contact_preferences(draft.audience, [Channel.EMAIL])
    [email] = messages.deliveries_for(_stored(draft), preferences, URL)
    assert email["address"] == "binh@example.test" and email["link"] is None


def person(number: int, **fields) -> Person:
    return Person(person_id=f"p-{number:016x}", full_name=f"Người {number}", **fields)


def test_participants_are_reached_by_account_household_or_contact_each_inbox_once():
    people = [
        person(1, username="tuyet", household="HA7K2M"),
        person(2, household="HA7K2M"),
        person(3, household="HA7K2M"),  # the same household: one inbox item
        person(4, phone="0905 111 222"),
        person(5, email="nam@example.test"),
        person(6),
    ]
    keys, contacts, unreachable = messages.participant_recipients(people)
    assert keys == ["s:tuyet", "h:HA7K2M"]
    assert [(c.kind, c.phone, c.email) for c in contacts] == [
        (AudienceKind.CONTACT, "0905111222", None),
        (AudienceKind.CONTACT, None, "nam@example.test"),
    ]
    assert list(unreachable) == [f"p:p-{6:016x}"]
    assert "Người 6" in next(iter(unreachable.values()))


def test_the_participants_audience_needs_a_course_and_only_it_narrows_to_a_session():
    course = Audience(kind="training_participants", course_id="k1", session_id="b2")
    assert course.session_id == "b2"
    with pytest.raises(ValidationError, match="needs course_id"):
        Audience(kind="training_participants", session_id="b2")
    with pytest.raises(ValidationError, match="narrowed to a session"):
        Audience(kind="unit", unit_id="tdp-1", session_id="b2")
    one, other = (
        messages.draft(certificate(), "certificate_issued", a, URL)
        for a in (course, Audience(kind="training_participants", course_id="k1"))
    )
    assert one.id != other.id


# ---- the staff form ------------------------------------------------------------------

WRITE = "/communes/huong-an/thong-bao/moi"


@pytest.fixture
def sent(rpc) -> list[dict]:
    """A fake notifications service that records what staff send."""
    calls: list[dict] = []

    def send_message(payload: dict) -> dict:
        calls.append(payload)
        if payload["audience"].get("course_id") == "khong-co":
            raise NotFound("Không tìm thấy khóa tập huấn này.")
        return {"message_id": "m3", "inboxes": 5, "deliveries": 2, "unknown_recipients": 0}

    rpc.answer("notifications", "send_message", send_message)
    rpc.answer("notifications", "list_messages", lambda q: {"messages": []})
    return calls


def test_a_training_page_links_to_the_form_with_its_course_and_session_chosen(client, sent):
    sign_in(client)
    page = client.get(f"{WRITE}?khoa=k-2026-01&buoi=b-03").text
    assert "Học viên của một khóa / buổi tập huấn" in page
    assert 'value="training_participants" checked' in page
    assert 'name="course_id" value="k-2026-01"' in page
    assert 'name="session_id" value="b-03"' in page
    plain = client.get(WRITE).text
    assert 'value="training_participants" checked' not in plain
    assert 'value="unit" checked' in plain


def test_staff_message_a_courses_participants_or_one_sessions(client, sent):
    sign_in(client)
    form = client.get(f"{WRITE}?khoa=k-2026-01").text
    data = {"csrf_token": csrf_of(form), "request_id": "req-abcdefgh", "title": "Đổi phòng"}
    fields = {"kind": "training_participants", "course_id": "k-2026-01", "session_id": ""}
    response = client.post(WRITE, data={**data, **fields, "body": "Học ở phòng 2.", "poll_id": "x"})
    assert response.status_code == 303
    audience = {k: v for k, v in sent[0]["audience"].items() if v is not None}
    assert audience == {"kind": "training_participants", "course_id": "k-2026-01"}

    client.post(WRITE, data={**data, **fields, "session_id": "b-03", "body": "Học ở phòng 2."})
    assert sent[1]["audience"]["session_id"] == "b-03"


def test_a_missing_or_unknown_course_is_said_on_the_form(client, sent):
    sign_in(client)
    form = client.get(WRITE).text
    data = {"csrf_token": csrf_of(form), "request_id": "req-abcdefgh", "title": "Tin", "body": "x"}
    empty = client.post(WRITE, data={**data, "kind": "training_participants", "course_id": ""})
    assert empty.status_code == 422 and "Vui lòng cho biết mã khóa tập huấn." in empty.text
    assert sent == []
    unknown = client.post(
        WRITE, data={**data, "kind": "training_participants", "course_id": "khong-co"}
    )
    assert unknown.status_code == 422 and "Không tìm thấy khóa tập huấn này." in unknown.text
    assert 'name="course_id" value="khong-co"' in unknown.text
