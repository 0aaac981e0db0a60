"""Registration with real capacity and an ordered waiting list, personal links for
people without an account, attendance and check-in (issue #15, points 3 and 4)."""

import uuid
from datetime import date
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.training import domain
from services.training.base import (
    READING_ROLES,
    STAFF_ROLES,
    addressed,
    registration_of,
    registrations_in,
    session_contract,
    today,
)
from services.training.certificates_service import CertificateEntrypoints, certificate_of
from shared.chassis import event_item, utcnow
from shared.contracts.positions import Person
from shared.contracts.training import (
    Attendance,
    CancelRegistration,
    ChangeCapacity,
    CheckIn,
    CheckInCode,
    CheckInToken,
    Invited,
    InvitedToTraining,
    InvitePeople,
    MarkAttendance,
    MovedOffWaitlist,
    ParticipantList,
    Participants,
    Register,
    RegisterPeople,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationOutcome,
    RegistrationResults,
    RegistrationStatus,
    SessionRef,
    SessionRoster,
)
from shared.errors import WIRE_ERRORS, Conflict, Forbidden, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.queues import rpc

SEAT_ATTEMPTS = 20  # a registration retried while the session changes under it
CODE_ATTEMPTS = 5


class RegistrationEntrypoints(CertificateEntrypoints):
    @rpc(expected_exceptions=WIRE_ERRORS)
    def register(self, payload: dict) -> dict:
        """A person registers themself from a phone: an official signed in, anyone
        else with their personal code."""
        command = parse(Register, payload)
        session = self._session(command.session_id)
        person, commune_id = self._person(command.who, session["commune_id"])
        if commune_id != session["commune_id"]:
            raise Forbidden(_("Buổi học này thuộc xã, phường khác."))
        actor = command.who.actor or f"code:{person.person_id}"
        outcome = self._seat(session, self._course(session["course_id"]), person, actor)
        if outcome.refused:
            raise InvalidInput(outcome.refused)
        return outcome.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def register_people(self, payload: dict) -> dict:
        """Staff register people in bulk: those named, and every current holder of the
        positions named (each eligible by the course's positions)."""
        command = parse(RegisterPeople, payload)
        session = self._session(command.session_id)
        self._require(command.actor, session["commune_id"], STAFF_ROLES)
        course = self._course(session["course_id"])
        day = today()
        holdings = self._holdings(session["commune_id"], course["positions"], day, day)
        people = {h.person.person_id: h.person for h in holdings if h.held_on(day)}
        wanted = [h.person.person_id for h in holdings if h.position in command.positions]
        wanted += [p for p in command.person_ids if p not in wanted]
        outcomes = []
        for person_id in dict.fromkeys(wanted):
            if person_id not in people:
                unknown = Person(person_id=person_id, full_name=person_id)
                outcomes.append(RegistrationOutcome(person=unknown, refused=domain.NOT_ELIGIBLE))
                continue
            person = people[person_id]
            outcomes.append(self._seat(session, course, person, command.actor, by_staff=True))
        return RegistrationResults(outcomes=outcomes).model_dump(mode="json")

    def _seat(
        self, session: dict, course: dict, person: Person, actor: str, *, by_staff: bool = False
    ) -> RegistrationOutcome:
        """A seat if one is free, else the end of the waiting list; both atomic on the
        session's document, so concurrent registrations never exceed the capacity.
        `by_staff`: staff chose the person among the course's holders (eligible), and
        may do so outside the registration window, though not once it began."""
        now = utcnow()
        refusal = domain.registration_refusal(
            date.fromisoformat(course["registration_opens_on"]),
            date.fromisoformat(course["registration_closes_on"]),
            session["starts_at"],
            now,
        )
        if refusal and by_staff and session["starts_at"] > now:
            refusal = None
        if refusal:
            return RegistrationOutcome(person=person, refused=refusal)
        if not by_staff:
            holdings = self._holdings_of(person.person_id)
            if not domain.eligible_positions(holdings, course["positions"], today()):
                return RegistrationOutcome(person=person, refused=domain.NOT_ELIGIBLE)
        entry = {
            "registration_id": domain.new_registration_code(),
            "person": person.model_dump(mode="json"),
            "registered_at": now,
            "by": actor,
        }
        confirmed = self._event(RegistrationConfirmed, entry, session, course)
        audit = self._audit(actor, "register", entry["registration_id"], session["commune_id"])
        for _attempt in range(SEAT_ATTEMPTS):
            person_id = person.person_id
            if self.store.take_seat(
                session, entry, [event_item(confirmed), audit], person_id=person_id
            ):
                break
            if self.store.join_waiting_list(session, entry, [audit], person_id=person_id):
                break
            if self.store.is_in(session["_id"], person_id):
                return RegistrationOutcome(
                    person=person, refused=_("Người này đã đăng ký buổi học này rồi.")
                )
            session = self._session(session["_id"])  # the capacity changed: read it again
        else:
            raise Conflict(_("Buổi học đang có nhiều người đăng ký cùng lúc: xin thử lại."))
        self._relay("sessions", session["_id"])
        registration = registration_of(self._session(session["_id"]), entry["registration_id"])
        return RegistrationOutcome(person=person, registration=registration)

    def _event(self, kind: type, entry: dict, session: dict, course: dict) -> Any:
        return kind(
            event_id=uuid.uuid4().hex,
            occurred_at=utcnow(),
            registration_id=entry["registration_id"],
            commune_id=session["commune_id"],
            course_title=course["title"],
            session_starts_at=session["starts_at"],
            place=session["place"],
            **addressed(entry["person"]),
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def cancel_registration(self, payload: dict) -> dict:
        """The person, or staff, give up a place or a place in line; the first in line
        moves into a freed seat in the same write, and is told (`moved_off_waitlist`)."""
        command = parse(CancelRegistration, payload)
        session = self.store.session_with(command.registration_id)
        if session is None:
            raise NotFound(_("Không tìm thấy đăng ký này."))
        course = self._course(session["course_id"])
        actor, staff = self._may_cancel(command, session)
        refusal = domain.cancellation_refusal(
            session["starts_at"], course["cancel_hours_before"], utcnow()
        )
        if refusal and not (staff and session["starts_at"] > utcnow()):
            raise InvalidInput(refusal)
        for _attempt in range(SEAT_ATTEMPTS):
            if self._cancel_once(session, course, command.registration_id, actor):
                break
            session = self._session(session["_id"])
        else:
            raise Conflict(_("Buổi học đang thay đổi: xin thử lại."))
        self._relay("sessions", session["_id"])
        registration = registration_of(self._session(session["_id"]), command.registration_id)
        return registration.model_dump(mode="json")

    def _may_cancel(self, command: CancelRegistration, session: dict) -> tuple[str, bool]:
        """Who cancels, and whether as commune staff; else it must be the registered
        person themself."""
        entry = _entry(session, command.registration_id)
        if command.who.actor and self._is_staff(command.who.actor, session["commune_id"]):
            return command.who.actor, True
        person, _commune = self._person(command.who, session["commune_id"])
        if entry is None or entry["person"]["person_id"] != person.person_id:
            raise Forbidden(_("Đây không phải đăng ký của bạn."))
        return command.who.actor or f"code:{person.person_id}", False

    def _cancel_once(self, session: dict, course: dict, registration_id: str, actor: str) -> bool:
        """One try at cancelling; False if the session changed since it was read."""
        audit = self._audit(actor, "cancel_registration", registration_id, session["commune_id"])
        for entry in session["waiting"]:
            if entry["registration_id"] == registration_id:
                return self.store.leave_waiting_list(session["_id"], entry, [audit])
        leaving = next(
            (e for e in session["seated"] if e["registration_id"] == registration_id), None
        )
        if leaving is None:
            return True  # cancelled already (a form sent twice)
        cancelled = event_item(self._event(RegistrationCancelled, leaving, session, course))
        if not session["waiting"]:
            return self.store.free_seat(session["_id"], leaving, [cancelled, audit])
        first = session["waiting"][0]
        moved = event_item(self._event(MovedOffWaitlist, first, session, course))
        return self.store.give_seat_to_next(
            session["_id"], leaving, first, [cancelled, moved, audit]
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def change_capacity(self, payload: dict) -> dict:
        """A bigger room seats the first in line at once (each told, as after a
        cancellation); a smaller one may not turn away anyone already seated."""
        command = parse(ChangeCapacity, payload)
        session = self._session(command.session_id)
        self._require(command.actor, session["commune_id"], STAFF_ROLES)
        course = self._course(session["course_id"])
        for _attempt in range(SEAT_ATTEMPTS):
            if command.capacity < session["seat_count"]:
                raise InvalidInput(
                    fields={
                        "capacity": _(
                            "Đã có {seated} người có chỗ: không giảm "
                            "sức chứa xuống dưới số này được."
                        ).format(seated=session["seat_count"])
                    }
                )
            moving = session["waiting"][: max(0, command.capacity - session["seat_count"])]
            items = [event_item(self._event(MovedOffWaitlist, e, session, course)) for e in moving]
            items.append(
                self._audit(
                    command.actor,
                    "change_capacity",
                    session["_id"],
                    session["commune_id"],
                    before={"capacity": session["capacity"]},
                    after={"capacity": command.capacity},
                )
            )
            if self.store.set_capacity(session, command.capacity, items):
                break
            session = self._session(session["_id"])
        else:
            raise Conflict(_("Buổi học đang thay đổi: xin thử lại."))
        self._relay("sessions", session["_id"])
        return self._full_course(session["course_id"]).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def session_roster(self, payload: dict) -> dict:
        query = parse(SessionRef, payload)
        session = self._session(query.session_id)
        self._require(query.actor, session["commune_id"], READING_ROLES)
        registrations = registrations_in(session)
        seated = {
            r.person.person_id for r in registrations if r.status == RegistrationStatus.SEATED
        }
        certificates = [
            certificate_of(d)
            for d in self.store.certificates_of_course(session["course_id"])
            if d["person"]["person_id"] in seated
        ]
        roster = SessionRoster(
            course=self._full_course(session["course_id"]),
            session=session_contract(session),
            seated=[r for r in registrations if r.status == RegistrationStatus.SEATED],
            waiting=[r for r in registrations if r.status == RegistrationStatus.WAITING],
            certificates=certificates,
        )
        return roster.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def participants(self, payload: dict) -> dict:
        """Whom a staff message to "the participants of a course or session" reaches:
        those holding a seat."""
        query = parse(Participants, payload)
        course = self._course(query.course_id)
        sessions = self.store.sessions_of([query.course_id])
        if query.session_id:
            sessions = [s for s in sessions if s["_id"] == query.session_id]
            if not sessions:
                raise NotFound(_("Không tìm thấy buổi tập huấn này."))
        people = {
            e["person"]["person_id"]: Person.model_validate(e["person"])
            for s in sessions
            for e in s["seated"]
        }
        reply = ParticipantList(commune_id=course["commune_id"], people=list(people.values()))
        return reply.model_dump(mode="json")

    # --- personal links ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def invite(self, payload: dict) -> dict:
        """Send every current holder of the course's positions their personal link
        (inbox, SMS, Zalo or email, through the notifications service). A person keeps
        one code; one already invited to this course is not sent it again."""
        command = parse(InvitePeople, payload)
        course = self._course(command.course_id)
        self._require(command.actor, course["commune_id"], STAFF_ROLES)
        day = today()
        holdings = self._holdings(course["commune_id"], course["positions"], day, day)
        people = {h.person.person_id: h.person for h in holdings if h.held_on(day)}
        invited, without_address = 0, []
        for person in people.values():
            if not (person.username or person.household or person.phone or person.email):
                without_address.append(person.full_name)
                continue
            if self._invite_once(course, person, command.actor):
                invited += 1
        return Invited(invited=invited, without_address=without_address).model_dump(mode="json")

    def _invite_once(self, course: dict, person: Person, actor: str) -> bool:
        invitation = self._invitation(course["commune_id"], person)
        event = InvitedToTraining(
            event_id=uuid.uuid4().hex,
            occurred_at=utcnow(),
            invitation_id=invitation["_id"],
            commune_id=course["commune_id"],
            course_title=course["title"],
            code=invitation["code"],
            registration_closes_on=course["registration_closes_on"],
            **addressed(person.model_dump(mode="json")),
        )
        audit = self._audit(actor, "invite", invitation["_id"], course["commune_id"])
        person_data = person.model_dump(mode="json")
        if not self.store.note_invited(
            invitation["_id"], course["_id"], person_data, [event_item(event), audit]
        ):
            return False
        self._relay("invitations", invitation["_id"])
        return True

    def _invitation(self, commune_id: str, person: Person) -> dict[str, Any]:
        """The person's invitation, with their personal code, made once."""
        for _attempt in range(CODE_ATTEMPTS):
            if (found := self.store.invitation_of(commune_id, person.person_id)) is not None:
                return found
            try:
                self.store.add_invitation(
                    {
                        "_id": f"{commune_id}:{person.person_id}",
                        "code": domain.new_invitation_code(),
                        "commune_id": commune_id,
                        "person": person.model_dump(mode="json"),
                        "courses": [],
                    }
                )
            except DuplicateKeyError:  # the code was taken: draw another
                continue
        found = self.store.invitation_of(commune_id, person.person_id)
        if found is None:
            raise Conflict(_("Không tạo được mã cá nhân: xin thử lại."))
        return found

    # --- attendance ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def mark_attendance(self, payload: dict) -> dict:
        """The trainer's tap: present, or not after all."""
        command = parse(MarkAttendance, payload)
        session = self._session(command.session_id)
        self._require(command.actor, session["commune_id"], STAFF_ROLES)
        if utcnow() < domain.check_in_window(session["starts_at"], session["ends_at"])[0]:
            raise InvalidInput(_("Buổi học chưa bắt đầu: chưa điểm danh được."))
        return self._attend(session, command.person_id, command.present, command.actor)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def check_in_code(self, payload: dict) -> dict:
        """The signed code of the QR shown in the room."""
        query = parse(CheckInCode, payload)
        session = self._session(query.session_id)
        self._require(query.actor, session["commune_id"], STAFF_ROLES)
        key = self.store.commune_key(session["commune_id"])
        opens, closes = domain.check_in_window(session["starts_at"], session["ends_at"])
        token = CheckInToken(
            session_id=session["_id"],
            token=domain.check_in_token(key, session["_id"], session["starts_at"]),
            valid_from=opens,
            valid_to=closes,
        )
        return token.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def check_in(self, payload: dict) -> dict:
        """An attendee scanned the session's QR code: signed, valid only during it."""
        command = parse(CheckIn, payload)
        session = self._session(command.session_id)
        key = self.store.commune_key(session["commune_id"])
        refusal = domain.check_in_refusal(
            key, session["_id"], session["starts_at"], session["ends_at"], command.token, utcnow()
        )
        if refusal:
            raise InvalidInput(refusal)
        person, _commune = self._person(command.who, session["commune_id"])
        actor = command.who.actor or f"code:{person.person_id}"
        return self._attend(session, person.person_id, True, actor)

    def _attend(self, session: dict, person_id: str, present: bool, actor: str) -> dict:
        audit = self._audit(
            actor,
            "attendance",
            f"{session['_id']}:{person_id}",
            session["commune_id"],
            after={"present": present},
        )
        if not self.store.set_attended(session["_id"], person_id, present, [audit]):
            raise InvalidInput(
                _("Người này không có chỗ trong buổi học này nên không điểm danh được.")
            )
        self._relay("sessions", session["_id"])
        entry = next(e for e in session["seated"] if e["person"]["person_id"] == person_id)
        certificate = self._settle_completion(session["course_id"], entry["person"], actor)
        reply = Attendance(
            session_id=session["_id"],
            person=Person.model_validate(entry["person"]),
            attended=present,
            completed=certificate is not None,
            certificate_code=certificate["code"] if certificate else None,
        )
        return reply.model_dump(mode="json")


def _entry(session: dict, registration_id: str) -> dict | None:
    for field in ("seated", "waiting", "cancelled"):
        for entry in session[field]:
            if entry["registration_id"] == registration_id:
                return entry
    return None
