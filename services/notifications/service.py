"""The notifications service: turns other services' events into notices people read."""

from datetime import timedelta

from nameko.timer import timer

from services.notifications import domain
from services.notifications.base import AUDIT_ROLES, NotificationsBase
from services.notifications.board_service import BoardEntrypoints
from services.notifications.delivery_service import DeliveryWork
from services.notifications.messaging_service import MessagingEntrypoints
from shared.chassis import on_event
from shared.contracts.common import ServiceHealth
from shared.contracts.directory import ResidentialUnitAdded
from shared.contracts.notifications import ListStaffNotices, StaffNoticeList
from shared.contracts.staff import AuditLog, ListAudit
from shared.contracts.succession import ResidentialUnitsChanged
from shared.contracts.surveys import PollClosed, PollClosingSoon, PollDecided, PollOpened
from shared.errors import WIRE_ERRORS, parse
from shared.queues import rpc


class NotificationsService(MessagingEntrypoints, DeliveryWork, BoardEntrypoints, NotificationsBase):
    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        """What staff posted and sent in the commune's name, for its administrators and
        People's Inspection Board."""
        query = parse(ListAudit, payload)
        self._require(query.actor, query.commune_id, AUDIT_ROLES)
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_staff_notices(self, payload: dict) -> dict:
        query = parse(ListStaffNotices, payload)
        notices = self.store.latest_notices(query.commune_id, query.limit)
        return StaffNoticeList(notices=notices).model_dump(mode="json")

    @on_event("directory", ResidentialUnitAdded)
    def tell_staff_of_new_unit(self, event: ResidentialUnitAdded) -> None:
        self.store.add_notice(domain.notice_for_new_unit(event))

    @on_event("directory", ResidentialUnitsChanged)
    def tell_staff_of_unit_change(self, event: ResidentialUnitsChanged) -> None:
        self.store.add_notice(domain.notice_for_unit_change(event))

    @on_event("surveys", PollOpened)
    def tell_staff_poll_opened(self, event: PollOpened) -> None:
        self.store.add_notice(domain.notice_for_poll(event))

    @on_event("surveys", PollClosingSoon)
    def tell_staff_poll_closing_soon(self, event: PollClosingSoon) -> None:
        self.store.add_notice(domain.notice_for_poll(event))

    @on_event("surveys", PollClosed)
    def tell_staff_poll_closed(self, event: PollClosed) -> None:
        self.store.add_notice(domain.notice_for_poll(event))

    @on_event("surveys", PollDecided)
    def tell_staff_poll_decided(self, event: PollDecided) -> None:
        self.store.add_notice(domain.notice_for_poll(event))
