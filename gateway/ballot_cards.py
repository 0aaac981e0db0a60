"""Printable household ballot cards: an A4 sheet of 8 cards (2 × 4) with cut lines.

Each card carries a QR code that opens the household's ballot, the same code typed
out for people who cannot scan, and the deadline. Fonts and QR codes: gateway/pdf_kit.py.
Its words are in the language of the staff member who prints it (shared.i18n).
"""

from fpdf import FPDF

from gateway.pdf_kit import QR_BORDER as QR_BORDER  # (the tests measure the QR with it)
from gateway.pdf_kit import add_fonts, draw_qr, qr_code
from gateway.templating import vn_datetime
from shared.contracts.surveys import BallotCard, CardSheet, PollKind
from shared.i18n import _

PAGE_W, PAGE_H = 210.0, 297.0  # A4, millimetres
COLUMNS, ROWS = 2, 4
CARDS_PER_PAGE = COLUMNS * ROWS
CARD_W, CARD_H = PAGE_W / COLUMNS, PAGE_H / ROWS
PAD = 7.0  # inside each card: clear of the printer's margin and of the cut
QR_SIZE = 40.0  # millimetres, quiet zone included
TITLE_LINES = 2
RIGHT_W = CARD_W - 2 * PAD - QR_SIZE - 1  # the column beside the QR code
CODE_POINTS = 13  # the typed code's size, smaller only if a long code needs it


def card_url(base_url: str, card: BallotCard) -> str:
    return f"{base_url.rstrip('/')}/b/{card.card_code}"


def spaced_code(card_code: str) -> str:
    """The code as printed: the household, then the check code in two groups of 4,
    which a resident may type with or without the spaces and dash."""
    household, _dash, check = card_code.rpartition("-")
    return f"{household}-{check[:4]} {check[4:]}"


def qr_box(index: int) -> tuple[float, float, float]:
    """Where the QR code (with its quiet zone) of the index-th card on a page sits:
    left, top, size in millimetres."""
    column, row = index % COLUMNS, index // COLUMNS
    return column * CARD_W + PAD, row * CARD_H + PAD + 16.5, QR_SIZE


def card_sheet_pdf(sheet: CardSheet, base_url: str, font_dir: str) -> bytes:
    pdf = _document(font_dir)
    poll = sheet.poll
    heading = _("PHIẾU BIỂU QUYẾT") if poll.kind == PollKind.DECISION else _("PHIẾU LẤY Ý KIẾN")
    pdf.set_title(f"{heading}: {poll.title} ({sheet.unit_name})")
    title: list[str] = []  # wrapped once, when the first page gives the font its size
    instruction: list[str] = []
    short_url = f"{base_url.rstrip('/')}/b"
    # Choosing a QR mask costs 80% of the time; the cards of a sheet differ in a few
    # characters only, so the first card's best mask serves them all.
    mask = qr_code(card_url(base_url, sheet.cards[0])).mask if sheet.cards else None
    deadline = vn_datetime(poll.closes_at)
    for number, card in enumerate(sheet.cards):
        index = number % CARDS_PER_PAGE
        if index == 0:
            pdf.add_page()
            _cut_lines(pdf)
            pdf.set_font("sans", "B", 8.5)
            title = title or _wrap(pdf, poll.title, CARD_W - 2 * PAD, TITLE_LINES)
            pdf.set_font("sans", "", 7)
            text = _("Quét mã QR bằng điện thoại, hoặc vào {url} và nhập mã").format(url=short_url)
            instruction = instruction or _wrap(pdf, text, RIGHT_W, 4)
        left = (index % COLUMNS) * CARD_W + PAD
        top = (index // COLUMNS) * CARD_H + PAD
        pdf.set_text_color(0)
        pdf.set_font("sans", "B", 11)
        pdf.set_xy(left, top)
        pdf.cell(CARD_W - 2 * PAD, 5, heading)
        pdf.set_font("sans", "B", 8.5)
        for line_number, line in enumerate(title):
            pdf.set_xy(left, top + 5.5 + 3.8 * line_number)
            pdf.cell(CARD_W - 2 * PAD, 3.8, line)
        pdf.set_font("sans", "", 8)
        pdf.set_xy(left, top + 13.3)
        pdf.cell(CARD_W - 2 * PAD, 3.6, _fit(pdf, sheet.unit_name, CARD_W - 2 * PAD))
        draw_qr(pdf, qr_code(card_url(base_url, card), mask), *qr_box(index))
        _right_column(pdf, card, left + QR_SIZE + 1, top + 20, instruction, deadline)
    return bytes(pdf.output())


def _right_column(
    pdf: FPDF, card: BallotCard, x: float, y: float, instruction: list[str], deadline: str
) -> None:
    width = RIGHT_W
    pdf.set_font("sans", "", 8)
    pdf.set_xy(x, y)
    household = _("Mã hộ:") + " "
    pdf.cell(width, 4, household)
    pdf.set_font("sans", "B", 8)
    pdf.set_xy(x + pdf.get_string_width(household), y)
    pdf.cell(width, 4, card.household_code)
    pdf.set_font("sans", "", 7)
    pdf.set_xy(x, y + 5)
    pdf.cell(width, 3.5, _("Mã phiếu:"))
    code = spaced_code(card.card_code)
    pdf.set_font("mono", "B", CODE_POINTS)
    pdf.set_char_spacing(0.6)
    wide = pdf.get_string_width(code)
    if wide > width:
        pdf.set_font_size(CODE_POINTS * width / wide)
    pdf.set_xy(x, y + 8.5)
    pdf.cell(width, 6, code)
    pdf.set_char_spacing(0)
    pdf.set_font("sans", "", 7)
    for number, line in enumerate(instruction):
        pdf.set_xy(x, y + 17 + 3.2 * number)
        pdf.cell(width, 3.2, line)
    pdf.set_font("sans", "B", 7.5)
    pdf.set_xy(x, y + 18.5 + 3.2 * len(instruction))
    pdf.cell(width, 4.5, _("Hạn cuối: {deadline}").format(deadline=deadline))


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(150)
    pdf.set_line_width(0.2)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=1.5)
        for column in range(1, COLUMNS):
            pdf.line(column * CARD_W, 0, column * CARD_W, PAGE_H)
        for row in range(1, ROWS):
            pdf.line(0, row * CARD_H, PAGE_W, row * CARD_H)
    pdf.set_font("sans", "", 8)
    pdf.set_text_color(120)
    for row in range(1, ROWS):
        pdf.set_xy(1, row * CARD_H - 2.2)
        pdf.cell(4, 4, "✂", fill=False)


def _wrap(pdf: FPDF, text: str, width: float, most: int) -> list[str]:
    """`text` in at most `most` lines of `width`, the last one cut with "…"."""
    lines = pdf.multi_cell(width, 4, text, dry_run=True, output="LINES")
    if len(lines) <= most:
        return lines
    kept = lines[: most - 1]
    return [*kept, _fit(pdf, " ".join(lines[most - 1 :]) + "…", width, force=True)]


def _fit(pdf: FPDF, text: str, width: float, force: bool = False) -> str:
    """`text` cut to `width` with "…" (`force`: it already ends with one)."""
    if not force and pdf.get_string_width(text) <= width:
        return text
    body = text.removesuffix("…")
    while body and pdf.get_string_width(body + "…") > width:
        body = body[:-1]
    return body.rstrip() + "…"


def _document(font_dir: str) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("DânBàn")
    add_fonts(pdf, font_dir)
    return pdf
