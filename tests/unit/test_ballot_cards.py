"""Ballot card sheets: A4 PDFs of 8 household cards, each with its QR code and code.

Text is read back with pdftotext and pages drawn with pdftoppm (poppler-utils): a
machine without them fails these tests rather than skipping them."""

import re
import shutil
import subprocess
from datetime import UTC, datetime
from io import BytesIO

import pytest
import segno
from PIL import Image

from gateway import ballot_cards
from gateway.ballot_cards import card_sheet_pdf, card_url, qr_box
from shared.ballot_codes import card_code
from shared.config import Settings
from shared.contracts.surveys import BallotCard, CardSheet, Poll

FONTS = Settings().pdf_font_dir
BASE_URL = "https://danban.huongan.gov.vn"
KEY = b"k" * 32
HOUSEHOLDS = ["HA7K2M", "QX4P9R", "ZT8WNC", "M3V6YD", "B9J2KL", "RR5T7A", "P4H8UE", "C2N6WQ"]
HOUSEHOLDS += ["K7D3XF"]  # a ninth: a second page


def poll(kind: str = "decision", title: str = "Làm đường bê tông kiệt 12 Lý Nam Đế") -> Poll:
    return Poll.model_validate(
        {
            "id": "p1",
            "kind": kind,
            "commune_id": "huong-an",
            "unit_id": "tdp-1",
            "unit_name": "Tổ dân phố 1",
            "title": title,
            "description": "",
            "matter": "infrastructure" if kind == "decision" else None,
            "channels": ["online", "paper"],
            "secret": False,
            "public_results": True,
            "questions": [
                {
                    "id": "q",
                    "type": "single",
                    "text": "Đồng ý?",
                    "options": [{"id": "yes", "label": "Có"}, {"id": "no", "label": "Không"}],
                }
            ],
            "deciding_options": ["yes"] if kind == "decision" else [],
            "noticed_on": None,
            "opens_at": datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
            "closes_at": datetime(2026, 3, 15, 10, 0, tzinfo=UTC),  # 17:00 in Vietnam
            "online_opt_in": None,
            "meeting_fell_short": False,
            "status": "open",
            "created_by": "minh",
            "created_at": datetime(2026, 2, 1, tzinfo=UTC),
        }
    )


def sheet(households: list[str], **poll_fields: str) -> CardSheet:
    cards = [
        BallotCard(
            poll_id="p1",
            household_code=code,
            unit_id="tdp-1",
            card_code=card_code(KEY, "p1", code, 1),
            version=1,
        )
        for code in households
    ]
    return CardSheet(poll=poll(**poll_fields), unit_name="Tổ dân phố 1", cards=cards)


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package poppler-utils"
    return path


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run([tool("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def page_image(pdf: bytes, dpi: int) -> Image.Image:
    done = subprocess.run(
        [tool("pdftoppm"), "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return Image.open(BytesIO(done.stdout)).convert("L")


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_a_sheet_is_a_pdf_with_one_a4_page_per_eight_cards():
    pdf = card_sheet_pdf(sheet(HOUSEHOLDS * 2), BASE_URL, FONTS)  # 18 cards
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 3
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 in points


def test_each_card_shows_its_code_link_household_and_deadline():
    cards = sheet(HOUSEHOLDS)
    text = pdf_text(card_sheet_pdf(cards, BASE_URL, FONTS))
    assert text.count("PHIẾU BIỂU QUYẾT") == len(HOUSEHOLDS)
    joined = re.sub(r"\s+", "", text)  # the code is printed spaced; a wrapped line joins
    for card in cards.cards:
        assert f"Mãhộ:{card.household_code}" in joined
        check = card.card_code.rpartition("-")[2]
        assert f"{card.household_code}-{check[:4]} {check[4:]}" in text  # spaced for reading
    assert "Quétmã" in joined and f"vào{BASE_URL}/bvànhậpmã" in joined
    assert text.count("Hạn cuối: 15/03/2026 17:00") == len(HOUSEHOLDS)  # Vietnam's time
    assert "Tổ dân phố 1" in text


def test_a_consultation_card_is_headed_as_one():
    text = pdf_text(card_sheet_pdf(sheet(HOUSEHOLDS[:2], kind="consultation"), BASE_URL, FONTS))
    assert text.count("PHIẾU LẤY Ý KIẾN") == 2
    assert "BIỂU QUYẾT" not in text


def test_a_long_title_is_cut_to_two_lines_with_an_ellipsis():
    title = "Lấy ý kiến về dự thảo " + "quy ước thôn sửa đổi, bổ sung " * 10 + "ĐOẠN CUỐI"
    text = pdf_text(card_sheet_pdf(sheet(HOUSEHOLDS[:1], title=title), BASE_URL, FONTS))
    assert "Lấy ý kiến về dự thảo" in text
    assert "…" in text
    assert "ĐOẠN CUỐI" not in text


def drawn_modules(image: Image.Image, dpi: int, index: int, size: int) -> list[list[bool]]:
    """Dark (True) or light at the centre of each module of the index-th card's QR."""
    left, top, box = qr_box(index)
    module = box / (size + 2 * ballot_cards.QR_BORDER)
    to_pixels = dpi / 25.4

    def dark(row: int, column: int) -> bool:
        x = left + (column + ballot_cards.QR_BORDER + 0.5) * module
        y = top + (row + ballot_cards.QR_BORDER + 0.5) * module
        return image.getpixel((int(x * to_pixels), int(y * to_pixels))) < 128

    return [[dark(row, column) for column in range(size)] for row in range(size)]


def encodings(url: str) -> list[list[list[bool]]]:
    """Every QR symbol that encodes `url` at level M: one per mask pattern."""
    return [
        [[bool(value) for value in row] for row in segno.make_qr(url, error="m", mask=m).matrix]
        for m in range(8)
    ]


def test_each_qr_code_drawn_encodes_that_cards_link():
    cards = sheet(HOUSEHOLDS)
    dpi = 300
    image = page_image(card_sheet_pdf(cards, BASE_URL, FONTS), dpi)
    for index, card in enumerate(cards.cards[:8]):
        expected = encodings(card_url(BASE_URL, card))
        drawn = drawn_modules(image, dpi, index, len(expected[0]))
        assert drawn in expected, f"card {index}: the QR drawn is not {card_url(BASE_URL, card)}"
        neighbour = cards.cards[(index + 1) % 8]
        assert drawn not in encodings(card_url(BASE_URL, neighbour))
    assert card_url(BASE_URL, cards.cards[0]) == f"{BASE_URL}/b/{cards.cards[0].card_code}"


def test_a_missing_font_is_named_with_the_package_that_has_it(tmp_path):
    with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
        card_sheet_pdf(sheet(HOUSEHOLDS[:1]), BASE_URL, str(tmp_path))
