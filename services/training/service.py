"""The training service: the commune's yearly plan of courses in grassroots
democracy for those who carry out the law, registration with real capacity,
attendance, certificates, and the year's coverage against targets (Law 10/2022
Art 8.1; the seed resolutions' measure 1 and the ward's target 2.1)."""

from datetime import date, timedelta

from nameko.timer import timer

from services.training import domain
from services.training.base import READING_ROLES, STAFF_ROLES, today
from services.training.registration_service import RegistrationEntrypoints
from shared.chassis import utcnow
from shared.contracts.common import ServiceHealth
from shared.contracts.positions import Position
from shared.contracts.staff import AuditLog, ListAudit
from shared.contracts.training import (
    AddSession,
    CourseRef,
    Courses,
    Coverage,
    CoverageQuery,
    CoverageRow,
    CreateCourse,
    ListCourses,
    MissingPerson,
    Plan,
    SavePlan,
    SetTargets,
    Target,
)
from shared.errors import WIRE_ERRORS, InvalidInput, parse
from shared.i18n import _
from shared.queues import rpc


class TrainingService(RegistrationEntrypoints):
    name = "training"

    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    # --- the plan ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def save_plan(self, payload: dict) -> dict:
        command = parse(SavePlan, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        plan_id = f"{command.commune_id}:{command.year}"
        document = {
            "_id": plan_id,
            "commune_id": command.commune_id,
            "year": command.year,
            "title": command.title,
            "notes": command.notes,
        }
        audit = self._audit(command.actor, "save_plan", plan_id, command.commune_id)
        self.store.save_plan(document, [audit])
        self._relay("plans", plan_id)
        return Plan(
            plan_id=plan_id, **{k: v for k, v in document.items() if k != "_id"}
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def create_course(self, payload: dict) -> dict:
        """A course of the year's plan; the same form sent twice makes one."""
        command = parse(CreateCourse, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        if command.registration_closes_on.year < command.year - 1 or (
            command.registration_opens_on.year > command.year
        ):
            raise InvalidInput(
                fields={
                    "registration_opens_on": _("Thời gian đăng ký phải thuộc năm của kế hoạch.")
                }
            )
        document = {
            "_id": command.request_id,
            "commune_id": command.commune_id,
            "year": command.year,
            "title": command.title,
            "description": command.description,
            "positions": [p.value for p in command.positions],
            "completion": command.completion.model_dump(mode="json"),
            "registration_opens_on": command.registration_opens_on.isoformat(),
            "registration_closes_on": command.registration_closes_on.isoformat(),
            "cancel_hours_before": command.cancel_hours_before,
            "created_by": command.actor,
        }
        audit = self._audit(
            command.actor,
            "create_course",
            command.request_id,
            command.commune_id,
            after={"title": command.title},
        )
        if self.store.insert_once("courses", document, [audit]):
            self._relay("courses", command.request_id)
        return self._full_course(command.request_id).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def add_session(self, payload: dict) -> dict:
        """A session of a course: when, where, who teaches, how many places."""
        command = parse(AddSession, payload)
        course = self._course(command.course_id)
        self._require(command.actor, course["commune_id"], STAFF_ROLES)
        if command.starts_at <= utcnow():
            raise InvalidInput(fields={"starts_at": _("Buổi học phải ở thời điểm sau hiện tại.")})
        document = {
            "_id": command.request_id,
            "course_id": command.course_id,
            "commune_id": course["commune_id"],
            "starts_at": command.starts_at,
            "ends_at": command.ends_at,
            "place": command.place,
            "online_link": command.online_link,
            "trainer": command.trainer,
            "capacity": command.capacity,
            "seat_count": 0,
            "seated": [],
            "waiting": [],
            "cancelled": [],
            "attended": [],
        }
        audit = self._audit(
            command.actor,
            "add_session",
            command.request_id,
            course["commune_id"],
            after={"starts_at": command.starts_at.isoformat(), "capacity": command.capacity},
        )
        if self.store.insert_once("sessions", document, [audit]):
            self._relay("sessions", command.request_id)
        return self._full_course(command.course_id).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_courses(self, payload: dict) -> dict:
        """A commune's plan and courses of a year: public, as the plan is."""
        query = parse(ListCourses, payload)
        courses = self.store.courses(query.commune_id, query.year)
        ids = [c["_id"] for c in courses]
        sessions = self.store.sessions_of(ids)
        counts = self.store.count_completed(ids)
        plan = self.store.plan(f"{query.commune_id}:{query.year}")
        reply = Courses(
            plan=Plan(plan_id=plan["_id"], **{k: v for k, v in plan.items() if k != "_id"})
            if plan
            else None,
            courses=[
                self._course_contract(
                    c, [s for s in sessions if s["course_id"] == c["_id"]], counts.get(c["_id"], 0)
                )
                for c in courses
            ],
        )
        return reply.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_course(self, payload: dict) -> dict:
        return self._full_course(parse(CourseRef, payload).course_id).model_dump(mode="json")

    # --- coverage ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def set_targets(self, payload: dict) -> dict:
        """The year's target share per position (e.g. 100% of group heads: the ward
        resolution's target 2.1)."""
        command = parse(SetTargets, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        targets = [t.model_dump(mode="json") for t in command.targets]
        audit = self._audit(
            command.actor,
            "set_targets",
            f"{command.commune_id}:{command.year}",
            command.commune_id,
            after={"targets": targets},
        )
        self.store.save_targets(
            command.commune_id, command.year, targets, today().isoformat(), [audit]
        )
        self._relay("targets", f"{command.commune_id}:{command.year}")
        return self._coverage(command.commune_id, command.year).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def coverage(self, payload: dict) -> dict:
        query = parse(CoverageQuery, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        return self._coverage(query.commune_id, query.year).model_dump(mode="json")

    def _coverage(self, commune_id: str, year: int) -> Coverage:
        """Per unit and position: holders counted this year, and those trained by a
        course of this year's plan serving the position (domain.counted_holdings).
        Bounded by the commune's position holders, never by its households."""
        stored = self.store.targets(commune_id, year)
        set_on = date.fromisoformat(stored["set_on"]) if stored else None
        counted_from = max(set_on or date(year, 1, 1), date(year, 1, 1))
        as_of = min(today(), date(year, 12, 31))
        holdings = (
            self._holdings(commune_id, [], counted_from, as_of) if as_of >= counted_from else []
        )
        trained_on: dict[tuple[str, Position], date] = {}
        for certificate in self.store.certificates_in(commune_id, year):
            if certificate["revoked"]:
                continue
            day = date.fromisoformat(certificate["completed_on"])
            for position in certificate["positions"]:
                key = (certificate["person"]["person_id"], Position(position))
                trained_on[key] = min(day, trained_on.get(key, day))
        counted = domain.counted_holdings(holdings, trained_on, counted_from, as_of)
        targets = [Target.model_validate(t) for t in stored["targets"]] if stored else []
        percent = {t.position: t.percent for t in targets}
        overview = self._overview(commune_id)
        names = {**overview.unit_names, commune_id: overview.commune.name}
        rows = _rows(counted, percent, names, by_unit=True)
        totals = _rows(
            counted,
            percent,
            {commune_id: overview.commune.name},
            by_unit=False,
            commune_id=commune_id,
        )
        return Coverage(
            commune_id=commune_id,
            year=year,
            as_of=as_of,
            targets_set_on=set_on,
            targets=targets,
            rows=rows,
            totals=totals,
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        query = parse(ListAudit, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))


def _rows(
    counted: list[domain.Counted],
    percent: dict[Position, int],
    names: dict[str, str],
    *,
    by_unit: bool,
    commune_id: str = "",
) -> list[CoverageRow]:
    groups: dict[tuple[str, Position], dict[str, domain.Counted]] = {
        (commune_id, position): {} for position in percent if not by_unit
    }
    for item in counted:
        people = groups.setdefault((item.unit_id if by_unit else commune_id, item.position), {})
        if item.person_id not in people or item.trained:  # once per person, trained if anywhere
            people[item.person_id] = item
    order = list(Position)
    rows = []
    for (unit_id, position), people in sorted(
        groups.items(), key=lambda g: (names.get(g[0][0], g[0][0]), order.index(g[0][1]))
    ):
        items = list(people.values())
        rows.append(
            CoverageRow(
                unit_id=unit_id,
                unit_name=names.get(unit_id, unit_id),
                position=position,
                holders=len(items),
                trained=sum(1 for i in items if i.trained),
                target_percent=percent.get(position),
                missing=[
                    MissingPerson(person_id=i.person_id, full_name=i.full_name)
                    for i in sorted(items, key=lambda i: i.full_name)
                    if not i.trained
                ],
            )
        )
    return rows
