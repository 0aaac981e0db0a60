"""The embedded MongoDB-protocol server still behaves as MongoDB after its
patches (deploy/embedded_mongo.py): `skip_needless_id_scans` refuses duplicate
ids of every kind, `batch_wire_inserts` reports each refused document of a
batch as MongoDB does, `skip_gap_documents` rests on the server serving no
change streams, and `scan_with_the_planned_index` finds through an index exactly
what a scan of every document finds, `update_by_id_reads_one_doc` updates
by `_id` exactly when the rest of the filter matches, and
`one_index_per_entry_table` keeps indexed reads right with one SQLite index per
entry table, in a new file and in one made before it, and
`one_namespace_per_document_index` with each collection's documents indexed
apart."""

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from bson import ObjectId
from pymongo import MongoClient, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from tests.support import ROOT, free_port, python_env


@contextmanager
def served(data: Path, *options: str) -> Iterator[MongoClient]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deploy.embedded_mongo",
            "--data",
            str(data),
            "--port",
            str(free_port()),
            *options,
        ],
        cwd=ROOT,
        env=python_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    uri = process.stdout.readline().strip().removeprefix("ready ")
    try:
        with MongoClient(uri) as mongo:
            yield mongo
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def client(tmp_path) -> Iterator[MongoClient]:
    with served(tmp_path / "db.sqlite") as mongo:
        yield mongo


@pytest.mark.parametrize(
    "first, again",
    [
        ("HA7K2M", "HA7K2M"),
        (ObjectId("65f000000000000000000001"), ObjectId("65f000000000000000000001")),
        (1, 1.0),  # numeric ids are equal by value, as in MongoDB
        ({"unit": "u1", "n": 2}, {"unit": "u1", "n": 2}),
    ],
)
def test_a_second_document_with_the_same_id_is_refused(client, first, again):
    households = client.t.households
    households.insert_one({"_id": first, "v": 1})
    with pytest.raises(DuplicateKeyError):
        households.insert_one({"_id": again, "v": 2})
    assert households.count_documents({}) == 1


def test_a_batch_insert_stores_every_document(client):
    client.t.units.insert_many([{"_id": f"u{n}"} for n in range(50)])
    assert client.t.units.count_documents({}) == 50


@pytest.mark.parametrize("ordered, stored", [(True, ["a", "b"]), (False, ["a", "b", "d"])])
def test_a_batch_reports_each_duplicate_and_stops_only_when_ordered(client, ordered, stored):
    units = client.t.units
    units.insert_one({"_id": "b"})
    with pytest.raises(BulkWriteError) as refused:
        units.insert_many([{"_id": "a"}, {"_id": "b"}, {"_id": "d"}], ordered=ordered)
    assert [(e["index"], e["code"]) for e in refused.value.details["writeErrors"]] == [(1, 11000)]
    assert refused.value.details["nInserted"] == len(stored) - 1
    assert sorted(d["_id"] for d in units.find()) == stored


def test_a_batch_honours_unique_indexes(client):
    units = client.t.units
    units.create_index("name", unique=True)
    with pytest.raises(BulkWriteError) as refused:
        units.insert_many([{"_id": 1, "name": "Tổ 1"}, {"_id": 2, "name": "Tổ 1"}])
    assert [e["index"] for e in refused.value.details["writeErrors"]] == [1]
    assert units.count_documents({}) == 1


def test_no_change_stream_is_served_so_no_change_needs_its_document(client):
    """If mongoeco ever serves change streams, review skip_gap_documents."""
    with pytest.raises(OperationFailure, match="changeStream"):
        client.t.units.watch().try_next()


def test_writes_of_every_kind_still_apply(client):
    units = client.t.units
    units.insert_many([{"_id": n, "name": f"Tổ {n}"} for n in range(3)])
    units.update_one({"_id": 1}, {"$set": {"name": "Tổ một"}})
    units.replace_one({"_id": 2}, {"name": "Tổ hai"})
    units.delete_one({"_id": 0})
    assert list(units.find().sort("_id")) == [
        {"_id": 1, "name": "Tổ một"},
        {"_id": 2, "name": "Tổ hai"},
    ]


FOUND_BY = [
    {"household": "H1"},
    {"household": "H2"},
    {"household": 1},
    {"household": None},
    {"household": ["H1", "H2"]},
    {"household": {"$in": ["H1", "H3"]}},
    {"household": "H1", "unit_id": "u2"},
]


@pytest.mark.parametrize("query", FOUND_BY)
def test_a_find_through_an_index_finds_what_a_full_scan_finds(client, query):
    documents = [
        {"_id": 1, "household": "H1", "unit_id": "u1"},
        {"_id": 2, "household": "H1", "unit_id": "u2"},
        {"_id": 3, "household": "H2"},
        {"_id": 4, "household": ["H1", "H2"]},  # an array matches each of its items
        {"_id": 5, "household": 1.0},  # 1 and 1.0 are the same value
        {"_id": 6},  # a missing field matches None
        {"_id": 7, "household": None},
    ]
    indexed, scanned = client.t.indexed, client.t.scanned
    indexed.create_index("household")
    indexed.insert_many(documents)
    scanned.insert_many(documents)

    def found(collection, **options) -> list:
        return list(collection.find(query, **options).sort("_id"))

    assert found(indexed) == found(scanned)
    assert found(indexed, projection={"_id": 1}) == found(scanned, projection={"_id": 1})
    assert list(indexed.find(query).limit(1)) == list(scanned.find(query).limit(1))


def test_a_conditional_update_by_id_changes_that_document_only_when_it_matches(client):
    """`update_by_id_reads_one_doc`: the conditions beside the `_id` still decide."""
    electors = client.t.electors
    electors.insert_many(
        [{"_id": f"p:H{n}", "card_version": 1} for n in range(5)]
        + [{"_id": "p:H5", "card_version": 2}, {"_id": 7, "card_version": 1}]
    )
    first = {"card_version": 1, "channel": {"$exists": False}}

    def cast(elector_id) -> dict | None:  # noqa: ANN001
        return electors.find_one_and_update(
            {"_id": elector_id, **first},
            {"$set": {"channel": "online"}},
            return_document=ReturnDocument.AFTER,
        )

    assert cast("p:H1") == {"_id": "p:H1", "card_version": 1, "channel": "online"}
    assert cast("p:H1") is None  # took part already
    assert cast("p:H5") is None  # its card was replaced
    assert cast("p:H9") is None  # no such elector, and none is made
    assert cast(7)["channel"] == "online"  # a numeric id takes the stock path
    assert electors.update_one({"_id": "p:H2", **first}, {"$set": {"x": 1}}).modified_count == 1
    assert electors.update_one({"_id": "p:H2", "x": 2}, {"$set": {"x": 3}}).matched_count == 0
    changed = {d["_id"] for d in electors.find({"$or": [{"channel": "online"}, {"x": 1}]})}
    assert changed == {"p:H1", "p:H2", 7}
    assert electors.count_documents({}) == 7


def entry_indexes(data: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{data}?mode=ro", uri=True)) as db:
        query = "SELECT name FROM sqlite_master WHERE name LIKE 'scidx%' OR name LIKE 'mkidx%'"
        return sorted(name for (name,) in db.execute(query))


def fill(mongo: MongoClient) -> None:
    electors = mongo.db.electors
    for field in ("household", "receipt_hash", "unit_id"):
        electors.create_index(field)
    mongo.db.boxes.create_index("ballots.r")
    electors.insert_many(
        [{"_id": f"e{n}", "household": f"H{n}", "unit_id": f"u{n % 5}"} for n in range(200)]
    )
    mongo.db.boxes.insert_many(
        [{"_id": f"b{n}", "ballots": [{"r": f"r{n}"}, {"r": f"s{n}"}]} for n in range(20)]
    )


def check_indexed_reads(mongo: MongoClient) -> None:
    electors = mongo.db.electors
    assert electors.find_one({"household": "H77"})["_id"] == "e77"
    assert len(list(electors.find({"unit_id": "u3"}))) == 40
    assert mongo.db.boxes.find_one({"ballots.r": "s12"})["_id"] == "b12"
    electors.update_one({"_id": "e5"}, {"$set": {"receipt_hash": "abc"}})
    electors.insert_one({"_id": "new", "household": "HNEW", "unit_id": "u1"})
    assert electors.find_one({"receipt_hash": "abc"})["_id"] == "e5"
    assert electors.find_one({"household": "HNEW"})["_id"] == "new"
    electors.drop_index("unit_id_1")  # the shared index stays for the others
    assert electors.find_one({"household": "H78"})["_id"] == "e78"
    assert len(list(electors.find({"unit_id": "u3"}))) == 40


def test_one_sqlite_index_serves_every_index_of_a_new_file(tmp_path):
    data = tmp_path / "new.sqlite"
    with served(data) as mongo:
        fill(mongo)
        check_indexed_reads(mongo)
    assert entry_indexes(data) == ["mkidx_shared", "scidx_shared"]


def test_a_file_made_with_one_sqlite_index_per_index_is_migrated_at_start(tmp_path):
    data = tmp_path / "old.sqlite"
    with served(data, "--stock") as mongo:  # mongoeco as it comes: one per index
        fill(mongo)
    assert len(entry_indexes(data)) > 2  # several per table
    with served(data) as mongo:
        check_indexed_reads(mongo)
    assert entry_indexes(data) == ["mkidx_shared", "scidx_shared"]


def document_indexes(data: Path) -> dict[str, str]:
    """mongoeco's indexes over its shared documents table: name → CREATE statement."""
    with closing(sqlite3.connect(f"file:{data}?mode=ro", uri=True)) as db:
        query = (
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'documents' AND name LIKE 'idx_%'"
        )
        return dict(db.execute(query).fetchall())


def check_each_index_covers_its_collection(data: Path) -> None:
    created = document_indexes(data)
    assert created  # the electors' and the boxes' indexes
    for sql in created.values():
        assert sql.endswith("WHERE db_name = 'db' AND coll_name = 'electors'") or sql.endswith(
            "WHERE db_name = 'db' AND coll_name = 'boxes'"
        )


def test_each_collections_documents_are_indexed_apart_in_a_new_file(tmp_path):
    data = tmp_path / "new.sqlite"
    with served(data) as mongo:
        fill(mongo)
        mongo.db.electors.create_index([("unit_id", 1), ("household", -1)])
        mongo.db.other.insert_one({"_id": "x", "household": "H77", "unit_id": "u3"})
        check_indexed_reads(mongo)
        ordered = mongo.db.electors.find({"unit_id": "u2"}).sort("household", -1).limit(3)
        assert [d["household"] for d in ordered] == ["H97", "H92", "H87"]
    check_each_index_covers_its_collection(data)


def test_a_file_with_indexes_over_every_collection_is_migrated_at_start(tmp_path):
    data = tmp_path / "old.sqlite"
    with served(data, "--stock") as mongo:
        fill(mongo)
    assert all(" WHERE " not in sql for sql in document_indexes(data).values())
    with served(data) as mongo:
        check_indexed_reads(mongo)
    check_each_index_covers_its_collection(data)
