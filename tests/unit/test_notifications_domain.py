from datetime import UTC, datetime

from services.notifications.domain import notice_for_new_unit
from shared.contracts.directory import ResidentialUnitAdded


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
