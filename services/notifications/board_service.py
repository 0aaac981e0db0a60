"""Entrypoints of the commune's public notice board (bảng công khai, Law 10/2022
Art 11-13): staff post disclosures; anyone reads the board, its archive and the
quarterly index."""

from services.notifications import board
from services.notifications.base import STAFF_ROLES, NotificationsBase
from shared.calendar import quarter_bounds
from shared.chassis import audit_entry, audit_item, event_item, on_event, utcnow
from shared.contracts.disclosures import (
    Disclosure,
    DisclosureIndex,
    DisclosureList,
    DisclosurePosted,
    GetDisclosure,
    ListDisclosures,
    PostDisclosure,
    QuarterlyIndex,
)
from shared.contracts.recognition import DisclosureRequested
from shared.contracts.staff import AuditEntry
from shared.errors import WIRE_ERRORS, NotFound, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc


def _posted(disclosure: Disclosure) -> AuditEntry:
    after = disclosure.model_dump(mode="json", exclude={"id", "posted_by", "posted_at"})
    return audit_entry(
        disclosure.posted_by,
        "post_disclosure",
        disclosure.id,
        disclosure.commune_id,
        after=after,
        at=disclosure.posted_at,
    )


class BoardEntrypoints(NotificationsBase):
    @rpc(expected_exceptions=WIRE_ERRORS)
    def post_disclosure(self, payload: dict) -> dict:
        command = parse(PostDisclosure, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        earlier = self.store.get_disclosure(command.request_id)  # the same form sent again
        old = self.store.get_disclosure(command.replaces) if command.replaces else None
        if earlier is None and command.replaces:
            board.check_replacement(old, command)
        posted = earlier or self._post(command)
        if old is not None:  # again after a crash between the two writes: a no-op if done
            self.store.end_by_update(old, posted, board.ended_by_update(posted))
        return posted.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_disclosures(self, payload: dict) -> dict:
        query = parse(ListDisclosures, payload)
        found = self.store.listed_disclosures(query)
        return DisclosureList(disclosures=found).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_disclosure(self, payload: dict) -> dict:
        query = parse(GetDisclosure, payload)
        disclosure = self.store.get_disclosure(query.disclosure_id)
        if disclosure is None or disclosure.commune_id != query.commune_id:
            raise NotFound(_("Không tìm thấy nội dung công khai này."))
        return disclosure.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def quarterly_index(self, payload: dict) -> dict:
        query = parse(QuarterlyIndex, payload)
        starts, ends = quarter_bounds(query.year, query.quarter)
        found = self.store.disclosures_started(query.commune_id, starts, ends)
        index = DisclosureIndex(**query.model_dump(), starts=starts, ends=ends, disclosures=found)
        return index.model_dump(mode="json")

    @on_event("recognition", DisclosureRequested)
    def post_for_recognition(self, event: DisclosureRequested) -> None:
        """A nominee list for comment, or a discipline result (Art 11 item 10): the
        recognition service checked who asks; posted once, however often delivered."""
        if self.store.get_disclosure(event.disclosure.request_id) is None:
            self._post(event.disclosure)

    def _post(self, command: PostDisclosure) -> Disclosure:
        disclosure = board.disclosure_from(command, posted_at=utcnow())
        posted = DisclosurePosted(event_id=new_id(), occurred_at=utcnow(), disclosure=disclosure)
        items = [event_item(posted), audit_item(_posted(disclosure))]
        stored = self.store.insert_disclosure(disclosure, items)
        self.store.relay_events(self.dispatch, only=("disclosures", stored.id))
        return stored
