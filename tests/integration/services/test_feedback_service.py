"""The feedback service on the real broker and the real wire server: a resident
files from a phone, staff triage, split, transfer, extend and answer, the filer
rates and reopens, a denouncer stays protected, deadlines are watched and the
figures kept as cases change."""

import base64
import io
import uuid
from datetime import date, timedelta

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from PIL import Image

from services.feedback.service import FeedbackService
from shared.chassis import MongoStore, Store, on_event
from shared.contracts.feedback import PetitionAnswered, PetitionOverdue, PetitionReceived
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from tests.integration.services.conftest import account
from tests.samples import household, residential_group


def photo_with_gps() -> str:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (16.0, 27.0, 0.0)}  # GPSInfo: where the resident stood
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    return base64.b64encode(buffer.getvalue()).decode()


def filing(**changes) -> dict:
    return {
        "request_id": uuid.uuid4().hex,
        "commune_id": "huong-an",
        "category": "lighting",
        "title": "Đèn đường kiệt 12 hỏng",
        "text": "Đèn đường trước nhà số 12 kiệt 12 hỏng đã hai tuần, gọi 0912 345 678.",
        "place": {"unit_id": "tdp-1", "latitude": 16.45, "longitude": 107.55},
        **changes,
    }


@pytest.fixture
def ward(directory):
    directory.register_unit(residential_group(1))
    directory.register_unit(residential_group(2))
    directory.register_household(household("HAAAA2", "tdp-1"))
    for username, role in (
        ("can-bo", "commune_staff"),
        ("chu-tich", "commune_admin"),
        ("thanh-tra", "inspector"),
    ):
        directory.create_account(account(username, (role, "huong-an")))
    return directory


class PetitionWatcher:
    name = "petition_watcher"
    store = MongoStore(Store)
    seen: list = []

    @on_event("feedback", PetitionReceived)
    def received(self, event: PetitionReceived) -> None:
        PetitionWatcher.seen.append(event)

    @on_event("feedback", PetitionAnswered)
    def answered(self, event: PetitionAnswered) -> None:
        PetitionWatcher.seen.append(event)

    @on_event("feedback", PetitionOverdue)
    def overdue(self, event: PetitionOverdue) -> None:
        PetitionWatcher.seen.append(event)


@pytest.fixture
def watcher(start_service, config):
    config["MONGO_DATABASES"]["petition_watcher"] = config["MONGO_DATABASES"]["notifications"]
    PetitionWatcher.seen.clear()
    return start_service(PetitionWatcher)


def test_a_resident_files_from_a_phone_and_follows_the_case_with_the_receipt_code(
    feedback, ward, watcher, databases
):
    command = filing(
        household="HAAAA2",
        contact={"name": "Trần Thị Bình", "phone": "0912 345 678"},
        photos=[{"filename": "den.jpg", "data_base64": photo_with_gps()}],
    )
    with entrypoint_waiter(watcher, "received", timeout=10):
        receipt = feedback.file_case(command)
    assert receipt["code"].startswith("PA-")
    assert feedback.file_case(command) == receipt  # the form sent twice: one case

    case = feedback.track_case({"code": receipt["code"].lower()})
    assert case["status"] == "received"
    assert [s["status"] for s in case["timeline"]] == ["received"]
    assert "0912 345 678" not in case["text"] and "***" in case["text"]
    # the photo was re-encoded without its metadata: no camera, no GPS
    [photo_id] = case["photo_ids"]
    stored = feedback.get_file({"photo_id": photo_id, "code": receipt["code"]})
    image = Image.open(io.BytesIO(base64.b64decode(stored["data_base64"])))
    assert stored["content_type"] == "image/jpeg" and not image.getexif()
    with pytest.raises(NotFound):
        feedback.get_file({"photo_id": photo_id, "code": "PA-22222222"})

    # who filed is kept apart: not on the case's document, not in the event
    document = databases["feedback"].cases.find_one({"code": receipt["code"]})
    assert "Trần Thị Bình" not in str(document) and "0912345678" not in str(document)
    [event] = PetitionWatcher.seen
    assert event.petition_id == receipt["code"] and event.petitioner.household == "HAAAA2"
    assert event.reply_to is None  # the household's inbox and channels reach them
    assert event.answer_due.isoformat() == receipt["inform_due"]
    assert databases["feedback"].cases.count_documents({"_pending": {"$exists": True}}) == 0


def test_a_filer_with_no_household_is_answered_at_the_phone_they_left_never_a_denouncer(
    feedback, ward, watcher
):
    with entrypoint_waiter(watcher, "received", timeout=10):
        feedback.file_case(filing(contact={"name": "Lê Thị Hoa", "phone": "0905 111 222"}))
    with entrypoint_waiter(watcher, "received", timeout=10):
        feedback.file_case(filing(contact={"phone": "0905111222"}, wants_type="denunciation"))
    told, protected = PetitionWatcher.seen
    assert told.petitioner is None and told.reply_to.phone == "0905111222"
    assert told.reply_to.name is None  # the number, not the name
    assert protected.reply_to is None and protected.petitioner is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"category": "no-such"}, "category"),
        ({"household": "HAAAA3"}, "household"),  # not a household of this ward
        ({"place": {"unit_id": "tdp-9"}}, "unit_id"),
        (
            {"photos": [{"data_base64": base64.b64encode(b"<script>alert(1)</script>").decode()}]},
            "photos",
        ),
    ],
)
def test_bad_filings_are_refused_with_the_field_named_and_nothing_stored(
    feedback, ward, databases, changes, field
):
    with pytest.raises(InvalidInput) as refused:
        feedback.file_case(filing(**changes))
    assert field in refused.value.fields
    assert databases["feedback"].cases.count_documents({}) == 0


def test_an_anonymous_filing_can_never_be_a_denunciation(feedback, ward):
    with pytest.raises(InvalidInput):
        feedback.file_case(filing(anonymous=True, wants_type="denunciation"))
    receipt = feedback.file_case(filing(anonymous=True))
    case_id = receipt["case_id"]
    with pytest.raises(Conflict, match="ẩn danh"):
        feedback.triage_case({"actor": "can-bo", "case_id": case_id, "type": "denunciation"})


def test_a_flood_of_filings_from_one_address_is_refused_for_the_hour(feedback, ward):
    for _ in range(10):
        feedback.file_case(filing(source="203.0.113.9"))
    with pytest.raises(TooManyRequests, match="một giờ"):
        feedback.file_case(filing(source="203.0.113.9"))
    feedback.file_case(filing(source="203.0.113.10"))  # another address is not held up


def test_staff_triage_split_transfer_answer_and_the_filer_rates_and_reopens(
    feedback, ward, watcher, databases
):
    photos = [{"filename": "den.jpg", "data_base64": photo_with_gps()}]
    receipt = feedback.file_case(filing(household="HAAAA2", photos=photos))
    letter = receipt["case_id"]
    with pytest.raises(Forbidden):
        feedback.triage_case({"actor": "thanh-tra", "case_id": letter, "type": "feedback"})

    split = feedback.split_case(
        {
            "actor": "can-bo",
            "case_id": letter,
            "parts": [
                {"type": "feedback", "title": "Đèn đường hỏng", "text": "Đèn đường kiệt 12 hỏng."},
                {
                    "type": "complaint",
                    "title": "Khiếu nại phí",
                    "text": "Khiếu nại việc thu phí vệ sinh.",
                },
            ],
        }
    )
    lamp, fee = split["case_ids"]
    parent = feedback.get_case({"actor": "thanh-tra", "case_id": letter})
    assert parent["status"] == "closed" and parent["children"] == [lamp, fee]
    assert feedback.get_case({"actor": "can-bo", "case_id": fee})["parent_id"] == letter
    # the parts keep the letter's photo, for staff and for the filer of each part
    [photo_id] = feedback.get_case({"actor": "can-bo", "case_id": lamp})["photo_ids"]
    assert feedback.get_file({"photo_id": photo_id, "case_id": lamp, "actor": "thanh-tra"})
    lamp_code = feedback.get_case({"actor": "can-bo", "case_id": lamp})["code"]
    assert feedback.get_file({"photo_id": photo_id, "code": lamp_code})
    with pytest.raises(NotFound):  # a photo is never public
        feedback.get_file({"photo_id": photo_id, "case_id": lamp})

    triaged = feedback.triage_case(
        {"actor": "can-bo", "case_id": lamp, "type": "feedback", "assignee": "can-bo"}
    )
    assert triaged["status"] == "accepted" and "resolve" in triaged["deadlines"]
    moved = feedback.transfer_case(
        {"actor": "can-bo", "case_id": lamp, "to_unit_id": "tdp-2", "reason": "Thuộc tổ 2 quản lý"}
    )
    assert moved["handling_unit_id"] == "tdp-2" and moved["transfers"][0]["reason"]
    with pytest.raises(InvalidInput):  # a transfer with no reason
        feedback.transfer_case(
            {"actor": "can-bo", "case_id": lamp, "to_unit_id": "tdp-1", "reason": ""}
        )
    feedback.start_handling({"actor": "can-bo", "case_id": lamp})

    with entrypoint_waiter(watcher, "answered", timeout=10):
        answered = feedback.answer_case(
            {
                "actor": "can-bo",
                "case_id": lamp,
                "text": "Đã thay bóng đèn ngày 04/12. Liên hệ anh Lê Văn Cường 0905 111 222 "
                "nếu còn hỏng.",
            }
        )
    assert answered["status"] == "answered"
    event = PetitionWatcher.seen[-1]
    assert "0905 111 222" not in event.answer and "Cường" not in event.answer

    lamp_code = answered["code"]
    public = feedback.list_public_cases({"commune_id": "huong-an"})["cases"]
    assert [c["case_id"] for c in public] == [lamp] and public[0]["code"] is None
    assert "0905" not in public[0]["answer"]["text"]

    with pytest.raises(Conflict):  # reopening needs a rating of "not satisfied" first
        feedback.reopen_case({"code": lamp_code, "reason": "Vẫn hỏng"})
    with pytest.raises(InvalidInput):
        feedback.rate_answer({"code": lamp_code, "satisfied": False})  # no reason
    rated = feedback.rate_answer({"code": lamp_code, "satisfied": False, "reason": "Đèn vẫn tắt"})
    assert rated["may_reopen"] and not rated["may_rate"]
    reopened = feedback.reopen_case({"code": lamp_code, "reason": "Đèn lại hỏng sau hai ngày"})
    assert reopened["status"] == "in_progress" and not reopened["may_reopen"]
    feedback.answer_case({"actor": "can-bo", "case_id": lamp, "text": "Đã thay cả bộ đèn mới."})
    feedback.rate_answer({"code": lamp_code, "satisfied": False, "reason": "Vẫn chưa ổn"})
    with pytest.raises(Conflict, match="một lần"):
        feedback.reopen_case({"code": lamp_code, "reason": "Lần nữa"})
    closed = feedback.close_case(
        {"actor": "can-bo", "case_id": lamp, "note": "Đã kiểm tra tại chỗ"}
    )
    assert closed["status"] == "closed"
    steps = [s["status"] for s in feedback.track_case({"code": lamp_code})["timeline"]]
    assert steps == [
        *("received", "received", "accepted", "transferred", "in_progress", "answered"),
        *("answered", "in_progress", "answered", "answered", "closed"),
    ]
    assert all(s["by_role"] and "can-bo" not in s["by_role"] for s in closed["timeline"])

    year = date.today().year
    figures = feedback.figures({"commune_id": "huong-an", "year": year})
    total = figures["total"]
    # the letter was split in two: two cases received; one answered; rated once (its
    # first answer), not satisfied; reopened once
    assert (total["received"], total["answered"], total["rated"], total["satisfied"]) == (
        2,
        1,
        1,
        0,
    )
    assert total["reopened"] == 1 and total["median_days"] == 0


def test_a_changed_type_may_not_shorten_a_running_deadline(feedback, ward):
    case_id = feedback.file_case(filing())["case_id"]
    feedback.triage_case(
        {"actor": "can-bo", "case_id": case_id, "type": "complaint", "complexity": "complex"}
    )
    with pytest.raises(Conflict, match="rút ngắn"):
        feedback.triage_case({"actor": "can-bo", "case_id": case_id, "type": "complaint"})


def test_a_denouncer_is_seen_only_by_those_who_handle_the_case_and_each_view_is_audited(
    feedback, ward, watcher, databases
):
    with entrypoint_waiter(watcher, "received", timeout=10):
        receipt = feedback.file_case(
            filing(
                household="HAAAA2",
                wants_type="denunciation",
                title="Tố cáo cán bộ địa chính",
                text="Tôi tố cáo cán bộ địa chính nhận tiền khi làm sổ đỏ.",
                contact={"name": "Phạm Văn Dũng", "phone": "0987654321"},
            )
        )
    case_id = receipt["case_id"]
    assert PetitionWatcher.seen[-1].petitioner is None  # not even to the notifications service
    feedback.triage_case({"actor": "can-bo", "case_id": case_id, "type": "denunciation"})
    for who in ("can-bo", "thanh-tra"):
        with pytest.raises(Forbidden):
            feedback.view_identity({"actor": who, "case_id": case_id})
    seen = feedback.view_identity({"actor": "chu-tich", "case_id": case_id})
    assert seen["contact"]["name"] == "Phạm Văn Dũng" and seen["household"] == "HAAAA2"
    feedback.transfer_case(
        {
            "actor": "chu-tich",
            "case_id": case_id,
            "to_assignee": "can-bo",
            "reason": "Giao xác minh",
        }
    )
    assert feedback.view_identity({"actor": "can-bo", "case_id": case_id})["household"] == "HAAAA2"

    staff_view = feedback.get_case({"actor": "thanh-tra", "case_id": case_id})
    assert staff_view["confidential"] and "Dũng" not in str(staff_view)
    listed = feedback.list_cases({"actor": "thanh-tra", "commune_id": "huong-an"})
    assert "Dũng" not in str(listed) and "0987654321" not in str(listed)
    assert "Dũng" not in str(feedback.track_case({"code": receipt["code"]}))

    log = feedback.list_audit({"actor": "thanh-tra", "commune_id": "huong-an", "limit": 50})
    views = [e for e in log["entries"] if e["action"] == "view_denouncer_identity"]
    assert [(e["actor"], e["target"]) for e in views] == [
        ("can-bo", case_id),
        ("chu-tich", case_id),
    ]


def test_a_denunciation_is_extended_at_most_as_its_complexity_allows(feedback, ward):
    case_id = feedback.file_case(filing(household="HAAAA2", wants_type="denunciation"))["case_id"]
    feedback.triage_case({"actor": "chu-tich", "case_id": case_id, "type": "denunciation"})
    with pytest.raises(Conflict, match="không phức tạp"):
        feedback.extend_case({"actor": "chu-tich", "case_id": case_id, "reason": "Cần xác minh"})
    triaged = feedback.triage_case(
        {"actor": "chu-tich", "case_id": case_id, "type": "denunciation", "complexity": "complex"}
    )
    first_due = date.fromisoformat(triaged["deadlines"]["resolve"])
    extended = feedback.extend_case(
        {"actor": "chu-tich", "case_id": case_id, "reason": "Cần xác minh thêm"}
    )
    assert date.fromisoformat(extended["deadlines"]["resolve"]) >= first_due + timedelta(days=30)
    assert "Gia hạn" in extended["timeline"][-1]["note"]
    with pytest.raises(Conflict, match="1 lần"):
        feedback.extend_case({"actor": "chu-tich", "case_id": case_id, "reason": "Lần hai"})


def test_an_overdue_case_is_announced_once_and_escalated(
    ward, watcher, databases, start_service, config
):
    container = start_service(FeedbackService)
    with ServiceRpcProxy("feedback", config) as feedback:
        case_id = feedback.file_case(filing())["case_id"]
        past = (date.today() - timedelta(days=3)).isoformat()
        databases["feedback"].cases.update_one({"_id": case_id}, {"$set": {"due": past}})

        with (
            entrypoint_waiter(watcher, "overdue", timeout=10),
            entrypoint_hook(container, "watch_deadlines") as sweep,
        ):
            sweep()  # the timer's work, run now instead of within the minute
        # announced already: not again (its event, if sent, would come within a moment)
        with (
            pytest.raises(entrypoint_waiter.Timeout),
            entrypoint_waiter(watcher, "overdue", timeout=2),
            entrypoint_hook(container, "watch_deadlines") as sweep,
        ):
            sweep()
        [overdue] = [e for e in PetitionWatcher.seen if isinstance(e, PetitionOverdue)]
        assert overdue.answer_due.isoformat() == past
        board = feedback.dashboard({"actor": "chu-tich", "commune_id": "huong-an"})
        assert [c["case_id"] for c in board["overdue"]] == [case_id]
        assert board["by_assignee"] == [{"assignee": "", "open": 1, "due_soon": 0, "overdue": 1}]
        assert feedback.get_case({"actor": "chu-tich", "case_id": case_id})["escalated"]


def test_reception_days_need_the_chairman_weekly_and_sessions_keep_their_cases(feedback, ward):
    slot = {"weekday": 2, "starts": "07:30", "ends": "11:00", "place": "Trụ sở UBND phường"}
    with pytest.raises(InvalidInput) as refused:
        feedback.save_reception_schedule(
            {"actor": "can-bo", "commune_id": "huong-an", "slots": [{**slot, "by_chairman": False}]}
        )
    assert "Điều 15" in refused.value.fields["slots"]
    feedback.save_reception_schedule(
        {"actor": "can-bo", "commune_id": "huong-an", "slots": [{**slot, "by_chairman": True}]}
    )
    assert feedback.get_reception_schedule({"commune_id": "huong-an"})["slots"][0]["by_chairman"]

    session = feedback.record_reception(
        {
            "actor": "can-bo",
            "request_id": uuid.uuid4().hex,
            "commune_id": "huong-an",
            "day": date.today().isoformat(),
            "received_by": "Chủ tịch UBND phường",
            "by_chairman": True,
            "citizens_seen": 3,
        }
    )
    receipt = feedback.file_case(filing(actor="can-bo", reception_id=session["reception_id"]))
    [listed] = feedback.list_receptions(
        {"actor": "chu-tich", "commune_id": "huong-an", "year": date.today().year}
    )["sessions"]
    assert listed["case_ids"] == [receipt["case_id"]]
    with pytest.raises(NotFound):
        feedback.track_case({"code": "PA-22222222"})
