"""The surveys service's documents in MongoDB.

polls:          {_id: poll id (the creating form's request id), ...Poll fields,
                 key: the poll's secret (bytes; card and receipt codes), results: the
                 frozen PollResults once closed, explanations, decision_record,
                 closing_soon_announced, _pending: outbox}
electors:       {_id: "<poll>:<household>", poll_id, household, unit_id, card_version,
                 once the household took part: channel, at (entry: the paper or
                 meeting entry that recorded it), public ballots only: receipt_hash,
                 answers; secret ballots only: mark (ballot_codes.participation_mark), and
                 while sealing, _seal: {r, answers, since}}
                 the households that may take part, frozen when the poll opens, ONE
                 per household and poll: a ballot by any channel is written on it
                 only if it has none (Law 10/2022 Art 21: one household, one
                 ballot), and a phone's ballot only while its card is current, in
                 the same conditional write.
boxes:          {_id: "<poll>:<unit>:<hex digit>", poll_id, unit_id, ballots: [{r, a}]
                 sorted by r} secret ballots, with no household and no time:
                 nothing links them to participation (Law 10/2022 Art 9, 18:
                 secret ballot); 16 a unit, made together when the poll opens.
satisfaction:   {_id: "<poll>:<submission>", poll_id, answers, day}
satisfaction_limits: {_id: "<poll>:<client key>", count, expires_at (TTL)}
paper_tallies:  {_id: "<poll>:<unit>", ...PaperTally}
meetings:       {_id: "<poll>:<unit>", ...MeetingRecord}
photos:         {_id, poll_id, unit_id, content_type, data}   count minutes' photos
audit_log, event_failures: see shared/chassis.py
Dates and times are stored as BSON dates (tz-aware).
"""

from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from services.surveys.ballot_store import BallotRecords
from services.surveys.counting_store import CountingRecords
from shared.chassis import without_pending
from shared.contracts.surveys import Poll, PollStatus

# Every ballot reads its poll; an open poll is read at most this often by a process.
OPEN_POLL_KEPT_SECONDS = 2.0

# Fields of a poll document that are not part of the Poll contract.
PRIVATE_FIELDS = (
    "key",
    "results",
    "explanations",
    "decision_record",
    "closing_soon_announced",
    "claimed_until",
)


def poll_of(document: dict[str, Any]) -> Poll:
    document = without_pending(document)
    fields = {k: v for k, v in document.items() if k not in PRIVATE_FIELDS}
    fields["id"] = fields.pop("_id")
    return Poll.model_validate(fields)


def _merge_participation(database: Database) -> None:
    """Move what an older version kept in a `participation` collection onto the
    electors (each step safe to repeat after a crash)."""
    for document in database.participation.find():
        fields = {key: value for key, value in document.items() if key != "_id"}
        database.electors.update_one({"_id": document["_id"]}, {"$set": fields})
        database.participation.delete_one({"_id": document["_id"]})


class SurveysStore(CountingRecords, BallotRecords):
    OUTBOX_COLLECTIONS = ("polls",)

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.polls.create_index([("commune_id", ASCENDING), ("opens_at", ASCENDING)])
        database.polls.create_index([("status", ASCENDING), ("opens_at", ASCENDING)])
        database.electors.create_index([("household", ASCENDING)])
        database.electors.create_index([("poll_id", ASCENDING), ("unit_id", ASCENDING)])
        database.electors.create_index([("receipt_hash", ASCENDING)], sparse=True)
        database.electors.create_index([("_seal.r", ASCENDING)], sparse=True)
        _merge_participation(database)
        database.boxes.create_index([("ballots.r", ASCENDING)])
        database.satisfaction.create_index([("poll_id", ASCENDING)])
        database.satisfaction_limits.create_index("expires_at", expireAfterSeconds=0)

    def get_poll_document(self, poll_id: str) -> dict[str, Any] | None:
        return self.db.polls.find_one({"_id": poll_id})

    def get_poll(self, poll_id: str) -> Poll | None:
        document = self.get_poll_document(poll_id)
        return poll_of(document) if document else None

    def open_poll(self, poll_id: str) -> tuple[dict[str, Any], Poll] | None:
        """A poll's document and contract for the resident's ballot path, kept for
        OPEN_POLL_KEPT_SECONDS while the poll is open. That is exact for ballots: an
        open poll changes nothing a ballot depends on but by the clock (it closes at
        `closes_at`, which every ballot compares with now); a poll in any other
        state is read afresh each time."""
        if (kept := self.recall(("open_poll", poll_id))) is not None:
            return kept
        document = self.get_poll_document(poll_id)
        if document is None:
            return None
        poll = poll_of(document)
        if poll.status == PollStatus.OPEN:
            self.keep(("open_poll", poll_id), (document, poll), OPEN_POLL_KEPT_SECONDS)
        else:
            self.forget(("open_poll", poll_id))
        return document, poll

    def open_poll_ids(self) -> list[str]:
        """The ids of the polls open now, kept OPEN_POLL_KEPT_SECONDS: a poll that
        opened meanwhile is missing for that long, so callers look further when a
        poll is not among these (one that closed meanwhile is refused by the clock)."""
        if (kept := self.recall("open_poll_ids")) is not None:
            return kept
        query = {"status": PollStatus.OPEN.value}
        ids = [document["_id"] for document in self.db.polls.find(query, {"_id": 1})]
        self.keep("open_poll_ids", ids, OPEN_POLL_KEPT_SECONDS)
        return ids
