"""What every recognition entrypoint uses: its store, its events, the commune's rule
book, permission checks, and how stored documents become contracts."""

from datetime import date
from typing import Any

from nameko.events import EventDispatcher

from services.recognition.rules import Book
from services.recognition.store import RecognitionStore
from shared.calendar import vietnam_day
from shared.chassis import AsksDirectory, MongoStore, audit_entry, audit_item, utcnow
from shared.contracts.recognition import Nomination, RuleVersion
from shared.contracts.staff import Role
from shared.errors import Forbidden, NotFound
from shared.i18n import N_, _

# who proposes, posts, records the council and the decision
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF})
# who reads nominations and reports: the People's Inspection Board supervises the
# commune (Law 10/2022 Art 39.1) and may propose commendations (Art 38.5)
READING_ROLES = STAFF_ROLES | {Role.INSPECTOR}
# who changes the commune's rule book
RULE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN})
# Discipline files are personnel records: only the commune's leaders, who hold the
# disciplinary authority over its cadres, civil servants and public employees
# (Decree 172/2025; Decree 112/2020), read or change them. Not commune staff, not the
# platform's system administrator, not the Inspection Board (it reads the audit of
# every view and change: Law 10/2022 Art 39 gives it supervision, not the files).
DISCIPLINE_ROLES = frozenset({Role.COMMUNE_ADMIN})
AUDIT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.INSPECTOR})
DISCIPLINE_FORBIDDEN = N_(
    "Hồ sơ xử lý kỷ luật chỉ lãnh đạo Ủy ban nhân dân xã, phường (người có thẩm quyền xử lý "
    "kỷ luật theo Nghị định 172/2025/NĐ-CP, Nghị định 112/2020/NĐ-CP) được xem và cập nhật. "
    "Ban Thanh tra nhân dân xem nhật ký truy cập hồ sơ."
)


def today() -> date:
    return vietnam_day(utcnow())


class RecognitionBase(AsksDirectory):
    name = "recognition"

    FORBIDDEN = N_("Bạn không có quyền quản lý thi đua, khen thưởng của xã, phường này.")
    store: RecognitionStore = MongoStore(RecognitionStore)
    # mandatory: an event that no queue takes yet stays in the outbox (Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)

    def _book(self, commune_id: str) -> Book:
        """The commune's rules: the defaults and its own versions, read each time (one
        indexed read of a few documents): a rule just set holds in every instance."""
        added: dict[str, list[RuleVersion]] = {}
        for stored in self.store.rule_versions(commune_id):
            added.setdefault(stored["key"], []).append(
                RuleVersion(
                    value=stored["value"],
                    valid_from=stored["valid_from"],
                    reason=stored["reason"],
                    set_by=stored["set_by"],
                    set_at=stored["set_at"],
                )
            )
        return Book(added)

    def _nomination(self, nomination_id: str) -> dict[str, Any]:
        nomination = self.store.nomination(nomination_id)
        if nomination is None:
            raise NotFound(_("Không tìm thấy đề nghị khen thưởng này."))
        return nomination

    def _audit(self, actor: str, action: str, target: str, commune_id: str, **change: Any) -> dict:
        return audit_item(audit_entry(actor, action, target, commune_id, **change))

    def _relay(self, collection: str, document_id: str) -> None:
        self.store.relay_events(self.dispatch, only=(collection, document_id))

    def _require_discipline(self, actor: str, commune_id: str, target: str, action: str) -> None:
        """Refuse anyone but the commune's leaders, and keep the refusal in the audit
        log too: the Inspection Board sees who tried."""
        if not self._roles(actor, commune_id) & DISCIPLINE_ROLES:
            self.store.audit_now(audit_entry(actor, f"refused_{action}", target, commune_id))
            raise Forbidden(DISCIPLINE_FORBIDDEN)


def nomination_contract(document: dict[str, Any]) -> Nomination:
    fields = set(Nomination.model_fields)
    return Nomination.model_validate(
        {"nomination_id": document["_id"], "history": document.get("history", [])}
        | {k: v for k, v in document.items() if k in fields and k != "history"}
    )
