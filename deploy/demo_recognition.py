"""The demo ward's commendations and discipline: the ward's leader `lanh-dao`, this
year's Lao động tiên tiến of the ward's office and one Chiến sĩ thi đua cơ sở among
them, a cultured residential group, all through the real steps (a list posted on
paper three weeks ago, the council, the decision); a list open for comment now; and
two discipline cases, one decided and one under way with a pause. Idempotent: fixed
request ids, and a step already taken is not taken again."""

import secrets
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from gateway.rpc import RpcClient
from shared.calendar import VIETNAM
from shared.contracts.staff import CreateAccount, Role, RoleGrant
from shared.errors import Conflict

LEADER = "lanh-dao"
MINUTES = {"filename": "bien-ban-hop-xet.pdf", "data_base64": "JVBERi0xLjQKJSBkZW1vCg=="}
OFFICE = "Văn phòng HĐND và UBND phường"
WORKERS = (
    "Hoàng Thị Ánh", "Trương Văn Bảo", "Lâm Thị Cúc", "Đinh Văn Đạt", "Tạ Thị Giang",
    "Quách Văn Hùng", "Kiều Thị Yến",
)  # fmt: skip
OPEN_FOR_COMMENT = ("Phan Thị Thu", "Nông Văn Tú")


def _id(number: int) -> str:
    return f"{0x9000 + number:032x}"


async def load_demo_recognition(rpc: RpcClient, ward_id: str) -> None:
    today = datetime.now(VIETNAM).date()
    leader = CreateAccount(
        actor="admin",
        username=LEADER,
        full_name="Lê Minh Quân",
        password=secrets.token_urlsafe(16),  # a demo person: staff reset it to use it
        roles=[RoleGrant(role=Role.COMMUNE_ADMIN, unit_id=ward_id)],
    )
    with suppress(Conflict):  # loaded before
        await rpc.call("directory", "create_account", leader.model_dump(mode="json"))
    decided = [
        await _propose(rpc, ward_id, _id(n), "lao_dong_tien_tien", "individual", name, OFFICE,
                       f"Hoàn thành tốt nhiệm vụ năm {today.year}")
        for n, name in enumerate(WORKERS)
    ]  # fmt: skip
    decided.append(
        await _propose(rpc, ward_id, _id(20), "chien_si_thi_dua_co_so", "individual", WORKERS[0],
                       OFFICE, "Sáng kiến số hóa hồ sơ hộ tịch được Hội đồng sáng kiến công nhận")
    )  # fmt: skip
    decided.append(
        await _propose(rpc, ward_id, _id(21), "thon_to_dan_pho_van_hoa", "collective",
                       "Tổ dân phố 1", "Tổ dân phố 1", f"Đạt chuẩn văn hóa năm {today.year}")
    )  # fmt: skip
    await _decide_all(rpc, ward_id, decided, today)
    current = [
        await _propose(rpc, ward_id, _id(30 + n), "giay_khen", "individual", name, "Tổ dân phố 2",
                       "Tích cực vận động Nhân dân hiến đất mở rộng hẻm")
        for n, name in enumerate(OPEN_FOR_COMMENT)
    ]  # fmt: skip
    await rpc.call(
        "recognition", "post_nominees",
        {"actor": "admin", "request_id": _id(40), "commune_id": ward_id,
         "nomination_ids": [n["nomination_id"] for n in current], "days": 7},
    )  # fmt: skip
    await _discipline(rpc, ward_id, today)


async def _propose(rpc: RpcClient, ward_id: str, request_id: str, title: str, kind: str,
                   name: str, unit: str, achievement: str) -> dict[str, Any]:  # fmt: skip
    today = datetime.now(VIETNAM).date()
    payload = {
        "actor": "admin", "request_id": request_id, "commune_id": ward_id, "year": today.year,
        "title": title, "recipient": {"kind": kind, "name": name, "unit": unit},
        "achievement": achievement, "minutes": MINUTES,
    }  # fmt: skip
    return await rpc.call("recognition", "propose", payload)


async def _decide_all(rpc: RpcClient, ward_id: str, nominations: list[dict], today: date) -> None:
    """Posted on paper three weeks ago for seven days; the council a week later; the
    decisions the next day, Lao động tiên tiến first (the fighter needs them)."""
    waiting = [n["nomination_id"] for n in nominations if n["status"] == "proposed"]
    if waiting:
        await rpc.call(
            "recognition", "post_nominees",
            {"actor": "admin", "request_id": _id(41), "commune_id": ward_id,
             "nomination_ids": waiting, "posted_on": (today - timedelta(days=21)).isoformat(),
             "days": 7},
        )  # fmt: skip
    for number, nomination in enumerate(nominations, start=1):
        nomination_id = nomination["nomination_id"]
        ref = {"actor": "admin", "nomination_id": nomination_id}
        if (await rpc.call("recognition", "get_nomination", ref))["status"] == "posted":
            vote = {"met_on": (today - timedelta(days=10)).isoformat(), "members": 7,
                    "present": 7, "votes_for": 7, "votes_against": 0}  # fmt: skip
            await rpc.call("recognition", "record_council_vote", ref | {"vote": vote})
        if (await rpc.call("recognition", "get_nomination", ref))["status"] == "reviewed":
            decision = {"decision_number": f"{100 + number}/QĐ-UBND",
                        "decided_on": (today - timedelta(days=9)).isoformat()}  # fmt: skip
            await rpc.call("recognition", "decide", ref | decision)


async def _discipline(rpc: RpcClient, ward_id: str, today: date) -> None:
    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    listed = await rpc.call("recognition", "list_cases", {"actor": LEADER, "commune_id": ward_id})
    if listed["cases"]:
        return
    subject = {"full_name": "Đoàn Văn Lực", "position": "Công chức Địa chính - Xây dựng",
               "staff_type": "civil_servant"}  # fmt: skip
    decided = await rpc.call(
        "recognition", "open_case",
        {"actor": LEADER, "request_id": _id(50), "commune_id": ward_id, "subject": subject,
         "violation": {"description": "Chậm giải quyết hồ sơ cấp phép xây dựng quá hạn nhiều lần",
                       "committed_on": ago(150), "gravity": "reprimand_level"},
         "discovered_on": ago(70)},
    )  # fmt: skip
    steps = [
        {"kind": "review_meeting", "held_on": ago(50)},
        {"kind": "council", "held_on": ago(35), "members": 3, "present": 3, "chair_present": True,
         "secretary_present": True, "proposed_form": "reprimand", "ballot_for": 3,
         "ballot_against": 0, "notice_sent_on": ago(45)},
        {"kind": "recommendation", "held_on": ago(32)},
    ]  # fmt: skip
    for step in steps:
        decided = await _change(rpc, decided, "Theo biên bản", step=step)
    decision = {"form": "reprimand", "number": "88/QĐ-UBND", "decided_on": ago(28)}
    await _change(rpc, decided, "Quyết định của Chủ tịch UBND phường", decision=decision)
    running = await rpc.call(
        "recognition", "open_case",
        {"actor": LEADER, "request_id": _id(51), "commune_id": ward_id,
         "subject": {"full_name": "Hà Thị Mến", "position": "Viên chức Trạm Y tế phường",
                     "staff_type": "public_employee"},
         "violation": {"description": "Vi phạm quy định về bảo quản vắc xin",
                       "committed_on": ago(60)},
         "discovered_on": ago(40), "complex": True},
    )  # fmt: skip
    running = await _change(rpc, running, "Họp kiểm điểm tại Trạm Y tế",
                            step={"kind": "review_meeting", "held_on": ago(30)})  # fmt: skip
    await _change(rpc, running, "Nghỉ thai sản theo giấy của bệnh viện",
                  pause={"ground": "maternity", "starts_on": ago(20)})  # fmt: skip


async def _change(rpc: RpcClient, case: dict, reason: str, **change: Any) -> dict:
    payload = {"actor": LEADER, "case_id": case["case_id"], "version": case["version"],
               "reason": reason, **change}  # fmt: skip
    return await rpc.call("recognition", "change_case", payload)
