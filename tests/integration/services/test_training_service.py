"""The training service on the real broker and the real wire server: a plan, a
course with two sessions, people registering (officials signed in, others with the
personal code they were sent), a full session's ordered waiting list, the last seat
raced for by many at once, cancellation moving the next in line, attendance and QR
check-in, certificates checked and revoked, and the year's coverage."""

import uuid
from datetime import datetime, timedelta

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.training.service import TrainingService
from shared.calendar import VIETNAM
from shared.chassis import MongoStore, Store, on_event
from shared.contracts.training import (
    CertificateIssued,
    InvitedToTraining,
    MovedOffWaitlist,
    RegistrationCancelled,
    RegistrationConfirmed,
)
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.integration.services.conftest import account
from tests.samples import household, residential_group

TODAY = datetime.now(VIETNAM).date()
YEAR = TODAY.year


@pytest.fixture
def ward(directory):
    """The ward, three groups, staff `can-bo`, an inspector, and group heads."""
    for number in (1, 2, 3):
        directory.register_unit(residential_group(number))
    directory.register_household(household("HAAAA2", "tdp-1"))
    directory.create_account(account("can-bo", ("commune_staff", "huong-an")))
    directory.create_account(account("thanh-tra", ("inspector", "huong-an")))
    for number in (1, 2, 3):
        directory.create_account(account(f"to-truong-{number}", ("group_head", f"tdp-{number}")))
    return directory


@pytest.fixture
def training(ward, start_service, config):
    start_service(TrainingService)
    with ServiceRpcProxy("training", config) as proxy:
        yield proxy


class TrainingWatcher:
    name = "training_watcher"
    store = MongoStore(Store)
    seen: list = []

    @on_event("training", RegistrationConfirmed)
    def confirmed(self, event):
        TrainingWatcher.seen.append(event)

    @on_event("training", MovedOffWaitlist)
    def moved(self, event):
        TrainingWatcher.seen.append(event)

    @on_event("training", RegistrationCancelled)
    def cancelled(self, event):
        TrainingWatcher.seen.append(event)

    @on_event("training", CertificateIssued)
    def issued(self, event):
        TrainingWatcher.seen.append(event)

    @on_event("training", InvitedToTraining)
    def invited(self, event):
        TrainingWatcher.seen.append(event)


@pytest.fixture
def watcher(start_service, config):
    config["MONGO_DATABASES"]["training_watcher"] = config["MONGO_DATABASES"]["notifications"]
    TrainingWatcher.seen.clear()
    start_service(TrainingWatcher)
    return TrainingWatcher.seen


def seen(watcher, kind, count=1, timeout=10.0):
    """The events of `kind` heard, once at least `count` of them are (each is handled
    on its own, so the first can come before the others)."""
    with eventlet.Timeout(timeout):
        while len([e for e in watcher if isinstance(e, kind)]) < count:
            eventlet.sleep(0.05)
    return [e for e in watcher if isinstance(e, kind)]


def member(directory, name, position="investment_supervision", unit="tdp-1", **extra):
    """Someone with no account, entered by staff in one of the entered positions."""
    holding = directory.add_holding(
        {
            "actor": "can-bo",
            "request_id": uuid.uuid4().hex,
            "commune_id": "huong-an",
            "unit_id": unit,
            "position": position,
            "full_name": name,
            "starts_on": (TODAY - timedelta(days=30)).isoformat(),
            **extra,
        }
    )
    return holding["person"]["person_id"]


def course(training, positions=("group_head", "investment_supervision"), **changes):
    return training.create_course(
        {
            "actor": "can-bo",
            "request_id": uuid.uuid4().hex,
            "commune_id": "huong-an",
            "year": YEAR,
            "title": "Kỹ năng xây dựng hương ước, quy ước",
            "positions": list(positions),
            "registration_opens_on": (TODAY - timedelta(days=1)).isoformat(),
            "registration_closes_on": (TODAY + timedelta(days=10)).isoformat(),
            **changes,
        }
    )


def session(training, course_id, capacity=2, days=3):
    starts = datetime.combine(TODAY + timedelta(days=days), datetime.min.time(), VIETNAM)
    starts += timedelta(hours=8)
    reply = training.add_session(
        {
            "actor": "can-bo",
            "request_id": uuid.uuid4().hex,
            "course_id": course_id,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "place": "Hội trường UBND phường",
            "trainer": "Ông Trần Văn Giảng",
            "capacity": capacity,
        }
    )
    return reply["sessions"][-1]["session_id"]


def begin(databases, session_id):
    """Time passes: the session is under way (it began ten minutes ago)."""
    now = datetime.now(VIETNAM)
    databases["training"].sessions.update_one(
        {"_id": session_id},
        {"$set": {"starts_at": now - timedelta(minutes=10), "ends_at": now + timedelta(hours=2)}},
    )


def code_of(databases, person_id):
    return databases["training"].invitations.find_one({"person.person_id": person_id})["code"]


def test_a_full_session_forms_an_ordered_waiting_list_and_a_cancel_moves_the_next_in(
    training, ward, databases, watcher
):
    course_id = course(training)["course_id"]
    first = session(training, course_id, capacity=2)
    session(training, course_id, capacity=30, days=4)
    lan = member(ward, "Nguyễn Thị Lan", phone="0912 345 678")
    invited = training.invite({"actor": "can-bo", "course_id": course_id})
    assert invited["invited"] == 4  # three group heads and Lan
    lan_code = code_of(databases, lan)
    assert [
        e.code for e in seen(watcher, InvitedToTraining, 4) if e.full_name == "Nguyễn Thị Lan"
    ] == [lan_code]
    assert training.invite({"actor": "can-bo", "course_id": course_id})["invited"] == 0

    outcomes = [
        training.register({"who": {"actor": "to-truong-1"}, "session_id": first}),
        training.register({"who": {"code": lan_code}, "session_id": first}),
        training.register({"who": {"actor": "to-truong-2"}, "session_id": first}),
        training.register({"who": {"actor": "to-truong-3"}, "session_id": first}),
    ]
    statuses = [(o["registration"]["status"], o["registration"]["place_in_line"]) for o in outcomes]
    assert statuses == [("seated", None), ("seated", None), ("waiting", 1), ("waiting", 2)]
    with pytest.raises(InvalidInput, match="đã đăng ký"):
        training.register({"who": {"code": lan_code}, "session_id": first})

    confirmed = seen(watcher, RegistrationConfirmed, 2)
    assert {e.username or e.phone for e in confirmed} == {"to-truong-1", "0912345678"}

    lan_registration = outcomes[1]["registration"]["registration_id"]
    training.cancel_registration({"who": {"code": lan_code}, "registration_id": lan_registration})
    moved = seen(watcher, MovedOffWaitlist)
    assert [e.username for e in moved] == ["to-truong-2"]
    assert seen(watcher, RegistrationCancelled)[0].registration_id == lan_registration

    roster = training.session_roster({"actor": "can-bo", "session_id": first})
    assert [r["person"]["username"] for r in roster["seated"]] == ["to-truong-1", "to-truong-2"]
    assert [(r["person"]["username"], r["place_in_line"]) for r in roster["waiting"]] == [
        ("to-truong-3", 1)
    ]
    assert roster["session"]["seats_taken"] == 2


def test_the_last_seat_raced_for_by_many_goes_to_exactly_one(training, ward, config):
    course_id = course(training, positions=("investment_supervision",))["course_id"]
    session_id = session(training, course_id, capacity=1)
    people = [member(ward, f"Thành viên {n}") for n in range(16)]
    staff_registers = [
        {"actor": "can-bo", "session_id": session_id, "person_ids": [person]} for person in people
    ]

    def register(payload):
        with ServiceRpcProxy("training", config) as proxy:
            return proxy.register_people(payload)["outcomes"][0]

    pool = eventlet.GreenPool(16)
    outcomes = list(pool.imap(register, staff_registers))

    statuses = sorted(o["registration"]["status"] for o in outcomes)
    assert statuses == ["seated"] + ["waiting"] * 15
    places = sorted(
        o["registration"]["place_in_line"]
        for o in outcomes
        if o["registration"]["status"] == "waiting"
    )
    roster = training.session_roster({"actor": "can-bo", "session_id": session_id})
    assert len(roster["seated"]) == 1 and roster["session"]["seats_taken"] == 1
    assert [r["place_in_line"] for r in roster["waiting"]] == list(range(1, 16))
    assert len({r["person"]["person_id"] for r in roster["waiting"]}) == 15
    assert places == list(range(1, 16))  # each told their own place in line


def test_refusals_say_why_in_vietnamese(training, ward, databases):
    course_id = course(training, positions=("group_head",))["course_id"]
    session_id = session(training, course_id)
    outsider = member(ward, "Lê Văn Ngoài", position="front_committee_head")
    refused = training.register_people(
        {"actor": "can-bo", "session_id": session_id, "person_ids": [outsider]}
    )["outcomes"][0]
    assert "không giữ chức danh" in refused["refused"]

    closed = course(
        training,
        positions=("group_head",),
        registration_opens_on=(TODAY - timedelta(days=20)).isoformat(),
        registration_closes_on=(TODAY - timedelta(days=1)).isoformat(),
    )["course_id"]
    closed_session = session(training, closed)
    with pytest.raises(InvalidInput, match="hết hạn đăng ký"):
        training.register({"who": {"actor": "to-truong-1"}, "session_id": closed_session})
    with pytest.raises(Forbidden):
        training.create_course({**_course_payload(), "actor": "to-truong-1"})
    with pytest.raises(NotFound):
        training.register({"who": {"code": "TH-ZZZZZZZZ"}, "session_id": session_id})
    with pytest.raises(InvalidInput):
        training.add_session(
            {
                "actor": "can-bo",
                "request_id": uuid.uuid4().hex,
                "course_id": course_id,
                "starts_at": "2020-01-01T08:00:00+07:00",
                "ends_at": "2020-01-01T10:00:00+07:00",
                "place": "Hội trường",
                "trainer": "Ông Giảng",
                "capacity": 5,
            }
        )
    # a seat taken, then cancelled after the cut-off: refused, and the seat is kept
    seated = training.register({"who": {"actor": "to-truong-1"}, "session_id": session_id})
    begin(databases, session_id)
    with pytest.raises(InvalidInput, match="quá hạn hủy"):
        training.cancel_registration(
            {
                "who": {"actor": "to-truong-1"},
                "registration_id": seated["registration"]["registration_id"],
            }
        )
    roster = training.session_roster({"actor": "can-bo", "session_id": session_id})
    assert len(roster["seated"]) == 1


def _course_payload():
    return {
        "actor": "can-bo",
        "request_id": uuid.uuid4().hex,
        "commune_id": "huong-an",
        "year": YEAR,
        "title": "Khóa thử",
        "positions": ["group_head"],
        "registration_opens_on": TODAY.isoformat(),
        "registration_closes_on": TODAY.isoformat(),
    }


def test_attendance_completes_the_course_and_the_certificate_can_be_checked_and_revoked(
    training, ward, databases, watcher
):
    course_id = course(
        training, positions=("group_head",), completion={"kind": "at_least", "minimum": 1}
    )["course_id"]
    first = session(training, course_id)
    session(training, course_id, days=5)
    training.register({"who": {"actor": "to-truong-1"}, "session_id": first})
    training.register({"who": {"actor": "to-truong-2"}, "session_id": first})
    with pytest.raises(InvalidInput, match="chưa bắt đầu"):
        training.mark_attendance(
            {"actor": "can-bo", "session_id": first, "person_id": "account:to-truong-1"}
        )
    token = training.check_in_code({"actor": "can-bo", "session_id": first})["token"]
    with pytest.raises(InvalidInput, match="Chưa đến giờ"):
        training.check_in({"who": {"actor": "to-truong-2"}, "session_id": first, "token": token})
    begin(databases, first)
    token = training.check_in_code({"actor": "can-bo", "session_id": first})["token"]
    with pytest.raises(InvalidInput, match="không đúng"):
        training.check_in({"who": {"actor": "to-truong-2"}, "session_id": first, "token": "0" * 20})

    tapped = training.mark_attendance(
        {"actor": "can-bo", "session_id": first, "person_id": "account:to-truong-1"}
    )
    checked_in = training.check_in(
        {"who": {"actor": "to-truong-2"}, "session_id": first, "token": token}
    )
    assert tapped["completed"] and checked_in["completed"]
    code = tapped["certificate_code"]
    issued = seen(watcher, CertificateIssued)
    assert {e.username for e in issued} >= {"to-truong-1"}

    check = training.verify_certificate({"code": code})
    assert check["valid"] and check["certificate"]["person"]["username"] == "to-truong-1"
    assert check["certificate"]["course_title"] == "Kỹ năng xây dựng hương ước, quy ước"
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not training.verify_certificate({"code": forged})["valid"]

    certificate_id = check["certificate"]["certificate_id"]
    training.revoke_certificate(
        {"actor": "can-bo", "certificate_id": certificate_id, "reason": "Cấp nhầm người"}
    )
    revoked = training.verify_certificate({"code": code})
    assert not revoked["valid"] and "thu hồi" in revoked["why_not"]
    assert "Cấp nhầm người" in revoked["why_not"]

    # a trainer's mistaken tap, taken back: the certificate it gave is taken back too
    untapped = training.mark_attendance(
        {
            "actor": "can-bo",
            "session_id": first,
            "person_id": "account:to-truong-2",
            "present": False,
        }
    )
    assert not untapped["completed"]
    assert not training.verify_certificate({"code": checked_in["certificate_code"]})["valid"]


def test_coverage_counts_holders_by_the_rule_the_page_states(training, ward, databases):
    training.set_targets(
        {
            "actor": "can-bo",
            "commune_id": "huong-an",
            "year": YEAR,
            "targets": [{"position": "group_head", "percent": 100}],
        }
    )
    course_id = course(training, positions=("group_head",))["course_id"]
    session_id = session(training, course_id)
    training.register({"who": {"actor": "to-truong-1"}, "session_id": session_id})
    begin(databases, session_id)
    training.mark_attendance(
        {"actor": "can-bo", "session_id": session_id, "person_id": "account:to-truong-1"}
    )
    # to-truong-3 leaves the post untrained: no longer counted (issue #15, point 1)
    ward.revoke_role(
        {
            "actor": "admin",
            "username": "to-truong-3",
            "grant": {"role": "group_head", "unit_id": "tdp-3"},
        }
    )
    coverage = training.coverage({"actor": "thanh-tra", "commune_id": "huong-an", "year": YEAR})
    heads = next(row for row in coverage["totals"] if row["position"] == "group_head")
    assert (heads["holders"], heads["trained"], heads["target_percent"]) == (2, 1, 100)
    assert [m["full_name"] for m in heads["missing"]] == ["To-Truong-2"]
    by_unit = {
        (row["unit_id"], row["position"]): (row["holders"], row["trained"])
        for row in coverage["rows"]
    }
    assert by_unit[("tdp-1", "group_head")] == (1, 1)
    assert by_unit[("tdp-2", "group_head")] == (1, 0)
    assert ("tdp-3", "group_head") not in by_unit
    assert coverage["targets_set_on"] == TODAY.isoformat()
    with pytest.raises(Forbidden):
        training.coverage({"actor": "to-truong-1", "commune_id": "huong-an", "year": YEAR})


def test_a_registration_survives_a_restart_before_its_confirmation_is_sent(
    ward, start_service, config, container_factory, databases
):
    """No one consumes training events yet, so the confirmation waits in the outbox;
    the service is killed and started again; once someone listens, it goes out."""
    container = container_factory(TrainingService, config)
    container.start()
    with ServiceRpcProxy("training", config) as proxy:
        course_id = course(proxy, positions=("group_head",))["course_id"]
        session_id = session(proxy, course_id)
        proxy.register({"who": {"actor": "to-truong-1"}, "session_id": session_id})
    container.kill()
    stored = databases["training"].sessions.find_one({"_id": session_id})
    assert [e["person"]["username"] for e in stored["seated"]] == ["to-truong-1"]
    assert any(item["kind"] == "event" for item in stored.get("_pending", []))

    config["MONGO_DATABASES"]["training_watcher"] = config["MONGO_DATABASES"]["notifications"]
    TrainingWatcher.seen.clear()
    start_service(TrainingWatcher)
    start_service(TrainingService)
    confirmed = seen(TrainingWatcher.seen, RegistrationConfirmed, timeout=60)
    assert [e.username for e in confirmed] == ["to-truong-1"]


def test_participants_are_those_seated(training, ward):
    course_id = course(training, positions=("group_head",))["course_id"]
    session_id = session(training, course_id, capacity=1)
    training.register({"who": {"actor": "to-truong-1"}, "session_id": session_id})
    training.register({"who": {"actor": "to-truong-2"}, "session_id": session_id})
    reply = training.participants({"course_id": course_id})
    assert reply["commune_id"] == "huong-an"
    assert [p["username"] for p in reply["people"]] == ["to-truong-1"]


def test_a_bigger_room_seats_the_first_in_line_and_a_smaller_one_turns_nobody_away(
    training, ward, watcher
):
    course_id = course(training, positions=("group_head",))["course_id"]
    session_id = session(training, course_id, capacity=1)
    for number in (1, 2, 3):
        training.register({"who": {"actor": f"to-truong-{number}"}, "session_id": session_id})

    bigger = training.change_capacity({"actor": "can-bo", "session_id": session_id, "capacity": 2})
    assert (bigger["sessions"][0]["capacity"], bigger["sessions"][0]["seats_taken"]) == (2, 2)
    assert [e.username for e in seen(watcher, MovedOffWaitlist)] == ["to-truong-2"]
    roster = training.session_roster({"actor": "can-bo", "session_id": session_id})
    assert [r["person"]["username"] for r in roster["seated"]] == ["to-truong-1", "to-truong-2"]
    assert [(r["person"]["username"], r["place_in_line"]) for r in roster["waiting"]] == [
        ("to-truong-3", 1)
    ]
    with pytest.raises(InvalidInput) as smaller:
        training.change_capacity({"actor": "can-bo", "session_id": session_id, "capacity": 1})
    assert "không giảm" in smaller.value.fields["capacity"]
    with pytest.raises(Forbidden):
        training.change_capacity({"actor": "to-truong-1", "session_id": session_id, "capacity": 9})
