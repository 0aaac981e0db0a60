"""A training certificate (giấy chứng nhận) as an A4 landscape PDF to print: whose,
which course, when completed, and the code anyone can check, typed out and in a QR
code that opens its public check ({site}/chung-nhan/{code}). Fonts and QR codes:
gateway/pdf_kit.py."""

from fpdf import FPDF

from gateway.pdf_kit import add_fonts, draw_qr, qr_code
from gateway.templating import vn_date
from shared.contracts.training import Certificate
from shared.i18n import _, format_day, translate

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, millimetres
MARGIN = 18.0  # inside the frame
BODY_W = PAGE_W - 2 * MARGIN
QR_SIZE = 46.0  # quiet zone included
QR_LEFT, QR_TOP = MARGIN - 2, PAGE_H - MARGIN - QR_SIZE + 2  # bottom left
RED = (150, 20, 20)
TITLE_LINES = 2


def check_url(site: str, code: str) -> str:
    return f"{site.rstrip('/')}/chung-nhan/{code}"


def certificate_pdf(certificate: Certificate, site: str, font_dir: str) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("DânBàn")
    add_fonts(pdf, font_dir)
    title = _("Giấy chứng nhận: {course} – {name}")
    pdf.set_title(title.format(course=certificate.course_title, name=certificate.person.full_name))
    pdf.add_page()
    frame(pdf)
    _heading(pdf, certificate.commune_name)
    pdf.set_text_color(*RED)
    line(pdf, _("GIẤY CHỨNG NHẬN"), 50, 30, "B")
    pdf.set_text_color(0)
    line(pdf, _("Đã hoàn thành khóa tập huấn"), 66, 14)
    y = _title(pdf, certificate.course_title, 75)
    # the pages' message (a "Năm {year}" would match any stored text that starts "Năm ")
    line(pdf, _("Năm %(year)s") % {"year": certificate.year}, y + 1, 12)
    line(pdf, _("Cấp cho ông/bà"), y + 11, 12)
    line(pdf, certificate.person.full_name, y + 18, 22, "B")
    attended = _("Ngày hoàn thành: {day} · Số buổi đã tham dự: {sessions}").format(
        day=vn_date(certificate.completed_on), sessions=certificate.sessions_attended
    )
    line(pdf, attended, y + 30, 12)
    if certificate.revoked:
        pdf.set_text_color(*RED)
        # a reason the service wrote (attendance corrected) is read in the reader's language
        why = f": {translate(certificate.revoked_reason)}" if certificate.revoked_reason else ""
        line(pdf, _("GIẤY CHỨNG NHẬN NÀY ĐÃ BỊ THU HỒI") + why, y + 39, 13, "B")
        pdf.set_text_color(0)
    how = _(
        "Kiểm tra giấy chứng nhận: quét mã QR bằng điện thoại, hoặc vào "
        "{site}/chung-nhan và nhập mã xác minh."
    ).format(site=site.rstrip("/"))
    verification(pdf, check_url(site, certificate.code), certificate.code, how, 118.0, 24)
    _place_and_date(pdf, certificate)
    return bytes(pdf.output())


def frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(10.5, 10.5, PAGE_W - 21, PAGE_H - 21)
    pdf.set_draw_color(0)


def _heading(pdf: FPDF, commune_name: str) -> None:
    """The commune on the left, the national motto on the right, as on official papers."""
    left_w, right_w = 110.0, 135.0
    right_x = PAGE_W - MARGIN - right_w
    line(pdf, commune_name.upper(), 20, 11, "B", x=MARGIN, width=left_w)
    line(pdf, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 20, 11, "B", x=right_x, width=right_w)
    motto = _("Độc lập - Tự do - Hạnh phúc")
    line(pdf, motto, 26, 11.5, "B", x=right_x, width=right_w)
    underline = pdf.get_string_width(motto)
    middle = right_x + right_w / 2
    pdf.set_line_width(0.3)
    pdf.line(middle - underline / 2, 32.5, middle + underline / 2, 32.5)


def line(
    pdf: FPDF,
    text: str,
    y: float,
    size: float,
    style: str = "",
    x: float = MARGIN,
    width: float = BODY_W,
    family: str = "sans",
) -> None:
    """`text` centred on one line, smaller if it would not fit."""
    pdf.set_font(family, style, size)
    wide = pdf.get_string_width(text)
    if wide > width:
        pdf.set_font_size(size * width / wide)
    pdf.set_xy(x, y)
    pdf.cell(width, size * 0.45, text, align="C")


def _title(pdf: FPDF, title: str, y: float) -> float:
    """The course title centred in at most TITLE_LINES lines (smaller if need be);
    where the text below it starts."""
    size = 17.0
    while True:
        pdf.set_font("sans", "B", size)
        lines = pdf.multi_cell(BODY_W, size * 0.45, title, dry_run=True, output="LINES")
        if len(lines) <= TITLE_LINES or size <= 9:
            break
        size -= 1
    height = size * 0.45
    for number, line in enumerate(lines[:TITLE_LINES]):
        pdf.set_xy(MARGIN, y + number * height)
        pdf.cell(BODY_W, height, line, align="C")
    return y + min(len(lines), TITLE_LINES) * height + 2


def verification(pdf: FPDF, url: str, code: str, how: str, width: float, size: int) -> None:
    """The QR code of `url` and the code typed out, bottom left, with how to check them."""
    left, top = QR_LEFT, QR_TOP
    draw_qr(pdf, qr_code(url), left, top, QR_SIZE)
    x = left + QR_SIZE + 2
    pdf.set_font("sans", "", 10)
    pdf.set_xy(x, top + 6)
    pdf.cell(width, 5, _("Mã xác minh:"))
    pdf.set_font("mono", "B", size)
    pdf.set_xy(x, top + 12)
    pdf.cell(width, 10, code)
    pdf.set_font("sans", "", 9)
    pdf.set_xy(x, top + 25)
    pdf.multi_cell(width, 4.2, how, align="L")


def _place_and_date(pdf: FPDF, certificate: Certificate) -> None:
    day = certificate.completed_on
    width = 95.0
    x = PAGE_W - MARGIN - width
    # Vietnamese writes the day in words and numbers ("ngày 05 tháng 06 năm 2026"); a
    # translation may use {date} instead, the day as its reader writes it (5 Jun 2026).
    place = _("{place}, ngày {dd} tháng {mm} năm {yyyy}").format(
        place=certificate.commune_name,
        dd=f"{day:%d}",
        mm=f"{day:%m}",
        yyyy=f"{day:%Y}",
        date=format_day(day),
    )
    line(pdf, place, PAGE_H - MARGIN - 30, 11, x=x, width=width)
    line(pdf, _("Giấy chứng nhận điện tử"), PAGE_H - MARGIN - 22, 9, x=x, width=width)
