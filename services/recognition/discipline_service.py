"""Discipline of the commune's cadres, civil servants and public employees (law brief
§4): a case from the violation through the review meeting, the disciplinary council
and the decision, with its clocks from the rule set in force; every change a new
version with a reason; every view and refusal in the audit log; the result on the
notice board (Law 10/2022 Art 11 item 10)."""

from datetime import date, timedelta
from typing import Any

from services.recognition import domain
from services.recognition.base import RecognitionBase, today
from services.recognition.rules import Book
from shared.chassis import audit_entry, event_item, utcnow
from shared.contracts.disclosures import DisclosureCategory, DisclosureForm, PostDisclosure
from shared.contracts.recognition import (
    FORM_NAMES_VI,
    STEP_NAMES_VI,
    CaseChange,
    CaseList,
    CaseRef,
    CaseSummary,
    Decision,
    DisciplineCase,
    DiscloseResult,
    DisclosureRequested,
    ListCases,
    OpenCase,
    Pause,
    Step,
    StepKind,
    Subject,
    Violation,
)
from shared.disclosure_periods import MIN_LOUDSPEAKER_DAYS, MIN_POSTING_DAYS, is_late, late_warning
from shared.errors import WIRE_ERRORS, Conflict, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.queues import rpc

CHANGE_GROUPS = (
    "subject", "violation", "discovered_on", "complex", "later_violation_on", "step", "pause",
    "decision", "closed",
)  # fmt: skip


def subject_key(subject: Subject) -> str:
    """The same person across cases, for recidivism: their account, else their name."""
    return (
        f"account:{subject.username}" if subject.username else domain.normalised(subject.full_name)
    )


def facts_of(state: dict[str, Any], earlier: list[tuple[date, date]]) -> domain.CaseFacts:
    decision = state.get("decision")
    return domain.CaseFacts(
        subject=Subject.model_validate(state["subject"]),
        violation=Violation.model_validate(state["violation"]),
        later_violations=[date.fromisoformat(d) for d in state["later_violations"]],
        discovered_on=date.fromisoformat(state["discovered_on"]),
        complex=state["complex"],
        steps=[Step.model_validate(s) for s in state["steps"]],
        pauses=[Pause.model_validate(p) for p in state["pauses"]],
        decided_on=date.fromisoformat(decision["decided_on"]) if decision else None,
        closed=state.get("closed", False),
        earlier_decisions=earlier,
    )


class DisciplineEntrypoints(RecognitionBase):
    @rpc(expected_exceptions=WIRE_ERRORS)
    def open_case(self, payload: dict) -> dict:
        command = parse(OpenCase, payload)
        self._require_discipline(command.actor, command.commune_id, command.request_id, "open_case")
        if self.store.case(command.request_id) is None:
            day = today()
            domain.check_violation(command.violation, command.discovered_on, day)
            state = {
                "subject": command.subject.model_dump(mode="json"),
                "violation": command.violation.model_dump(mode="json"),
                "later_violations": [],
                "discovered_on": command.discovered_on.isoformat(),
                "complex": command.complex,
                "steps": [],
                "pauses": [],
                "decision": None,
                "closed": False,
            }
            book = self._book(command.commune_id)
            clock = domain.clock(facts_of(state, []), book, day)
            if clock.limitation_ends_on is not None and clock.limitation_ends_on < day:
                raise Conflict(
                    _(
                        "Đã hết thời hiệu xử lý kỷ luật ngày {day} ({rule_set}): "
                        "không thể mở vụ việc."
                    ).format(
                        day=f"{clock.limitation_ends_on:%d/%m/%Y}",
                        rule_set=domain.RULE_SET_NAMES_VI[clock.rule_set],
                    )
                )
            self._new_version(command.request_id, 1, state, _("Mở hồ sơ"), command.actor)
            document = {
                "_id": command.request_id,
                "commune_id": command.commune_id,
                "version": 1,
                "state": state,
                "subject_key": subject_key(command.subject),
                "opened_year": command.discovered_on.year,
                "disclosed_on": None,
            }
            audit = self._audit(
                command.actor, "open_discipline_case", command.request_id, command.commune_id,
                after={"version": 1},
            )  # fmt: skip
            self.store.open_case(document, [audit])
            self._relay("cases", command.request_id)
        return self._case_contract(self._case(command.request_id), None).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def change_case(self, payload: dict) -> dict:
        """One change, with its reason, on the version the person saw."""
        command = parse(CaseChange, payload)
        case = self._case(command.case_id)
        self._require_discipline(command.actor, case["commune_id"], case["_id"], "change_case")
        given = [g for g in CHANGE_GROUPS if getattr(command, g) is not None]
        if len(given) != 1:
            raise InvalidInput(fields={"reason": _("Mỗi lần cập nhật một nội dung.")})
        newest = self.store.newest_version(case["_id"])
        if command.version != newest:
            raise Conflict(
                _(
                    "Hồ sơ đã được cập nhật (phiên bản {version}) sau khi bạn mở: "
                    "hãy tải lại trang."
                ).format(version=newest)
            )
        book = self._book(case["commune_id"])
        # the newest version, not the case's copy: a crash may have left that one behind
        newest_state = self.store.version(case["_id"], newest)["state"]
        state = self._changed(case, dict(newest_state), command, given[0], book)
        version = newest + 1
        if not self._new_version(case["_id"], version, state, command.reason, command.actor):
            raise Conflict(_("Hồ sơ vừa được người khác cập nhật: hãy tải lại trang."))
        audit = self._audit(
            command.actor, "change_discipline_case", case["_id"], case["commune_id"],
            after={"version": version, "changed": given[0]},
        )  # fmt: skip
        self.store.update_case(case["_id"], {"version": version, "state": state}, [audit])
        self._relay("cases", case["_id"])
        return self._case_contract(self._case(case["_id"]), None).model_dump(mode="json")

    def _changed(
        self, case: dict, state: dict, command: CaseChange, group: str, book: Book
    ) -> dict[str, Any]:
        day = today()
        facts = facts_of(state, self._earlier(case))
        decided = state.get("decision") is not None or state.get("closed")
        if decided and group in ("step", "pause", "decision", "later_violation_on"):
            raise Conflict(_("Vụ việc đã kết thúc: chỉ còn được đính chính thông tin, có lý do."))
        if group in ("subject", "violation", "discovered_on", "complex"):
            value = getattr(command, group)
            state[group] = (
                value.model_dump(mode="json")
                if hasattr(value, "model_dump")
                else (value.isoformat() if isinstance(value, date) else value)
            )
            checked = facts_of(state, [])
            domain.check_violation(checked.violation, checked.discovered_on, day)
        elif group == "later_violation_on":
            later = command.later_violation_on
            if later <= facts.violation.committed_on or later > day:
                raise InvalidInput(
                    fields={
                        "later_violation_on": _(
                            "Vi phạm mới phải sau vi phạm đang xử lý và không sau hôm nay."
                        )
                    }
                )
            state["later_violations"] = [*state["later_violations"], later.isoformat()]
        elif group == "step":
            rule_set = domain.rule_set_for(facts.subject.staff_type, facts.violation.committed_on)
            domain.check_step(command.step, facts.steps, book, rule_set, day)
            steps = [s for s in state["steps"] if s["kind"] != command.step.kind.value]
            state["steps"] = [*steps, command.step.model_dump(mode="json")]
        elif group == "pause":
            state["pauses"] = self._paused(state["pauses"], command.pause, day)
        elif group == "decision":
            state["decision"] = self._decision(facts, command.decision, book, day)
        else:
            state["closed"] = bool(command.closed)
        return state

    def _paused(self, pauses: list[dict], pause: Pause, day: date) -> list[dict]:
        """A new pause, or the open one ended (the same first day)."""
        if pause.starts_on > day or (pause.ends_on is not None and pause.ends_on < pause.starts_on):
            raise InvalidInput(fields={"pause.ends_on": _("Thời gian tạm dừng không hợp lệ.")})
        same = [p for p in pauses if p["starts_on"] == pause.starts_on.isoformat()]
        others = [p for p in pauses if p not in same]
        if not same and any(p["ends_on"] is None for p in pauses):
            raise Conflict(
                _("Đang có một thời gian tạm dừng chưa kết thúc: hãy kết thúc nó trước.")
            )
        return [*others, pause.model_dump(mode="json")]

    def _decision(self, facts: domain.CaseFacts, decision: Decision, book: Book, day: date) -> dict:
        """The form the rule set allows, after the steps (each held or lawfully skipped),
        within the limitation period."""
        clock = domain.clock(facts, book, day)
        domain.check_form(clock.rule_set, facts.subject, decision.form)
        done = {s.kind: s for s in facts.steps}
        missing = [
            STEP_NAMES_VI[k] for k in (StepKind.REVIEW_MEETING, StepKind.COUNCIL) if k not in done
        ]
        council = done.get(StepKind.COUNCIL)
        if council is not None and council.skipped is None and StepKind.RECOMMENDATION not in done:
            missing.append(STEP_NAMES_VI[StepKind.RECOMMENDATION])
        if missing:
            raise InvalidInput(
                fields={
                    "decision.form": _(
                        "Chưa thực hiện (hoặc ghi bỏ qua theo căn cứ luật định): {steps} "
                        "(Nghị định 112/2020 Điều 32; Nghị định 172/2025 Điều 16)."
                    ).format(steps=", ".join(missing))
                }
            )
        domain.check_decision(
            facts.violation, clock.limitation_ends_on,
            decision.decided_on, facts.steps, day,
        )  # fmt: skip
        return decision.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_case(self, payload: dict) -> dict:
        """A case, or one of its earlier versions; the view is audited before it is
        returned."""
        query = parse(CaseRef, payload)
        case = self._case(query.case_id)
        self._require_discipline(query.actor, case["commune_id"], case["_id"], "view_case")
        found = self._case_contract(case, query.version)
        self.store.audit_now(
            audit_entry(
                query.actor,
                "view_discipline_case",
                case["_id"],
                case["commune_id"],
                after={"version": found.version},
            )  # fmt: skip
        )
        return found.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_cases(self, payload: dict) -> dict:
        query = parse(ListCases, payload)
        self._require_discipline(query.actor, query.commune_id, query.commune_id, "list_cases")
        self.store.audit_now(
            audit_entry(query.actor, "view_discipline_cases", query.commune_id, query.commune_id)
        )
        day = today()
        book = self._book(query.commune_id)
        summaries = []
        for case in self.store.cases_in(query.commune_id, query.year):
            facts = facts_of(case["state"], self._earlier(case))
            clock = domain.clock(facts, book, day)
            status = domain.status(facts.decided_on, clock.effect_ends_on, facts.closed, day)
            decision = case["state"].get("decision")
            summaries.append(
                CaseSummary(
                    case_id=case["_id"],
                    full_name=facts.subject.full_name,
                    position=facts.subject.position,
                    staff_type=facts.subject.staff_type,
                    status=status,
                    form=decision["form"] if decision else None,
                    discovered_on=facts.discovered_on,
                    handling_due_on=clock.handling_due_on,
                    limitation_ends_on=clock.limitation_ends_on,
                    next_step=clock.next_step,
                    next_step_due_on=clock.next_step_due_on,
                    overdue=domain.is_overdue(clock, status, day),
                    due_soon=domain.is_due_soon(clock, status, day),
                )
            )
        return CaseList(cases=summaries).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def disclose_result(self, payload: dict) -> dict:
        """Law 10/2022 Art 11 item 10, Art 12-13: on the notice board for at least 30
        days, by loudspeaker 3 days and through the unit heads, within 5 working days of
        the decision (or with the reason it is late). Only the person's name, post, the
        form, the decision and the summary staff write go out."""
        command = parse(DiscloseResult, payload)
        case = self._case(command.case_id)
        commune_id = case["commune_id"]
        self._require_discipline(command.actor, commune_id, case["_id"], "disclose_result")
        decision = case["state"].get("decision")
        if decision is None:
            raise Conflict(_("Chỉ công khai vụ việc đã có quyết định kỷ luật."))
        if case.get("disclosed_on"):
            return self._case_contract(case, None).model_dump(mode="json")
        day = today()
        decided_on = date.fromisoformat(decision["decided_on"])
        if is_late(decided_on, day, day) and command.late_reason is None:
            raise InvalidInput(fields={"late_reason": late_warning(decided_on, day, day)})
        subject = Subject.model_validate(case["state"]["subject"])
        number = decision["number"]
        disclosure = PostDisclosure(
            actor=command.actor,
            commune_id=commune_id,
            request_id=command.request_id,
            category=DisclosureCategory.INSPECTION_AND_DISCIPLINE,
            title=_("Kết quả xử lý kỷ luật: {name}, {position}").format(
                name=subject.full_name, position=subject.position
            ),
            summary=_("Hình thức kỷ luật: {form}. {summary}").format(
                form=FORM_NAMES_VI[domain.DisciplineForm(decision["form"])],
                summary=command.public_summary,
            ),
            decision_ref=_("Quyết định số {number}").format(number=number),
            decision_date=decided_on,
            posted_from=day,
            posted_to=day + timedelta(days=MIN_POSTING_DAYS - 1),
            forms=[
                DisclosureForm.POSTING,
                DisclosureForm.PORTAL,
                DisclosureForm.LOUDSPEAKER,
                DisclosureForm.VIA_GROUP_HEAD,
            ],  # fmt: skip
            loudspeaker_days=MIN_LOUDSPEAKER_DAYS,
            late_reason=command.late_reason,
        )
        event = DisclosureRequested(
            event_id=f"disclosure:{case['_id']}", occurred_at=utcnow(), disclosure=disclosure
        )
        audit = self._audit(command.actor, "disclose_discipline_result", case["_id"], commune_id)
        self.store.update_case(
            case["_id"], {"disclosed_on": day.isoformat()}, [event_item(event), audit]
        )
        self._relay("cases", case["_id"])
        return self._case_contract(self._case(case["_id"]), None).model_dump(mode="json")

    # --- helpers ---

    def _case(self, case_id: str) -> dict[str, Any]:
        case = self.store.case(case_id)
        if case is None:
            raise NotFound(_("Không tìm thấy hồ sơ kỷ luật này."))
        return case

    def _new_version(
        self, case_id: str, version: int, state: dict, reason: str, actor: str
    ) -> bool:
        return self.store.add_version(
            {
                "case_id": case_id,
                "version": version,
                "state": state,
                "reason": reason,
                "changed_by": actor,
                "changed_at": utcnow(),
            }
        )

    def _earlier(self, case: dict[str, Any]) -> list[tuple[date, date]]:
        """The same person's earlier decisions and when their effect ended."""
        book = self._book(case["commune_id"])
        earlier = []
        for other in self.store.cases_of_subject(case["subject_key"]):
            decision = other["state"].get("decision")
            if other["_id"] == case["_id"] or decision is None:
                continue
            facts = facts_of(other["state"], [])
            clock = domain.clock(facts, book, today())
            earlier.append((facts.decided_on, clock.effect_ends_on))
        return earlier

    def _case_contract(self, case: dict[str, Any], version: int | None) -> DisciplineCase:
        newest = self.store.newest_version(case["_id"])
        record = self.store.version(case["_id"], version or newest)
        if record is None:
            raise NotFound(_("Không có phiên bản này của hồ sơ."))
        state = record["state"]
        day = today()
        facts = facts_of(state, self._earlier(case))
        clock = domain.clock(facts, self._book(case["commune_id"]), day)
        return DisciplineCase(
            case_id=case["_id"],
            commune_id=case["commune_id"],
            version=record["version"],
            versions=newest,
            changed_at=record["changed_at"],
            changed_by=record["changed_by"],
            reason=record["reason"],
            subject=facts.subject,
            violation=facts.violation,
            later_violations=facts.later_violations,
            discovered_on=facts.discovered_on,
            complex=facts.complex,
            steps=facts.steps,
            pauses=facts.pauses,
            decision=state.get("decision"),
            status=domain.status(facts.decided_on, clock.effect_ends_on, facts.closed, day),
            clock=clock,
            disclosed_on=case.get("disclosed_on"),
        )
