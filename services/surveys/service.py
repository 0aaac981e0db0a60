"""The surveys service: consultations, community decisions and satisfaction
surveys, their ballots by phone, paper and meeting, and their results
(Law 10/2022 Art 15-28, 35; Decree 59/2023 Art 3-5)."""

from datetime import timedelta

from nameko.timer import timer

from services.surveys.ballot_service import BallotEntrypoints
from services.surveys.base import AUDIT_ROLES
from services.surveys.counting_service import CountingEntrypoints
from shared.contracts.common import ServiceHealth
from shared.contracts.staff import AuditLog, ListAudit
from shared.errors import WIRE_ERRORS, parse
from shared.queues import rpc


class SurveysService(CountingEntrypoints, BallotEntrypoints):
    name = "surveys"

    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        """What staff did to the commune's polls, for its administrators and People's
        Inspection Board (Law 10/2022 Art 9: results must not be falsified)."""
        query = parse(ListAudit, payload)
        self._require(query.actor, query.commune_id, AUDIT_ROLES)
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))
