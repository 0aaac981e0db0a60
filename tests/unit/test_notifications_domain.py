from datetime import UTC, datetime

from services.notifications.domain import notice_for_new_unit, notice_for_poll
from shared.contracts.directory import ResidentialUnitAdded
from shared.contracts.surveys import PollClosed, PollClosingSoon, PollDecided, PollOpened


def test_a_new_unit_notice_names_the_unit_its_commune_and_start_date():
    event = ResidentialUnitAdded(
        event_id="e1",
        occurred_at=datetime(2025, 8, 1, 9, tzinfo=UTC),
        commune_name="Phường Hương An",
        unit={
            "id": "u1",
            "kind": "village",
            "name": "Ấp Hòa Lợi",
            "parent_id": "huong-an",
            "local_label": "ấp",
            "valid_from": "2025-08-01",
        },
    )

    notice = notice_for_new_unit(event)

    assert notice.id == "e1"  # the same event always yields the same notice
    assert notice.commune_id == "huong-an"
    assert notice.title == "Đã thêm ấp “Ấp Hòa Lợi”"
    assert notice.body == "Ấp “Ấp Hòa Lợi” thuộc Phường Hương An có hiệu lực từ ngày 01/08/2025."


def poll_event(event_class, **extra):
    return event_class(
        event_id="p1",
        occurred_at=datetime(2026, 12, 1, 1, tzinfo=UTC),
        poll_id="poll",
        kind="decision",
        commune_id="huong-an",
        unit_id="tdp-1",
        title="Giờ thu gom rác",
        opens_at=datetime(2026, 12, 1, 1, tzinfo=UTC),
        closes_at=datetime(2026, 12, 8, 10, tzinfo=UTC),
        **extra,
    )


def test_poll_notices_say_what_happened_with_the_numbers_in_vietnam_time():
    opened = notice_for_poll(poll_event(PollOpened, households=170))
    assert (opened.id, opened.commune_id) == ("p1", "huong-an")
    assert opened.title == "Đã mở: Giờ thu gom rác"
    assert opened.body == "Biểu quyết mở cho 170 hộ, đến 17:00 ngày 08/12/2026."
    closed = notice_for_poll(poll_event(PollClosed, participated=120, households=170))
    assert "120/170 hộ đã tham gia" in closed.body
    assert notice_for_poll(poll_event(PollDecided, passes=False)).body == (
        "Biểu quyết: Không thông qua."
    )
    assert notice_for_poll(poll_event(PollClosingSoon)).title == "Sắp kết thúc: Giờ thu gom rác"
