"""The commune's reports of commendations and of discipline, for a year or every year:
a table, a bar chart drawn on the server, and a CSV for a spreadsheet.

Commune staff and the People's Inspection Board read the commendation report; the
commune's leaders and the Board the discipline report, which has counts and no
names. The recognition service decides who reads which."""

import asyncio
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.forms import attachment
from gateway.recognition_chart import bars_svg, report_bars, report_table, total
from gateway.results_csv import spreadsheet
from gateway.routes.pages import rpc
from gateway.routes.recognition import call, today
from gateway.templating import templates
from shared.contracts.recognition import (
    CASE_STATUS_VI,
    FORM_NAMES_VI,
    STAFF_TYPE_NAMES_VI,
    STATUS_NAMES_VI,
    TITLE_NAMES_VI,
    Report,
    ReportQuery,
)
from shared.i18n import N_, _

YEARS_BACK = 6  # the years offered in the filter


@dataclass(frozen=True)
class Kind:
    """One report: where it is, what the service calls it, its words."""

    path: str
    method: str
    title: str  # the words are marked for the catalog, translated where shown
    group: str  # the column of ReportRow.group
    detail: str  # of ReportRow.detail
    labels: dict[str, str]  # the service's keys in words
    filename: str
    amounts: bool  # commendations carry their awards' total


COMMENDATIONS = Kind(
    path="/can-bo/xa/{commune_id}/khen-thuong/bao-cao",
    method="commendation_report",
    title=N_("Báo cáo khen thưởng"),
    group=N_("Danh hiệu, hình thức khen thưởng"),
    detail=N_("Đơn vị"),
    labels={**TITLE_NAMES_VI, **STATUS_NAMES_VI},
    filename="khen-thuong",
    amounts=True,
)
DISCIPLINE = Kind(
    path="/can-bo/xa/{commune_id}/ky-luat/bao-cao",
    method="discipline_report",
    title=N_("Báo cáo xử lý kỷ luật"),
    group=N_("Hình thức kỷ luật"),
    detail=N_("Tình trạng"),
    labels={**FORM_NAMES_VI, **CASE_STATUS_VI, **STAFF_TYPE_NAMES_VI},
    filename="ky-luat",
    amounts=False,
)


def _year(request: Request) -> int | None:
    """`?nam=`; every year without it."""
    typed = request.query_params.get("nam", "")
    return int(typed) if typed.isdigit() and 2000 <= int(typed) <= 2100 else None


async def _report(request: Request, kind: Kind, commune_id: str) -> list[dict]:
    query = ReportQuery(
        actor=request.state.staff.username, commune_id=commune_id, year=_year(request)
    )
    report = Report.model_validate(await call(request, kind.method, query))
    return report_table(report, kind.labels)


def _page(kind: Kind) -> auth.Endpoint:
    @auth.staff_only
    async def report_page(request: Request) -> Response:
        commune_id = request.path_params["commune_id"]
        overview, lines = await asyncio.gather(
            directory.commune_overview(rpc(request), commune_id),
            _report(request, kind, commune_id),
        )
        year = _year(request)
        if year:
            title = _("{report} năm {year}").format(report=_(kind.title), year=year)
        else:
            title = _("{report} các năm").format(report=_(kind.title))
        this_year = today().year
        context = {
            "overview": overview,
            "kind": kind,
            "here": kind.path.format(commune_id=commune_id),
            "year": year,
            "years": range(this_year, this_year - YEARS_BACK, -1),
            "title": title,
            "lines": lines,
            "total": total(lines),
            "chart": bars_svg(f"{kind.filename}-chart", title, report_bars(lines)),
        }
        return templates.TemplateResponse(request, "recognition_report.html", context)

    return report_page


def _download(kind: Kind) -> auth.Endpoint:
    @auth.staff_only
    async def report_csv(request: Request) -> Response:
        commune_id = request.path_params["commune_id"]
        lines = await _report(request, kind, commune_id)
        header = [_("Năm"), _(kind.group), _(kind.detail), _("Số lượng")]
        rows = [[line["year"], line["group"], line["detail"], line["count"]] for line in lines]
        if kind.amounts:
            header.append(_("Tiền thưởng (đồng)"))
            rows = [row + [line["amount"]] for row, line in zip(rows, lines, strict=True)]
        filename = f"{kind.filename}-{commune_id}-{_year(request) or 'cac-nam'}.csv"
        return Response(
            spreadsheet(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": attachment(filename)},
        )

    return report_csv


routes = [
    route
    for kind in (COMMENDATIONS, DISCIPLINE)
    for route in (
        Route(kind.path, _page(kind), name=f"{kind.method}_page"),
        Route(kind.path + ".csv", _download(kind), name=f"{kind.method}_csv"),
    )
]
