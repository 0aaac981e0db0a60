"""What every notifications entrypoint uses: its store, the directory, and the
permission check."""

from nameko.events import EventDispatcher

from services.notifications.store import NotificationsStore
from shared.chassis import AsksDirectory, MongoStore
from shared.contracts.staff import Role
from shared.errors import Forbidden

# who may post to a commune's notice board and send messages in its name
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF})
# who may also read what was sent and what could not be delivered
READING_ROLES = STAFF_ROLES | {Role.INSPECTOR}


class NotificationsBase(AsksDirectory):
    name = "notifications"

    store: NotificationsStore = MongoStore(NotificationsStore)
    # mandatory: an event that no queue takes yet stays in the outbox (Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)

    def _require(self, actor: str | None, commune_id: str, roles: frozenset[Role]) -> None:
        if not self._roles(actor, commune_id) & roles:
            raise Forbidden("Bạn không có quyền thực hiện việc này ở xã, phường này.")
