"""A small demo ward, loaded by `./dev run` so there is something to look at.
`python -m deploy.bootstrap --demo` loads it into a running stack.

Loading is idempotent: units have fixed ids and households fixed codes, so
running it again changes nothing. The names are invented.
"""

import hashlib
import random
from datetime import date

from gateway.rpc import RpcClient
from shared.contracts.directory import RegisterUnit, UnitKind
from shared.contracts.households import Member, RegisterHousehold
from shared.contracts.positions import AddHolding, Position
from shared.ids import CODE_ALPHABET

PROVINCE = RegisterUnit(
    id="demo-hue", kind=UnitKind.PROVINCE, name="Thành phố Huế", valid_from=date(2025, 7, 1)
)
WARD = RegisterUnit(
    id="demo-huong-an",
    kind=UnitKind.WARD,
    name="Phường Hương An",
    parent_id=PROVINCE.id,
    valid_from=date(2025, 7, 1),
)
GROUP_SIZES = (34, 41, 27, 38, 30)  # households in Tổ dân phố 1..5

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN_NAMES = (
    "Văn An",
    "Thị Bình",
    "Văn Cường",
    "Thị Dung",
    "Minh Đức",
    "Thị Hoa",
    "Quốc Hùng",
    "Thị Lan",
    "Văn Long",
    "Thị Mai",
    "Hữu Nam",
    "Thị Phương",
)


def demo_groups() -> list[RegisterUnit]:
    return [
        RegisterUnit(
            id=f"demo-huong-an-tdp-{number}",
            kind=UnitKind.RESIDENTIAL_GROUP,
            name=f"Tổ dân phố {number}",
            parent_id=WARD.id,
            valid_from=date(2025, 7, 1),
        )
        for number in range(1, len(GROUP_SIZES) + 1)
    ]


def demo_households(group: RegisterUnit, count: int, rng: random.Random) -> list[RegisterHousehold]:
    return [
        RegisterHousehold(
            actor="admin",  # created by deploy.bootstrap just before
            code="".join(rng.choice(CODE_ALPHABET) for _ in range(6)),
            unit_id=group.id,
            address=f"Số {number}, kiệt {rng.randint(1, 60)} đường Hương An",
            representative_name=(name := f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"),
            members=[
                Member(
                    name=name,
                    birth_year=rng.randint(1950, 1995),
                    phone=f"09{rng.randrange(10**8):08d}",
                )
            ],
            since=date(2025, 7, 1),
        )
        for number in range(1, count + 1)
    ]


async def load_demo_ward(rpc: RpcClient) -> None:
    rng = random.Random(2025)  # the same households every time
    for unit in (PROVINCE, WARD, *demo_groups()):
        await rpc.call("directory", "register_unit", unit.model_dump(mode="json"))
    for group, size in zip(demo_groups(), GROUP_SIZES, strict=True):
        for household in demo_households(group, size, rng):
            await rpc.call("directory", "register_household", household.model_dump(mode="json"))
    await load_demo_holdings(rpc)


# Holders of the positions staff enter (Law 10/2022 Art 8.1): position, group number
# (0: the ward itself), name.
DEMO_HOLDERS = (
    (Position.FRONT_COMMITTEE_HEAD, 1, "Nguyễn Thị Hạnh"),
    (Position.FRONT_COMMITTEE_HEAD, 2, "Trần Văn Hòa"),
    (Position.FRONT_COMMITTEE_HEAD, 3, "Lê Thị Thu"),
    (Position.INVESTMENT_SUPERVISION, 0, "Phạm Văn Khánh"),
    (Position.INVESTMENT_SUPERVISION, 0, "Hoàng Thị Ngọc"),
    (Position.INVESTMENT_SUPERVISION, 0, "Võ Minh Tâm"),
    (Position.INVESTMENT_SUPERVISION, 0, "Đặng Thị Yến"),
    (Position.INVESTMENT_SUPERVISION, 0, "Bùi Quốc Việt"),
    (Position.CONVENTION_DRAFTER, 4, "Đỗ Văn Sơn"),
    (Position.CONVENTION_DRAFTER, 4, "Phan Thị Loan"),
    (Position.CONVENTION_DRAFTER, 5, "Nguyễn Hữu Thắng"),
    (Position.CONVENTION_DRAFTER, 5, "Lê Thị Xuân"),
)


async def load_demo_holdings(rpc: RpcClient) -> None:
    """A few people in the positions commune staff enter; each under a fixed
    request_id, so loading again adds no one twice."""
    groups = [WARD, *demo_groups()]
    for number, (position, group, name) in enumerate(DEMO_HOLDERS, start=1):
        holding = AddHolding(
            actor="admin",
            request_id=hashlib.sha256(f"demo-holder-{number}".encode()).hexdigest()[:32],
            commune_id=WARD.id,
            unit_id=groups[group].id,
            position=position,
            full_name=name,
            phone=f"0905{number:06d}",
            starts_on=date(2025, 9, 1),
        )
        await rpc.call("directory", "add_holding", holding.model_dump(mode="json"))
