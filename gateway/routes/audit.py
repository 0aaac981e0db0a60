"""The audit log of a commune, for its administrators and People's Inspection Board."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.audit_view import ACTIONS_VI, changes
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.staff import AuditLog, ListAudit


@auth.staff_only
async def audit_log(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = ListAudit(actor=request.state.staff.username, commune_id=commune_id, limit=200)
    log = AuditLog.model_validate(
        await rpc(request).call("directory", "list_audit", query.model_dump())
    )
    names = (
        {overview.commune.id: overview.commune.name}
        | {item.unit.id: item.unit.name for item in overview.residential_units}
        | overview.unit_names  # former units too
    )
    rows = [
        (
            entry,
            ACTIONS_VI.get(entry.action, entry.action),
            names.get(entry.target, entry.target),
            changes(entry.before, entry.after, names),
        )
        for entry in log.entries
    ]
    return templates.TemplateResponse(request, "audit.html", {"overview": overview, "rows": rows})


routes = [Route("/communes/{commune_id}/audit", audit_log, name="audit_log")]
