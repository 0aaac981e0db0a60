"""Contracts of the directory service about the positions whose holders must be
trained in grassroots democracy (Law 10/2022 Art 8.1; the seed resolutions' measure 1:
officials and staff, People's Inspection Board and Community Investment Supervision
Board members, heads of thôn / tổ dân phố, heads of the Front work committees, the
teams that draft village conventions).

A holding is one person in one position over dates: from `starts_on` until
`ends_on`, the day they left it (not held from that day: they stop counting for it
from that date; None while held). Three positions follow the staff roles (a role
granted opens a holding, revoked closes it); the other three belong to people with
no account, whom commune staff enter or import. A person (`person_id`) may hold
several positions; "account:<username>" for an official, a generated id otherwise.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from shared.contracts.common import Contract, Text
from shared.contracts.households import HouseholdCode, OptionalPhone, PersonName
from shared.contracts.notifications import EmailAddress
from shared.contracts.staff import Role, Username
from shared.i18n import N_

PersonId = Annotated[
    str, StringConstraints(pattern=r"^(account:[a-z0-9._-]{3,32}|p-[a-f0-9]{16})$")
]


class Position(StrEnum):
    """The six positions the training measure targets."""

    COMMUNE_OFFICIAL = "commune_official"  # cán bộ, công chức, người hoạt động không chuyên trách
    INSPECTION_BOARD = "inspection_board"  # thành viên Ban Thanh tra nhân dân (Art 36)
    INVESTMENT_SUPERVISION = "investment_supervision"  # thành viên Ban GSĐTCĐ (Art 41)
    GROUP_HEAD = "group_head"  # trưởng thôn, tổ trưởng tổ dân phố
    FRONT_COMMITTEE_HEAD = "front_committee_head"  # trưởng ban công tác Mặt trận
    CONVENTION_DRAFTER = "convention_drafter"  # tổ soạn thảo hương ước, quy ước (Decree 61 Art 8)


POSITION_NAMES_VI = {
    Position.COMMUNE_OFFICIAL: N_("Cán bộ, công chức cấp xã"),
    Position.INSPECTION_BOARD: N_("Thành viên Ban Thanh tra nhân dân"),
    Position.INVESTMENT_SUPERVISION: N_("Thành viên Ban Giám sát đầu tư của cộng đồng"),
    Position.GROUP_HEAD: N_("Trưởng thôn, tổ trưởng tổ dân phố"),
    Position.FRONT_COMMITTEE_HEAD: N_("Trưởng ban công tác Mặt trận"),
    Position.CONVENTION_DRAFTER: N_("Thành viên tổ soạn thảo hương ước, quy ước"),
}

# The staff roles that are these positions: granting one opens the holding.
POSITION_OF_ROLE = {
    Role.COMMUNE_ADMIN: Position.COMMUNE_OFFICIAL,
    Role.COMMUNE_STAFF: Position.COMMUNE_OFFICIAL,
    Role.GROUP_HEAD: Position.GROUP_HEAD,
    Role.INSPECTOR: Position.INSPECTION_BOARD,
}
# Entered or imported by commune staff for people who have no account.
ENTERED_POSITIONS = (
    Position.INVESTMENT_SUPERVISION,
    Position.FRONT_COMMITTEE_HEAD,
    Position.CONVENTION_DRAFTER,
)


def account_person(username: str) -> str:
    return f"account:{username}"


class Person(Contract):
    """Who holds a position, and how they can be reached."""

    person_id: PersonId
    full_name: PersonName
    username: Username | None = None  # an official's account
    household: HouseholdCode | None = None  # where they live, if in the commune
    phone: OptionalPhone = None
    email: EmailAddress | None = None


class Holding(Contract):
    holding_id: str
    commune_id: str
    unit_id: str  # the commune, or the residential group the position is in
    position: Position
    person: Person
    starts_on: date
    ends_on: date | None = None  # the day they left; None while held

    def held_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


class AddHolding(Contract):
    """`directory.add_holding`: commune staff enter someone in one of the positions
    that are not staff accounts; a new person unless `person_id` names one already
    entered."""

    actor: Text
    request_id: Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]
    commune_id: Text
    unit_id: Text  # the commune, or one of its residential groups
    position: Position
    person_id: PersonId | None = None
    full_name: PersonName | None = None
    household: HouseholdCode | None = None
    phone: OptionalPhone = None
    email: EmailAddress | None = None
    starts_on: date

    @model_validator(mode="after")
    def _named(self) -> "AddHolding":
        if self.person_id is None and not self.full_name:
            raise ValueError("a new person needs a name")
        if self.position not in ENTERED_POSITIONS:
            raise ValueError("this position follows a staff role: grant the role instead")
        return self


class EndHolding(Contract):
    """`directory.end_holding`: the person left the position on `ends_on`."""

    actor: Text
    holding_id: Text
    ends_on: date


class ListHoldings(Contract):
    """`directory.list_holdings`: a commune's holdings that overlap the days from
    `start` to `end` (every one, if both are None), of the positions named (all if
    empty). A commune has a few hundred at most: no paging."""

    commune_id: Text
    positions: list[Position] = Field(default_factory=list)
    start: date | None = None
    end: date | None = None


class PersonHoldings(Contract):
    """`directory.holdings_of`: every holding of one person."""

    person_id: PersonId


class Holdings(Contract):
    holdings: list[Holding]
