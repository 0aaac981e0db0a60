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
import signal
from pathlib import Path

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire.proxy import AsyncMongoEcoProxyServer


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
    args = parser.parse_args()
    if args.memory:
        engine = MemoryEngine()
    else:
        args.data.parent.mkdir(parents=True, exist_ok=True)
        engine = SQLiteEngine(str(args.data))
    asyncio.run(serve(engine, args.host, args.port))


if __name__ == "__main__":
    main()
