"""The feedback figures of a commune, drawn on the server as SVG (no JavaScript): per
category, a bar of the cases received and one of those answered on time, in colours
AND patterns so it reads in grey too; and the table per unit and category, its rates
as residents read them (68,7%), that the page and the CSV share."""

from html import escape

from shared.contracts.feedback import Figures, FiguresRow
from shared.i18n import N_, VIETNAMESE, _, current, format_number

WIDTH = 480  # viewBox units, as the results chart: on a 360 px phone a letter is 15 px
FONT = 22
BAR_MAX = WIDTH - 90  # room for the number at the end of the longest bar
BAR_H = 24
ROW = 30 + 2 * BAR_H + 14  # one category: its label, then its two bars
LEGEND_H = 46
LABEL_CHARS = 38
RECEIVED, ON_TIME = N_("Tiếp nhận"), N_("Trả lời đúng hạn")
NO_UNIT = N_("Chưa rõ thôn, tổ dân phố")
TOTAL = N_("Tổng cộng")


def share(rate: float | None) -> str:
    """0.6871 → 68,7% (English: 68.7%); nothing to divide by → –."""
    return "–" if rate is None else _decimal(f"{100 * rate:.1f}") + "%"


def days(median: float | None) -> str:
    """4.5 → 4,5 (English: 4.5); 4.0 → 4."""
    if median is None:
        return "–"
    return _decimal(f"{median:g}")


def _decimal(written: str) -> str:
    """A number written with a decimal point, as the reader writes it."""
    return written.replace(".", ",") if current() == VIETNAMESE else written


def by_category(figures: Figures, names: dict[str, str]) -> list[tuple[str, int, int]]:
    """(category's name, received, answered on time), the units added up, the
    categories with the most cases first."""
    totals: dict[str, tuple[int, int]] = {}
    for row in figures.rows:
        received, on_time = totals.get(row.category, (0, 0))
        totals[row.category] = (received + row.received, on_time + row.answered_on_time)
    bars = [(names.get(key, key), received, on_time) for key, (received, on_time) in totals.items()]
    return sorted(bars, key=lambda bar: (-bar[1], bar[0]))


def figures_table(
    figures: Figures, unit_names: dict[str, str], category_names: dict[str, str]
) -> list[dict]:
    """One row per unit and category (by name), then the commune's total."""

    def line(row: FiguresRow, unit: str, category: str) -> dict:
        return {
            "unit": unit,
            "category": category,
            "row": row,
            "on_time": share(row.on_time_rate),
            "median_days": days(row.median_days),
            "satisfied": share(row.satisfied_share),
            "reopened": share(row.reopen_rate),
        }

    no_unit = _(NO_UNIT)
    lines = [
        line(
            row,
            unit_names.get(row.unit_id, row.unit_id) if row.unit_id else no_unit,
            category_names.get(row.category, row.category),
        )
        for row in figures.rows
    ]
    lines.sort(key=lambda item: (item["unit"] == no_unit, item["unit"], item["category"]))
    return [*lines, line(figures.total, _(TOTAL), "")]


def figures_svg(figures: Figures, category_names: dict[str, str]) -> str:
    """The chart, or "" when no case was received in the period."""
    bars = [bar for bar in by_category(figures, category_names) if bar[1]]
    if not bars:
        return ""
    unit = BAR_MAX / max(bar[1] for bar in bars)
    height = LEGEND_H + ROW * len(bars)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="figures-title figures-desc" font-size="{FONT}" '
        'font-family="system-ui, sans-serif" xmlns="http://www.w3.org/2000/svg">',
        '<title id="figures-title">'
        + escape(_("Phản ánh tiếp nhận và trả lời đúng hạn theo lĩnh vực"))
        + "</title>",
        f'<desc id="figures-desc">{escape(_describe(bars))}</desc>',
        _patterns(),
        _legend(),
    ]
    for number, (label, received, on_time) in enumerate(bars):
        top = LEGEND_H + ROW * number
        parts.append(f'<text x="0" y="{top + 22}">{escape(_short(label))}</text>')
        for offset, (count, fill, name) in enumerate(
            (
                (received, "url(#figures-received)", _(RECEIVED)),
                (on_time, "url(#figures-on-time)", _(ON_TIME)),
            )
        ):
            y = top + 30 + offset * BAR_H
            width = count * unit
            if width:
                parts.append(
                    f'<rect x="0" y="{y}" width="{width:.1f}" height="{BAR_H - 2}" fill="{fill}">'
                    f"<title>{escape(name)}: {format_number(count)}</title></rect>"
                )
            parts.append(
                f'<text x="{width + 6:.1f}" y="{y + BAR_H - 5}" font-size="19" font-weight="700">'
                f"{format_number(count)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _describe(bars: list[tuple[str, int, int]]) -> str:
    """The chart in words, for screen readers."""
    return (
        "; ".join(
            _("{category}: tiếp nhận {received}, trả lời đúng hạn {on_time}").format(
                category=label,
                received=format_number(received),
                on_time=format_number(on_time),
            )
            for label, received, on_time in bars
        )
        + "."
    )


def _patterns() -> str:
    return (
        "<defs>"
        '<pattern id="figures-received" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#0b4f9c"/></pattern>'
        '<pattern id="figures-on-time" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#2e7d32"/><circle cx="4" cy="4" r="2" fill="#fff"/>'
        "</pattern></defs>"
    )


def _legend() -> str:
    return (
        '<rect x="0" y="4" width="24" height="24" fill="url(#figures-received)" stroke="#333"/>'
        f'<text x="30" y="24" font-size="19">{escape(_(RECEIVED))}</text>'
        '<rect x="150" y="4" width="24" height="24" fill="url(#figures-on-time)" stroke="#333"/>'
        f'<text x="180" y="24" font-size="19">{escape(_(ON_TIME))}</text>'
    )


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
