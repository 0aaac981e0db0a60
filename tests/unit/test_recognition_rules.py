"""The recognition service's rule book (services/recognition/rules.py; law brief §3,
§4, §7): dated versions of each rule, a commune's own versions, the rules with no
default until the commune sets them, the kinds of value, and which rules the brief
marks UNCONFIRMED."""

from datetime import UTC, date, datetime

import pytest

from services.recognition import rules
from services.recognition.rules import (
    COMMUNE_CHAIR,
    DEFINITIONS,
    DISTRICT_CHAIR,
    Book,
    checked_value,
    default_versions,
    definition,
    in_force,
)
from shared.contracts.recognition import RuleSet, RuleVersion, StaffType, Title
from shared.errors import InvalidInput

SET_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


def version(value, valid_from: date, set_at: datetime = SET_AT, reason="Quyết định của xã"):
    return RuleVersion(
        value=value, valid_from=valid_from, reason=reason, set_by="admin", set_at=set_at
    )


# --- the value in force on a day ---


@pytest.mark.parametrize(
    "day, salary",
    [
        (date(2023, 6, 30), None),  # before the first version of the series
        (date(2023, 7, 1), 1_800_000),  # Decree 24/2023
        (date(2024, 6, 30), 1_800_000),  # the last day of 1,800,000
        (date(2024, 7, 1), 2_340_000),  # Decree 73/2024, from its first day
        (date(2026, 1, 1), 2_340_000),
    ],
)
def test_the_base_salary_in_force_is_the_latest_version_on_or_before_the_day(day, salary):
    assert Book({}).value("base_salary", day) == salary


def test_a_commune_version_dated_between_two_defaults_decides_from_its_day():
    book = Book({"base_salary": [version(2_000_000, date(2024, 1, 1))]})
    assert book.value("base_salary", date(2023, 12, 31)) == 1_800_000
    assert book.value("base_salary", date(2024, 1, 1)) == 2_000_000
    assert book.value("base_salary", date(2024, 6, 30)) == 2_000_000
    assert book.value("base_salary", date(2024, 7, 1)) == 2_340_000  # the later default


def test_a_version_added_later_with_an_earlier_date_still_decides_that_date():
    book = Book(
        {
            "comment_days": [
                version(10, date(2026, 1, 1), set_at=SET_AT),
                version(7, date(2025, 6, 1), set_at=LATER),  # added after, dated before
            ]
        }
    )
    assert book.value("comment_days", date(2025, 5, 31)) == 5  # the default
    assert book.value("comment_days", date(2025, 6, 1)) == 7
    assert book.value("comment_days", date(2025, 12, 31)) == 7
    assert book.value("comment_days", date(2026, 1, 1)) == 10


def test_a_commune_version_on_the_same_day_as_a_default_wins():
    book = Book({"base_salary": [version(2_500_000, date(2024, 7, 1))]})
    assert book.value("base_salary", date(2024, 7, 1)) == 2_500_000
    assert book.value("base_salary", date(2024, 6, 30)) == 1_800_000
    # whatever the order the versions are given in
    versions = [version(2_500_000, date(2024, 7, 1)), *default_versions("base_salary")]
    assert in_force(versions, date(2024, 7, 1)) == 2_500_000


def test_the_versions_of_a_rule_are_listed_oldest_first_defaults_before_the_communes():
    book = Book({"base_salary": [version(2_500_000, date(2024, 7, 1))]})
    listed = book.versions("base_salary")
    assert [(v.valid_from, v.value) for v in listed] == [
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
        (date(2024, 7, 1), 2_500_000),
    ]
    assert listed[0].set_by == rules.DEFAULT_SETTER and listed[0].set_at is None


def test_of_two_commune_versions_on_the_same_day_the_one_set_last_decides():
    # A correction set later, from the same day, wins whatever order the store lists them in.
    corrected = version(12, date(2026, 1, 1), set_at=LATER)
    first = version(8, date(2026, 1, 1), set_at=SET_AT)
    assert Book({"comment_days": [first, corrected]}).value("comment_days", date(2026, 1, 1)) == 12
    assert Book({"comment_days": [corrected, first]}).value("comment_days", date(2026, 1, 1)) == 12


def test_a_rule_with_no_version_yet_has_no_value():
    assert in_force([], date(2026, 1, 1)) is None
    assert Book({}).value("multiple.giay_khen", date(2026, 1, 1)) is None


# --- rules the commune must set before they are used ---


def test_needed_refuses_naming_the_rule_where_no_default_exists():
    with pytest.raises(InvalidInput) as refused:
        Book({}).needed("multiple.giay_khen", date(2026, 3, 2), "decided_on")
    message = refused.value.fields["decided_on"]
    assert "Giấy khen" in message and "02/03/2026" in message
    assert "Chưa xác nhận" in message  # the rule's source says why there is no default


def test_needed_refuses_for_a_day_before_the_communes_first_version():
    book = Book({"multiple.giay_khen": [version(0.15, date(2026, 1, 1))]})
    with pytest.raises(InvalidInput) as refused:
        book.needed("multiple.giay_khen", date(2025, 12, 31), "decided_on")
    assert "31/12/2025" in refused.value.fields["decided_on"]
    assert book.needed("multiple.giay_khen", date(2026, 1, 1), "decided_on") == 0.15


def test_needed_gives_the_value_once_the_commune_sets_it():
    book = Book({"multiple.gia_dinh_van_hoa": [version(0.1, date(2025, 7, 1))]})
    assert book.needed("multiple.gia_dinh_van_hoa", date(2026, 1, 1), "x") == 0.1
    assert Book({}).needed("base_salary", date(2026, 1, 1), "x") == 2_340_000


def test_an_unknown_rule_is_refused():
    with pytest.raises(InvalidInput) as refused:
        definition("multiple.bang_khen")
    assert "key" in refused.value.fields
    with pytest.raises(InvalidInput):
        Book({}).value("no.such.rule", date(2026, 1, 1))


@pytest.mark.parametrize(
    "title, multiple",
    [
        (Title.GRASSROOTS_EMULATION_FIGHTER, 1.0),
        (Title.ADVANCED_WORKER, 0.3),
        (Title.OUTSTANDING_COLLECTIVE, 1.5),
        (Title.ADVANCED_COLLECTIVE, 0.8),
        (Title.CULTURED_VILLAGE, 1.5),
        (Title.CERTIFICATE_OF_MERIT, None),  # UNCONFIRMED: no default
        (Title.CULTURED_FAMILY, None),  # UNCONFIRMED: no default
    ],
)
def test_the_multiples_of_decree_152_2025_from_1_july_2025(title, multiple):
    book = Book({})
    assert book.value(f"multiple.{title.value}", date(2025, 7, 1)) == multiple
    # Before the reform no multiple has a default (see the report: Decree 98/2023
    # already had these multiples).
    assert book.value(f"multiple.{title.value}", date(2025, 6, 30)) is None


@pytest.mark.parametrize(
    "title, before, after",
    [
        (Title.ADVANCED_WORKER, COMMUNE_CHAIR, COMMUNE_CHAIR),
        (Title.CERTIFICATE_OF_MERIT, COMMUNE_CHAIR, COMMUNE_CHAIR),
        (Title.CULTURED_FAMILY, COMMUNE_CHAIR, COMMUNE_CHAIR),
        (Title.GRASSROOTS_EMULATION_FIGHTER, DISTRICT_CHAIR, COMMUNE_CHAIR),
        (Title.CULTURED_VILLAGE, DISTRICT_CHAIR, COMMUNE_CHAIR),
        (Title.ADVANCED_COLLECTIVE, DISTRICT_CHAIR, COMMUNE_CHAIR),
    ],
)
def test_the_authority_of_each_title_before_and_after_the_districts_went(title, before, after):
    book = Book({})
    assert book.value(f"authority.{title.value}", date(2025, 6, 30)) == before
    assert book.value(f"authority.{title.value}", date(2025, 7, 1)) == after


# --- the kinds of value ---


@pytest.mark.parametrize(
    "key, given, stored",
    [
        ("base_salary", 2_340_000, 2_340_000),  # money
        ("base_salary", 2_340_000.0, 2_340_000),  # a whole float is an int
        ("base_salary", 0, 0),
        ("cstdcs_cap_percent", 100, 100),  # percent: at most 100
        ("cstdcs_cap_percent", 0, 0),
        ("comment_days", 7, 7),  # days
        ("handling_days", 90, 90),
        ("effect_months.decree_172_2025", 12, 12),  # months
        ("limitation.decree_172_2025.other", 10, 10),  # years
        ("council_notice_wd.decree_112_2020", 5, 5),  # working days
        ("multiple.giay_khen", 0.15, 0.15),  # number: a float
        ("multiple.giay_khen", 1, 1.0),
        ("recidivism.cadre", False, False),  # yes_no
        ("recidivism.cadre", True, True),
        ("authority.giay_khen", "  Chủ tịch UBND phường  ", "Chủ tịch UBND phường"),  # text
    ],
)
def test_checked_value_stores_each_kind_as_it_wants(key, given, stored):
    value = checked_value(key, given)
    assert value == stored and type(value) is type(stored)


def test_a_long_text_is_cut_at_200_characters():
    assert len(checked_value("authority.giay_khen", "x" * 500)) == 200


@pytest.mark.parametrize(
    "key, given",
    [
        ("base_salary", -1),  # negative
        ("multiple.giay_khen", -0.1),  # negative number
        ("handling_days", -90),
        ("base_salary", 2_340_000.5),  # money is whole đồng
        ("comment_days", 5.5),  # days are whole
        ("cstdcs_cap_percent", 101),  # percent over 100
        ("cstdcs_cap_percent", 100.5),
        ("cstdcs_cap_percent", 15.5),  # a percent is whole
        ("base_salary", "2340000"),  # text for money
        ("base_salary", True),  # a bool is not a number
        ("multiple.giay_khen", False),
        ("recidivism.cadre", 1),  # a number is not yes/no
        ("recidivism.cadre", "yes"),
        ("authority.giay_khen", ""),  # empty text
        ("authority.giay_khen", "   "),
        ("authority.giay_khen", 5),
    ],
)
def test_checked_value_refuses_what_its_kind_does_not_take(key, given):
    with pytest.raises(InvalidInput) as refused:
        checked_value(key, given)
    assert "value" in refused.value.fields


def test_a_percent_over_100_is_refused_saying_so():
    with pytest.raises(InvalidInput) as refused:
        checked_value("council_pass_percent", 150)
    assert "100%" in refused.value.fields["value"]


# --- confirmed or not (law brief §3, §4, §7) ---


UNCONFIRMED = [
    "authority.chien_si_thi_dua_co_so",  # with the districts gone (§3)
    "authority.thon_to_dan_pho_van_hoa",
    "authority.tap_the_lao_dong_tien_tien",
    "authority.tap_the_lao_dong_xuat_sac",
    "limitation.decree_172_2025.reprimand_level",  # the article for cadres (§4, §7.3)
    "limitation.decree_172_2025.other",
    *(
        f"{name}.{rule_set.value}"
        for name in (
            "effect_months",
            "review_report_wd",
            "council_notice_wd",
            "recommendation_wd",
            "decision_wd",
        )
        for rule_set in (RuleSet.DECREE_172, RuleSet.DECREE_234)
    ),  # whether 172 and 234 keep the 12 months and 3/5/5 working days (§7.3)
    "comment_days",  # no statutory posting period found (§3, §7.2)
    "multiple.giay_khen",  # Giấy khen amounts (§3, §7.2)
    "multiple.gia_dinh_van_hoa",
    "recidivism.cadre",  # cadres: likely, UNCONFIRMED (§4)
    "recidivism.civil_servant",
]


@pytest.mark.parametrize("key", UNCONFIRMED)
def test_every_rule_the_brief_marks_unconfirmed_is_shown_unconfirmed(key):
    assert definition(key).confirmed is False


CONFIRMED = [
    "authority.lao_dong_tien_tien",
    "authority.giay_khen",
    "authority.gia_dinh_van_hoa",
    "limitation.decree_112_2020.reprimand_level",
    "limitation.decree_112_2020.other",
    "limitation.decree_234_2026.other",  # Decree 234/2026 Art 5
    "effect_months.decree_112_2020",
    "council_notice_wd.decree_112_2020",
    "handling_days",
    "handling_days_complex",
    "multiple.lao_dong_tien_tien",
    "multiple.chien_si_thi_dua_co_so",
    "recidivism.public_employee",
]


@pytest.mark.parametrize("key", CONFIRMED)
def test_the_rules_the_brief_confirms_are_shown_confirmed(key):
    assert definition(key).confirmed is True


def test_the_unconfirmed_step_rules_say_they_follow_decree_112_for_now():
    source = definition("council_notice_wd.decree_172_2025").source
    assert "172/2025" in source and "112/2020" in source and "chưa xác nhận" in source


def test_the_book_lists_every_rule_with_its_value_and_versions_on_a_day():
    listed = {rule.key: rule for rule in Book({}).rules(date(2024, 7, 1))}
    assert set(listed) == set(DEFINITIONS)
    assert listed["base_salary"].value == 2_340_000
    assert len(listed["base_salary"].versions) == 2
    assert (
        listed["multiple.giay_khen"].value is None and listed["multiple.giay_khen"].versions == []
    )
    assert listed["comment_days"].confirmed is False


# --- the discipline defaults, by rule set (law brief §4) ---


@pytest.mark.parametrize(
    "rule_set, day, minor, other",
    [
        (RuleSet.DECREE_112_71, date(2020, 3, 10), 2, 5),
        (RuleSet.DECREE_172, date(2025, 7, 1), 5, 10),
        (RuleSet.DECREE_234, date(2026, 7, 1), 5, 10),
    ],
)
def test_the_limitation_years_by_rule_set_and_gravity(rule_set, day, minor, other):
    book = Book({})
    assert book.value(f"limitation.{rule_set.value}.reprimand_level", day) == minor
    assert book.value(f"limitation.{rule_set.value}.other", day) == other


def test_a_rule_sets_defaults_start_on_the_day_it_comes_into_force():
    book = Book({})
    assert book.value("limitation.decree_172_2025.other", date(2025, 6, 30)) is None
    assert book.value("effect_months.decree_234_2026", date(2026, 6, 30)) is None
    assert book.value("effect_months.decree_234_2026", date(2026, 7, 1)) == 12


@pytest.mark.parametrize("rule_set", list(RuleSet))
def test_the_step_deadlines_default_to_3_5_5_5_working_days_and_12_months(rule_set):
    day = rules.RULE_SET_STARTS[rule_set]
    book = Book({})
    assert book.value(f"review_report_wd.{rule_set.value}", day) == 3
    assert book.value(f"council_notice_wd.{rule_set.value}", day) == 5
    assert book.value(f"recommendation_wd.{rule_set.value}", day) == 5
    assert book.value(f"decision_wd.{rule_set.value}", day) == 5
    assert book.value(f"effect_months.{rule_set.value}", day) == 12


@pytest.mark.parametrize("staff_type", list(StaffType))
def test_recidivism_applies_by_default_to_every_staff_type(staff_type):
    assert Book({}).value(f"recidivism.{staff_type.value}", date(2026, 1, 1)) is True


def test_the_handling_deadline_defaults_and_other_commendation_rules():
    book = Book({})
    assert book.value("handling_days", date(2026, 1, 1)) == 90
    assert book.value("handling_days_complex", date(2026, 1, 1)) == 150
    assert book.value("cstdcs_cap_percent", date(2026, 1, 1)) == 15
    assert book.value("comment_days", date(2026, 1, 1)) == 5
    assert book.value("council_pass_percent", date(2026, 1, 1)) == 50
