"""Importing a commune's household list from a CSV or Excel file: upload it,
read the report row by row, apply all or only the valid households, and watch
the progress. The directory service checks and applies in the background; these
pages refresh themselves (no JavaScript) until it is done."""

import base64

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import auth, directory
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.imports import (
    CHUNK_BYTES,
    MAX_CHUNKS,
    AddImportChunk,
    ApplyImport,
    ImportList,
    ImportRef,
    ImportStatus,
    ImportSummary,
    ListImports,
    StartImport,
)
from shared.errors import Conflict, Forbidden, InvalidInput, parse
from shared.i18n import _
from shared.ids import new_id

TEMPLATE_FILES = ("mau-danh-sach-ho.xlsx", "mau-danh-sach-ho.csv")  # in gateway/static
BUSY = (ImportStatus.UPLOADING, ImportStatus.CHECKING, ImportStatus.APPLYING)
# The file's column headings (services/directory/roster.py): what the file must say, in
# Vietnamese whatever the page's language.
HEADINGS = {
    "code": "Mã hộ",  # i18n-exempt: a heading of the file
    "unit": "Tổ dân phố, thôn",  # i18n-exempt: a heading of the file
    "address": "Địa chỉ",  # i18n-exempt: a heading of the file
    "name": "Họ và tên",  # i18n-exempt: a heading of the file
    "relation": "Quan hệ với chủ hộ",  # i18n-exempt: a heading of the file
    "birth_year": "Năm sinh",  # i18n-exempt: a heading of the file
    "phone": "Số điện thoại",  # i18n-exempt: a heading of the file
    "since": "Cư trú từ ngày",  # i18n-exempt: a heading of the file
}


@auth.staff_only
async def imports(request: Request) -> Response:
    commune_id = request.path_params["commune_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    actor = request.state.staff.username
    listed = ImportList.model_validate(
        await rpc(request).call(
            "directory",
            "list_household_imports",
            ListImports(actor=actor, commune_id=commune_id).model_dump(),
        )
    )
    context = {
        "overview": overview,
        "imports": listed.imports,
        "request_id": new_id(),
        "error": None,
        "templates": TEMPLATE_FILES,
        "headings": HEADINGS,
        "may_edit": request.state.staff.works_in(commune_id),
    }
    if request.method == "GET":
        return templates.TemplateResponse(request, "imports.html", context)

    try:
        async with request.form(max_files=1, max_fields=5) as form:  # closes the temp file
            auth.check_csrf(request, form.get("csrf_token"))
            filename, content = await read_upload(form.get("file"))
        import_id = str(form.get("request_id", ""))
        await send_file(request, commune_id, import_id, filename, content)
    except (InvalidInput, Conflict) as refused:
        context["error"] = next(iter(refused.fields.values()), refused.detail or refused.message)
        return templates.TemplateResponse(
            request, "imports.html", context, status_code=refused.http_status
        )
    return RedirectResponse(
        request.url_for("import_report", commune_id=commune_id, import_id=import_id),
        status_code=303,
    )


async def read_upload(upload: object) -> tuple[str, bytes]:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(fields={"file": _("Vui lòng chọn tệp danh sách hộ (.xlsx hoặc .csv).")})
    content = await upload.read(CHUNK_BYTES * MAX_CHUNKS + 1)
    if len(content) > CHUNK_BYTES * MAX_CHUNKS:
        raise InvalidInput(
            fields={"file": _("Tệp quá lớn (tối đa 20 MB). Hãy chia theo tổ dân phố, thôn.")}
        )
    return upload.filename, content


async def send_file(
    request: Request, commune_id: str, import_id: str, filename: str, content: bytes
) -> None:
    """Hand the file to the directory in chunks, so no message is large."""
    actor = request.state.staff.username
    chunks = [content[i : i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)]
    start = parse(
        StartImport,
        {
            "actor": actor,
            "commune_id": commune_id,
            "import_id": import_id,
            "filename": filename,
            "chunk_count": max(len(chunks), 1),
        },
    )
    await rpc(request).call("directory", "start_household_import", start.model_dump())
    for index, chunk in enumerate(chunks or [b""]):
        part = AddImportChunk(
            actor=actor, import_id=import_id, index=index, data=base64.b64encode(chunk).decode()
        )
        await rpc(request).call("directory", "add_import_chunk", part.model_dump())
    ref = ImportRef(actor=actor, import_id=import_id)
    await rpc(request).call("directory", "finish_import_upload", ref.model_dump())


@auth.staff_only
async def import_report(request: Request) -> Response:
    commune_id, import_id = request.path_params["commune_id"], request.path_params["import_id"]
    overview = await directory.commune_overview(rpc(request), commune_id)
    record = await get_import(request, import_id)
    if record.commune_id != commune_id:
        raise Forbidden()
    context = {
        "overview": overview,
        "record": record,
        "busy": record.status in BUSY,
        "may_edit": request.state.staff.works_in(commune_id),
        "error": request.session.pop("import_error", None),
    }
    return templates.TemplateResponse(request, "import.html", context)


@auth.staff_only
async def apply_import(request: Request) -> Response:
    commune_id, import_id = request.path_params["commune_id"], request.path_params["import_id"]
    form = await request.form()
    auth.check_csrf(request, form.get("csrf_token"))
    command = parse(
        ApplyImport,
        {
            "actor": request.state.staff.username,
            "import_id": import_id,
            "valid_only": form.get("valid_only") == "yes",
        },
    )
    try:
        await rpc(request).call("directory", "apply_household_import", command.model_dump())
    except InvalidInput as refused:
        request.session["import_error"] = next(iter(refused.fields.values()), refused.message)
    return RedirectResponse(
        request.url_for("import_report", commune_id=commune_id, import_id=import_id),
        status_code=303,
    )


async def get_import(request: Request, import_id: str) -> ImportSummary:
    ref = parse(ImportRef, {"actor": request.state.staff.username, "import_id": import_id})
    reply = await rpc(request).call("directory", "get_household_import", ref.model_dump())
    return ImportSummary.model_validate(reply)


routes = [
    Route("/communes/{commune_id}/imports", imports, methods=["GET", "POST"], name="imports"),
    Route("/communes/{commune_id}/imports/{import_id}", import_report, name="import_report"),
    Route(
        "/communes/{commune_id}/imports/{import_id}/apply",
        apply_import,
        methods=["POST"],
        name="apply_import",
    ),
]
