"""The directory's entrypoints for the positions whose holders must be trained in
grassroots democracy (Law 10/2022 Art 8.1). Mixed into DirectoryService (one
service, one queue).

Three positions follow staff roles: granting commune_admin or commune_staff opens
a holding as a commune official, group_head as head of that thôn or tổ dân phố,
inspector as member of the People's Inspection Board (Ban Thanh tra nhân dân,
Art 36); revoking the role closes it. The other three are entered by commune
staff for people with no account: members of the Community Investment
Supervision Board (Ban Giám sát đầu tư của cộng đồng, Art 41), heads of the
Front work committees, and the teams that draft a village convention (tổ soạn
thảo hương ước, quy ước, Decree 61/2023 Art 8).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from services.directory import access, domain
from services.directory.positions_store import ROLE_POSITIONS
from services.directory.store import DirectoryStore
from shared.calendar import vietnam_day
from shared.chassis import utcnow
from shared.contracts.directory import COMMUNE_LEVEL_KINDS, AdministrativeUnit
from shared.contracts.positions import (
    AddHolding,
    EndHolding,
    Holding,
    Holdings,
    ListHoldings,
    Person,
    PersonHoldings,
    Position,
)
from shared.contracts.staff import StaffAccount
from shared.errors import WIRE_ERRORS, Conflict, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc

REFUSAL = _("Chỉ cán bộ của xã, phường này ghi nhận được người giữ chức danh.")
POSITION_ORDER = {position: index for index, position in enumerate(Position)}


def overlaps(holding: Holding, start: date | None, end: date | None) -> bool:
    """Held on at least one day from `start` to `end` (either open); not on `ends_on`,
    the day its holder left."""
    began = end is None or holding.starts_on <= end
    lasted = start is None or holding.ends_on is None or start < holding.ends_on
    return began and lasted


class PositionEntrypoints:
    store: DirectoryStore
    dispatch: Any  # DirectoryService's EventDispatcher
    _require: Callable[..., str]  # StaffEntrypoints'
    _commune_of: Callable[[str], str | None]
    _entry: Callable[..., Any]

    @rpc(expected_exceptions=WIRE_ERRORS)
    def add_holding(self, payload: dict) -> dict:
        command = parse(AddHolding, payload)
        commune = self._commune(command.commune_id)
        self._require(command.actor, commune.id, access.may_edit, REFUSAL)
        earlier = self.store.get_holding(command.request_id)
        if earlier is not None:  # the same form, sent again
            if earlier.commune_id != command.commune_id:
                raise Conflict(
                    _("Biểu mẫu này đã được dùng cho xã, phường khác; hãy mở lại trang.")
                )
            return earlier.model_dump(mode="json")
        self._check_unit(commune, command.unit_id, command.starts_on)
        self._check_household(commune.id, command.household)
        person = self._person(command)
        self._check_not_held(person.person_id, command)
        holding = Holding(
            holding_id=command.request_id,
            commune_id=commune.id,
            unit_id=command.unit_id,
            position=command.position,
            person=person,
            starts_on=command.starts_on,
        )
        entry = self._entry(
            command.actor, "add_holding", holding.holding_id, commune.id, None, _audited(holding)
        )
        stored = self.store.add_holding(holding, entry)
        if command.person_id is not None:
            self.store.update_person(person.person_id, _given_details(command))
        self.store.relay_events(self.dispatch, only=("holdings", stored.holding_id))
        return stored.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def end_holding(self, payload: dict) -> dict:
        command = parse(EndHolding, payload)
        holding = self.store.get_holding(command.holding_id)
        if holding is None:
            raise NotFound(_("Không tìm thấy người giữ chức danh này."))
        self._require(command.actor, holding.commune_id, access.may_edit, REFUSAL)
        if holding.position in ROLE_POSITIONS:
            raise InvalidInput(
                fields={
                    "holding_id": _(
                        "Chức danh này đi theo vai trò của tài khoản: hãy thu hồi "
                        "vai trò ở trang Cán bộ và vai trò."
                    )
                }
            )
        if command.ends_on < holding.starts_on:  # the same day: entered by mistake
            raise InvalidInput(
                fields={
                    "ends_on": _(
                        "Ngày thôi giữ chức danh không được trước ngày bắt đầu ({day})."
                    ).format(day=f"{holding.starts_on:%d/%m/%Y}")
                }
            )
        if holding.ends_on == command.ends_on:  # sent again
            return holding.model_dump(mode="json")
        after = holding.model_copy(update={"ends_on": command.ends_on})
        entry = self._entry(
            command.actor,
            "end_holding",
            holding.holding_id,
            holding.commune_id,
            _audited(holding),
            _audited(after),
        )
        self.store.end_holding(holding.holding_id, command.ends_on, entry)
        self.store.relay_events(self.dispatch, only=("holdings", holding.holding_id))
        return after.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_holdings(self, payload: dict) -> dict:
        """For pages and services (the training plan): no actor, no personal data beyond
        a holder's name and contact, which the training needs."""
        query = parse(ListHoldings, payload)
        found = self.store.holdings_in(query.commune_id, [p.value for p in query.positions])
        held = [h for h in found if overlaps(h, query.start, query.end)]
        held.sort(key=lambda h: (POSITION_ORDER[h.position], h.starts_on, h.person.full_name))
        return Holdings(holdings=held).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def holdings_of(self, payload: dict) -> dict:
        person_id = parse(PersonHoldings, payload).person_id
        return Holdings(holdings=self.store.holdings_of(person_id)).model_dump(mode="json")

    def _follow_roles(self, account: StaffAccount) -> None:
        self.store.follow_roles(account, vietnam_day(utcnow()))

    def _commune(self, commune_id: str) -> AdministrativeUnit:
        commune = self.store.get_unit(commune_id)
        if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
            raise NotFound(_("Không tìm thấy xã, phường hoặc đặc khu này."))
        return commune

    def _check_unit(self, commune: AdministrativeUnit, unit_id: str, on: date) -> None:
        """The commune itself, or one of its thôn or tổ dân phố that exists on `on`."""
        unit = commune if unit_id == commune.id else self.store.get_unit(unit_id)
        if unit is None or (unit.id != commune.id and unit.parent_id != commune.id):
            raise InvalidInput(
                fields={
                    "unit_id": _("Hãy chọn {commune} hoặc một thôn, tổ dân phố của nó.").format(
                        commune=commune.name
                    )
                }
            )
        if not domain.exists_on(unit, on):
            raise InvalidInput(
                fields={
                    "unit_id": _("{unit} không có vào ngày {day}.").format(
                        unit=unit.name, day=f"{on:%d/%m/%Y}"
                    )
                }
            )

    def _check_household(self, commune_id: str, code: str | None) -> None:
        if code is None:
            return
        household = self.store.get_household(code)
        units = {unit.id for unit in self.store.children(commune_id)}
        if household is None or not any(p.unit_id in units for p in household.periods):
            raise InvalidInput(
                fields={"household": _("Không có hộ mã {code} ở xã, phường này.").format(code=code)}
            )

    def _person(self, command: AddHolding) -> Person:
        """A new person, or one already known in the commune with what the form gives."""
        if command.person_id is None:
            assert command.full_name is not None  # AddHolding requires it
            return Person(
                person_id=f"p-{new_id()[:16]}",
                full_name=command.full_name,
                **_given_details(command),
            )
        known = self.store.known_person(command.commune_id, command.person_id)
        if known is None:
            known = self._official(command.commune_id, command.person_id)
        if known is None:
            raise InvalidInput(
                fields={"person_id": _("Không tìm thấy người này ở xã, phường này.")}
            )
        return known.model_copy(update=_given_details(command))

    def _official(self, commune_id: str, person_id: str) -> Person | None:
        """An official with a role in the commune, whose role holding is older than
        this feature (or not yet opened)."""
        username = person_id.removeprefix("account:")
        record = self.store.account_record(username) if username != person_id else None
        if record is None:
            return None
        if not any(
            grant["unit_id"] and self._commune_of(grant["unit_id"]) == commune_id
            for grant in record["roles"]
        ):
            return None
        return Person(person_id=person_id, full_name=record["full_name"], username=username)

    def _check_not_held(self, person_id: str, command: AddHolding) -> None:
        """One person holds a position in a unit once at a time."""
        for other in self.store.holdings_of(person_id):
            same = (other.position, other.unit_id) == (command.position, command.unit_id)
            if same and overlaps(other, command.starts_on, None):
                raise Conflict(
                    _("{name} đã giữ chức danh này ở đơn vị này từ {day}.").format(
                        name=other.person.full_name, day=f"{other.starts_on:%d/%m/%Y}"
                    )
                )


def _given_details(command: AddHolding) -> dict[str, str]:
    """What the form says of the person beyond the name: it replaces what was stored."""
    fields = {"household": command.household, "phone": command.phone, "email": command.email}
    return {name: value for name, value in fields.items() if value}


def _audited(holding: Holding) -> dict[str, Any]:
    return holding.model_dump(mode="json", exclude={"holding_id"})
