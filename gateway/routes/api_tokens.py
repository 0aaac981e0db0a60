"""A commune's API tokens, for its administrators: issue one (its secret shown
this once, never again), see who issued which and when, revoke one. The
directory service decides who may; a token itself is used at /api/v1."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.api import (
    ApiScope,
    ApiTokenList,
    IssueApiToken,
    IssuedApiToken,
    ListApiTokens,
    RevokeApiToken,
)
from shared.errors import Forbidden, InvalidInput, NotFound, parse
from shared.i18n import N_, _

PAGE = "/can-bo/xa/{commune_id}/api"
SCOPE_NAMES = {
    ApiScope.READ: N_("Chỉ đọc"),
    ApiScope.WRITE: N_("Đọc và ghi"),
}


async def _page(
    request: Request,
    issued: IssuedApiToken | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    query = ListApiTokens(actor=request.state.staff.username, commune_id=commune_id)
    listed = ApiTokenList.model_validate(
        await rpc(request).call("directory", "list_api_tokens", query.model_dump())
    )
    context = {
        "overview": overview,
        "tokens": listed.tokens,
        "issued": issued,
        "values": values or {"name": "", "scope": ApiScope.READ.value},
        "errors": errors or {},
        "scopes": list(ApiScope),
        "SCOPE_NAMES": SCOPE_NAMES,
        "api_url": str(request.base_url).rstrip("/") + "/api/v1",
    }
    response = templates.TemplateResponse(
        request, "api_tokens.html", context, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"  # it may carry a secret shown once
    return response


@auth.staff_only
async def tokens_page(request: Request) -> Response:
    if request.method == "GET":
        return await _page(request)
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    values = {field: str(form.get(field, "")).strip() for field in ("name", "scope")}
    try:
        command = parse(
            IssueApiToken,
            {
                "actor": request.state.staff.username,
                "commune_id": request.path_params["commune_id"],
                **values,
            },
        )
        reply = await rpc(request).call("directory", "issue_api_token", command.model_dump())
    except (InvalidInput, Forbidden) as refused:
        errors = refused.fields or {"__root__": refused.detail or refused.message}
        return await _page(request, None, values, errors, refused.http_status)
    # Shown on this answer, not after a redirect: the session cookie is signed, not
    # encrypted, and the secret must never be stored anywhere.
    return await _page(request, IssuedApiToken.model_validate(reply))


@auth.staff_only
async def revoke(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    commune_id = request.path_params["commune_id"]
    try:
        command = parse(
            RevokeApiToken,
            {
                "actor": request.state.staff.username,
                "commune_id": commune_id,
                "token_id": request.path_params["token_id"],
            },
        )
        await rpc(request).call("directory", "revoke_api_token", command.model_dump())
    except (InvalidInput, NotFound) as refused:
        errors = {"__root__": refused.detail or refused.message}
        return await _page(request, None, None, errors, refused.http_status)
    request.session["flash"] = _("Đã thu hồi mã truy cập API; mã này không dùng được nữa.")
    return RedirectResponse(request.url_for("api_tokens", commune_id=commune_id), status_code=303)


routes = [
    Route(PAGE, tokens_page, methods=["GET", "POST"], name="api_tokens"),
    Route(PAGE + "/{token_id}/thu-hoi", revoke, methods=["POST"], name="revoke_api_token"),
]
