"""The feedback service: petitions and feedback (phản ánh, kiến nghị), complaints,
denunciations and the People's Inspection Board's recommendations, received,
handled on the law's deadlines and answered in public (Law 10/2022 Art 35.2.a,
40.1.c; Citizen Reception Law 2013; Complaints Law 2011; Denunciation Law 2018)."""

from datetime import timedelta

from nameko.timer import timer

from services.feedback.base import AUDIT_ROLES, HANDLING_ROLES
from services.feedback.filing_service import FilingEntrypoints
from services.feedback.handling_service import HandlingEntrypoints
from services.feedback.reception import check_schedule
from shared.chassis import audit_entry, audit_item, utcnow
from shared.contracts.common import ServiceHealth
from shared.contracts.feedback import (
    Categories,
    ListReceptions,
    Receptions,
    ReceptionSchedule,
    ReceptionSession,
    RecordReception,
    SaveCategories,
    SaveReceptionSchedule,
)
from shared.contracts.staff import AuditLog, ListAudit
from shared.errors import WIRE_ERRORS, parse
from shared.queues import rpc

OVERDUE_SWEEP_SECONDS = 60  # how often late cases are looked for (an indexed read)


class FeedbackService(HandlingEntrypoints, FilingEntrypoints):
    name = "feedback"

    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def save_categories(self, payload: dict) -> dict:
        """The commune edits its list; a category retired stays on its old cases."""
        command = parse(SaveCategories, payload)
        self._signed_by(command.actor, command.commune_id, HANDLING_ROLES)
        categories = [category.model_dump() for category in command.categories]
        audit = self._settings_audit(command.actor, "save_categories", command.commune_id)
        self.store.save_categories(command.commune_id, categories, [audit])
        self.store.relay_events(self.dispatch, only=("categories", command.commune_id))
        self.store.forget(("categories", command.commune_id))
        reply = Categories(commune_id=command.commune_id, categories=command.categories)
        return reply.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def save_reception_schedule(self, payload: dict) -> dict:
        """The Chairman receives citizens at least one day a week (Citizen Reception
        Law 2013 Art 15)."""
        command = parse(SaveReceptionSchedule, payload)
        self._signed_by(command.actor, command.commune_id, HANDLING_ROLES)
        check_schedule(command.slots)
        now = utcnow()
        slots = [slot.model_dump() for slot in command.slots]
        audit = self._settings_audit(command.actor, "save_reception_schedule", command.commune_id)
        self.store.save_schedule(command.commune_id, slots, now, [audit])
        self.store.relay_events(self.dispatch, only=("schedules", command.commune_id))
        reply = ReceptionSchedule(
            commune_id=command.commune_id, slots=command.slots, updated_at=now
        )
        return reply.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_reception(self, payload: dict) -> dict:
        """A reception session held; the cases filed there name it."""
        command = parse(RecordReception, payload)
        self._signed_by(command.actor, command.commune_id, HANDLING_ROLES)
        document = {
            "_id": command.request_id,
            "commune_id": command.commune_id,
            "day": command.day.isoformat(),
            "received_by": command.received_by,
            "by_chairman": command.by_chairman,
            "citizens_seen": command.citizens_seen,
            "notes": command.notes,
            "case_ids": [],
            "recorded_by": command.actor,
        }
        audit = audit_item(
            audit_entry(
                command.actor,
                "record_reception",
                command.request_id,
                command.commune_id,
                after={"day": document["day"], "received_by": command.received_by},
            )
        )
        self.store.insert_reception(document, [audit])
        self.store.relay_events(self.dispatch, only=("receptions", command.request_id))
        return _session(self.store.reception(command.request_id)).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_receptions(self, payload: dict) -> dict:
        query = parse(ListReceptions, payload)
        self._signed_by(query.actor, query.commune_id, HANDLING_ROLES | AUDIT_ROLES)
        sessions = [_session(d) for d in self.store.receptions(query.commune_id, query.year)]
        return Receptions(sessions=sessions).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        """What staff did to the commune's cases, and who viewed a denouncer's
        identity, for its administrators and People's Inspection Board."""
        query = parse(ListAudit, payload)
        self._require(query.actor, query.commune_id, AUDIT_ROLES)
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    def _settings_audit(self, actor: str, action: str, commune_id: str) -> dict:
        return audit_item(audit_entry(actor, action, commune_id, commune_id))

    @timer(interval=OVERDUE_SWEEP_SECONDS)
    def watch_deadlines(self) -> None:
        self.announce_overdue_cases()

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))


def _session(document: dict) -> ReceptionSession:
    return ReceptionSession(
        reception_id=document["_id"],
        **{k: v for k, v in document.items() if k not in ("_id", "recorded_by")},
    )
