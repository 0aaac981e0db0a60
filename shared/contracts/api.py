"""Contracts of the JSON API at /api/v1 (gateway/routes/api_v1.py): the per-commune
API tokens the directory keeps, and what the API reads and takes that is not
already a service's contract. The OpenAPI document is generated from these
(gateway/openapi.py), so they are its only description."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Text
from shared.contracts.directory import AdministrativeUnit, UnitKind
from shared.contracts.disclosures import (
    Body,
    DecisionRef,
    DisclosureCategory,
    DisclosureForm,
    Reason,
    RequestId,
    Title,
)
from shared.contracts.feedback import PublicCase, Slug
from shared.contracts.households import HouseholdCode, Member, PersonName
from shared.contracts.positions import Position
from shared.contracts.recognition import ShortText, Year
from shared.contracts.recognition import Title as HonourTitle
from shared.contracts.training import Target

# --- API tokens (directory.issue_api_token and the rest) -----------------------------


class ApiScope(StrEnum):
    READ = "read"  # every GET of the token's commune
    WRITE = "write"  # the writes too, and every read


TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
TokenId = Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]


class IssueApiToken(Contract):
    """`directory.issue_api_token` by the commune's administrator (`actor`)."""

    actor: Text
    commune_id: Text
    name: TokenName  # who uses it, e.g. "Cổng dữ liệu tỉnh"
    scope: ApiScope


class ApiToken(Contract):
    """A token as staff see it: never its secret, which only its hash stands for."""

    id: str
    commune_id: str
    name: str
    scope: ApiScope
    issued_by: str
    issued_at: datetime
    revoked_by: str | None = None
    revoked_at: datetime | None = None


class IssuedApiToken(Contract):
    """The new token and its secret, shown this once and never stored."""

    token: ApiToken
    secret: str


class RevokeApiToken(Contract):
    """`directory.revoke_api_token`: it stops working at once."""

    actor: Text
    commune_id: Text
    token_id: TokenId


class ListApiTokens(Contract):
    """`directory.list_api_tokens`: the commune's tokens, for its administrators."""

    actor: Text
    commune_id: Text


class ApiTokenList(Contract):
    tokens: list[ApiToken]


class CheckApiToken(Contract):
    """`directory.check_api_token`: may this secret be used for `scope` on
    `commune_id` (None: on no commune in particular, e.g. the list of communes)?"""

    secret: Annotated[str, StringConstraints(max_length=200)]
    scope: ApiScope
    commune_id: str | None = None


class ApiGrant(Contract):
    """What a checked token allows: the services act as `acting_as`, the
    administrator who issued it, whose rights it never exceeds."""

    token_id: str
    commune_id: str
    scope: ApiScope
    acting_as: str


class RecordApiWrite(Contract):
    """`directory.record_api_write`: a write made with a token, for the audit log."""

    token_id: TokenId
    operation: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    target: Annotated[str, StringConstraints(min_length=1, max_length=200)]


# --- what the API answers -------------------------------------------------------------


class ApiErrorDetail(Contract):
    code: str = Field(description="The error's class, e.g. InvalidInput, Forbidden, NotFound.")
    message: str = Field(description="One sentence for a person, in the request's language.")
    detail: str = Field(description="What exactly went wrong; empty for server errors.")
    fields: dict[str, str] = Field(description="Each refused field (dotted path) and why.")


class ApiError(Contract):
    """Every refusal and failure of the API, whatever its status."""

    error: ApiErrorDetail


class UnitHouseholds(Contract):
    """A thôn or tổ dân phố that exists today, with its households today."""

    id: str
    kind: UnitKind
    name: str
    local_label: str | None
    valid_from: date
    household_count: int = Field(ge=0)


class CommuneHouseholds(Contract):
    """A commune, its residential units and its households today (Law 10/2022 Art
    21.1: the count every threshold is measured against)."""

    commune: AdministrativeUnit
    province: AdministrativeUnit | None
    household_count: int = Field(ge=0)
    units: list[UnitHouseholds]


class DisclosureIndexQuery(Contract):
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)


class NewDisclosure(Contract):
    """A disclosure to post (Law 10/2022 Art 11-13); the same `request_id` again
    posts nothing new and answers the one posted."""

    request_id: RequestId
    category: DisclosureCategory
    title: Title
    summary: Body
    decision_ref: DecisionRef
    decision_date: date
    posted_from: date
    posted_to: date | None = None
    forms: list[DisclosureForm] = Field(min_length=1)
    loudspeaker_days: int | None = Field(default=None, ge=1, le=366)
    late_reason: Reason | None = None
    replaces: Text | None = None


class HouseholdRecord(Contract):
    """A household to register or update, by its code: a known code keeps its
    residence history."""

    code: HouseholdCode
    unit_id: Text
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    representative_name: PersonName
    members: list[Member] = Field(default=[], max_length=100)
    since: date


Cursor = Annotated[str, StringConstraints(pattern=r"^([1-9][0-9]{0,2}|1000)$")]


class PetitionsQuery(Contract):
    category: Slug | None = None
    unit_id: Text | None = None
    cursor: Cursor | None = Field(default=None, description="next_cursor of the page before.")


class PetitionPage(Contract):
    """Answered cases, newest answer first, masked as on the public list."""

    petitions: list[PublicCase]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null: last.")


class FiguresParams(Contract):
    year: int | None = Field(default=None, ge=2020, le=2100, description="This year if left out.")
    month: int | None = Field(default=None, ge=1, le=12)


class CoverageParams(Contract):
    year: int | None = Field(default=None, ge=2020, le=2100, description="This year if left out.")


class CoverageCount(Contract):
    """Holders of a position in a unit counted this year, and those trained (Law
    10/2022 Art 8.1); without the names of those not trained yet."""

    unit_id: str
    unit_name: str
    position: Position
    holders: int
    trained: int
    target_percent: int | None


class TrainingCoverage(Contract):
    commune_id: str
    year: int
    as_of: date
    targets: list[Target]
    rows: list[CoverageCount]
    totals: list[CoverageCount]


class HonourParams(Contract):
    year: Year | None = None
    title: HonourTitle | None = None
    unit: ShortText | None = None


class DisclosuresQuery(Contract):
    category: DisclosureCategory | None = Field(default=None, description="An item of Art 11.")
