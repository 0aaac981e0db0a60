"""Paper and meeting entries, results, explanations in MongoDB (see store.py)."""

from datetime import datetime
from typing import Any

from pymongo.errors import BulkWriteError

from shared.chassis import Store, set_with_pending
from shared.contracts.surveys import Channel, MeetingRecord, PaperTally, PollStatus

DUPLICATE_KEY = 11000


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
        cursor = self.db.participation.find({"poll_id": poll_id, "unit_id": unit_id}, fields)
        return {row["household"]: row for row in cursor}

    def add_participations(
        self, poll_id: str, unit_id: str, households: list[str], channel: Channel, at: datetime
    ) -> list[str]:
        """Record that `households` took part by `channel`; return those that had
        already taken part meanwhile (the unique _id refuses their second one)."""
        if not households:
            return []
        documents = [
            {
                "_id": f"{poll_id}:{code}",
                "poll_id": poll_id,
                "unit_id": unit_id,
                "household": code,
                "channel": channel.value,
                "at": at,
            }
            for code in households
        ]
        try:
            self.db.participation.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            errors = error.details["writeErrors"]
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise
            return [households[e["index"]] for e in errors]
        return []

    def remove_participations(self, poll_id: str, households: list[str], channel: Channel) -> None:
        ids = [f"{poll_id}:{code}" for code in households]
        self.db.participation.delete_many({"_id": {"$in": ids}, "channel": channel.value})

    def count_participation(self, poll_id: str, unit_id: str, channel: Channel) -> int:
        query = {"poll_id": poll_id, "unit_id": unit_id, "channel": channel.value}
        return self.db.participation.count_documents(query)

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
