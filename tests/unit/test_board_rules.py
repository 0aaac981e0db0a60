"""The notice board's rules (services/notifications/board.py, shared/disclosure_periods.py),
Law 10/2022 Art 11-13."""

from datetime import UTC, date, datetime

import pytest

from services.notifications import board
from shared import disclosure_periods
from shared.calendar import add_working_days, is_working_day, quarter_bounds, quarter_of
from shared.contracts.disclosures import (
    CATEGORY_NAMES_VI,
    FORM_NAMES_VI,
    Disclosure,
    DisclosureCategory,
    DisclosureForm,
    PostDisclosure,
)
from shared.errors import InvalidInput

DECIDED = date(2026, 3, 2)  # a Monday, no holiday in the week that follows
POSTING = DisclosureForm.POSTING
PORTAL = DisclosureForm.PORTAL
LOUDSPEAKER = DisclosureForm.LOUDSPEAKER
VIA_HEAD = DisclosureForm.VIA_GROUP_HEAD


def command(**fields) -> PostDisclosure:
    values = {
        "actor": "minh",
        "commune_id": "huong-an",
        "request_id": "a" * 32,
        "category": DisclosureCategory.BUDGET,
        "title": "Dự toán ngân sách năm 2026",
        "summary": "Tổng thu, tổng chi ngân sách phường năm 2026.",
        "decision_ref": "Quyết định 12/QĐ-UBND",
        "decision_date": DECIDED,
        "posted_from": DECIDED,
        "posted_to": date(2026, 3, 31),
        "forms": [POSTING],
        **fields,
    }
    return PostDisclosure.model_validate(values)


def refusal(cmd: PostDisclosure, today: date = DECIDED) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        board.check_posting(cmd, today)
    return refused.value.fields


def test_every_category_and_form_has_a_vietnamese_name():
    assert [c.value for c in DisclosureCategory] == list(range(1, 15))
    assert set(CATEGORY_NAMES_VI) == set(DisclosureCategory)
    assert set(FORM_NAMES_VI) == set(DisclosureForm)


def test_the_deadline_is_five_working_days_after_the_decision():
    assert disclosure_periods.deadline(DECIDED) == date(2026, 3, 9)  # Mon + 5 WD, over a weekend


def test_the_deadline_skips_the_30_april_and_1_may_holidays():
    decided = date(2026, 4, 28)
    assert not is_working_day(date(2026, 4, 30)) and not is_working_day(date(2026, 5, 1))
    assert disclosure_periods.deadline(decided) == date(2026, 5, 7) == add_working_days(decided, 5)


def test_a_posting_within_the_deadline_is_on_time():
    board.check_posting(command(posted_from=date(2026, 3, 9), posted_to=date(2026, 4, 7)), DECIDED)
    assert not disclosure_periods.is_late(DECIDED, date(2026, 3, 9), DECIDED)


def test_a_late_posting_is_refused_without_a_reason():
    late = command(posted_from=date(2026, 3, 10), posted_to=date(2026, 4, 8))
    errors = refusal(late)
    assert list(errors) == ["late_reason"]
    assert "09/03/2026" in errors["late_reason"] and "Điều 13" in errors["late_reason"]


def test_a_late_posting_with_a_reason_is_recorded_as_late():
    late = command(
        posted_from=date(2026, 3, 10), posted_to=date(2026, 4, 8), late_reason="Chờ bản ký số."
    )
    disclosure = board.disclosure_from(late, datetime(2026, 3, 2, 3, tzinfo=UTC))
    assert disclosure.late and disclosure.late_reason == "Chờ bản ký số."
    assert disclosure.deadline == date(2026, 3, 9)


def test_entering_a_posting_after_the_deadline_is_late_even_if_backdated():
    on_time_on_paper = command(posted_from=date(2026, 3, 3), posted_to=date(2026, 4, 1))
    assert "late_reason" in refusal(on_time_on_paper, today=date(2026, 3, 20))


def test_a_reason_given_for_a_posting_on_time_is_not_kept():
    disclosure = board.disclosure_from(command(late_reason="x"), datetime(2026, 3, 2, tzinfo=UTC))
    assert not disclosure.late and disclosure.late_reason is None


@pytest.mark.parametrize("category", [4, 13])
def test_items_4_and_13_are_permanent_with_no_end_date(category):
    assert "vĩnh viễn" in refusal(command(category=category))["posted_to"]
    disclosure = board.disclosure_from(
        command(category=category, posted_to=None), datetime(2026, 3, 2, tzinfo=UTC)
    )
    assert disclosure.permanent and disclosure.posted_to is None


@pytest.mark.parametrize("category", [1, 2, 3, 5, 6, 14])
def test_other_items_need_an_end_date(category):
    assert refusal(command(category=category, posted_to=None))["posted_to"]


@pytest.mark.parametrize("category", [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12])
def test_items_1_to_3_and_5_to_12_stay_posted_30_days_counting_both_ends(category):
    forms = [POSTING, VIA_HEAD, LOUDSPEAKER]
    extra = {"forms": forms, "loudspeaker_days": 3}
    board.check_posting(command(category=category, posted_to=date(2026, 3, 31), **extra), DECIDED)
    errors = refusal(command(category=category, posted_to=date(2026, 3, 30), **extra))
    assert errors == {"posted_to": errors["posted_to"]} and "31/03/2026" in errors["posted_to"]


def test_item_14_may_be_posted_for_a_shorter_time():
    board.check_posting(command(category=14, forms=[PORTAL], posted_to=DECIDED), DECIDED)
    assert board.posting_days(DECIDED, DECIDED) == 1


def test_the_end_date_is_not_before_the_start():
    assert refusal(command(category=14, posted_to=date(2026, 3, 1)))["posted_to"]


def test_posting_cannot_start_before_the_decision():
    errors = refusal(command(posted_from=date(2026, 2, 27)))
    assert "posted_from" in errors and "late_reason" not in errors


@pytest.mark.parametrize("category", range(7, 13))
def test_items_7_to_12_go_out_by_loudspeaker_for_3_days_and_via_group_heads(category):
    assert "loudspeaker_days" in refusal(command(category=category, forms=[POSTING, VIA_HEAD]))
    short = command(category=category, forms=[POSTING, VIA_HEAD, LOUDSPEAKER], loudspeaker_days=2)
    assert "ít nhất 3 ngày" in refusal(short)["loudspeaker_days"]
    without_heads = command(category=category, forms=[POSTING, LOUDSPEAKER], loudspeaker_days=3)
    assert "trưởng thôn" in refusal(without_heads)["forms"]


def test_the_loudspeaker_when_used_runs_3_days_whatever_the_item():
    assert "loudspeaker_days" in refusal(command(forms=[POSTING, LOUDSPEAKER]))
    board.check_posting(command(forms=[POSTING, LOUDSPEAKER], loudspeaker_days=3), DECIDED)
    assert "loudspeaker_days" in refusal(command(loudspeaker_days=3))  # days, no loudspeaker


@pytest.mark.parametrize("category", [*range(1, 14)])
def test_items_1_to_13_are_posted_at_the_commune_office(category):
    posted_to = None if board.is_permanent(DisclosureCategory(category)) else date(2026, 3, 31)
    errors = refusal(command(category=category, forms=[PORTAL], posted_to=posted_to))
    assert "trụ sở" in errors["forms"]


def test_the_portal_is_always_one_of_the_forms_once_in_the_laws_order():
    assert board.with_portal([LOUDSPEAKER, POSTING]) == [POSTING, PORTAL, LOUDSPEAKER]
    assert board.with_portal([PORTAL, PORTAL]) == [PORTAL]
    disclosure = board.disclosure_from(command(), datetime(2026, 3, 2, tzinfo=UTC))
    assert disclosure.forms == [POSTING, PORTAL]


def test_errors_of_several_fields_come_together_in_vietnamese():
    errors = refusal(command(posted_from=date(2026, 2, 1), posted_to=None, forms=[PORTAL]))
    assert set(errors) == {"posted_from", "posted_to", "forms"}
    assert errors["posted_to"] == "Vui lòng nhập ngày kết thúc niêm yết."


def test_what_is_current_on_a_day_and_what_is_archived():
    timed = board.disclosure_from(command(), datetime(2026, 3, 2, tzinfo=UTC))
    forever = board.disclosure_from(
        command(category=13, posted_to=None), datetime(2026, 3, 2, tzinfo=UTC)
    )
    assert not board.is_current(timed, date(2026, 3, 1))
    assert board.is_current(timed, DECIDED) and board.is_current(timed, date(2026, 3, 31))
    assert not board.is_current(timed, date(2026, 4, 1))
    assert board.is_archived(timed, date(2026, 4, 1)) and not board.is_archived(timed, DECIDED)
    assert board.is_current(forever, date(2040, 1, 1)) and not board.is_archived(
        forever, date(2040, 1, 1)
    )


def test_quarters_of_a_year():
    assert quarter_of(date(2026, 1, 1)) == (2026, 1)
    assert quarter_of(date(2026, 6, 30)) == (2026, 2)
    assert quarter_of(date(2026, 12, 31)) == (2026, 4)
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))


def test_the_form_offers_the_shortest_posting_the_law_allows():
    starts, ends = disclosure_periods.default_period(date(2026, 3, 2))
    assert (starts, ends) == (date(2026, 3, 2), date(2026, 3, 31))
    assert board.posting_days(starts, ends) == disclosure_periods.MIN_POSTING_DAYS


def _permanent(**changes) -> Disclosure:
    command = PostDisclosure(
        actor="minh",
        commune_id="huong-an",
        request_id="a" * 32,
        category=13,
        title="Thủ tục chứng thực bản sao",
        summary="Hồ sơ gồm bản chính và bản sao.",
        decision_ref="Quyết định 3/QĐ-UBND",
        decision_date=date(2026, 11, 2),
        posted_from=date(2026, 11, 2),
        forms=["posting"],
    )
    return board.disclosure_from(command, datetime(2026, 11, 2, 2, tzinfo=UTC)).model_copy(
        update=changes
    )


def _update_of(old, **changes) -> PostDisclosure:
    fields = {
        "actor": "minh",
        "commune_id": "huong-an",
        "request_id": "b" * 32,
        "category": 13,
        "title": "Thủ tục chứng thực bản sao (sửa đổi)",
        "summary": "Thêm lệ phí 2.000 đồng.",
        "decision_ref": "Quyết định 9/QĐ-UBND",
        "decision_date": date(2026, 12, 1),
        "posted_from": date(2026, 12, 1),
        "forms": ["posting"],
        "replaces": old.id,
    }
    return PostDisclosure(**{**fields, **changes})


def test_a_permanent_disclosure_is_updated_by_one_of_the_same_item_and_commune():
    old = _permanent()
    board.check_replacement(old, _update_of(old))  # allowed
    for refused_old, command in (
        (None, _update_of(old)),
        (old, _update_of(old, commune_id="kim-long")),
        (old, _update_of(old, category=4)),
        (old.model_copy(update={"permanent": False}), _update_of(old)),
        (old.model_copy(update={"replaced_by": "x"}), _update_of(old)),
    ):
        with pytest.raises(InvalidInput) as refused:
            board.check_replacement(refused_old, command)
        assert "replaces" in refused.value.fields


def test_an_updated_disclosure_leaves_the_board_the_day_before_its_update_starts():
    old = _permanent()
    update = board.disclosure_from(_update_of(old), datetime(2026, 12, 1, 2, tzinfo=UTC))
    last = board.ended_by_update(update)
    assert last == date(2026, 11, 30)
    ended = old.model_copy(update={"posted_to": last, "replaced_by": update.id})
    assert board.is_current(ended, date(2026, 11, 30)) and board.is_archived(
        ended, date(2026, 12, 1)
    )
    assert board.is_current(update, date(2026, 12, 1))
