"""The training service's documents in MongoDB.

plans:        {_id: "<commune>:<year>", commune_id, year, title, notes}
courses:      {_id: the form's request id, commune_id, year, title, description,
               positions, completion {kind, minimum}, registration_opens_on,
               registration_closes_on (ISO days), cancel_hours_before, created_by}
sessions:     {_id: the form's request id, course_id, commune_id, starts_at, ends_at,
               place, online_link, trainer, capacity, seat_count,
               seated: [entry], waiting: [entry] (in order), cancelled: [entry],
               attended: [person id]}
               entry = {registration_id, person: Person, registered_at, by, moved_at}
               Seats, the waiting list and who holds what live in ONE document, so
               each registration and cancellation is one atomic conditional write:
               capacity is never exceeded and nobody is in twice, with no
               read-then-write (a session has at most 1,000 places).
invitations:  {_id: "<commune>:<person id>", code (unique), commune_id, person,
               courses: [course ids invited to]}
certificates: {_id: "<course>:<person id>", code (unique), commune_id, commune_name,
               course_id, course_title, year, positions, person, completed_on (ISO
               day), sessions_attended, revoked, revoked_reason}
keys:         {_id: commune id, key: hex}  the commune's signing key (certificates,
               check-in codes), made on first use
targets:      {_id: "<commune>:<year>", commune_id, year, targets, set_on, updated_on}
audit_log, event_failures: see shared/chassis.py
"""

import secrets
from contextlib import suppress
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.chassis import PENDING, RELAY_AFTER, Store, set_with_pending, utcnow


def _with_pending(update: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """`update` plus pending outbox items, in the same document write."""
    push = {**update.get("$push", {}), PENDING: {"$each": items}}
    return {**update, "$push": push, "$set": {**update.get("$set", {}), RELAY_AFTER: utcnow()}}


class TrainingStore(Store):
    OUTBOX_COLLECTIONS = ("plans", "courses", "sessions", "invitations", "certificates", "targets")

    @classmethod
    def ensure_indexes(cls, database: Database) -> None:
        super().ensure_indexes(database)
        database.courses.create_index([("commune_id", ASCENDING), ("year", ASCENDING)])
        database.sessions.create_index([("course_id", ASCENDING), ("starts_at", ASCENDING)])
        for field in ("seated", "waiting", "cancelled"):
            database.sessions.create_index([(f"{field}.person.person_id", ASCENDING)])
            database.sessions.create_index([(f"{field}.registration_id", ASCENDING)])
        database.invitations.create_index([("code", ASCENDING)], unique=True)
        database.certificates.create_index([("code", ASCENDING)], unique=True)
        database.certificates.create_index([("commune_id", ASCENDING), ("year", ASCENDING)])
        database.certificates.create_index([("person.person_id", ASCENDING)])
        database.certificates.create_index([("course_id", ASCENDING)])

    # --- keys ---

    def commune_key(self, commune_id: str) -> bytes:
        """The commune's signing key, made the first time it is needed."""
        if (kept := self.recall(("key", commune_id))) is not None:
            return kept
        with suppress(DuplicateKeyError):  # another worker made it first
            self.db.keys.insert_one({"_id": commune_id, "key": secrets.token_hex(32)})
        key = bytes.fromhex(self.db.keys.find_one({"_id": commune_id})["key"])
        self.keep(("key", commune_id), key, 3600)
        return key

    # --- plan, courses, sessions ---

    def save_plan(self, document: dict[str, Any], items: list[dict[str, Any]]) -> None:
        fields = {k: v for k, v in document.items() if k != "_id"}
        self.db.plans.update_one(
            {"_id": document["_id"]}, set_with_pending(fields, items), upsert=True
        )

    def plan(self, plan_id: str) -> dict[str, Any] | None:
        return self.db.plans.find_one({"_id": plan_id}, {PENDING: 0})

    def course(self, course_id: str) -> dict[str, Any] | None:
        return self.db.courses.find_one({"_id": course_id}, {PENDING: 0})

    def courses(self, commune_id: str, year: int) -> list[dict[str, Any]]:
        cursor = self.db.courses.find({"commune_id": commune_id, "year": year}, {PENDING: 0})
        return list(cursor.sort("registration_opens_on", ASCENDING))

    def session(self, session_id: str) -> dict[str, Any] | None:
        return self.db.sessions.find_one({"_id": session_id}, {PENDING: 0})

    def sessions_of(self, course_ids: list[str]) -> list[dict[str, Any]]:
        cursor = self.db.sessions.find({"course_id": {"$in": course_ids}}, {PENDING: 0})
        return list(cursor.sort("starts_at", ASCENDING))

    def session_with(self, registration_id: str) -> dict[str, Any] | None:
        return self.db.sessions.find_one(
            {
                "$or": [
                    {f"{field}.registration_id": registration_id}
                    for field in ("seated", "waiting", "cancelled")
                ]
            },
            {PENDING: 0},
        )

    def sessions_of_person(self, person_id: str) -> list[dict[str, Any]]:
        query = {
            "$or": [
                {f"{field}.person.person_id": person_id}
                for field in ("seated", "waiting", "cancelled")
            ]
        }
        return list(self.db.sessions.find(query, {PENDING: 0}).sort("starts_at", ASCENDING))

    # --- seats: each one conditional write on the session's document ---

    def take_seat(self, session: dict, entry: dict, items: list[dict], *, person_id: str) -> bool:
        """Seat `entry` if a place is free and the person is not in yet."""
        capacity = session["capacity"]
        result = self.db.sessions.update_one(
            {
                "_id": session["_id"],
                "capacity": capacity,
                "seat_count": {"$lt": capacity},
                **_not_in(person_id),
            },
            _with_pending({"$inc": {"seat_count": 1}, "$push": {"seated": entry}}, items),
        )
        return result.modified_count == 1

    def join_waiting_list(
        self, session: dict, entry: dict, items: list[dict], *, person_id: str
    ) -> bool:
        """Put `entry` last in line if every place is taken and the person is not in."""
        capacity = session["capacity"]
        result = self.db.sessions.update_one(
            {
                "_id": session["_id"],
                "capacity": capacity,
                "seat_count": {"$gte": capacity},
                **_not_in(person_id),
            },
            _with_pending({"$push": {"waiting": entry}}, items),
        )
        return result.modified_count == 1

    def is_in(self, session_id: str, person_id: str) -> bool:
        query = {"_id": session_id, "$nor": [_not_in(person_id)]}
        return self.db.sessions.find_one(query, {"_id": 1}) is not None

    def give_seat_to_next(
        self, session_id: str, leaving: dict, next_in_line: dict, items: list[dict]
    ) -> bool:
        """The seat `leaving` gives up goes to the first in line, in one write: the
        filter checks both are still where they were read."""
        moved = {**next_in_line, "moved_at": utcnow()}
        result = self.db.sessions.update_one(
            {
                "_id": session_id,
                "seated.registration_id": leaving["registration_id"],
                "waiting.0.registration_id": next_in_line["registration_id"],
            },
            _with_pending(
                {
                    "$set": {"seated.$": moved},
                    "$pop": {"waiting": -1},
                    "$push": {"cancelled": _cancelled(leaving)},
                },
                items,
            ),
        )
        return result.modified_count == 1

    def free_seat(self, session_id: str, leaving: dict, items: list[dict]) -> bool:
        """Give up a seat nobody is waiting for."""
        result = self.db.sessions.update_one(
            {
                "_id": session_id,
                "seated.registration_id": leaving["registration_id"],
                "waiting": {"$size": 0},
            },
            _with_pending(
                {
                    "$inc": {"seat_count": -1},
                    "$pull": {"seated": {"registration_id": leaving["registration_id"]}},
                    "$push": {"cancelled": _cancelled(leaving)},
                },
                items,
            ),
        )
        return result.modified_count == 1

    def set_capacity(self, session: dict, capacity: int, items: list[dict]) -> bool:
        """A new capacity, the first in line seated in any new places, in one write
        that holds only if the session is still as it was read."""
        moving = session["waiting"][: max(0, capacity - session["seat_count"])]
        moved = [{**entry, "moved_at": utcnow()} for entry in moving]
        update: dict[str, Any] = {"$set": {"capacity": capacity}}
        if moved:
            update["$inc"] = {"seat_count": len(moved)}
            update["$push"] = {"seated": {"$each": moved}}
            ids = [entry["registration_id"] for entry in moved]
            update["$pull"] = {"waiting": {"registration_id": {"$in": ids}}}
        result = self.db.sessions.update_one(
            {
                "_id": session["_id"],
                "capacity": session["capacity"],
                "seat_count": session["seat_count"],
                "waiting": {"$size": len(session["waiting"])},
                "waiting.0.registration_id": (
                    session["waiting"][0]["registration_id"] if session["waiting"] else None
                ),
            },
            _with_pending(update, items),
        )
        return result.modified_count == 1

    def leave_waiting_list(self, session_id: str, leaving: dict, items: list[dict]) -> bool:
        result = self.db.sessions.update_one(
            {"_id": session_id, "waiting.registration_id": leaving["registration_id"]},
            _with_pending(
                {
                    "$pull": {"waiting": {"registration_id": leaving["registration_id"]}},
                    "$push": {"cancelled": _cancelled(leaving)},
                },
                items,
            ),
        )
        return result.modified_count == 1

    def set_attended(self, session_id: str, person_id: str, present: bool, items: list) -> bool:
        """Mark a seated person present (or not); False if they hold no seat."""
        change = {"$addToSet" if present else "$pull": {"attended": person_id}}
        result = self.db.sessions.update_one(
            {"_id": session_id, "seated.person.person_id": person_id},
            _with_pending(change, items),
        )
        return result.matched_count == 1

    # --- invitations ---

    def invitation_by_code(self, code: str) -> dict[str, Any] | None:
        return self.db.invitations.find_one({"code": code}, {PENDING: 0})

    def invitation_of(self, commune_id: str, person_id: str) -> dict[str, Any] | None:
        return self.db.invitations.find_one({"_id": f"{commune_id}:{person_id}"}, {PENDING: 0})

    def add_invitation(self, document: dict[str, Any]) -> None:
        """A person's code, unless they have one already; DuplicateKeyError if the
        code is taken (the caller draws another)."""
        with suppress(DuplicateKeyError):
            self.db.invitations.insert_one(document)
            return
        if self.db.invitations.find_one({"_id": document["_id"]}, {"_id": 1}) is None:
            raise DuplicateKeyError("code taken")

    def note_invited(self, invitation_id: str, course_id: str, person: dict, items: list) -> bool:
        """Record that the person was invited to the course (with its event), once."""
        result = self.db.invitations.update_one(
            {"_id": invitation_id, "courses": {"$ne": course_id}},
            _with_pending({"$push": {"courses": course_id}, "$set": {"person": person}}, items),
        )
        return result.modified_count == 1

    # --- certificates ---

    def certificate(self, certificate_id: str) -> dict[str, Any] | None:
        return self.db.certificates.find_one({"_id": certificate_id}, {PENDING: 0})

    def certificate_by_code(self, code: str) -> dict[str, Any] | None:
        return self.db.certificates.find_one({"code": code}, {PENDING: 0})

    def certificates_of_person(self, person_id: str) -> list[dict[str, Any]]:
        return list(self.db.certificates.find({"person.person_id": person_id}, {PENDING: 0}))

    def certificates_of_course(self, course_id: str) -> list[dict[str, Any]]:
        return list(self.db.certificates.find({"course_id": course_id}, {PENDING: 0}))

    def certificates_in(self, commune_id: str, year: int) -> list[dict[str, Any]]:
        """A year's certificates of a commune: one per person and course, so bounded by
        the commune's position holders (hundreds), never by its households."""
        query = {"commune_id": commune_id, "year": year}
        return list(self.db.certificates.find(query, {PENDING: 0}))

    def issue_certificate(self, document: dict[str, Any], items: list[dict]) -> bool:
        """Store a new certificate, or reinstate one revoked when attendance was
        corrected; False if it was in force already."""
        if self.insert_once("certificates", document, items):
            return True
        result = self.db.certificates.update_one(
            {"_id": document["_id"], "revoked": True, "revoked_by_attendance": True},
            set_with_pending(
                {
                    "revoked": False,
                    "revoked_reason": None,
                    "revoked_by_attendance": False,
                    "completed_on": document["completed_on"],
                },
                items,
            ),
        )
        return result.modified_count == 1

    def revoke_certificate(
        self, certificate_id: str, reason: str, items: list[dict], *, by_attendance: bool = False
    ) -> bool:
        result = self.db.certificates.update_one(
            {"_id": certificate_id, "revoked": False},
            set_with_pending(
                {"revoked": True, "revoked_reason": reason, "revoked_by_attendance": by_attendance},
                items,
            ),
        )
        return result.modified_count == 1

    def count_completed(self, course_ids: list[str]) -> dict[str, int]:
        """Certificates in force per course (a course has at most its places)."""
        cursor = self.db.certificates.find(
            {"course_id": {"$in": course_ids}, "revoked": False}, {"course_id": 1}
        )
        counts: dict[str, int] = {}
        for document in cursor:
            counts[document["course_id"]] = counts.get(document["course_id"], 0) + 1
        return counts

    # --- targets ---

    def targets(self, commune_id: str, year: int) -> dict[str, Any] | None:
        return self.db.targets.find_one({"_id": f"{commune_id}:{year}"}, {PENDING: 0})

    def save_targets(
        self, commune_id: str, year: int, targets: list[dict], today: str, items: list[dict]
    ) -> None:
        """The first day targets are set stays the day coverage counts from."""
        update = set_with_pending(
            {"commune_id": commune_id, "year": year, "targets": targets, "updated_on": today},
            items,
        )
        update["$setOnInsert"] = {"set_on": today}
        self.db.targets.update_one({"_id": f"{commune_id}:{year}"}, update, upsert=True)


def _not_in(person_id: str) -> dict[str, Any]:
    """A filter: the person is neither seated nor waiting."""
    return {
        "seated.person.person_id": {"$ne": person_id},
        "waiting.person.person_id": {"$ne": person_id},
    }


def _cancelled(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "cancelled_at": utcnow()}
