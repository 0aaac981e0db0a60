"""The quarterly index of the commune's disclosures as an A4 PDF, to print and post
beside the notice board (Law 10/2022 Art 12-13). Vietnamese needs a Unicode font:
DejaVu, from DANBAN_PDF_FONT_DIR (shared/config.py), as for the ballot cards.
Its labels are in the language of the request (shared.i18n)."""

from fpdf import FPDF

from gateway.pdf_kit import add_fonts
from gateway.templating import vn_date
from shared.contracts.disclosures import CATEGORY_NAMES_VI, FORM_NAMES_VI, DisclosureIndex
from shared.i18n import _

MARGIN = 15.0  # millimetres
LINE = 5.0


def quarterly_index_pdf(index: DisclosureIndex, commune_name: str, font_dir: str) -> bytes:
    pdf = FPDF(format="A4")
    add_fonts(pdf, font_dir)
    pdf.set_margins(MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    title = _("DANH MỤC NỘI DUNG CÔNG KHAI QUÝ {quarter}/{year}").format(
        quarter=index.quarter, year=index.year
    )
    pdf.set_title(f"{title} – {commune_name}")
    pdf.add_page()
    pdf.set_font("sans", "B", 11)
    pdf.multi_cell(0, 6, commune_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "B", 13)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "", 9)
    period = _("Bắt đầu công khai từ {starts} đến {ends}").format(
        starts=vn_date(index.starts), ends=vn_date(index.ends)
    )
    pdf.multi_cell(0, LINE, period, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if not index.disclosures:
        pdf.set_font("sans", "", 10)
        pdf.multi_cell(0, LINE, _("Quý này chưa có nội dung nào được công khai."))
    for number, item in enumerate(index.disclosures, start=1):
        pdf.set_font("sans", "B", 10)
        pdf.multi_cell(0, LINE, f"{number}. {item.title}", new_x="LMARGIN", new_y="NEXT")
        until = _("vĩnh viễn") if item.permanent else vn_date(item.posted_to)
        posted = _("Thời gian công khai: {starts} – {ends}").format(
            starts=vn_date(item.posted_from), ends=until
        )
        lines = [
            _("Mục {number}: {name}").format(
                number=item.category.value, name=_(CATEGORY_NAMES_VI[item.category])
            ),
            _("Căn cứ: {ref} ngày {day}").format(
                ref=item.decision_ref, day=vn_date(item.decision_date)
            ),
            posted + (" " + _("(công khai muộn)") if item.late else ""),
            _("Hình thức: {forms}").format(
                forms="; ".join(_(FORM_NAMES_VI[form]) for form in item.forms)
            ),
        ]
        pdf.set_font("sans", "", 9)
        for line in lines:
            pdf.set_x(MARGIN + 5)
            pdf.multi_cell(0, LINE - 0.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())
