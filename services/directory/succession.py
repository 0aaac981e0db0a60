"""Renaming, merging and splitting thôn and tổ dân phố: pure rules, no I/O.

A change takes effect on a date `on`. The units it ends get valid_to = on and stay
as history: households' earlier periods, and votes and records made before that
day, keep naming them. The successors exist from `on` (a unit merged into keeps
its own start). Every household living in an ended unit continues, from `on`, in
its successor: all of them in the one successor of a rename or merge, each in the
new unit the clerk assigned it to in a split. Law 10/2022 Art 25 has residents
consulted on such changes; the act that decides them is cited in `decision`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from services.directory.domain import (
    exists_on,
    history_refusal,
    is_history,
    name_key,
    overlaps,
    resolve_local_label,
)
from shared.contracts.directory import (
    COMMUNE_LEVEL_KINDS,
    RESIDENTIAL_KINDS,
    AdministrativeUnit,
    CommuneOverview,
    FormerUnit,
    ResidentialUnitSummary,
    SuccessionKind,
    UnitKind,
    UnitSuccession,
)
from shared.contracts.households import Household, HouseholdStatus
from shared.contracts.succession import MergeUnits, RenameUnit, SplitUnit, UnitChange
from shared.errors import InvalidInput
from shared.i18n import _

LISTED_CODES = 20  # household codes named in one message; the rest are counted


@dataclass(frozen=True)
class Plan:
    """What a change does, worked out and checked before anything is written."""

    succession: UnitSuccession
    ended: list[AdministrativeUnit]  # as they will be stored: valid_to = on
    created: list[AdministrativeUnit]  # successors that do not exist yet
    successors: list[AdministrativeUnit]  # in the order of succession.to_unit_ids
    assignment: dict[str, str] = field(default_factory=dict)  # split: code → successor id

    def successor_of(self, code: str) -> str | None:
        """Where a household of an ended unit continues (None: nowhere assigned)."""
        if len(self.successors) == 1:
            return self.successors[0].id
        return self.assignment.get(code)


@dataclass(frozen=True)
class Context:
    """What the directory knows when a change is asked for: the commune, all its
    residential units (ended ones too), and the households that lived, active, in
    the units the change names on or after its date."""

    commune: AdministrativeUnit | None
    units: list[AdministrativeUnit]
    households: list[Household]

    def unit(self, unit_id: str | None) -> AdministrativeUnit | None:
        return next((u for u in self.units if u.id == unit_id), None)


@dataclass(frozen=True)
class NewUnit:
    """A successor the change creates."""

    name: str
    kind: UnitKind | None
    local_label: str | None
    form_field: str  # where the clerk typed its name, for errors


def listing(codes: Iterable[str]) -> str:
    """ "HA7K2M, HB3C4D và 12 hộ khác": household codes in a message, not too many."""
    codes = sorted(codes)
    shown = ", ".join(codes[:LISTED_CODES])
    more = len(codes) - LISTED_CODES
    return _("{shown} và {more} hộ khác").format(shown=shown, more=more) if more > 0 else shown


def successor_id(succession_id: str, number: int) -> str:
    """A new unit's id derives from its change's, so carrying the same change out
    again finds the unit instead of making another."""
    return f"{succession_id}-{number}"


def residents(households: Iterable[Household], unit_ids: set[str], on: date) -> dict[str, str]:
    """Household code → the unit of `unit_ids` it lives in, active, since before
    `on` and still: the households a change on `on` carries over."""
    return {
        h.code: h.current.unit_id
        for h in households
        if h.current.unit_id in unit_ids
        and h.current.status == HouseholdStatus.ACTIVE
        and h.current.end is None
        and h.current.start < on
    }


def overview(
    commune: AdministrativeUnit,
    province: AdministrativeUnit | None,
    units: list[AdministrativeUnit],
    counts: dict[str, int],
    successions: list[UnitSuccession],
    today: date,
) -> CommuneOverview:
    """A commune's units on `today`: those that exist (with their households,
    `counts`), each with a recorded change that will end it; those yet to begin;
    and former ones, each with the change that ended it."""
    ended_by = {unit_id: s for s in successions for unit_id in s.from_unit_ids}
    return CommuneOverview(
        commune=commune,
        province=province,
        residential_units=[
            ResidentialUnitSummary(
                unit=u, household_count=counts[u.id], ended_by=ended_by.get(u.id)
            )
            for u in units
            if exists_on(u, today)
        ],
        upcoming_units=[u for u in units if u.valid_from > today],
        former_units=[
            FormerUnit(unit=u, ended_by=ended_by.get(u.id))
            for u in units
            if u.valid_to is not None and u.valid_to <= today
        ],
        unit_names={u.id: u.name for u in units},
    )


def plan_rename(command: RenameUnit, context: Context, succession_id: str) -> Plan:
    checks = Checks(context, command)
    old = checks.residential_unit(command.unit_id, "unit_id")
    kind = old.kind if old else None
    label = checks.label(kind, command.local_label, [old] if old else [], "local_label")
    if old and name_key(old.name) == name_key(command.name) and label == old.local_label:
        checks.fields["name"] = _("Tên mới trùng với tên hiện tại.")
    new = NewUnit(command.name, kind, label, "name")
    return checks.plan(SuccessionKind.RENAME, succession_id, [old], [new])


def plan_merge(command: MergeUnits, context: Context, succession_id: str) -> Plan:
    checks = Checks(context, command)
    unit_ids = list(dict.fromkeys(command.unit_ids))
    units = [checks.residential_unit(unit_id, "unit_ids") for unit_id in unit_ids]
    if len(unit_ids) < 2:
        checks.fields["unit_ids"] = _("Chọn ít nhất hai đơn vị để sáp nhập.")
    if command.into_unit_id is not None:
        if command.into_unit_id not in unit_ids:
            checks.fields["into_unit_id"] = _(
                "Đơn vị nhận sáp nhập phải là một trong các đơn vị được chọn."
            )
        if command.name:
            checks.fields["name"] = _("Sáp nhập vào một đơn vị đã có thì không đặt tên mới.")
        ended = [u for u in units if u is None or u.id != command.into_unit_id]
        return checks.plan(
            SuccessionKind.MERGE, succession_id, ended, [context.unit(command.into_unit_id)]
        )
    if not command.name:
        checks.fields["name"] = _("Vui lòng điền tên đơn vị sau sáp nhập.")
    kinds = {u.kind for u in units if u}
    kind = command.kind or (next(iter(kinds)) if len(kinds) == 1 else None)
    if kind is None and kinds:
        checks.fields["kind"] = _("Các đơn vị gồm cả thôn và tổ dân phố: hãy chọn loại đơn vị mới.")
    label = checks.label(kind, command.local_label, [u for u in units if u], "local_label")
    new = NewUnit(command.name or "", kind, label, "name")
    return checks.plan(SuccessionKind.MERGE, succession_id, units, [new])


def plan_split(command: SplitUnit, context: Context, succession_id: str) -> Plan:
    checks = Checks(context, command)
    old = checks.residential_unit(command.unit_id, "unit_id")
    kind = old.kind if old else None
    parts = [
        NewUnit(
            part.name,
            kind,
            checks.label(kind, part.local_label, [old] if old else [], f"parts.{i}.local_label"),
            f"parts.{i}.name",
        )
        for i, part in enumerate(command.parts)
    ]
    if old is None:
        return checks.plan(SuccessionKind.SPLIT, succession_id, [old], parts)
    living = residents(context.households, {old.id}, command.on)
    seen: dict[str, int] = {}
    for i, part in enumerate(command.parts):
        unknown = [code for code in part.household_codes if code not in living]
        twice = [code for code in part.household_codes if code in seen]
        seen.update((code, i) for code in part.household_codes)
        problems = []
        if unknown:
            problems.append(
                _("Không phải hộ đang cư trú tại {unit}: {codes}.").format(
                    unit=old.name, codes=listing(unknown)
                )
            )
        if twice:
            problems.append(
                _("Đã được chia vào đơn vị khác: {codes}.").format(codes=listing(twice))
            )
        if problems:
            checks.fields[f"parts.{i}.household_codes"] = " ".join(problems)
    if unassigned := set(living) - set(seen):
        checks.fields["parts"] = _(
            "Còn {count} hộ của {unit} chưa được chia vào đơn vị mới nào: {codes}. "
            "Mỗi hộ phải thuộc đúng một đơn vị mới."
        ).format(count=len(unassigned), unit=old.name, codes=listing(unassigned))
    assignment = {
        code: successor_id(succession_id, i + 1) for code, i in seen.items() if code in living
    }
    return checks.plan(SuccessionKind.SPLIT, succession_id, [old], parts, assignment)


class Checks:
    """The checks every change shares, collecting each problem under its field so
    the clerk sees them all at once."""

    def __init__(self, context: Context, command: UnitChange) -> None:
        self.context, self.command = context, command
        self.fields: dict[str, str] = {}

    def residential_unit(self, unit_id: str, field_name: str) -> AdministrativeUnit | None:
        unit = self.context.unit(unit_id)
        if unit is None or unit.kind not in RESIDENTIAL_KINDS:
            place = self.context.commune.name if self.context.commune else _("xã, phường này")
            self.fields[field_name] = _(
                "Không tìm thấy thôn, tổ dân phố này trong {place}."
            ).format(place=place)
            return None
        return unit

    def label(
        self,
        kind: UnitKind | None,
        label: str | None,
        predecessors: list[AdministrativeUnit],
        field_name: str,
    ) -> str | None:
        """A successor's local label: as given, else the one its predecessors
        share, else the law's word for its kind."""
        if kind is None:
            return None
        shared = {u.local_label for u in predecessors if u.kind == kind}
        try:
            return resolve_local_label(kind, label or (shared.pop() if len(shared) == 1 else None))
        except InvalidInput as refused:
            self.fields[field_name] = refused.fields["local_label"]
            return None

    def plan(
        self,
        kind: SuccessionKind,
        succession_id: str,
        ended: list[AdministrativeUnit | None],
        successors: list[AdministrativeUnit | NewUnit | None],
        assignment: dict[str, str] | None = None,
    ) -> Plan:
        """The plan, or InvalidInput naming every problem found."""
        on = self.command.on
        commune = self._commune()
        known_ended = [u for u in ended if u is not None]
        for unit in [*known_ended, *(u for u in successors if isinstance(u, AdministrativeUnit))]:
            self._check_current(unit)
        ended_ids = {u.id for u in known_ended}
        self._check_names([u for u in successors if isinstance(u, NewUnit)], ended_ids)
        self._check_households(ended_ids)
        if self.fields or commune is None or None in successors:
            raise InvalidInput(fields=self.fields or {"unit_ids": _("Không tìm thấy đơn vị.")})
        made = [
            u if isinstance(u, AdministrativeUnit) else self._new_unit(commune, succession_id, i, u)
            for i, u in enumerate(successors, start=1)
        ]
        succession = UnitSuccession(
            id=succession_id,
            kind=kind,
            commune_id=commune.id,
            on=on,
            from_unit_ids=[u.id for u in known_ended],
            to_unit_ids=[u.id for u in made],
            decision=self.command.decision,
            actor=self.command.actor,
        )
        return Plan(
            succession=succession,
            ended=[u.model_copy(update={"valid_to": on}) for u in known_ended],
            created=[u for u in made if self.context.unit(u.id) is None],
            successors=made,
            assignment=assignment or {},
        )

    def _commune(self) -> AdministrativeUnit | None:
        commune, on = self.context.commune, self.command.on
        if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
            self.fields["commune_id"] = _("Không tìm thấy xã, phường hoặc đặc khu này.")
            return None
        if is_history(commune):
            self.fields["commune_id"] = history_refusal(commune)
        elif on < commune.valid_from or (commune.valid_to is not None and on >= commune.valid_to):
            self.fields["on"] = _("Ngày này {commune} không còn hoặc chưa thành lập.").format(
                commune=commune.name
            )
        return commune

    def _check_current(self, unit: AdministrativeUnit) -> None:
        """A unit the change ends or merges into exists before `on` and has no end yet."""
        on = self.command.on
        if unit.valid_to is not None:
            self.fields.setdefault(
                "on",
                _("{unit} đã có quyết định kết thúc từ {day}, không thay đổi thêm được.").format(
                    unit=unit.name, day=f"{unit.valid_to:%d/%m/%Y}"
                ),
            )
        elif on <= unit.valid_from:
            self.fields.setdefault(
                "on",
                _("Ngày hiệu lực phải sau ngày {unit} được thành lập ({day}).").format(
                    unit=unit.name, day=f"{unit.valid_from:%d/%m/%Y}"
                ),
            )

    def _check_names(self, created: list[NewUnit], ended_ids: set[str]) -> None:
        """No two units of the commune that exist on the same day share a name; a
        successor may take the name of a unit that ends, this time or before."""
        on = self.command.on
        taken = {
            name_key(u.name)
            for u in self.context.units
            if u.id not in ended_ids and overlaps(u, on)
        }
        for unit in created:
            key = name_key(unit.name)
            if key in taken:
                self.fields[unit.form_field] = _(
                    "Đã có đơn vị tên “{unit}” trong cùng thời gian."
                ).format(unit=unit.name)
            taken.add(key)

    def _check_households(self, ended_ids: set[str]) -> None:
        """A household's stay in an ended unit may not reach past `on` other than
        as its current residence (which the change carries over)."""
        on = self.command.on
        carried = residents(self.context.households, ended_ids, on)
        late = [
            h.code
            for h in self.context.households
            if h.code not in carried
            and any(
                p.unit_id in ended_ids
                and p.status == HouseholdStatus.ACTIVE
                and (p.end is None or p.end > on)
                for p in h.periods
            )
        ]
        if late:
            self.fields.setdefault(
                "on",
                _(
                    "Hộ {codes} có thay đổi cư trú từ ngày này trở về sau ở đơn vị bị thay đổi: "
                    "hãy chọn ngày hiệu lực khác, hoặc sửa cư trú của hộ trước."
                ).format(codes=listing(late)),
            )

    def _new_unit(
        self, commune: AdministrativeUnit, succession_id: str, number: int, new: NewUnit
    ) -> AdministrativeUnit:
        assert new.kind is not None  # else a field was refused
        return AdministrativeUnit(
            id=successor_id(succession_id, number),
            kind=new.kind,
            name=new.name,
            parent_id=commune.id,
            local_label=new.local_label,
            valid_from=self.command.on,
        )
