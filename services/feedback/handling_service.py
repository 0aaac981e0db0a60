"""What commune staff do with a case: triage it into its legal type, split a letter
mixing types, transfer, extend, answer and close it, on the law's deadlines
(law-brief §5); the dashboard of what is due; who filed, only for those who must
know (Denunciation Law 2018 Art 47)."""

from datetime import date
from typing import Any

from services.feedback import domain
from services.feedback.base import (
    DENOUNCER_ROLES,
    HANDLING_ROLES,
    READING_ROLES,
    FeedbackBase,
    decoded,
    reached_as,
    today,
)
from services.feedback.cases import (
    case_summary,
    deadlines_of,
    due_fields,
    figures_cell,
    is_public,
    known_personal_data,
    staff_case,
    step,
)
from services.feedback.masking import mask_personal_data
from shared.calendar import add_working_days, vietnam_day
from shared.chassis import count_item, event_item, utcnow
from shared.contracts.feedback import (
    CASE_TYPE_VI,
    AnswerCase,
    AssigneeLoad,
    CaseList,
    CaseRef,
    CaseStatus,
    CaseType,
    CloseCase,
    Contact,
    Dashboard,
    DashboardQuery,
    Deadline,
    ExtendCase,
    ExtensionRecord,
    Identity,
    ListCases,
    PetitionAnswered,
    PetitionOverdue,
    PetitionReceived,
    PublicAnswer,
    SplitCase,
    SplitResult,
    TransferCase,
    TransferRecord,
    TriageCase,
)
from shared.errors import WIRE_ERRORS, Conflict, Forbidden, InvalidInput, parse
from shared.i18n import N_, _
from shared.ids import new_id
from shared.queues import rpc
from shared.uploads import clean_attachment

CHANGED = N_("Vụ việc vừa được người khác thay đổi; vui lòng tải lại trang và làm lại.")


class HandlingEntrypoints(FeedbackBase):
    # --- reading ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_cases(self, payload: dict) -> dict:
        query = parse(ListCases, payload)
        self._signed_by(query.actor, query.commune_id, READING_ROLES)
        selector: dict[str, Any] = {"commune_id": query.commune_id}
        for field in ("status", "type", "assignee"):
            if (value := getattr(query, field)) is not None:
                selector[field] = value
        if query.unit_id:
            selector["handling_unit_id"] = query.unit_id
        day = today()
        if query.due == "overdue":
            selector.update(open=True, due={"$lt": day.isoformat()})
        elif query.due == "soon":
            soon = add_working_days(day, domain.DUE_SOON_WORKING_DAYS)
            selector.update(open=True, due={"$gte": day.isoformat(), "$lte": soon.isoformat()})
        found, more = self.store.cases(selector, query.page)
        cases = [case_summary(document, day) for document in found]
        return CaseList(cases=cases, page=query.page, more=more).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def dashboard(self, payload: dict) -> dict:
        """A unit's open cases by deadline, and each assignee's load: only open cases
        are read, through the (commune, open, due) index."""
        query = parse(DashboardQuery, payload)
        self._signed_by(query.actor, query.commune_id, READING_ROLES)
        selector: dict[str, Any] = {"commune_id": query.commune_id}
        if query.unit_id:
            selector["handling_unit_id"] = query.unit_id
        day = today()
        soon = add_working_days(day, domain.DUE_SOON_WORKING_DAYS).isoformat()
        untriaged = {**selector, "status": CaseStatus.RECEIVED.value}
        loads = self.store.load_by_assignee(selector, day.isoformat(), soon)
        board = Dashboard(
            commune_id=query.commune_id,
            unit_id=query.unit_id,
            today=day,
            untriaged=self._summaries(self.store.open_cases_by_due(untriaged, None), day),
            overdue=self._summaries(
                self.store.open_cases_by_due(selector, {"$lt": day.isoformat()}), day
            ),
            due_soon=self._summaries(
                self.store.open_cases_by_due(selector, {"$gte": day.isoformat(), "$lte": soon}),
                day,
            ),
            by_assignee=[
                AssigneeLoad(
                    assignee=load["_id"],
                    open=load["open"],
                    due_soon=load["due_soon"],
                    overdue=load["overdue"],
                )
                for load in loads
            ],
        )
        return board.model_dump(mode="json")

    def _summaries(self, documents: list[dict[str, Any]], day: Any) -> list:
        return [case_summary(document, day) for document in documents]

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_case(self, payload: dict) -> dict:
        ref = parse(CaseRef, payload)
        document = self._case(ref.case_id)
        self._signed_by(ref.actor, document["commune_id"], READING_ROLES)
        return self._staff_view(document)

    def _staff_view(self, document: dict[str, Any]) -> dict:
        has_identity = self.store.identity(document["_id"]) is not None
        return staff_case(document, today(), has_identity).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def view_identity(self, payload: dict) -> dict:
        """Who filed a case, for those who handle it; a denouncer's only for the
        commune's head and the case's assignee (Denunciation Law 2018 Art 47.1).
        Every view is in the audit log, written before the identity is returned."""
        ref = parse(CaseRef, payload)
        document = self._case(ref.case_id)
        held = self._roles(ref.actor, document["commune_id"])
        if document.get("confidential"):
            allowed = bool(held & DENOUNCER_ROLES) or (
                bool(held & HANDLING_ROLES) and document.get("assignee") == ref.actor
            )
        else:
            allowed = bool(held & HANDLING_ROLES)
        if not allowed:
            raise Forbidden(
                _(
                    "Chỉ người được giao giải quyết và lãnh đạo xã được xem thông tin người tố cáo "
                    "(Luật Tố cáo 2018 Điều 47)."
                )
            )
        stored = self.store.identity(document["_id"])
        action = (
            "view_denouncer_identity" if document.get("confidential") else "view_filer_identity"
        )
        self.store.add_pending(document["_id"], [self._audit(ref.actor, action, document)])
        self._relay(document["_id"])
        identity = Identity(
            case_id=document["_id"],
            household=stored.get("household") if stored else None,
            contact=Contact.model_validate(stored["contact"])
            if stored and stored.get("contact")
            else None,
        )
        return identity.model_dump(mode="json")

    # --- triage ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def triage_case(self, payload: dict) -> dict:
        """Give the case its legal type and handler; accepting it (thụ lý) starts the
        type's deadlines. A change must not shorten a deadline already running."""
        command = parse(TriageCase, payload)
        document = self._case(command.case_id)
        signed_by = self._signed_by(command.actor, document["commune_id"], HANDLING_ROLES)
        status = CaseStatus(document["status"])
        domain.check_action("triage", status)
        domain.check_triage(command.type, document.get("anonymous", False))
        self._check_handling_unit(document["commune_id"], command.handling_unit_id)
        now = utcnow()
        received = vietnam_day(document["received_at"])
        accepted_on = document.get("accepted_on")
        if accepted_on is None and command.accept:
            accepted_on = vietnam_day(now).isoformat()
        deadlines = domain.deadlines_of(
            command.type,
            received,
            date.fromisoformat(accepted_on) if accepted_on else None,
            command.complexity,
            command.remote_area,
            len(document.get("extensions", [])),
        )
        domain.check_no_deadline_shortened(deadlines_of(document), deadlines)
        new_status = (
            CaseStatus.ACCEPTED if (status == CaseStatus.RECEIVED and command.accept) else status
        )
        changes = {
            "status": new_status.value,
            "type": command.type.value,
            "complexity": command.complexity.value,
            "remote_area": command.remote_area,
            "handling_unit_id": command.handling_unit_id or document["handling_unit_id"],
            "assignee": command.assignee or document.get("assignee"),
            "accepted_on": accepted_on,
            "confidential": document.get("confidential", False)
            or command.type == CaseType.DENUNCIATION,
            **due_fields(deadlines, new_status, document.get("transferred_out", False)),
            "overdue_announced": False,
        }
        timeline = []
        if new_status != status:
            note = _("Thụ lý: {type}").format(type=CASE_TYPE_VI[command.type])
            timeline.append(step(CaseStatus.ACCEPTED, now, signed_by, note))
        audit = self._audit(
            command.actor,
            "triage_case",
            document,
            before={"type": document.get("type"), "status": status.value},
            after={"type": command.type.value, "status": new_status.value, "note": command.note},
        )
        updated = self._change(document, changes, [audit], timeline=timeline)
        return self._staff_view(updated)

    def _check_handling_unit(self, commune_id: str, unit_id: str | None) -> None:
        if unit_id is None or unit_id == commune_id:
            return
        units = {item.unit.id for item in self._overview(commune_id).residential_units}
        if unit_id not in units:
            raise InvalidInput(fields={"handling_unit_id": _("Đơn vị này không thuộc xã.")})

    @rpc(expected_exceptions=WIRE_ERRORS)
    def split_case(self, payload: dict) -> dict:
        """A letter mixing types becomes one case per type, each linked to it, each
        on the deadlines counted from the letter's receipt (law-brief §5)."""
        command = parse(SplitCase, payload)
        document = self._case(command.case_id)
        signed_by = self._signed_by(command.actor, document["commune_id"], HANDLING_ROLES)
        domain.check_action("split", CaseStatus(document["status"]))
        for part in command.parts:
            domain.check_triage(part.type, document.get("anonymous", False))
        now = utcnow()
        received = vietnam_day(document["received_at"])
        identity = self.store.identity(document["_id"])
        known = known_personal_data(identity, document.get("place"))
        key, fields = figures_cell(document)
        child_ids = []
        for number, part in enumerate(command.parts, start=1):
            child_id = f"{document['_id']}-{number}"  # the same split sent twice: the same cases
            deadlines = domain.deadlines_of(part.type, received, None)
            child = {
                **{k: v for k, v in document.items() if not k.startswith("_")},
                "_id": child_id,
                "type": part.type.value,
                "title": part.title,
                "text": part.text,
                "public_title": mask_personal_data(part.title, known),
                "public_text": mask_personal_data(part.text, known),
                "confidential": document.get("confidential", False)
                or part.type == CaseType.DENUNCIATION,
                **due_fields(deadlines, CaseStatus.RECEIVED, transferred_out=False),
                "parent_id": document["_id"],
                "children": [],
                "timeline": [
                    *document["timeline"],
                    step(
                        CaseStatus.RECEIVED,
                        now,
                        signed_by,
                        _("Tách từ đơn {code}").format(code=document["code"]),
                    ),
                ],
            }
            child_identity = {**identity, "_id": child_id} if identity else None

            def items_for(new: dict[str, Any]) -> list[dict[str, Any]]:
                event = PetitionReceived(
                    event_id=new_id(),
                    occurred_at=now,
                    petition_id=new["code"],
                    commune_id=new["commune_id"],
                    **reached_as(new, identity),
                    title=new["public_title"],
                    received_at=new["received_at"],
                    answer_due=new["due"],
                )
                return [event_item(event), count_item("figures", key, {"received": 1}, fields)]

            self._insert_new_case(child, child_identity, [], items_for)
            self._relay(child_id)
            child_ids.append(child_id)
        codes = ", ".join(self._case(child_id)["code"] for child_id in child_ids)
        changes = {"status": CaseStatus.CLOSED.value, "open": False, "children": child_ids}
        items = [
            count_item("figures", key, {"received": -1}, fields),
            self._audit(command.actor, "split_case", document, after={"children": child_ids}),
        ]
        note = _("Đơn có nhiều nội dung, được tách thành các vụ việc: {codes}").format(codes=codes)
        self._change(
            document, changes, items, timeline=[step(CaseStatus.CLOSED, now, signed_by, note)]
        )
        return SplitResult(case_ids=child_ids).model_dump(mode="json")

    # --- handling ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def transfer_case(self, payload: dict) -> dict:
        """To another unit or assignee of the commune, or out to the competent body
        within 5 working days of receipt (Denunciation Law 2018 Art 24.2; Decree
        20/2008 Art 9). A transfer needs a reason (the contract refuses none)."""
        command = parse(TransferCase, payload)
        document = self._case(command.case_id)
        signed_by = self._signed_by(command.actor, document["commune_id"], HANDLING_ROLES)
        status = CaseStatus(document["status"])
        domain.check_action("transfer", status)
        self._check_handling_unit(document["commune_id"], command.to_unit_id)
        now = utcnow()
        record = TransferRecord(
            at=now,
            by=command.actor,
            to_unit_id=command.to_unit_id,
            to_assignee=command.to_assignee,
            to_body=command.to_body,
            reason=command.reason,
        )
        deadlines = deadlines_of(document)
        changes: dict[str, Any] = {
            "handling_unit_id": command.to_unit_id or document["handling_unit_id"],
            "assignee": command.to_assignee
            or (None if command.to_unit_id else document.get("assignee")),
        }
        new_status = status
        if command.to_body:
            # the commune may not decide it: sent out, and no longer its to answer
            new_status = CaseStatus.TRANSFERRED
            deadlines[Deadline.TRANSFER] = domain.transfer_due(vietnam_day(document["received_at"]))
            changes["transferred_out"] = True
            changes["transferred_to"] = command.to_body
        changes.update(
            status=new_status.value, **due_fields(deadlines, new_status, bool(command.to_body))
        )
        note = (
            _("Chuyển đến {body}").format(body=command.to_body)
            if command.to_body
            else _("Chuyển cho bộ phận khác xử lý")
        )
        audit = self._audit(
            command.actor, "transfer_case", document, after=record.model_dump(mode="json")
        )
        updated = self._change(
            document,
            changes,
            [audit],
            timeline=[step(CaseStatus.TRANSFERRED, now, signed_by, note)],
            push={"transfers": [record.model_dump()]},
        )
        return self._staff_view(updated)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def start_handling(self, payload: dict) -> dict:
        ref = parse(CaseRef, payload)
        document = self._case(ref.case_id)
        signed_by = self._signed_by(ref.actor, document["commune_id"], HANDLING_ROLES)
        domain.check_action("start", CaseStatus(document["status"]))
        if document.get("transferred_out"):
            raise Conflict(_("Vụ việc đã chuyển đến cơ quan khác."))
        status = CaseStatus.IN_PROGRESS
        changes = {
            "status": status.value,
            "assignee": document.get("assignee") or ref.actor,
            **due_fields(deadlines_of(document), status, transferred_out=False),
        }
        audit = self._audit(ref.actor, "start_handling", document)
        updated = self._change(
            document, changes, [audit], timeline=[step(status, utcnow(), signed_by)]
        )
        return self._staff_view(updated)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def extend_case(self, payload: dict) -> dict:
        """A denunciation's resolution extended by 30 days, once if complex, twice if
        especially complex, with a reason, on the public timeline (Denunciation Law
        2018 Art 30: each extension notified)."""
        command = parse(ExtendCase, payload)
        document = self._case(command.case_id)
        signed_by = self._signed_by(command.actor, document["commune_id"], HANDLING_ROLES)
        status = CaseStatus(document["status"])
        domain.check_action("extend", status)
        case_type = CaseType(document["type"]) if document.get("type") else None
        extensions = len(document.get("extensions", []))
        domain.check_extension(case_type, domain.Complexity(document["complexity"]), extensions)
        accepted = date.fromisoformat(document["accepted_on"])
        until = domain.denunciation_resolution_due(accepted, extensions + 1)
        deadlines = {**deadlines_of(document), Deadline.RESOLVE: until}
        now = utcnow()
        record = ExtensionRecord(at=now, by=command.actor, reason=command.reason, until=until)
        changes = {
            **due_fields(deadlines, status, transferred_out=False),
            "overdue_announced": False,
        }
        note = _("Gia hạn giải quyết lần {number} đến ngày {day}").format(
            number=extensions + 1, day=f"{until:%d/%m/%Y}"
        )
        audit = self._audit(
            command.actor, "extend_case", document, after=record.model_dump(mode="json")
        )
        updated = self._change(
            document,
            changes,
            [audit],
            timeline=[step(status, now, signed_by, note)],
            push={"extensions": [record.model_dump(mode="json")]},
        )
        return self._staff_view(updated)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def answer_case(self, payload: dict) -> dict:
        """The answer is published with the case, personal data masked, and the
        filer told (`petition_answered`)."""
        command = parse(AnswerCase, payload)
        document = self._case(command.case_id)
        signed_by = self._signed_by(command.actor, document["commune_id"], HANDLING_ROLES)
        status = CaseStatus(document["status"])
        domain.check_action("answer", status)
        if document.get("transferred_out"):
            raise Conflict(_("Vụ việc đã chuyển đến cơ quan khác; cơ quan đó trả lời."))
        files = [
            self._attachment(document["_id"], upload.data_base64, upload.filename)
            for upload in command.attachments
        ]
        self.store.insert_files(files)
        identity = self.store.identity(document["_id"])
        now = utcnow()
        answer = PublicAnswer(
            text=mask_personal_data(
                command.text, known_personal_data(identity, document.get("place"))
            ),
            at=now,
            by_role=signed_by,
            attachments=[file["_id"] for file in files],
        )
        deadlines = deadlines_of(document)
        answered = CaseStatus.ANSWERED
        changes = {
            "status": answered.value,
            "answer": answer.model_dump(),
            "answer_text": command.text,
            "answered_at": now,
            "public": is_public(CaseType(document["type"]) if document.get("type") else None),
            **due_fields(deadlines, answered, transferred_out=False),
        }
        event = PetitionAnswered(
            event_id=new_id(),
            occurred_at=now,
            petition_id=document["code"],
            commune_id=document["commune_id"],
            **reached_as(document, identity),
            title=document["public_title"],
            answered_at=now,
            answer=answer.text[:1000],
            case_id=document["_id"],
            public=changes["public"],
        )
        items = [
            event_item(event),
            self._audit(
                command.actor, "answer_case", document, after={"answer": command.text[:500]}
            ),
        ]
        if not document.get("reopened"):  # the figures count a case's first answer
            items.append(self._answer_count(document, deadlines, vietnam_day(now)))
        updated = self._change(document, changes, items, timeline=[step(answered, now, signed_by)])
        return self._staff_view(updated)

    def _answer_count(self, document: dict[str, Any], deadlines: dict, answered_on: Any) -> dict:
        due = deadlines.get(Deadline.RESOLVE) or deadlines.get(Deadline.INFORM)
        received = vietnam_day(document["received_at"])
        days = domain.handling_days(received, answered_on)
        key, fields = figures_cell(document)
        inc = {
            "answered": 1,
            "answered_on_time": int(not domain.is_overdue(due, answered_on)),
            f"days.{days}": 1,
        }
        return count_item("figures", key, inc, fields)

    def _attachment(self, case_id: str, data_base64: str, filename: str) -> dict[str, Any]:
        data, content_type, safe_name = clean_attachment(
            decoded(data_base64, "attachments"), filename
        )
        return {
            "_id": new_id(),
            "case_id": case_id,
            "kind": "attachment",
            "content_type": content_type,
            "filename": safe_name,
            "data": data,
        }

    @rpc(expected_exceptions=WIRE_ERRORS)
    def close_case(self, payload: dict) -> dict:
        command = parse(CloseCase, payload)
        document = self._case(command.case_id)
        signed_by = self._signed_by(command.actor, document["commune_id"], HANDLING_ROLES)
        domain.check_action("close", CaseStatus(document["status"]))
        closed = CaseStatus.CLOSED
        changes = {"status": closed.value, "open": False}
        audit = self._audit(command.actor, "close_case", document, after={"note": command.note})
        note = mask_personal_data(
            command.note,
            known_personal_data(self.store.identity(document["_id"]), document.get("place")),
        )
        updated = self._change(
            document, changes, [audit], timeline=[step(closed, utcnow(), signed_by, note)]
        )
        return self._staff_view(updated)

    def _change(
        self,
        document: dict[str, Any],
        changes: dict[str, Any],
        items: list[dict[str, Any]],
        *,
        timeline: list[dict[str, Any]] = (),
        push: dict[str, list] | None = None,
    ) -> dict[str, Any]:
        pushed = {**(push or {})}
        if timeline:
            pushed["timeline"] = list(timeline)
        updated = self.store.update_case(
            document["_id"], document["status"], changes, items, pushed
        )
        if updated is None:
            raise Conflict(CHANGED)
        self._relay(document["_id"])
        return updated

    # --- overdue ---

    def announce_overdue_cases(self) -> int:
        """Each open case past its deadline publishes `petition_overdue` once (the
        notifications service tells the commune's administrators and its People's
        Inspection Board) and is escalated to the commune administrator."""
        day = today()
        announced = 0
        for document in self.store.overdue_cases(day.isoformat()):
            identity = self.store.identity(document["_id"])
            event = PetitionOverdue(
                event_id=new_id(),
                occurred_at=utcnow(),
                petition_id=document["code"],
                commune_id=document["commune_id"],
                **reached_as(document, identity),
                title=document["public_title"],
                answer_due=document["due"],
            )
            audit = self._audit("system", "case_overdue", document, after={"due": document["due"]})
            if self.store.mark_overdue(
                document["_id"], document["due"], [event_item(event), audit]
            ):
                self._relay(document["_id"])
                announced += 1
        return announced
