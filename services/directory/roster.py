"""Household lists as ward staff keep them: reading a CSV or Excel file and
checking it row by row. Pure rules, no I/O but the bytes given.

One row per person; rows with the same household code form one household. The
household's unit, address and start date may be written on its first row only.
The representative (Law 10/2022 Art 5: chủ hộ, or the person the household
designates) is the row whose relation says so. Lines are numbered as the
spreadsheet numbers them: the header is line 1.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import ValidationError

from services.directory.domain import name_key
from shared.calendar import parse_day
from shared.contracts.directory import AdministrativeUnit
from shared.contracts.households import Household, Member, normalize_phone
from shared.contracts.imports import RowProblem
from shared.i18n import _
from shared.ids import CODE_PATTERN

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 300_000

# The template's columns, in its order; `Column.name` is what the file says. Headings of
# a Vietnamese file, not messages: the same in every language.
CODE = "Mã hộ"  # i18n-exempt: a heading of the file
UNIT = "Tổ dân phố, thôn"  # i18n-exempt: a heading of the file
ADDRESS = "Địa chỉ"  # i18n-exempt: a heading of the file
NAME = "Họ và tên"  # i18n-exempt: a heading of the file
RELATION = "Quan hệ với chủ hộ"  # i18n-exempt: a heading of the file
BIRTH_YEAR = "Năm sinh"  # i18n-exempt: a heading of the file
PHONE = "Số điện thoại"  # i18n-exempt: a heading of the file
SINCE = "Cư trú từ ngày"  # i18n-exempt: a heading of the file
TEMPLATE_COLUMNS = (CODE, UNIT, ADDRESS, NAME, RELATION, BIRTH_YEAR, PHONE, SINCE)
REQUIRED_COLUMNS = (CODE, UNIT, ADDRESS, NAME, RELATION, SINCE)

# Other headings clerks use for the same columns (compared by `heading_key`).
ALIASES = {
    CODE: ("mã hộ gia đình", "mã số hộ"),  # i18n-exempt: headings
    UNIT: (
        "tổ dân phố",  # i18n-exempt: a heading
        "thôn",  # i18n-exempt: a heading
        "tổ dân phố/thôn",  # i18n-exempt: a heading
        "thôn, tổ dân phố",  # i18n-exempt: a heading
        "thôn/tổ dân phố",  # i18n-exempt: a heading
        "tổ",  # i18n-exempt: a heading
    ),
    ADDRESS: ("địa chỉ thường trú", "nơi ở"),  # i18n-exempt: headings
    NAME: ("họ tên", "họ và tên thành viên"),  # i18n-exempt: headings
    RELATION: ("quan hệ", "quan hệ với chủ hộ gia đình"),  # i18n-exempt: headings
    BIRTH_YEAR: ("năm sinh", "ngày sinh"),  # i18n-exempt: headings
    PHONE: ("điện thoại", "sđt", "số đt"),  # i18n-exempt: headings
    SINCE: ("cư trú từ", "ngày đến cư trú", "ngày đăng ký cư trú"),  # i18n-exempt: headings
}

HEAD = "chủ hộ"  # i18n-exempt: what a relation cell says
DESIGNATED = "người đại diện"  # i18n-exempt: what a relation cell says


class RosterFileError(ValueError):
    """The file cannot be read as a table at all (a sentence in Vietnamese)."""


@dataclass
class RosterCheck:
    """What checking a file found: the households it describes, and its problems."""

    rows: int = 0  # non-empty rows below the header
    households: list[Household] = field(default_factory=list)  # the ones without problems
    problems: list[RowProblem] = field(default_factory=list)
    invalid_codes: set[str] = field(default_factory=set)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def household_count(self) -> int:
        return len(self.households) + len(self.invalid_codes)


def heading_key(text: str) -> str:
    return name_key(text).strip(" *:")


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The rows of a .csv (UTF-8) or .xlsx file as text cells, header first."""
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileError(
            _("Tệp quá lớn (tối đa {size} MB). Hãy chia danh sách theo tổ dân phố, thôn.").format(
                size=MAX_FILE_BYTES // 1024 // 1024
            )
        )
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        rows = _xlsx_rows(content)
    elif suffix == "csv":
        rows = _csv_rows(content)
    else:
        raise RosterFileError(_("Chỉ nhận tệp .csv hoặc .xlsx (Excel)."))
    if len(rows) > MAX_ROWS + 1:
        raise RosterFileError(
            _("Tệp có quá {count} dòng.").format(count=f"{MAX_ROWS:,}".replace(",", "."))
        )
    if not rows:
        raise RosterFileError(_("Tệp không có dữ liệu."))
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    """A table as UTF-8 CSV: what is kept of a checked file, quicker to read again
    than a workbook."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError(
            _(
                "Tệp CSV không ở mã UTF-8 nên chữ tiếng Việt sẽ bị lỗi. Trong Excel, chọn "
                "“Lưu thành” → “CSV UTF-8 (Comma delimited)” rồi tải lên lại."
            )
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # Excel in Vietnamese often writes ";"
    return [
        [unicodedata.normalize("NFC", cell).strip() for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    # calamine (Rust) reads 30,000 households in 0.7 s; openpyxl took 9 s.
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several kinds for a file that is not a workbook
        raise RosterFileError(
            _("Không đọc được tệp Excel. Hãy lưu lại dưới dạng .xlsx rồi tải lên.")
        ) from None
    return [[_cell_text(value) for value in row] for row in rows]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1975 and 0912345678 as numbers
    return unicodedata.normalize("NFC", str(value)).strip()


def _column_positions(header: list[str]) -> tuple[dict[str, int], list[str], list[RowProblem]]:
    wanted = {heading_key(name): name for name in TEMPLATE_COLUMNS}
    for name, aliases in ALIASES.items():
        wanted.update({heading_key(alias): name for alias in aliases})
    positions: dict[str, int] = {}
    ignored, problems = [], []
    for index, heading in enumerate(header):
        column = wanted.get(heading_key(heading))
        if column is None:
            if heading.strip():
                ignored.append(heading.strip())
        elif column in positions:
            problems.append(RowProblem(line=1, column=heading, problem=_("Cột này có hai lần.")))
        else:
            positions[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            problems.append(RowProblem(line=1, column=column, problem=_("Thiếu cột này.")))
    return positions, ignored, problems


@dataclass
class _Draft:
    """A household as its rows describe it, before it is checked whole."""

    code: str
    first_line: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # column → (value, line)
    members: list[tuple[int, Member, str]] = field(default_factory=list)  # (line, member, relation)
    broken: bool = False


def check_roster(
    rows: list[list[str]],
    units: Iterable[AdministrativeUnit],
    existing_unit_of: dict[str, str | None],
    today: date,
) -> RosterCheck:
    """Check a table of households of one commune.

    `units` are the commune's thôn and tổ dân phố that exist today; a row names
    one by its name. `existing_unit_of` maps household codes already registered
    (anywhere) to the unit they live in now (None: no longer resident), so a
    code already used elsewhere is refused rather than silently moved.
    """
    header, *body = rows
    positions, ignored, problems = _column_positions(header)
    check = RosterCheck(ignored_columns=ignored, problems=problems)
    if problems:
        return check
    units_by_name = {name_key(unit.name): unit for unit in units}
    drafts: dict[str, _Draft] = {}
    for line, row in enumerate(body, start=2):
        cells = {column: (row[i] if i < len(row) else "") for column, i in positions.items()}
        if not any(cells.values()):
            continue  # blank rows between groups are common
        check.rows += 1
        _read_row(line, cells, drafts, check.problems)
    for draft in drafts.values():
        household = _household(draft, units_by_name, existing_unit_of, today, check.problems)
        if household is None:
            check.invalid_codes.add(draft.code)
        else:
            check.households.append(household)
    check.problems.sort(key=lambda problem: problem.line)
    return check


def _read_row(
    line: int, cells: dict[str, str], drafts: dict[str, _Draft], problems: list[RowProblem]
) -> None:
    def refuse(column: str, problem: str) -> None:
        problems.append(RowProblem(line=line, column=column, problem=problem))
        draft.broken = True

    raw_code = cells[CODE].strip().upper().replace(" ", "")
    code = raw_code or _("(dòng {line})").format(line=line)
    draft = drafts.setdefault(code, _Draft(code=code, first_line=line))
    if not raw_code:
        refuse(CODE, _("Thiếu mã hộ."))
    elif not re.fullmatch(CODE_PATTERN, raw_code):
        refuse(CODE, _("Mã hộ gồm 4–12 chữ in hoa và chữ số, không dùng 0, O, 1, I."))
    for column in (UNIT, ADDRESS, SINCE):
        value = cells[column]
        if not value:
            continue
        earlier = draft.values.setdefault(column, (value, line))
        if name_key(earlier[0]) != name_key(value):
            refuse(
                column,
                _("Khác với dòng {line} của cùng hộ {code}: “{value}”.").format(
                    line=earlier[1], code=code, value=earlier[0]
                ),
            )
    member = _member(cells, refuse)
    if member is not None:
        same = (member.name, member.birth_year)
        duplicate = next(
            (n for n, m, _relation in draft.members if (m.name, m.birth_year) == same), None
        )
        if duplicate is not None:
            refuse(NAME, _("Trùng với thành viên ở dòng {line}.").format(line=duplicate))
        else:
            draft.members.append((line, member, name_key(cells[RELATION])))


def _member(cells: dict[str, str], refuse) -> Member | None:  # noqa: ANN001
    name = cells[NAME]
    if not name:
        refuse(NAME, _("Thiếu họ tên."))
        return None
    birth_year = None
    if text := cells.get(BIRTH_YEAR, ""):
        year_text = text[:4] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else text[-4:]
        if not year_text.isdigit() or not 1900 <= int(year_text) <= date.today().year:
            refuse(BIRTH_YEAR, _("Năm sinh “{text}” không hợp lệ.").format(text=text))
            return None
        birth_year = int(year_text)
    phone = None
    if text := cells.get(PHONE, ""):
        if text.isdigit() and len(text) == 9:
            text = "0" + text  # a number cell in Excel drops the leading 0
        try:
            phone = normalize_phone(text)
        except ValueError as problem:
            refuse(PHONE, str(problem))
            return None
    if len(name) > 80:
        refuse(NAME, _("Họ tên quá dài (tối đa 80 ký tự)."))
        return None
    return Member(name=name, birth_year=birth_year, phone=phone)


def _household(
    draft: _Draft,
    units_by_name: dict[str, AdministrativeUnit],
    existing_unit_of: dict[str, str | None],
    today: date,
    problems: list[RowProblem],
) -> Household | None:
    def refuse(column: str, problem: str, line: int | None = None) -> None:
        problems.append(RowProblem(line=line or draft.first_line, column=column, problem=problem))
        draft.broken = True

    values = {column: value for column, (value, _line) in draft.values.items()}
    for column in (UNIT, ADDRESS, SINCE):
        if column not in values:
            refuse(
                column,
                _("Hộ {code} chưa có {column} ở dòng nào.").format(
                    code=draft.code, column=column.lower()
                ),
            )
    unit = units_by_name.get(name_key(values.get(UNIT, "")))
    if UNIT in values and unit is None:
        refuse(
            UNIT,
            _("Không có tổ dân phố, thôn “{name}” trong xã, phường này.").format(name=values[UNIT]),
        )
    since = None
    if SINCE in values:
        try:
            since = parse_day(values[SINCE])
        except ValueError as problem:
            refuse(SINCE, str(problem))
        else:
            if since > today:
                refuse(SINCE, _("Ngày bắt đầu cư trú chưa tới."))
            elif unit is not None and since < unit.valid_from:
                refuse(
                    SINCE,
                    _("Trước ngày {unit} được thành lập ({day}).").format(
                        unit=unit.name, day=f"{unit.valid_from:%d/%m/%Y}"
                    ),
                )
    representative = _representative(draft, refuse)
    if draft.code in existing_unit_of and unit is not None:
        now_in = existing_unit_of[draft.code]
        if now_in != unit.id:
            used = (
                _(
                    "Mã hộ {code} đã dùng cho một hộ ở đơn vị khác; nếu đúng là hộ này "
                    "chuyển đến, hãy dùng chức năng chuyển hộ."
                )
                if now_in
                else _(
                    "Mã hộ {code} đã dùng cho một hộ đã chuyển đi; nếu đúng là hộ này "
                    "chuyển đến, hãy dùng chức năng chuyển hộ."
                )
            )
            refuse(CODE, used.format(code=draft.code))
    if draft.broken or unit is None or since is None or representative is None:
        return None
    try:
        return Household(
            code=draft.code,
            address=values[ADDRESS],
            representative_name=representative,
            members=[member for _line, member, _relation in draft.members],
            periods=[{"unit_id": unit.id, "status": "active", "start": since}],
        )
    except ValidationError as error:  # e.g. an address too long
        refuse(ADDRESS, error.errors()[0]["msg"])
        return None


def _representative(draft: _Draft, refuse) -> str | None:  # noqa: ANN001
    """The designated person if there is one, else the head of household."""
    for relation in (DESIGNATED, HEAD):
        chosen = [(line, member) for line, member, said in draft.members if said == relation]
        if len(chosen) > 1:
            lines = _(" và ").join(str(line) for line, _member in chosen)
            refuse(
                RELATION,
                _("Hộ {code} có hai “{relation}” (dòng {lines}).").format(
                    code=draft.code, relation=relation, lines=lines
                ),
                chosen[1][0],
            )
            return None
        if chosen:
            return chosen[0][1].name
    if draft.members:
        refuse(
            RELATION,
            _("Hộ {code} chưa có ai ghi là “Chủ hộ” hoặc “Người đại diện”.").format(
                code=draft.code
            ),
        )
    return None


@dataclass
class Comparison:
    """Checked households against the registry: what an import would write."""

    new: list[Household] = field(default_factory=list)
    changed: list[Household] = field(default_factory=list)  # with their registered history
    unchanged: int = 0


def compare_with_registry(
    households: list[Household], registered: dict[str, Household]
) -> Comparison:
    """A registered household keeps its residence history; only its address,
    representative and members come from the file (as `register_household`)."""
    comparison = Comparison()
    for household in households:
        before = registered.get(household.code)
        if before is None:
            comparison.new.append(household)
            continue
        after = household.model_copy(update={"periods": before.periods})
        if after == before:
            comparison.unchanged += 1
        else:
            comparison.changed.append(after)
    return comparison
