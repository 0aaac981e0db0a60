"""What every webhooks entrypoint uses: its store, its senders, its settings, the
directory (communes, their provinces, who holds which role) and the permission check."""

from typing import Any

import eventlet
from nameko.dependency_providers import Config

from services.webhooks import domain
from services.webhooks.sending import Senders
from services.webhooks.store import WebhooksStore
from shared.chassis import CALL_TIMEOUT_SECONDS, AsksDirectory, MongoStore, audit_entry, audit_item
from shared.contracts.directory import CommuneList
from shared.contracts.staff import Role
from shared.contracts.webhooks import ScopeKind
from shared.errors import Forbidden, NotFound, ServiceUnavailable
from shared.i18n import N_, _

# Who manages a commune's or a province's webhooks: domain.may_manage_webhooks (a
# commune's administrator its commune's; a province administrator the province's and
# those of its communes; the system administrator any).
# the audit log: the commune's administrators and the People's Inspection Board (Law
# 10/2022 Art 36-40); a province administrator is not given it
AUDIT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.INSPECTOR})
COMMUNES_KEPT_SECONDS = 300.0  # communes move between provinces by law, not by the hour

DEFAULTS: dict[str, Any] = {
    "allow_http_loopback": False,  # plain http to 127.0.0.1 / localhost (development, tests)
    "first_retry_seconds": 10.0,  # then twice as long after each failure...
    "retry_cap_seconds": 600.0,  # ...up to this
    "max_attempts": 10,  # then a dead letter
    "timeout_seconds": 10.0,  # for one POST, connection to answer
}


def no_events(event_type: str, payload: Any) -> None:
    """The webhooks service publishes no events; its outbox carries audit entries only."""
    raise RuntimeError(f"the webhooks service publishes no {event_type} event")


class WebhooksBase(AsksDirectory):
    name = "webhooks"

    FORBIDDEN = N_("Chỉ quản trị cấp xã (hoặc cấp tỉnh) được quản lý việc gửi sự kiện này.")
    store: WebhooksStore = MongoStore(WebhooksStore)
    senders: Senders = Senders()
    config = Config()

    @property
    def settings(self) -> dict[str, Any]:
        return DEFAULTS | self.config.get("WEBHOOKS", {})

    def _communes(self) -> dict[str, str | None]:
        """Every current commune's province, kept a few minutes."""
        kept = self.store.recall("communes")
        if kept is None:
            try:
                with eventlet.Timeout(CALL_TIMEOUT_SECONDS):
                    reply = self.directory.list_communes()
            except eventlet.Timeout:
                raise ServiceUnavailable("directory.list_communes did not answer") from None
            kept = {c.id: c.parent_id for c in CommuneList.model_validate(reply).communes}
            self.store.keep("communes", kept, COMMUNES_KEPT_SECONDS)
        return kept

    def _scope_kind(self, scope_id: str) -> ScopeKind:
        communes = self._communes()
        if scope_id in communes:
            return ScopeKind.COMMUNE
        if scope_id in communes.values():
            return ScopeKind.PROVINCE
        raise NotFound(_("Không tìm thấy xã, phường hoặc tỉnh, thành phố này."))

    def _require_admin(
        self, actor: str, scope_id: str, kind: ScopeKind | str | None = None
    ) -> None:
        """Refuse an actor who may not manage the webhooks of `scope_id` (a commune or a
        province; `kind` when known, e.g. stored with a subscription)."""
        kind = ScopeKind(kind) if kind else self._scope_kind(scope_id)
        if not domain.may_manage_webhooks(self._roles(actor, scope_id), kind):
            raise Forbidden(self.FORBIDDEN)

    def _scopes_of(self, commune_id: str) -> list[str]:
        """Whose subscriptions hear of a commune's events: its own and its province's."""
        province = self._communes().get(commune_id)
        return [commune_id, province] if province else [commune_id]

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        found = self.store.subscription(subscription_id)
        if found is None:
            raise NotFound(_("Không tìm thấy địa chỉ nhận sự kiện này."))
        return found

    def _audit(self, actor: str, action: str, target: str, scope_id: str, **change: Any) -> dict:
        return audit_item(audit_entry(actor, action, target, scope_id, **change))

    def _relay(self, collection: str, document_id: str) -> None:
        self.store.relay_events(no_events, only=(collection, document_id))
