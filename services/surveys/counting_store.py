"""Paper and meeting entries, results, explanations in MongoDB (see store.py)."""

from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.surveys.ballot_store import NOT_YET, TOOK_PART
from shared.chassis import Store, set_with_pending
from shared.contracts.surveys import Channel, MeetingRecord, PaperTally, PollStatus
from shared.ids import new_id


class CountingRecords(Store):
    # --- who may take part, and who did ---------------------------------------

    # By poll and unit (indexed), not `$in` on _id, which the embedded server
    # answers with a scan of the collection per value.
    def unit_electors(self, poll_id: str, unit_id: str) -> set[str]:
        """The households of `unit_id` that may take part."""
        cursor = self.db.electors.find({"poll_id": poll_id, "unit_id": unit_id}, {"household": 1})
        return {row["household"] for row in cursor}

    def unit_participations(self, poll_id: str, unit_id: str) -> dict[str, dict[str, Any]]:
        """household → its participation, for the households of `unit_id` that took part."""
        fields = {"household": 1, "channel": 1, "at": 1}
        query = {"poll_id": poll_id, "unit_id": unit_id, **TOOK_PART}
        return {row["household"]: row for row in self.db.electors.find(query, fields)}

    def add_participations(
        self, poll_id: str, unit_id: str, households: list[str], channel: Channel, at: datetime
    ) -> list[str]:
        """Record that `households` (electors of `unit_id`) took part by `channel`;
        return those that had already taken part meanwhile. One conditional write
        for all of them (only electors that have not taken part are written), then
        one read of which ones this entry wrote."""
        if not households:
            return []
        entry = new_id()
        unit = {"poll_id": poll_id, "unit_id": unit_id}
        self.db.electors.update_many(
            {**unit, "household": {"$in": households}, **NOT_YET},
            {"$set": {"channel": channel.value, "at": at, "entry": entry}},
        )
        written = self.db.electors.find({**unit, "entry": entry}, {"household": 1})
        mine = {row["household"] for row in written}
        return [code for code in households if code not in mine]

    def remove_participations(self, poll_id: str, households: list[str], channel: Channel) -> None:
        """Households no longer on a meeting's roll: they have not taken part."""
        if not households:
            return
        self.db.electors.update_many(
            {"poll_id": poll_id, "household": {"$in": households}, "channel": channel.value},
            {"$unset": {"channel": "", "at": "", "entry": ""}},
        )

    def count_participation(self, poll_id: str, unit_id: str, channel: Channel) -> int:
        query = {"poll_id": poll_id, "unit_id": unit_id, "channel": channel.value}
        return self.db.electors.count_documents(query)

    # --- the live count of an open poll (see counting_service.count_open_polls) --

    def live_results(self, poll_id: str) -> dict[str, Any] | None:
        document = self.db.live_counts.find_one({"_id": poll_id}, {"results": 1})
        return document.get("results") if document else None

    def claim_live_count(self, poll_id: str, now: datetime, claim: timedelta) -> bool:
        """Take the poll's next live count if it is due, so one instance makes it."""
        try:
            self.db.live_counts.update_one(
                {"_id": poll_id, "due_at": {"$lte": now}},
                {"$set": {"due_at": now + claim}},
                upsert=True,  # the poll's first count
            )
        except DuplicateKeyError:  # it exists and is not due
            return False
        return True

    def save_live_count(self, poll_id: str, results: dict[str, Any], due_at: datetime) -> None:
        self.db.live_counts.update_one(
            {"_id": poll_id}, {"$set": {"results": results, "due_at": due_at}}
        )

    def count_live_soon(self, poll_id: str) -> None:
        """An entry changed the results: the next tick counts them again."""
        self.db.live_counts.update_one({"_id": poll_id}, {"$set": {"due_at": datetime.min}})

    # --- paper tallies, meetings, photos ---------------------------------------

    def save_photo(
        self, photo_id: str, poll_id: str, unit_id: str, content_type: str, data: bytes
    ) -> None:
        self.db.photos.insert_one(
            {
                "_id": photo_id,
                "poll_id": poll_id,
                "unit_id": unit_id,
                "content_type": content_type,
                "data": data,  # bytes are stored as BSON binary
            }
        )

    def get_photo(self, poll_id: str, photo_id: str) -> dict[str, Any] | None:
        return self.db.photos.find_one({"_id": photo_id, "poll_id": poll_id})

    def get_paper_tally(self, poll_id: str, unit_id: str) -> PaperTally | None:
        document = self.db.paper_tallies.find_one({"_id": f"{poll_id}:{unit_id}"})
        return _contract(PaperTally, document)

    def save_paper_tally(self, poll_id: str, tally: PaperTally) -> None:
        document = {"poll_id": poll_id, **tally.model_dump()}
        self.db.paper_tallies.replace_one(
            {"_id": f"{poll_id}:{tally.unit_id}"}, document, upsert=True
        )

    def paper_tallies(self, poll_id: str) -> list[PaperTally]:
        cursor = self.db.paper_tallies.find({"poll_id": poll_id}).sort("unit_id")
        return [_contract(PaperTally, document) for document in cursor]

    def get_meeting(self, poll_id: str, unit_id: str) -> MeetingRecord | None:
        document = self.db.meetings.find_one({"_id": f"{poll_id}:{unit_id}"})
        return _contract(MeetingRecord, document)

    def save_meeting(self, poll_id: str, meeting: MeetingRecord) -> None:
        document = {"poll_id": poll_id, **meeting.model_dump()}
        self.db.meetings.replace_one({"_id": f"{poll_id}:{meeting.unit_id}"}, document, upsert=True)

    def meetings(self, poll_id: str) -> list[MeetingRecord]:
        cursor = self.db.meetings.find({"poll_id": poll_id}).sort("unit_id")
        return [_contract(MeetingRecord, document) for document in cursor]

    # --- the poll document: closing, results, sign-off ---------------------------

    def open_polls(self, closes_at: dict[str, Any], **fields: Any) -> list[dict[str, Any]]:
        query = {"status": PollStatus.OPEN.value, "closes_at": closes_at, **fields}
        return list(self.db.polls.find(query))

    def update_poll_if(
        self, poll_id: str, condition: dict[str, Any], fields: dict, items: list[dict]
    ) -> bool:
        """Set `fields` and add pending `items` in one write, if the poll still
        matches `condition`; False if it no longer did."""
        update = set_with_pending(fields, items) if items else {"$set": fields}
        result = self.db.polls.update_one({"_id": poll_id, **condition}, update)
        return result.matched_count == 1


def _contract(model: type, document: dict[str, Any] | None) -> Any:
    if document is None:
        return None
    fields = {k: v for k, v in document.items() if k not in ("_id", "poll_id")}
    return model.model_validate(fields)
