"""Photos residents send with a case, and the files staff attach to an answer.

Everything uploaded is untrusted. A photo is accepted only if Pillow decodes it as
JPEG, PNG or WebP (never by its name or declared type), turned upright, made at
most 2048 px on its longest side, and re-encoded from its pixels alone: a phone's
EXIF carries where and when it was taken (GPS) and on which device, which must not
follow the photo onto a case that staff, and in part the public, see. A PDF is kept
as sent. Pure: no I/O.
"""

import contextlib
import io
import re
import unicodedata

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.contracts.feedback import PHOTO_MAX_BYTES
from shared.errors import InvalidInput
from shared.i18n import N_

MAX_PIXELS = 40_000_000  # phones take 12-16 MP; far more in 5 MB is a decompression bomb
LONGEST_SIDE = 2048  # enough to read a sign or see a pothole
PDF_MAX_BYTES = 10 * 1024 * 1024
FILENAME_MAX_CHARS = 100

# Pillow's format name → what we serve it as.
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# How each is re-encoded: JPEG and WebP lossy at quality 85, PNG lossless.
SAVE_OPTIONS: dict[str, dict[str, int]] = {
    "JPEG": {"quality": 85},
    "PNG": {},
    "WEBP": {"quality": 85},
}
PDF = "application/pdf"
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    PDF: (".pdf",),
}

NOT_ACCEPTED_VI = N_("Ảnh phải là tệp JPG, PNG hoặc WebP, tối đa 5 MB.")
NOT_AN_IMAGE_VI = N_("Tệp này không phải là ảnh hợp lệ.")
TOO_MANY_PIXELS_VI = N_("Ảnh quá lớn: tối đa 40 triệu điểm ảnh.")
ATTACHMENT_NOT_ACCEPTED_VI = N_(
    "Tệp đính kèm phải là PDF (tối đa 10 MB) hoặc ảnh JPG, PNG, WebP (tối đa 5 MB)."
)

_UNSAFE_IN_FILENAME = re.compile(r"[^\w.\-]")


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """The photo re-encoded upright, at most LONGEST_SIDE px, without any metadata,
    in its own format; and its content type. InvalidInput if it is not one."""
    if len(data) > PHOTO_MAX_BYTES:
        raise _refused(NOT_ACCEPTED_VI)
    image = _decode(data)
    kind = str(image.format)
    image = _pixels_only(_upright_and_small(image, CONTENT_TYPES[kind]))
    out = io.BytesIO()
    image.save(out, kind, **SAVE_OPTIONS[kind])
    return out.getvalue(), CONTENT_TYPES[kind]


def clean_attachment(data: bytes, filename: str) -> tuple[bytes, str, str]:
    """A staff answer's attachment: a PDF as sent, or a photo through clean_photo;
    with a filename safe to store and serve, ending as its content type does."""
    if data.startswith(b"%PDF-"):
        if len(data) > PDF_MAX_BYTES:
            raise InvalidInput(
                ATTACHMENT_NOT_ACCEPTED_VI, {"attachments": ATTACHMENT_NOT_ACCEPTED_VI}
            )
        return data, PDF, _with_extension(safe_filename(filename), PDF)
    try:
        cleaned, content_type = clean_photo(data)
    except InvalidInput as error:
        # Not an image at all: say what an attachment may be, not just a photo.
        message = ATTACHMENT_NOT_ACCEPTED_VI if error.detail == NOT_ACCEPTED_VI else error.detail
        raise InvalidInput(message, {"attachments": message}) from None
    return cleaned, content_type, _with_extension(safe_filename(filename), content_type)


def safe_filename(filename: str) -> str:
    """The name without any folder (browsers on Windows send "C:\\..."), only
    letters, digits and ._- , no leading dot, at most FILENAME_MAX_CHARS."""
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", filename))[-1]
    name = _UNSAFE_IN_FILENAME.sub("_", name).lstrip(".")
    if len(name) > FILENAME_MAX_CHARS:
        stem, dot, extension = name.rpartition(".")
        keep = dot + extension if stem and len(extension) <= 10 else ""  # cut the stem
        name = name[: FILENAME_MAX_CHARS - len(keep)] + keep
    return name or "tep-dinh-kem"


def _decode(data: bytes) -> Image.Image:
    """Decode `data` fully with only the three accepted decoders, checking the
    pixel count from the header before any pixel is decoded."""
    try:
        with Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise _refused(TOO_MANY_PIXELS_VI)
            probe.verify()
        # verify() leaves the image unusable: decode it again, this time the pixels
        # (a truncated file fails here).
        image = Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES))
        image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit, met in Image.open (the warning when warnings are errors).
        raise _refused(TOO_MANY_PIXELS_VI) from None
    except UnidentifiedImageError:
        raise _refused(NOT_ACCEPTED_VI) from None
    except Exception:  # hostile bytes make Pillow raise many kinds of errors
        raise _refused(NOT_AN_IMAGE_VI) from None
    return image


def _upright_and_small(image: Image.Image, content_type: str) -> Image.Image:
    """Turned as the camera's EXIF orientation says, in a mode its format keeps
    (JPEG: RGB), at most LONGEST_SIDE px on its longest side."""
    with contextlib.suppress(Exception):  # a broken EXIF block: keep the pixels as stored
        image = ImageOps.exif_transpose(image)
    if content_type == "image/jpeg" and image.mode != "RGB":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA"):
        # Palette, grey and 1-bit images: resized smoothly, transparency kept.
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixels alone: no EXIF, GPS, ICC, XMP, comment or text
    chunk can ride along, whatever Pillow's encoders copy from `info` by default."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _with_extension(name: str, content_type: str) -> str:
    """The name ending as its content type does, so a download opens with the
    right program ("scan.exe" holding a JPEG becomes "scan.exe.jpg")."""
    extensions = EXTENSIONS[content_type]
    if name.lower().endswith(extensions):
        return name
    return name[: FILENAME_MAX_CHARS - len(extensions[0])] + extensions[0]


def _refused(message: str) -> InvalidInput:
    return InvalidInput(message, {"photos": message})
