"""What every surveys entrypoint uses: its store, its events, the directory, and
the permission check."""

from typing import Any

from nameko.events import EventDispatcher

from services.surveys.store import SurveysStore
from shared.chassis import AsksDirectory, MongoStore, utcnow
from shared.contracts.directory import CommuneOverview, GetCommuneOverview
from shared.contracts.staff import Role
from shared.contracts.surveys import Poll
from shared.errors import NotFound
from shared.i18n import N_, _
from shared.ids import new_id

STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF})
# who may enter a unit's paper returns, count minutes and meeting roll
COUNTING_ROLES = STAFF_ROLES | {Role.GROUP_HEAD}
READING_ROLES = STAFF_ROLES | {Role.INSPECTOR, Role.GROUP_HEAD}
# the audit log: administrators and the People's Inspection Board (Law 10/2022 Art 36-40)
AUDIT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.INSPECTOR})


def poll_event_fields(poll: Poll) -> dict[str, Any]:
    """What every event about a poll says (shared.contracts.surveys.PollEvent)."""
    return {
        "event_id": new_id(),
        "occurred_at": utcnow(),
        "poll_id": poll.id,
        "kind": poll.kind,
        "commune_id": poll.commune_id,
        "unit_id": poll.unit_id,
        "title": poll.title,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "public_results": poll.public_results,
    }


class SurveysBase(AsksDirectory):
    name = "surveys"

    FORBIDDEN = N_("Bạn không có quyền thực hiện việc này với cuộc lấy ý kiến này.")
    store: SurveysStore = MongoStore(SurveysStore)
    # mandatory: an event that no queue takes yet stays in the outbox (Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)

    def _overview(self, commune_id: str) -> CommuneOverview:
        query = GetCommuneOverview(commune_id=commune_id).model_dump()
        return CommuneOverview.model_validate(self._ask_directory("get_commune_overview", query))

    def _poll(self, poll_id: str) -> Poll:
        poll = self.store.get_poll(poll_id)
        if poll is None:
            raise NotFound(_("Không tìm thấy cuộc lấy ý kiến, biểu quyết này."))
        return poll
