"""The directory's kept household counts (store.py, "Kept counts"), on the real
broker and wire server: after imports, moves, departures, merges and splits they
equal a recount from the households themselves, and so does what the repair
(rebuild_unit_counts) writes; a crash between a household's write and its count
is repaired where the work is resumed; older databases are brought up to date."""

from datetime import date, timedelta

import pytest

from services.directory import counting, residence
from services.directory.store import DirectoryStore, _household, _household_document
from shared.contracts.households import Household
from tests.integration.services.test_household_import import apply, report, roster_csv, upload
from tests.samples import household, residential_group

DECISION = "Nghị quyết số 12/NQ-HĐND"
DAYS = ("2025-06-30", "2025-07-01", "2025-09-30", "2025-10-01", "2026-01-01", "2027-01-01")


@pytest.fixture
def directory(directory):
    for number in (1, 2, 3):
        directory.register_unit(residential_group(number))
    return directory


@pytest.fixture
def store(databases) -> DirectoryStore:
    database = databases["directory"]
    return DirectoryStore(database.client, database)


def kept(store: DirectoryStore) -> dict[str, dict[str, int]]:
    """The kept changes of every unit, without the days they add up to nothing."""
    found = {d["_id"]: d.get("changes", {}) for d in store.db.unit_counts.find()}
    return {u: {d: c for d, c in sorted(days.items()) if c} for u, days in found.items()}


def recounted(store: DirectoryStore) -> dict[str, dict[str, int]]:
    """The same, counted afresh from every household's periods."""
    total: counting.Changes = {}
    for document in store.db.households.find():
        counting.add(total, counting.changes_of(document["periods"]))
    return {u: dict(sorted(days.items())) for u, days in total.items() if any(days.values())}


def assert_counts_right(directory, store: DirectoryStore) -> None:
    """The kept counts are a recount, every RPC count agrees with the households
    looked at one by one, and the repair finds nothing to change."""
    assert kept(store) == recounted(store)
    households = [_household(d) for d in store.db.households.find()]
    units = {d["_id"] for d in store.db.units.find({"parent_id": "huong-an"})}
    for day in map(date.fromisoformat, DAYS):
        for unit_id in units:
            expected = sorted(h.code for h in households if residence.unit_on(h, day) == unit_id)
            query = {"unit_id": unit_id, "as_of": day.isoformat()}
            assert directory.count_households(query)["count"] == len(expected), (unit_id, day)
            frozen = directory.freeze_electorate({**query, "reference": f"e-{unit_id}-{day}"})
            assert frozen["household_codes"] == expected, (unit_id, day)
    versions = {d["_id"]: d["version"] for d in store.db.unit_counts.find()}
    store.rebuild_unit_counts()
    assert kept(store) == recounted(store)
    assert {d["_id"]: d["version"] for d in store.db.unit_counts.find()} == versions


def test_an_import_is_counted_as_it_is_inserted_and_a_second_one_adds_nothing(directory, store):
    directory.register_household(household("HQAAAA", "tdp-1"))  # in the file too
    apply(directory, upload(directory, roster_csv(30)))
    apply(directory, upload(directory, roster_csv(30)))

    overview = directory.get_commune_overview({"commune_id": "huong-an"})
    assert {u["unit"]["id"]: u["household_count"] for u in overview["residential_units"]} == {
        "tdp-1": 15,
        "tdp-2": 15,
        "tdp-3": 0,
    }
    assert_counts_right(directory, store)


def test_moves_departures_and_moves_ahead_of_their_date_are_counted(directory, store):
    for code, unit_id in (("HAAAA2", "tdp-1"), ("HAAAA3", "tdp-1"), ("HBBBB2", "tdp-2")):
        directory.register_household(household(code, unit_id))
    directory.register_household(household("HAAAA4", "tdp-1", since="2025-09-30"))
    move = {"actor": "admin", "code": "HAAAA2", "to_unit_id": "tdp-2", "on": "2025-10-01"}
    directory.move_household(move)
    directory.move_household({**move, "to_unit_id": "tdp-3", "on": "2026-01-01"})
    directory.mark_moved_out({"actor": "admin", "code": "HAAAA3", "on": "2025-10-01"})
    # registering again changes the details, never the counts
    directory.register_household(household("HBBBB2", "tdp-2", address="Số 9 kiệt 1"))
    # a move recorded ahead of its date: counted where it lives until then
    ahead = (date.today() + timedelta(days=30)).isoformat()
    directory.move_household({**move, "code": "HBBBB2", "to_unit_id": "tdp-1", "on": ahead})

    assert [
        directory.count_households({"unit_id": "tdp-2", "as_of": day})["count"]
        for day in ("2025-09-30", "2025-10-01", "2026-01-01", ahead)
    ] == [1, 2, 1, 0]
    today = {"unit_id": "tdp-2", "as_of": date.today().isoformat(), "reference": "today"}
    assert directory.freeze_electorate(today)["household_codes"] == ["HBBBB2"]
    assert_counts_right(directory, store)


def test_merges_and_splits_move_the_counts_on_their_date(directory, store):
    for code, unit_id in (
        ("HAAAA2", "tdp-1"),
        ("HAAAA3", "tdp-1"),
        ("HBBBB2", "tdp-2"),
        ("HCCCC2", "tdp-3"),
        ("HCCCC3", "tdp-3"),
    ):
        directory.register_household(household(code, unit_id))
    change = {"actor": "admin", "commune_id": "huong-an", "decision": DECISION}
    merged = directory.merge_units(
        {**change, "on": "2025-10-01", "unit_ids": ["tdp-1", "tdp-2"], "name": "Tổ 12"}
    )["units"][0]["id"]
    parts = directory.split_unit(
        {
            **change,
            "on": "2026-01-01",
            "unit_id": "tdp-3",
            "parts": [
                {"name": "Tổ 3A", "household_codes": ["HCCCC2"]},
                {"name": "Tổ 3B", "household_codes": ["HCCCC3"]},
            ],
        }
    )["units"]

    def on(unit_id: str, day: str) -> int:
        return directory.count_households({"unit_id": unit_id, "as_of": day})["count"]

    assert [on(u, "2025-09-30") for u in ("tdp-1", "tdp-2", merged)] == [2, 1, 0]
    assert [on(u, "2025-10-01") for u in ("tdp-1", "tdp-2", merged)] == [0, 0, 3]
    assert [on(u, "2026-01-01") for u in ("tdp-3", parts[0]["id"], parts[1]["id"])] == [0, 1, 1]
    assert on("huong-an", "2026-01-01") == 5
    assert_counts_right(directory, store)


def test_the_repair_puts_counts_right_that_a_crash_left_short(directory, store):
    for code in ("HAAAA2", "HAAAA3"):
        directory.register_household(household(code, "tdp-1"))
    # The process died after writing a household and before counting it.
    moved = residence.moved(
        Household.model_validate(directory.resolve_household({"code": "HAAAA2"})),
        "tdp-2",
        date(2025, 10, 1),
    )
    fields = _household_document(moved)
    del fields["_id"]
    store.db.households.update_one({"_id": "HAAAA2"}, {"$set": fields})
    assert kept(store) != recounted(store)

    store.rebuild_unit_counts(["tdp-1", "tdp-2"])

    assert kept(store) == recounted(store)
    assert_counts_right(directory, store)


def test_an_import_applied_again_after_a_crash_counts_what_the_first_run_inserted(directory, store):
    import_id = upload(directory, roster_csv(10))
    report(directory, import_id, "checked")
    # The first apply inserted four households and died before counting them.
    first_four = [
        Household.model_validate(
            {
                "code": f"HQ{n:04d}".replace("0", "A").replace("1", "B"),  # as roster_csv
                "address": f"Số {n} kiệt 3",
                "representative_name": f"Nguyễn Văn {n}",
                "members": [
                    {"name": f"Nguyễn Văn {n}", "birth_year": 1970, "phone": f"09{n:08d}"},
                    {"name": f"Trần Thị {n}", "birth_year": 1972},
                ],
                "periods": [
                    {"unit_id": f"tdp-{n % 2 + 1}", "status": "active", "start": "2025-07-01"}
                ],
            }
        )
        for n in range(4)
    ]
    documents = [_household_document(h) | {"imported_by": import_id} for h in first_four]
    store.db.households.insert_many(documents)

    done = apply(directory, import_id)

    assert (done["created"], done["applied"]) == (10, 10)
    assert directory.count_households({"unit_id": "huong-an", "as_of": "2025-08-01"})["count"] == 10
    assert_counts_right(directory, store)


def test_households_stored_before_counts_were_kept_are_counted_on_start(directory, store):
    for code, unit_id in (("HAAAA2", "tdp-1"), ("HAAAA3", "tdp-1"), ("HBBBB2", "tdp-2")):
        directory.register_household(household(code, unit_id))
    directory.move_household(
        {"actor": "admin", "code": "HAAAA3", "to_unit_id": "tdp-2", "on": "2025-10-01"}
    )
    # as an older version of the service left them
    store.db.unit_counts.drop()
    older = {"current_unit": "", "current_start": "", "search_text": ""}
    store.db.households.update_many({}, {"$unset": older})

    DirectoryStore.ensure_indexes(store.db)  # what the service does when it starts

    assert store.db.households.count_documents({"current_unit": {"$exists": False}}) == 0
    assert [
        h["code"]
        for h in directory.search_households(
            {"actor": "admin", "commune_id": "huong-an", "text": "nguyễn văn"}
        )["households"]
    ] == ["HAAAA2", "HAAAA3", "HBBBB2"]
    assert_counts_right(directory, store)
