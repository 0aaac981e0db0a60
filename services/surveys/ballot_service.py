"""Entrypoints for polls, cards and ballots."""

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from nameko.timer import timer

from services.surveys import domain
from services.surveys.ballot_store import stored
from services.surveys.base import COUNTING_ROLES, STAFF_ROLES, SurveysBase, poll_event_fields
from services.surveys.store import poll_of
from shared import ballot_codes
from shared.calendar import VIETNAM, vietnam_day, vietnam_time
from shared.chassis import audit_item, event_item, utcnow
from shared.contracts.directory import CommuneOverview
from shared.contracts.households import CountHouseholds, Electorate, FreezeElectorate
from shared.contracts.staff import AuditEntry
from shared.contracts.surveys import (
    POLL_KIND_VI,
    TOOK_PART_VI,
    AnswerSatisfaction,
    BallotCard,
    BallotReceipt,
    BallotState,
    BallotView,
    CardSheet,
    CastBallot,
    Channel,
    CheckReceipt,
    CreatePoll,
    ElectorateSummary,
    HouseholdCodes,
    IssueCards,
    ListPolls,
    OpenBallot,
    Poll,
    PollKind,
    PollList,
    PollOpened,
    PollRef,
    PollStatus,
    ReceiptStatus,
)
from shared.errors import WIRE_ERRORS, AlreadyVoted, InvalidInput, NotFound, PollNotOpen, parse
from shared.i18n import N_, _
from shared.poll_answers import check_answers
from shared.queues import rpc

log = logging.getLogger(__name__)

# what the audit log keeps of a new poll: what it asks of whom, when and how
AUDITED_POLL_FIELDS = {
    "kind", "title", "unit_id", "matter", "channels", "secret", "public_results",
    "noticed_on", "opens_at", "closes_at", "online_opt_in", "questions",
}  # fmt: skip
FIRST_CARD = 1  # the version of every card printed when a poll opens
SEAL_AFTER = timedelta(seconds=5)  # a secret ballot still unsealed this long: its writer died
WRONG_CARD = N_(
    "Mã phiếu không đúng hoặc đã được thay bằng phiếu mới. Vui lòng kiểm tra lại mã in "
    "trên phiếu, hoặc liên hệ tổ trưởng, trưởng thôn để được cấp phiếu mới."
)


class BallotEntrypoints(SurveysBase):
    # --- polls --------------------------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def create_poll(self, payload: dict) -> dict:
        command = parse(CreatePoll, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        earlier = self.store.get_poll(command.request_id)
        if earlier is not None:
            return earlier.model_dump(mode="json")  # the same form, submitted again
        overview = self._overview(command.commune_id)
        names = {item.unit.id: item.unit.name for item in overview.residential_units}
        names[overview.commune.id] = overview.commune.name
        if command.unit_id not in names:
            raise InvalidInput(
                fields={"unit_id": _("Vui lòng chọn xã, phường hoặc một thôn, tổ dân phố của nó.")}
            )
        query = CountHouseholds(unit_id=command.unit_id, as_of=vietnam_day(utcnow()))
        households = self._ask_directory("count_households", query.model_dump(mode="json"))
        domain.check_new_poll(command, households["count"])
        poll = Poll(
            id=command.request_id,
            unit_name=names[command.unit_id],
            status=PollStatus.SCHEDULED,
            created_by=command.actor,
            created_at=utcnow(),
            **command.model_dump(exclude={"actor", "request_id"}),
        )
        entry = AuditEntry(
            at=poll.created_at,
            actor=command.actor,
            action="create_poll",
            target=poll.id,
            commune_id=poll.commune_id,
            before=None,
            after=poll.model_dump(mode="json", include=AUDITED_POLL_FIELDS),
        )
        document = {
            "_id": poll.id,
            **poll.model_dump(exclude={"id"}),
            "key": secrets.token_bytes(32),
        }
        self.store.insert_poll(document, [audit_item(entry)])
        self.store.relay_events(self.dispatch, only=("polls", poll.id))
        return self._poll(poll.id).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_polls(self, payload: dict) -> dict:
        query = parse(ListPolls, payload)
        documents = self.store.poll_documents(query.commune_id, query.include_scheduled)
        return PollList(polls=[poll_of(d) for d in documents]).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_poll(self, payload: dict) -> dict:
        return self._poll(parse(PollRef, payload).poll_id).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def poll_participants(self, payload: dict) -> dict:
        """For the notifications service: who to tell about what came of their answers."""
        poll = self._poll(parse(PollRef, payload).poll_id)
        codes = self.store.participating_households(poll.id)
        return HouseholdCodes(
            poll_id=poll.id, commune_id=poll.commune_id, household_codes=codes
        ).model_dump(mode="json")

    @timer(interval=2)
    def open_due_polls(self) -> None:
        """Open the polls whose time has come, freezing their electorate (Law 10/2022
        Art 21.1: the threshold counts ALL households, as they were when it opened)."""
        now = utcnow()
        for poll_id in self.store.due_poll_ids(now):
            document = self.store.claim_poll(poll_id, now)
            if document is None:
                continue  # another instance is opening it
            try:
                self._open(poll_of(document))
            except Exception:
                self.store.release_poll(poll_id)  # the next tick tries again
                log.exception("opening poll %s failed; will try again", poll_id)

    def _open(self, poll: Poll) -> None:
        """Every step is safe to repeat: the directory keeps the first electorate frozen
        under a reference, electors already stored stay, and the poll opens once."""
        electorate = None
        if poll.kind != PollKind.SATISFACTION:  # anyone answers a satisfaction survey
            electorate = self._freeze(poll, self._overview(poll.commune_id))
        event = PollOpened(
            **poll_event_fields(poll), households=electorate.total if electorate else 0
        )
        fields = {"electorate": electorate.model_dump() if electorate else None}
        if self.store.mark_open(poll.id, fields, [event_item(event)]):
            self.store.relay_events(self.dispatch, only=("polls", poll.id))

    def _freeze(self, poll: Poll, overview: CommuneOverview) -> ElectorateSummary:
        if poll.unit_id == poll.commune_id:
            unit_ids = [item.unit.id for item in overview.residential_units]
        else:
            unit_ids = [poll.unit_id]
        names = {**overview.unit_names, poll.unit_id: poll.unit_name}
        names.update({item.unit.id: item.unit.name for item in overview.residential_units})
        today = vietnam_day(utcnow())
        by_unit: dict[str, int] = {}
        for unit_id in unit_ids:
            reference = "poll-" + hashlib.sha1(f"{poll.id}:{unit_id}".encode()).hexdigest()[:24]
            command = FreezeElectorate(reference=reference, unit_id=unit_id, as_of=today)
            frozen = Electorate.model_validate(
                self._ask_directory("freeze_electorate", command.model_dump(mode="json"))
            )
            self.store.add_electors(poll.id, unit_id, frozen.household_codes)
            if poll.secret:
                self.store.add_boxes(poll.id, unit_id)
            by_unit[unit_id] = frozen.count
        return ElectorateSummary(
            as_of=today,
            total=sum(by_unit.values()),
            by_unit=by_unit,
            unit_names={unit_id: names.get(unit_id, unit_id) for unit_id in unit_ids},
        )

    # --- cards --------------------------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def issue_cards(self, payload: dict) -> dict:
        command = parse(IssueCards, payload)
        document = self._poll_document(command.poll_id)
        poll = poll_of(document)
        self._require(command.actor, command.unit_id, COUNTING_ROLES)
        if poll.electorate is None or poll.status != PollStatus.OPEN:
            raise PollNotOpen(
                _("Phiếu được in khi cuộc lấy ý kiến, biểu quyết đã mở và đã chốt danh sách hộ.")
            )
        if command.unit_id not in poll.electorate.by_unit:
            raise InvalidInput(fields={"unit_id": _("Thôn, tổ dân phố này không thuộc phạm vi.")})
        key = document["key"]
        if command.household_code is None:
            electors = [
                (e["household"], e["card_version"])
                for e in self.store.electors_of_unit(poll.id, command.unit_id)
            ]
        else:
            electors = [(command.household_code, self._reissue(poll, command))]
        cards = [
            BallotCard(
                poll_id=poll.id,
                household_code=household,
                unit_id=command.unit_id,
                card_code=ballot_codes.card_code(key, poll.id, household, version),
                version=version,
            )
            for household, version in electors
        ]
        unit_name = poll.electorate.unit_names.get(command.unit_id, command.unit_id)
        return CardSheet(poll=poll, unit_name=unit_name, cards=cards).model_dump(mode="json")

    def _reissue(self, poll: Poll, command: IssueCards) -> int:
        household = command.household_code
        assert household is not None
        elector = self.store.elector(poll.id, household)
        if elector is None or elector["unit_id"] != command.unit_id:
            raise NotFound(
                _("Hộ {household} không có trong danh sách hộ của thôn, tổ này.").format(
                    household=household
                )
            )
        entry = AuditEntry(
            at=utcnow(),
            actor=command.actor,
            action="reissue_ballot_card",
            target=f"{poll.id}:{household}",
            commune_id=poll.commune_id,
            before=None,
            after={"household_code": household, "unit_id": command.unit_id},
        )
        # the entry first: a reissue may be recorded and not done, never done unrecorded
        self.store.add_pending(poll.id, [audit_item(entry)])
        version = self.store.new_card_version(poll.id, household)
        self.store.relay_events(self.dispatch, only=("polls", poll.id))
        return version

    # --- the resident's ballot ----------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def open_ballot(self, payload: dict) -> dict:
        """The card's page: ONE read, the household's elector document, which holds
        its card's version and, once it took part, its participation."""
        _document, poll, elector = self._card(parse(OpenBallot, payload).card_code)
        self._check_online(poll)
        taken = elector if "channel" in elector else None
        now = utcnow()
        if taken is not None:
            state = BallotState.ALREADY_VOTED
        elif poll.status == PollStatus.SCHEDULED or now < poll.opens_at:
            state = BallotState.NOT_YET_OPEN
        elif poll.status != PollStatus.OPEN or now >= poll.closes_at:
            state = BallotState.CLOSED
        else:
            state = BallotState.READY
        return BallotView(
            poll=poll,
            household_code=elector["household"],
            unit_name=self._unit_name(poll, elector["unit_id"]),
            state=state,
            voted_by=taken["channel"] if taken else None,
            voted_at=taken["at"] if taken else None,
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def cast_ballot(self, payload: dict) -> dict:
        """ONE conditional write in the common case (a first card, a first ballot):
        the card is checked by its HMAC under the open poll's key, which needs no
        read, and the write itself refuses a replaced card and a second ballot."""
        command = parse(CastBallot, payload)
        document, poll, household, version = self._card_to_cast(command.card_code)
        self._check_online(poll)
        receipt = ballot_codes.receipt_code(
            document["key"], poll.id, household, command.submission_id
        )
        try:
            self._check_open(poll)
        except PollNotOpen:  # the same ballot sent again just after closing: its receipt
            earlier = self.store.participation(poll.id, household)
            if earlier is None or not self._same_ballot(earlier, receipt):
                raise
        else:
            answers = check_answers(poll.questions, command.answers)
            ballot = self._ballot(poll, receipt, answers)
            earlier = self.store.take_part(poll.id, household, version, ballot)
            if earlier is None:  # a replaced card, or took part already (or a retry)
                earlier = self._why_not_taken(poll, household, version)
        if not self._same_ballot(earlier, receipt):
            channel = Channel(earlier["channel"])
            how, at = TOOK_PART_VI[channel], earlier["at"].astimezone(VIETNAM)
            if poll.secret:  # a secret ballot keeps the day only
                said = _(
                    "Hộ {household} đã tham gia {how} ngày {day}. "
                    "Mỗi hộ chỉ có một phiếu (Luật Thực hiện dân chủ ở cơ sở, Điều 21)."
                ).format(household=household, how=how, day=f"{at:%d/%m/%Y}")
            else:  # the time apart, so the gateway tells this message from the one above
                said = _(
                    "Hộ {household} đã tham gia {how} lúc {time} ngày {day}. "
                    "Mỗi hộ chỉ có một phiếu (Luật Thực hiện dân chủ ở cơ sở, Điều 21)."
                ).format(household=household, how=how, time=f"{at:%H:%M}", day=f"{at:%d/%m/%Y}")
            raise AlreadyVoted(said)
        if "_seal" in earlier:
            self.store.seal(earlier)
        # a secret ballot keeps the day only; the resident sees when it was accepted
        cast_at = utcnow() if poll.secret else earlier["at"]
        return BallotReceipt(
            poll_id=poll.id, receipt_code=receipt, cast_at=cast_at, channel=Channel.ONLINE
        ).model_dump(mode="json")

    def _why_not_taken(self, poll: Poll, household: str, version: int) -> dict[str, Any]:
        """The household's participation, when its ballot was not written because it
        had taken part; NotFound when its card was replaced by a newer one."""
        elector = self.store.elector(poll.id, household)
        if elector is None or elector["card_version"] != version or "channel" not in elector:
            raise NotFound(WRONG_CARD)
        return elector

    def _ballot(self, poll: Poll, receipt: str, answers: dict) -> dict[str, Any]:
        """What a household's online ballot writes on its elector document."""
        now = utcnow()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as BSON keeps it
        ballot = {"channel": Channel.ONLINE.value}
        if not poll.secret:
            return {
                **ballot,
                "at": now,
                "receipt_hash": ballot_codes.receipt_hash(receipt),
                "answers": answers,
            }
        # Secret ballot (Law 10/2022 Art 9): the day only, a mark that tells a retry
        # and, until sealed into the box, the answers under the receipt's hash.
        return {
            **ballot,
            "at": stored(vietnam_day(now)),
            "mark": ballot_codes.participation_mark(receipt),
            "_seal": {"r": ballot_codes.receipt_hash(receipt), "answers": answers, "since": now},
        }

    @staticmethod
    def _same_ballot(participation: dict[str, Any], receipt: str) -> bool:
        """Is this participation the ballot this receipt was given for (a retry)?"""
        if "mark" in participation:
            return participation["mark"] == ballot_codes.participation_mark(receipt)
        return participation.get("receipt_hash") == ballot_codes.receipt_hash(receipt)

    @timer(interval=10)  # it reads the ballots of open secret polls (no index serves it)
    def seal_interrupted_ballots(self) -> None:
        """Finish sealing secret ballots whose writer died between its two writes
        (until then they are counted where they are: see online_rows)."""
        for document in self.store.unsealed(SEAL_AFTER):
            self.store.seal(document)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def check_receipt(self, payload: dict) -> dict:
        code = parse(CheckReceipt, payload).receipt_code
        found = self.store.find_receipt(ballot_codes.receipt_hash(code))
        kept = self.store.open_poll(found[0]) if found else None
        if found is None or kept is None:
            raise NotFound(
                _(
                    "Không tìm thấy biên nhận này. Vui lòng kiểm tra lại mã biên nhận "
                    "(12 ký tự, ví dụ ABCD-EFGH-JKLM)."
                )
            )
        poll = kept[1]
        return ReceiptStatus(
            counted=True,
            poll_id=poll.id,
            poll_title=poll.title,
            poll_kind=poll.kind,
            poll_status=poll.status,
            secret=poll.secret,
            public_results=poll.public_results,
            cast_on=found[1],
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def answer_satisfaction(self, payload: dict) -> dict:
        """Law 10/2022 Art 35.2.a: anyone may answer, anonymously."""
        command = parse(AnswerSatisfaction, payload)
        document = self._poll_document(command.poll_id)
        poll = poll_of(document)
        if poll.kind != PollKind.SATISFACTION:
            raise NotFound(_("Không tìm thấy khảo sát này."))
        receipt = ballot_codes.receipt_code(document["key"], poll.id, "anon", command.submission_id)
        now = utcnow()
        if self.store.satisfaction_answer(poll.id, command.submission_id) is None:
            self._check_open(poll)
            answers = check_answers(poll.questions, command.answers)
            sent = self.store.count_sender(poll.id, command.client_key, now)
            if sent > domain.SATISFACTION_PER_CLIENT_PER_DAY:
                raise InvalidInput(
                    _(
                        "Bạn đã gửi nhiều lần trong hôm nay. Xin cảm ơn ý kiến của bạn; "
                        "vui lòng quay lại vào ngày mai."
                    )
                )
            self.store.add_satisfaction(
                poll.id,
                command.submission_id,
                answers,
                vietnam_day(now),
                ballot_codes.receipt_hash(receipt),
            )
        return BallotReceipt(
            poll_id=poll.id, receipt_code=receipt, cast_at=now, channel=Channel.ONLINE
        ).model_dump(mode="json")

    # --- helpers ------------------------------------------------------------------

    def _poll_document(self, poll_id: str) -> dict[str, Any]:
        document = self.store.get_poll_document(poll_id)
        if document is None:
            raise NotFound(_("Không tìm thấy cuộc lấy ý kiến, biểu quyết này."))
        return document

    def _card_to_cast(self, card_code: str) -> tuple[dict[str, Any], Poll, str, int]:
        """(poll document, poll, household, card version) of a card code. A card
        never reissued (version 1) of a poll open now is known by its HMAC alone,
        with no read; the write that casts checks the version is still current."""
        parts = ballot_codes.split_card_code(card_code)
        if parts is None:
            raise NotFound(WRONG_CARD)
        household, check = parts
        for poll_id in self.store.open_poll_ids():
            found = self.store.open_poll(poll_id)
            if found is not None and ballot_codes.card_matches(
                found[0]["key"], poll_id, household, FIRST_CARD, check
            ):
                return found[0], found[1], household, FIRST_CARD
        document, poll, elector = self._card(card_code)  # a reissued card: read it
        return document, poll, household, elector["card_version"]

    def _card(self, card_code: str) -> tuple[dict[str, Any], Poll, dict[str, Any]]:
        """The poll (document and contract) and elector a card code belongs to; a
        forged, altered or replaced card matches none (its check code is an HMAC
        under the poll's key)."""
        parts = ballot_codes.split_card_code(card_code)
        if parts is None:
            raise NotFound(WRONG_CARD)
        household, check = parts
        # The common case first: a card of a poll open now, one read by id per open
        # poll (the household's electors by household are a costlier query).
        for poll_id in self.store.open_poll_ids():
            elector = self.store.elector(poll_id, household)
            if elector is not None and (card := self._card_of(elector, check)) is not None:
                return card
        for elector in self.store.electors_of_household(household):
            if (card := self._card_of(elector, check)) is not None:
                return card
        raise NotFound(WRONG_CARD)

    def _card_of(
        self, elector: dict[str, Any], check: str
    ) -> tuple[dict[str, Any], Poll, dict[str, Any]] | None:
        """The card, if `check` is the check code of this elector's current card."""
        found = self.store.open_poll(elector["poll_id"])
        if found is not None and ballot_codes.card_matches(
            found[0]["key"], found[1].id, elector["household"], elector["card_version"], check
        ):
            return found[0], found[1], elector
        return None

    @staticmethod
    def _check_online(poll: Poll) -> None:
        if Channel.ONLINE not in poll.channels:
            ways = [TOOK_PART_VI[c] for c in poll.channels]
            kind = POLL_KIND_VI[poll.kind]
            if len(ways) == 1:
                said = _(
                    "{kind} “{title}” không nhận phiếu trực tuyến; "
                    "hộ gia đình tham gia {way}. Vui lòng liên hệ tổ trưởng, trưởng thôn."
                ).format(kind=kind, title=poll.title, way=ways[0])
            else:
                said = _(
                    "{kind} “{title}” không nhận phiếu trực tuyến; hộ gia đình tham gia "
                    "{way} hoặc {other}. Vui lòng liên hệ tổ trưởng, trưởng thôn."
                ).format(kind=kind, title=poll.title, way=ways[0], other=ways[-1])
            raise PollNotOpen(said)

    @staticmethod
    def _check_open(poll: Poll) -> None:
        now, kind = utcnow(), POLL_KIND_VI[poll.kind]
        if poll.status == PollStatus.SCHEDULED or now < poll.opens_at:
            raise PollNotOpen(
                _("{kind} “{title}” chưa bắt đầu, mở lúc {moment}.").format(
                    kind=kind, title=poll.title, moment=vietnam_time(poll.opens_at)
                )
            )
        if poll.status != PollStatus.OPEN or now >= poll.closes_at:
            raise PollNotOpen(
                _("{kind} “{title}” đã kết thúc lúc {moment}.").format(
                    kind=kind, title=poll.title, moment=vietnam_time(poll.closes_at)
                )
            )

    @staticmethod
    def _unit_name(poll: Poll, unit_id: str) -> str:
        if poll.electorate is not None:
            return poll.electorate.unit_names.get(unit_id, poll.unit_name)
        return poll.unit_name
