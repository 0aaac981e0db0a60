"""The recognition service: the commune's commendations (khen thưởng) and the
discipline of its officials (xử lý kỷ luật), the seed resolutions' measure 4; its
rule book of dated, configurable rules; reports for the yearly assessment."""

from collections import Counter
from datetime import timedelta

from nameko.timer import timer

from services.recognition import rules
from services.recognition.base import AUDIT_ROLES, READING_ROLES, RULE_ROLES, today
from services.recognition.commendations_service import CommendationEntrypoints
from services.recognition.discipline_service import DisciplineEntrypoints, facts_of
from services.recognition.domain import clock, status
from shared.chassis import utcnow
from shared.contracts.common import ServiceHealth
from shared.contracts.recognition import (
    CASE_STATUS_VI,
    FORM_NAMES_VI,
    TITLE_NAMES_VI,
    DisciplineForm,
    ListRules,
    Report,
    ReportQuery,
    ReportRow,
    Rule,
    RuleBook,
    SetRule,
    Title,
)
from shared.contracts.staff import AuditLog, ListAudit
from shared.errors import WIRE_ERRORS, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc


class RecognitionService(CommendationEntrypoints, DisciplineEntrypoints):
    name = "recognition"

    @rpc
    def health(self) -> dict:
        return ServiceHealth(service=self.name, database_up=self.store.ping()).model_dump(
            mode="json"
        )

    # --- the rule book ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_rules(self, payload: dict) -> dict:
        query = parse(ListRules, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        on = query.on or today()
        book = self._book(query.commune_id)
        return RuleBook(commune_id=query.commune_id, on=on, rules=book.rules(on)).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def set_rule(self, payload: dict) -> dict:
        """A new version of a rule from a day, with its reason; earlier versions stay."""
        command = parse(SetRule, payload)
        self._require(command.actor, command.commune_id, RULE_ROLES)
        value = rules.checked_value(command.key, command.value)
        version_id = new_id()
        document = {
            "_id": version_id,
            "commune_id": command.commune_id,
            "key": command.key,
            "value": value,
            "valid_from": command.valid_from.isoformat(),
            "reason": command.reason,
            "set_by": command.actor,
            "set_at": utcnow(),
        }
        audit = self._audit(
            command.actor, "set_rule", command.key, command.commune_id,
            after={"value": value, "valid_from": command.valid_from.isoformat(),
                   "reason": command.reason},
        )  # fmt: skip
        self.store.insert_once("rules", document, [audit])
        self._relay("rules", version_id)
        book = self._book(command.commune_id)
        rule = next(r for r in book.rules(today()) if r.key == command.key)
        return Rule.model_validate(rule).model_dump(mode="json")

    # --- reports ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def commendation_report(self, payload: dict) -> dict:
        """Decided commendations (not revoked) by year, title and unit, with the awards'
        total: a commune has hundreds a year, not a ward's households."""
        query = parse(ReportQuery, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        counts: Counter = Counter()
        amounts: Counter = Counter()
        for nomination in self.store.nominations_in(query.commune_id, query.year, ["decided"]):
            key = (nomination["year"], nomination["title"], nomination["recipient"]["unit"])
            counts[key] += 1
            amounts[key] += (nomination.get("award") or {}).get("amount", 0)
        rows = [
            ReportRow(
                year=year, group=TITLE_NAMES_VI[Title(title)], detail=unit,
                count=counts[(year, title, unit)], amount=amounts[(year, title, unit)],
            )
            for year, title, unit in sorted(counts, key=_title_order)
        ]  # fmt: skip
        return Report(commune_id=query.commune_id, rows=rows).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def discipline_report(self, payload: dict) -> dict:
        """Cases by the year they came to light, the form decided and their status:
        counts only, no names (the Inspection Board reads it)."""
        query = parse(ReportQuery, payload)
        self._require(query.actor, query.commune_id, AUDIT_ROLES)
        day = today()
        book = self._book(query.commune_id)
        counts: Counter = Counter()
        for case in self.store.cases_in(query.commune_id, query.year):
            facts = facts_of(case["state"], [])
            case_clock = clock(facts, book, day)
            case_status = status(facts.decided_on, case_clock.effect_ends_on, facts.closed, day)
            decision = case["state"].get("decision")
            form = (
                FORM_NAMES_VI[DisciplineForm(decision["form"])]
                if decision
                else _("Chưa quyết định")
            )
            counts[(case["opened_year"], form, CASE_STATUS_VI[case_status])] += 1
        rows = [
            ReportRow(year=year, group=form, detail=state, count=count)
            for (year, form, state), count in sorted(counts.items())
        ]
        return Report(commune_id=query.commune_id, rows=rows).model_dump(mode="json")

    # --- audit and the outbox ---

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_audit(self, payload: dict) -> dict:
        """Every view and change of a discipline file, every commendation step: for the
        commune's administrators and its People's Inspection Board."""
        query = parse(ListAudit, payload)
        self._require(query.actor, query.commune_id, AUDIT_ROLES)
        entries = self.store.audit_entries(query.commune_id, query.limit)
        return AuditLog(entries=entries).model_dump(mode="json")

    @timer(interval=2)
    def relay_stale_events(self) -> None:
        """Publish events whose writer died before relaying them."""
        self.store.relay_events(self.dispatch, older_than=timedelta(seconds=5))


def _title_order(key: tuple[int, str, str]) -> tuple[int, int, str]:
    year, title, unit = key
    return year, list(Title).index(Title(title)), unit
