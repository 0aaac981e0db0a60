"""The recognition reports (commendations; discipline) drawn on the server as SVG, as
the other charts are (no JavaScript): one bar per group (a title; a form of
discipline) with its count, the years and details added up; and the table the page
and the CSV share, with the service's keys in the reader's words."""

import textwrap
from html import escape

from gateway.results_chart import BAR_H, BAR_MAX, FONT, LABEL_CHARS, LEGEND_H, WIDTH, vn_number
from shared.contracts.recognition import Report
from shared.i18n import _, translate

ROW = 30 + BAR_H + 14  # one group: its label, then its bar
FILL = "#0b4f9c"


def report_table(report: Report, labels: dict[str, str]) -> list[dict]:
    """One line per row, the newest year first, then by group and detail; a key the
    service sends (a title, a form, a status) in words, its words translated, any other
    text (a unit) as it is."""
    lines = [
        {
            "year": row.year,
            "group": _(labels[row.group]) if row.group in labels else translate(row.group),
            "detail": _(labels[row.detail]) if row.detail in labels else translate(row.detail),
            "count": row.count,
            "amount": row.amount,
        }
        for row in report.rows
    ]
    return sorted(lines, key=lambda line: (-line["year"], line["group"], line["detail"]))


def total(lines: list[dict]) -> dict:
    return {
        "count": sum(line["count"] for line in lines),
        "amount": sum(line["amount"] for line in lines),
    }


def report_bars(lines: list[dict]) -> list[tuple[str, int]]:
    """(group, count) with the years and details added up, the largest first."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["group"]] = counts.get(line["group"], 0) + line["count"]
    return sorted(counts.items(), key=lambda bar: (-bar[1], bar[0]))


def bars_svg(chart_id: str, title: str, bars: list[tuple[str, int]]) -> str:
    """A bar per (label, count) against the largest, or "" when all are nought."""
    bars = [bar for bar in bars if bar[1]]
    if not bars:
        return ""
    unit = BAR_MAX / max(count for _label, count in bars)
    height = LEGEND_H + ROW * len(bars)
    described = "; ".join(f"{label}: {vn_number(count)}" for label, count in bars) + "."
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}" '
        'font-family="system-ui, sans-serif" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
        f'<rect x="0" y="4" width="24" height="24" fill="{FILL}" stroke="#333"/>'
        f'<text x="30" y="24" font-size="19">{escape(_("Số lượng"))}</text>',
    ]
    for number, (label, count) in enumerate(bars):
        top = LEGEND_H + ROW * number
        short = textwrap.shorten(label, LABEL_CHARS, placeholder="…")
        width = count * unit
        parts += [
            f'<text x="0" y="{top + 22}">{escape(short)}</text>',
            f'<rect x="0" y="{top + 30}" width="{width:.1f}" height="{BAR_H}" fill="{FILL}">'
            f"<title>{escape(label)}: {vn_number(count)}</title></rect>",
            f'<text x="{width + 6:.1f}" y="{top + 30 + BAR_H - 7}" font-size="19" '
            f'font-weight="700">{vn_number(count)}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)
