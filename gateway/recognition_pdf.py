"""A commendation's certificate (giấy khen) as an A4 landscape PDF to print: the title,
who is commended and where, for what, the decision and who made it, the award, and
the code anyone can check, typed out and in a QR code that opens its public check
({site}/vinh-danh/giay-khen/{code}). Laid out as gateway/training_pdf.py; fonts and
QR codes: gateway/pdf_kit.py."""

from fpdf import FPDF

from gateway.pdf_kit import add_fonts
from gateway.templating import vn_date
from gateway.training_pdf import (
    BODY_W,
    MARGIN,
    PAGE_H,
    PAGE_W,
    RED,
    frame,
    line,
    verification,
)  # fmt: skip
from shared.contracts.recognition import TITLE_NAMES_VI, Nomination, RecipientKind, Title
from shared.i18n import N_, _, format_day, format_number, translate

ACHIEVEMENT_LINES = 3
TO_WHOM = {
    RecipientKind.INDIVIDUAL: N_("Tặng ông/bà"),
    RecipientKind.HOUSEHOLD: N_("Tặng hộ gia đình"),
    RecipientKind.COLLECTIVE: N_("Tặng tập thể"),
}


def check_url(site: str, code: str) -> str:
    return f"{site.rstrip('/')}/vinh-danh/giay-khen/{code}"


def money(amount: int) -> str:
    """1.234.000 đồng (1,234,000 dong)."""
    return _("{amount} đồng").format(amount=format_number(amount))


def certificate_pdf(nomination: Nomination, commune_name: str, site: str, font_dir: str) -> bytes:
    """The certificate of a decided commendation (its code and decision are set), in
    the language of the request."""
    assert nomination.certificate_code and nomination.decision_number and nomination.decided_on
    title = _(TITLE_NAMES_VI[nomination.title])
    recipient = nomination.recipient
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("DânBàn")
    add_fonts(pdf, font_dir)
    pdf.set_title(f"{title}: {recipient.name}")
    pdf.add_page()
    frame(pdf)
    _heading(pdf, commune_name)
    pdf.set_text_color(*RED)
    if nomination.title == Title.CERTIFICATE_OF_MERIT:
        line(pdf, _("GIẤY KHEN"), 42, 30, "B")
    else:
        line(pdf, _("CÔNG NHẬN DANH HIỆU"), 42, 24, "B")
        line(pdf, title.upper(), 54, 18, "B")
    pdf.set_text_color(0)
    line(pdf, _(TO_WHOM[recipient.kind]), 66, 13)
    line(pdf, recipient.name, 73, 22, "B")
    line(pdf, recipient.unit, 84, 13)
    achievement = _("Đã có thành tích: {achievement}").format(achievement=nomination.achievement)
    y = _achievement(pdf, achievement, 93)
    line(pdf, _("Năm {year}").format(year=nomination.year), y + 1, 12)
    how = _(
        "Kiểm tra giấy khen: quét mã QR bằng điện thoại, hoặc vào {address} và nhập mã xác minh."
    ).format(address=f"{site.rstrip('/')}/vinh-danh/giay-khen")
    code = nomination.certificate_code
    verification(pdf, check_url(site, code), code, how, 100.0, 20)
    _decision(pdf, nomination, commune_name)
    return bytes(pdf.output())


def _heading(pdf: FPDF, commune_name: str) -> None:
    """The commune's People's Committee on the left, the national motto on the right."""
    left_w, right_w = 110.0, 135.0
    right_x = PAGE_W - MARGIN - right_w
    line(pdf, _("ỦY BAN NHÂN DÂN"), 18, 11, x=MARGIN, width=left_w)
    line(pdf, commune_name.upper(), 24, 11, "B", x=MARGIN, width=left_w)
    line(pdf, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 18, 11, "B", x=right_x, width=right_w)
    motto = _("Độc lập - Tự do - Hạnh phúc")
    line(pdf, motto, 24, 11.5, "B", x=right_x, width=right_w)
    underline = pdf.get_string_width(motto)
    middle = right_x + right_w / 2
    pdf.set_line_width(0.3)
    pdf.line(middle - underline / 2, 30.5, middle + underline / 2, 30.5)


def _achievement(pdf: FPDF, text: str, y: float) -> float:
    """The achievement centred in at most ACHIEVEMENT_LINES lines (smaller if need
    be, cut short past that); where the text below it starts."""
    size = 13.0
    while True:
        pdf.set_font("sans", "", size)
        lines = pdf.multi_cell(BODY_W, size * 0.5, text, dry_run=True, output="LINES")
        if len(lines) <= ACHIEVEMENT_LINES or size <= 9:
            break
        size -= 1
    height = size * 0.5
    shown = lines[:ACHIEVEMENT_LINES]
    if len(lines) > ACHIEVEMENT_LINES:
        shown[-1] = shown[-1].rstrip()[:-1] + "…"
    for number, text_line in enumerate(shown):
        pdf.set_xy(MARGIN, y + number * height)
        pdf.cell(BODY_W, height, text_line, align="C")
    return y + len(shown) * height + 2


def _decision(pdf: FPDF, nomination: Nomination, commune_name: str) -> None:
    """Bottom right: the decision, who made it, the award, the place and the day."""
    day = nomination.decided_on
    assert day is not None
    width = 105.0
    x = PAGE_W - MARGIN - width
    top = PAGE_H - MARGIN - 52
    decision = _("Quyết định số {number} ngày {day}").format(
        number=nomination.decision_number, day=vn_date(day)
    )
    line(pdf, decision, top, 10.5, x=x, width=width)
    if nomination.authority:
        authority = _("của {authority}").format(authority=translate(nomination.authority))
        line(pdf, authority, top + 6, 10.5, x=x, width=width)
    if nomination.award:
        award = nomination.award
        prize = _("Tiền thưởng: {amount}").format(amount=money(award.amount))
        line(pdf, prize, top + 12, 10.5, "B", x=x, width=width)
    place = _("{place}, ngày {day} tháng {month} năm {year}").format(
        place=commune_name,
        day=f"{day:%d}",
        month=f"{day:%m}",
        year=f"{day:%Y}",
        date=format_day(day),
    )
    line(pdf, place, top + 22, 11, x=x, width=width)
    line(pdf, _("Giấy khen điện tử"), top + 30, 9, x=x, width=width)
