"""A fake feedback service in the FakeRpc port for the gateway's feedback pages and
Open311 API: it answers each method with a valid contract object and keeps what it
was sent, validated by the method's own contract."""

import base64
from datetime import UTC, datetime

from shared.contracts.feedback import (
    AnswerCase,
    CaseReceipt,
    CaseRef,
    CaseStatus,
    CaseSummary,
    CaseType,
    Categories,
    CloseCase,
    Complexity,
    Dashboard,
    Deadline,
    ExtendCase,
    Figures,
    FiguresRow,
    FileCase,
    Identity,
    PhotoRef,
    Place,
    PublicAnswer,
    PublicCase,
    PublicCaseList,
    RateAnswer,
    ReceptionSchedule,
    ReceptionSession,
    RecordReception,
    ReopenCase,
    SaveCategories,
    SaveReceptionSchedule,
    SplitCase,
    StaffCase,
    StoredFile,
    TimelineStep,
    TrackCase,
    TransferCase,
    TriageCase,
)
from shared.errors import NotFound, parse
from tests.unit.fake_rpc import FakeRpc

CODE = "PA-7K2M9QXB"
CASE_ID = "c1"
UNIT = "tổ-dân-phố-1"  # as gateway_support's fake directory names it
RECEIVED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
CATEGORIES = Categories(
    commune_id="huong-an",
    categories=[
        {"key": "lighting", "name": "Chiếu sáng công cộng"},
        {"key": "roads", "name": "Đường sá, giao thông"},
        {"key": "old", "name": "Lĩnh vực cũ", "active": False},
    ],
)


def public_case(**fields) -> PublicCase:
    case = {
        "case_id": CASE_ID,
        "code": CODE,
        "commune_id": "huong-an",
        "category": "lighting",
        "category_name": "Chiếu sáng công cộng",
        "type": None,
        "title": "Đèn đường kiệt 12 không sáng",
        "text": "Đèn đường trước nhà số *** kiệt 12 không sáng từ tuần trước.",
        "unit_id": UNIT,
        "status": CaseStatus.RECEIVED,
        "received_at": RECEIVED,
        "due": "2026-12-15",
        "timeline": [
            TimelineStep(status=CaseStatus.RECEIVED, at=RECEIVED, by_role="Cán bộ tiếp công dân")
        ],
        "answer": None,
        "rating": None,
        "may_rate": False,
        "may_reopen": False,
        "photo_ids": ["ph1"],
    }
    return PublicCase.model_validate(case | fields)


def answered_case(**fields) -> PublicCase:
    answer = PublicAnswer(
        text="Đã thay bóng đèn ngày 05/12.",
        at=datetime(2026, 12, 5, 3, 0, tzinfo=UTC),
        by_role="Chủ tịch UBND phường",
        attachments=["att1"],
    )
    return public_case(
        status=CaseStatus.ANSWERED, type=CaseType.FEEDBACK, answer=answer, due=None, **fields
    )


def summary(**fields) -> dict:
    case = {
        "case_id": CASE_ID,
        "code": CODE,
        "commune_id": "huong-an",
        "unit_id": UNIT,
        "handling_unit_id": None,
        "assignee": None,
        "category": "lighting",
        "type": None,
        "title": "Đèn đường kiệt 12 không sáng",
        "status": CaseStatus.RECEIVED,
        "received_at": RECEIVED,
        "due": "2026-12-15",
        "due_deadline": Deadline.INFORM,
        "overdue": False,
        "confidential": False,
    }
    return case | fields


def staff_case(**fields) -> StaffCase:
    case = summary() | {
        "text": "Đèn đường trước nhà số 15 kiệt 12 không sáng từ tuần trước.",
        "place": Place(address="Số 15 kiệt 12", unit_id=UNIT),
        "deadlines": {Deadline.INFORM: "2026-12-15"},
        "complexity": Complexity.NORMAL,
        "remote_area": False,
        "extensions": [],
        "transfers": [],
        "timeline": public_case().timeline,
        "answer": None,
        "answer_text": None,
        "rating": None,
        "reopened": 0,
        "parent_id": None,
        "children": [],
        "photo_ids": ["ph1"],
        "anonymous": False,
        "has_identity": True,
        "filed_by": None,
        "reception_id": None,
        "escalated": False,
    }
    return StaffCase.model_validate(case | fields)


def figures_row(unit_id: str, category: str, **counts) -> FiguresRow:
    numbers = {
        "received": 4,
        "answered": 3,
        "answered_on_time": 2,
        "median_days": 4.5,
        "rated": 2,
        "satisfied": 1,
        "reopened": 0,
    }
    return FiguresRow(unit_id=unit_id, category=category, **(numbers | counts))


def json(model) -> dict:
    return model if isinstance(model, dict) else model.model_dump(mode="json")


def fake_feedback(rpc: FakeRpc, case: PublicCase | None = None) -> dict:
    """The feedback service's methods; `sent` keeps each command, by method."""
    state: dict = {"sent": {}, "case": case or public_case(), "staff_case": staff_case()}

    def answering(method: str, contract, reply):
        def handler(payload: dict):
            state["sent"][method] = parse(contract, payload)
            return json(reply(state["sent"][method]))

        rpc.answer("feedback", method, handler)

    def track(query: TrackCase) -> PublicCase:
        if query.code != CODE:
            raise NotFound("Không tìm thấy phản ánh có mã này.")
        return state["case"]

    def stored(ref: PhotoRef) -> StoredFile:
        if ref.photo_id == "att1":
            data = base64.b64encode(b"%PDF-1.4").decode()
            return StoredFile(
                content_type="application/pdf", data_base64=data, filename="Trả lời.pdf"
            )
        return StoredFile(content_type="image/png", data_base64=base64.b64encode(PNG).decode())

    receipt = CaseReceipt(case_id=CASE_ID, code=CODE, received_at=RECEIVED, inform_due="2026-12-15")
    answering("file_case", FileCase, lambda command: receipt)
    answering("track_case", TrackCase, track)
    answering("rate_answer", RateAnswer, lambda command: state["case"])
    answering("reopen_case", ReopenCase, lambda command: state["case"])
    answering("get_file", PhotoRef, stored)
    rpc.answer("feedback", "list_categories", lambda query: json(CATEGORIES))
    rpc.answer(
        "feedback",
        "list_public_cases",
        lambda query: json(
            PublicCaseList(cases=[answered_case(code=None, photo_ids=[])], page=1, more=True)
        ),
    )
    rpc.answer(
        "feedback",
        "figures",
        lambda query: json(
            Figures(
                commune_id="huong-an",
                year=query["year"],
                month=query["month"],
                rows=[
                    figures_row(UNIT, "lighting"),
                    figures_row("", "roads", received=1, answered=0, answered_on_time=0),
                ],
                total=figures_row("", "", received=5),
            )
        ),
    )
    rpc.answer(
        "feedback",
        "get_reception_schedule",
        lambda query: json(
            ReceptionSchedule(
                commune_id="huong-an",
                slots=[
                    {"weekday": 3, "starts": "07:30", "ends": "11:00", "place": "Trụ sở UBND",
                     "by_chairman": True},
                    {"weekday": 0, "starts": "14:00", "ends": "17:00", "place": "Phòng tiếp dân",
                     "by_chairman": False, "receiver": "Cán bộ tư pháp"},
                ],
            )
        ),
    )  # fmt: skip
    session = ReceptionSession(
        reception_id="r1",
        commune_id="huong-an",
        day="2026-12-03",
        received_by="Nguyễn Văn An",
        by_chairman=True,
        citizens_seen=4,
        notes="",
        case_ids=[],
    )
    rpc.answer("feedback", "list_receptions", lambda query: {"sessions": [json(session)]})
    rpc.answer("feedback", "get_case", lambda ref: json(state["staff_case"]))
    answering("triage_case", TriageCase, lambda command: state["staff_case"])
    answering("split_case", SplitCase, lambda command: {"case_ids": ["c2", "c3"]})
    answering("transfer_case", TransferCase, lambda command: state["staff_case"])
    answering("start_handling", CaseRef, lambda command: state["staff_case"])
    answering("extend_case", ExtendCase, lambda command: state["staff_case"])
    answering("answer_case", AnswerCase, lambda command: state["staff_case"])
    answering("close_case", CloseCase, lambda command: state["staff_case"])
    answering(
        "view_identity",
        CaseRef,
        lambda ref: Identity(
            case_id=ref.case_id,
            household="HA7K2M",
            contact={"name": "Lê Thị Hoa", "phone": "0912345678"},
        ),
    )
    answering(
        "save_categories",
        SaveCategories,
        lambda command: Categories(commune_id="huong-an", categories=command.categories),
    )
    answering(
        "save_reception_schedule",
        SaveReceptionSchedule,
        lambda command: ReceptionSchedule(commune_id="huong-an", slots=command.slots),
    )
    answering(
        "record_reception",
        RecordReception,
        lambda command: session.model_copy(update={"day": command.day}),
    )
    overdue = CaseSummary.model_validate(summary(case_id="c9", overdue=True, title="Ổ gà"))
    rpc.answer(
        "feedback",
        "dashboard",
        lambda query: json(
            Dashboard(
                commune_id="huong-an",
                unit_id=query["unit_id"],
                today="2026-12-16",
                untriaged=[summary()],
                due_soon=[],
                overdue=[overdue],
                by_assignee=[{"assignee": "", "open": 2, "due_soon": 0, "overdue": 1}],
            )
        ),
    )
    rpc.answer(
        "feedback",
        "list_cases",
        lambda query: {"cases": [summary()], "page": query["page"], "more": False},
    )
    return state
