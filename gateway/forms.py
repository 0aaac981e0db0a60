"""What staff pages share beyond templates: a form's command with the page's own
errors added to the model's, and a file to download."""

import unicodedata
from urllib.parse import quote

from pydantic import BaseModel
from starlette.responses import Response

from shared.errors import InvalidInput, parse


def parse_form[M: BaseModel](model: type[M], payload: dict, errors: dict[str, str]) -> M:
    """The command, or InvalidInput with the gateway's own `errors` and the model's."""
    try:
        command = parse(model, payload)
    except InvalidInput as refused:
        raise InvalidInput(fields={**refused.fields, **errors}) from None
    if errors:
        raise InvalidInput(fields=errors)
    return command


def attachment(filename: str) -> str:
    """A Content-Disposition to save a file, named in ASCII for old browsers and in
    UTF-8 for others (RFC 6266)."""
    dotless = filename.replace("đ", "d").replace("Đ", "D")  # i18n-exempt: letters, not text
    plain = unicodedata.normalize("NFKD", dotless)
    plain = plain.encode("ascii", "ignore").decode().replace('"', "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def pdf_download(content: bytes, filename: str) -> Response:
    """A PDF to save."""
    return Response(
        content, media_type="application/pdf", headers={"Content-Disposition": attachment(filename)}
    )
