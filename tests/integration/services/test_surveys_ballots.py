"""Polls, ballot cards and ballots in the surveys service, on the real broker and
wire server: a poll opens at its time with its electorate frozen, each household
votes once by its card, receipts prove a ballot was counted, and a secret ballot
leaves nothing that links a household to its choice."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.surveys.ballot_store import TOOK_PART
from services.surveys.store import SurveysStore
from shared import ballot_codes
from shared.calendar import vietnam_day, vietnam_time
from shared.contracts.surveys import FREE_TEXT_MAX, Channel, Poll
from shared.errors import AlreadyVoted, Forbidden, InvalidInput, NotFound, PollNotOpen
from tests.samples import household, residential_group
from tests.samples import sample_decision as decision
from tests.support import wait_until

HOUSEHOLDS = {"tdp-1": ["HAAAA2", "HAAAA3", "HAAAA4", "HAAAA5"], "tdp-2": ["HBBBB2", "HBBBB3"]}


@pytest.fixture
def directory(directory):
    """The ward of the conftest with two residential groups: 4 and 2 households."""
    for number, (unit_id, codes_) in enumerate(HOUSEHOLDS.items(), start=1):
        directory.register_unit(residential_group(number))
        for code in codes_:
            directory.register_household(household(code, unit_id))
    return directory


def now() -> datetime:
    return datetime.now(UTC)


def consultation(**extra) -> dict:
    return {
        "actor": "admin",
        "request_id": uuid.uuid4().hex,
        "kind": "consultation",
        "commune_id": "huong-an",
        "unit_id": "huong-an",
        "title": "Lấy ý kiến về quy hoạch chợ phường",
        "channels": ["online", "paper"],
        "questions": [
            {
                "id": "q1",
                "type": "single",
                "text": "Bạn có đồng ý với phương án chuyển chợ?",
                "options": [{"id": "yes", "label": "Đồng ý"}, {"id": "no", "label": "Không"}],
            },
            {"id": "q2", "type": "text", "text": "Ý kiến khác", "required": False},
        ],
        "opens_at": now().isoformat(),
        "closes_at": (now() + timedelta(days=21)).isoformat(),
        **extra,
    }


def satisfaction(**extra) -> dict:
    return {
        "actor": "admin",
        "request_id": uuid.uuid4().hex,
        "kind": "satisfaction",
        "commune_id": "huong-an",
        "unit_id": "huong-an",
        "title": "Mức độ hài lòng với bộ phận một cửa",
        "channels": ["online"],
        "questions": [
            {"id": "rating", "type": "rating", "text": "Bạn hài lòng đến đâu?"},
            {"id": "note", "type": "text", "text": "Góp ý", "required": False},
        ],
        "opens_at": now().isoformat(),
        "closes_at": (now() + timedelta(days=30)).isoformat(),
        **extra,
    }


def opened(surveys, payload: dict) -> dict:
    """Create a poll and wait for the timer to open it."""
    poll = surveys.create_poll(payload)
    return wait_until(
        lambda: (p := surveys.get_poll({"poll_id": poll["id"]}))["status"] == "open" and p,
        timeout=10,
    )


def cards(surveys, poll: dict, unit_id: str = "tdp-1") -> dict[str, str]:
    sheet = surveys.issue_cards({"actor": "admin", "poll_id": poll["id"], "unit_id": unit_id})
    return {card["household_code"]: card["card_code"] for card in sheet["cards"]}


def cast(surveys, card: str, answers: dict, submission_id: str | None = None) -> dict:
    return surveys.cast_ballot(
        {
            "card_code": card,
            "submission_id": submission_id or uuid.uuid4().hex,
            "answers": answers,
        }
    )


def test_a_poll_opens_at_its_time_with_its_electorate_frozen_per_unit(
    surveys, directory, databases
):
    payload = consultation()
    created = surveys.create_poll(payload)
    assert created["status"] == "scheduled" and created["electorate"] is None
    assert surveys.create_poll(payload) == created  # the same form sent twice
    assert "key" not in created

    poll = opened(surveys, payload)
    directory.register_household(household("HAAAA6", "tdp-1"))  # arrives after opening

    assert poll["electorate"]["total"] == 6
    assert poll["electorate"]["by_unit"] == {"tdp-1": 4, "tdp-2": 2}
    assert poll["electorate"]["unit_names"] == {"tdp-1": "Tổ dân phố 1", "tdp-2": "Tổ dân phố 2"}
    stored = databases["surveys"]
    assert stored.polls.count_documents({}) == 1
    assert stored.electors.count_documents({"poll_id": poll["id"]}) == 6
    assert len(cards(surveys, poll, "tdp-1")) == 4  # the newcomer is not in this poll
    assert stored.audit_log.find_one({"action": "create_poll"})["target"] == poll["id"]


def test_residents_see_only_polls_that_opened_newest_first(surveys):
    first = opened(surveys, consultation())
    later = opened(surveys, consultation(opens_at=(now() + timedelta(seconds=1)).isoformat()))
    surveys.create_poll(consultation(opens_at=(now() + timedelta(days=1)).isoformat()))

    public = surveys.list_polls({"commune_id": "huong-an"})["polls"]
    staff = surveys.list_polls({"commune_id": "huong-an", "include_scheduled": True})["polls"]

    assert [p["id"] for p in public] == [later["id"], first["id"]]
    assert len(staff) == 3 and staff[0]["status"] == "scheduled"


def test_a_poll_outside_the_commune_or_by_someone_without_a_role_is_refused(surveys):
    with pytest.raises(InvalidInput) as refused:
        surveys.create_poll(consultation(unit_id="tdp-9"))
    assert "unit_id" in refused.value.fields
    with pytest.raises(Forbidden):
        surveys.create_poll(consultation(actor="nobody"))
    with pytest.raises(InvalidInput) as refused:  # Art 27-28: at least 20 days
        surveys.create_poll(consultation(closes_at=(now() + timedelta(days=5)).isoformat()))
    assert "closes_at" in refused.value.fields


def test_cards_of_a_unit_are_one_per_household_sorted_by_code(surveys):
    poll = opened(surveys, decision())
    sheet = surveys.issue_cards({"actor": "admin", "poll_id": poll["id"], "unit_id": "tdp-1"})

    assert sheet["unit_name"] == "Tổ dân phố 1"
    assert [c["household_code"] for c in sheet["cards"]] == HOUSEHOLDS["tdp-1"]
    assert all(c["card_code"].startswith(c["household_code"] + "-") for c in sheet["cards"])
    assert {c["version"] for c in sheet["cards"]} == {1}
    with pytest.raises(InvalidInput):  # this decision is tdp-1's only
        surveys.issue_cards({"actor": "admin", "poll_id": poll["id"], "unit_id": "tdp-2"})


def test_a_ballot_gives_a_receipt_and_the_same_submission_twice_is_recorded_once(
    surveys, databases
):
    poll = opened(surveys, consultation())
    card = cards(surveys, poll)["HAAAA2"]
    view = surveys.open_ballot({"card_code": card.lower()})  # typed in lower case
    assert view["state"] == "ready" and view["household_code"] == "HAAAA2"

    submission = uuid.uuid4().hex
    first = cast(surveys, card, {"q1": ["yes"], "q2": ["Nên có chỗ gửi xe"]}, submission)
    again = cast(surveys, card, {"q1": ["yes"], "q2": ["Nên có chỗ gửi xe"]}, submission)

    assert first == again
    assert first["channel"] == "online" and first["poll_id"] == poll["id"]
    assert databases["surveys"].electors.count_documents({"poll_id": poll["id"], **TOOK_PART}) == 1
    view = surveys.open_ballot({"card_code": card})
    assert view["state"] == "already_voted" and view["voted_by"] == "online"


def test_a_second_ballot_from_the_same_household_is_refused_and_changes_nothing(surveys, databases):
    poll = opened(surveys, consultation())
    card = cards(surveys, poll)["HAAAA2"]
    cast(surveys, card, {"q1": ["yes"]})

    with pytest.raises(AlreadyVoted) as refused:
        cast(surveys, card, {"q1": ["no"]})

    assert "trực tuyến" in refused.value.detail
    store = SurveysStore(None, databases["surveys"])
    assert store.online_rows(Poll.model_validate(poll)) == [("tdp-1", {"q1": ["yes"]})]
    assert store.participation_counts(poll["id"]) == {"tdp-1": {Channel.ONLINE: 1}}


def test_forged_and_altered_card_codes_are_not_found(surveys, databases):
    poll = opened(surveys, consultation())
    card = cards(surveys, poll)["HAAAA2"]
    check = card.rpartition("-")[2]
    altered = card[:-1] + ("A" if check[-1] != "A" else "B")

    for code in (altered, "HAAAA2-ABCDEFGH", f"HZZZZ9-{check}", "not a card"):
        with pytest.raises(NotFound) as refused:
            surveys.open_ballot({"card_code": code})
        assert "Mã phiếu không đúng" in refused.value.detail
        with pytest.raises(NotFound):
            cast(surveys, code, {"q1": ["yes"]})
    assert databases["surveys"].electors.count_documents(TOOK_PART) == 0


def test_a_reissued_card_replaces_the_old_one(surveys, databases):
    poll = opened(surveys, consultation())
    old = cards(surveys, poll)["HAAAA3"]
    sheet = surveys.issue_cards(
        {"actor": "admin", "poll_id": poll["id"], "unit_id": "tdp-1", "household_code": "haaaa3"}
    )
    [new] = sheet["cards"]

    assert new["version"] == 2 and new["card_code"] != old
    with pytest.raises(NotFound):
        cast(surveys, old, {"q1": ["yes"]})
    assert cast(surveys, new["card_code"], {"q1": ["no"]})["receipt_code"]
    assert cards(surveys, poll)["HAAAA3"] == new["card_code"]  # the sheet prints the new one
    wait_until(lambda: databases["surveys"].audit_log.find_one({"action": "reissue_ballot_card"}))


REFUSED_ANSWERS = [
    ({"q1": ["maybe"]}, "q1"),  # not an option
    ({"q1": ["yes", "no"]}, "q1"),  # two options to a one-choice question
    ({}, "q1"),  # a required question left out
    ({"q1": ["yes"], "q2": ["x" * (FREE_TEXT_MAX + 1)]}, "q2"),
    ({"q1": ["yes"], "q2": ["<script>alert(1)</script>"]}, "q2"),
    ({"q1": ["yes"], "q2": ['<img src=x onerror="alert(1)">']}, "q2"),
    ({"q1": ["yes"], "q9": ["?"]}, "q9"),  # a question not on the form
]


def test_answers_outside_the_form_are_refused_and_nothing_is_stored(surveys, databases):
    poll = opened(surveys, consultation())
    card = cards(surveys, poll)["HAAAA2"]

    for answers, question in REFUSED_ANSWERS:
        with pytest.raises(InvalidInput) as refused:
            cast(surveys, card, answers)
        assert question in refused.value.fields, answers

    assert databases["surveys"].electors.count_documents(TOOK_PART) == 0
    assert surveys.open_ballot({"card_code": card})["state"] == "ready"


def test_a_ballot_after_closing_is_refused_but_one_sent_again_gets_its_receipt(surveys, databases):
    closes_at = now() + timedelta(seconds=5)
    poll = opened(surveys, decision(secret=False, closes_at=closes_at.isoformat()))
    card, voter = cards(surveys, poll)["HAAAA2"], cards(surveys, poll)["HAAAA3"]
    submission = uuid.uuid4().hex
    accepted = cast(surveys, voter, {"q1": ["agree"]}, submission)
    time.sleep(max(0.0, (closes_at - now()).total_seconds()) + 0.2)

    assert surveys.open_ballot({"card_code": card})["state"] == "closed"
    with pytest.raises(PollNotOpen) as refused:
        cast(surveys, card, {"q1": ["agree"]})
    assert "đã kết thúc lúc" in refused.value.detail
    # the voter's phone sends its ballot again after the deadline: the same receipt
    again = cast(surveys, voter, {"q1": ["agree"]}, submission)
    assert again["receipt_code"] == accepted["receipt_code"]
    with pytest.raises(PollNotOpen):
        cast(surveys, voter, {"q1": ["agree"]})  # a new ballot is refused
    assert databases["surveys"].electors.count_documents(TOOK_PART) == 1


def test_an_answer_before_opening_is_refused(surveys, databases):
    opens_at = now() + timedelta(days=1)
    poll = surveys.create_poll(satisfaction(opens_at=opens_at.isoformat()))

    with pytest.raises(PollNotOpen) as refused:
        surveys.answer_satisfaction(
            {
                "poll_id": poll["id"],
                "submission_id": uuid.uuid4().hex,
                "client_key": "ab" * 8,
                "answers": {"rating": ["5"]},
            }
        )
    assert f"chưa bắt đầu, mở lúc {vietnam_time(opens_at)}" in refused.value.detail
    assert databases["surveys"].satisfaction.count_documents({}) == 0


def test_a_paper_only_poll_takes_no_ballot_from_a_phone(surveys):
    poll = opened(surveys, decision(secret=False, channels=["paper"], online_opt_in=None))
    card = cards(surveys, poll)["HAAAA2"]

    with pytest.raises(PollNotOpen) as refused:
        surveys.open_ballot({"card_code": card})
    assert "bằng phiếu giấy" in refused.value.detail
    with pytest.raises(PollNotOpen):
        cast(surveys, card, {"q1": ["agree"]})


def test_receipts_of_public_and_secret_ballots_are_found_and_unknown_ones_are_not(surveys):
    public = opened(surveys, consultation())
    secret = opened(surveys, decision())
    public_receipt = cast(surveys, cards(surveys, public)["HAAAA2"], {"q1": ["yes"]})
    secret_receipt = cast(surveys, cards(surveys, secret)["HAAAA2"], {"q1": ["agree"]})

    found_public = surveys.check_receipt({"receipt_code": public_receipt["receipt_code"]})
    # typed without dashes, in lower case
    typed = secret_receipt["receipt_code"].replace("-", "").lower()
    found_secret = surveys.check_receipt({"receipt_code": typed})

    assert found_public["counted"] and found_public["poll_id"] == public["id"]
    assert found_public["cast_on"] == vietnam_day(now()).isoformat()
    assert found_public["poll_title"] == public["title"]
    assert found_secret["counted"] and found_secret["poll_id"] == secret["id"]
    assert found_secret["cast_on"] is None  # a sealed secret ballot keeps no day
    assert (found_public["secret"], found_secret["secret"]) == (False, True)
    assert found_secret["poll_kind"] == "decision" and found_secret["public_results"]
    with pytest.raises(NotFound) as refused:
        surveys.check_receipt({"receipt_code": "ABCD-EFGH-JKLM"})
    assert "Không tìm thấy biên nhận" in refused.value.detail


def test_a_secret_ballot_leaves_nothing_linking_a_household_to_its_choice(surveys, databases):
    poll = opened(surveys, decision())
    sheet = cards(surveys, poll)
    choices = {"HAAAA2": "agree", "HAAAA3": "disagree", "HAAAA4": "agree"}
    submissions = {code: uuid.uuid4().hex for code in choices}
    receipts = {
        code: cast(surveys, sheet[code], {"q1": [choice]}, submissions[code])["receipt_code"]
        for code, choice in choices.items()
    }
    # sent again: the same receipt; another ballot from the household: refused
    again = cast(surveys, sheet["HAAAA2"], {"q1": ["agree"]}, submissions["HAAAA2"])
    assert again["receipt_code"] == receipts["HAAAA2"]
    with pytest.raises(AlreadyVoted) as refused:
        cast(surveys, sheet["HAAAA2"], {"q1": ["disagree"]})
    assert "lúc" not in refused.value.detail  # the day only
    stored = databases["surveys"]

    for participation in stored.electors.find({"poll_id": poll["id"], **TOOK_PART}):
        # who took part, the day only, and a mark to tell a retry: no answers, no
        # receipt hash, no time of day
        assert set(participation) == {
            "_id",
            "poll_id",
            "unit_id",
            "household",
            "card_version",
            "channel",
            "at",
            "mark",
        }
        assert participation["at"].time() == datetime.min.time()
        assert participation["mark"] != ballot_codes.receipt_hash(
            receipts[participation["household"]]
        )
    # the unit's 16 boxes, all made when the poll opened, in the order of their digit
    boxes = list(stored.boxes.find({"poll_id": poll["id"]}))
    assert [box["_id"][-1] for box in boxes] == list("0123456789abcdef")
    ballots = [ballot for box in boxes for ballot in box["ballots"]]
    # a box: no household, no time, ballots in the order of their random hash
    for box in boxes:
        assert set(box) == {"_id", "poll_id", "unit_id", "ballots"}
        assert [b["r"] for b in box["ballots"]] == sorted(b["r"] for b in box["ballots"])
        assert all(b["r"].startswith(box["_id"][-1]) for b in box["ballots"])
    assert all(set(ballot) == {"r", "a"} for ballot in ballots)
    assert {ballot_codes.receipt_hash(r) for r in receipts.values()} == {b["r"] for b in ballots}
    household_codes = set(HOUSEHOLDS["tdp-1"])
    assert not any(code in repr(boxes) for code in household_codes)
    assert sorted(b["a"]["q1"][0] for b in ballots) == ["agree", "agree", "disagree"]
    # and the count still comes out right
    rows = SurveysStore(None, stored).online_rows(Poll.model_validate(poll))
    assert sorted(answers["q1"][0] for _, answers in rows) == ["agree", "agree", "disagree"]


def test_a_secret_ballot_interrupted_before_sealing_is_sealed_by_the_timer(surveys, databases):
    """What a crash between the participation and the box leaves behind."""
    poll = opened(surveys, decision())
    card = cards(surveys, poll)["HAAAA2"]
    receipt = cast(surveys, card, {"q1": ["agree"]})["receipt_code"]
    stored = databases["surveys"]
    r = ballot_codes.receipt_hash(receipt)
    # put the stored ballot back as the first write left it
    stored.boxes.update_many({"poll_id": poll["id"]}, {"$pull": {"ballots": {"r": r}}})
    stored.electors.update_one(
        {"poll_id": poll["id"], **TOOK_PART},
        {"$set": {"_seal": {"r": r, "answers": {"q1": ["agree"]}, "since": now()}}},
    )
    # accepted and counted while waiting
    assert surveys.check_receipt({"receipt_code": receipt})["counted"]
    rows = SurveysStore(None, stored).online_rows(Poll.model_validate(poll))
    assert rows == [("tdp-1", {"q1": ["agree"]})]

    wait_until(lambda: "_seal" not in stored.electors.find_one(TOOK_PART), timeout=15)
    boxes = stored.boxes.find({"poll_id": poll["id"]})
    assert [b["r"] for box in boxes for b in box["ballots"]] == [r]


def test_satisfaction_answers_are_anonymous_and_limited_per_client_per_day(surveys, databases):
    poll = opened(surveys, satisfaction())
    assert poll["electorate"] is None

    def answer(client_key: str, submission_id: str | None = None) -> dict:
        return surveys.answer_satisfaction(
            {
                "poll_id": poll["id"],
                "submission_id": submission_id or uuid.uuid4().hex,
                "client_key": client_key,
                "answers": {"rating": ["4"], "note": ["Cán bộ nhiệt tình"]},
            }
        )

    first_submission = uuid.uuid4().hex
    first = answer("ab" * 8, first_submission)
    assert answer("ab" * 8, first_submission)["receipt_code"] == first["receipt_code"]
    answer("ab" * 8)
    answer("ab" * 8)
    with pytest.raises(InvalidInput) as refused:
        answer("ab" * 8)
    assert "nhiều lần trong hôm nay" in refused.value.detail
    # a retry of an answer already kept is not another answer
    assert answer("ab" * 8, first_submission)["receipt_code"] == first["receipt_code"]
    answer("cd" * 8)  # someone else

    stored = databases["surveys"]
    assert stored.satisfaction.count_documents({"poll_id": poll["id"]}) == 4
    for kept in stored.satisfaction.find():
        assert set(kept) == {"_id", "poll_id", "answers", "day", "receipt_hash"}
        assert "ab" * 8 not in repr(kept)
    assert surveys.check_receipt({"receipt_code": first["receipt_code"]})["counted"]


def test_inspectors_read_what_staff_did_to_polls_and_commune_staff_do_not(directory, surveys):
    inspector = {"role": "inspector", "unit_id": "huong-an"}
    clerk = {"role": "commune_staff", "unit_id": "huong-an"}
    for username, role in (("kiemtra", inspector), ("minh", clerk)):
        directory.create_account(
            {
                "actor": "admin",
                "username": username,
                "full_name": username.title(),
                "password": "một-mật-khẩu-dài",
                "roles": [role],
            }
        )
    poll = surveys.create_poll(consultation(actor="minh"))
    query = {"actor": "kiemtra", "commune_id": "huong-an"}

    log = wait_until(lambda: surveys.list_audit(query)["entries"])
    assert [(e["action"], e["actor"], e["target"]) for e in log] == [
        ("create_poll", "minh", poll["id"])
    ]
    with pytest.raises(Forbidden):
        surveys.list_audit({**query, "actor": "minh"})
