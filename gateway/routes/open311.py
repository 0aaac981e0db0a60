"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only, so that
apps and city dashboards that speak it can file and follow feedback cases. Mounted
at /api/open311/v2.

A jurisdiction is a commune (its id), a service is one of its active categories (no
extra attributes), and a service request is a case, its id the case's receipt code.
What a request shows is what the public case page shows (masked text, no identity,
no photos: those are the filer's). Errors are Open311's: a list of
{"code", "description"} with the same HTTP status."""

import functools
import hashlib
from datetime import datetime, time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import directory
from gateway.auth import Endpoint
from gateway.feedback_forms import blank_filing, call, categories, filing_command
from gateway.routes.ballots import client_key, sender
from gateway.routes.feedback import TOO_MANY_FILINGS, tracked
from gateway.routes.pages import rpc
from shared.calendar import VIETNAM
from shared.contracts.directory import CommuneOverview
from shared.contracts.feedback import (
    CaseReceipt,
    CaseStatus,
    ListPublicCases,
    PublicCase,
    PublicCaseList,
)
from shared.errors import InvalidInput, NotFound, WireError, parse
from shared.i18n import N_, _, format_day, translate
from shared.ids import new_id

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-05T00:00:00+07:00"  # when this API last changed
TITLE_CHARS = 80  # a request has no title: the description's start is the case's
GROUP = N_("Phản ánh, kiến nghị")
CLOSED = (CaseStatus.ANSWERED, CaseStatus.CLOSED)
# Our fields by their Open311 names, to say which parameter a refusal is about.
PARAMETERS = {
    "commune_id": "jurisdiction_id",
    "category": "service_code",
    "text": "description",
    "title": "title",
    "place": "lat, long",
    "place.latitude": "lat",
    "place.longitude": "long",
    "place.address": "address_string",
    "contact.name": "first_name, last_name",
    "contact.phone": "phone",
    "contact.email": "email",
    "request_id": "request_id",
}
MEDIA_NOT_FETCHED = N_(
    "media_url không được tải về: hãy gửi ảnh qua trang gửi phản ánh trên cổng DânBàn."
)


def _errors(status: int, descriptions: list[str]) -> JSONResponse:
    return JSONResponse(
        [{"code": status, "description": text} for text in descriptions], status_code=status
    )


def open311_errors(endpoint: Endpoint) -> Endpoint:
    """Refusals as Open311 errors rather than the gateway's own JSON."""

    @functools.wraps(endpoint)
    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except WireError as refused:
            status = 400 if refused.http_status == 422 else refused.http_status
            if refused.fields:
                fields = refused.fields.items()
                return _errors(status, [f"{PARAMETERS.get(k, k)}: {v}" for k, v in fields])
            return _errors(status, [refused.detail or refused.message])
        except HTTPException as refused:
            return _errors(refused.status_code, [str(refused.detail)])

    return answered


def _jurisdiction(request: Request) -> str:
    commune_id = request.query_params.get("jurisdiction_id", "").strip()
    if not commune_id:
        raise InvalidInput(fields={"commune_id": _("Cần jurisdiction_id: mã của xã, phường.")})
    return commune_id


def _moment(moment: datetime) -> str:
    """W3C date and time, in Vietnam's time: 2026-12-01T09:00:00+07:00."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def service_request(case: PublicCase, overview: CommuneOverview) -> dict[str, Any]:
    """A case as an Open311 service request. PublicCase carries no coordinates or
    address: the residential group is the address, and lat/long are null."""
    last = case.timeline[-1] if case.timeline else None
    moments = [case.received_at, *(step.at for step in case.timeline)]
    if case.answer:
        moments.append(case.answer.at)
    units = {item.unit.id: item.unit.name for item in overview.residential_units}
    units = overview.unit_names | units
    expected = datetime.combine(case.due, time(23, 59, 59), VIETNAM) if case.due else None
    return {
        # The receipt code is the filer's (their key to the case): a case on the public
        # list has none, and is named by its id, which requests/{id}.json does not open.
        "service_request_id": case.code or case.case_id,
        "status": "closed" if case.status in CLOSED else "open",
        "status_notes": case.answer.text if case.answer else translate(last.note if last else ""),
        "service_name": translate(case.category_name),
        "service_code": case.category,
        "description": case.text,
        "agency_responsible": _("UBND {commune}").format(commune=overview.commune.name),
        "service_notice": "",
        "requested_datetime": _moment(case.received_at),
        "updated_datetime": _moment(max(moments)),
        "expected_datetime": _moment(expected) if expected else None,
        "address": units.get(case.unit_id, "") if case.unit_id else "",
        "lat": None,
        "long": None,
    }


# --- endpoints ------------------------------------------------------------------


async def discovery(request: Request) -> Response:
    base = request.app.state.settings.public_url.rstrip("/")
    return JSONResponse(
        {
            "changeset": CHANGESET,
            "contact": _("Bộ phận tiếp công dân của UBND xã, phường"),
            "key_service": _("Không cần khóa API (api_key)."),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{base}/api/open311/v2",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@open311_errors
async def services(request: Request) -> Response:
    offered = await categories(request, _jurisdiction(request))
    return JSONResponse(
        [
            {
                "service_code": category.key,
                "service_name": translate(category.name),
                "description": translate(category.name),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": _(GROUP),
            }
            for category in offered.categories
            if category.active
        ]
    )


@open311_errors
async def service_definition(request: Request) -> Response:
    code = request.path_params["service_code"]
    offered = await categories(request, _jurisdiction(request))
    if not any(category.key == code and category.active for category in offered.categories):
        raise NotFound(_("Không có lĩnh vực (service_code) {code}.").format(code=code))
    return JSONResponse({"service_code": code, "attributes": []})


async def _submitted(request: Request) -> dict[str, str]:
    """The parameters as form fields (the standard) or a JSON object."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise InvalidInput(_("Nội dung JSON không đọc được.")) from None
        if not isinstance(body, dict):
            raise InvalidInput(_("Cần một đối tượng JSON."))
        return {str(k): "" if v is None else str(v).strip() for k, v in body.items()}
    form = await request.form()
    return {key: value.strip() for key, value in form.items() if isinstance(value, str)}


def _request_id(request: Request, given: str) -> str:
    """The same case for a client's retry: its request_id or Idempotency-Key, hashed
    with the gateway's secret and the sender, so one client's key never returns
    another's case; a random id when it gives none."""
    key = given or request.headers.get("idempotency-key", "")
    if not key:
        return new_id()
    secret = request.app.state.settings.secret_key
    return hashlib.sha256(f"{secret}|{sender(request)}|{key}".encode()).hexdigest()[:32]


def _title(description: str) -> str:
    """A request has no title: the description's first words make the case's."""
    if len(description) <= TITLE_CHARS:
        return description
    return description[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def _filing(request: Request, given: dict[str, str]) -> dict[str, Any]:
    """The filing form's values, from Open311's parameters (device_id, account_id
    and api_key are not used; media_url is not fetched)."""
    name = f"{given.get('first_name', '')} {given.get('last_name', '')}".strip()
    return blank_filing() | {
        "request_id": _request_id(request, given.get("request_id", "")),
        "category": given.get("service_code", ""),
        "title": given.get("title") or _title(given.get("description", "")),
        "text": given.get("description", ""),
        "place.address": given.get("address_string", ""),
        "place.latitude": given.get("lat", ""),
        "place.longitude": given.get("long", ""),
        "contact.name": name,
        "contact.phone": given.get("phone", ""),
        "contact.email": given.get("email", ""),
    }


async def create_request(request: Request) -> Response:
    filings = request.app.state.filings
    if filings.blocked(sender(request)):
        return _errors(429, [_(TOO_MANY_FILINGS)])
    given = await _submitted(request)
    command = filing_command(
        _filing(request, given),
        [],
        {},
        commune_id=given.get("jurisdiction_id", ""),
        source=client_key(request),
    )
    receipt = CaseReceipt.model_validate(await call(request, "file_case", command))
    filings.record(sender(request))
    notice = _("Đã tiếp nhận. Hạn thông báo cách xử lý: {day}.").format(
        day=format_day(receipt.inform_due)
    )
    if given.get("media_url"):
        notice += " " + _(MEDIA_NOT_FETCHED)
    reply = [{"service_request_id": receipt.code, "service_notice": notice, "account_id": None}]
    return JSONResponse(reply, status_code=201)


@open311_errors
async def service_requests(request: Request) -> Response:
    if request.method == "POST":
        return await create_request(request)
    commune_id = _jurisdiction(request)
    page = request.query_params.get("page", "1")
    query = parse(
        ListPublicCases,
        {
            "commune_id": commune_id,
            "category": request.query_params.get("service_code") or None,
            "page": page if page.isdigit() else 1,
        },
    )
    listed = PublicCaseList.model_validate(await call(request, "list_public_cases", query))
    overview = await directory.commune_overview(rpc(request), commune_id)
    return JSONResponse([service_request(case, overview) for case in listed.cases])


@open311_errors
async def one_request(request: Request) -> Response:
    case = await tracked(request, request.path_params["service_request_id"])
    overview = await directory.commune_overview(rpc(request), case.commune_id)
    return JSONResponse([service_request(case, overview)])


routes = [
    Route("/discovery.json", discovery),
    Route("/services.json", services),
    Route("/services/{service_code}.json", service_definition),
    Route("/requests.json", service_requests, methods=["GET", "POST"]),
    Route("/requests/{service_request_id}.json", one_request),
]
