"""Commendations: proposed with the review meeting's minutes, posted on the notice
board for comment, reviewed by the commune's commendation council, decided with the
award in force, or rejected; revocable with a reason; shown on the honour board
(law brief §3; Law 06/2022; Decree 152/2025; Law 10/2022 Art 8.4, 33, 38.5)."""

import base64
import binascii
from datetime import date, timedelta
from typing import Any

from services.recognition import domain
from services.recognition.base import (
    READING_ROLES,
    STAFF_ROLES,
    RecognitionBase,
    nomination_contract,
    today,
)
from shared.chassis import event_item, utcnow
from shared.contracts.disclosures import DisclosureCategory, DisclosureForm, PostDisclosure
from shared.contracts.feedback import StoredFile
from shared.contracts.recognition import (
    TITLE_NAMES_VI,
    CertificateQuery,
    CommendationCertificate,
    CommendationDecided,
    Comment,
    CommentOnNominees,
    CommentReceipt,
    CouncilVote,
    DecideCommendation,
    DisclosureRequested,
    HonourBoard,
    HonourEntry,
    HonourQuery,
    ListNominations,
    NominationRef,
    Nominations,
    NominationStatus,
    OpenPostings,
    PhotoRef,
    Posting,
    PostingComments,
    PostingRef,
    Postings,
    PostNominees,
    ProposeCommendation,
    ProposedBy,
    ReasonedChange,
    Recipient,
    RecordCouncilVote,
    SetPhoto,
    Title,
)
from shared.contracts.staff import Role, RoleHolders, Usernames
from shared.disclosure_periods import is_late
from shared.errors import WIRE_ERRORS, Conflict, Forbidden, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.ids import new_code
from shared.queues import rpc
from shared.uploads import clean_attachment, clean_photo

S = NominationStatus
# Who may propose for whom: staff for the commune's agencies and for a year-end
# conference (they bring its minutes), an inspector for the Inspection Board; the
# head of a thôn / tổ dân phố for their conference too (below: a role on a unit).
PROPOSERS = {
    ProposedBy.COMMUNE: STAFF_ROLES,
    ProposedBy.YEAR_END_CONFERENCE: STAFF_ROLES,
    ProposedBy.INSPECTION_BOARD: STAFF_ROLES | {Role.INSPECTOR},
}


def _decoded(data_base64: str, field: str) -> bytes:
    try:
        return base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(fields={field: _("Tệp gửi lên bị hỏng; hãy chọn lại.")}) from None


def _quota_key(nomination: dict[str, Any]) -> str:
    return f"{nomination['commune_id']}|{nomination['year']}|{nomination['recipient']['unit']}"


class CommendationEntrypoints(RecognitionBase):
    @rpc(expected_exceptions=WIRE_ERRORS)
    def propose(self, payload: dict) -> dict:
        command = parse(ProposeCommendation, payload)
        if not self._may_propose(command.actor, command.commune_id, command.proposed_by):
            raise Forbidden(self.FORBIDDEN)
        if (earlier := self.store.nomination(command.request_id)) is not None:
            return nomination_contract(earlier).model_dump(mode="json")  # the form sent twice
        domain.check_recipient(command.title, command.recipient)
        key = domain.recipient_key(command.recipient)
        domain.check_rewarded_once(
            command.title,
            command.year,
            command.achievement,
            self.store.standing_of(command.commune_id, key),
            command.recipient,
        )
        data = _decoded(command.minutes.data_base64, "minutes")
        try:
            minutes, content_type, filename = clean_attachment(data, command.minutes.filename)
        except InvalidInput as refused:
            raise InvalidInput(fields={"minutes": refused.detail}) from None
        self.store.save_file(f"{command.request_id}:minutes", content_type, filename, minutes)
        document = {
            "_id": command.request_id,
            "commune_id": command.commune_id,
            "year": command.year,
            "title": command.title.value,
            "recipient": command.recipient.model_dump(mode="json"),
            "recipient_key": key,
            "achievement": command.achievement,
            "achievement_key": domain.achievement_key(
                command.recipient, command.year, command.achievement
            ),
            "proposed_by": command.proposed_by.value,
            "status": S.PROPOSED.value,
            "minutes_filename": filename,
            "comments": 0,
            "has_photo": False,
            "history": [self._entry(command.actor, "proposed")],
        }
        audit = self._audit(
            command.actor, "propose_commendation", command.request_id, command.commune_id,
            after={"title": command.title.value, "recipient": command.recipient.name},
        )  # fmt: skip
        if self.store.insert_once("nominations", document, [audit]):
            self._relay("nominations", command.request_id)
        return nomination_contract(self._nomination(command.request_id)).model_dump(mode="json")

    def _may_propose(self, actor: str, commune_id: str, proposed_by: ProposedBy) -> bool:
        """The head of a thôn / tổ dân phố chairs its year-end conference, which
        commends households and individuals (Law 10/2022 Art 33; Decree 59/2023 Art 11)."""
        if self._roles(actor, commune_id) & PROPOSERS[proposed_by]:
            return True
        if proposed_by != ProposedBy.YEAR_END_CONFERENCE:
            return False
        query = RoleHolders(commune_id=commune_id, role=Role.GROUP_HEAD).model_dump()
        heads = Usernames.model_validate(self._ask_directory("role_holders", query)).usernames
        return actor in heads

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_nominations(self, payload: dict) -> dict:
        query = parse(ListNominations, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        statuses = [query.status.value] if query.status else None
        found = self.store.nominations_in(query.commune_id, query.year, statuses)
        return Nominations(nominations=[nomination_contract(n) for n in found]).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_nomination(self, payload: dict) -> dict:
        query = parse(NominationRef, payload)
        nomination = self._nomination(query.nomination_id)
        self._require(query.actor, nomination["commune_id"], READING_ROLES)
        return nomination_contract(nomination).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def nomination_minutes(self, payload: dict) -> dict:
        query = parse(NominationRef, payload)
        nomination = self._nomination(query.nomination_id)
        self._require(query.actor, nomination["commune_id"], READING_ROLES)
        return self._file(f"{query.nomination_id}:minutes")

    # --- public comment ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def post_nominees(self, payload: dict) -> dict:
        """The list goes on the notice board, through the notifications service, for the
        book's number of days (UNCONFIRMED in law: a rule the commune sets)."""
        command = parse(PostNominees, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        if (earlier := self.store.posting(command.request_id)) is None:
            chosen = self.store.nominations(command.nomination_ids)
            proposed = [
                n for n in chosen
                if n["commune_id"] == command.commune_id and n["status"] == S.PROPOSED.value
            ]  # fmt: skip
            if not proposed:
                raise InvalidInput(
                    fields={"nomination_ids": _("Chọn ít nhất một đề nghị chưa niêm yết.")}
                )
            day = command.posted_on or today()
            if day > today() or day < today() - timedelta(days=90):
                raise InvalidInput(
                    fields={
                        "posted_on": _("Ngày niêm yết phải trong 90 ngày qua, không sau hôm nay.")
                    }
                )
            days = command.days or int(
                self._book(command.commune_id).needed("comment_days", day, "days")
            )
            posting = {
                "_id": command.request_id,
                "commune_id": command.commune_id,
                "year": proposed[0]["year"],
                "posted_on": day.isoformat(),
                "comment_until": (day + timedelta(days=days - 1)).isoformat(),
                "nomination_ids": [n["_id"] for n in proposed],
            }
            event = DisclosureRequested(
                event_id=f"posting:{command.request_id}",
                occurred_at=utcnow(),
                disclosure=self._nominee_list(command.actor, posting, proposed),
            )
            audit = self._audit(
                command.actor, "post_nominees", command.request_id, command.commune_id,
                after={"nominations": len(proposed), "comment_until": posting["comment_until"]},
            )  # fmt: skip
            self.store.insert_once("postings", posting, [event_item(event), audit])
            self._relay("postings", command.request_id)
            earlier = posting
        # again after a crash between the two writes: only those still proposed move
        self.store.post_all(
            earlier["nomination_ids"], earlier, self._entry(command.actor, "posted")
        )
        return self._posting(earlier).model_dump(mode="json")

    def _nominee_list(self, actor: str, posting: dict, nominations: list[dict]) -> PostDisclosure:
        until = posting["comment_until"]
        lines = [
            f"- {n['recipient']['name']} ({n['recipient']['unit']}): "
            f"{TITLE_NAMES_VI[Title(n['title'])]}. {n['achievement']}"
            for n in nominations
        ]
        day = date.fromisoformat(posting["posted_on"])
        late = is_late(day, day, today())
        return PostDisclosure(
            actor=actor,
            commune_id=posting["commune_id"],
            request_id=posting["_id"],
            category=DisclosureCategory.OTHER,
            title=_("Lấy ý kiến Nhân dân về danh sách đề nghị khen thưởng năm {year}").format(
                year=posting["year"]
            ),
            summary="\n".join(
                [
                    _("Danh sách đề nghị khen thưởng, lấy ý kiến đến hết ngày {day}:").format(
                        day=f"{date.fromisoformat(until):%d/%m/%Y}"
                    ),
                    *lines,
                    _("Góp ý tại {address} hoặc tại trụ sở Ủy ban nhân dân.").format(
                        address=f"/khen-thuong/{posting['commune_id']}/lay-y-kien"
                    ),
                ]
            )[:10000],
            decision_ref=_("Danh sách đề nghị khen thưởng năm {year}").format(year=posting["year"]),
            decision_date=day,
            posted_from=day,
            posted_to=date.fromisoformat(until),
            forms=[DisclosureForm.POSTING, DisclosureForm.PORTAL],
            late_reason=_(
                "Danh sách đã niêm yết tại trụ sở từ ngày {day}; nay đăng lên cổng thông tin."
            ).format(day=f"{day:%d/%m/%Y}")
            if late
            else None,
        )

    def _posting(self, posting: dict[str, Any]) -> Posting:
        return Posting(
            posting_id=posting["_id"],
            commune_id=posting["commune_id"],
            year=posting["year"],
            posted_on=posting["posted_on"],
            comment_until=posting["comment_until"],
            nominations=[
                nomination_contract(n) for n in self.store.nominations(posting["nomination_ids"])
            ],
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def open_postings(self, payload: dict) -> dict:
        query = parse(OpenPostings, payload)
        found = self.store.open_postings(query.commune_id, query.on)
        return Postings(postings=[self._posting(p) for p in found]).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def comment(self, payload: dict) -> dict:
        """Anyone may comment while the list is posted; every comment has a receipt."""
        command = parse(CommentOnNominees, payload)
        posting = self.store.posting(command.posting_id)
        if posting is None:
            raise NotFound(_("Không tìm thấy danh sách đề nghị khen thưởng này."))
        day = today().isoformat()
        if not posting["posted_on"] <= day <= posting["comment_until"]:
            raise Conflict(
                _("Đã hết thời gian lấy ý kiến về danh sách này (đến hết ngày {day}).").format(
                    day=f"{date.fromisoformat(posting['comment_until']):%d/%m/%Y}"
                )
            )
        if command.nomination_id and command.nomination_id not in posting["nomination_ids"]:
            raise InvalidInput(fields={"nomination_id": _("Người này không có trong danh sách.")})
        stored = self.store.add_comment(
            {
                "_id": command.request_id,
                "receipt": f"YK-{new_code(8)}",
                "posting_id": command.posting_id,
                "nomination_id": command.nomination_id,
                "name": command.name,
                "contact": command.contact,
                "text": command.text,
                "received_at": utcnow(),
            }
        )
        return CommentReceipt(
            receipt=stored["receipt"],
            posting_id=command.posting_id,
            received_at=stored["received_at"],
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def posting_comments(self, payload: dict) -> dict:
        query = parse(PostingRef, payload)
        posting = self.store.posting(query.posting_id)
        if posting is None:
            raise NotFound(_("Không tìm thấy danh sách đề nghị khen thưởng này."))
        self._require(query.actor, posting["commune_id"], READING_ROLES)
        comments = [
            Comment(**{k: c[k] for k in Comment.model_fields})
            for c in self.store.comments_on(query.posting_id)
        ]
        return PostingComments(posting_id=query.posting_id, comments=comments).model_dump(
            mode="json"
        )

    # --- the council and the decision ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_council_vote(self, payload: dict) -> dict:
        command = parse(RecordCouncilVote, payload)
        nomination = self._nomination(command.nomination_id)
        self._require(command.actor, nomination["commune_id"], STAFF_ROLES)
        if nomination["status"] != S.POSTED.value:
            raise Conflict(_("Hội đồng chỉ xét đề nghị đã niêm yết lấy ý kiến và chưa được xét."))
        until = nomination.get("comment_until")
        domain.check_council_date(
            command.vote.met_on, date.fromisoformat(until) if until else None, today()
        )
        vote = command.vote.model_dump(mode="json")
        v = command.vote
        note = _(
            "{agree}/{members} thành viên đồng ý, {against} không đồng ý, {present} có mặt"
        ).format(agree=v.votes_for, members=v.members, against=v.votes_against, present=v.present)
        # the audit in words: its field names are read as the directory's ("members")
        audit = self._audit(
            command.actor, "record_council_vote", command.nomination_id,
            nomination["commune_id"], after={"met_on": vote["met_on"], "note": note},
        )  # fmt: skip
        return self._moved(
            command.nomination_id, [S.POSTED], {"status": S.REVIEWED.value, "council": vote},
            self._entry(command.actor, "reviewed", note), [audit],
        )  # fmt: skip

    @rpc(expected_exceptions=WIRE_ERRORS)
    def decide(self, payload: dict) -> dict:
        """The authority's decision, with the award in force that day. The decision
        number is claimed first and the unit's quota counted, then the nomination
        moves; if it cannot, both are given back."""
        command = parse(DecideCommendation, payload)
        nomination = self._nomination(command.nomination_id)
        commune_id = nomination["commune_id"]
        self._require(command.actor, commune_id, STAFF_ROLES)
        if nomination["status"] != S.REVIEWED.value:
            raise Conflict(_("Chỉ quyết định khen thưởng đề nghị đã được Hội đồng xét."))
        book = self._book(commune_id)
        day = command.decided_on
        council = nomination["council"]
        vote = CouncilVote.model_validate(council)
        if not domain.council_approves(
            vote, int(book.needed("council_pass_percent", day, "decided_on"))
        ):
            raise Conflict(
                _(
                    "Hội đồng thi đua, khen thưởng không đồng ý đề nghị này "
                    "({agree}/{members} thành viên đồng ý): không thể quyết định khen thưởng."
                ).format(agree=vote.votes_for, members=vote.members)
            )
        domain.check_decision_day(day, vote.met_on, today())
        title = Title(nomination["title"])
        authority = str(book.needed(f"authority.{title.value}", day, "decided_on"))
        multiple = float(book.needed(f"multiple.{title.value}", day, "decided_on"))
        award = domain.award(multiple, int(book.needed("base_salary", day, "decided_on")))
        number_key = domain.decision_key(authority, day.year, command.decision_number)
        if not self.store.claim_number(number_key, command.nomination_id):
            raise domain.duplicate_number(command.decision_number, authority, day.year)
        try:
            counted = self._count_title(nomination, book, day)
        except Exception:  # refused by the cap or the criteria: the number is free again
            self.store.release_number(number_key, command.nomination_id)
            raise
        code = f"KT-{new_code(8)}"
        fields = {
            "status": S.DECIDED.value,
            "authority": authority,
            "decision_number": command.decision_number,
            "decision_key": number_key,
            "decided_on": day.isoformat(),
            "award": award.model_dump(),
            "certificate_code": code,
        }
        decided = CommendationDecided(
            event_id=f"decided:{command.nomination_id}",
            occurred_at=utcnow(),
            decision_id=command.nomination_id,
            commune_id=commune_id,
            recipient=Recipient.model_validate(nomination["recipient"]).owner,
            form=f"{TITLE_NAMES_VI[title]} ({authority})",
            reason=nomination["achievement"],
            decision_ref=_("Quyết định số {number}").format(number=command.decision_number),
            decided_on=day,
        )
        audit = self._audit(
            command.actor, "decide_commendation", command.nomination_id, commune_id,
            after={"decision_number": command.decision_number, "amount": award.amount},
        )  # fmt: skip
        moved = self.store.move(
            command.nomination_id, [S.REVIEWED.value], fields,
            self._entry(
                command.actor,
                "decided",
                _("Quyết định số {number}").format(number=command.decision_number),
            ),
            [event_item(decided), audit],
        )  # fmt: skip
        if moved is None:  # decided or rejected meanwhile: give back what was taken
            self.store.release_number(number_key, command.nomination_id)
            if counted:
                self.store.count_in_quota(_quota_key(nomination), counted, -1)
            raise Conflict(_("Đề nghị này vừa được xử lý; hãy tải lại trang."))
        self._relay("nominations", command.nomination_id)
        return nomination_contract(self._nomination(command.nomination_id)).model_dump(mode="json")

    def _count_title(self, nomination: dict, book: Any, day: Any) -> str | None:
        """Count a Lao động tiên tiến in its unit's quota, or take a Chiến sĩ thi đua
        cơ sở place under the cap; which counter it used, if any."""
        title, key = nomination["title"], _quota_key(nomination)
        if title == Title.ADVANCED_WORKER.value:
            self.store.count_in_quota(key, "advanced", 1)
            return "advanced"
        if title != Title.GRASSROOTS_EMULATION_FIGHTER.value:
            return None
        has_advanced = any(
            n["title"] == Title.ADVANCED_WORKER.value
            and n["year"] == nomination["year"]
            and n["status"] == S.DECIDED.value
            for n in self.store.standing_of(nomination["commune_id"], nomination["recipient_key"])
        )
        quota = self.store.quota(key)
        cap = int(book.needed("cstdcs_cap_percent", day, "decided_on"))
        domain.check_fighter_quota(has_advanced, quota["advanced"], quota["fighters"], cap)
        if not self.store.take_fighter_place(key, quota["advanced"], quota["fighters"]):
            raise Conflict(_("Số Chiến sĩ thi đua cơ sở của đơn vị vừa thay đổi; hãy thử lại."))
        return "fighters"

    @rpc(expected_exceptions=WIRE_ERRORS)
    def reject(self, payload: dict) -> dict:
        command = parse(ReasonedChange, payload)
        nomination = self._nomination(command.nomination_id)
        self._require(command.actor, nomination["commune_id"], STAFF_ROLES)
        audit = self._audit(
            command.actor, "reject_commendation", command.nomination_id,
            nomination["commune_id"], after={"reason": command.reason},
        )  # fmt: skip
        return self._moved(
            command.nomination_id, [S.PROPOSED, S.POSTED, S.REVIEWED],
            {"status": S.REJECTED.value, "rejected_reason": command.reason},
            self._entry(command.actor, "rejected", command.reason), [audit],
        )  # fmt: skip

    @rpc(expected_exceptions=WIRE_ERRORS)
    def revoke(self, payload: dict) -> dict:
        """Law 06/2022 Ch. VII: fraud, a falsified dossier, a later finding. The history
        stays; the honour board drops it; the decision number stays used."""
        command = parse(ReasonedChange, payload)
        nomination = self._nomination(command.nomination_id)
        self._require(command.actor, nomination["commune_id"], STAFF_ROLES)
        audit = self._audit(
            command.actor, "revoke_commendation", command.nomination_id,
            nomination["commune_id"], after={"reason": command.reason},
        )  # fmt: skip
        reply = self._moved(
            command.nomination_id, [S.DECIDED],
            {"status": S.REVOKED.value, "revoked_reason": command.reason},
            self._entry(command.actor, "revoked", command.reason), [audit],
        )  # fmt: skip
        counter = {Title.ADVANCED_WORKER.value: "advanced"}.get(nomination["title"])
        counter = counter or {Title.GRASSROOTS_EMULATION_FIGHTER.value: "fighters"}.get(
            nomination["title"]
        )
        if counter:
            self.store.count_in_quota(_quota_key(nomination), counter, -1)
        return reply

    @rpc(expected_exceptions=WIRE_ERRORS)
    def set_photo(self, payload: dict) -> dict:
        command = parse(SetPhoto, payload)
        nomination = self._nomination(command.nomination_id)
        self._require(command.actor, nomination["commune_id"], STAFF_ROLES)
        if nomination["status"] != S.DECIDED.value:
            raise Conflict(_("Chỉ thêm ảnh cho khen thưởng đã quyết định."))
        file_id = f"{command.nomination_id}:photo"
        if command.photo is None:
            self.store.drop_file(file_id)
        else:
            try:
                photo, content_type = clean_photo(_decoded(command.photo.data_base64, "photo"))
            except InvalidInput as refused:
                raise InvalidInput(fields={"photo": refused.detail}) from None
            self.store.save_file(file_id, content_type, "anh", photo)
        audit = self._audit(
            command.actor, "set_honour_photo", command.nomination_id, nomination["commune_id"]
        )
        return self._moved(
            command.nomination_id, [S.DECIDED], {"has_photo": command.photo is not None},
            self._entry(command.actor, "photo"), [audit],
        )  # fmt: skip

    # --- public ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def honour_board(self, payload: dict) -> dict:
        query = parse(HonourQuery, payload)
        years = self.store.decided_years(query.commune_id)
        year = query.year or (years[0] if years else None)
        decided = (
            self.store.nominations_in(query.commune_id, year, [S.DECIDED.value]) if year else []
        )
        units = sorted({n["recipient"]["unit"] for n in decided})
        entries = [
            honour_entry(n)
            for n in decided
            if (query.title is None or n["title"] == query.title.value)
            and (query.unit is None or n["recipient"]["unit"] == query.unit)
        ]
        entries.sort(key=lambda e: (list(Title).index(e.title), e.unit, e.name))
        board = HonourBoard(
            commune_id=query.commune_id, year=year, years=years, units=units, entries=entries
        )
        return board.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def honour_photo(self, payload: dict) -> dict:
        query = parse(PhotoRef, payload)
        nomination = self.store.nomination(query.nomination_id)
        if nomination is None or nomination["status"] != S.DECIDED.value:
            raise NotFound(_("Không có ảnh này."))
        return self._file(f"{query.nomination_id}:photo")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def certificate(self, payload: dict) -> dict:
        query = parse(CertificateQuery, payload)
        nomination = self.store.by_certificate(query.code.strip().upper())
        if nomination is None:
            raise NotFound(_("Mã giấy khen không đúng: không có khen thưởng nào mang mã này."))
        return CommendationCertificate(
            entry=honour_entry(nomination),
            commune_id=nomination["commune_id"],
            award=nomination.get("award"),
            code=nomination["certificate_code"],
            revoked_reason=nomination.get("revoked_reason"),
        ).model_dump(mode="json")

    # --- helpers ---

    def _entry(self, actor: str, action: str, note: str = "") -> dict[str, Any]:
        return {"at": utcnow(), "actor": actor, "action": action, "note": note}

    def _moved(
        self, nomination_id: str, from_statuses: list[NominationStatus], fields: dict,
        entry: dict, items: list[dict],
    ) -> dict:  # fmt: skip
        moved = self.store.move(
            nomination_id, [s.value for s in from_statuses], fields, entry, items
        )
        if moved is None:
            raise Conflict(_("Không thể thực hiện việc này ở trạng thái hiện tại của đề nghị."))
        self._relay("nominations", nomination_id)
        return nomination_contract(self._nomination(nomination_id)).model_dump(mode="json")

    def _file(self, file_id: str) -> dict:
        stored = self.store.file(file_id)
        if stored is None:
            raise NotFound(_("Không tìm thấy tệp này."))
        return StoredFile(
            content_type=stored["content_type"],
            data_base64=base64.b64encode(stored["data"]).decode(),
            filename=stored.get("filename", ""),
        ).model_dump(mode="json")


def honour_entry(nomination: dict[str, Any]) -> HonourEntry:
    """What the public may see: no household code, no account, no minutes."""
    return HonourEntry(
        nomination_id=nomination["_id"],
        year=nomination["year"],
        title=nomination["title"],
        recipient_kind=nomination["recipient"]["kind"],
        name=nomination["recipient"]["name"],
        unit=nomination["recipient"]["unit"],
        achievement=nomination["achievement"],
        decision_number=nomination["decision_number"],
        decided_on=nomination["decided_on"],
        authority=nomination["authority"],
        has_photo=nomination.get("has_photo", False),
    )
