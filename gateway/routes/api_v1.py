"""The JSON API at /api/v1, for provincial and other systems: what the public pages
show (communes and units with their households, polls and their frozen results,
the notice board, answered petitions and their figures, training coverage, the
honour board) and the writes integration needs (posting a disclosure,
registering a household), each with a commune's API token.

The route table below is both what is served and what /api/v1/openapi.json
describes (gateway/openapi.py). The services decide what is allowed, as for the
pages: a token acts as the administrator who issued it, on its commune only.
"""

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib.metadata import version
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import directory
from gateway.openapi import Operation, document
from gateway.routes.pages import rpc
from shared.calendar import vietnam_day
from shared.contracts.api import (
    ApiGrant,
    ApiScope,
    CheckApiToken,
    CommuneHouseholds,
    CoverageCount,
    CoverageParams,
    DisclosureIndexQuery,
    DisclosuresQuery,
    FiguresParams,
    HonourParams,
    HouseholdRecord,
    NewDisclosure,
    PetitionPage,
    PetitionsQuery,
    RecordApiWrite,
    TrainingCoverage,
    UnitHouseholds,
)
from shared.contracts.directory import CommuneList
from shared.contracts.disclosures import (
    Disclosure,
    DisclosureIndex,
    DisclosureList,
    GetDisclosure,
    ListDisclosures,
    PostDisclosure,
    QuarterlyIndex,
)
from shared.contracts.feedback import Figures, FiguresQuery, ListPublicCases, PublicCaseList
from shared.contracts.households import Household, RegisterHousehold
from shared.contracts.recognition import HonourBoard, HonourQuery
from shared.contracts.surveys import ListPolls, PollList, PollResults, ResultsQuery
from shared.contracts.training import Coverage, CoverageQuery
from shared.errors import InvalidInput, NotFound, NotSignedIn, ServiceUnavailable, parse
from shared.i18n import _

log = logging.getLogger(__name__)

MAX_SECRET_CHARS = 200
LAST_PAGE = 1000  # of answered petitions, as ListPublicCases allows (and Cursor's pattern)


@dataclass(frozen=True)
class Call:
    """One authorised API call: the request, what its token allows, and its
    validated query and body."""

    request: Request
    grant: ApiGrant
    query: Any = None
    body: Any = None

    @property
    def commune_id(self) -> str:
        return self.request.path_params["commune_id"]

    async def ask(self, service: str, method: str, command: BaseModel) -> Any:
        return await rpc(self.request).call(service, method, command.model_dump(mode="json"))


def _secret(request: Request) -> str:
    scheme, _space, secret = request.headers.get("authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > MAX_SECRET_CHARS:
        raise NotSignedIn(_("Cần mã truy cập API của xã, phường: Authorization: Bearer <mã>."))
    return secret


async def _grant(request: Request, scope: ApiScope) -> ApiGrant:
    """What the request's token allows, asked of the directory on every call."""
    check = CheckApiToken(
        secret=_secret(request), scope=scope, commune_id=request.path_params.get("commune_id")
    )
    reply = await rpc(request).call("directory", "check_api_token", check.model_dump(mode="json"))
    return ApiGrant.model_validate(reply)


async def _body(request: Request, model: type[BaseModel]) -> BaseModel:
    try:
        payload = json.loads(await request.body())
    except (ValueError, RecursionError):  # not JSON, or nested past what Python parses
        raise InvalidInput(fields={"body": _("Nội dung gửi lên phải là JSON.")}) from None
    if not isinstance(payload, dict):
        raise InvalidInput(fields={"body": _("Nội dung gửi lên phải là một đối tượng JSON.")})
    return parse(model, payload)


def serve(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of `operation`: the token checked first, then the input, then
    its handler, whose model is the answer."""

    async def endpoint(request: Request) -> Response:
        grant = await _grant(request, operation.scope)
        query = parse(operation.query, dict(request.query_params)) if operation.query else None
        body = await _body(request, operation.body) if operation.body else None
        answer = await operation.handler(Call(request, grant, query, body))
        assert isinstance(answer, operation.response)
        return JSONResponse(answer.model_dump(mode="json"), status_code=operation.status)

    return endpoint


async def _record_write(call: Call, target: str) -> None:
    """The write in the commune's audit log with the token that made it. The
    service that made the write logged it already, as the token's issuer: a
    directory that fails to answer now loses only the token's name."""
    request = call.request
    note = RecordApiWrite(
        token_id=call.grant.token_id,
        operation=f"{request.method} {request.url.path}"[:300],
        target=target,
    )
    try:
        await call.ask("directory", "record_api_write", note)
    except ServiceUnavailable:
        log.warning("API write %s by token %s not recorded", target, call.grant.token_id)


def _today() -> date:
    return vietnam_day(datetime.now(UTC))


# --- the operations ------------------------------------------------------------------


async def list_communes(call: Call) -> CommuneList:
    return await directory.communes(rpc(call.request))


async def get_commune(call: Call) -> CommuneHouseholds:
    overview = await directory.commune_overview(rpc(call.request), call.commune_id)
    units = [
        UnitHouseholds(
            id=item.unit.id,
            kind=item.unit.kind,
            name=item.unit.name,
            local_label=item.unit.local_label,
            valid_from=item.unit.valid_from,
            household_count=item.household_count,
        )
        for item in overview.residential_units
    ]
    return CommuneHouseholds(
        commune=overview.commune,
        province=overview.province,
        household_count=overview.household_count,
        units=units,
    )


async def list_polls(call: Call) -> PollList:
    return PollList.model_validate(
        await call.ask("surveys", "list_polls", ListPolls(commune_id=call.commune_id))
    )


async def get_poll_results(call: Call) -> PollResults:
    """As the public sees them: after closing, frozen, without free text."""
    query = ResultsQuery(poll_id=call.request.path_params["poll_id"])
    results = PollResults.model_validate(await call.ask("surveys", "get_results", query))
    if results.poll.commune_id != call.commune_id:
        raise NotFound()
    return results


async def list_disclosures(call: Call) -> DisclosureList:
    """What is on the notice board today (Law 10/2022 Art 11-13)."""
    category = call.query.category
    query = ListDisclosures(commune_id=call.commune_id, on=_today(), category=category)
    return DisclosureList.model_validate(await call.ask("notifications", "list_disclosures", query))


async def get_disclosure(call: Call) -> Disclosure:
    disclosure_id = call.request.path_params["disclosure_id"]
    query = GetDisclosure(commune_id=call.commune_id, disclosure_id=disclosure_id)
    return Disclosure.model_validate(await call.ask("notifications", "get_disclosure", query))


async def disclosure_index(call: Call) -> DisclosureIndex:
    query = QuarterlyIndex(commune_id=call.commune_id, **call.query.model_dump())
    return DisclosureIndex.model_validate(await call.ask("notifications", "quarterly_index", query))


async def post_disclosure(call: Call) -> Disclosure:
    command = PostDisclosure(
        actor=call.grant.acting_as, commune_id=call.commune_id, **call.body.model_dump()
    )
    posted = Disclosure.model_validate(await call.ask("notifications", "post_disclosure", command))
    await _record_write(call, posted.id)
    return posted


async def list_petitions(call: Call) -> PetitionPage:
    page = int(call.query.cursor or 1)
    chosen = call.query.model_dump(exclude={"cursor"})
    query = ListPublicCases(commune_id=call.commune_id, page=page, **chosen)
    listed = PublicCaseList.model_validate(await call.ask("feedback", "list_public_cases", query))
    more = listed.more and page < LAST_PAGE
    return PetitionPage(petitions=listed.cases, next_cursor=str(page + 1) if more else None)


async def petition_figures(call: Call) -> Figures:
    year = call.query.year or _today().year
    query = FiguresQuery(commune_id=call.commune_id, year=year, month=call.query.month)
    return Figures.model_validate(await call.ask("feedback", "figures", query))


def _counted(row: Any) -> CoverageCount:
    return CoverageCount.model_validate(row.model_dump(exclude={"missing"}))


async def training_coverage(call: Call) -> TrainingCoverage:
    """Counts only: who is not trained yet is for the commune's staff."""
    year = call.query.year or _today().year
    query = CoverageQuery(actor=call.grant.acting_as, commune_id=call.commune_id, year=year)
    coverage = Coverage.model_validate(await call.ask("training", "coverage", query))
    return TrainingCoverage(
        commune_id=coverage.commune_id,
        year=coverage.year,
        as_of=coverage.as_of,
        targets=coverage.targets,
        rows=[_counted(row) for row in coverage.rows],
        totals=[_counted(row) for row in coverage.totals],
    )


async def honour_board(call: Call) -> HonourBoard:
    query = HonourQuery(commune_id=call.commune_id, **call.query.model_dump())
    return HonourBoard.model_validate(await call.ask("recognition", "honour_board", query))


async def register_household(call: Call) -> Household:
    record: HouseholdRecord = call.body
    overview = await directory.commune_overview(rpc(call.request), call.commune_id)
    if record.unit_id not in {item.unit.id for item in overview.residential_units}:
        refusal = _("Không có thôn, tổ dân phố này trong xã, phường.")
        raise InvalidInput(fields={"unit_id": refusal})
    command = RegisterHousehold(actor=call.grant.acting_as, **record.model_dump())
    household = Household.model_validate(await call.ask("directory", "register_household", command))
    await _record_write(call, household.code)
    return household


COMMUNE = "/communes/{commune_id}"
READ, WRITE = ApiScope.READ, ApiScope.WRITE
OPERATIONS = [
    Operation(
        "GET", "/communes", "Communes, wards and special zones", READ, CommuneList, list_communes
    ),
    Operation(
        "GET",
        COMMUNE,
        "A commune, its units and their households",
        READ,
        CommuneHouseholds,
        get_commune,
    ),
    Operation("GET", COMMUNE + "/polls", "The commune's polls", READ, PollList, list_polls),
    Operation(
        "GET",
        COMMUNE + "/polls/{poll_id}/results",
        "A poll's results, frozen at closing (polls with public results)",
        READ,
        PollResults,
        get_poll_results,
    ),
    Operation(
        "GET",
        COMMUNE + "/disclosures",
        "What is on the notice board today",
        READ,
        DisclosureList,
        list_disclosures,
        query=DisclosuresQuery,
    ),
    Operation(
        "POST",
        COMMUNE + "/disclosures",
        "Post a disclosure on the notice board",
        WRITE,
        Disclosure,
        post_disclosure,
        body=NewDisclosure,
        status=201,
    ),
    Operation(
        "GET",
        COMMUNE + "/disclosures/{disclosure_id}",
        "One disclosure",
        READ,
        Disclosure,
        get_disclosure,
    ),
    Operation(
        "GET",
        COMMUNE + "/disclosure-index",
        "The quarterly index of disclosures",
        READ,
        DisclosureIndex,
        disclosure_index,
        query=DisclosureIndexQuery,
    ),
    Operation(
        "GET",
        COMMUNE + "/petitions",
        "Answered petitions and feedback, a page at a time",
        READ,
        PetitionPage,
        list_petitions,
        query=PetitionsQuery,
    ),
    Operation(
        "GET",
        COMMUNE + "/petition-figures",
        "Petitions received and answered, by unit and category",
        READ,
        Figures,
        petition_figures,
        query=FiguresParams,
    ),
    Operation(
        "GET",
        COMMUNE + "/training-coverage",
        "Training coverage of the positions against the year's targets",
        READ,
        TrainingCoverage,
        training_coverage,
        query=CoverageParams,
    ),
    Operation(
        "GET",
        COMMUNE + "/honour-board",
        "The honour board",
        READ,
        HonourBoard,
        honour_board,
        query=HonourParams,
    ),
    Operation(
        "POST",
        COMMUNE + "/households",
        "Register a household, or update one by its code",
        WRITE,
        Household,
        register_household,
        body=HouseholdRecord,
    ),
]


@cache
def openapi_document() -> dict[str, Any]:
    return document(OPERATIONS, version("danban"))


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi_document())


routes = [
    Route("/openapi.json", openapi_json, name="api_v1_openapi"),
    *(Route(op.path, serve(op), methods=[op.method]) for op in OPERATIONS),
]
