"""The year's training coverage of a commune, drawn on the server as SVG (no
JavaScript): per position, the share of its holders who completed a course as a bar
against the year's target (a dashed line), with the words "đạt" or "chưa đạt" under
it so nothing rests on colour alone; and the table per unit and position that the
page and the CSV share, its shares as residents read them (62,5%)."""

from html import escape

from gateway.results_chart import BAR_MAX, FONT, LABEL_CHARS, WIDTH, vn_number, vn_percent
from shared.contracts.positions import POSITION_NAMES_VI, Position
from shared.contracts.training import Coverage, CoverageRow
from shared.i18n import N_, _, ngettext

BAR_H = 30
LINE_H = 26  # one line of a position's name
NOTE_H = 30  # the line under a bar: how many, the target, met or not
GAP = 18
LEGEND_H = 46
TRAINED_FILL, TARGET_STROKE = "#0b4f9c", "#b00020"
MET_VI = {True: N_("Đạt"), False: N_("Chưa đạt"), None: "–"}


def share(row: CoverageRow) -> str:
    """5 of 8 → 62,5%; nobody holds the position → –."""
    return vn_percent(row.trained, row.holders) if row.holders else "–"


def met(row: CoverageRow) -> bool | None:
    """Whether the target is reached; None with no target, or nobody to train."""
    if row.target_percent is None or not row.holders:
        return None
    return 100 * row.trained >= row.target_percent * row.holders


def target(row: CoverageRow) -> str:
    return "–" if row.target_percent is None else f"{row.target_percent}%"


def _position_order(row: CoverageRow) -> int:
    return list(Position).index(row.position)


def coverage_table(coverage: Coverage, unit_names: dict[str, str]) -> list[dict]:
    """One line per unit and position (units by name, positions in the law's order),
    then the commune's line per position (`total`)."""

    def line(row: CoverageRow, total: bool) -> dict:
        return {
            "unit": unit_names.get(row.unit_id, row.unit_id),
            "position": _(POSITION_NAMES_VI[row.position]),
            "row": row,
            "share": share(row),
            "target": target(row),
            "met": _(MET_VI[met(row)]),
            "missing": [person.full_name for person in row.missing],
            "total": total,
        }

    rows = sorted(
        coverage.rows,
        key=lambda row: (unit_names.get(row.unit_id, row.unit_id), _position_order(row)),
    )
    totals = sorted(coverage.totals, key=_position_order)
    return [line(row, False) for row in rows] + [line(row, True) for row in totals]


def coverage_svg(coverage: Coverage) -> str:
    """The chart of the commune's lines, or "" when no position has a holder."""
    rows = [row for row in sorted(coverage.totals, key=_position_order) if row.holders]
    if not rows:
        return ""
    labels = [_lines(_(POSITION_NAMES_VI[row.position])) for row in rows]
    title = _("Tỷ lệ đã tập huấn theo chức danh, năm {year}").format(year=coverage.year)
    height = LEGEND_H + sum(len(lines) * LINE_H + BAR_H + NOTE_H + GAP for lines in labels)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="coverage-title coverage-desc" font-size="{FONT}" '
        'font-family="system-ui, sans-serif" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="coverage-title">{escape(title)}</title>',
        f'<desc id="coverage-desc">{escape(_describe(rows))}</desc>',
        _legend(),
    ]
    top = LEGEND_H
    for row, lines in zip(rows, labels, strict=True):
        for number, text in enumerate(lines):
            parts.append(f'<text x="0" y="{top + 20 + number * LINE_H}">{escape(text)}</text>')
        bar_top = top + len(lines) * LINE_H + 4
        width = BAR_MAX * row.trained / row.holders
        parts.append(
            f'<rect x="0" y="{bar_top}" width="{BAR_MAX}" height="{BAR_H}" fill="#f1f1f1" '
            'stroke="#bbb"/>'
        )
        if width:
            parts.append(
                f'<rect x="0" y="{bar_top}" width="{width:.1f}" height="{BAR_H}" '
                f'fill="{TRAINED_FILL}"><title>{share(row)}</title></rect>'
            )
        parts.append(
            f'<text x="{BAR_MAX + 6}" y="{bar_top + BAR_H - 7}" font-size="19" '
            f'font-weight="700">{share(row)}</text>'
        )
        if row.target_percent is not None:
            x = BAR_MAX * row.target_percent / 100
            parts.append(
                f'<line x1="{x:.1f}" y1="{bar_top - 6}" x2="{x:.1f}" y2="{bar_top + BAR_H + 6}" '
                f'stroke="{TARGET_STROKE}" stroke-width="3" stroke-dasharray="6 4"/>'
            )
        parts.append(
            f'<text x="0" y="{bar_top + BAR_H + 24}" font-size="18" fill="#5f5f5f">'
            f"{escape(_note(row))}</text>"
        )
        top += len(lines) * LINE_H + BAR_H + NOTE_H + GAP
    parts.append("</svg>")
    return "\n".join(parts)


def _note(row: CoverageRow) -> str:
    """ "5/8 người · chỉ tiêu 80%: chưa đạt"."""
    people = ngettext("{trained}/{holders} người", "{trained}/{holders} người", row.holders)
    note = people.format(trained=vn_number(row.trained), holders=vn_number(row.holders))
    if row.target_percent is None:
        return note + " · " + _("chưa đặt chỉ tiêu")
    result = _(MET_VI[met(row)]).lower()
    return (
        note
        + " · "
        + _("chỉ tiêu {percent}%: {result}").format(percent=row.target_percent, result=result)
    )


def _describe(rows: list[CoverageRow]) -> str:
    """The chart in words, for screen readers."""
    return (
        "; ".join(
            f"{_(POSITION_NAMES_VI[row.position])}: {share(row)}, {_note(row)}" for row in rows
        )
        + "."
    )


def _legend() -> str:
    trained, target = escape(_("Đã hoàn thành tập huấn")), escape(_("Chỉ tiêu"))
    return (
        f'<rect x="0" y="4" width="24" height="24" fill="{TRAINED_FILL}" stroke="#333"/>'
        f'<text x="30" y="24" font-size="19">{trained}</text>'
        f'<line x1="300" y1="2" x2="300" y2="30" stroke="{TARGET_STROKE}" stroke-width="3" '
        f'stroke-dasharray="6 4"/><text x="310" y="24" font-size="19">{target}</text>'
    )


def _lines(label: str) -> list[str]:
    """A position's name on one line, or on two cut at a space: two names are longer
    than a line (44 letters), and cut short they would end mid-word."""
    if len(label) <= LABEL_CHARS:
        return [label]
    cut = label.rfind(" ", 0, LABEL_CHARS + 1)
    return [label[:cut], label[cut + 1 :]]
