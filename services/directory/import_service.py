"""Importing household lists: the directory's entrypoints for it.

Checking and applying run in the background, as events the service sends
itself, so a 30,000-household file never holds an RPC open; the page polls the
import's status. Both steps are idempotent: a redelivered event, or one
resumed after a crash, writes nothing twice (households are keyed by code).
"""

import base64
import binascii
from datetime import date
from typing import Any

from eventlet import tpool

from services.directory import access, import_positions, roster
from services.directory.store import DirectoryStore
from shared.calendar import vietnam_day
from shared.chassis import audit_item, on_event, utcnow
from shared.contracts.directory import COMMUNE_LEVEL_KINDS, RESIDENTIAL_KINDS
from shared.contracts.households import Household, HouseholdStatus
from shared.contracts.imports import (
    AddImportChunk,
    ApplyImport,
    HouseholdImportApproved,
    HouseholdImportUploaded,
    ImportList,
    ImportRef,
    ImportStatus,
    ImportSummary,
    ListImports,
    StartImport,
)
from shared.contracts.positions import ENTERED_POSITIONS
from shared.errors import WIRE_ERRORS, Conflict, Forbidden, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.ids import new_id
from shared.queues import rpc

PROBLEMS_KEPT = 1000  # shown on the report; the count says how many there were
BATCH = 500  # new households per insert: mongoeco's batch path, and a progress step


class ImportEntrypoints:
    store: DirectoryStore

    @rpc(expected_exceptions=WIRE_ERRORS)
    def start_household_import(self, payload: dict) -> dict:
        command = parse(StartImport, payload)
        commune = self.store.get_unit(command.commune_id)
        if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS:
            raise NotFound(_("Không tìm thấy xã, phường hoặc đặc khu này."))
        self._require(
            command.actor,
            commune.id,
            access.may_edit,
            _("Bạn không có quyền nhập danh sách hộ của xã, phường này."),
        )
        summary = ImportSummary(
            import_id=command.import_id,
            commune_id=commune.id,
            actor=command.actor,
            filename=command.filename,
            created_at=utcnow(),
            status=ImportStatus.UPLOADING,
        )
        stored = self.store.create_import(summary, command.chunk_count)
        if (stored.commune_id, stored.actor) != (commune.id, command.actor):
            raise Conflict(_("Mã tải lên này đã được dùng."))
        return stored.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def add_import_chunk(self, payload: dict) -> None:
        command = parse(AddImportChunk, payload)
        record = self._uploader_import(command.actor, command.import_id)
        if record.status != ImportStatus.UPLOADING:
            return  # the upload was finished already: a repeated chunk changes nothing
        if command.index >= self.store.import_field(record.import_id, "chunk_count"):
            raise InvalidInput(fields={"index": _("Phần tệp này không thuộc lần tải lên.")})
        try:
            data = base64.b64decode(command.data, validate=True)
        except binascii.Error:
            raise InvalidInput(fields={"data": _("Dữ liệu tệp bị hỏng khi gửi.")}) from None
        self.store.save_chunk(record.import_id, command.index, data)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def finish_import_upload(self, payload: dict) -> dict:
        command = parse(ImportRef, payload)
        record = self._uploader_import(command.actor, command.import_id)
        expected = self.store.import_field(record.import_id, "chunk_count")
        if record.status == ImportStatus.UPLOADING:
            if self.store.uploaded_chunks(record.import_id) != expected:
                raise InvalidInput(fields={"file": _("Tệp chưa tải lên đủ. Vui lòng tải lên lại.")})
            event = HouseholdImportUploaded(
                event_id=new_id(), occurred_at=utcnow(), import_id=record.import_id
            )
            self.store.advance(
                record.import_id, ImportStatus.UPLOADING, ImportStatus.CHECKING, event=event
            )
            self.store.relay_events(self.dispatch, only=("imports", record.import_id))
        return self._import(record.import_id).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_household_import(self, payload: dict) -> dict:
        command = parse(ImportRef, payload)
        record = self._import(command.import_id)
        self._require(command.actor, record.commune_id, access.may_read_commune)
        return record.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_household_imports(self, payload: dict) -> dict:
        query = parse(ListImports, payload)
        self._require(query.actor, query.commune_id, access.may_read_commune)
        found = ImportList(imports=self.store.list_imports(query.commune_id, query.limit))
        return found.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def apply_household_import(self, payload: dict) -> dict:
        command = parse(ApplyImport, payload)
        record = self._import(command.import_id)
        self._require(command.actor, record.commune_id, access.may_edit)
        if record.status in (ImportStatus.APPLYING, ImportStatus.DONE):
            return record.model_dump(mode="json")  # the button, pressed twice
        refusal = _why_not_apply(record, command.valid_only)
        if refusal is None and not self.store.has_checked_table(record.import_id):
            refusal = _("Báo cáo này đã quá 7 ngày nên không còn lưu tệp. Vui lòng tải lên lại.")
        if refusal:
            raise InvalidInput(fields={"valid_only": refusal})
        event = HouseholdImportApproved(
            event_id=new_id(), occurred_at=utcnow(), import_id=record.import_id
        )
        fields = {
            "applied_by": command.actor,
            "valid_only": command.valid_only,
            "to_apply": record.new + record.changed,
        }
        self.store.advance(
            record.import_id, ImportStatus.CHECKED, ImportStatus.APPLYING, fields, event
        )
        self.store.relay_events(self.dispatch, only=("imports", record.import_id))
        return self._import(record.import_id).model_dump(mode="json")

    def _check_gave_up(self, event: HouseholdImportUploaded, error: Exception) -> None:
        self.store.advance(
            event.import_id,
            ImportStatus.CHECKING,
            ImportStatus.FAILED,
            {
                "failure": _(
                    "Hệ thống không kiểm tra được tệp này. Vui lòng tải lên lại sau ít phút."
                )
            },
        )

    def _apply_gave_up(self, event: HouseholdImportApproved, error: Exception) -> None:
        self.store.advance(
            event.import_id,
            ImportStatus.APPLYING,
            ImportStatus.FAILED,
            {
                "failure": (
                    _(
                        "Hệ thống chưa ghi xong danh sách. Các hộ đã ghi vẫn còn; hãy tải lên lại "
                        "cùng tệp sau ít phút: hộ đã có sẽ không bị ghi trùng."
                    )
                )
            },
        )

    @on_event("directory", HouseholdImportUploaded, gave_up=_check_gave_up)
    def check_uploaded_import(self, event: HouseholdImportUploaded) -> None:
        record = self.store.get_import(event.import_id)
        if record is None or record.status != ImportStatus.CHECKING:
            return  # checked already: a redelivery
        try:
            # Parsing is CPU work: off the eventlet hub, so RPCs keep being answered.
            upload = self.store.uploaded_file(record.import_id)
            rows = tpool.execute(roster.read_table, record.filename, upload)
        except roster.RosterFileError as error:
            report: dict[str, Any] = {"file_error": str(error)}
            self.store.forget_file(record.import_id)
        else:
            self.store.keep_checked_table(record.import_id, roster.as_csv(rows))
            self.store.forget_upload(record.import_id)
            check, comparison, found = self._compared(record, rows)
            report = {
                "rows": check.rows,
                "households": check.household_count,
                "new": len(comparison.new),
                "changed": len(comparison.changed),
                "unchanged": comparison.unchanged,
                "invalid": len(check.invalid_codes),
                "problem_count": len(check.problems),
                "problems": [p.model_dump() for p in check.problems[:PROBLEMS_KEPT]],
                "ignored_columns": check.ignored_columns,
                "positions": len(found.named),
            }
        self.store.advance(record.import_id, ImportStatus.CHECKING, ImportStatus.CHECKED, report)

    @on_event("directory", HouseholdImportApproved, gave_up=_apply_gave_up)
    def apply_approved_import(self, event: HouseholdImportApproved) -> None:
        """Check the file again against the registry as it is now, and write what
        differs, BATCH households at a time. A rerun after a crash finds what it
        wrote already registered, and goes on with the rest."""
        record = self.store.get_import(event.import_id)
        if record is None or record.status != ImportStatus.APPLYING:
            return  # applied already: a redelivery
        actor = record.applied_by or record.actor
        if self.store.imported_any(record.import_id):
            # Applied before, and died midway: what it inserted after its last count
            # was never counted (store.py, "Kept counts").
            self.store.rebuild_unit_counts([u.id for u in self.store.children(record.commune_id)])
        rows = tpool.execute(
            roster.read_table, "checked.csv", self.store.checked_table(record.import_id)
        )
        check, comparison, found = self._compared(record, rows)
        remaining = len(comparison.new) + len(comparison.changed)
        applied, updated = max(record.to_apply - remaining, 0), record.updated
        skipped = list(record.skipped)  # a rerun goes on from what the last one noted
        for start in range(0, len(comparison.new), BATCH):
            batch = comparison.new[start : start + BATCH]
            existed = self.store.insert_imported_households(batch, record.import_id)
            for household in (h for h in batch if h.code in existed):  # registered meanwhile
                outcome = self._update_from_import(actor, record, household)
                updated += outcome == "updated"
                if outcome == "skipped":
                    skipped.append(household.code)
            applied += len(batch)
            self.store.note_progress(
                record.import_id, {"applied": applied, "updated": updated, "skipped": skipped}
            )
        for household in comparison.changed:
            updated += self._update_from_import(actor, record, household) == "updated"
            applied += 1
            if applied % BATCH == 0:
                self.store.note_progress(record.import_id, {"applied": applied, "updated": updated})
        kept = [h for h in check.households if h.code not in set(skipped)]
        opened = self._open_holdings(record, kept, found.named)
        self._finish_import(record, actor, updated, skipped, opened)

    def _compared(
        self, record: ImportSummary, rows: list[list[str]]
    ) -> tuple[roster.RosterCheck, roster.Comparison, import_positions.PositionCheck]:
        """The table checked row by row, its valid households compared with the
        registry as it is now, and the positions its rows name ("Chức danh")."""
        units = self.store.children(record.commune_id)
        # Codes the commune already uses; a code used in another commune is caught
        # when applying (the insert is refused) and reported then.
        registered = self.store.households_in_units([unit.id for unit in units])
        unit_of = {
            code: h.current.unit_id if h.current.status == HouseholdStatus.ACTIVE else None
            for code, h in registered.items()
        }
        # Households join only units with no end recorded (domain.check_open).
        open_units = [u for u in units if u.kind in RESIDENTIAL_KINDS and u.valid_to is None]
        check = tpool.execute(roster.check_roster, rows, open_units, unit_of, date.today())
        found = tpool.execute(
            import_positions.check_positions, rows, check, open_units, vietnam_day(utcnow())
        )
        return check, roster.compare_with_registry(check.households, registered), found

    def _open_holdings(
        self,
        record: ImportSummary,
        households: list[Household],
        named: list[import_positions.NamedHolding],
    ) -> int:
        """Open the holdings the applied households' rows name, BATCH at a time; how
        many were not held already (import_positions.py)."""
        if not named:
            return 0
        existing = self.store.holdings_in(record.commune_id, [p.value for p in ENTERED_POSITIONS])
        wanted = import_positions.holdings_to_open(
            named,
            {h.code: h for h in households},
            existing,
            record.commune_id,
            vietnam_day(utcnow()),
        )
        return sum(
            self.store.open_imported_holdings(wanted[start : start + BATCH])
            for start in range(0, len(wanted), BATCH)
        )

    def _finish_import(
        self, record: ImportSummary, actor: str, updated: int, skipped: list[str], opened: int = 0
    ) -> None:
        created = self.store.count_imported(record.import_id)
        entry = self._entry(
            actor,
            "import_households",
            record.filename,
            record.commune_id,
            None,
            {"created": created, "updated": updated, "skipped": skipped, "holdings": opened},
        )
        fields = {
            "created": created,
            "updated": updated,
            "skipped": skipped,
            "holdings_opened": opened,
            "applied": record.to_apply,
            "finished_at": utcnow(),
        }
        self.store.advance(
            record.import_id,
            ImportStatus.APPLYING,
            ImportStatus.DONE,
            fields,
            audit=audit_item(entry),
        )
        self.store.forget_file(record.import_id)
        # Its own audit entry now; updated households' entries go with the timer.
        self.store.relay_events(self.dispatch, only=("imports", record.import_id))

    def _update_from_import(self, actor: str, record: ImportSummary, household: Household) -> str:
        """Update a registered household's details from the file: "updated",
        "unchanged", or "skipped" if it lives elsewhere now (another commune uses
        the code, or it moved since the check)."""
        before = self.store.get_household(household.code)
        if before is None or before.current != household.current:
            return "skipped"
        after = household.model_copy(update={"periods": before.periods})
        if after == before:
            return "unchanged"
        entry = self._entry(
            actor,
            "import_household",
            household.code,
            record.commune_id,
            before.model_dump(mode="json"),
            after.model_dump(mode="json"),
        )
        self.store.save_household(after, entry)
        return "updated"

    def _import(self, import_id: str) -> ImportSummary:
        record = self.store.get_import(import_id)
        if record is None:
            raise NotFound(_("Không tìm thấy lần nhập danh sách này."))
        return record

    def _uploader_import(self, actor: str, import_id: str) -> ImportSummary:
        record = self._import(import_id)
        if record.actor != actor:
            raise Forbidden(_("Chỉ người tải tệp lên mới gửi tiếp được tệp này."))
        return record


def _why_not_apply(record: ImportSummary, valid_only: bool) -> str | None:
    if record.status != ImportStatus.CHECKED:
        return _("Tệp chưa được kiểm tra xong.")
    if record.file_error:
        return _("Không đọc được tệp này. Vui lòng sửa tệp và tải lên lại.")
    if record.problem_count and not valid_only:
        return _(
            "Tệp còn {count} lỗi. Hãy sửa tệp và tải lên lại, "
            "hoặc chọn chỉ nhập các hộ không có lỗi."
        ).format(count=record.problem_count)
    if record.problem_count and record.valid == 0:
        return _("Không có hộ nào hợp lệ để nhập.")
    return None
