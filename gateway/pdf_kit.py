"""What the gateway's printable PDFs share (ballot cards, the notice board's index,
training certificates): the Unicode fonts Vietnamese needs, and QR codes drawn as
vector shapes. The fonts are DejaVu (Debian package fonts-dejavu-core), from
DANBAN_PDF_FONT_DIR (shared/config.py)."""

from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import RenderStyle

FONTS = {  # family, style → file
    ("sans", ""): "DejaVuSans.ttf",
    ("sans", "B"): "DejaVuSans-Bold.ttf",
    ("mono", "B"): "DejaVuSansMono-Bold.ttf",
}
QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks


def add_fonts(pdf: FPDF, font_dir: str | Path) -> None:
    """Give `pdf` the families "sans" and "mono" of FONTS."""
    for (family, style), path in _font_files(Path(font_dir)).items():
        pdf.add_font(family, style, str(path))


@cache
def _font_files(font_dir: Path) -> dict[tuple[str, str], Path]:
    files = {key: font_dir / name for key, name in FONTS.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise RuntimeError(
            f"Printable PDFs need the DejaVu fonts, not found: {', '.join(missing)}. "
            "Install the Debian package fonts-dejavu-core, or set DANBAN_PDF_FONT_DIR "
            "to a folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and "
            "DejaVuSansMono-Bold.ttf."
        )
    return files


def qr_code(url: str, mask: int | None = None) -> segno.QRCode:
    return segno.make_qr(url, error="m", mask=mask)


def draw_qr(pdf: FPDF, code: segno.QRCode, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (vector, sharp on any printer); `size` in the
    document's unit includes the quiet zone."""
    module = size / (len(code.matrix) + 2 * QR_BORDER)
    pdf.set_fill_color(0)
    for row, column, width, height in _dark_blocks(code.matrix):
        left, top = x + (column + QR_BORDER) * module, y + (row + QR_BORDER) * module
        # (the enum, not "F": a string is parsed again for each of the ~240 blocks)
        pdf.rect(left, top, width * module, height * module, style=RenderStyle.F)


def _dark_blocks(matrix) -> list[tuple[int, int, int, int]]:
    """The dark modules as (row, column, width, height) blocks: runs of a row, and a
    run repeated just below it merged into a taller block (fewer shapes to draw)."""
    blocks: list[tuple[int, int, int, int]] = []
    growing: dict[tuple[int, int], int] = {}  # (column, width) → index in blocks
    for row_number, row in enumerate(matrix):
        still: dict[tuple[int, int], int] = {}
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            key = (start, column - start)
            if key in growing:
                top, left, width, height = blocks[growing[key]]
                blocks[growing[key]] = (top, left, width, height + 1)
                still[key] = growing[key]
            else:
                still[key] = len(blocks)
                blocks.append((row_number, start, column - start, 1))
        growing = still
    return blocks
