"""Entrypoints for paper and meeting entries, results, closing and sign-off.

Each household takes part once, whatever the channel (Law 10/2022 Art 21): paper
returns and the meeting roll are refused for a household already recorded.
Paper returns record the households they can and list the others; a meeting
roll is recorded whole or not at all (its counts are the hands of those very
households, so the group head corrects the roll and enters it again).

Results are counted live while a poll is open, frozen at closing, and counted
again (still frozen, status closed) when a paper tally or meeting is entered
after the deadline, until the poll is signed off. Each stored count is written
only over the count it was computed after (`results.computed_at`), so two
writers never leave an older count behind.
"""

import base64
import time
from datetime import timedelta
from typing import Any

from nameko.timer import timer
from pydantic import BaseModel

from services.surveys import domain, entries, tally
from services.surveys.base import (
    COUNTING_ROLES,
    READING_ROLES,
    STAFF_ROLES,
    SurveysBase,
    poll_event_fields,
)
from services.surveys.store import poll_of
from shared.chassis import audit_item, event_item, utcnow
from shared.contracts.staff import AuditEntry
from shared.contracts.surveys import (
    Channel,
    MeetingRecord,
    MinutesPhotoRef,
    OpinionGroup,
    PaperTally,
    Photo,
    Poll,
    PollClosed,
    PollClosingSoon,
    PollDecided,
    PollKind,
    PollRef,
    PollResults,
    PollStatus,
    PollSummary,
    RecordExplanations,
    RecordMeeting,
    RecordPaperReturns,
    RecordPaperTally,
    ResultsQuery,
    RolledCall,
    SignOff,
)
from shared.errors import (
    WIRE_ERRORS,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PollNotOpen,
    parse,
)
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc

# Close a little after the deadline, so a ballot accepted at the last second is
# stored before the count that freezes the results reads the ballots.
CLOSE_GRACE = timedelta(seconds=1)
# A live count (an open poll's results for staff) is made in the background, again
# at most every LIVE_COUNT_SECONDS, or LIVE_COUNT_SPACING times as long as it
# took, whichever is longer: it reads every ballot, so a large poll's count takes
# at most about a tenth of the database's time while a ward votes, and the staff's
# page reads the last count, never waiting for one.
LIVE_COUNT_SECONDS = 10
LIVE_COUNT_SPACING = 10
LIVE_COUNT_CLAIM = timedelta(minutes=5)  # an instance that died counting frees it


class CountingEntrypoints(SurveysBase):
    # --- paper and meeting --------------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_paper_returns(self, payload: dict) -> dict:
        command = parse(RecordPaperReturns, payload)
        poll = self._poll_for_entry(command.actor, command.poll_id, command.unit_id, Channel.PAPER)
        codes = list(dict.fromkeys(command.household_codes))
        refused = self._refusals(poll, command.unit_id, codes)
        accepted = [code for code in codes if code not in refused]
        raced = self.store.add_participations(
            poll.id, command.unit_id, accepted, Channel.PAPER, utcnow()
        )
        refused.update(self._refusals(poll, command.unit_id, raced))
        recorded = [code for code in accepted if code not in refused]
        after = {"unit_id": command.unit_id, "recorded": recorded}
        self._entered(poll, command.actor, "record_paper_returns", None, after)
        return RolledCall(recorded=recorded, refused=refused).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_meeting(self, payload: dict) -> dict:
        """The roll and hands of a unit's meeting; entering it again replaces it."""
        command = parse(RecordMeeting, payload)
        unit_id = command.unit_id
        poll = self._poll_for_entry(command.actor, command.poll_id, unit_id, Channel.MEETING)
        codes = list(dict.fromkeys(command.present_codes))
        _refuse_roll(self._refusals(poll, unit_id, codes, keep=Channel.MEETING))
        domain.check_counts(poll.questions, command.counts, len(codes), _("số hộ dự họp"))
        households = poll.electorate.by_unit[unit_id] if poll.electorate else 0
        meeting = MeetingRecord(
            unit_id=unit_id,
            held_at=command.held_at,
            present=len(codes),
            counts=command.counts,
            # Decree 61/2023 Art 10: more than half of ALL the unit's households
            quorum_reached=domain.meeting_quorum(len(codes), households),
            recorded_by=command.actor,
        )
        earlier = {
            code
            for code, taken in self.store.unit_participations(poll.id, unit_id).items()
            if taken["channel"] == Channel.MEETING
        }
        new = [code for code in codes if code not in earlier]
        raced = self.store.add_participations(
            poll.id, unit_id, new, Channel.MEETING, meeting.held_at
        )
        if raced:  # took part another way meanwhile: undo this entry's own, refuse it
            self.store.remove_participations(
                poll.id, [code for code in new if code not in raced], Channel.MEETING
            )
            _refuse_roll(self._refusals(poll, unit_id, raced))
        self.store.remove_participations(poll.id, sorted(earlier - set(codes)), Channel.MEETING)
        before = self.store.get_meeting(poll.id, unit_id)
        self.store.save_meeting(poll.id, meeting)
        self._entered(poll, command.actor, "record_meeting", before, meeting)
        return meeting.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_paper_tally(self, payload: dict) -> dict:
        """The count minutes of a unit's paper ballots; entering them again replaces
        them (the earlier photo is kept, the audit log says which replaced which)."""
        command = parse(RecordPaperTally, payload)
        unit_id = command.unit_id
        poll = self._poll_for_entry(command.actor, command.poll_id, unit_id, Channel.PAPER)
        data = entries.photo_bytes(command.photo)
        domain.check_paper_tally(
            poll.questions,
            command.returned,
            command.valid,
            command.invalid,
            command.counts,
            returns_recorded=self.store.count_participation(poll.id, unit_id, Channel.PAPER),
        )
        photo_id = new_id()
        self.store.save_photo(photo_id, poll.id, unit_id, command.photo.content_type, data)
        paper = PaperTally(
            unit_id=unit_id,
            minutes_number=command.minutes_number,
            counted_at=command.counted_at,
            returned=command.returned,
            valid=command.valid,
            invalid=command.invalid,
            counts=command.counts,
            recorded_by=command.actor,
            photo_id=photo_id,
        )
        before = self.store.get_paper_tally(poll.id, unit_id)
        self.store.save_paper_tally(poll.id, paper)
        self._entered(poll, command.actor, "record_paper_tally", before, paper)
        return paper.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_minutes_photo(self, payload: dict) -> dict:
        """The photo of signed count minutes, so inspectors can check the numbers
        entered against the paper (Law 10/2022 Art 9: no falsified results)."""
        query = parse(MinutesPhotoRef, payload)
        poll = self._poll(query.poll_id)
        if not self._may_read(query.actor, poll):
            raise Forbidden(
                _("Chỉ cán bộ, Ban Thanh tra nhân dân, tổ trưởng xem được ảnh biên bản.")
            )
        photo = self.store.get_photo(poll.id, query.photo_id)
        if photo is None:
            raise NotFound(_("Không tìm thấy ảnh biên bản này."))
        data = base64.b64encode(photo["data"]).decode()
        return Photo(content_type=photo["content_type"], data_base64=data).model_dump()

    # --- results ------------------------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_results(self, payload: dict) -> dict:
        query = parse(ResultsQuery, payload)
        poll = self._poll(query.poll_id)
        if self._may_read(query.actor, poll):
            if poll.status in (PollStatus.SCHEDULED, PollStatus.OPEN):
                return self._live_count(poll).model_dump(mode="json")
            return self._stored_results(poll.id).model_dump(mode="json")
        self._check_public(poll)
        return tally.public_view(self._stored_results(poll.id)).model_dump(mode="json")

    @timer(interval=2)
    def close_due_polls(self) -> None:
        """Freeze the results of every poll past its deadline, once (the update is
        conditional on the poll still being open, so one instance closes it)."""
        for document in self.store.open_polls({"$lte": utcnow() - CLOSE_GRACE}):
            poll = poll_of(document).model_copy(update={"status": PollStatus.CLOSED})
            results = self._count(poll, frozen=True)
            event = PollClosed(
                **poll_event_fields(poll),
                participated=sum(results.participated.values()),
                households=results.total_households,
            )
            closed = self.store.update_poll_if(
                poll.id,
                {"status": PollStatus.OPEN},
                {"status": PollStatus.CLOSED, "results": results.model_dump(mode="json")},
                [event_item(event)],
            )
            if closed:
                self._recount(poll.id, [])  # an entry made while the count above ran
                self.store.relay_events(self.dispatch, only=("polls", poll.id))

    @timer(interval=2)
    def count_open_polls(self) -> None:
        """Count each open poll again when its live count is due, one instance at
        a time (the claim is a conditional write), reading ballots in batches."""
        now = utcnow()
        for document in self.store.open_polls({"$gt": now}):
            poll = poll_of(document)
            if not self.store.claim_live_count(poll.id, now, LIVE_COUNT_CLAIM):
                continue
            started = time.monotonic()
            results = self._count(poll, frozen=False)
            took = time.monotonic() - started
            due = utcnow() + timedelta(seconds=max(LIVE_COUNT_SECONDS, LIVE_COUNT_SPACING * took))
            self.store.save_live_count(poll.id, results.model_dump(mode="json"), due)

    @timer(interval=2)
    def announce_closing_soon(self) -> None:
        """A day before the deadline (not after it: a poll past it is closing)."""
        now, not_yet = utcnow(), {"closing_soon_announced": {"$ne": True}}
        closing = {"$gt": now, "$lte": now + domain.CLOSING_SOON}
        for document in self.store.open_polls(closing, **not_yet):
            poll = poll_of(document)
            announced = self.store.update_poll_if(
                poll.id,
                {"status": PollStatus.OPEN, **not_yet},
                {"closing_soon_announced": True},
                [event_item(PollClosingSoon(**poll_event_fields(poll)))],
            )
            if announced:
                self.store.relay_events(self.dispatch, only=("polls", poll.id))

    # --- after closing ------------------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_explanations(self, payload: dict) -> dict:
        """Law 10/2022 Art 28: which opinions the commune accepted, and why not the
        others. Replaced whole; only between closing and sign-off."""
        command = parse(RecordExplanations, payload)
        poll = self._poll(command.poll_id)
        self._require(command.actor, poll.commune_id, STAFF_ROLES)
        if poll.kind != PollKind.CONSULTATION:
            raise InvalidInput(_("Chỉ cuộc lấy ý kiến mới có phần giải trình, tiếp thu ý kiến."))
        self._check_closed(poll)
        questions = {question.id for question in poll.questions}
        if any(group.question_id not in questions for group in command.groups):
            raise InvalidInput(fields={"groups": _("Có nhóm ý kiến không thuộc câu hỏi nào.")})
        document = self.store.get_poll_document(poll.id)
        after = [group.model_dump(mode="json") for group in command.groups]
        entry = _audit(
            command.actor, "record_explanations", poll, document.get("explanations"), after
        )
        if not self.store.update_poll_if(
            poll.id, {"status": PollStatus.CLOSED}, {"explanations": after}, [audit_item(entry)]
        ):
            raise Conflict(_("Kết quả cuộc này vừa được xác nhận; không thể sửa phần giải trình."))
        self.store.relay_events(self.dispatch, only=("polls", poll.id))
        return PollSummary(
            poll=poll,
            results=PollResults.model_validate(document["results"]),
            explanations=command.groups,
            decision_record=None,
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def finalise_poll(self, payload: dict) -> dict:
        """Sign the frozen results off: for a decision, with its record (Art 20.2);
        for a consultation, once the explanations exist (Art 28)."""
        command = parse(SignOff, payload)
        poll = self._poll(command.poll_id)
        self._require(command.actor, poll.commune_id, STAFF_ROLES)
        self._check_closed(poll)
        document = self.store.get_poll_document(poll.id)
        results = PollResults.model_validate(document["results"])
        explanations = [OpinionGroup.model_validate(g) for g in document.get("explanations", [])]
        if poll.kind == PollKind.CONSULTATION and not explanations:
            raise InvalidInput(
                _(
                    "Chưa thể xác nhận kết quả: cần nhập phần giải trình, tiếp thu ý kiến trước "
                    "(Luật Thực hiện dân chủ ở cơ sở, Điều 28)."
                )
            )
        record = None
        if poll.kind == PollKind.DECISION:
            record = entries.decision_record(command, poll, results)
        signed = results.model_copy(
            update={"signed_off_by": command.actor, "signed_off_at": utcnow()}
        )
        finalised = poll.model_copy(update={"status": PollStatus.FINALISED})
        event = PollDecided(
            **poll_event_fields(poll),
            passes=results.outcome.passes if results.outcome else None,
            seal=results.seal,
        )
        record_json = record.model_dump(mode="json") if record else None
        entry = _audit(command.actor, "finalise_poll", poll, None, {"seal": results.seal})
        if not self.store.update_poll_if(
            poll.id,
            # the results signed are the results read: not a count made meanwhile
            {
                "status": PollStatus.CLOSED,
                "results.computed_at": document["results"]["computed_at"],
            },
            {
                "status": PollStatus.FINALISED,
                "results": signed.model_dump(mode="json"),
                "decision_record": record_json,
            },
            [event_item(event), audit_item(entry)],
        ):
            raise Conflict(
                _("Kết quả vừa được cập nhật hoặc đã được xác nhận. Vui lòng xem lại kết quả.")
            )
        self.store.relay_events(self.dispatch, only=("polls", poll.id))
        return PollSummary(
            poll=finalised, results=signed, explanations=explanations, decision_record=record
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_summary(self, payload: dict) -> dict:
        query = parse(PollRef, payload)
        poll = self._poll(query.poll_id)
        staff = self._may_read(query.actor, poll)
        if not staff and not poll.public_results:
            raise Forbidden(_("Kết quả của cuộc này không được công bố."))
        if poll.status != PollStatus.FINALISED:
            raise NotFound(_("Cuộc này chưa có kết quả chính thức."))
        document = self.store.get_poll_document(poll.id)
        results = PollResults.model_validate(document["results"])
        return PollSummary(
            poll=poll,
            results=results if staff else tally.public_view(results),
            explanations=document.get("explanations") or [],
            decision_record=document.get("decision_record"),
        ).model_dump(mode="json")

    # --- helpers ------------------------------------------------------------------

    def _poll_for_entry(self, actor: str, poll_id: str, unit_id: str, channel: Channel) -> Poll:
        poll = self._poll(poll_id)
        self._require(actor, unit_id, COUNTING_ROLES)
        if poll.status == PollStatus.SCHEDULED:
            raise PollNotOpen(_("Cuộc này chưa bắt đầu."))
        if poll.status == PollStatus.FINALISED:
            raise PollNotOpen(_("Kết quả cuộc này đã được xác nhận; không nhập thêm được."))
        if channel not in poll.channels:
            form = domain.FORM_NAMES_VI[domain.CHANNEL_FORMS[channel]]
            raise InvalidInput(_("Cuộc này không dùng hình thức {form}.").format(form=form))
        if poll.electorate is None or unit_id not in poll.electorate.by_unit:
            raise InvalidInput(
                fields={"unit_id": _("Tổ, thôn này không thuộc phạm vi của cuộc này.")}
            )
        return poll

    def _refusals(
        self, poll: Poll, unit_id: str, codes: list[str], keep: Channel | None = None
    ) -> dict[str, str]:
        """code → why it cannot be recorded (not an elector of the unit, or took part
        already); a household already recorded by `keep` may stay."""
        if not codes:
            return {}
        electors = self.store.unit_electors(poll.id, unit_id)
        taken = self.store.unit_participations(poll.id, unit_id)
        refused = {}
        for code in codes:
            if code not in electors:
                refused[code] = entries.NOT_AN_ELECTOR
            elif code in taken and taken[code]["channel"] != keep:
                refused[code] = entries.refusal(
                    taken[code]["channel"], taken[code].get("at"), poll.secret
                )
        return refused

    def _entered(self, poll: Poll, actor: str, action: str, before: Any, after: Any) -> None:
        """Audit an entry, and count the results again if the poll has closed (while
        it is open, the next live count, made within seconds, includes it)."""
        self.store.count_live_soon(poll.id)
        entry = _audit(actor, action, poll, _json(before), _json(after))
        self._recount(poll.id, [audit_item(entry)])
        self.store.relay_events(self.dispatch, only=("polls", poll.id))

    def _recount(self, poll_id: str, items: list[dict]) -> None:
        """Write `items` on the poll, with results counted again if it has closed;
        retried when another count was stored in between."""
        while True:
            document = self.store.get_poll_document(poll_id)
            status = document["status"]
            if status != PollStatus.CLOSED:  # open: counted live; finalised: signed
                if items:
                    self.store.update_poll_if(poll_id, {}, {}, items)
                return
            results = self._count(poll_of(document), frozen=True)
            counted_after = document["results"]["computed_at"]
            if self.store.update_poll_if(
                poll_id,
                {"status": PollStatus.CLOSED, "results.computed_at": counted_after},
                {"results": results.model_dump(mode="json")},
                items,
            ):
                return

    def _count(self, poll: Poll, frozen: bool) -> PollResults:
        tallies = tally.Tallies(
            online=self.store.online_rows(poll),
            participated=self.store.participation_counts(poll.id),
            paper=self.store.paper_tallies(poll.id),
            meetings=self.store.meetings(poll.id),
        )
        return tally.results(poll, tallies, utcnow(), frozen=frozen)

    def _live_count(self, poll: Poll) -> PollResults:
        """The last count made in the background (count_open_polls) while the poll
        runs: one read, however many ballots are in. The page says when it was
        counted. Before the first one (a poll just opened, or not yet open) the
        few ballots there are counted now."""
        stored = self.store.live_results(poll.id)
        if stored is not None:
            return PollResults.model_validate(stored)
        return self._count(poll, frozen=False)

    def _stored_results(self, poll_id: str) -> PollResults:
        return PollResults.model_validate(self.store.get_poll_document(poll_id)["results"])

    def _may_read(self, actor: str | None, poll: Poll) -> bool:
        """Staff, inspectors and group heads of the commune, or of the poll's unit."""
        if self._roles(actor, poll.commune_id) & READING_ROLES:
            return True
        return poll.unit_id != poll.commune_id and bool(
            self._roles(actor, poll.unit_id) & READING_ROLES
        )

    def _check_public(self, poll: Poll) -> None:
        if not poll.public_results:
            raise Forbidden(_("Kết quả của cuộc này không được công bố."))
        if poll.status not in (PollStatus.CLOSED, PollStatus.FINALISED):
            raise Forbidden(_("Kết quả được công bố sau khi kết thúc."))

    def _check_closed(self, poll: Poll) -> None:
        if poll.status == PollStatus.FINALISED:
            raise Conflict(_("Kết quả cuộc này đã được xác nhận."))
        if poll.status != PollStatus.CLOSED:
            raise InvalidInput(_("Việc này chỉ làm được sau khi cuộc này kết thúc."))


def _refuse_roll(refused: dict[str, str]) -> None:
    if refused:
        raise InvalidInput(
            _(
                "Chưa ghi nhận cuộc họp: {count} hộ không ghi được vào danh sách dự họp. "
                "Vui lòng bỏ các mã này rồi nhập lại."
            ).format(count=len(refused)),
            {"present_codes": "; ".join(f"{code}: {why}" for code, why in refused.items())},
        )


def _json(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _audit(actor: str, action: str, poll: Poll, before: Any, after: Any) -> AuditEntry:
    """An audit entry about `poll`; a list (explanations) is kept under "groups"."""
    return AuditEntry(
        at=utcnow(),
        actor=actor,
        action=action,
        target=poll.id,
        commune_id=poll.commune_id,
        before={"groups": before} if isinstance(before, list) else before,
        after={"groups": after} if isinstance(after, list) else after,
    )
