"""The year's training coverage as CSV for a spreadsheet: the page's table (one row
per unit and position, then the commune's row per position) with the names of those
still to be trained.

UTF-8 with a byte order mark, so Excel shows Vietnamese letters rightly; shares with
a decimal comma, as Excel set for Vietnam reads them."""

from gateway.results_csv import spreadsheet
from gateway.training_chart import coverage_table
from shared.contracts.training import Coverage
from shared.i18n import N_, _

HEADER = [
    N_("Đơn vị"),
    N_("Chức danh"),
    N_("Số người giữ chức danh"),
    N_("Đã hoàn thành"),
    N_("Tỷ lệ %"),
    N_("Chỉ tiêu %"),
    N_("Chưa tập huấn"),
]


def coverage_csv(coverage: Coverage, unit_names: dict[str, str], with_names: bool) -> str:
    """`with_names` False leaves the names out (for a reader who may not see them)."""
    rows = [
        [
            line["unit"],
            line["position"],
            line["row"].holders,
            line["row"].trained,
            line["share"].removesuffix("%").replace("–", ""),
            "" if line["row"].target_percent is None else line["row"].target_percent,
            "; ".join(line["missing"]) if with_names else "",
        ]
        for line in coverage_table(coverage, unit_names)
    ]
    return spreadsheet([_(name) for name in HEADER], rows)
