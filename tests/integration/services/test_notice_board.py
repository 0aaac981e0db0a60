"""The commune's public notice board in the notifications service, on the real broker
and wire server: staff post disclosures once per form, late ones only with a reason,
residents read the board of a day, its archive and the quarterly index."""

import uuid
from datetime import date, timedelta

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.notifications.service import NotificationsService
from shared.calendar import quarter_bounds, quarter_of, vietnam_day
from shared.chassis import utcnow
from shared.disclosure_periods import deadline
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.integration.services.conftest import ADMIN_PASSWORD
from tests.samples import OTHER_WARD
from tests.support import wait_until

TODAY = vietnam_day(utcnow())


def staff(username: str, commune_id: str) -> dict:
    return {
        "actor": "admin",
        "username": username,
        "full_name": username.title(),
        "password": ADMIN_PASSWORD,
        "roles": [{"role": "commune_staff", "unit_id": commune_id}],
    }


@pytest.fixture
def notifications(directory, start_service, config):
    """The notifications service, minh working for Hương An and tuan for Kim Long."""
    directory.register_unit(OTHER_WARD)
    directory.create_account(staff("minh", "huong-an"))
    directory.create_account(staff("tuan", "kim-long"))
    start_service(NotificationsService)
    with ServiceRpcProxy("notifications", config) as proxy:
        yield proxy


def posting(decided: date = TODAY, days: int = 30, **extra) -> dict:
    """A budget disclosure (Art 11 item 2) decided on `decided`, posted from that day."""
    return {
        "actor": "minh",
        "commune_id": "huong-an",
        "request_id": uuid.uuid4().hex,
        "category": 2,
        "title": "Dự toán ngân sách phường năm 2027",
        "summary": "Tổng thu 12,5 tỷ đồng; tổng chi 12,5 tỷ đồng.",
        "decision_ref": "Quyết định 12/QĐ-UBND",
        "decision_date": decided.isoformat(),
        "posted_from": decided.isoformat(),
        "posted_to": (decided + timedelta(days=days - 1)).isoformat(),
        "forms": ["posting"],
        **extra,
    }


def listed(proxy, on: date, which: str = "current", **extra) -> list[str]:
    query = {"commune_id": "huong-an", "on": on.isoformat(), "which": which, **extra}
    return [d["title"] for d in proxy.list_disclosures(query)["disclosures"]]


def test_staff_post_a_disclosure_once_however_often_the_form_is_sent(notifications, databases):
    payload = posting()
    posted = notifications.post_disclosure(payload)
    assert notifications.post_disclosure(payload) == posted
    assert posted["forms"] == ["posting", "portal"]  # this system is the portal (Art 12.3)
    assert posted["deadline"] == deadline(TODAY).isoformat()
    assert posted["late"] is False and posted["permanent"] is False
    assert posted["posted_by"] == "minh"
    stored = databases["notifications"]
    assert stored.disclosures.count_documents({}) == 1
    entry = wait_until(lambda: stored.audit_log.find_one({"target": posted["id"]}))
    assert entry["actor"] == "minh" and entry["action"] == "post_disclosure"
    assert entry["after"]["decision_ref"] == "Quyết định 12/QĐ-UBND"
    assert "_pending" not in stored.disclosures.find_one({"_id": posted["id"]})
    one = {"commune_id": "huong-an", "disclosure_id": posted["id"]}
    assert notifications.get_disclosure(one) == posted


def test_a_late_posting_is_refused_without_a_reason_and_recorded_with_one(notifications):
    decided = TODAY - timedelta(days=40)
    posted_to = TODAY + timedelta(days=29)
    late = posting(decided, posted_from=TODAY.isoformat(), posted_to=posted_to.isoformat())
    with pytest.raises(InvalidInput) as refused:
        notifications.post_disclosure(late)
    assert list(refused.value.fields) == ["late_reason"]
    assert "Điều 13" in refused.value.fields["late_reason"]

    posted = notifications.post_disclosure({**late, "late_reason": "Chờ bản quyết định ký số."})
    assert posted["late"] is True and posted["late_reason"] == "Chờ bản quyết định ký số."


def test_the_board_shows_what_is_current_on_a_day_and_archives_what_ended(notifications):
    reason = {"late_reason": "Nhập lại từ sổ niêm yết giấy."}
    ended = TODAY - timedelta(days=90)
    notifications.post_disclosure(posting(ended, title="Đã hết hạn", **reason))
    notifications.post_disclosure(
        posting(
            TODAY - timedelta(days=200),
            category=13,
            posted_to=None,
            title="Thủ tục hành chính",
            **reason,
        )
    )
    notifications.post_disclosure(posting(title="Đang niêm yết"))

    assert listed(notifications, TODAY) == ["Thủ tục hành chính", "Đang niêm yết"]
    assert listed(notifications, TODAY, "archive") == ["Đã hết hạn"]
    assert listed(notifications, TODAY, category=2) == ["Đang niêm yết"]
    assert listed(notifications, ended) == ["Thủ tục hành chính", "Đã hết hạn"]
    assert listed(notifications, ended, "archive") == []
    assert listed(notifications, TODAY + timedelta(days=30)) == ["Thủ tục hành chính"]


def test_the_quarterly_index_lists_what_started_in_the_quarter_in_order(notifications):
    reason = {"late_reason": "Nhập lại từ sổ niêm yết giấy."}
    year, quarter = quarter_of(TODAY)
    starts, ends = quarter_bounds(year, quarter)
    before = starts - timedelta(days=1)
    notifications.post_disclosure(posting(before, title="Quý trước", **reason))
    notifications.post_disclosure(posting(TODAY, title="Hôm nay"))
    notifications.post_disclosure(posting(starts, title="Đầu quý", **reason))

    index = notifications.quarterly_index(
        {"commune_id": "huong-an", "year": year, "quarter": quarter}
    )
    assert (index["starts"], index["ends"]) == (starts.isoformat(), ends.isoformat())
    titles = [d["title"] for d in index["disclosures"]]
    assert titles == (["Hôm nay"] if starts == TODAY else ["Đầu quý", "Hôm nay"])
    assert index["disclosures"][-1]["forms"] == ["posting", "portal"]


def test_staff_of_another_commune_or_no_one_may_not_post(notifications, databases):
    with pytest.raises(Forbidden):
        notifications.post_disclosure(posting(actor="tuan"))
    with pytest.raises(InvalidInput):
        notifications.post_disclosure({**posting(), "actor": ""})
    assert databases["notifications"].disclosures.count_documents({}) == 0


def test_a_disclosure_is_found_only_under_its_own_commune(notifications):
    posted = notifications.post_disclosure(posting())
    with pytest.raises(NotFound):
        notifications.get_disclosure({"commune_id": "kim-long", "disclosure_id": posted["id"]})


def test_a_permanent_disclosure_is_updated_and_the_old_version_archived(notifications):
    procedure = posting(category=13, title="Thủ tục chứng thực", posted_to=None)
    old = notifications.post_disclosure(procedure)
    update = posting(
        category=13,
        title="Thủ tục chứng thực (sửa đổi)",
        posted_to=None,
        posted_from=(TODAY + timedelta(days=1)).isoformat(),
        replaces=old["id"],
    )
    new = notifications.post_disclosure(update)
    assert notifications.post_disclosure(update) == new  # the form sent again

    assert listed(notifications, TODAY) == ["Thủ tục chứng thực"]
    tomorrow = TODAY + timedelta(days=1)
    assert listed(notifications, tomorrow) == ["Thủ tục chứng thực (sửa đổi)"]
    assert listed(notifications, tomorrow, which="archive") == ["Thủ tục chứng thực"]
    ended = notifications.get_disclosure({"commune_id": "huong-an", "disclosure_id": old["id"]})
    assert (ended["replaced_by"], ended["posted_to"]) == (new["id"], TODAY.isoformat())

    with pytest.raises(InvalidInput) as refused:  # the old one cannot be updated twice
        notifications.post_disclosure({**update, "request_id": uuid.uuid4().hex})
    assert "replaces" in refused.value.fields
