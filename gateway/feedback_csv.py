"""The feedback figures as CSV for a spreadsheet: the page's table (one row per unit
and category, then the commune's total) with the counts its rates come from.

UTF-8 with a byte order mark, so Excel shows Vietnamese letters rightly; rates with
a decimal comma, as Excel set for Vietnam reads them."""

from gateway.feedback_chart import figures_table
from gateway.results_csv import spreadsheet
from shared.contracts.feedback import Figures

HEADER = [
    "Thôn, tổ dân phố",
    "Lĩnh vực",
    "Tiếp nhận",
    "Đã trả lời",
    "Trả lời đúng hạn",
    "Tỷ lệ đúng hạn",
    "Số ngày giải quyết (trung vị)",
    "Được đánh giá",
    "Hài lòng",
    "Tỷ lệ hài lòng",
    "Mở lại",
    "Tỷ lệ mở lại",
]


def figures_csv(
    figures: Figures, unit_names: dict[str, str], category_names: dict[str, str]
) -> str:
    lines = figures_table(figures, unit_names, category_names)
    return spreadsheet(HEADER, (_cells(line) for line in lines))


def _cells(line: dict) -> list:
    row = line["row"]
    return [
        line["unit"],
        line["category"],
        row.received,
        row.answered,
        row.answered_on_time,
        line["on_time"],
        line["median_days"],
        row.rated,
        row.satisfied,
        line["satisfied"],
        row.reopened,
        line["reopened"],
    ]
