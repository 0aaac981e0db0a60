"""The directory's entrypoints for renaming, merging and splitting thôn and tổ dân
phố. Mixed into DirectoryService (one service, one queue).

Crash safety without multi-document transactions. A change touches many
documents: the units it ends, the units it creates, every household it carries
over. So it goes in steps, each of which can be repeated safely:

1. The checked plan is recorded first, in one insert into `unit_successions`
   (state "applying"): everything the later steps need is in it.
2. The ended units get valid_to (only if they have none yet: a second change
   racing for the same unit finds it taken and is abandoned).
3. The successors are inserted under ids derived from the change's, so a repeat
   finds them. A name taken meanwhile (the unique index on current names says so)
   abandons the change: steps 2-3 are undone, which is safe because no household
   has moved yet. (Should the undo itself find an old name taken in that instant,
   the error is logged and the record stays "applying" for the timer to retry.)
4. Each household still living in an ended unit gets its new period, written only
   if its history is unchanged since read; a repeat finds it carried already.
5. The record turns "done" and takes its event and audit entry into its outbox,
   in one write; the relay publishes them.

A crash anywhere leaves the record "applying": the same request again (same
request_id) carries on from where it stopped, and so does the relay timer once
the record's claim has lapsed. Nothing is published before the change is whole.
"""

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from nameko.timer import timer

from services.directory import access, residence
from services.directory.store import DirectoryStore
from services.directory.succession import Context, Plan, plan_merge, plan_rename, plan_split
from services.directory.succession_store import ABANDONED, APPLYING
from shared.chassis import utcnow
from shared.contracts.directory import SuccessionKind
from shared.contracts.succession import (
    MergeUnits,
    RenameUnit,
    ResidentialUnitsChanged,
    SplitUnit,
    UnitChange,
    UnitChangeResult,
)
from shared.errors import WIRE_ERRORS, Conflict, InvalidInput, WireError, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc

log = logging.getLogger(__name__)

C = TypeVar("C", bound=UnitChange)
CARRY_BATCH = 500  # households read at a time while carrying them over
CARRY_TRIES = 3  # writes of one household's new period that lost a race, then it is left
AUDIT_ACTIONS = {
    SuccessionKind.RENAME: "rename_unit",
    SuccessionKind.MERGE: "merge_units",
    SuccessionKind.SPLIT: "split_unit",
}
REFUSAL = _("Bạn không có quyền thay đổi đơn vị của xã, phường này.")


class SuccessionEntrypoints:
    store: DirectoryStore
    dispatch: Any  # DirectoryService's EventDispatcher
    _require: Callable[..., str]  # StaffEntrypoints'
    _entry: Callable[..., Any]

    @rpc(expected_exceptions=WIRE_ERRORS)
    def rename_unit(self, payload: dict) -> dict:
        command = parse(RenameUnit, payload)
        return self._change(command, [command.unit_id], plan_rename)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def merge_units(self, payload: dict) -> dict:
        command = parse(MergeUnits, payload)
        return self._change(command, command.unit_ids, plan_merge)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def split_unit(self, payload: dict) -> dict:
        command = parse(SplitUnit, payload)
        return self._change(command, [command.unit_id], plan_split)

    @timer(interval=5)
    def finish_interrupted_changes(self) -> None:
        """Carry out the changes whose request died midway (see the module's doc)."""
        for plan in self.store.claim_interrupted_successions():
            try:
                self._carry_out(plan, APPLYING)
            except WireError as refused:  # abandoned: a name or unit was taken meanwhile
                log.warning("change %s abandoned: %s", plan.succession.id, refused)
                continue
            # The request died midway, perhaps between carrying a household and
            # counting it (store.py, "Kept counts").
            succession = plan.succession
            self.store.rebuild_unit_counts([*succession.from_unit_ids, *succession.to_unit_ids])

    def _change(
        self, command: C, unit_ids: list[str], planner: Callable[[C, Context, str], Plan]
    ) -> dict:
        commune = self.store.get_unit(command.commune_id)
        if commune is not None:  # a missing commune is refused by the planner, as invalid input
            self._require(command.actor, commune.id, access.may_edit, REFUSAL)
        succession_id = command.request_id or new_id()
        recorded = self.store.succession_record(succession_id)
        if recorded is not None and recorded[0].succession.commune_id != command.commune_id:
            raise Conflict(_("Biểu mẫu này đã được dùng cho xã, phường khác; hãy mở lại trang."))
        if recorded is None:  # else the same form again: carry on, or answer, as before
            context = Context(
                commune=commune,
                units=self.store.children(command.commune_id),
                households=self.store.households_staying(unit_ids, command.on),
            )
            recorded = self.store.begin_succession(planner(command, context, succession_id))
        return self._carry_out(*recorded).model_dump(mode="json")

    def _carry_out(self, plan: Plan, state: str) -> UnitChangeResult:
        if state == ABANDONED:
            raise Conflict(self.store.abandon_reason(plan.succession.id))
        if state == APPLYING:
            self._end_and_create_units(plan)
            self._carry_households(plan)
            self._finish(plan)
        units = [self.store.get_unit(unit.id) or unit for unit in plan.successors]
        return UnitChangeResult(succession=plan.succession, units=units)

    def _end_and_create_units(self, plan: Plan) -> None:
        succession = plan.succession
        for unit in plan.ended:
            if not self.store.end_unit(unit.id, succession.on, succession.id):
                self._abandon(
                    plan,
                    _("{unit} vừa được thay đổi theo một quyết định khác.").format(unit=unit.name),
                )
        for unit in plan.created:
            if not self.store.insert_unit(unit):
                self._abandon(
                    plan,
                    _("Vừa có đơn vị khác tên “{unit}”; hãy chọn tên khác.").format(unit=unit.name),
                )

    def _abandon(self, plan: Plan, reason: str) -> None:
        """Undo steps 2-3 (no household has moved yet) and refuse the change."""
        for unit in plan.created:
            self.store.delete_unit(unit.id)
        for unit in plan.ended:
            self.store.reopen_unit(unit.id, plan.succession.id)
        self.store.abandon_succession(plan.succession.id, reason)
        raise Conflict(reason)

    def _carry_households(self, plan: Plan) -> None:
        """Give each household still living in an ended unit its period in the
        successor. One that cannot be carried (a split that did not assign it, a
        clerk's change since the plan was checked) stays where it is, logged."""
        on, ended_ids = plan.succession.on, [unit.id for unit in plan.ended]
        left: set[str] = set()
        lost_races: Counter[str] = Counter()
        while batch := [
            h
            for h in self.store.residents(ended_ids, CARRY_BATCH + len(left))
            if h.code not in left
        ]:
            for household in batch:
                successor = plan.successor_of(household.code)
                try:
                    if successor is None:
                        raise InvalidInput(fields={"code": "not assigned to any successor"})
                    after = residence.moved(household, successor, on)
                except InvalidInput as refused:
                    log.warning("household %s not carried: %s", household.code, refused.fields)
                    left.add(household.code)
                    continue
                if not self.store.replace_periods(household, after):  # changed since read
                    lost_races[household.code] += 1
                    if lost_races[household.code] >= CARRY_TRIES:
                        log.warning("household %s not carried: it keeps changing", household.code)
                        left.add(household.code)

    def _finish(self, plan: Plan) -> None:
        succession = plan.succession
        successors = [self.store.get_unit(unit.id) or unit for unit in plan.successors]
        carried = self.store.carried_over(
            succession.from_unit_ids, succession.to_unit_ids, succession.on
        )
        commune = self.store.get_unit(succession.commune_id)
        event = ResidentialUnitsChanged(
            event_id=new_id(),
            occurred_at=utcnow(),
            succession=succession,
            commune_name=commune.name if commune else "",
            ended_units=plan.ended,
            successors=successors,
            carried=carried,
        )
        names = {unit.id: unit.name for unit in successors}
        entry = self._entry(
            succession.actor,
            AUDIT_ACTIONS[succession.kind],
            succession.from_unit_ids[0],  # the unit renamed or split; the first merged
            succession.commune_id,
            {"name": ", ".join(unit.name for unit in plan.ended)},
            {
                "id": succession.id,
                "name": ", ".join(names.values()),
                "valid_from": succession.on.isoformat(),
                "decision": succession.decision,
                "households": {names[i]: ", ".join(codes) for i, codes in carried.items()},
            },
        )
        self.store.finish_succession(succession.id, event, entry)
        self.store.relay_events(self.dispatch, only=("unit_successions", succession.id))
