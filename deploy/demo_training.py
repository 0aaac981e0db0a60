"""The demo ward's training: this year's plan, a course with two sessions for the
heads of the residential groups and the people entered in the other positions, the
year's targets, and the personal links sent. Idempotent: fixed request ids, and a
person is invited to a course once."""

import secrets
from contextlib import suppress
from datetime import datetime, time, timedelta

from gateway.rpc import RpcClient
from shared.calendar import VIETNAM
from shared.contracts.positions import Position
from shared.contracts.staff import CreateAccount, Role, RoleGrant
from shared.contracts.training import (
    AddSession,
    CreateCourse,
    InvitePeople,
    SavePlan,
    SetTargets,
    Target,
)
from shared.errors import Conflict

COURSE_ID = f"{0x7A:032x}"
SESSION_IDS = (f"{0x7B:032x}", f"{0x7C:032x}")
HEADS = ("Trần Văn Hải", "Lê Thị Hạnh", "Nguyễn Văn Khoa", "Phạm Thị Loan", "Võ Văn Minh")


async def load_demo_training(rpc: RpcClient, ward_id: str, group_ids: list[str]) -> None:
    now = datetime.now(VIETNAM)
    for number, (group_id, name) in enumerate(zip(group_ids, HEADS, strict=True), start=1):
        head = CreateAccount(
            actor="admin",
            username=f"to-truong-{number}",
            full_name=name,
            password=secrets.token_urlsafe(16),  # a demo person: staff reset it to use it
            roles=[RoleGrant(role=Role.GROUP_HEAD, unit_id=group_id)],
        )
        with suppress(Conflict):  # loaded before
            await rpc.call("directory", "create_account", head.model_dump(mode="json"))
    plan = SavePlan(
        actor="admin",
        commune_id=ward_id,
        year=now.year,
        title=f"Kế hoạch bồi dưỡng, tập huấn về thực hiện dân chủ ở cơ sở năm {now.year}",
        notes="Theo Nghị quyết của HĐND phường, mục tiêu 2.1.",
    )
    await rpc.call("training", "save_plan", plan.model_dump(mode="json"))
    course = CreateCourse(
        actor="admin",
        request_id=COURSE_ID,
        commune_id=ward_id,
        year=now.year,
        title="Kỹ năng xây dựng và thực hiện hương ước, quy ước",
        description=(
            "Nghị định 61/2023/NĐ-CP: trình tự xây dựng, lấy ý kiến, thông qua và công nhận "
            "hương ước, quy ước; vai trò của trưởng thôn, tổ trưởng và Ban công tác Mặt trận."
        ),
        positions=[
            Position.GROUP_HEAD,
            Position.FRONT_COMMITTEE_HEAD,
            Position.CONVENTION_DRAFTER,
            Position.INVESTMENT_SUPERVISION,
        ],
        registration_opens_on=now.date() - timedelta(days=1),
        registration_closes_on=now.date() + timedelta(days=14),
    )
    await rpc.call("training", "create_course", course.model_dump(mode="json"))
    for days, session_id in zip((3, 10), SESSION_IDS, strict=True):
        starts = datetime.combine(now.date() + timedelta(days=days), time(8), VIETNAM)
        session = AddSession(
            actor="admin",
            request_id=session_id,
            course_id=COURSE_ID,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3, minutes=30),
            place="Hội trường UBND phường Hương An",
            trainer="Bà Nguyễn Thị Hương, Phòng Nội vụ",
            capacity=8,
        )
        await rpc.call("training", "add_session", session.model_dump(mode="json"))
    targets = SetTargets(
        actor="admin",
        commune_id=ward_id,
        year=now.year,
        targets=[
            Target(position=Position.GROUP_HEAD, percent=100),  # the ward's target 2.1
            Target(position=Position.FRONT_COMMITTEE_HEAD, percent=100),
            Target(position=Position.INSPECTION_BOARD, percent=100),
            Target(position=Position.INVESTMENT_SUPERVISION, percent=80),
            Target(position=Position.CONVENTION_DRAFTER, percent=80),
            Target(position=Position.COMMUNE_OFFICIAL, percent=90),
        ],
    )
    await rpc.call("training", "set_targets", targets.model_dump(mode="json"))
    invite = InvitePeople(actor="admin", course_id=COURSE_ID)
    await rpc.call("training", "invite", invite.model_dump(mode="json"))
