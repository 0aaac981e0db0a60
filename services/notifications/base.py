"""What every notifications entrypoint uses: its store, its events, the directory,
and who may do what."""

from nameko.events import EventDispatcher

from services.notifications.store import NotificationsStore
from shared.chassis import AsksDirectory, MongoStore
from shared.contracts.staff import Role
from shared.i18n import N_

# who may post to a commune's notice board and send messages in its name
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF})
# who may also read what was sent and what could not be delivered
READING_ROLES = STAFF_ROLES | {Role.INSPECTOR}
# the audit log: administrators and the People's Inspection Board (Law 10/2022 Art 36-40)
AUDIT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.INSPECTOR})


class NotificationsBase(AsksDirectory):
    name = "notifications"

    FORBIDDEN = N_("Bạn không có quyền thực hiện việc này ở xã, phường này.")
    store: NotificationsStore = MongoStore(NotificationsStore)
    # mandatory: an event that no queue takes yet stays in the outbox (Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)
