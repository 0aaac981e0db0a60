"""Polls, electors, cards and ballots in MongoDB (see store.py for the documents)."""

from collections import defaultdict
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.calendar import vietnam_day
from shared.chassis import Store, set_with_pending, utcnow, with_pending
from shared.contracts.surveys import Answers, Channel, Poll, PollKind, PollStatus

DUPLICATE_KEY = 11000
# A count reads every ballot of a poll; read in batches of this many, the embedded
# server answers other requests (ballots being cast) between batches.
READ_BATCH = 1000
CLAIM = timedelta(seconds=60)  # an instance that died opening a poll frees it after this


def stored(value: Any) -> Any:
    """A value as BSON keeps it: a date becomes midnight UTC (BSON has no date type)."""
    if isinstance(value, dict):
        return {key: stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stored(item) for item in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


def participation_id(poll_id: str, household: str) -> str:
    return f"{poll_id}:{household}"


# A unit's secret ballots are kept in 16 boxes, by the first hex digit of their
# random receipt hash: each box stays small, so sealing a ballot into it (a sorted
# insert) and finding a receipt cost little however large the unit.
BOX_BUCKETS = "0123456789abcdef"


def box_id(poll_id: str, unit_id: str, bucket: str) -> str:
    return f"{poll_id}:{unit_id}:{bucket}"


# An elector that took part, by whatever channel (see store.py: the ballot is
# written on the household's own elector document).
TOOK_PART = {"channel": {"$exists": True}}
NOT_YET = {"channel": {"$exists": False}}


class BallotRecords(Store):
    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.satisfaction.create_index([("receipt_hash", ASCENDING)], sparse=True)

    # --- polls --------------------------------------------------------------------

    def insert_poll(self, document: dict[str, Any], items: list[dict[str, Any]]) -> None:
        """Store a new poll with its audit entry; a second insert of the same id
        (the same form sent again) leaves the first."""
        with suppress(DuplicateKeyError):
            self.db.polls.insert_one(with_pending(stored(document), items))

    def poll_documents(self, commune_id: str, include_scheduled: bool) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"commune_id": commune_id}
        if not include_scheduled:
            query["status"] = {"$ne": PollStatus.SCHEDULED.value}
        return list(self.db.polls.find(query).sort("opens_at", DESCENDING))

    def due_poll_ids(self, now: datetime) -> list[str]:
        query = {"status": PollStatus.SCHEDULED.value, "opens_at": {"$lte": now}}
        return [document["_id"] for document in self.db.polls.find(query, {"_id": 1})]

    def claim_poll(self, poll_id: str, now: datetime) -> dict[str, Any] | None:
        """Take a due poll for opening, so two instances never open it at once."""
        return self.db.polls.find_one_and_update(
            {
                "_id": poll_id,
                "status": PollStatus.SCHEDULED.value,
                "$or": [{"claimed_until": {"$exists": False}}, {"claimed_until": {"$lte": now}}],
            },
            {"$set": {"claimed_until": now + CLAIM}},
            return_document=ReturnDocument.AFTER,
        )

    def release_poll(self, poll_id: str) -> None:
        self.db.polls.update_one({"_id": poll_id}, {"$unset": {"claimed_until": ""}})

    def add_electors(self, poll_id: str, unit_id: str, households: list[str]) -> None:
        """The electors of one unit, version 1 of their cards; those already there
        (a retry after a crash) stay as they are."""
        documents = [
            {
                "_id": participation_id(poll_id, household),
                "poll_id": poll_id,
                "household": household,
                "unit_id": unit_id,
                "card_version": 1,
            }
            for household in households
        ]
        if not documents:
            return
        try:
            self.db.electors.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    def mark_open(self, poll_id: str, fields: dict[str, Any], items: list[dict]) -> bool:
        """Open a poll that is still scheduled, with its event, in one write."""
        update = set_with_pending(stored({"status": PollStatus.OPEN.value, **fields}), items)
        update["$unset"] = {"claimed_until": ""}
        result = self.db.polls.update_one(
            {"_id": poll_id, "status": PollStatus.SCHEDULED.value}, update
        )
        return result.modified_count == 1

    def add_pending(self, poll_id: str, items: list[dict[str, Any]]) -> None:
        """Pending items (an audit entry) on a poll, relayed like any other."""
        self.db.polls.update_one({"_id": poll_id}, set_with_pending({}, items))

    # --- electors and cards -------------------------------------------------------

    def electors_of_unit(self, poll_id: str, unit_id: str) -> list[dict[str, Any]]:
        found = self.db.electors.find({"poll_id": poll_id, "unit_id": unit_id})
        return sorted(found, key=lambda elector: elector["household"])

    def electors_of_household(self, household: str) -> list[dict[str, Any]]:
        return list(self.db.electors.find({"household": household}))

    def elector(self, poll_id: str, household: str) -> dict[str, Any] | None:
        return self.db.electors.find_one({"_id": participation_id(poll_id, household)})

    def new_card_version(self, poll_id: str, household: str) -> int:
        """The household's next card: its old card stops working."""
        elector = self.db.electors.find_one_and_update(
            {"_id": participation_id(poll_id, household)},
            {"$inc": {"card_version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return elector["card_version"]

    # --- ballots ------------------------------------------------------------------

    def participation(self, poll_id: str, household: str) -> dict[str, Any] | None:
        """The household's elector document if it took part, else None."""
        query = {"_id": participation_id(poll_id, household), **TOOK_PART}
        return self.db.electors.find_one(query)

    def participating_households(self, poll_id: str) -> list[str]:
        """Households that took part by phone or by a ballot recorded for them (a
        group's paper returns are counted, not named)."""
        found = self.db.electors.find({"poll_id": poll_id, **TOOK_PART}, {"household": 1})
        return sorted(document["household"] for document in found)

    def take_part(
        self, poll_id: str, household: str, card_version: int, ballot: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Write a ballot on the household's elector document, in ONE conditional
        write: only while the card is this version (a reissued card is refused the
        moment the new one exists, on every instance) and only if the household has
        not taken part by any channel (Law 10/2022 Art 21: one household, one
        ballot). The document as written, or None if either condition failed."""
        return self.db.electors.find_one_and_update(
            {"_id": participation_id(poll_id, household), "card_version": card_version, **NOT_YET},
            {"$set": ballot},
            return_document=ReturnDocument.AFTER,
        )

    def add_boxes(self, poll_id: str, unit_id: str) -> None:
        """A secret poll's empty boxes for one unit, made when it opens, all at once
        and in a fixed order, so the order in which boxes were stored tells nothing
        of the order of the ballots."""
        documents = [
            {"_id": box_id(poll_id, unit_id, bucket), "poll_id": poll_id, "unit_id": unit_id}
            | {"ballots": []}
            for bucket in BOX_BUCKETS
        ]
        try:
            self.db.boxes.insert_many(documents, ordered=False)
        except BulkWriteError as error:  # made before a crash: they stay
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    def seal(self, document: dict[str, Any]) -> None:
        """Move a secret ballot's answers from its participation into a box of its
        unit (the box of its receipt hash's first digit, its ballots sorted by that
        random hash, with no household and no time), then forget them in the
        participation. Safe to repeat at any point."""
        sealing = document["_seal"]
        box = box_id(document["poll_id"], document["unit_id"], sealing["r"][0])
        into_box = (
            {
                "_id": box,
                "poll_id": document["poll_id"],
                "unit_id": document["unit_id"],
                "ballots.r": {"$ne": sealing["r"]},
            },
            {
                "$push": {
                    "ballots": {
                        "$each": [{"r": sealing["r"], "a": sealing["answers"]}],
                        "$sort": {"r": 1},
                    }
                }
            },
        )
        while self.db.boxes.update_one(*into_box).matched_count == 0:
            if self.db.boxes.find_one({"_id": box}, {"_id": 1}) is not None:
                break  # the box holds this ballot: sealed before
            try:  # no box (a poll opened before boxes were made when opening)
                self.db.boxes.update_one(*into_box, upsert=True)
                break
            except DuplicateKeyError:  # another seal made it meanwhile: push into it
                continue
        self.db.electors.update_one(
            {"_id": document["_id"], "_seal.r": sealing["r"]}, {"$unset": {"_seal": ""}}
        )

    def unsealed(self, older_than: timedelta) -> list[dict[str, Any]]:
        """Secret ballots whose sealing was interrupted (a crash between the writes).
        Only secret polls not yet signed off can hold one: with none (the usual case)
        no ballot is read at all."""
        query = {
            "secret": True,
            "status": {"$in": [PollStatus.OPEN.value, PollStatus.CLOSED.value]},
        }
        poll_ids = [document["_id"] for document in self.db.polls.find(query, {"_id": 1})]
        if not poll_ids:
            return []
        since = {"$lte": utcnow() - older_than}
        return list(self.db.electors.find({"poll_id": {"$in": poll_ids}, "_seal.since": since}))

    def find_receipt(self, receipt_hash: str) -> tuple[str, date | None] | None:
        """(poll id, day cast) of the ballot behind a receipt hash, if it was counted."""
        for collection, field, day in (
            ("electors", "receipt_hash", "at"),
            ("electors", "_seal.r", "at"),
            ("satisfaction", "receipt_hash", "day"),
            ("boxes", "ballots.r", None),  # a sealed secret ballot keeps no day
        ):
            found = self.db[collection].find_one({field: receipt_hash})
            if found is not None:
                return found["poll_id"], vietnam_day(found[day]) if day else None
        return None

    # --- satisfaction -------------------------------------------------------------

    def satisfaction_answer(self, poll_id: str, submission_id: str) -> dict[str, Any] | None:
        return self.db.satisfaction.find_one({"_id": f"{poll_id}:{submission_id}"})

    def count_sender(self, poll_id: str, client_key: str, now: datetime) -> int:
        """One more answer from this sender today; how many it has sent now."""
        limit = self.db.satisfaction_limits.find_one_and_update(
            {"_id": f"{poll_id}:{client_key}"},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": now + timedelta(days=1)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return limit["count"]

    def add_satisfaction(
        self, poll_id: str, submission_id: str, answers: Answers, day: date, receipt_hash: str
    ) -> None:
        with suppress(DuplicateKeyError):  # the same submission, sent twice at once
            self.db.satisfaction.insert_one(
                {
                    "_id": f"{poll_id}:{submission_id}",
                    "poll_id": poll_id,
                    "answers": answers,
                    "day": stored(day),
                    "receipt_hash": receipt_hash,
                }
            )

    # --- for counting -------------------------------------------------------------

    def online_rows(self, poll: Poll) -> list[tuple[str, Answers]]:
        """Every online ballot's (unit, answers), to be counted by tally.py."""
        if poll.kind == PollKind.SATISFACTION:
            found = self.db.satisfaction.find(
                {"poll_id": poll.id}, {"answers": 1}, batch_size=READ_BATCH
            )
            return [(poll.unit_id, document["answers"]) for document in found]
        if not poll.secret:
            found = self.db.electors.find(
                {"poll_id": poll.id, "channel": Channel.ONLINE.value, "answers": {"$exists": True}},
                {"unit_id": 1, "answers": 1},
                batch_size=READ_BATCH,
            )
            return [(document["unit_id"], document["answers"]) for document in found]
        rows, sealed = [], set()
        for box in self.db.boxes.find({"poll_id": poll.id}):
            for ballot in box.get("ballots", []):
                rows.append((box["unit_id"], ballot["a"]))
                sealed.add(ballot["r"])
        # accepted, still being sealed: counted once, wherever it is
        for document in self.db.electors.find({"poll_id": poll.id, "_seal": {"$exists": True}}):
            if document["_seal"]["r"] not in sealed:
                rows.append((document["unit_id"], document["_seal"]["answers"]))
        return rows

    def participation_counts(self, poll_id: str) -> dict[str, dict[Channel, int]]:
        """Households that took part, by unit and channel (counted here rather than
        by $group, in batches: see READ_BATCH)."""
        counts: dict[str, dict[Channel, int]] = defaultdict(lambda: defaultdict(int))
        found = self.db.electors.find(
            {"poll_id": poll_id, **TOOK_PART},
            {"_id": 0, "unit_id": 1, "channel": 1},
            batch_size=READ_BATCH,
        )
        for document in found:
            counts[document["unit_id"]][Channel(document["channel"])] += 1
        return {unit: dict(by_channel) for unit, by_channel in counts.items()}
