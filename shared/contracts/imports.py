"""Contracts of the directory service for importing household lists (CSV or
Excel), the way ward staff keep them.

An import goes: upload (in chunks, so no message is large) → checked in the
background, row by row → the clerk reads the report and applies it, all or
only the valid households → applied in the background, with progress.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from shared.contracts.common import Contract, Event, Text

ImportId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
CHUNK_BYTES = 1024 * 1024  # before base64: a message stays well under the broker's limit
MAX_CHUNKS = 20  # 20 MB, roster.MAX_FILE_BYTES


class ImportStatus(StrEnum):
    UPLOADING = "uploading"
    CHECKING = "checking"
    CHECKED = "checked"  # the report is ready; waits for the clerk
    APPLYING = "applying"
    DONE = "done"
    FAILED = "failed"  # a background step kept failing; `failure` says what to do


class RowProblem(Contract):
    line: int = Field(ge=1)  # as the spreadsheet numbers it: the header is line 1
    column: str
    problem: str


class StartImport(Contract):
    """`directory.start_household_import`. `import_id` is the upload form's
    one-time id, so submitting the form twice starts one import."""

    actor: Text
    commune_id: Text
    import_id: ImportId
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    chunk_count: int = Field(ge=1, le=MAX_CHUNKS)


class AddImportChunk(Contract):
    """`directory.add_import_chunk`: part `index` of the file, base64."""

    actor: Text
    import_id: ImportId
    index: int = Field(ge=0, lt=MAX_CHUNKS)
    data: Annotated[str, StringConstraints(max_length=CHUNK_BYTES * 4 // 3 + 4)]


class ImportRef(Contract):
    """`directory.finish_import_upload` and `directory.get_household_import`."""

    actor: Text
    import_id: ImportId


class ApplyImport(Contract):
    """`directory.apply_household_import`: write the checked households. With
    problems in the file, only if the clerk chose to import the valid ones."""

    actor: Text
    import_id: ImportId
    valid_only: bool = False


class ListImports(Contract):
    """`directory.list_household_imports`: a commune's recent imports, newest first."""

    actor: Text
    commune_id: Text
    limit: int = Field(default=20, ge=1, le=100)


class ImportSummary(Contract):
    import_id: str
    commune_id: str
    actor: str
    filename: str
    created_at: datetime
    status: ImportStatus
    file_error: str | None = None  # the file could not be read as a table at all
    failure: str | None = None
    rows: int = 0
    households: int = 0  # in the file
    new: int = 0  # valid and not yet registered
    changed: int = 0  # valid, registered, with other details now
    unchanged: int = 0  # valid and registered exactly so
    invalid: int = 0  # households with at least one problem
    problem_count: int = 0
    problems: list[RowProblem] = []  # the first ones (see problem_count)
    ignored_columns: list[str] = []
    positions: int = 0  # holdings the valid rows name in "Chức danh" (import_positions.py)
    applied_by: str | None = None
    valid_only: bool = False
    to_apply: int = 0  # households the apply step writes
    applied: int = 0  # of them, done so far
    created: int = 0
    updated: int = 0
    skipped: list[str] = []  # codes left alone: another commune uses them, or the household moved
    holdings_opened: int = 0  # of `positions`, the ones not held already
    finished_at: datetime | None = None

    @property
    def valid(self) -> int:
        return self.new + self.changed + self.unchanged


class ImportList(Contract):
    imports: list[ImportSummary]


class HouseholdImportUploaded(Event):
    """The whole file is in; the directory checks it in the background."""

    event_type: ClassVar[str] = "household_import_uploaded"
    import_id: str


class HouseholdImportApproved(Event):
    """A clerk approved a checked import; the directory applies it in the background."""

    event_type: ClassVar[str] = "household_import_approved"
    import_id: str
