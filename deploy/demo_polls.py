"""Demo polls for the demo ward, so a new user can vote from a phone at once: a
decision on another self-management matter (online or on paper), a consultation
on the draft democracy regulation, and a satisfaction survey. Idempotent: each
poll's request id is fixed, so loading again returns the polls already there."""

import asyncio
from datetime import UTC, datetime, timedelta

from gateway.rpc import RpcClient
from shared.contracts.surveys import CardSheet, CreatePoll, IssueCards, Poll, PollStatus

OPEN_WAIT_SECONDS = 30  # the surveys service opens a due poll within a few seconds


def _options(*labels: str) -> list[dict]:
    return [{"id": f"opt{n}", "label": label} for n, label in enumerate(labels, start=1)]


def demo_polls(ward_id: str, now: datetime) -> list[CreatePoll]:
    common = {"actor": "admin", "commune_id": ward_id, "unit_id": ward_id, "opens_at": now}
    return [
        CreatePoll(
            **common,
            request_id=f"{1:032x}",
            kind="decision",
            title="Chuyển giờ thu gom rác sinh hoạt sang 5 giờ 30 sáng",
            description=(
                "Công ty môi trường đề nghị thu gom rác từ 5 giờ 30 thay cho 19 giờ, "
                "để đường phố sạch trước giờ đi làm, đi học."
            ),
            matter="other",
            channels=["online", "paper"],
            questions=[
                {
                    "id": "q1",
                    "type": "single",
                    "text": "Hộ gia đình có đồng ý chuyển giờ thu gom rác sang 5 giờ 30 sáng?",
                    "options": _options("Đồng ý", "Không đồng ý"),
                }
            ],
            deciding_options=["opt1"],
            noticed_on=(now - timedelta(days=2)).date(),
            closes_at=now + timedelta(days=7),
            online_opt_in=120,  # of 170 households (Decree 59 Art 5: more than half)
        ),
        CreatePoll(
            **common,
            request_id=f"{2:032x}",
            kind="consultation",
            title="Lấy ý kiến dự thảo Quy chế thực hiện dân chủ của phường",
            description="Dự thảo được niêm yết tại nhà văn hóa các tổ dân phố.",
            channels=["online", "paper"],
            questions=[
                {
                    "id": "q1",
                    "type": "single",
                    "text": "Ông/bà có đồng ý với dự thảo?",
                    "options": _options("Đồng ý", "Đồng ý nhưng cần sửa đổi", "Không đồng ý"),
                },
                {
                    "id": "q2",
                    "type": "multiple",
                    "text": "Những chương cần sửa đổi",
                    "options": _options(
                        "Công khai thông tin", "Nhân dân bàn, quyết định", "Kiểm tra, giám sát"
                    ),
                    "required": False,
                },
                {"id": "q3", "type": "text", "text": "Ý kiến khác", "required": False},
            ],
            closes_at=now + timedelta(days=21),
        ),
        CreatePoll(
            **common,
            request_id=f"{3:032x}",
            kind="satisfaction",
            title="Mức độ hài lòng với Bộ phận một cửa của phường",
            channels=["online"],
            questions=[
                {"id": "q1", "type": "rating", "text": "Ông/bà hài lòng ở mức nào?"},
                {"id": "q2", "type": "text", "text": "Góp ý để phục vụ tốt hơn", "required": False},
            ],
            closes_at=now + timedelta(days=90),
        ),
    ]


async def load_demo_polls(rpc: RpcClient, ward_id: str, group_id: str) -> str | None:
    """Create the demo polls; return the card code of one household of `group_id`
    for the decision, once it is open (None if it did not open in time)."""
    polls = [
        Poll.model_validate(await rpc.call("surveys", "create_poll", p.model_dump(mode="json")))
        for p in demo_polls(ward_id, datetime.now(UTC))
    ]
    decision = polls[0]
    for _ in range(OPEN_WAIT_SECONDS * 2):
        poll = Poll.model_validate(await rpc.call("surveys", "get_poll", {"poll_id": decision.id}))
        if poll.status != PollStatus.SCHEDULED:
            break
        await asyncio.sleep(0.5)
    else:
        return None
    command = IssueCards(actor="admin", poll_id=decision.id, unit_id=group_id)
    sheet = CardSheet.model_validate(await rpc.call("surveys", "issue_cards", command.model_dump()))
    return sheet.cards[0].card_code if sheet.cards else None
