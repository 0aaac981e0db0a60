"""The positions a household list names: its optional "Chức danh" column.

Law 10/2022 Art 8.1 (and the seed resolutions' measure 1) wants the holders of six
positions trained; three have no staff account and are "entered by commune staff
or imported with the household list" (issue #15): members of the Community
Investment Supervision Board (Art 41), heads of the Front work committees, and
the teams that draft a village convention (Decree 61/2023 Art 8). A row's
"Chức danh" names one or several of them, separated by ";", by its name as in
POSITION_NAMES_VI (or its code, e.g. "convention_drafter"); "Từ ngày" is the day
the person began to hold it (today in Vietnam if empty). The three that follow
staff roles (officials, heads of thôn / tổ dân phố, People's Inspection Board,
Art 36) are refused: they open with the role.

Checked with the file (a problem leaves out the whole household, like any other);
applied with it: one holding per person, position and unit, in the row's thôn or
tổ dân phố, its id derived from them (import_holding_id), so applying again or
importing the same file again opens none twice. Pure rules, no I/O.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from services.directory import roster
from services.directory.domain import name_key
from shared.calendar import parse_day
from shared.contracts.directory import AdministrativeUnit
from shared.contracts.households import Household
from shared.contracts.imports import RowProblem
from shared.contracts.positions import (
    ENTERED_POSITIONS,
    POSITION_NAMES_VI,
    POSITION_OF_ROLE,
    Holding,
    Person,
    Position,
)
from shared.i18n import _

POSITION = "Chức danh"  # i18n-exempt: a heading of the file
HELD_FROM = "Từ ngày"  # i18n-exempt: a heading of the file
ALIASES = {
    POSITION: (
        "chuc_danh",
        "chuc danh",
        "chức vụ",  # i18n-exempt: a heading
        "chuc_vu",
        "chuc vu",
        "chức danh giữ",  # i18n-exempt: a heading
    ),
    HELD_FROM: (
        "tu_ngay",
        "tu ngay",
        "giữ chức danh từ ngày",  # i18n-exempt: a heading
        "ngày bắt đầu giữ chức danh",  # i18n-exempt: a heading
        "ngày giữ chức danh",  # i18n-exempt: a heading
    ),
}
SEPARATOR = ";"


def _names(position: Position) -> set[str]:
    """How a cell may name a position: its Vietnamese name, with or without
    "Thành viên", or its code."""
    full = name_key(POSITION_NAMES_VI[position])
    member = "thành viên "  # i18n-exempt: a cell's word
    return {full, full.removeprefix(member), position.value}


# The three role positions also by the words clerks write for them.
_ROLE_WORDS = (
    "trưởng thôn",  # i18n-exempt: words a cell may say
    "tổ trưởng tổ dân phố",  # i18n-exempt: words a cell may say
    "ban thanh tra nhân dân",  # i18n-exempt: words a cell may say
    "cán bộ",  # i18n-exempt: words a cell may say
    "công chức",  # i18n-exempt: words a cell may say
    "cán bộ, công chức",  # i18n-exempt: words a cell may say
)
KNOWN = {key: p for p in ENTERED_POSITIONS for key in _names(p)}
BY_ROLE = {key for p in set(POSITION_OF_ROLE.values()) for key in _names(p)} | set(_ROLE_WORDS)


@dataclass(frozen=True)
class NamedHolding:
    """A row's position, before the household's unit is known."""

    line: int
    code: str
    name: str
    position: Position
    starts_on: date | None


@dataclass
class PositionCheck:
    named: list[NamedHolding] = field(default_factory=list)  # of valid households only
    problems: list[RowProblem] = field(default_factory=list)


def _columns(header: list[str]) -> tuple[dict[str, int], list[RowProblem]]:
    wanted = {roster.heading_key(name): name for name in (POSITION, HELD_FROM)}
    for name, aliases in ALIASES.items():
        wanted.update({roster.heading_key(alias): name for alias in aliases})
    for name in (roster.CODE, roster.NAME):
        wanted.update({roster.heading_key(h): name for h in (name, *roster.ALIASES[name])})
    found: dict[str, int] = {}
    problems = []
    for index, heading in enumerate(header):
        column = wanted.get(roster.heading_key(heading))
        if column in (POSITION, HELD_FROM) and column in found:
            problems.append(RowProblem(line=1, column=heading, problem=_("Cột này có hai lần.")))
        elif column is not None and column not in found:
            found[column] = index
    return found, problems


def check_positions(
    rows: list[list[str]],
    check: roster.RosterCheck,
    units: Iterable[AdministrativeUnit],
    today: date,
) -> PositionCheck:
    """Read the "Chức danh" and "Từ ngày" columns of a table `roster.check_roster`
    has checked into `check`, and amend `check`: their problems join its problems,
    a household with one joins the invalid ones, and the two columns are no longer
    "ignored". `units` are the ones the roster was checked against."""
    header, *body = rows
    columns, twice = _columns(header)
    if POSITION not in columns or any(p.line == 1 for p in check.problems):
        return PositionCheck()  # no positions in this file, or a header the roster refused
    read = {roster.heading_key(header[i]) for c, i in columns.items() if c in (POSITION, HELD_FROM)}
    check.ignored_columns = [h for h in check.ignored_columns if roster.heading_key(h) not in read]
    found = PositionCheck(problems=list(twice))
    units_by_id = {unit.id: unit for unit in units}
    unit_of = {h.code: units_by_id.get(h.current.unit_id) for h in check.households}
    bad: set[str] = set()
    for line, row in enumerate(body, start=2):
        cells = {column: (row[i] if i < len(row) else "") for column, i in columns.items()}
        if not cells[POSITION].strip():
            continue  # "Từ ngày" alone says nothing
        raw_code = cells[roster.CODE].strip().upper().replace(" ", "")
        code = raw_code or _("(dòng {line})").format(
            line=line
        )  # as roster names a row with no code
        row_problems = _read_row(line, code, cells, unit_of.get(code), today, found.named)
        if row_problems:
            found.problems += row_problems
            bad.add(code)
    if twice:  # a column twice: the file is refused as a whole
        bad = {h.code for h in check.households}
    found.named = [n for n in found.named if n.code in unit_of and n.code not in bad]
    check.problems = sorted(check.problems + found.problems, key=lambda p: p.line)
    check.invalid_codes |= bad & set(unit_of)
    check.households = [h for h in check.households if h.code not in bad]
    return found


def _read_row(
    line: int,
    code: str,
    cells: dict[str, str],
    unit: AdministrativeUnit | None,
    today: date,
    named: list[NamedHolding],
) -> list[RowProblem]:
    problems: list[RowProblem] = []

    def refuse(column: str, problem: str) -> None:
        problems.append(RowProblem(line=line, column=column, problem=problem))

    positions: list[Position] = []
    for text in (part.strip() for part in cells[POSITION].split(SEPARATOR)):
        key = name_key(text)
        if not key:
            continue
        if key in KNOWN:
            if KNOWN[key] not in positions:
                positions.append(KNOWN[key])
        elif key in BY_ROLE:
            refuse(
                POSITION,
                _(
                    "“{text}”: chức danh này theo vai trò tài khoản: cấp vai trò thay vì nhập."
                ).format(text=text),
            )
        else:
            choices = "; ".join(POSITION_NAMES_VI[p] for p in ENTERED_POSITIONS)  # as cells say
            refuse(
                POSITION,
                _("Không có chức danh “{text}”. Chức danh nhập được: {choices}.").format(
                    text=text, choices=choices
                ),
            )
    starts_on = None
    if text := cells.get(HELD_FROM, "").strip():
        try:
            starts_on = parse_day(text)
        except ValueError as problem:
            refuse(HELD_FROM, str(problem))
        else:
            if starts_on > today:
                refuse(HELD_FROM, _("Ngày bắt đầu giữ chức danh chưa tới."))
            elif unit is not None and starts_on < unit.valid_from:
                refuse(
                    HELD_FROM,
                    _("Trước ngày {unit} được thành lập ({day}).").format(
                        unit=unit.name, day=f"{unit.valid_from:%d/%m/%Y}"
                    ),
                )
    name = cells[roster.NAME].strip()
    named += [NamedHolding(line, code, name, p, starts_on) for p in positions if name]
    return problems


def import_holding_id(commune_id: str, code: str, name: str, position: Position, unit: str) -> str:
    """The same person, position and unit of the same commune give the same id."""
    key = f"{commune_id}\n{code}\n{name_key(name)}\n{position.value}\n{unit}"
    return "imp-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def import_person_id(commune_id: str, code: str, name: str) -> str:
    key = f"{commune_id}\n{code}\n{name_key(name)}"
    return "p-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def holdings_to_open(
    named: list[NamedHolding],
    households: dict[str, Household],
    existing: list[Holding],
    commune_id: str,
    today: date,
) -> list[Holding]:
    """The holdings to open for the positions named by the rows of `households` (the
    ones applied): none for a person who holds that position open in that unit
    already, whoever entered it. A person entered before (same name and household)
    keeps their person_id."""
    known = {
        (name_key(h.person.full_name), h.person.household): h.person.person_id
        for h in sorted(existing, key=lambda h: h.starts_on)
    }
    held = {  # by person_id, and by name and household (or name alone, if entered without)
        (person, h.position, h.unit_id)
        for h in existing
        if h.ends_on is None or h.ends_on > today
        for person in (h.person.person_id, (name_key(h.person.full_name), h.person.household))
    }
    opened: dict[str, Holding] = {}
    for item in named:
        household = households.get(item.code)
        if household is None:
            continue  # left out, or left alone when applied
        unit_id = household.current.unit_id
        who = (name_key(item.name), item.code)
        person_id = known.get(who) or import_person_id(commune_id, item.code, item.name)
        people = (who, (who[0], None), person_id)
        if any((person, item.position, unit_id) in held for person in people):
            continue
        phone = next((m.phone for m in household.members if m.name == item.name), None)
        holding = Holding(
            holding_id=import_holding_id(commune_id, item.code, item.name, item.position, unit_id),
            commune_id=commune_id,
            unit_id=unit_id,
            position=item.position,
            person=Person(
                person_id=person_id, full_name=item.name, household=item.code, phone=phone
            ),
            starts_on=item.starts_on or today,
        )
        opened.setdefault(holding.holding_id, holding)
    return list(opened.values())
