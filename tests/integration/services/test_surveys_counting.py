"""The surveys service's counting side on the real broker and wire server: paper
returns, count minutes, meetings, results, closing and sign-off.

Polls, electors and online ballots are written straight into the surveys database
as store.py lays them out, so these tests do not depend on poll creation."""

import base64
from datetime import UTC, datetime, timedelta

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.surveys.ballot_store import TOOK_PART
from services.surveys.service import SurveysService
from shared.chassis import MongoStore, Store, on_event, utcnow
from shared.contracts.surveys import PollClosed, PollClosingSoon
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.ids import new_id
from tests.integration.services.conftest import ADMIN_PASSWORD
from tests.samples import residential_group
from tests.support import wait_until

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
UNITS = {"tdp-1": ["HAAA22", "HAAA23", "HAAA24", "HAAA25"], "tdp-2": ["HBBB22", "HBBB23"]}
QUESTION = {
    "id": "q1",
    "type": "single",
    "text": "Đồng ý làm đường bê tông ngõ 5?",
    "options": [{"id": "agree", "label": "Tán thành"}, {"id": "disagree", "label": "Không"}],
    "required": True,
}
OPINION = {"id": "y-kien", "type": "text", "text": "Ý kiến khác", "options": [], "required": False}


def account(username: str, role: str, unit_id: str) -> dict:
    return {
        "actor": "admin",
        "username": username,
        "full_name": username.title(),
        "password": ADMIN_PASSWORD,
        "roles": [{"role": role, "unit_id": unit_id}],
    }


@pytest.fixture
def surveys(directory, start_service, config):
    """The surveys service, with Tổ dân phố 1 and 2 of the ward, a commune staff
    member `lan` and the head of Tổ dân phố 1 `hoa`."""
    for number in (1, 2):
        directory.register_unit(residential_group(number))
    directory.create_account(account("lan", "commune_staff", "huong-an"))
    directory.create_account(account("hoa", "group_head", "tdp-1"))
    container = start_service(SurveysService)
    with ServiceRpcProxy("surveys", config) as proxy:
        proxy.container = container
        yield proxy


def add_poll(database, *, kind="decision", channels=("online", "paper", "meeting"), **fields):
    """An open poll of the whole ward (6 households), written as store.py lays it out."""
    now = utcnow()
    poll_id = new_id()
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC)
    document = {
        "_id": poll_id,
        "kind": kind,
        "commune_id": "huong-an",
        "unit_id": "huong-an",
        "unit_name": "Phường Hương An",
        "title": "Làm đường bê tông ngõ 5",
        "description": "",
        "matter": "other" if kind == "decision" else None,
        "channels": list(channels),
        "secret": False,
        "public_results": True,
        "questions": [QUESTION] if kind == "decision" else [QUESTION, OPINION],
        "deciding_options": ["agree"] if kind == "decision" else [],
        "noticed_on": midnight - timedelta(days=3),
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=3),
        "online_opt_in": 6,
        "meeting_fell_short": False,
        "status": "open",
        "created_by": "lan",
        "created_at": now - timedelta(days=2),
        "electorate": {
            "as_of": midnight,
            "total": 6,
            "by_unit": {unit: len(codes) for unit, codes in UNITS.items()},
            "unit_names": {"tdp-1": "Tổ dân phố 1", "tdp-2": "Tổ dân phố 2"},
        },
        "key": b"k" * 32,
        **fields,
    }
    database.polls.insert_one(document)
    database.electors.insert_many(
        {"_id": f"{poll_id}:{code}", "poll_id": poll_id, "household": code, "unit_id": unit}
        | {"card_version": 1}
        for unit, codes in UNITS.items()
        for code in codes
    )
    return poll_id


def vote_online(database, poll_id: str, code: str, answers: dict):
    """The household's ballot as the phone's write leaves it on its elector document."""
    ballot = {
        "channel": "online",
        "at": datetime(2025, 8, 3, 2, 15, tzinfo=UTC),  # 09:15 in Huế
        "receipt_hash": new_id(),
        "answers": answers,
    }
    written = database.electors.update_one(
        {"_id": f"{poll_id}:{code}", "channel": {"$exists": False}}, {"$set": ballot}
    )
    assert written.modified_count == 1


def paper_tally(poll_id: str, returned: int, counts: dict, photo: bytes = PNG, **extra) -> dict:
    return {
        "actor": "hoa",
        "poll_id": poll_id,
        "unit_id": "tdp-1",
        "minutes_number": "01/BB-KP",
        "counted_at": utcnow().isoformat(),
        "returned": returned,
        "valid": returned,
        "invalid": 0,
        "counts": {"q1": counts},
        "photo": {
            "content_type": "image/jpeg" if photo == JPEG else "image/png",
            "data_base64": base64.b64encode(photo).decode(),
        },
        **extra,
    }


def close_now(database, poll_id: str) -> None:
    """Move the deadline into the past; the closing timer does the rest."""
    database.polls.update_one(
        {"_id": poll_id}, {"$set": {"closes_at": utcnow() - timedelta(seconds=5)}}
    )
    wait_until(lambda: database.polls.find_one({"_id": poll_id})["status"] == "closed")


# --- paper returns ---------------------------------------------------------------


def test_paper_returns_are_refused_for_a_household_that_voted_online(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"]})

    rolled = surveys.record_paper_returns(
        {
            "actor": "hoa",
            "poll_id": poll_id,
            "unit_id": "tdp-1",
            "household_codes": ["HAAA22", "HAAA23", "HBBB22", "haaa23"],
        }
    )

    assert rolled["recorded"] == ["HAAA23"]
    assert rolled["refused"] == {
        "HAAA22": "Hộ đã biểu quyết trực tuyến lúc 09:15 ngày 03/08/2025.",
        "HBBB22": "Hộ không có trong danh sách hộ của tổ, thôn này.",
    }
    assert db.electors.find_one({"_id": f"{poll_id}:HAAA22"})["channel"] == "online"
    assert db.electors.find_one({"_id": f"{poll_id}:HAAA23"})["channel"] == "paper"
    again = surveys.record_paper_returns(
        {"actor": "hoa", "poll_id": poll_id, "unit_id": "tdp-1", "household_codes": ["HAAA23"]}
    )
    assert again["refused"] == {"HAAA23": "Hộ đã có trong danh sách nộp phiếu giấy."}


def test_a_group_head_enters_paper_returns_only_for_their_own_unit(surveys, databases):
    poll_id = add_poll(databases["surveys"])

    with pytest.raises(Forbidden):
        surveys.record_paper_returns(
            {"actor": "hoa", "poll_id": poll_id, "unit_id": "tdp-2", "household_codes": ["HBBB22"]}
        )

    assert databases["surveys"].electors.count_documents(TOOK_PART) == 0


# --- count minutes ---------------------------------------------------------------


def test_a_paper_tally_that_does_not_match_the_returns_is_refused_and_the_tally_unchanged(
    surveys, databases
):
    db = databases["surveys"]
    poll_id = add_poll(db)
    surveys.record_paper_returns(
        {
            "actor": "hoa",
            "poll_id": poll_id,
            "unit_id": "tdp-1",
            "household_codes": ["HAAA22", "HAAA23"],
        }
    )
    first = surveys.record_paper_tally(paper_tally(poll_id, 2, {"agree": 2}))

    with pytest.raises(InvalidInput) as refused:
        surveys.record_paper_tally(paper_tally(poll_id, 3, {"agree": 3}))

    assert "Đã ghi nhận 2 hộ nộp phiếu giấy; biên bản ghi 3" in refused.value.fields["returned"]
    stored = db.paper_tallies.find_one({"_id": f"{poll_id}:tdp-1"})
    assert (stored["returned"], stored["counts"], stored["photo_id"]) == (
        2,
        {"q1": {"agree": 2}},
        first["photo_id"],
    )


@pytest.mark.parametrize(
    "content_type, data",
    [
        ("image/png", b"%PDF-1.7 not a picture"),
        ("image/png", JPEG),  # a JPEG sent as a PNG
        ("image/jpeg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)),  # over 5 MB
    ],
)
def test_a_count_minutes_photo_that_is_not_a_small_jpeg_or_png_is_refused(
    surveys, databases, content_type, data
):
    db = databases["surveys"]
    poll_id = add_poll(db)
    surveys.record_paper_returns(
        {"actor": "hoa", "poll_id": poll_id, "unit_id": "tdp-1", "household_codes": ["HAAA22"]}
    )
    command = paper_tally(poll_id, 1, {"agree": 1})
    command["photo"] = {
        "content_type": content_type,
        "data_base64": base64.b64encode(data).decode(),
    }

    with pytest.raises(InvalidInput) as refused:
        surveys.record_paper_tally(command)

    assert refused.value.fields["photo"] == "Ảnh biên bản phải là tệp JPG hoặc PNG, tối đa 5 MB."
    assert db.paper_tallies.count_documents({}) == 0
    assert db.photos.count_documents({}) == 0


def test_the_count_minutes_photo_is_stored_with_its_bytes(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    surveys.record_paper_returns(
        {"actor": "hoa", "poll_id": poll_id, "unit_id": "tdp-1", "household_codes": ["HAAA22"]}
    )

    tally = surveys.record_paper_tally(paper_tally(poll_id, 1, {"agree": 1}, photo=JPEG))

    photo = db.photos.find_one({"_id": tally["photo_id"]})
    assert (photo["poll_id"], photo["unit_id"], bytes(photo["data"])) == (poll_id, "tdp-1", JPEG)
    ref = {"actor": "admin", "poll_id": poll_id, "photo_id": tally["photo_id"]}
    shown = surveys.get_minutes_photo(ref)
    assert (shown["content_type"], base64.b64decode(shown["data_base64"])) == ("image/jpeg", JPEG)
    with pytest.raises(NotFound):
        surveys.get_minutes_photo({**ref, "photo_id": "another"})


# --- meetings --------------------------------------------------------------------


def test_a_meeting_roll_records_attendance_and_whether_it_reached_quorum(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    meeting = {
        "actor": "hoa",
        "poll_id": poll_id,
        "unit_id": "tdp-1",
        "held_at": "2025-08-05T19:30:00+07:00",
        "present_codes": ["HAAA22", "HAAA23"],
        "counts": {"q1": {"agree": 2}},
    }

    two_of_four = surveys.record_meeting(meeting)
    three_of_four = surveys.record_meeting(
        meeting | {"present_codes": ["HAAA22", "HAAA24", "HAAA25"]}
    )

    # Decree 61/2023 Art 10: more than half of ALL the unit's households
    assert (two_of_four["present"], two_of_four["quorum_reached"]) == (2, False)
    assert (three_of_four["present"], three_of_four["quorum_reached"]) == (3, True)
    at_meeting = {p["household"] for p in db.electors.find({"channel": "meeting"})}
    assert at_meeting == {"HAAA22", "HAAA24", "HAAA25"}  # entered again: replaced


def test_a_meeting_roll_with_a_household_that_voted_online_is_refused_whole(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"]})

    with pytest.raises(InvalidInput) as refused:
        surveys.record_meeting(
            {
                "actor": "hoa",
                "poll_id": poll_id,
                "unit_id": "tdp-1",
                "held_at": "2025-08-05T19:30:00+07:00",
                "present_codes": ["HAAA22", "HAAA23", "HAAA24"],
                "counts": {"q1": {"agree": 3}},
            }
        )

    assert "HAAA22: Hộ đã biểu quyết trực tuyến" in refused.value.fields["present_codes"]
    assert db.electors.count_documents({"channel": "meeting"}) == 0
    assert db.meetings.count_documents({}) == 0


def test_meeting_hands_cannot_exceed_the_households_present(surveys, databases):
    poll_id = add_poll(databases["surveys"])

    with pytest.raises(InvalidInput) as refused:
        surveys.record_meeting(
            {
                "actor": "hoa",
                "poll_id": poll_id,
                "unit_id": "tdp-1",
                "held_at": "2025-08-05T19:30:00+07:00",
                "present_codes": ["HAAA22"],
                "counts": {"q1": {"agree": 1, "disagree": 1}},
            }
        )

    assert "số hộ dự họp (1)" in refused.value.fields["counts"]


# --- results ---------------------------------------------------------------------


def record_three_channels(surveys, db, poll_id: str) -> None:
    """tdp-1: 1 online, 2 on paper, 1 at the meeting, all agreeing; tdp-2: 1 online against."""
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"]})
    vote_online(db, poll_id, "HBBB22", {"q1": ["disagree"]})
    surveys.record_paper_returns(
        {
            "actor": "hoa",
            "poll_id": poll_id,
            "unit_id": "tdp-1",
            "household_codes": ["HAAA23", "HAAA24"],
        }
    )
    surveys.record_paper_tally(paper_tally(poll_id, 2, {"agree": 2}))
    surveys.record_meeting(
        {
            "actor": "hoa",
            "poll_id": poll_id,
            "unit_id": "tdp-1",
            "held_at": "2025-08-05T19:30:00+07:00",
            "present_codes": ["HAAA25"],
            "counts": {"q1": {"agree": 1}},
        }
    )


def live_results_after(surveys, poll_id: str, moment: datetime) -> dict:
    """The staff's live results, once a count made after `moment` is in (the
    background count runs within seconds)."""
    found = {}

    def counted() -> bool:
        found.update(surveys.get_results({"poll_id": poll_id, "actor": "lan"}))
        return datetime.fromisoformat(found["computed_at"]) > moment

    wait_until(counted, timeout=15)
    return found


def test_results_combine_every_channel_and_show_each(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    record_three_channels(surveys, db, poll_id)

    results = live_results_after(surveys, poll_id, utcnow())

    assert results["participated"] == {"online": 2, "paper": 2, "meeting": 1}
    assert results["totals"]["q1"] == {
        "agree": {"online": 1, "paper": 2, "meeting": 1},
        "disagree": {"online": 1},
    }
    by_unit = {unit["unit_id"]: unit for unit in results["units"]}
    assert by_unit["tdp-1"]["participated"] == {"online": 1, "paper": 2, "meeting": 1}
    assert by_unit["tdp-2"]["counts"] == {"q1": {"disagree": {"online": 1}}}
    # Art 21.1, item 6: more than half of ALL 6 households: 4 agree
    assert results["outcome"] | {"rule_vi": None} == {
        "passes": True,
        "deciding_option": "agree",
        "counts": "households",
        "needed": 4,
        "of_total": 6,
        "rule_vi": None,
    }
    assert results["frozen"] is False


def test_residents_see_public_results_only_after_closing_and_without_free_text(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db, kind="consultation", channels=("online",))
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"], "y-kien": ["Nên làm rãnh thoát nước"]})

    with pytest.raises(Forbidden) as refused:
        surveys.get_results({"poll_id": poll_id})
    assert refused.value.detail == "Kết quả được công bố sau khi kết thúc."
    live = live_results_after(surveys, poll_id, utcnow())
    assert live["free_text"] == {"y-kien": ["Nên làm rãnh thoát nước"]}

    close_now(db, poll_id)

    public = surveys.get_results({"poll_id": poll_id})
    staff = surveys.get_results({"poll_id": poll_id, "actor": "lan"})
    assert public["free_text"] == {}
    assert staff["free_text"] == {"y-kien": ["Nên làm rãnh thoát nước"]}
    assert public["totals"] == staff["totals"] == {"q1": {"agree": {"online": 1}}}


def test_the_live_count_is_kept_in_the_background_and_read_not_made_by_staff(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    wait_until(lambda: db.live_counts.find_one({"_id": poll_id, "results": {"$exists": True}}))
    # the stored count is what staff read, until the next one is due
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"]})
    assert surveys.get_results({"poll_id": poll_id, "actor": "lan"})["participated"] == {}
    # a paper entry makes it due at once; the next count has both
    surveys.record_paper_returns(
        {"actor": "hoa", "poll_id": poll_id, "unit_id": "tdp-1", "household_codes": ["HAAA23"]}
    )
    after = live_results_after(surveys, poll_id, utcnow())
    assert after["participated"] == {"online": 1, "paper": 1}


def test_results_of_a_poll_that_keeps_them_private_are_for_staff_only(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db, public_results=False)
    close_now(db, poll_id)

    with pytest.raises(Forbidden):
        surveys.get_results({"poll_id": poll_id})
    assert surveys.get_results({"poll_id": poll_id, "actor": "lan"})["frozen"] is True


# --- closing ---------------------------------------------------------------------


class PollWatcher:
    """Listens to the surveys service's events, as another service would."""

    name = "poll_watcher"
    store = MongoStore(Store)

    @on_event("surveys", PollClosingSoon)
    def closing_soon(self, event: PollClosingSoon) -> None:
        self.store.db.heard.insert_one({"_id": event.event_id, "type": event.event_type})

    @on_event("surveys", PollClosed)
    def closed(self, event: PollClosed) -> None:
        self.store.db.heard.insert_one(
            {"_id": event.event_id, "type": event.event_type, **event.model_dump()}
        )


@pytest.fixture
def watcher(start_service, config, monkeypatch):
    databases_by_service = config["MONGO_DATABASES"]
    monkeypatch.setitem(databases_by_service, "poll_watcher", databases_by_service["notifications"])
    return start_service(PollWatcher)


def test_closing_soon_is_announced_once_by_two_instances(
    surveys, databases, watcher, start_service
):
    db = databases["surveys"]
    start_service(SurveysService)  # a second instance, with the same timers
    with entrypoint_waiter(watcher, "closing_soon", timeout=15):
        add_poll(db, closes_at=utcnow() + timedelta(hours=2))
    eventlet.sleep(3)  # both instances' timers ticked again meanwhile

    heard = [e["type"] for e in databases["notifications"].heard.find()]
    assert heard == ["poll_closing_soon"]


def test_closing_freezes_the_results_and_publishes_poll_closed(surveys, databases, watcher):
    db = databases["surveys"]
    poll_id = add_poll(db)
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"]})

    with entrypoint_waiter(watcher, "closed", timeout=15):
        db.polls.update_one(
            {"_id": poll_id}, {"$set": {"closes_at": utcnow() - timedelta(seconds=5)}}
        )

    closed = list(databases["notifications"].heard.find())
    assert [(e["poll_id"], e["participated"], e["households"]) for e in closed] == [(poll_id, 1, 6)]
    stored = db.polls.find_one({"_id": poll_id})
    assert (stored["status"], stored["results"]["frozen"]) == ("closed", True)
    results = surveys.get_results({"poll_id": poll_id, "actor": "lan"})
    assert results == stored["results"]  # what was frozen, not counted again
    assert results["totals"] == {"q1": {"agree": {"online": 1}}}


def test_paper_counted_after_the_deadline_updates_the_frozen_results(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db)
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"]})
    close_now(db, poll_id)
    before = db.polls.find_one({"_id": poll_id})["results"]

    surveys.record_paper_returns(
        {"actor": "hoa", "poll_id": poll_id, "unit_id": "tdp-1", "household_codes": ["HAAA23"]}
    )
    surveys.record_paper_tally(paper_tally(poll_id, 1, {"disagree": 1}))

    after = surveys.get_results({"poll_id": poll_id, "actor": "lan"})
    assert after["totals"]["q1"] == {"agree": {"online": 1}, "disagree": {"paper": 1}}
    assert after["participated"] == {"online": 1, "paper": 1}
    assert (after["frozen"], after["seal"] != before["seal"]) == (True, True)
    assert db.polls.find_one({"_id": poll_id})["status"] == "closed"
    wait_until(lambda: db.audit_log.count_documents({"action": "record_paper_tally"}) == 1)


# --- sign-off --------------------------------------------------------------------

EXPLANATIONS = {
    "actor": "lan",
    "groups": [
        {
            "question_id": "y-kien",
            "summary": "Đề nghị làm rãnh thoát nước",
            "count": 1,
            "acceptance": "accepted",
            "explanation": "Đưa vào hạng mục của công trình.",
        }
    ],
}


def test_a_consultation_cannot_be_finalised_until_its_explanations_exist(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db, kind="consultation", channels=("online",))
    vote_online(db, poll_id, "HAAA22", {"q1": ["agree"], "y-kien": ["Nên làm rãnh thoát nước"]})
    close_now(db, poll_id)

    with pytest.raises(InvalidInput) as refused:
        surveys.finalise_poll({"actor": "lan", "poll_id": poll_id})
    assert "Điều 28" in refused.value.detail
    assert db.polls.find_one({"_id": poll_id})["status"] == "closed"

    surveys.record_explanations(EXPLANATIONS | {"poll_id": poll_id})
    summary = surveys.finalise_poll({"actor": "lan", "poll_id": poll_id})

    assert summary["poll"]["status"] == "finalised"
    assert summary["results"]["signed_off_by"] == "lan"
    assert [g["summary"] for g in summary["explanations"]] == ["Đề nghị làm rãnh thoát nước"]
    public = surveys.get_summary({"poll_id": poll_id})
    assert (public["results"]["free_text"], len(public["explanations"])) == ({}, 1)
    with pytest.raises(Conflict):
        surveys.finalise_poll({"actor": "lan", "poll_id": poll_id})


def test_only_commune_staff_sign_results_off(surveys, databases):
    db = databases["surveys"]
    poll_id = add_poll(db, kind="consultation", channels=("online",))
    close_now(db, poll_id)

    with pytest.raises(Forbidden):
        surveys.record_explanations(EXPLANATIONS | {"poll_id": poll_id, "actor": "hoa"})


def test_a_decision_record_has_every_field_of_art_20_2_and_is_due_in_5_working_days(
    surveys, databases
):
    db = databases["surveys"]
    # Friday 29 Aug 2025, 17:00 in Huế; 1-2 Sep are the National Day holidays
    closes_at = datetime(2025, 8, 29, 10, 0, tzinfo=UTC)
    poll_id = add_poll(db, opens_at=closes_at - timedelta(days=3), closes_at=closes_at)
    record_three_channels(surveys, db, poll_id)
    wait_until(lambda: db.polls.find_one({"_id": poll_id})["status"] == "closed")
    signing = {"actor": "lan", "poll_id": poll_id, "head_name": "Trần Văn Hòa"}

    with pytest.raises(InvalidInput) as refused:
        surveys.finalise_poll(signing | {"front_head_name": "Lê Thị Mai"})
    assert set(refused.value.fields) == {"household_representatives"}

    summary = surveys.finalise_poll(
        signing
        | {"front_head_name": "Lê Thị Mai", "household_representatives": ["Ngô An", "Phan Bình"]}
    )

    assert summary["decision_record"] == {
        "held_at": "2025-08-29T10:00:00Z",
        "content": "Làm đường bê tông ngõ 5",
        "form": "Biểu quyết trực tuyến, phát phiếu lấy ý kiến hộ gia đình, họp cộng đồng dân cư",
        "total_households": 6,
        "present": 5,
        "absent": 1,
        "result": (
            "Tán thành: 4/6 hộ (66,7%); Không: 1/6 hộ (16,7%); "
            "cần trên 50% tổng số hộ gia đình: 4/6 hộ."
        ),
        "decision": "Thông qua",
        "head_name": "Trần Văn Hòa",
        "front_head_name": "Lê Thị Mai",
        "household_representatives": ["Ngô An", "Phan Bình"],
        "send_by": "2025-09-09",  # Wed 3, Thu 4, Fri 5, Mon 8, Tue 9
    }
    stored = db.polls.find_one({"_id": poll_id})
    assert stored["status"] == "finalised"
    assert stored["decision_record"] == summary["decision_record"]
