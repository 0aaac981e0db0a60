"""The directory service: administrative units and households, the census every
vote is counted against (Law 10/2022 Art 21.1: thresholds count ALL households)."""

from datetime import timedelta

from nameko.events import EventDispatcher
from nameko.rpc import rpc
from nameko.timer import timer

from services.directory import domain
from services.directory.store import DirectoryStore
from shared.chassis import MongoStore, utcnow
from shared.contracts.common import ServiceHealth
from shared.contracts.directory import (
    COMMUNE_LEVEL_KINDS,
    RESIDENTIAL_KINDS,
    AddResidentialUnit,
    CommuneList,
    CommuneOverview,
    GetCommuneOverview,
    RegisterHousehold,
    RegisterUnit,
    ResidentialUnitAdded,
    ResidentialUnitSummary,
)
from shared.errors import WIRE_ERRORS, InvalidInput, NotFound, parse
from shared.ids import new_id


class DirectoryService:
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
        return CommuneList(communes=communes).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_commune_overview(self, payload: dict) -> dict:
        commune = self.store.get_unit(parse(GetCommuneOverview, payload).commune_id)
        if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
            raise NotFound("Không tìm thấy xã, phường hoặc đặc khu này.")
        province = self.store.get_unit(commune.parent_id) if commune.parent_id else None
        units = self.store.children(commune.id)
        counts = self.store.household_counts([unit.id for unit in units])
        summaries = [ResidentialUnitSummary(unit=u, household_count=counts[u.id]) for u in units]
        overview = CommuneOverview(commune=commune, province=province, residential_units=summaries)
        return overview.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def register_unit(self, payload: dict) -> dict:
        command = parse(RegisterUnit, payload)
        parent = self.store.get_unit(command.parent_id) if command.parent_id else None
        unit = domain.unit_from_registration(command, parent)
        self.store.save_unit(unit)
        return unit.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def add_residential_unit(self, payload: dict) -> dict:
        command = parse(AddResidentialUnit, payload)
        earlier = self.store.get_unit(command.request_id) if command.request_id else None
        if earlier is not None and earlier.parent_id == command.commune_id:
            return earlier.model_dump(mode="json")  # the same form, submitted again
        commune = self.store.get_unit(command.commune_id)
        siblings = [unit.name for unit in self.store.children(command.commune_id)]
        unit = domain.new_residential_unit(
            command, commune, siblings, unit_id=command.request_id or new_id()
        )
        assert commune is not None  # new_residential_unit refused a missing commune
        event = ResidentialUnitAdded(
            event_id=new_id(), occurred_at=utcnow(), unit=unit, commune_name=commune.name
        )
        stored = self.store.add_unit(unit, event)
        self.store.relay_events(self.dispatch, only=event.event_id)
        return stored.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def register_household(self, payload: dict) -> dict:
        household = parse(RegisterHousehold, payload)
        unit = self.store.get_unit(household.unit_id)
        if unit is None or unit.kind not in RESIDENTIAL_KINDS:
            raise InvalidInput(
                fields={"unit_id": "Hộ gia đình phải thuộc một thôn hoặc tổ dân phố."}
            )
        self.store.save_household(household)
        return household.model_dump(mode="json")

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))
