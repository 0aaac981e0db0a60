"""The audit log of a commune, for its administrators and People's Inspection Board:
the directory's changes, the surveys' (polls, cards, paper and meeting entries,
sign-offs), the notifications' (disclosures posted, messages sent), the feedback
service's (cases handled, and each view of a denouncer's identity) and the training
service's (courses, registrations, attendance, certificates), newest first (Law
10/2022 Art 9: results must not be falsified)."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.audit_view import ACTIONS_VI, changes
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.staff import AuditLog, ListAudit
from shared.contracts.surveys import ListPolls, PollList
from shared.errors import ServiceUnavailable
from shared.i18n import N_, _

LIMIT = 200
# the other services' logs, by what each is about (said when one is down)
LOGS = (
    ("notifications", N_("thông báo, công khai")),
    ("feedback", N_("phản ánh, kiến nghị")),
    ("training", N_("tập huấn")),
    ("recognition", N_("khen thưởng, kỷ luật")),
    ("webhooks", N_("gửi sự kiện cho hệ thống khác")),
)


async def _surveys_log(request: Request, query: ListAudit) -> tuple[AuditLog, dict[str, str]]:
    """The surveys' entries and the titles of the commune's polls, which they target."""
    polls = ListPolls(commune_id=query.commune_id, include_scheduled=True)
    log, listed = await asyncio.gather(
        rpc(request).call("surveys", "list_audit", query.model_dump()),
        rpc(request).call("surveys", "list_polls", polls.model_dump()),
    )
    titles = {poll.id: poll.title for poll in PollList.model_validate(listed).polls}
    return AuditLog.model_validate(log), titles


@auth.staff_only
async def audit_log(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = ListAudit(actor=request.state.staff.username, commune_id=commune_id, limit=LIMIT)
    log = AuditLog.model_validate(
        await rpc(request).call("directory", "list_audit", query.model_dump())
    )
    names = (
        {overview.commune.id: overview.commune.name}
        | {item.unit.id: item.unit.name for item in overview.residential_units}
        | overview.unit_names  # former units too
    )
    entries, down = list(log.entries), []
    try:
        polls_log, titles = await _surveys_log(request, query)
    except ServiceUnavailable:
        down.append(N_("lấy ý kiến, biểu quyết"))
    else:
        entries += polls_log.entries
        names |= titles
    for service, about in LOGS:
        try:
            logged = await rpc(request).call(service, "list_audit", query.model_dump())
        except ServiceUnavailable:
            down.append(about)
        else:
            entries += AuditLog.model_validate(logged).entries
    entries = sorted(entries, key=lambda entry: entry.at, reverse=True)[:LIMIT]
    rows = [
        (
            entry,
            _(ACTIONS_VI.get(entry.action, entry.action)),
            names.get(entry.target, entry.target),
            changes(entry.before, entry.after, names),
        )
        for entry in entries
    ]
    context = {"overview": overview, "rows": rows, "down": down}
    return templates.TemplateResponse(request, "audit.html", context)


routes = [Route("/communes/{commune_id}/audit", audit_log, name="audit_log")]
