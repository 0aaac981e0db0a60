"""What residents and the public do: file a case from a phone (no account), follow
it with its receipt code, rate the answer and reopen it once, browse the answered
cases, the reception schedule and the figures (Law 10/2022 Art 35.2.a: a
continuously running system where residents give feedback and rate the commune)."""

import base64
from typing import Any

from services.feedback import domain
from services.feedback.base import (
    READING_ROLES,
    FeedbackBase,
    decoded,
    reached_as,
)
from services.feedback.cases import (
    FILER,
    ONLINE,
    category_names,
    due_fields,
    figures_cell,
    known_personal_data,
    public_case,
    step,
)
from services.feedback.figures import figures_of
from services.feedback.masking import mask_personal_data
from shared.calendar import vietnam_day
from shared.chassis import count_item, event_item, utcnow
from shared.contracts.feedback import (
    CaseReceipt,
    CaseStatus,
    CaseType,
    Categories,
    CommuneQuery,
    FiguresQuery,
    FileCase,
    ListPublicCases,
    PetitionReceived,
    PhotoRef,
    PublicCaseList,
    RateAnswer,
    Rating,
    ReceptionSchedule,
    ReopenCase,
    StoredFile,
    TrackCase,
)
from shared.contracts.households import HouseholdPlace, HouseholdRef
from shared.contracts.staff import Role
from shared.errors import (
    WIRE_ERRORS,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    parse,
)
from shared.i18n import N_, _
from shared.ids import new_id
from shared.queues import rpc
from shared.uploads import clean_photo

NOT_FOUND = N_("Không tìm thấy phản ánh, kiến nghị có mã này. Vui lòng kiểm tra lại mã.")


class FilingEntrypoints(FeedbackBase):
    @rpc(expected_exceptions=WIRE_ERRORS)
    def file_case(self, payload: dict) -> dict:
        """Receive a case and give its receipt at once; the case is stored before
        the receipt is returned, so a receipt shown is a case kept."""
        command = parse(FileCase, payload)
        earlier = self.store.get_case(command.request_id)
        if earlier is not None:  # the same form sent again
            return self._receipt(earlier)
        signed_by = ONLINE
        if command.actor:
            signed_by = self._signed_by(command.actor, command.commune_id, READING_ROLES)
        else:
            self._limit_filings(command)
        case_type = self._type_at_filing(command)
        self._check_place(command)
        if command.category not in {
            c.key for c in self._categories(command.commune_id) if c.active
        }:
            raise InvalidInput(
                fields={"category": _("Vui lòng chọn một lĩnh vực trong danh sách.")}
            )
        household_unit = self._household_unit(command)
        files = [
            self._photo_file(command.request_id, upload.data_base64) for upload in command.photos
        ]
        identity = None
        if command.household or command.contact:
            identity = {
                "_id": command.request_id,
                "household": command.household,
                "contact": command.contact.model_dump() if command.contact else None,
            }
        now = utcnow()
        received = vietnam_day(now)
        known = known_personal_data(identity, command.place.model_dump())
        confidential = CaseType.DENUNCIATION in (command.wants_type, case_type)
        deadlines = (
            domain.deadlines_of(case_type, received, received)
            if case_type
            else domain.deadlines_on_receipt(received)
        )
        status = CaseStatus.ACCEPTED if case_type else CaseStatus.RECEIVED
        unit_id = command.place.unit_id or household_unit
        case = {
            "_id": command.request_id,
            "commune_id": command.commune_id,
            "unit_id": unit_id,
            "handling_unit_id": unit_id or command.commune_id,
            "assignee": None,
            "category": command.category,
            "type": case_type.value if case_type else None,
            "wants_type": command.wants_type.value if command.wants_type else None,
            "status": status.value,
            "complexity": "normal",
            "remote_area": False,
            "title": command.title,
            "text": command.text,
            "public_title": mask_personal_data(command.title, known),
            "public_text": mask_personal_data(command.text, known),
            "place": command.place.model_dump(),
            "photo_ids": [file["_id"] for file in files],
            "anonymous": command.anonymous,
            "confidential": confidential,
            "filed_by": command.actor,
            "reception_id": command.reception_id,
            "received_at": now,
            "accepted_on": received.isoformat() if case_type else None,
            **due_fields(deadlines, status, transferred_out=False),
            "transferred_out": False,
            "extensions": [],
            "transfers": [],
            "timeline": [step(CaseStatus.RECEIVED, now, signed_by)],
            "answer": None,
            "answer_text": None,
            "rating": None,
            "reopened": 0,
            "parent_id": None,
            "children": [],
            "public": False,
            "escalated": False,
            "overdue_announced": False,
        }
        if case_type:
            case["timeline"].append(step(CaseStatus.ACCEPTED, now, signed_by))
        self._insert_new_case(
            case, identity, files, lambda new: self._filing_items(new, command, identity, now)
        )
        if command.reception_id:
            self.store.add_case_to_reception(command.reception_id, command.request_id)
        self._relay(command.request_id)
        return self._receipt(self._case(command.request_id))

    def _filing_items(
        self, case: dict[str, Any], command: FileCase, identity: dict[str, Any] | None, now: Any
    ) -> list[dict]:
        due = case["due"]
        event = PetitionReceived(
            event_id=new_id(),
            occurred_at=now,
            petition_id=case["code"],
            commune_id=case["commune_id"],
            **reached_as(case, identity),
            title=case["public_title"],
            received_at=now,
            answer_due=due,
        )
        key, fields = figures_cell(case)
        items = [event_item(event), count_item("figures", key, {"received": 1}, fields)]
        if command.actor:
            items.append(
                self._audit(command.actor, "file_case", case, after={"code": case["code"]})
            )
        return items

    def _type_at_filing(self, command: FileCase) -> CaseType | None:
        """A case is typed by staff at triage, but for the People's Inspection Board's
        recommendations, which an inspector files with their type (Art 40.1.c)."""
        if command.wants_type != CaseType.INSPECTION_RECOMMENDATION:
            return None
        if not command.actor or Role.INSPECTOR not in self._roles(
            command.actor, command.commune_id
        ):
            raise Forbidden(_("Chỉ thành viên Ban Thanh tra nhân dân gửi kiến nghị của Ban."))
        return CaseType.INSPECTION_RECOMMENDATION

    def _limit_filings(self, command: FileCase) -> None:
        """Floods from one address, household or phone are refused for the hour."""
        sources = [f"a:{command.source}"] if command.source else []
        if command.household:
            sources.append(f"h:{command.household}")
        if command.contact and command.contact.phone:
            sources.append(f"p:{command.contact.phone}")
        now = utcnow()
        hour = int(now.timestamp() // 3600)
        keys = [f"{command.commune_id}:{source}" for source in sources]
        if keys and self.store.count_filing(keys, now, hour) > domain.FILINGS_PER_SOURCE_PER_HOUR:
            raise TooManyRequests(
                _(
                    "Đã nhận {count} phản ánh từ bạn trong giờ này. "
                    "Vui lòng gửi tiếp sau một giờ, hoặc đến Bộ phận tiếp công dân của xã."
                ).format(count=domain.FILINGS_PER_SOURCE_PER_HOUR)
            )

    def _check_place(self, command: FileCase) -> None:
        if command.place.unit_id is None:
            return
        units = {item.unit.id for item in self._overview(command.commune_id).residential_units}
        if command.place.unit_id not in units:
            raise InvalidInput(fields={"unit_id": _("Thôn, tổ dân phố này không thuộc xã.")})

    def _household_unit(self, command: FileCase) -> str | None:
        """The filer's household must live in this commune; its unit is the case's
        unless the place names another."""
        if not command.household:
            return None
        wrong = {"household": _("Mã hộ không đúng hoặc không thuộc xã này.")}
        try:
            reply = self._ask_directory(
                "household_place", HouseholdRef(code=command.household).model_dump()
            )
        except NotFound:
            raise InvalidInput(fields=wrong) from None
        place = HouseholdPlace.model_validate(reply)
        if place.commune_id != command.commune_id:
            raise InvalidInput(fields=wrong)
        return place.unit_id

    def _photo_file(self, case_id: str, data_base64: str) -> dict[str, Any]:
        data, content_type = clean_photo(decoded(data_base64, "photos"))
        return {
            "_id": new_id(),
            "case_id": case_id,
            "kind": "photo",
            "content_type": content_type,
            "filename": "",
            "data": data,
        }

    def _receipt(self, document: dict[str, Any]) -> dict:
        return CaseReceipt(
            case_id=document["_id"],
            code=document["code"],
            received_at=document["received_at"],
            inform_due=document["deadlines"]["inform"],
        ).model_dump(mode="json")

    # --- following a case with its code ---

    def _by_code(self, code: str) -> dict[str, Any]:
        document = self.store.case_by_code(code)
        if document is None:
            raise NotFound(NOT_FOUND)
        return document

    def _for_filer(self, document: dict[str, Any]) -> dict:
        names = category_names(self._categories(document["commune_id"]))
        return public_case(document, names, for_filer=True).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def track_case(self, payload: dict) -> dict:
        return self._for_filer(self._by_code(parse(TrackCase, payload).code))

    @rpc(expected_exceptions=WIRE_ERRORS)
    def rate_answer(self, payload: dict) -> dict:
        """The filer rates the answer once; satisfied closes the case."""
        command = parse(RateAnswer, payload)
        document = self._by_code(command.code)
        status = CaseStatus(document["status"])
        if not domain.may_rate(status, document.get("rating") is not None):
            raise Conflict(_("Câu trả lời này đã được đánh giá, hoặc chưa có câu trả lời."))
        now = utcnow()
        rating = Rating(satisfied=command.satisfied, reason=command.reason, at=now)
        key, fields = figures_cell(document)
        inc = {"rated": 1, "satisfied": int(command.satisfied)}
        items = [count_item("figures", key, inc, fields)] if not document.get("reopened") else []
        changes: dict[str, Any] = {
            "rating": rating.model_dump(),
            "last_satisfied": command.satisfied,
        }
        timeline = [
            step(
                status,
                now,
                FILER,
                _("Người gửi đánh giá: hài lòng")
                if command.satisfied
                else _("Người gửi đánh giá: chưa hài lòng"),
            )
        ]
        if command.satisfied:
            changes["status"] = CaseStatus.CLOSED.value
            changes["open"] = False
            timeline.append(step(CaseStatus.CLOSED, now, FILER))
        updated = self.store.update_case(
            document["_id"], status.value, changes, items, push={"timeline": timeline}
        )
        if updated is None:
            raise Conflict(_("Vụ việc vừa thay đổi; vui lòng tải lại trang."))
        self._relay(document["_id"])
        return self._for_filer(updated)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def reopen_case(self, payload: dict) -> dict:
        """Once, when the filer was not satisfied: the case is handled again, on a new
        answer deadline of its type from today."""
        command = parse(ReopenCase, payload)
        document = self._by_code(command.code)
        status = CaseStatus(document["status"])
        domain.check_reopen(status, document.get("last_satisfied"), document.get("reopened", 0))
        now = utcnow()
        reopened_on = vietnam_day(now)
        case_type = CaseType(document["type"]) if document.get("type") else CaseType.FEEDBACK
        deadlines = domain.deadlines_of(
            case_type,
            vietnam_day(document["received_at"]),
            reopened_on,
            document.get("complexity", "normal"),
            document.get("remote_area", False),
        )
        key, fields = figures_cell(document)
        changes = {
            "status": CaseStatus.IN_PROGRESS.value,
            **due_fields(deadlines, CaseStatus.IN_PROGRESS, transferred_out=False),
            "rating": None,
            "reopened": document.get("reopened", 0) + 1,
            "overdue_announced": False,
            "reopen_reason": command.reason,
        }
        note = _("Mở lại theo yêu cầu của người gửi: {reason}").format(
            reason=mask_personal_data(command.reason, ())
        )
        updated = self.store.update_case(
            document["_id"],
            status.value,
            changes,
            [count_item("figures", key, {"reopened": 1}, fields)],
            push={"timeline": [step(CaseStatus.IN_PROGRESS, now, FILER, note)]},
        )
        if updated is None:
            raise Conflict(_("Vụ việc vừa thay đổi; vui lòng tải lại trang."))
        self._relay(document["_id"])
        return self._for_filer(updated)

    # --- public pages ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_public_cases(self, payload: dict) -> dict:
        """Answered feedback and recommendations, newest answers first, masked."""
        query = parse(ListPublicCases, payload)
        selector: dict[str, Any] = {"commune_id": query.commune_id, "public": True}
        if query.category:
            selector["category"] = query.category
        if query.unit_id:
            selector["unit_id"] = query.unit_id
        found, more = self.store.public_cases(selector, query.page)
        names = category_names(self._categories(query.commune_id))
        cases = [public_case(document, names, for_filer=False) for document in found]
        return PublicCaseList(cases=cases, page=query.page, more=more).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_file(self, payload: dict) -> dict:
        """A case's photo for the filer (by code) or staff (by case id); an answer's
        attachment also for anyone once the answer is public. The file must be one
        of that case's: the cases split from a letter share its photos."""
        ref = parse(PhotoRef, payload)
        file = self.store.file(ref.photo_id)
        case = None
        if ref.code is not None:
            case = self.store.case_by_code(ref.code)
        elif ref.case_id is not None:
            case = self.store.get_case(ref.case_id)
        if file is None or case is None or not self._may_open(ref, file, case):
            raise NotFound(_("Không tìm thấy tệp này."))
        return StoredFile(
            content_type=file["content_type"],
            data_base64=base64.b64encode(file["data"]).decode(),
            filename=file.get("filename", ""),
        ).model_dump(mode="json")

    def _may_open(self, ref: PhotoRef, file: dict[str, Any], case: dict[str, Any]) -> bool:
        attachments = (case.get("answer") or {}).get("attachments", [])
        if file["_id"] not in case.get("photo_ids", []) and file["_id"] not in attachments:
            return False
        if ref.code is not None:  # the filer's own case
            return True
        if ref.actor:
            return bool(self._roles(ref.actor, case["commune_id"]) & READING_ROLES)
        return file["kind"] == "attachment" and case.get("public", False)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_categories(self, payload: dict) -> dict:
        commune_id = parse(CommuneQuery, payload).commune_id
        return Categories(
            commune_id=commune_id, categories=self._categories(commune_id)
        ).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_reception_schedule(self, payload: dict) -> dict:
        commune_id = parse(CommuneQuery, payload).commune_id
        stored = self.store.schedule(commune_id) or {"slots": [], "updated_at": None}
        schedule = ReceptionSchedule(
            commune_id=commune_id, slots=stored["slots"], updated_at=stored["updated_at"]
        )
        return schedule.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def figures(self, payload: dict) -> dict:
        """Cases received, answered on time, handling time, satisfaction and reopens
        per unit and category: from counts kept as cases change, never a recount."""
        query = parse(FiguresQuery, payload)
        counters = self.store.figures(query.commune_id, query.year, query.month)
        return figures_of(query, counters).model_dump(mode="json")
