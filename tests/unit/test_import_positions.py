"""The "Chức danh" column of a household list: the positions its people hold
(services/directory/import_positions.py)."""

from datetime import date

from services.directory import import_positions, roster
from shared.contracts.positions import Holding, Person, Position
from tests.unit.test_roster import CSV_HEADER, TODAY, UNITS

HEADER = CSV_HEADER + ",Chức danh,Từ ngày"
ROWS = [
    "HA7K2M,Tổ dân phố 1,Số 5 kiệt 12,Nguyễn Văn An,Chủ hộ,1970,0912 345 678,01/07/2025,{0},{1}",
    "HA7K2M,,,Trần Thị Bình,Vợ,1972,,,,",
    "HB3P4Q,Tổ dân phố 2,Số 9,Lê Văn Cường,Chủ hộ,1990,,15/01/2026,{2},{3}",
]
DRAFTER = "Thành viên tổ soạn thảo hương ước, quy ước"


def check(*cells: str, header: str = HEADER) -> tuple[roster.RosterCheck, object]:
    """The two households' rows with "Chức danh" and "Từ ngày" cells
    (An's position, An's date, Cường's position, Cường's date)."""
    cells = (*cells, "", "", "", "")[:4]
    lines = [header, *(row.format(*(_csv(c) for c in cells)) for row in ROWS)]
    rows = roster.read_table("ds.csv", "\n".join(lines).encode())
    checked = roster.check_roster(rows, UNITS, {}, TODAY)
    return checked, import_positions.check_positions(rows, checked, UNITS, TODAY)


def _csv(cell: str) -> str:
    return f'"{cell}"' if "," in cell else cell


def named(found) -> list[tuple[int, str, Position, date | None]]:
    return [(n.line, n.name, n.position, n.starts_on) for n in found.named]


def test_a_position_by_its_name_in_any_case_or_by_its_code_is_read_with_its_start():
    checked, found = check(
        "thành viên ban giám sát đầu tư của cộng đồng", "05/01/2026", "front_committee_head"
    )
    assert checked.problems == [] and len(checked.households) == 2
    assert named(found) == [
        (2, "Nguyễn Văn An", Position.INVESTMENT_SUPERVISION, date(2026, 1, 5)),
        (4, "Lê Văn Cường", Position.FRONT_COMMITTEE_HEAD, None),
    ]
    assert "Chức danh" not in checked.ignored_columns  # the column is used now


def test_several_positions_in_one_cell_separated_by_semicolons():
    checked, found = check(f"Trưởng ban công tác Mặt trận; {DRAFTER};  ")
    assert checked.problems == []
    assert [n.position for n in found.named] == [
        Position.FRONT_COMMITTEE_HEAD,
        Position.CONVENTION_DRAFTER,
    ]


def test_the_column_heading_may_be_written_as_clerks_do():
    header = CSV_HEADER + ",chuc_danh,Ngày bắt đầu giữ chức danh"
    checked, found = check("Ban Giám sát đầu tư của cộng đồng", "2026-02-01", header=header)
    assert checked.problems == [] and checked.ignored_columns == []
    assert named(found) == [(2, "Nguyễn Văn An", Position.INVESTMENT_SUPERVISION, date(2026, 2, 1))]


def test_an_unknown_position_is_a_problem_that_leaves_out_its_household():
    checked, found = check("Chủ tịch hội nông dân", "", "convention_drafter")
    assert [(p.line, p.column) for p in checked.problems] == [(2, "Chức danh")]
    assert "Không có chức danh “Chủ tịch hội nông dân”" in checked.problems[0].problem
    assert DRAFTER in checked.problems[0].problem  # says what may be written
    assert [h.code for h in checked.households] == ["HB3P4Q"]
    assert checked.invalid_codes == {"HA7K2M"}
    assert [n.code for n in found.named] == ["HB3P4Q"]


def test_a_position_that_follows_a_staff_role_is_refused():
    for role_position in ("Trưởng thôn, tổ trưởng tổ dân phố", "inspection_board", "Trưởng thôn"):
        checked, found = check(role_position)
        assert [(p.line, p.column) for p in checked.problems] == [(2, "Chức danh")]
        problem = checked.problems[0].problem
        assert "chức danh này theo vai trò tài khoản: cấp vai trò thay vì nhập" in problem
        assert found.named == [] and checked.invalid_codes == {"HA7K2M"}


def test_a_start_that_is_impossible_in_the_future_or_before_the_unit_is_a_problem():
    checked, _ = check(DRAFTER, "31/02/2026", DRAFTER, "01/12/2025")
    assert [(p.line, p.column) for p in checked.problems] == [(2, "Từ ngày"), (4, "Từ ngày")]
    assert "Không có ngày" in checked.problems[0].problem
    assert "Tổ dân phố 2 được thành lập" in checked.problems[1].problem
    checked, _ = check(DRAFTER, "01/01/2027")
    assert checked.problems[0].problem == "Ngày bắt đầu giữ chức danh chưa tới."


def test_a_file_without_the_column_reads_no_positions_and_changes_nothing():
    lines = [CSV_HEADER + ",Từ ngày", ROWS[0].format("", "01/01/2026")[:-1]]
    rows = roster.read_table("ds.csv", "\n".join(lines).encode())
    checked = roster.check_roster(rows, UNITS, {}, TODAY)
    found = import_positions.check_positions(rows, checked, UNITS, TODAY)
    assert found.named == [] and checked.problems == []
    assert checked.ignored_columns == ["Từ ngày"]  # no position: the date is not read


def test_each_named_holding_opens_once_in_the_households_unit():
    checked, found = check(f"{DRAFTER}; front_committee_head", "", DRAFTER)
    households = {h.code: h for h in checked.households}
    opened = import_positions.holdings_to_open(found.named, households, [], "huong-an", TODAY)
    assert [(h.unit_id, h.position, h.person.full_name, h.starts_on) for h in opened] == [
        ("tdp-1", Position.CONVENTION_DRAFTER, "Nguyễn Văn An", TODAY),
        ("tdp-1", Position.FRONT_COMMITTEE_HEAD, "Nguyễn Văn An", TODAY),
        ("tdp-2", Position.CONVENTION_DRAFTER, "Lê Văn Cường", TODAY),
    ]
    an = opened[0].person
    assert (an.household, an.phone) == ("HA7K2M", "0912345678")
    assert opened[1].person.person_id == an.person_id  # one person, two positions
    again = import_positions.holdings_to_open(found.named, households, [], "huong-an", TODAY)
    assert [h.holding_id for h in again] == [h.holding_id for h in opened]  # the same ids

    # what is held open already (imported, or entered by staff) opens nothing more
    entered = Holding(
        holding_id="f" * 32,
        commune_id="huong-an",
        unit_id="tdp-2",
        position=Position.CONVENTION_DRAFTER,
        person=Person(person_id="p-" + "a" * 16, full_name="Lê Văn  Cường"),
        starts_on=date(2026, 3, 1),
    )
    left = import_positions.holdings_to_open(
        found.named, households, [*opened[:1], entered], "huong-an", TODAY
    )
    assert [(h.position, h.person.full_name) for h in left] == [
        (Position.FRONT_COMMITTEE_HEAD, "Nguyễn Văn An")
    ]
    # ...but a position they left may be held again
    ended = entered.model_copy(update={"ends_on": date(2026, 6, 1)})
    back = import_positions.holdings_to_open(found.named, households, [ended], "huong-an", TODAY)
    assert len(back) == 3


def test_the_column_twice_is_a_problem_of_the_header():
    header = CSV_HEADER + ",Chức danh,Chức vụ"
    checked, found = check(DRAFTER, DRAFTER, header=header)
    assert [(p.line, p.column) for p in checked.problems] == [(1, "Chức vụ")]
    assert checked.households == [] and found.named == []
