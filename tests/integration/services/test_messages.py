"""Messages to people on the real broker and wire server: inboxes, audiences, events of
other services, and delivery over real (local) SMTP and HTTP providers with retries."""

from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.notifications import messages
from services.notifications.service import NotificationsService
from services.surveys.service import SurveysService
from shared.calendar import vietnam_day
from shared.chassis import utcnow
from shared.contracts.feedback import PetitionAnswered, PetitionOverdue
from shared.contracts.surveys import PollOpened
from shared.contracts.training import RegistrationConfirmed
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.ids import new_id
from tests.integration.services.conftest import FAST_RETRIES, account
from tests.integration.services.test_surveys_ballots import cards, cast, opened
from tests.samples import OTHER_WARD, residential_group, sample_decision
from tests.support import wait_until


@pytest.fixture
def notifications(ward, start_service, config, channels):
    container = start_service(
        NotificationsService, CHANNELS=channels, DELIVERY=FAST_RETRIES, PUBLIC_URL="http://x"
    )
    with ServiceRpcProxy("notifications", config) as proxy:
        proxy.container = container
        yield proxy


def send(notifications, audience: dict, title: str = "Lịch cắt điện", **extra) -> dict:
    return notifications.send_message(
        {
            "actor": "minh",
            "commune_id": "huong-an",
            "request_id": extra.pop("request_id", new_id()),
            "audience": audience,
            "title": title,
            "body": "Thứ Bảy 05/12 cắt điện từ 7 giờ đến 11 giờ.",
            **extra,
        }
    )


def inbox(notifications, **owner) -> dict:
    return notifications.open_inbox({"owner": owner})


def titles(notifications, **owner) -> list[str]:
    return [item["title"] for item in inbox(notifications, **owner)["items"]]


def test_a_household_reads_its_message_and_the_unread_count_falls(notifications):
    receipt = send(notifications, {"kind": "household", "household": "haaaa2"})
    assert receipt["inboxes"] == 1 and receipt["unknown_recipients"] == 0

    before = inbox(notifications, household="HAAAA2")
    assert before["unread"] == 1 and before["items"][0]["title"] == "Lịch cắt điện"
    assert before["items"][0]["id"] == receipt["message_id"]  # no household code in it
    item = notifications.read_item(
        {"owner": {"household": "HAAAA2"}, "item_id": before["items"][0]["id"]}
    )
    assert item["read_at"] is not None
    assert inbox(notifications, household="HAAAA2")["unread"] == 0
    assert titles(notifications, household="HAAAA3") == []  # nobody else's
    with pytest.raises(NotFound):
        notifications.read_item({"owner": {"household": "HAAAA3"}, "item_id": item["id"]})


def test_a_form_sent_twice_makes_one_message(notifications, databases):
    first = send(
        notifications, {"kind": "household", "household": "HAAAA2"}, request_id="req-12345678"
    )
    again = send(
        notifications, {"kind": "household", "household": "HAAAA2"}, request_id="req-12345678"
    )
    assert first == again
    assert databases["notifications"].inbox.count_documents({}) == 1


def test_a_group_a_commune_and_a_role_each_reach_exactly_their_people(notifications):
    send(notifications, {"kind": "unit", "unit_id": "tdp-1"}, title="Cho tổ 1")
    receipt = send(notifications, {"kind": "unit", "unit_id": "huong-an"}, title="Cho cả phường")
    send(notifications, {"kind": "role", "role": "group_head"}, title="Cho tổ trưởng")

    assert receipt["inboxes"] == 3  # every household of the ward
    assert titles(notifications, household="HAAAA3") == ["Cho cả phường", "Cho tổ 1"]
    assert titles(notifications, household="HBBBB2") == ["Cho cả phường"]
    assert titles(notifications, username="tuyet") == ["Cho tổ trưởng"]
    assert titles(notifications, username="lamnh") == ["Cho tổ trưởng"]
    assert titles(notifications, username="minh") == []


def test_an_unknown_recipient_is_a_dead_letter_with_the_reason(notifications):
    receipt = send(notifications, {"kind": "household", "household": "HZZZZ9"})
    assert receipt["inboxes"] == 0 and receipt["unknown_recipients"] == 1

    dead = notifications.list_dead_letters({"actor": "minh", "commune_id": "huong-an"})
    assert [d["status"] for d in dead["deliveries"]] == ["given_up"]
    assert "HZZZZ9" in dead["deliveries"][0]["last_error"]
    with pytest.raises(NotFound):
        inbox(notifications, household="HZZZZ9")


def test_a_sender_who_typed_too_many_wrong_codes_must_wait(notifications):
    def typed(code: str, sender: str = "sender-1"):
        return notifications.open_inbox({"owner": {"household": code}, "client_key": sender})

    for _ in range(messages.CODE_MISSES_PER_DAY):
        with pytest.raises(NotFound):
            typed("HZZZZ9")
    with pytest.raises(InvalidInput, match="quá nhiều lần"):
        typed("HAAAA2")  # even the right code, from that sender, today
    assert typed("HAAAA2", sender="sender-2")["owner"]["household"] == "HAAAA2"
    assert inbox(notifications, household="HAAAA2")["unread"] == 0  # the session's loads


def test_staff_cannot_message_another_communes_group(notifications, ward):
    ward.register_unit(OTHER_WARD)
    ward.register_unit({**residential_group(7, "kim-long"), "id": "kl-7"})
    with pytest.raises(Forbidden):
        send(notifications, {"kind": "unit", "unit_id": "kl-7"})


def test_a_message_reaches_the_email_and_sms_a_household_chose(notifications, smtp, sms):
    notifications.save_preferences(
        {
            "owner": {"household": "HAAAA2"},
            "channels": ["email", "sms"],
            "email": "an@example.test",
            "phone": "0912 345 678",
        }
    )
    receipt = send(notifications, {"kind": "unit", "unit_id": "tdp-1"}, title="Họp tổ dân phố")
    assert receipt["deliveries"] == 2

    wait_until(lambda: smtp.messages and sms.requests, timeout=15)
    mail = smtp.messages[0]
    assert mail["Subject"] == "Họp tổ dân phố" and mail["To"] == "an@example.test"
    assert "cắt điện" in mail.get_body(("plain",)).get_content()
    assert sms.requests[0].body["to"] == "0912345678"
    assert sms.requests[0].body["text"].startswith("DanBan: Hop to dan pho")
    assert sms.requests[0].body["text"].endswith("http://x/hop-thu")  # the whole text is there


def test_a_channel_the_commune_cannot_send_by_cannot_be_chosen(notifications):
    offered = notifications.get_preferences({"household": "HAAAA2"})
    assert offered["available"] == ["email", "sms"]  # no Zalo endpoint configured
    with pytest.raises(InvalidInput) as refused:
        notifications.save_preferences(
            {"owner": {"household": "HAAAA2"}, "channels": ["zalo"], "zalo_user_id": "123456"}
        )
    assert "Zalo" in refused.value.fields["channels"]


def test_a_provider_outage_delays_messages_and_loses_none(notifications, smtp, sms, databases):
    notifications.save_preferences(
        {"owner": {"username": "tuyet"}, "channels": ["email"], "email": "tuyet@example.test"}
    )
    smtp.stop()
    send(notifications, {"kind": "person", "username": "tuyet"}, title="Thư một")
    send(notifications, {"kind": "person", "username": "tuyet"}, title="Thư hai")
    deliveries = databases["notifications"].deliveries
    wait_until(lambda: deliveries.count_documents({"status": "failed"}) == 2, timeout=15)
    assert "refused" in deliveries.find_one({"status": "failed"})["last_error"].lower()

    smtp.start()
    wait_until(lambda: len(smtp.messages) == 2, timeout=20)
    assert sorted(m["Subject"] for m in smtp.messages) == ["Thư hai", "Thư một"]
    # the service marks a delivery sent only after the server has taken it
    wait_until(lambda: deliveries.count_documents({"status": "sent"}) == 2, timeout=10)


def test_a_provider_failing_again_and_again_is_given_up_and_staff_send_it_again(
    notifications, sms, databases
):
    notifications.save_preferences(
        {"owner": {"household": "HBBBB2"}, "channels": ["sms"], "phone": "0987654321"}
    )
    sms.fail_next(503, count=FAST_RETRIES["max_attempts"])
    send(notifications, {"kind": "household", "household": "HBBBB2"})
    deliveries = databases["notifications"].deliveries
    wait_until(lambda: deliveries.count_documents({"status": "given_up"}) == 1, timeout=30)
    assert len(sms.requests) == FAST_RETRIES["max_attempts"]
    # every try carried the same idempotency key: a provider that did send it can tell
    assert len({r.body["idempotency_key"] for r in sms.requests}) == 1

    dead = notifications.list_dead_letters({"actor": "minh", "commune_id": "huong-an"})[
        "deliveries"
    ]
    assert "503" in dead[0]["last_error"]
    notifications.retry_delivery(
        {"actor": "minh", "commune_id": "huong-an", "delivery_id": dead[0]["id"]}
    )
    wait_until(lambda: deliveries.count_documents({"status": "sent"}) == 1, timeout=15)

    log = notifications.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
    assert [(e["action"], e["actor"]) for e in log] == [
        ("retry_delivery", "minh"),
        ("send_message", "minh"),
    ]
    assert log[1]["after"] == {
        "audience": {"kind": "household", "household": "HBBBB2"},
        "title": "Lịch cắt điện",
    }
    with pytest.raises(Forbidden):  # staff read what they sent, not the audit log
        notifications.list_audit({"actor": "minh", "commune_id": "huong-an"})


def test_a_malformed_provider_answer_is_recorded_and_tried_again(notifications, sms, databases):
    notifications.save_preferences(
        {"owner": {"household": "HBBBB2"}, "channels": ["sms"], "phone": "0987654321"}
    )
    sms.answer_next(b"<html>oops</html>")
    send(notifications, {"kind": "household", "household": "HBBBB2"})
    deliveries = databases["notifications"].deliveries
    wait_until(lambda: deliveries.count_documents({"status": "sent"}) == 1, timeout=15)
    sent = deliveries.find_one({"status": "sent"})
    assert sent["attempts"] == 2 and sent["last_error"]


def publish(notifications, config, source: str, event, handler: str) -> None:
    """Publish `event` as `source` would and wait until `handler` has taken it."""
    with entrypoint_waiter(notifications.container, handler, timeout=10):
        event_dispatcher(config)(source, event.event_type, event.model_dump(mode="json"))


def registration(starts_in: timedelta, course_title: str) -> RegistrationConfirmed:
    return RegistrationConfirmed(
        event_id=new_id(),
        occurred_at=utcnow(),
        registration_id=new_id(),
        commune_id="huong-an",
        username="tuyet",
        course_title=course_title,
        session_starts_at=utcnow() + starts_in,
        place="Hội trường phường",
    )


def test_a_poll_opening_reaches_every_household_of_its_group_once(notifications, config, databases):
    opened = PollOpened(
        event_id=new_id(),
        occurred_at=utcnow(),
        poll_id="p1",
        kind="consultation",
        commune_id="huong-an",
        unit_id="tdp-1",
        title="Làm đường bê tông kiệt 12",
        opens_at=utcnow(),
        closes_at=utcnow() + timedelta(days=20),
        households=2,
    )
    for _ in range(2):  # redelivered
        publish(notifications, config, "surveys", opened, "tell_households_poll_opened")

    expected = ["Mời hộ gia đình cho ý kiến: Làm đường bê tông kiệt 12"]
    assert titles(notifications, household="HAAAA2") == expected
    assert titles(notifications, household="HBBBB2") == []
    assert databases["notifications"].messages.count_documents({}) == 1


def test_an_overdue_petition_reaches_the_petitioner_and_the_ward_admins(
    notifications, ward, config
):
    ward.create_account(account("lan", ("commune_admin", "huong-an")))
    overdue = PetitionOverdue(
        event_id=new_id(),
        occurred_at=utcnow(),
        petition_id="PA-0007",
        commune_id="huong-an",
        petitioner={"household": "HAAAA3"},
        title="Đèn đường hỏng",
        answer_due="2026-11-20",
    )
    publish(notifications, config, "feedback", overdue, "tell_of_overdue_petition")

    assert titles(notifications, household="HAAAA3") == ["Quá hạn trả lời: Đèn đường hỏng"]
    assert titles(notifications, username="lan") == ["Quá hạn trả lời: Đèn đường hỏng"]
    body = inbox(notifications, username="lan")["items"][0]["body"]
    assert "PA-0007" in body and "20/11/2026" in body


def test_an_answer_reaches_a_filer_with_no_household_at_the_phone_and_email_they_left(
    notifications, config, databases, smtp, sms
):
    answered = PetitionAnswered(
        event_id=new_id(),
        occurred_at=utcnow(),
        petition_id="PA-7K2M9QXB",
        commune_id="huong-an",
        reply_to={"phone": "0912345678", "email": "binh@example.com"},
        title="Đèn đường hỏng",
        answered_at=utcnow(),
        answer="Đã thay bóng đèn.",
    )
    publish(notifications, config, "feedback", answered, "tell_petitioner_answered")

    wait_until(lambda: smtp.messages and sms.requests, timeout=15)
    assert smtp.messages[0]["To"] == "binh@example.com"
    assert "Đã thay bóng đèn." in smtp.messages[0].get_body(("plain",)).get_content()
    assert sms.requests[0].body["to"] == "0912345678"
    assert sms.requests[0].body["text"].endswith("http://x/feedback/PA-7K2M9QXB")
    assert databases["notifications"].inbox.count_documents({}) == 0  # no inbox to put it in


def test_staff_cannot_message_a_bare_phone_number(notifications):
    with pytest.raises(InvalidInput):
        send(notifications, {"kind": "contact", "phone": "0912345678"})


def test_a_registration_is_confirmed_and_reminded_by_the_scheduled_work(
    notifications, config, databases
):
    # in 3 hours: the reminder is due at once
    confirmed = registration(timedelta(hours=3), "Nghiệp vụ tổ trưởng tổ dân phố")
    publish(notifications, config, "training", confirmed, "confirm_registration")

    wait_until(lambda: len(titles(notifications, username="tuyet")) == 2, timeout=15)
    assert sorted(titles(notifications, username="tuyet")) == [
        "Nhắc lịch học: Nghiệp vụ tổ trưởng tổ dân phố",
        "Đã xác nhận đăng ký: Nghiệp vụ tổ trưởng tổ dân phố",
    ]
    # the job is marked done only after its reminder is in the inbox
    wait_until(lambda: databases["notifications"].scheduled.find_one()["status"] == "done")


def test_a_template_missing_a_fact_is_a_dead_letter_not_a_crash(notifications, config, monkeypatch):
    broken = {
        lang: (title, body + " {no_such_fact}")
        for lang, (title, body) in messages.TEMPLATES["registration_confirmed"].items()
    }
    monkeypatch.setitem(messages.TEMPLATES, "registration_confirmed", broken)
    past = registration(timedelta(hours=-1), "Kỹ năng hòa giải")  # no reminder either
    publish(notifications, config, "training", past, "confirm_registration")

    dead = notifications.list_dead_letters({"actor": "minh", "commune_id": "huong-an"})[
        "deliveries"
    ]
    assert len(dead) == 1 and "no_such_fact" in dead[0]["last_error"]
    assert notifications.health()["database_up"]  # still serving


def test_a_disclosure_reaches_every_household_and_items_7_to_12_the_group_heads(notifications):
    today = vietnam_day(utcnow())
    posted = notifications.post_disclosure(
        {
            "actor": "minh",
            "commune_id": "huong-an",
            "request_id": new_id(),
            "category": 7,
            "title": "Danh sách hộ nghèo năm 2027",
            "summary": "12 hộ nghèo, 5 hộ cận nghèo.",
            "decision_ref": "Quyết định 31/QĐ-UBND",
            "decision_date": today.isoformat(),
            "posted_from": today.isoformat(),
            "posted_to": (today + timedelta(days=29)).isoformat(),
            "forms": ["posting", "loudspeaker", "via_group_head"],
            "loudspeaker_days": 3,
        }
    )
    expected = ["Công khai: Danh sách hộ nghèo năm 2027"]
    wait_until(lambda: titles(notifications, household="HBBBB2") == expected, timeout=15)
    assert titles(notifications, household="HAAAA2") == expected
    wait_until(lambda: titles(notifications, username="tuyet") == expected, timeout=5)
    body = inbox(notifications, household="HAAAA2")["items"][0]["body"]
    assert "Quyết định 31/QĐ-UBND" in body and "Niêm yết từ" in body
    assert f"/communes/huong-an/cong-khai/{posted['id']}" in body


def test_a_polls_participants_are_the_households_that_took_part(
    notifications, start_service, config
):
    start_service(SurveysService)
    with ServiceRpcProxy("surveys", config) as surveys:
        poll = opened(surveys, sample_decision())
        cast(surveys, cards(surveys, poll)["HAAAA3"], {"q1": ["agree"]})
        audience = {"kind": "poll_participants", "poll_id": poll["id"]}
        receipt = send(notifications, audience, title="Cảm ơn hộ đã tham gia")

    assert receipt["inboxes"] == 1
    assert titles(notifications, household="HAAAA3")[0] == "Cảm ơn hộ đã tham gia"
    assert "Cảm ơn hộ đã tham gia" not in titles(notifications, household="HAAAA2")


def test_a_message_to_another_communes_poll_or_none_is_refused_and_nothing_kept(
    notifications, ward, start_service, config, databases
):
    ward.register_unit(OTHER_WARD)
    ward.register_unit({**residential_group(7, "kim-long"), "id": "kl-7"})
    start_service(SurveysService)
    with ServiceRpcProxy("surveys", config) as surveys:
        theirs = surveys.create_poll(
            sample_decision(
                commune_id="kim-long", unit_id="kl-7", channels=["paper"], online_opt_in=None
            )
        )
    with pytest.raises(Forbidden):
        send(notifications, {"kind": "poll_participants", "poll_id": theirs["id"]})
    with pytest.raises(NotFound):
        send(notifications, {"kind": "poll_participants", "poll_id": "no-such-poll"})
    # stored, either would have been tried again every second by the scheduled work
    assert databases["notifications"].messages.count_documents({}) == 0


def test_messages_to_a_group_follow_a_household_that_moved_there(notifications, ward, smtp):
    notifications.save_preferences(
        {"owner": {"household": "HAAAA2"}, "channels": ["email"], "email": "an@example.test"}
    )
    today = vietnam_day(utcnow()).isoformat()
    with entrypoint_waiter(notifications.container, "follow_household_move", timeout=10):
        ward.move_household(
            {"actor": "admin", "code": "HAAAA2", "to_unit_id": "tdp-2", "on": today}
        )
    assert (
        send(notifications, {"kind": "unit", "unit_id": "tdp-2"}, title="Cho tổ 2")["deliveries"]
        == 1
    )
    assert (
        send(notifications, {"kind": "unit", "unit_id": "tdp-1"}, title="Cho tổ 1")["deliveries"]
        == 0
    )

    wait_until(lambda: smtp.messages, timeout=15)
    assert [m["Subject"] for m in smtp.messages] == ["Cho tổ 2"]
    assert titles(notifications, household="HAAAA2") == ["Cho tổ 2"]


def test_a_message_whose_fan_out_was_cut_short_is_finished_by_the_scheduled_work(
    notifications, databases
):
    # what a worker killed between storing a message and filling the inboxes leaves
    databases["notifications"].messages.insert_one(
        {
            "_id": "cut-short",
            "commune_id": "huong-an",
            "kind": "staff",
            "audience": {"kind": "unit", "unit_id": "tdp-2"},
            "texts": {"vi": ["Họp tổ dân phố 2", "Tối thứ Sáu."]},
            "link": None,
            "official": False,
            "error": None,
            "created_at": utcnow() - timedelta(minutes=2),
            "fanned_out": False,
        }
    )
    wait_until(lambda: titles(notifications, household="HBBBB2") == ["Họp tổ dân phố 2"])
    # the message is marked finished after its inboxes are filled
    finished = wait_until(
        lambda: databases["notifications"].messages.find_one(
            {"_id": "cut-short", "fanned_out": True}
        )
    )
    assert finished["inboxes"] == 1


def test_a_household_that_moved_out_keeps_its_own_messages_only(notifications, ward):
    send(notifications, {"kind": "unit", "unit_id": "huong-an"}, title="Cho cả phường")
    send(notifications, {"kind": "household", "household": "HAAAA2"}, title="Trả lời kiến nghị")
    today = vietnam_day(utcnow()).isoformat()
    ward.mark_moved_out({"actor": "admin", "code": "HAAAA2", "on": today})

    assert titles(notifications, household="HAAAA2") == ["Trả lời kiến nghị"]
    still = send(notifications, {"kind": "household", "household": "HAAAA2"}, title="Còn gửi được")
    assert still["inboxes"] == 1  # its last commune may still answer it


def test_messages_to_a_renamed_group_reach_the_channels_its_households_chose(
    notifications, ward, smtp
):
    notifications.save_preferences(
        {"owner": {"household": "HAAAA3"}, "channels": ["email"], "email": "ba@example.test"}
    )
    today = vietnam_day(utcnow()).isoformat()
    with entrypoint_waiter(notifications.container, "follow_unit_change", timeout=10):
        renamed = ward.rename_unit(
            {
                "actor": "admin",
                "commune_id": "huong-an",
                "unit_id": "tdp-1",
                "name": "Tổ dân phố Hòa Bình",
                "on": today,
                "decision": "Nghị quyết 05/NQ-HĐND",
            }
        )["units"][0]["id"]

    def deliveries_to_renamed() -> int:
        title = f"Họp {new_id()}"
        return send(notifications, {"kind": "unit", "unit_id": renamed}, title=title)["deliveries"]

    # the job that moves the households' preferences runs within a tick of the lease
    wait_until(lambda: deliveries_to_renamed() == 1, timeout=10, interval=0.5)
    assert titles(notifications, household="HAAAA3")[0].startswith("Họp ")
