"""The directory service: administrative units and households, the census every
vote is counted against (Law 10/2022 Art 21.1: thresholds count ALL households)."""

from datetime import date, timedelta

from nameko.events import EventDispatcher
from nameko.timer import timer

from services.directory import access, domain, residence, succession
from services.directory.api_tokens_service import ApiTokenEntrypoints
from services.directory.import_service import ImportEntrypoints
from services.directory.positions_service import PositionEntrypoints
from services.directory.staff_service import StaffEntrypoints
from services.directory.store import DirectoryStore
from services.directory.succession_service import SuccessionEntrypoints
from shared.chassis import MongoStore, utcnow
from shared.contracts.common import ServiceHealth
from shared.contracts.directory import (
    COMMUNE_LEVEL_KINDS,
    RESIDENTIAL_KINDS,
    AddResidentialUnit,
    AdministrativeUnit,
    CommuneList,
    GetCommuneOverview,
    RegisterUnit,
    ResidentialUnitAdded,
)
from shared.contracts.households import (
    CountHouseholds,
    Electorate,
    ElectorateRef,
    FindHouseholdsByPhone,
    FreezeElectorate,
    Household,
    HouseholdCount,
    HouseholdDetails,
    HouseholdList,
    HouseholdMoved,
    HouseholdPlace,
    HouseholdRef,
    HouseholdStatus,
    HouseholdView,
    ListHouseholds,
    MarkMovedOut,
    MoveHousehold,
    RegisterHousehold,
    SearchHouseholds,
)
from shared.errors import WIRE_ERRORS, Forbidden, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc


class DirectoryService(
    ApiTokenEntrypoints,
    PositionEntrypoints,
    SuccessionEntrypoints,
    ImportEntrypoints,
    StaffEntrypoints,
):
    name = "directory"

    store: DirectoryStore = MongoStore(DirectoryStore)
    # mandatory: an event that no queue takes yet stays in the outbox (see Store.relay_events)
    dispatch = EventDispatcher(mandatory=True)

    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_communes(self) -> dict:
        communes = self.store.units_of_kinds(set(COMMUNE_LEVEL_KINDS))
        today = date.today()  # communes that ended (pre-2025 history) are left out
        current = [commune for commune in communes if domain.overlaps(commune, today)]
        return CommuneList(communes=current).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_commune_overview(self, payload: dict) -> dict:
        commune = self.store.get_unit(parse(GetCommuneOverview, payload).commune_id)
        if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
            raise NotFound(_("Không tìm thấy xã, phường hoặc đặc khu này."))
        province = self.store.get_unit(commune.parent_id) if commune.parent_id else None
        units, today = self.store.children(commune.id), date.today()
        current = [unit.id for unit in units if domain.exists_on(unit, today)]
        overview = succession.overview(
            commune,
            province,
            units,
            self.store.household_counts(current, today),
            self.store.successions_in(commune.id),
            today,
        )
        return overview.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def register_unit(self, payload: dict) -> dict:
        command = parse(RegisterUnit, payload)
        parent = self.store.get_unit(command.parent_id) if command.parent_id else None
        unit = domain.unit_from_registration(command, parent, self.store.get_unit(command.id))
        self.store.save_unit(unit)
        return unit.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def add_residential_unit(self, payload: dict) -> dict:
        command = parse(AddResidentialUnit, payload)
        earlier = self.store.get_unit(command.request_id) if command.request_id else None
        if earlier is not None and earlier.parent_id == command.commune_id:
            return earlier.model_dump(mode="json")  # the same form, submitted again
        commune = self.store.get_unit(command.commune_id)
        if commune is not None:  # a missing commune is refused below, as invalid input
            self._require(
                command.actor,
                commune.id,
                access.may_edit,
                _("Bạn không có quyền thay đổi đơn vị của xã, phường này."),
            )
        siblings = [
            unit.name
            for unit in self.store.children(command.commune_id)
            if domain.overlaps(unit, command.valid_from)  # an ended unit's name is free
        ]
        unit = domain.new_residential_unit(
            command, commune, siblings, unit_id=command.request_id or new_id()
        )
        assert commune is not None  # new_residential_unit refused a missing commune
        event = ResidentialUnitAdded(
            event_id=new_id(), occurred_at=utcnow(), unit=unit, commune_name=commune.name
        )
        entry = self._entry(
            command.actor,
            "add_residential_unit",
            unit.id,
            commune.id,
            None,
            unit.model_dump(mode="json"),
        )
        stored = self.store.add_unit(unit, event, entry)
        self.store.relay_events(self.dispatch, only=("units", stored.id))
        return stored.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def register_household(self, payload: dict) -> dict:
        command = parse(RegisterHousehold, payload)
        unit = self._residential_unit(command.unit_id, field="unit_id")
        commune_id = self._require(command.actor, command.unit_id, access.may_edit)
        earlier = self.store.get_household(command.code)
        if earlier is None:
            domain.check_open(unit, field="unit_id")
        elif earlier.current.unit_id != command.unit_id and not (
            # naming the unit it lived in before a rename, merge or split: an update
            unit.valid_to and unit.id in {period.unit_id for period in earlier.periods}
        ):
            raise InvalidInput(
                fields={
                    "unit_id": (
                        _("Hộ {code} đang thuộc đơn vị khác; hãy dùng chức năng chuyển hộ.").format(
                            code=command.code
                        )
                    )
                }
            )
        details = command.model_dump(include={"address", "representative_name", "members"})
        periods = (
            earlier.periods if earlier else residence.first_period(command.unit_id, command.since)
        )
        household = Household.model_validate({**details, "code": command.code, "periods": periods})
        if household != earlier:
            self.store.save_household(
                household,
                self._entry(
                    command.actor,
                    "register_household",
                    household.code,
                    commune_id,
                    earlier.model_dump(mode="json") if earlier else None,
                    household.model_dump(mode="json"),
                ),
            )
            self.store.relay_events(self.dispatch, only=("households", household.code))
        return household.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def search_households(self, payload: dict) -> dict:
        query = parse(SearchHouseholds, payload)
        self._require(query.actor, query.commune_id, access.may_read)
        scope = self._readable_units(query.actor, query.commune_id)
        units = self.store.children(query.commune_id)
        unit_ids = [unit.id for unit in units if scope is None or unit.id in scope]
        found = self.store.search_households(unit_ids, query.text, query.limit)
        return HouseholdList(households=found).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def household_details(self, payload: dict) -> dict:
        query = parse(HouseholdDetails, payload)
        household = self._household(query.code)
        commune_id = self._require(query.actor, household.current.unit_id, access.may_read)
        scope = self._readable_units(query.actor, commune_id)
        if scope is not None and household.current.unit_id not in scope:
            raise Forbidden(_("Tổ trưởng, trưởng thôn chỉ xem được hộ của tổ, thôn mình."))
        units = {p.unit_id: self.store.get_unit(p.unit_id) for p in household.periods}
        names = {unit_id: unit.name for unit_id, unit in units.items() if unit is not None}
        return HouseholdView(household=household, unit_names=names).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def resolve_household(self, payload: dict) -> dict:
        return self._household(parse(HouseholdRef, payload).code).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def household_place(self, payload: dict) -> dict:
        household = self._household(parse(HouseholdRef, payload).code)
        now = household.current
        unit = self.store.get_unit(now.unit_id)
        place = HouseholdPlace(
            code=household.code,
            unit_id=now.unit_id if now.status == HouseholdStatus.ACTIVE else None,
            commune_id=unit.parent_id if unit else None,
        )
        return place.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def find_households_by_phone(self, payload: dict) -> dict:
        phone = parse(FindHouseholdsByPhone, payload).phone
        found = HouseholdList(households=self.store.households_with_phone(phone))
        return found.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def count_households(self, payload: dict) -> dict:
        query = parse(CountHouseholds, payload)
        count = self.store.count_households(self._counted_unit_ids(query.unit_id), query.as_of)
        return HouseholdCount(unit_id=query.unit_id, as_of=query.as_of, count=count).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_households(self, payload: dict) -> dict:
        query = parse(ListHouseholds, payload)
        households = self.store.list_households(
            self._counted_unit_ids(query.unit_id), query.as_of, query.skip, query.limit
        )
        return HouseholdList(households=households).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def freeze_electorate(self, payload: dict) -> dict:
        command = parse(FreezeElectorate, payload)
        codes = self.store.household_codes(self._counted_unit_ids(command.unit_id), command.as_of)
        electorate = Electorate(
            reference=command.reference,
            unit_id=command.unit_id,
            as_of=command.as_of,
            household_codes=codes,
        )
        return self.store.save_electorate(electorate).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_electorate(self, payload: dict) -> dict:
        electorate = self.store.get_electorate(parse(ElectorateRef, payload).reference)
        if electorate is None:
            raise NotFound(_("Không tìm thấy danh sách hộ đã chốt này."))
        return electorate.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def move_household(self, payload: dict) -> dict:
        command = parse(MoveHousehold, payload)
        household = self._household(command.code)
        domain.check_open(self._residential_unit(command.to_unit_id, "to_unit_id"), "to_unit_id")
        commune_id = self._require(command.actor, household.current.unit_id, access.may_edit)
        self._require(command.actor, command.to_unit_id, access.may_edit)
        after = residence.moved(household, command.to_unit_id, command.on)
        return self._save_moved(command.actor, commune_id, household, after, command.on)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def mark_moved_out(self, payload: dict) -> dict:
        command = parse(MarkMovedOut, payload)
        household = self._household(command.code)
        commune_id = self._require(command.actor, household.current.unit_id, access.may_edit)
        after = residence.moved_out(household, command.on)
        return self._save_moved(command.actor, commune_id, household, after, command.on)

    def _save_moved(
        self, actor: str, commune_id: str, before: Household, after: Household, on: date
    ) -> dict:
        event = HouseholdMoved(
            event_id=new_id(),
            occurred_at=utcnow(),
            code=after.code,
            from_unit_id=before.current.unit_id,
            to_unit_id=residence.unit_on(after, on),
            status=after.current.status,
            on=on,
        )
        entry = self._entry(
            actor,
            "move_household" if event.to_unit_id else "mark_moved_out",
            after.code,
            commune_id,
            before.model_dump(mode="json"),
            after.model_dump(mode="json"),
        )
        self.store.save_household(after, entry, event)
        self.store.relay_events(self.dispatch, only=("households", after.code))
        return after.model_dump(mode="json")

    def _readable_units(self, actor: str, commune_id: str) -> frozenset[str] | None:
        return access.readable_units(self._account(actor).roles, commune_id, self._commune_of)

    def _household(self, code: str) -> Household:
        household = self.store.get_household(code)
        if household is None:
            raise NotFound(_("Không tìm thấy hộ có mã {code}.").format(code=code))
        return household

    def _residential_unit(self, unit_id: str, field: str) -> AdministrativeUnit:
        unit = self.store.get_unit(unit_id)
        if unit is None or unit.kind not in RESIDENTIAL_KINDS:
            raise InvalidInput(
                fields={field: _("Hộ gia đình phải thuộc một thôn hoặc tổ dân phố.")}
            )
        return unit

    def _counted_unit_ids(self, unit_id: str) -> list[str]:
        """The thôn and tổ dân phố whose households count for `unit_id`: itself, or all
        of a commune's, or all of a province's."""
        unit = self.store.get_unit(unit_id)
        if unit is None:
            raise NotFound(_("Không tìm thấy đơn vị này."))
        if unit.kind in RESIDENTIAL_KINDS:
            return [unit.id]
        below = self.store.children(unit.id)
        if unit.kind in COMMUNE_LEVEL_KINDS:
            return [child.id for child in below]
        return [group.id for commune in below for group in self.store.children(commune.id)]

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))
