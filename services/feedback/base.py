"""What every feedback entrypoint uses: its store, its events, the directory, the
permission checks and the commune's categories."""

import base64
import binascii
from collections.abc import Callable
from datetime import date
from typing import Any

from nameko.events import EventDispatcher
from pymongo.errors import DuplicateKeyError

from services.feedback import domain
from services.feedback.cases import signature
from services.feedback.store import FeedbackStore
from shared.calendar import vietnam_day
from shared.chassis import AsksDirectory, MongoStore, audit_entry, audit_item, utcnow
from shared.contracts.directory import CommuneOverview, GetCommuneOverview
from shared.contracts.feedback import CaseType, Category, Contact
from shared.contracts.notifications import Owner
from shared.contracts.staff import Role
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.i18n import N_, _

# who receives, triages and answers cases
HANDLING_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.COMMUNE_STAFF})
# who reads them: the People's Inspection Board supervises how the commune handles
# residents' feedback and petitions (Law 10/2022 Art 39.1)
READING_ROLES = HANDLING_ROLES | {Role.INSPECTOR}
# who sees a denouncer's identity besides the case's assignee: the head who must
# resolve it (Denunciation Law 2018 Art 47.1: only those who handle it)
DENOUNCER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN})
AUDIT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.COMMUNE_ADMIN, Role.INSPECTOR})
CATEGORIES_KEPT_SECONDS = 30.0  # a filing reads the commune's categories at most this often
CODE_ATTEMPTS = 5  # new codes tried if one is taken (about 2^39 codes: almost never)


def today() -> date:
    return vietnam_day(utcnow())


class FeedbackBase(AsksDirectory):
    name = "feedback"

    FORBIDDEN = N_("Bạn không có quyền xử lý phản ánh, kiến nghị của xã này.")
    store: FeedbackStore = MongoStore(FeedbackStore)
    # mandatory: an event that no queue takes yet stays in the outbox (Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)

    def _overview(self, commune_id: str) -> CommuneOverview:
        query = GetCommuneOverview(commune_id=commune_id).model_dump()
        return CommuneOverview.model_validate(self._ask_directory("get_commune_overview", query))

    def _signed_by(self, actor: str, commune_id: str, roles: frozenset[Role]) -> str:
        """Refuse an actor without one of `roles`; else how their steps are signed."""
        held = self._roles(actor, commune_id)
        if not held & roles:
            raise Forbidden(self.FORBIDDEN)
        return signature(held)

    def _case(self, case_id: str) -> dict[str, Any]:
        document = self.store.get_case(case_id)
        if document is None:
            raise NotFound(_("Không tìm thấy phản ánh, kiến nghị này."))
        return document

    def _categories(self, commune_id: str) -> list[Category]:
        if (kept := self.store.recall(("categories", commune_id))) is not None:
            return kept
        stored = self.store.categories(commune_id)
        categories = (
            [Category.model_validate(c) for c in stored]
            if stored
            else list(domain.DEFAULT_CATEGORIES)
        )
        self.store.keep(("categories", commune_id), categories, CATEGORIES_KEPT_SECONDS)
        return categories

    def _audit(self, actor: str, action: str, document: dict[str, Any], **change: Any) -> dict:
        return audit_item(
            audit_entry(actor, action, document["_id"], document["commune_id"], **change)
        )

    def _relay(self, case_id: str) -> None:
        self.store.relay_events(self.dispatch, only=("cases", case_id))

    def _insert_new_case(
        self,
        case: dict[str, Any],
        identity: dict[str, Any] | None,
        files: list[dict[str, Any]],
        items_for: Callable[[dict[str, Any]], list[dict[str, Any]]],
    ) -> None:
        """Store a new case under a fresh receipt code, drawing another if one is
        taken; a case stored already (the same form sent twice) stays as it is.
        `items_for(case)` makes its outbox items, which name the code."""
        for _attempt in range(CODE_ATTEMPTS):
            case["code"] = domain.new_case_code()
            try:
                self.store.insert_case(case, identity, files, items_for(case))
                return
            except DuplicateKeyError:  # insert_case raises it only for a taken code
                continue


def reached_as(document: dict[str, Any], identity: dict[str, Any] | None) -> dict[str, Any]:
    """How the notifications service may reach a case's filer (an event's
    `petitioner` and `reply_to`): their household, else the official who filed it,
    else the phone or email they left; never a denouncer (Denunciation Law 2018
    Art 47)."""
    nobody: dict[str, Any] = {"petitioner": None, "reply_to": None}
    if document.get("confidential") or document.get("type") == CaseType.DENUNCIATION:
        return nobody
    household = identity.get("household") if identity else None
    if household:
        return {**nobody, "petitioner": Owner(household=household)}
    if document.get("filed_by"):
        return {**nobody, "petitioner": Owner(username=document["filed_by"])}
    contact = (identity or {}).get("contact") or {}
    if contact.get("phone") or contact.get("email"):
        return {
            **nobody,
            "reply_to": Contact(phone=contact.get("phone"), email=contact.get("email")),
        }
    return nobody


def decoded(data_base64: str, field: str) -> bytes:
    """An uploaded file's bytes, or InvalidInput naming `field`."""
    try:
        return base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(fields={field: _("Tệp gửi lên bị hỏng.")}) from None
