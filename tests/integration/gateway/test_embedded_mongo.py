"""The embedded MongoDB-protocol server still refuses duplicate ids after
`skip_needless_id_scans` (deploy/embedded_mongo.py), for every kind of id."""

import subprocess
import sys
from collections.abc import Iterator

import pytest
from bson import ObjectId
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from tests.support import ROOT, free_port, python_env


@pytest.fixture
def client(tmp_path) -> Iterator[MongoClient]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deploy.embedded_mongo",
            "--data",
            str(tmp_path / "db.sqlite"),
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        env=python_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    uri = process.stdout.readline().strip().removeprefix("ready ")
    with MongoClient(uri) as mongo:
        yield mongo
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


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
