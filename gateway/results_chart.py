"""The results chart, drawn on the server as SVG (no JavaScript): one horizontal bar
per option, stacked by channel, with colours AND patterns so it reads in grey too,
and for a decision the line the deciding option has to reach (Law 10/2022 Art 21.1).

Also the number formats the results pages share: 1.234 and 68,7% (1,234 and 68.7% in
English). Words are in the request's language (shared.i18n).
"""

from html import escape

from shared.contracts.surveys import RATING_SCALE, Channel, PollKind, PollResults, QuestionType
from shared.i18n import N_, VIETNAMESE, _, current, format_number, ngettext

CHANNELS = (Channel.ONLINE, Channel.PAPER, Channel.MEETING)
CHANNEL_VI = {  # shown with _()
    Channel.ONLINE: N_("Trực tuyến"),
    Channel.PAPER: N_("Phiếu giấy"),
    Channel.MEETING: N_("Tại họp"),
}

WIDTH = 480  # viewBox units; on a 360 px phone a 22-unit letter is 15 px
FONT = 22
BAR_MAX = WIDTH - 90  # room for the number at the end of the longest bar
ROW = 74  # one option: its label, then its bar
BAR_H = 30
LEGEND_H = 46
LABEL_CHARS = 38  # a longer option label is cut here; the table gives it whole


def vn_number(value: int) -> str:
    """1234567 → 1.234.567 (1,234,567 in English)"""
    return format_number(value)


def vn_decimal(value: float) -> str:
    """One decimal: 68,7 (68.7 in English)."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if current() == VIETNAMESE else text


def vn_percent(part: int, whole: int) -> str:
    """412 of 600 → 68,7% (68.7%)"""
    share = 100 * part / whole if whole else 0.0
    return vn_decimal(share) + "%"


def option_labels(results: PollResults, question_id: str) -> list[tuple[str, str]]:
    """(option id, label) of a choice or rating question, in the ballot's order."""
    question = next(q for q in results.poll.questions if q.id == question_id)
    if question.type == QuestionType.RATING:
        return [(value, _("Mức {level}").format(level=value)) for value in RATING_SCALE]
    if question.type == QuestionType.TEXT:
        raise ValueError(f"question {question_id} is free text: no chart")
    return [(option.id, option.label) for option in question.options]


def results_svg(results: PollResults, question_id: str) -> str:
    question = next(q for q in results.poll.questions if q.id == question_id)
    channels = [channel for channel in CHANNELS if channel in results.poll.channels]
    by_option = results.totals.get(question_id, {})
    options = [
        (label, {channel: by_option.get(option, {}).get(channel, 0) for channel in channels})
        for option, label in option_labels(results, question_id)
    ]
    largest = max((sum(counts.values()) for _, counts in options), default=0)
    decision = results.poll.kind == PollKind.DECISION
    # A decision's bars are drawn against ALL households (Art 21.1); others against
    # the largest answer, so a survey of a few replies still shows its shape.
    scale_to = max(results.total_households if decision else 0, largest, 1)
    unit = BAR_MAX / scale_to
    ids = f"chart-{question_id}"
    height = LEGEND_H + ROW * len(options) + (56 if decision else 12)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{ids}-title {ids}-desc" font-size="{FONT}" '
        'font-family="system-ui, sans-serif" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ids}-title">{escape(question.text)}</title>',
        f'<desc id="{ids}-desc">{escape(_describe(results, options))}</desc>',
        _patterns(ids),
        _legend(ids, channels),
    ]
    for number, (label, counts) in enumerate(options):
        top = LEGEND_H + ROW * number
        parts.append(f'<text x="0" y="{top + 22}">{escape(_short(label))}</text>')
        x = 0.0
        for channel in channels:
            width = counts[channel] * unit
            if width:
                parts.append(
                    f'<rect x="{x:.1f}" y="{top + 30}" width="{width:.1f}" height="{BAR_H}" '
                    f'fill="url(#{ids}-{channel})" stroke="#fff"><title>'
                    f"{escape(_(CHANNEL_VI[channel]))}: {vn_number(counts[channel])}</title></rect>"
                )
            x += width
        parts.append(
            f'<text x="{x + 8:.1f}" y="{top + 53}" font-weight="700">'
            f"{vn_number(sum(counts.values()))}</text>"
        )
    bottom = LEGEND_H + ROW * len(options)
    parts.append(f'<line x1="0" y1="{LEGEND_H + 24}" x2="0" y2="{bottom + 4}" stroke="#767676"/>')
    if decision:
        parts.append(
            f'<text x="0" y="{bottom + 26}" fill="#5f5f5f" font-size="18">0</text>'
            f'<text x="{BAR_MAX}" y="{bottom + 26}" fill="#5f5f5f" font-size="18" '
            f'text-anchor="end">{escape(households(scale_to))}</text>'
        )
        parts.append(_needed_line(results, unit, bottom))
    parts.append("</svg>")
    return "\n".join(part for part in parts if part)


def _needed_line(results: PollResults, unit: float, bottom: int) -> str:
    """Art 21.1: the deciding option passes at `needed` of ALL households."""
    outcome = results.outcome
    if not outcome or outcome.counts != "households":
        return ""
    x = outcome.needed * unit
    label = escape(_("cần {count} hộ để thông qua").format(count=vn_number(outcome.needed)))
    wide = len(label) * FONT * 0.62  # about, in bold; the label must stay inside the chart
    if x + 6 + wide <= WIDTH:
        anchor, at = "start", x + 6
    elif x - 6 - wide >= 0:
        anchor, at = "end", x - 6
    else:
        anchor, at = "middle", WIDTH / 2
    return (
        f'<line x1="{x:.1f}" y1="{LEGEND_H + 20}" x2="{x:.1f}" y2="{bottom + 8}" '
        'stroke="#b00020" stroke-width="3" stroke-dasharray="8 5"/>'
        f'<text x="{at:.1f}" y="{bottom + 50}" fill="#b00020" font-weight="700" '
        f'text-anchor="{anchor}">{label}</text>'
    )


def _describe(results: PollResults, options: list[tuple[str, dict[Channel, int]]]) -> str:
    """The chart in words, for screen readers."""
    sentences = []
    for label, counts in options:
        by_channel = ", ".join(
            f"{_(CHANNEL_VI[channel]).lower()} {vn_number(n)}" for channel, n in counts.items() if n
        )
        total = vn_number(sum(counts.values()))
        sentences.append(f"{label}: {total}" + (f" ({by_channel})" if by_channel else ""))
    total = _("Tổng số hộ: {count}.").format(count=vn_number(results.total_households))
    text = "; ".join(sentences) + ". " + total
    outcome = results.outcome
    if outcome and outcome.counts == "households":
        needed = vn_number(outcome.needed)
        text += " " + _("Cần {count} hộ tán thành để thông qua.").format(count=needed)
    return text


def _patterns(ids: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{ids}-online" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#0b4f9c"/></pattern>'
        f'<pattern id="{ids}-paper" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#c66a00"/>'
        '<rect width="3" height="8" fill="#fff" fill-opacity=".7"/></pattern>'
        f'<pattern id="{ids}-meeting" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#2e7d32"/><circle cx="4" cy="4" r="2" fill="#fff"/>'
        "</pattern></defs>"
    )


def _legend(ids: str, channels: list[Channel]) -> str:
    parts, x = [], 0
    for channel in channels:
        name = _(CHANNEL_VI[channel])
        parts.append(
            f'<rect x="{x}" y="4" width="24" height="24" fill="url(#{ids}-{channel})" '
            f'stroke="#333"/><text x="{x + 30}" y="24" font-size="19">{escape(name)}</text>'
        )
        x += 44 + len(name) * 10
    return "".join(parts)


def households(count: int) -> str:
    """ "1.234 hộ" ("1,234 households")."""
    return ngettext("{count} hộ", "{count} hộ", count).format(count=vn_number(count))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
