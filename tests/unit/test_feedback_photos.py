import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from shared.contracts.feedback import PHOTO_MAX_BYTES
from shared.errors import InvalidInput
from shared.uploads import (
    ATTACHMENT_NOT_ACCEPTED_VI,
    NOT_ACCEPTED_VI,
    NOT_AN_IMAGE_VI,
    TOO_MANY_PIXELS_VI,
    clean_attachment,
    clean_photo,
    safe_filename,
)

GPS_INFO, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112


def camera_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: its make and model, where the photo was taken."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Phone 12"
    exif[ORIENTATION] = orientation
    exif[GPS_INFO] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    return exif


def image_bytes(fmt: str, size=(40, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode != "1" else 1).save(out, fmt, **save)
    return out.getvalue()


def reopened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(image: Image.Image) -> None:
    assert len(image.getexif()) == 0
    for key in ("exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"):
        assert key not in image.info


def assert_refused(data: bytes, message: str, field: str = "photos") -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_photo(data)
    assert refused.value.detail == message
    assert refused.value.fields == {field: message}


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` (with a valid CRC)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = bytearray(data[12:29])  # "IHDR" + 13 bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


# --- metadata removed ---


def test_a_jpeg_loses_its_gps_camera_exif_icc_and_comment():
    icc = b"\0" * 128  # any bytes: Pillow stores the profile without reading it
    data = image_bytes("JPEG", exif=camera_exif(), icc_profile=icc, comment=b"Nha ong A")
    assert GPS_INFO in reopened(data).getexif()  # the test image does carry them

    cleaned, content_type = clean_photo(data)

    assert content_type == "image/jpeg"
    image = reopened(cleaned)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert_no_metadata(image)
    assert b"PhoneMaker" not in cleaned and b"Nha ong A" not in cleaned


def test_a_png_loses_its_text_chunks_and_exif():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Nguyen Van A, 0912345678")
    data = image_bytes("PNG", pnginfo=text, exif=camera_exif())
    assert "Author" in reopened(data).info

    cleaned, content_type = clean_photo(data)

    assert content_type == "image/png"
    image = reopened(cleaned)
    assert image.format == "PNG"
    assert "Author" not in image.info
    assert_no_metadata(image)


def test_a_webp_stays_webp_without_its_exif():
    data = image_bytes("WEBP", exif=camera_exif())

    cleaned, content_type = clean_photo(data)

    assert content_type == "image/webp"
    image = reopened(cleaned)
    assert image.format == "WEBP"
    assert image.size == (40, 30)
    assert_no_metadata(image)


def test_a_png_keeps_its_transparency():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")

    cleaned, _ = clean_photo(out.getvalue())

    assert reopened(cleaned).getpixel((0, 0))[3] == 0


def test_a_grey_jpeg_is_kept_as_rgb():
    cleaned, _ = clean_photo(image_bytes("JPEG", mode="L"))

    assert reopened(cleaned).mode == "RGB"


# --- turned upright and downscaled ---


def test_the_camera_orientation_is_applied_then_dropped():
    data = image_bytes("JPEG", size=(20, 10), exif=camera_exif(orientation=6))

    image = reopened(clean_photo(data)[0])

    assert image.size == (10, 20)  # rotated as the phone was held
    assert ORIENTATION not in image.getexif()  # not turned a second time by a viewer


def test_a_large_photo_is_downscaled_to_2048_on_its_longest_side():
    data = image_bytes("PNG", size=(4096, 1024), mode="1")  # 1-bit: small to build

    image = reopened(clean_photo(data)[0])

    assert image.size == (2048, 512)


def test_a_small_photo_is_not_enlarged():
    assert reopened(clean_photo(image_bytes("JPEG", size=(300, 200)))[0]).size == (300, 200)


# --- refused ---


def test_a_text_file_named_jpg_is_refused_whatever_its_name():
    assert_refused(b"Day la mot tep van ban, khong phai anh.\n" * 10, NOT_ACCEPTED_VI)


def test_an_html_script_payload_is_refused():
    assert_refused(b"<html><script>alert(document.cookie)</script></html>", NOT_ACCEPTED_VI)


def test_an_image_of_another_format_is_refused():
    assert_refused(image_bytes("GIF"), NOT_ACCEPTED_VI)


def test_a_truncated_jpeg_is_refused_as_not_a_valid_image():
    data = image_bytes("JPEG", size=(400, 300))

    assert_refused(data[: len(data) // 2], NOT_AN_IMAGE_VI)


def test_a_file_over_the_size_limit_is_refused_before_decoding():
    assert_refused(b"\xff\xd8\xff" + b"\0" * PHOTO_MAX_BYTES, NOT_ACCEPTED_VI)


def test_an_image_of_more_than_40_megapixels_is_refused_from_its_header():
    assert_refused(png_claiming_size(8000, 6000), TOO_MANY_PIXELS_VI)  # 48 MP


def test_a_decompression_bomb_is_refused():
    assert_refused(png_claiming_size(30_000, 30_000), TOO_MANY_PIXELS_VI)  # 900 MP


# --- attachments of staff answers ---


def test_a_pdf_attachment_is_kept_as_sent():
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

    assert clean_attachment(pdf, "Báo cáo kết quả.pdf") == (
        pdf,
        "application/pdf",
        "Báo_cáo_kết_quả.pdf",
    )


def test_an_image_attachment_is_cleaned_like_a_photo():
    data = image_bytes("JPEG", exif=camera_exif())

    cleaned, content_type, filename = clean_attachment(data, "hien-truong.JPG")

    assert (content_type, filename) == ("image/jpeg", "hien-truong.JPG")
    assert_no_metadata(reopened(cleaned))


def test_an_attachment_is_named_as_its_content_type():
    _, _, filename = clean_attachment(image_bytes("PNG"), "invoice.exe")

    assert filename == "invoice.exe.png"


def test_an_executable_attachment_is_refused():
    with pytest.raises(InvalidInput) as refused:
        clean_attachment(b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, "setup.exe")

    assert refused.value.fields == {"attachments": ATTACHMENT_NOT_ACCEPTED_VI}


def test_a_corrupt_image_attachment_says_so_on_the_attachments_field():
    data = image_bytes("JPEG", size=(400, 300))

    with pytest.raises(InvalidInput) as refused:
        clean_attachment(data[:300], "anh.jpg")

    assert refused.value.fields == {"attachments": NOT_AN_IMAGE_VI}


def test_a_pdf_over_10_mb_is_refused():
    with pytest.raises(InvalidInput) as refused:
        clean_attachment(b"%PDF-1.7\n" + b"\0" * (10 * 1024 * 1024), "big.pdf")

    assert "attachments" in refused.value.fields


@pytest.mark.parametrize(
    "sent, safe",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\lan\\Desktop\\don.pdf", "don.pdf"),
        (".htaccess", "htaccess"),
        ("a b;c<d>.pdf", "a_b_c_d_.pdf"),
        ("", "tep-dinh-kem"),
        ("../", "tep-dinh-kem"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_a_filename_is_reduced_to_a_safe_basename(sent, safe):
    assert safe_filename(sent) == safe
