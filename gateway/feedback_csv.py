"""The feedback figures as CSV for a spreadsheet: the page's table (one row per unit
and category, then the commune's total) with the counts its rates come from.

UTF-8 with a byte order mark, so Excel shows Vietnamese letters rightly; rates with
a decimal comma, as Excel set for Vietnam reads them."""

from gateway.feedback_chart import figures_table
from gateway.results_csv import spreadsheet
from shared.contracts.feedback import Figures
from shared.i18n import N_, _

HEADER = [
    N_("Thôn, tổ dân phố"),
    N_("Lĩnh vực"),
    N_("Tiếp nhận"),
    N_("Đã trả lời"),
    N_("Trả lời đúng hạn"),
    N_("Tỷ lệ đúng hạn"),
    N_("Số ngày giải quyết (trung vị)"),
    N_("Được đánh giá"),
    N_("Hài lòng"),
    N_("Tỷ lệ hài lòng"),
    N_("Mở lại"),
    N_("Tỷ lệ mở lại"),
]


def figures_csv(
    figures: Figures, unit_names: dict[str, str], category_names: dict[str, str]
) -> str:
    lines = figures_table(figures, unit_names, category_names)
    return spreadsheet([_(name) for name in HEADER], (_cells(line) for line in lines))


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
