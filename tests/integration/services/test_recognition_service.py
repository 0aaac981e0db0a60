"""The recognition service on the real broker and the real wire server: a commune's
rule book changed with reasons; commendations proposed with minutes, posted for
comment, reviewed by the council, decided with the award in force, refused where the
law refuses them, revoked; the honour board; discipline cases with their clocks,
versions and confidentiality, every view and refusal in the audit the Inspection
Board reads."""

import base64
import io
import uuid
from datetime import datetime, timedelta

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from PIL import Image

from services.recognition.service import RecognitionService
from shared.calendar import VIETNAM
from shared.chassis import MongoStore, Store, on_event
from shared.contracts.recognition import CommendationDecided, DisclosureRequested
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.integration.services.conftest import account
from tests.samples import household, residential_group

TODAY = datetime.now(VIETNAM).date()
YEAR = TODAY.year
MINUTES = {
    "filename": "bien-ban.pdf",
    "data_base64": base64.b64encode(b"%PDF-1.4 minutes").decode(),
}


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def rid() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def ward(directory):
    directory.register_unit(residential_group(1))
    directory.register_household(household("HAAAA2", "tdp-1"))
    directory.create_account(account("can-bo", ("commune_staff", "huong-an")))
    directory.create_account(account("lanh-dao", ("commune_admin", "huong-an")))
    directory.create_account(account("thanh-tra", ("inspector", "huong-an")))
    directory.create_account(account("to-truong", ("group_head", "tdp-1")))
    return directory


@pytest.fixture
def recognition(ward, start_service, config):
    start_service(RecognitionService)
    with ServiceRpcProxy("recognition", config) as proxy:
        yield proxy


class RecognitionWatcher:
    name = "recognition_watcher"
    store = MongoStore(Store)
    seen: list = []

    @on_event("recognition", CommendationDecided)
    def decided(self, event):
        RecognitionWatcher.seen.append(event)

    @on_event("recognition", DisclosureRequested)
    def disclosed(self, event):
        RecognitionWatcher.seen.append(event)


@pytest.fixture
def watcher(start_service, config):
    config["MONGO_DATABASES"]["recognition_watcher"] = config["MONGO_DATABASES"]["notifications"]
    RecognitionWatcher.seen = []
    start_service(RecognitionWatcher)
    return RecognitionWatcher.seen


def wait_for(condition, seconds: float = 10.0):
    deadline = eventlet.Timeout(seconds)
    try:
        while not (found := condition()):
            eventlet.sleep(0.05)
        return found
    finally:
        deadline.cancel()


def propose(recognition, name: str, title: str = "lao_dong_tien_tien", **extra) -> dict:
    payload = {
        "actor": "can-bo",
        "request_id": rid(),
        "commune_id": "huong-an",
        "year": YEAR,
        "title": title,
        "recipient": {"kind": "individual", "name": name, "unit": "Văn phòng UBND phường"},
        "achievement": f"Hoàn thành xuất sắc nhiệm vụ năm {YEAR} ({name})",
        "minutes": MINUTES,
    } | extra
    return recognition.propose(payload)


def through_council(recognition, databases, ids: list[str], votes_for: int = 5) -> None:
    """Enter a list posted on paper ten days ago for five days, and record the
    council's vote on each nominee after that."""
    recognition.post_nominees(
        {"actor": "can-bo", "request_id": rid(), "commune_id": "huong-an", "nomination_ids": ids,
         "posted_on": day(-10), "days": 5}
    )  # fmt: skip
    for nomination_id in ids:
        recognition.record_council_vote(
            {
                "actor": "can-bo",
                "nomination_id": nomination_id,
                "vote": {"met_on": day(-2), "members": 7, "present": 6, "votes_for": votes_for,
                         "votes_against": 6 - votes_for},
            }
        )  # fmt: skip


def decide(recognition, nomination_id: str, number: str) -> dict:
    return recognition.decide(
        {"actor": "lanh-dao", "nomination_id": nomination_id, "decision_number": number,
         "decided_on": day(-1)}
    )  # fmt: skip


def test_a_commendation_from_proposal_to_honour_board_and_revocation(
    recognition, databases, watcher
):
    advanced = propose(recognition, "Trần Thị Bình")
    assert advanced["status"] == "proposed"
    assert (
        recognition.nomination_minutes(
            {"actor": "can-bo", "nomination_id": advanced["nomination_id"]}
        )["content_type"]
        == "application/pdf"
    )

    posting = recognition.post_nominees(
        {"actor": "can-bo", "request_id": rid(), "commune_id": "huong-an",
         "nomination_ids": [advanced["nomination_id"]], "days": 7}
    )  # fmt: skip
    assert posting["comment_until"] == day(6)
    listed = wait_for(lambda: [e for e in watcher if isinstance(e, DisclosureRequested)])
    assert "Trần Thị Bình" in listed[0].disclosure.summary
    assert listed[0].disclosure.posted_to.isoformat() == day(6)

    # anyone comments while it is posted, and gets a receipt; the same form twice is one
    comment = {
        "request_id": rid(), "posting_id": posting["posting_id"],
        "nomination_id": advanced["nomination_id"], "name": "Lê Văn Cư",
        "text": "Chị Bình rất tận tình với bà con.",
    }  # fmt: skip
    receipt = recognition.comment(comment)
    assert receipt["receipt"].startswith("YK-")
    assert recognition.comment(comment)["receipt"] == receipt["receipt"]
    seen = recognition.posting_comments({"actor": "thanh-tra", "posting_id": posting["posting_id"]})
    assert [c["receipt"] for c in seen["comments"]] == [receipt["receipt"]]

    # the council may not sit before the comment period is over
    with pytest.raises(InvalidInput) as early:
        recognition.record_council_vote(
            {"actor": "can-bo", "nomination_id": advanced["nomination_id"],
             "vote": {"met_on": day(0), "members": 7, "present": 7, "votes_for": 7,
                      "votes_against": 0}}
        )  # fmt: skip
    assert "met_on" in early.value.fields

    # the comment days pass (moved back a week, as the days would pass)
    databases["recognition"].nominations.update_one(
        {"_id": advanced["nomination_id"]}, {"$set": {"comment_until": day(-5)}}
    )
    recognition.record_council_vote(
        {"actor": "can-bo", "nomination_id": advanced["nomination_id"],
         "vote": {"met_on": day(-2), "members": 7, "present": 7, "votes_for": 6,
                  "votes_against": 1}}
    )  # fmt: skip
    decided = decide(recognition, advanced["nomination_id"], "25/QĐ-UBND")
    assert decided["status"] == "decided"
    assert decided["award"] == {"multiple": 0.3, "base_salary": 2_340_000, "amount": 702_000}
    assert decided["authority"].startswith("Chủ tịch Ủy ban nhân dân")
    event = wait_for(lambda: [e for e in watcher if isinstance(e, CommendationDecided)])[0]
    assert event.decision_ref == "Quyết định số 25/QĐ-UBND" and event.recipient is None

    board = recognition.honour_board({"commune_id": "huong-an"})
    assert board["year"] == YEAR
    assert [e["name"] for e in board["entries"]] == ["Trần Thị Bình"]
    assert "household" not in board["entries"][0]
    certificate = recognition.certificate({"code": decided["certificate_code"]})
    assert certificate["revoked_reason"] is None

    recognition.revoke(
        {"actor": "lanh-dao", "nomination_id": advanced["nomination_id"],
         "reason": "Hồ sơ thành tích kê khai không trung thực"}
    )  # fmt: skip
    assert recognition.honour_board({"commune_id": "huong-an", "year": YEAR})["entries"] == []
    revoked = recognition.certificate({"code": decided["certificate_code"]})
    assert revoked["revoked_reason"] == "Hồ sơ thành tích kê khai không trung thực"
    history = recognition.get_nomination(
        {"actor": "thanh-tra", "nomination_id": advanced["nomination_id"]}
    )
    assert [h["action"] for h in history["history"]] == [
        "proposed", "posted", "reviewed", "decided", "revoked",
    ]  # fmt: skip


def test_the_laws_refusals(recognition, databases):
    first = propose(recognition, "Phạm Văn Dũng")
    # one achievement is rewarded once, however it is typed
    with pytest.raises(Conflict, match="Điều 5"):
        propose(
            recognition, "Phạm Văn Dũng",
            title="giay_khen", achievement=first["achievement"].upper() + "!",
        )  # fmt: skip
    # a household title for a person
    with pytest.raises(InvalidInput) as wrong_kind:
        propose(recognition, "Hộ ông Dũng", title="gia_dinh_van_hoa")
    assert "Điều 80" in wrong_kind.value.fields["recipient.kind"]
    # a fighter without the same year's Lao động tiên tiến
    fighter = propose(recognition, "Ngô Thị Én", title="chien_si_thi_dua_co_so")
    through_council(recognition, databases, [first["nomination_id"], fighter["nomination_id"]])
    with pytest.raises(InvalidInput) as not_advanced:
        decide(recognition, fighter["nomination_id"], "30/QĐ-UBND")
    assert "Lao động tiên tiến" in not_advanced.value.fields["title"]
    decide(recognition, first["nomination_id"], "31/QĐ-UBND")
    # the refused decision left its number free for another
    spare = propose(recognition, "Đinh Thị Xuân")
    through_council(recognition, databases, [spare["nomination_id"]])
    assert decide(recognition, spare["nomination_id"], "30/QĐ-UBND")["status"] == "decided"
    # the same number of the same authority in the same year, however typed
    other = propose(recognition, "Đỗ Văn Giang")
    through_council(recognition, databases, [other["nomination_id"]])
    with pytest.raises(Conflict, match="30/2020"):
        decide(recognition, other["nomination_id"], "31/qđ-ubnd ")
    # a council that did not agree
    refused = propose(recognition, "Vũ Thị Hà")
    through_council(recognition, databases, [refused["nomination_id"]], votes_for=3)
    with pytest.raises(Conflict, match="không đồng ý"):
        decide(recognition, refused["nomination_id"], "40/QĐ-UBND")
    # the Giấy khen amount is unconfirmed: no decision until the commune sets it
    merit = propose(recognition, "Bùi Văn Khoa", title="giay_khen")
    through_council(recognition, databases, [merit["nomination_id"]])
    with pytest.raises(InvalidInput) as unset:
        decide(recognition, merit["nomination_id"], "41/QĐ-UBND")
    assert "Giấy khen" in unset.value.fields["decided_on"]
    with pytest.raises(Forbidden):
        recognition.set_rule(
            {"actor": "can-bo", "commune_id": "huong-an", "key": "multiple.giay_khen",
             "value": 0.15, "valid_from": "2025-07-01", "reason": "Theo quyết định của tỉnh"}
        )  # fmt: skip
    rule = recognition.set_rule(
        {"actor": "lanh-dao", "commune_id": "huong-an", "key": "multiple.giay_khen",
         "value": 0.15, "valid_from": "2025-07-01", "reason": "Theo quyết định của tỉnh"}
    )  # fmt: skip
    assert rule["value"] == 0.15 and rule["versions"][-1]["set_by"] == "lanh-dao"
    assert decide(recognition, merit["nomination_id"], "41/QĐ-UBND")["award"]["amount"] == 351_000


def test_the_fighters_cap_follows_the_units_advanced_workers(recognition, databases):
    """15% of the unit's Lao động tiên tiến: seven give one fighter, not two."""
    workers = [propose(recognition, f"Người thứ {n}") for n in range(7)]
    fighters = [
        propose(recognition, f"Người thứ {n}", title="chien_si_thi_dua_co_so",
                achievement=f"Sáng kiến số {n} được công nhận")
        for n in range(2)
    ]  # fmt: skip
    every = [n["nomination_id"] for n in workers + fighters]
    through_council(recognition, databases, every)
    for number, worker in enumerate(workers):
        decide(recognition, worker["nomination_id"], f"{number + 1}/QĐ-LĐTT")
    assert decide(recognition, fighters[0]["nomination_id"], "1/QĐ-CSTĐ")["status"] == "decided"
    with pytest.raises(Conflict, match="15%"):
        decide(recognition, fighters[1]["nomination_id"], "2/QĐ-CSTĐ")
    report = recognition.commendation_report({"actor": "thanh-tra", "commune_id": "huong-an"})
    assert {(r["group"], r["count"], r["amount"]) for r in report["rows"]} == {
        ("Lao động tiên tiến", 7, 7 * 702_000),
        ("Chiến sĩ thi đua cơ sở", 1, 2_340_000),
    }


def test_who_may_propose_for_whom(recognition):
    board = propose(recognition, "Hồ Thị Lan", actor="thanh-tra", proposed_by="inspection_board")
    assert board["proposed_by"] == "inspection_board"
    with pytest.raises(Forbidden):
        propose(recognition, "Hồ Thị Mai", actor="thanh-tra")  # not for the commune's agencies
    conference = propose(
        recognition, "Hồ Thị Nga", actor="to-truong", proposed_by="year_end_conference"
    )
    assert conference["proposed_by"] == "year_end_conference"
    with pytest.raises(Forbidden):  # a group head speaks for their conference only
        propose(recognition, "Hồ Thị Oanh", actor="to-truong")


def png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_an_honour_photo_is_cleaned_and_public(recognition, databases):
    nomination = propose(recognition, "Lý Văn Minh")
    through_council(recognition, databases, [nomination["nomination_id"]])
    decide(recognition, nomination["nomination_id"], "50/QĐ-UBND")
    recognition.set_photo(
        {"actor": "can-bo", "nomination_id": nomination["nomination_id"],
         "photo": {"filename": "a.png", "data_base64": png()}}
    )  # fmt: skip
    photo = recognition.honour_photo({"nomination_id": nomination["nomination_id"]})
    assert photo["content_type"] == "image/png"
    with pytest.raises(InvalidInput):
        recognition.set_photo(
            {"actor": "can-bo", "nomination_id": nomination["nomination_id"],
             "photo": {"filename": "a.png", "data_base64": base64.b64encode(b"not").decode()}}
        )  # fmt: skip


# ---- discipline --------------------------------------------------------------------

CIVIL_SERVANT = {
    "full_name": "Nguyễn Văn Phúc",
    "position": "Công chức Tài chính - Kế toán",
    "staff_type": "civil_servant",
}


def open_case(recognition, **extra) -> dict:
    payload = {
        "actor": "lanh-dao",
        "request_id": rid(),
        "commune_id": "huong-an",
        "subject": CIVIL_SERVANT,
        "violation": {"description": "Chậm nộp báo cáo quyết toán nhiều lần",
                      "committed_on": day(-120), "gravity": "reprimand_level"},
        "discovered_on": day(-40),
    } | extra  # fmt: skip
    return recognition.open_case(payload)


def change(recognition, case: dict, reason: str = "Cập nhật theo biên bản", **change) -> dict:
    return recognition.change_case(
        {"actor": "lanh-dao", "case_id": case["case_id"], "version": case["version"],
         "reason": reason, **change}
    )  # fmt: skip


def test_a_discipline_case_from_violation_to_decision_with_a_pause(recognition, watcher):
    case = open_case(recognition)
    assert case["clock"]["rule_set"] == "decree_172_2025"
    assert "demotion" not in case["clock"]["allowed_forms"]
    assert case["clock"]["handling_due_on"] == day(50)  # 90 days from the discovery
    case = change(recognition, case, pause={"ground": "illness", "starts_on": day(-30),
                                            "ends_on": day(-21)})  # fmt: skip
    assert case["clock"]["handling_due_on"] == day(60) and case["clock"]["paused_days"] == 10
    case = change(recognition, case, step={"kind": "review_meeting", "held_on": day(-20)})
    with pytest.raises(InvalidInput) as quorum:
        change(recognition, case, step={
            "kind": "council", "held_on": day(-10), "members": 5, "present": 3,
            "chair_present": True, "secretary_present": False, "proposed_form": "reprimand",
            "ballot_for": 3, "ballot_against": 0, "notice_sent_on": day(-25)})  # fmt: skip
    assert "Thư ký" in quorum.value.fields["step.present"]
    case = change(recognition, case, step={
        "kind": "council", "held_on": day(-10), "members": 5, "present": 4,
        "chair_present": True, "secretary_present": True, "proposed_form": "reprimand",
        "ballot_for": 3, "ballot_against": 1, "notice_sent_on": day(-25)})  # fmt: skip
    case = change(recognition, case, step={"kind": "recommendation", "held_on": day(-8)})
    with pytest.raises(InvalidInput) as demotion:
        change(recognition, case, decision={"form": "demotion", "number": "7/QĐ-UBND",
                                            "decided_on": day(-5)})  # fmt: skip
    assert "172/2025" in demotion.value.fields["decision.form"]
    with pytest.raises(InvalidInput) as before:
        change(recognition, case, decision={"form": "reprimand", "number": "7/QĐ-UBND",
                                            "decided_on": day(-121)})  # fmt: skip
    assert "trước ngày vi phạm" in before.value.fields["decision.decided_on"]
    case = change(recognition, case, decision={"form": "reprimand", "number": "7/QĐ-UBND",
                                               "decided_on": day(-5)})  # fmt: skip
    assert case["status"] == "decided"
    assert case["clock"]["effect_ends_on"] is not None
    with pytest.raises(Conflict):  # a stale version
        recognition.change_case(
            {"actor": "lanh-dao", "case_id": case["case_id"], "version": 2,
             "reason": "Đính chính", "complex": True}
        )  # fmt: skip
    # a correction is a new version; the earlier ones stay as they were
    moved = CIVIL_SERVANT | {"position": "Công chức Văn phòng - Thống kê"}
    corrected = change(recognition, case, reason="Đính chính chức danh theo hồ sơ", subject=moved)
    assert corrected["version"] == case["version"] + 1
    first = recognition.get_case({"actor": "lanh-dao", "case_id": case["case_id"], "version": 1})
    assert first["subject"]["position"] == "Công chức Tài chính - Kế toán"
    assert first["decision"] is None and first["versions"] == corrected["version"]
    # published with only what may be public
    recognition.disclose_result(
        {"actor": "lanh-dao", "request_id": rid(), "case_id": case["case_id"],
         "public_summary": "Vi phạm chế độ báo cáo tài chính."}
    )  # fmt: skip
    posted = wait_for(lambda: [e for e in watcher if isinstance(e, DisclosureRequested)])[0]
    assert posted.disclosure.category == 10
    assert "Khiển trách" in posted.disclosure.summary
    assert "quyết toán" not in posted.disclosure.summary  # the violation's details stay in the file


def test_limitation_and_recidivism(recognition):
    with pytest.raises(Conflict, match="thời hiệu"):
        open_case(
            recognition,
            subject=CIVIL_SERVANT | {"full_name": "Trịnh Văn Quang"},
            violation={"description": "Vi phạm cũ", "committed_on": "2020-03-10",
                       "gravity": "reprimand_level"},
            discovered_on=day(-3),
        )  # fmt: skip
    forever = open_case(
        recognition,
        subject=CIVIL_SERVANT | {"full_name": "Trịnh Văn Quang"},
        violation={"description": "Sử dụng bằng giả", "committed_on": "2012-05-01",
                   "without_limitation": "fake_diploma"},
        discovered_on=day(-3),
    )  # fmt: skip
    assert forever["clock"]["limitation_ends_on"] is None
    # a decision in effect, then a new violation within it
    subject = CIVIL_SERVANT | {"full_name": "Mai Văn Sơn", "username": "can-bo"}
    case = open_case(recognition, subject=subject)
    for step in ("review_meeting", "council"):
        case = change(recognition, case, step={"kind": step, "skipped": "conviction"})
    change(recognition, case, decision={"form": "warning", "number": "9/QĐ-UBND",
                                        "decided_on": day(-60)})  # fmt: skip
    again = open_case(
        recognition, subject=subject,
        violation={"description": "Vi phạm mới", "committed_on": day(-20)}, discovered_on=day(-10),
    )  # fmt: skip
    assert again["clock"]["recidivism"] is True


def test_only_the_communes_leaders_read_a_file_and_every_view_is_audited(recognition):
    case = open_case(recognition)
    for actor in ("can-bo", "thanh-tra", "to-truong", "admin"):
        with pytest.raises(Forbidden, match="Ban Thanh tra"):
            recognition.get_case({"actor": actor, "case_id": case["case_id"]})
        with pytest.raises(Forbidden):
            recognition.list_cases({"actor": actor, "commune_id": "huong-an"})
    recognition.get_case({"actor": "lanh-dao", "case_id": case["case_id"]})
    dashboard = recognition.list_cases({"actor": "lanh-dao", "commune_id": "huong-an"})
    assert [c["case_id"] for c in dashboard["cases"]] == [case["case_id"]]
    log = recognition.list_audit({"actor": "thanh-tra", "commune_id": "huong-an", "limit": 100})
    seen = {(e["actor"], e["action"]) for e in log["entries"]}
    assert ("lanh-dao", "view_discipline_case") in seen
    assert ("thanh-tra", "refused_view_case") in seen and ("can-bo", "refused_view_case") in seen
    assert ("lanh-dao", "open_discipline_case") in wait_for(
        lambda: {
            (e["actor"], e["action"])
            for e in recognition.list_audit(
                {"actor": "thanh-tra", "commune_id": "huong-an", "limit": 100}
            )["entries"]
        }
    )
    # the audit names the file, never its contents
    assert all("Chậm nộp" not in str(e) for e in log["entries"])
    with pytest.raises(NotFound):
        recognition.get_case({"actor": "lanh-dao", "case_id": case["case_id"], "version": 9})


def test_what_is_disclosed_reaches_the_notice_board(recognition, start_service, config):
    """Through the notifications service: the nominee list for its comment days (item
    14), a discipline result for 30 days by posting, loudspeaker and unit heads (item
    10, Art 12.3)."""
    from services.notifications.service import NotificationsService

    start_service(NotificationsService)
    nominee = propose(recognition, "Đặng Thị Oanh")
    recognition.post_nominees(
        {"actor": "can-bo", "request_id": rid(), "commune_id": "huong-an",
         "nomination_ids": [nominee["nomination_id"]], "days": 5}
    )  # fmt: skip
    case = open_case(recognition)
    for step in ("review_meeting", "council"):
        case = change(recognition, case, step={"kind": step, "skipped": "prior_conclusion"})
    change(recognition, case, decision={"form": "reprimand", "number": "12/QĐ-UBND",
                                        "decided_on": day(0)})  # fmt: skip
    recognition.disclose_result(
        {"actor": "lanh-dao", "request_id": rid(), "case_id": case["case_id"],
         "public_summary": "Vi phạm chế độ báo cáo."}
    )  # fmt: skip
    with ServiceRpcProxy("notifications", config) as notifications:
        board = wait_for(
            lambda: (
                (
                    found := notifications.list_disclosures(
                        {"commune_id": "huong-an", "on": day(0)}
                    )["disclosures"]
                )
                and len(found) == 2
                and found
            )
        )
    by_category = {d["category"]: d for d in board}
    assert by_category[14]["posted_to"] == day(4)
    assert "Đặng Thị Oanh" in by_category[14]["summary"]
    assert by_category[10]["posted_to"] == day(29)
    assert by_category[10]["loudspeaker_days"] == 3
    assert "Nguyễn Văn Phúc" in by_category[10]["title"]
