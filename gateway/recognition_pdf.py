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

ACHIEVEMENT_LINES = 3
TO_WHOM = {
    RecipientKind.INDIVIDUAL: "Tặng ông/bà",
    RecipientKind.HOUSEHOLD: "Tặng hộ gia đình",
    RecipientKind.COLLECTIVE: "Tặng tập thể",
}


def check_url(site: str, code: str) -> str:
    return f"{site.rstrip('/')}/vinh-danh/giay-khen/{code}"


def money(amount: int) -> str:
    return f"{amount:,} đồng".replace(",", ".")


def certificate_pdf(nomination: Nomination, commune_name: str, site: str, font_dir: str) -> bytes:
    """The certificate of a decided commendation (its code and decision are set)."""
    assert nomination.certificate_code and nomination.decision_number and nomination.decided_on
    title = TITLE_NAMES_VI[nomination.title]
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
        line(pdf, "GIẤY KHEN", 42, 30, "B")
    else:
        line(pdf, "CÔNG NHẬN DANH HIỆU", 42, 24, "B")
        line(pdf, title.upper(), 54, 18, "B")
    pdf.set_text_color(0)
    line(pdf, TO_WHOM[recipient.kind], 66, 13)
    line(pdf, recipient.name, 73, 22, "B")
    line(pdf, recipient.unit, 84, 13)
    y = _achievement(pdf, f"Đã có thành tích: {nomination.achievement}", 93)
    line(pdf, f"Năm {nomination.year}", y + 1, 12)
    how = (
        "Kiểm tra giấy khen: quét mã QR bằng điện thoại, hoặc vào "
        f"{site.rstrip('/')}/vinh-danh/giay-khen và nhập mã xác minh."
    )
    code = nomination.certificate_code
    verification(pdf, check_url(site, code), code, how, 100.0, 20)
    _decision(pdf, nomination, commune_name)
    return bytes(pdf.output())


def _heading(pdf: FPDF, commune_name: str) -> None:
    """The commune's People's Committee on the left, the national motto on the right."""
    left_w, right_w = 110.0, 135.0
    right_x = PAGE_W - MARGIN - right_w
    line(pdf, "ỦY BAN NHÂN DÂN", 18, 11, x=MARGIN, width=left_w)
    line(pdf, commune_name.upper(), 24, 11, "B", x=MARGIN, width=left_w)
    line(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 18, 11, "B", x=right_x, width=right_w)
    motto = "Độc lập - Tự do - Hạnh phúc"
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
    decision = f"Quyết định số {nomination.decision_number} ngày {vn_date(day)}"
    line(pdf, decision, top, 10.5, x=x, width=width)
    if nomination.authority:
        line(pdf, f"của {nomination.authority}", top + 6, 10.5, x=x, width=width)
    if nomination.award:
        award = nomination.award
        line(pdf, f"Tiền thưởng: {money(award.amount)}", top + 12, 10.5, "B", x=x, width=width)
    place = f"{commune_name}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    line(pdf, place, top + 22, 11, x=x, width=width)
    line(pdf, "Giấy khen điện tử", top + 30, 9, x=x, width=width)
