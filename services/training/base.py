"""What every training entrypoint uses: its store, its events, the directory (who
holds which position, the commune's names), permission checks, and how stored
documents become contracts."""

from datetime import date
from typing import Any

from nameko.events import EventDispatcher

from services.training.store import TrainingStore
from shared.calendar import vietnam_day
from shared.chassis import AsksDirectory, MongoStore, audit_entry, audit_item, utcnow
from shared.contracts.directory import CommuneOverview, GetCommuneOverview
from shared.contracts.positions import (
    Holding,
    Holdings,
    ListHoldings,
    Person,
    PersonHoldings,
    Position,
    account_person,
)
from shared.contracts.staff import Role
from shared.contracts.training import (
    CompletionRule,
    Course,
    Registration,
    RegistrationStatus,
    Session,
    Who,
)
from shared.errors import Forbidden, NotFound
from shared.i18n import N_, _

# who plans courses, registers others and marks attendance
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF})
# who reads rosters and coverage: the People's Inspection Board supervises how the
# commune carries out the law (Law 10/2022 Art 39.1)
READING_ROLES = STAFF_ROLES | {Role.INSPECTOR}
OVERVIEW_KEPT_SECONDS = 60.0


def today() -> date:
    return vietnam_day(utcnow())


class TrainingBase(AsksDirectory):
    name = "training"

    FORBIDDEN = N_("Bạn không có quyền quản lý tập huấn của xã, phường này.")
    store: TrainingStore = MongoStore(TrainingStore)
    # mandatory: an event that no queue takes yet stays in the outbox (Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)

    # --- the directory ---

    def _overview(self, commune_id: str) -> CommuneOverview:
        if (kept := self.store.recall(("overview", commune_id))) is not None:
            return kept
        query = GetCommuneOverview(commune_id=commune_id).model_dump()
        overview = CommuneOverview.model_validate(
            self._ask_directory("get_commune_overview", query)
        )
        self.store.keep(("overview", commune_id), overview, OVERVIEW_KEPT_SECONDS)
        return overview

    def _holdings(
        self, commune_id: str, positions: list[Position], start: date, end: date
    ) -> list[Holding]:
        query = ListHoldings(commune_id=commune_id, positions=positions, start=start, end=end)
        reply = self._ask_directory("list_holdings", query.model_dump(mode="json"))
        return Holdings.model_validate(reply).holdings

    def _holdings_of(self, person_id: str) -> list[Holding]:
        reply = self._ask_directory("holdings_of", PersonHoldings(person_id=person_id).model_dump())
        return Holdings.model_validate(reply).holdings

    # --- who acts ---

    def _person(self, who: Who, commune_id: str | None = None) -> tuple[Person, str]:
        """The person acting for themself and their commune: the holder of a personal
        code, or a signed-in official known to the directory by their positions."""
        if who.code is not None:
            invitation = self.store.invitation_by_code(who.code)
            if invitation is None:
                raise NotFound(
                    _("Mã cá nhân không đúng. Hãy kiểm tra lại tin nhắn của xã, phường.")
                )
            return Person.model_validate(invitation["person"]), invitation["commune_id"]
        holdings = self._holdings_of(account_person(who.actor))
        if commune_id is not None:
            holdings = [h for h in holdings if h.commune_id == commune_id] or holdings
        if not holdings:
            raise Forbidden(
                _("Tài khoản của bạn không giữ chức danh nào cần tập huấn ở xã, phường nào.")
            )
        current = [h for h in holdings if h.held_on(today())] or holdings
        return current[-1].person, current[-1].commune_id

    def _is_staff(self, actor: str | None, commune_id: str) -> bool:
        return bool(self._roles(actor, commune_id) & STAFF_ROLES)

    def _course(self, course_id: str) -> dict[str, Any]:
        course = self.store.course(course_id)
        if course is None:
            raise NotFound(_("Không tìm thấy khóa tập huấn này."))
        return course

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self.store.session(session_id)
        if session is None:
            raise NotFound(_("Không tìm thấy buổi tập huấn này."))
        return session

    def _certificate(self, certificate_id: str) -> dict[str, Any]:
        certificate = self.store.certificate(certificate_id)
        if certificate is None:
            raise NotFound(_("Không tìm thấy giấy chứng nhận này."))
        return certificate

    def _audit(self, actor: str, action: str, target: str, commune_id: str, **change: Any) -> dict:
        return audit_item(audit_entry(actor, action, target, commune_id, **change))

    def _relay(self, collection: str, document_id: str) -> None:
        self.store.relay_events(self.dispatch, only=(collection, document_id))

    # --- documents as contracts ---

    def _course_contract(
        self, course: dict[str, Any], sessions: list[dict], completed: int
    ) -> Course:
        return Course(
            course_id=course["_id"],
            commune_id=course["commune_id"],
            year=course["year"],
            title=course["title"],
            description=course["description"],
            positions=course["positions"],
            completion=CompletionRule.model_validate(course["completion"]),
            registration_opens_on=course["registration_opens_on"],
            registration_closes_on=course["registration_closes_on"],
            cancel_hours_before=course["cancel_hours_before"],
            sessions=[session_contract(s) for s in sessions],
            completed=completed,
        )

    def _full_course(self, course_id: str) -> Course:
        course = self._course(course_id)
        sessions = self.store.sessions_of([course_id])
        completed = self.store.count_completed([course_id]).get(course_id, 0)
        return self._course_contract(course, sessions, completed)


def session_contract(session: dict[str, Any]) -> Session:
    return Session(
        session_id=session["_id"],
        course_id=session["course_id"],
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        place=session["place"],
        online_link=session.get("online_link"),
        trainer=session["trainer"],
        capacity=session["capacity"],
        seats_taken=session["seat_count"],
        waiting=len(session["waiting"]),
    )


def registrations_in(session: dict[str, Any]) -> list[Registration]:
    """Every registration of a session: seated, waiting in order, cancelled."""
    attended = set(session.get("attended", []))
    made = []
    for status, field in (
        (RegistrationStatus.SEATED, "seated"),
        (RegistrationStatus.WAITING, "waiting"),
        (RegistrationStatus.CANCELLED, "cancelled"),
    ):
        for place, entry in enumerate(session.get(field, []), start=1):
            made.append(
                Registration(
                    registration_id=entry["registration_id"],
                    session_id=session["_id"],
                    course_id=session["course_id"],
                    person=Person.model_validate(entry["person"]),
                    status=status,
                    place_in_line=place if status == RegistrationStatus.WAITING else None,
                    registered_at=entry["registered_at"],
                    attended=entry["person"]["person_id"] in attended
                    and status == RegistrationStatus.SEATED,
                )
            )
    return made


def registration_of(session: dict[str, Any], registration_id: str) -> Registration:
    for registration in registrations_in(session):
        if registration.registration_id == registration_id:
            return registration
    raise NotFound(_("Không tìm thấy đăng ký này."))


def addressed(person: dict[str, Any]) -> dict[str, Any]:
    """How the notifications service reaches a person (an event's address fields)."""
    return {
        "username": person.get("username"),
        "household": person.get("household"),
        "phone": person.get("phone"),
        "email": person.get("email"),
        "full_name": person.get("full_name", ""),
    }
