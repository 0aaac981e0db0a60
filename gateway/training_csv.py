"""The year's training coverage as CSV for a spreadsheet: the page's table (one row
per unit and position, then the commune's row per position) with the names of those
still to be trained.

UTF-8 with a byte order mark, so Excel shows Vietnamese letters rightly; shares with
a decimal comma, as Excel set for Vietnam reads them."""

import csv
import io

from gateway.results_csv import safe_cell
from gateway.training_chart import coverage_table
from shared.contracts.training import Coverage

HEADER = [
    "Đơn vị",
    "Chức danh",
    "Số người giữ chức danh",
    "Đã hoàn thành",
    "Tỷ lệ %",
    "Chỉ tiêu %",
    "Chưa tập huấn",
]


def coverage_csv(coverage: Coverage, unit_names: dict[str, str], with_names: bool) -> str:
    """`with_names` False leaves the names out (for a reader who may not see them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in coverage_table(coverage, unit_names):
        row = line["row"]
        writer.writerow(
            [
                safe_cell(line["unit"]),
                safe_cell(line["position"]),
                row.holders,
                row.trained,
                line["share"].removesuffix("%").replace("–", ""),
                "" if row.target_percent is None else row.target_percent,
                safe_cell("; ".join(line["missing"])) if with_names else "",
            ]
        )
    return "\ufeff" + out.getvalue()
