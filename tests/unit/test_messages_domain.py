"""The pure rules of messages to people (services/notifications/messages.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from services.notifications import messages
from shared.contracts.disclosures import Disclosure, DisclosurePosted
from shared.contracts.feedback import PetitionAnswered, PetitionOverdue, PetitionReceived
from shared.contracts.notifications import AudienceKind, Channel, Language, Owner
from shared.contracts.surveys import PollDecided, PollOpened
from shared.contracts.training import RegistrationConfirmed

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam


def poll_opened(**changes) -> PollOpened:
    fields = {
        "event_id": "e1",
        "occurred_at": NOW,
        "poll_id": "p1",
        "kind": "decision",
        "commune_id": "huong-an",
        "unit_id": "tdp-1",
        "title": "Mức đóng góp làm đường kiệt 12",
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=20),
        "households": 86,
    }
    return PollOpened(**{**fields, **changes})


def registration(starts_in: timedelta) -> RegistrationConfirmed:
    return RegistrationConfirmed(
        event_id="e2",
        occurred_at=NOW,
        registration_id="r1",
        commune_id="huong-an",
        username="tuyet",
        course_title="Nghiệp vụ tổ trưởng",
        session_starts_at=NOW + starts_in,
        place="Hội trường phường",
    )


def test_a_poll_opening_is_an_official_notice_to_every_household_of_its_unit_in_both_languages():
    [draft] = messages.drafts_for_poll(poll_opened(), "https://danban.example")
    assert draft.audience.kind == AudienceKind.UNIT and draft.audience.unit_id == "tdp-1"
    assert draft.official
    title, body = draft.texts[Language.VI]
    assert title == "Mời hộ gia đình cho ý kiến: Mức đóng góp làm đường kiệt 12"
    assert "Biểu quyết mở đến 09:00 ngày 21/12/2026" in body
    assert "The vote is open until 09:00 on 21/12/2026" in draft.texts[Language.EN][1]


def test_the_same_event_always_gives_the_same_message_id_and_another_event_another():
    first = messages.drafts_for_poll(poll_opened(), "")[0].id
    assert messages.drafts_for_poll(poll_opened(), "")[0].id == first
    assert messages.drafts_for_poll(poll_opened(event_id="e9"), "")[0].id != first


def test_a_decision_result_says_whether_it_passed_and_links_to_the_results():
    decided = PollDecided(**{**poll_opened().model_dump(exclude={"households"}), "passes": False})
    [draft] = messages.drafts_for_poll(decided, "https://danban.example")
    assert draft.texts[Language.VI] == (
        "Kết quả: Mức đóng góp làm đường kiệt 12",
        "Biểu quyết: Không thông qua. Kết quả chi tiết: https://danban.example/communes/huong-an",
    )


def test_an_overdue_petition_goes_to_the_petitioner_the_admins_and_the_inspection_board():
    overdue = PetitionOverdue(
        event_id="e3",
        occurred_at=NOW,
        petition_id="PA-7",
        commune_id="huong-an",
        petitioner={"household": "HA7K2M"},
        title="Đèn đường hỏng",
        answer_due="2026-11-20",
    )
    drafts = messages.drafts_for_petition(overdue, "")
    assert [(d.audience.kind, d.audience.household or d.audience.role) for d in drafts] == [
        (AudienceKind.HOUSEHOLD, "HA7K2M"),
        (AudienceKind.ROLE, "commune_admin"),
        (AudienceKind.ROLE, "inspector"),
    ]
    assert len({d.id for d in drafts}) == 3
    assert "20/11/2026" in drafts[0].texts[Language.VI][1]


def test_a_template_naming_a_missing_fact_is_an_error_not_a_message():
    with pytest.raises(messages.TemplateError, match="no_such"):
        messages.render({Language.VI: ("{title}", "{no_such}")}, {"title": "x"})
    broken = {Language.VI: ("{title}", "{no_such}")}
    draft = messages.draft(
        poll_opened(), "poll_opened", messages.audience_of(Owner(username="minh")), ""
    )
    assert draft.error is None
    messages.TEMPLATES["broken-for-test"] = broken
    try:
        failed = messages.draft(poll_opened(), "broken-for-test", draft.audience, "")
    finally:
        del messages.TEMPLATES["broken-for-test"]
    assert failed.error == "mẫu tin thiếu thông tin 'no_such'" and failed.texts == {}


@pytest.mark.parametrize(
    ("starts_in", "due"),
    [
        (timedelta(days=3), NOW + timedelta(days=2)),  # a day before
        (timedelta(hours=5), NOW),  # less than a day ahead: at once
        (timedelta(hours=-1), None),  # started: never
    ],
)
def test_a_session_reminder_falls_a_day_before_or_at_once_or_never(starts_in, due):
    assert messages.reminder_due(registration(starts_in), NOW) == due


def test_retries_wait_twice_as_long_each_time_up_to_an_hour():
    waits = [messages.next_try(attempt, 30, NOW) - NOW for attempt in range(1, 10)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == timedelta(hours=1)


def test_deliveries_follow_the_channels_and_language_a_person_chose():
    [draft] = messages.drafts_for_poll(poll_opened(), "")
    message = {
        "_id": draft.id,
        "commune_id": "huong-an",
        "texts": {lang.value: list(pair) for lang, pair in draft.texts.items()},
        "link": None,
        "created_at": NOW,
    }
    chosen = {
        "_id": "h:HA7K2M",
        "channels": ["email", "sms"],
        "email": "an@example.test",
        "phone": None,  # chosen, but no number: nothing to send it to
        "language": "en",
    }
    [email] = messages.deliveries_for(message, chosen, "https://d.example")
    assert email["channel"] == "email" and email["address"] == "an@example.test"
    assert email["subject"].startswith("Your household's say")
    assert email["_id"] == f"{draft.id}|h:HA7K2M|email" and email["status"] == "queued"
    assert email["link"] == "https://d.example/hop-thu"  # a message about nothing else


def test_a_household_reads_what_was_sent_to_it_to_its_group_and_to_its_commune():
    keys = messages.owner_keys(Owner(household="HA7K2M"), "tdp-1", "huong-an")
    assert keys == ["h:HA7K2M", "u:tdp-1", "u:huong-an"]
    assert messages.owner_keys(Owner(username="minh"), None, None) == ["s:minh"]


def test_a_satisfaction_survey_is_announced_with_its_open_link_and_no_card():
    [draft] = messages.drafts_for_poll(poll_opened(kind="satisfaction"), "https://d.example")
    title, body = draft.texts[Language.VI]
    assert title.startswith("Mời đánh giá:") and "https://d.example/s/p1" in body
    assert "mã trên phiếu" not in body


@pytest.mark.parametrize(("category", "audiences"), [(2, ["unit"]), (7, ["unit", "role"])])
def test_a_disclosure_goes_to_the_commune_and_items_7_to_12_also_to_the_group_heads(
    category, audiences
):
    # Law 10/2022 Art 12.3: items 7-12 also go out through the thôn / tổ dân phố heads
    disclosure = Disclosure(
        id="d1",
        commune_id="huong-an",
        category=category,
        title="Danh sách hộ nghèo",
        summary="12 hộ.",
        decision_ref="Quyết định 31/QĐ-UBND",
        decision_date="2026-12-01",
        posted_from="2026-12-01",
        posted_to="2026-12-30",
        forms=["posting", "portal"],
        loudspeaker_days=None,
        late_reason=None,
        permanent=False,
        deadline="2026-12-08",
        late=False,
        posted_by="minh",
        posted_at=NOW,
    )
    posted = DisclosurePosted(event_id="e4", occurred_at=NOW, disclosure=disclosure)
    drafts = messages.drafts_for_disclosure(posted, "https://d.example")
    assert [d.audience.kind for d in drafts] == audiences
    assert all(d.official and d.audience.role in (None, "group_head") for d in drafts)
    assert "từ 01/12/2026 đến 30/12/2026" in drafts[0].texts[Language.VI][1]


def test_a_protected_denouncer_is_never_a_recipient_of_petition_messages():
    """Denunciation Law 2018 Art 47: the feedback service sends no petitioner for a
    denunciation; an overdue one still reaches the admins and the inspection board."""
    facts = {"event_id": "e4", "occurred_at": NOW, "petition_id": "PA-7", "commune_id": "huong-an"}
    received = PetitionReceived(
        **facts, title="Tố cáo", received_at=NOW, answer_due="2026-11-20", petitioner=None
    )
    assert messages.drafts_for_petition(received, "") == []
    overdue = PetitionOverdue(**facts, title="Tố cáo", answer_due="2026-11-20")
    drafts = messages.drafts_for_petition(overdue, "https://danban.example")
    assert [d.audience.role for d in drafts] == ["commune_admin", "inspector"]


def test_a_filer_with_no_household_is_reached_at_the_contact_left_over_configured_channels():
    facts = {"event_id": "e5", "occurred_at": NOW, "petition_id": "PA-7", "commune_id": "huong-an"}
    answered = PetitionAnswered(
        **facts, title="Đèn", answered_at=NOW, answer="Đã sửa.", reply_to={"phone": "0905111222"}
    )
    [draft] = messages.drafts_for_petition(answered, "https://danban.example")
    assert draft.audience.kind == AudienceKind.CONTACT and draft.audience.phone == "0905111222"
    preferences = messages.contact_preferences(draft.audience, [Channel.EMAIL])
    assert preferences["channels"] == []  # no SMS provider here: nothing to send it over
    assert messages.contact_preferences(draft.audience, [Channel.SMS])["channels"] == ["sms"]
