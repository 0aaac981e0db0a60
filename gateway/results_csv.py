"""The results as CSV for a spreadsheet: one row per unit and option, then the totals.

UTF-8 with a byte order mark, so Excel shows Vietnamese letters rightly.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from gateway.results_chart import CHANNELS, option_labels
from shared.contracts.surveys import PollResults, QuestionType
from shared.i18n import N_, _

HEADER = [  # in the request's language: _() where written
    N_("Thôn, tổ dân phố"),
    N_("Số hộ"),
    N_("Tham gia trực tuyến"),
    N_("Tham gia bằng phiếu giấy"),
    N_("Tham gia tại họp"),
    N_("Câu hỏi"),
    N_("Phương án"),
    N_("Trực tuyến"),
    N_("Phiếu giấy"),
    N_("Tại họp"),
    N_("Tổng"),
]
TOTAL_ROW = N_("Tổng cộng")
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def results_csv(results: PollResults) -> str:
    rows = [
        (unit.unit_name, unit.households, unit.participated, unit.counts) for unit in results.units
    ]
    rows.append((_(TOTAL_ROW), results.total_households, results.participated, results.totals))
    lines = []
    for name, households, participated, counts in rows:
        for question in results.poll.questions:
            if question.type == QuestionType.TEXT:
                continue
            for option, label in option_labels(results, question.id):
                by_channel = counts.get(question.id, {}).get(option, {})
                numbers = [by_channel.get(channel, 0) for channel in CHANNELS]
                lines.append(
                    [
                        name,
                        households,
                        *(participated.get(channel, 0) for channel in CHANNELS),
                        question.text,
                        label,
                        *numbers,
                        sum(numbers),
                    ]
                )
    return spreadsheet([_(name) for name in HEADER], lines)


def spreadsheet(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A table as CSV for Excel: UTF-8 with a byte order mark, so it shows Vietnamese
    letters rightly, and every text cell safe (`safe_cell`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return "\ufeff" + out.getvalue()


def safe_cell(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text
