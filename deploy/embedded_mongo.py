"""The embedded MongoDB wire-protocol server for local runs and tests.

    python -m deploy.embedded_mongo --data var/mongo/danban.sqlite --port 27017
    python -m deploy.embedded_mongo --memory --port 0

Serves mongoeco's engine (SQLite on disk, or memory) on loopback over the
MongoDB wire protocol, so services reach it through pymongo exactly as they
would reach MongoDB. Prints one line `ready mongodb://...` once it accepts
connections, and stops cleanly on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import inspect
import re
import signal
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from mongoeco.api._async._database_admin_write_commands import (
    DatabaseAdminWriteCommandService,
    _write_command_result,
    command_boolean,
    write_command_acknowledged,
)
from mongoeco.core.identity import id_contains_numeric_value
from mongoeco.core.operation_context import ChangePublicationPolicy
from mongoeco.engines import _sqlite_index_admin
from mongoeco.engines import sqlite as sqlite_engine
from mongoeco.engines._sqlite_connection import SQLiteConnection
from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.errors import BulkWriteError
from mongoeco.types import WriteCommandResult, WriteErrorEntry
from mongoeco.wire.proxy import AsyncMongoEcoProxyServer


def skip_needless_id_scans() -> None:
    """Make single-document inserts into the SQLite engine cost O(1), not O(n).

    mongoeco 4.11.0 checks every inserted `_id` against every stored document
    (`scan_payload_id=True`), which only numeric ids need (1 and 1.0 are the
    same key). For string and ObjectId ids the storage-key lookup that runs
    first already catches duplicates. Measured here: 3,000 inserts went from
    21 ms to 2.2 ms each, and the cost no longer grows with the collection.
    Refuses to start if mongoeco changed, rather than patch the wrong thing.
    """
    original = SQLiteEngine._validate_document_against_unique_indexes
    if "scan_payload_id" not in inspect.signature(original).parameters:
        raise RuntimeError("mongoeco changed its insert validation: review skip_needless_id_scans")

    def validate(self, db_name, coll_name, document, **options):  # noqa: ANN001, ANN202
        if options.get("scan_payload_id") and not id_contains_numeric_value(document.get("_id")):
            options["scan_payload_id"] = False
        return original(self, db_name, coll_name, document, **options)

    SQLiteEngine._validate_document_against_unique_indexes = validate


def batch_wire_inserts() -> None:
    """Send a wire `insert` of many documents down mongoeco's batch path.

    mongoeco 4.11.0 answers the `insert` command (what pymongo's insert_many
    sends) with one insert_one, one SQLite commit and one change-stream thread
    per document, although its engine has a batch insert that its own
    `insert_many` uses. Measured here: 2.1 ms per household one by one, 0.63 ms
    in batches (30,000 households: 63 s → 19 s). Errors come back per document,
    as the wire protocol reports them. Refuses to start if mongoeco changed.
    """
    original = DatabaseAdminWriteCommandService.command_insert
    if list(inspect.signature(original).parameters) != ["self", "spec", "session"]:
        raise RuntimeError("mongoeco changed its insert command: review batch_wire_inserts")

    async def command_insert(self, spec, *, session=None):  # noqa: ANN001, ANN202
        documents = self._admin._normalize_insert_documents(spec.get("documents"))
        if len(documents) < 2:
            return await original(self, spec, session=session)
        name = self._admin._require_collection_name(spec.get("insert"), "insert")
        collection = self._admin._database.get_collection(name)
        try:
            result = await collection.insert_many(
                documents,
                ordered=self._admin._normalize_ordered_from_command(spec.get("ordered")),
                bypass_document_validation=command_boolean(
                    spec.get("bypassDocumentValidation", False),
                    "bypassDocumentValidation",
                    numeric=True,
                ),
                session=session,
            )
            outcome = WriteCommandResult(count=len(result.inserted_ids))
        except BulkWriteError as failure:
            details = failure.details or {}
            errors = [
                WriteErrorEntry(index=e["index"], errmsg=e["errmsg"], code=e.get("code"))
                for e in details.get("writeErrors", [])
            ]
            outcome = WriteCommandResult(count=details.get("nInserted", 0), write_errors=errors)
        acknowledged = write_command_acknowledged(spec, dialect=self._admin._mongodb_dialect.key)
        return _write_command_result(outcome, acknowledged=acknowledged)

    DatabaseAdminWriteCommandService.command_insert = command_insert


def skip_gap_documents() -> None:
    """Do not serialize a whole document for a change no change stream will read.

    mongoeco 4.11.0 records every write in its change-stream outbox. With no
    stream watching (DânBàn opens none) it records a "gap" without a payload,
    yet still encodes the full document to fingerprint the gap: about 30% of an
    insert's CPU in a profile. The fingerprint only guards a replayed operation
    against a different payload, which a gap does not have; it is now taken over
    the change without the document; the wire server serves no `$changeStream`
    anyway (a test checks). Measured here: 6,000 households with the registry's
    indexes, 6.6 s → 5.15 s. Refuses to start if mongoeco changed.
    """
    original = sqlite_engine._sqlite_append_change
    parameters = inspect.signature(original).parameters
    if "full_document" not in parameters or "context" not in parameters:
        raise RuntimeError("mongoeco changed its change outbox: review skip_gap_documents")

    def append_change(conn, *, context, full_document, **change):  # noqa: ANN001, ANN003, ANN202
        if context is not None and context.publication is ChangePublicationPolicy.RECORD_GAP:
            full_document = None
        return original(conn, context=context, full_document=full_document, **change)

    sqlite_engine._sqlite_append_change = append_change


def scan_with_the_planned_index() -> None:
    """Run a `find` with the plan `explain` shows, so an equality on an indexed
    field reads the index instead of every document.

    mongoeco 4.11.0 plans a find in two ways: `explain` (and find_one) use
    `_plan_find_semantics_sync`, which reads a single-field index for an
    equality; a find of several results compiles a generic plan that tests
    every document with json_extract, although explain says it uses the index.
    Measured here on 30,000 electors: `find({"household": h})` 45 ms, find_one
    of the same 2.2 ms. Now the scan asks the first planner, which falls back to
    the generic plan itself when it has no index for the query (hinted queries
    keep the generic path, which checks the hint). Refuses to start if mongoeco
    changed.
    """
    open_scan = SQLiteEngine._open_scan_documents_sync
    compile_plan = SQLiteEngine._compile_read_execution_plan
    plan_find = SQLiteEngine._plan_find_semantics_sync
    if list(inspect.signature(plan_find).parameters) != [
        "self", "db_name", "coll_name", "semantics"
    ] or "select_clause" not in inspect.signature(compile_plan).parameters:  # fmt: skip
        raise RuntimeError("mongoeco changed its read planning: review scan_with_the_planned_index")
    scanning = threading.local()  # set while a find prepares its scan, in this thread

    def open_scan_documents(self, reader):  # noqa: ANN001, ANN202
        scanning.on = True
        try:
            return open_scan(self, reader)
        finally:
            scanning.on = False

    def compile_read_plan(self, db_name, coll_name, semantics, **options):  # noqa: ANN001, ANN003, ANN202
        planned = options.get("select_clause", "document") == "document"
        if getattr(scanning, "on", False) and planned and options.get("hint") is None:
            scanning.on = False  # the planner's own fallback comes back here
            return plan_find(self, db_name, coll_name, semantics)
        return compile_plan(self, db_name, coll_name, semantics, **options)

    SQLiteEngine._open_scan_documents_sync = open_scan_documents
    SQLiteEngine._compile_read_execution_plan = compile_read_plan


def update_by_id_reads_one_doc() -> None:
    """Let an update whose filter names one `_id` read that document, not all.

    mongoeco 4.11.0 selects the document to update in SQL when it can compile
    the filter, and otherwise tests every document of the collection in Python;
    a filter of `_id` and any other condition (`{"_id": x, "card_version": 1,
    "channel": {"$exists": False}}`, a conditional write) takes the second way.
    Measured here on 30,000 electors: 155 ms an update, against 2.3 ms for the
    same update by `_id` alone. No other document can match a filter that names
    one `_id`, so the Python test now runs on that one document, loaded by its
    storage key (inside the engine's write lock, as before, so the test and the
    write stay one step). Numeric ids keep the stock path (1 and 1.0 are the
    same key there). Refuses to start if mongoeco changed.
    """
    original = sqlite_engine._sqlite_update_with_operation
    parameters = inspect.signature(original).parameters
    wanted = {"operation", "select_first_document_for_plan", "load_documents", "storage_key_for_id"}
    if not wanted <= set(parameters):
        raise RuntimeError("mongoeco changed its update path: review update_by_id_reads_one_doc")

    def update_with_operation(**options):  # noqa: ANN003, ANN202
        filter_spec = getattr(options["operation"], "filter_spec", None) or {}
        wanted_id = filter_spec.get("_id") if isinstance(filter_spec, dict) else None
        engine = getattr(options["load_documents"], "__self__", None)
        if isinstance(wanted_id, str) and engine is not None and not options.get("upsert"):
            key = options["storage_key_for_id"](wanted_id)
            db_name, coll_name = options["db_name"], options["coll_name"]

            def one_document(*_):  # noqa: ANN002, ANN202
                return engine._load_documents_by_storage_keys(db_name, coll_name, [key]).items()

            def python_test(*_, **__):  # noqa: ANN002, ANN003, ANN202
                raise NotImplementedError("test the one document in Python")

            options["load_documents"] = one_document
            options["select_first_document_for_plan"] = python_test
        return original(**options)

    sqlite_engine._sqlite_update_with_operation = update_with_operation


# mongoeco names one SQLite index per MongoDB index over its entry tables:
# "scidx_" (single-field) or "mkidx_" (array) and a hash, quoted or not.
_ENTRY_INDEX = r'"?(scidx|mkidx)_[0-9a-f]+"?'
_ENTRY_TABLES = {"scidx": "scalar_index_entries", "mkidx": "multikey_entries"}
_ENTRY_COLUMNS = "(collection_id, index_name, type_score, element_key, storage_key)"
_ENTRY_INDEX_REWRITES = (
    (
        re.compile(rf"CREATE INDEX (?:IF NOT EXISTS )?{_ENTRY_INDEX} ON (\w+)"),
        r'CREATE INDEX IF NOT EXISTS "\1_shared" ON \2',
    ),
    (re.compile(rf"DROP INDEX IF EXISTS {_ENTRY_INDEX}"), "SELECT 1"),
    (re.compile(rf"INDEXED BY {_ENTRY_INDEX}"), r'INDEXED BY "\1_shared"'),
)


def one_index_per_entry_table() -> None:
    """Keep one SQLite index over each of mongoeco's index-entry tables, not one
    per MongoDB index.

    mongoeco 4.11.0 keeps the entries of every single-field index of every
    collection in one table (`scalar_index_entries`, and arrays' in
    `multikey_entries`), and for each MongoDB index creates a SQLite index over
    that whole table, each with the same columns. With the ~60 indexes DânBàn's
    services declare, every entry written updated ~60 identical B-trees.
    Measured here: a ballot's conditional write took 2.1 ms alone and 4.1 ms
    beside 40 other indexes (2.7 ms with this fix); storing a 30,000-household
    electorate took 23 s in the full stack. The statements that create, drop or
    name (`INDEXED BY`) such an index now use one shared index per table; the
    duplicates in an existing file are dropped at start (they hold the same rows
    in the same order). Refuses to start if mongoeco changed.
    """
    if list(inspect.signature(SQLiteEngine._create_sqlite_connection).parameters) != ["self"]:
        raise RuntimeError("mongoeco changed its connections: review one_index_per_entry_table")

    def shared(sql: object) -> object:
        if isinstance(sql, str) and ("scidx_" in sql or "mkidx_" in sql):
            for pattern, replacement in _ENTRY_INDEX_REWRITES:
                sql = pattern.sub(replacement, sql)
        return sql

    def execute(self, sql, *args):  # noqa: ANN001, ANN002, ANN202
        return sqlite3.Connection.execute(self, shared(sql), *args)

    def executemany(self, sql, *args):  # noqa: ANN001, ANN002, ANN202
        return sqlite3.Connection.executemany(self, shared(sql), *args)

    SQLiteConnection.execute = execute
    SQLiteConnection.executemany = executemany
    when_the_file_opens(_drop_duplicate_entry_indexes)


def when_the_file_opens(migrate: Callable[[sqlite3.Connection], None]) -> None:
    """Run `migrate` on the first connection to a data file, made when the engine
    opens it (an in-memory engine has nothing to migrate)."""
    original_connect = SQLiteEngine._create_sqlite_connection
    done = threading.Event()

    def create_sqlite_connection(self):  # noqa: ANN001, ANN202
        connection = original_connect(self)
        if not done.is_set() and self._path != ":memory:":
            done.set()
            migrate(connection)
        return connection

    SQLiteEngine._create_sqlite_connection = create_sqlite_connection


def _drop_duplicate_entry_indexes(connection: sqlite3.Connection) -> None:
    for prefix, table in _ENTRY_TABLES.items():
        found = sqlite3.Connection.execute(
            connection,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND name LIKE ? AND name != ?",
            (table, f"{prefix}_%", f"{prefix}_shared"),
        ).fetchall()
        if not found:
            continue
        sqlite3.Connection.execute(
            connection, f'CREATE INDEX IF NOT EXISTS "{prefix}_shared" ON {table} {_ENTRY_COLUMNS}'
        )
        for (name,) in found:
            sqlite3.Connection.execute(connection, f'DROP INDEX IF EXISTS "{name}"')
    connection.commit()


# mongoeco's "ordered" index over its shared `documents` table: one per MongoDB index.
_DOCUMENTS_INDEX = re.compile(r'\s*CREATE INDEX "?(idx_[0-9a-f]+)"? ON documents \(.*\)\s*', re.S)
_INDEX_RECORD = re.compile(r"\s*INSERT INTO indexes \(\s*db_name, coll_name, name, physical_name,")


def one_namespace_per_document_index() -> None:
    """Index each collection's documents in its own partial SQLite index.

    mongoeco 4.11.0 keeps the documents of every collection of every database in
    one table, and for each MongoDB index creates a SQLite expression index over
    that whole table ("physical indexes span every namespace"): every document
    written, in any collection, updated every collection's indexes, ~87 of them
    with the training service's. Measured on a copy of the demo stack's file: an
    update of one document took 0.27 ms with them, 0.045 ms with each limited to
    its own collection (`WHERE db_name = ... AND coll_name = ...`), which is what
    MongoDB's own indexes are. Reads keep using them: mongoeco binds the namespace
    as parameters, and SQLite re-plans a statement whose parameters a partial
    index's condition compared. mongoeco writes the index, then its record (with
    the namespace) in the same transaction: the index is made when its record is.
    An existing file's indexes are remade partial at start. Refuses to start if
    mongoeco changed.
    """
    if "ON documents ({expressions})" not in inspect.getsource(_sqlite_index_admin):
        raise RuntimeError("mongoeco changed its indexes: review one_namespace_per_document_index")
    previous_execute = SQLiteConnection.execute
    waiting: dict[tuple[int, str], str] = {}  # (connection, index) → its CREATE statement

    def execute(self, sql, *args):  # noqa: ANN001, ANN002, ANN202
        if not isinstance(sql, str):
            return previous_execute(self, sql, *args)
        if index := _DOCUMENTS_INDEX.fullmatch(sql):
            waiting[(id(self), index.group(1))] = sql.strip()
            return previous_execute(self, "SELECT 1")
        if args and _INDEX_RECORD.match(sql):
            db_name, coll_name, _, physical_name = args[0][:4]
            create = waiting.pop((id(self), physical_name), None)
            if create is not None:
                previous_execute(self, _partial(create, db_name, coll_name))
        if args and "coll_name" in sql:
            sql, params = _namespace_inlined(sql, args[0])
            args = (params, *args[1:])
        return previous_execute(self, sql, *args)

    SQLiteConnection.execute = execute
    original_init = SQLiteConnection.__init__

    def init(self, *args, **options):  # noqa: ANN001, ANN002, ANN003, ANN202
        # a statement per namespace now: keep them all prepared (the default keeps 128)
        original_init(self, *args, **{"cached_statements": 2048, **options})

    SQLiteConnection.__init__ = init
    when_the_file_opens(_make_document_indexes_partial)


_NAMESPACE = re.compile(
    r"((?:documents\.)?db_name\s*=\s*)\?(\s+AND\s+(?:documents\.)?coll_name\s*=\s*)\?"
)


def _namespace_inlined(sql: str, params: object) -> tuple[str, object]:
    """`sql` with its namespace written in, so SQLite sees the collection a partial
    index is for (a bound parameter it would have to re-plan for at every call)."""
    if not isinstance(params, (tuple, list)):
        return sql, params
    while found := _NAMESPACE.search(sql):
        at = sql.count("?", 0, found.start())  # mongoeco writes no "?" in its literals
        db_name, coll_name = params[at : at + 2]
        if not (isinstance(db_name, str) and isinstance(coll_name, str)):
            break
        named = f"{found.group(1)}{_quoted(db_name)}{found.group(2)}{_quoted(coll_name)}"
        sql = sql[: found.start()] + named + sql[found.end() :]
        params = (*params[:at], *params[at + 2 :])
    return sql, params


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _partial(create: str, db_name: str, coll_name: str) -> str:
    return f"{create} WHERE db_name = {_quoted(db_name)} AND coll_name = {_quoted(coll_name)}"


def _make_document_indexes_partial(connection: sqlite3.Connection) -> None:
    tables = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'indexes'"
    if sqlite3.Connection.execute(connection, tables).fetchone() is None:
        return  # a new file: mongoeco makes its tables after this
    query = (
        "SELECT i.physical_name, i.db_name, i.coll_name, m.sql FROM indexes i "
        "JOIN sqlite_master m ON m.name = i.physical_name "
        "WHERE m.tbl_name = 'documents' AND m.sql NOT LIKE '%) WHERE db_name = %'"
    )
    for name, db_name, coll_name, create in sqlite3.Connection.execute(
        connection, query
    ).fetchall():
        sqlite3.Connection.execute(connection, f'DROP INDEX "{name}"')
        sqlite3.Connection.execute(connection, _partial(create, db_name, coll_name))
    connection.commit()


async def serve(engine: object, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with AsyncMongoEcoProxyServer(engine=engine, host=host, port=port) as server:
        print(f"ready {server.address.uri}", flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--data", type=Path, help="SQLite file that keeps the data")
    where.add_argument("--memory", action="store_true", help="keep data in memory only")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=27017, help="0 picks a free port")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="mongoeco as it comes, without these patches (baselines and tests)",
    )
    args = parser.parse_args()
    if not args.stock:
        skip_needless_id_scans()
        batch_wire_inserts()
        skip_gap_documents()
        scan_with_the_planned_index()
        update_by_id_reads_one_doc()
        one_index_per_entry_table()
        one_namespace_per_document_index()
    if args.memory:
        engine = MemoryEngine()
    else:
        args.data.parent.mkdir(parents=True, exist_ok=True)
        # One worker thread, as mongoeco's own test kit runs it: concurrent writers
        # from several services then queue instead of failing with "database is locked".
        engine = SQLiteEngine(str(args.data), executor_workers=1)
    asyncio.run(serve(engine, args.host, args.port))


if __name__ == "__main__":
    main()
