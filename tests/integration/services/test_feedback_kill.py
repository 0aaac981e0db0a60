"""kill -9 of the feedback process while residents file: every receipt a resident
was shown names a case that is kept, and its `petition_received` still goes out."""

import threading
import time
import uuid

from nameko.standalone.rpc import ClusterRpcProxy

from shared.chassis import MongoStore, Store, on_event
from shared.contracts.feedback import PetitionReceived
from tests.samples import residential_group
from tests.support import ServiceProcess, python_env, wait_until

FILERS = 4  # threads, each with its own proxy
PER_FILER = 15
CALL_TIMEOUT = 4  # seconds a phone waits before "send" is pressed again


def filing(number: int) -> dict:
    return {
        "request_id": uuid.uuid4().hex,  # the form's: kept when "send" is pressed again
        "commune_id": "huong-an",
        "category": "roads",
        "title": f"Ổ gà số {number}",
        "text": f"Đường trước tổ 1 có ổ gà số {number}, xe máy dễ ngã.",
        "place": {"unit_id": "tdp-1"},
    }


class ReceivedWatcher:
    """Binds a queue to `petition_received`, as the notifications service does: an
    event no queue takes stays in the outbox (mandatory publishing)."""

    name = "received_watcher"
    store = MongoStore(Store)
    seen: set[str] = set()

    @on_event("feedback", PetitionReceived)
    def received(self, event: PetitionReceived) -> None:
        ReceivedWatcher.seen.add(event.petition_id)


def test_killing_feedback_while_residents_file_loses_no_case_shown_a_receipt(
    directory, config, databases, tmp_path, start_service
):
    directory.register_unit(residential_group(1))
    config["MONGO_DATABASES"]["received_watcher"] = config["MONGO_DATABASES"]["notifications"]
    ReceivedWatcher.seen.clear()
    start_service(ReceivedWatcher)
    env = python_env(
        AMQP_URI=config["AMQP_URI"],
        MONGO_URL=config["MONGO_URL"],
        **{f"DANBAN_DB_{name.upper()}": db for name, db in config["MONGO_DATABASES"].items()},
    )
    amqp = {"AMQP_URI": config["AMQP_URI"]}
    service = ServiceProcess("feedback", env, tmp_path / "feedback-1.log").start()
    receipts: dict[str, dict] = {}  # request id → receipt shown
    failed: list[str] = []

    def file(numbers: range) -> None:
        proxy = ClusterRpcProxy(amqp, timeout=CALL_TIMEOUT)
        cluster = proxy.start()
        for number in numbers:
            command = filing(number)
            while command["request_id"] not in receipts:
                try:
                    receipt = cluster.feedback.file_case(command)
                except Exception:  # no answer, or the service is down: press again
                    failed.append(command["request_id"])
                    proxy.stop()
                    time.sleep(0.3)
                    proxy = ClusterRpcProxy(amqp, timeout=CALL_TIMEOUT)
                    cluster = proxy.start()
                else:
                    receipts[command["request_id"]] = receipt
        proxy.stop()

    filers = [
        threading.Thread(target=file, args=(range(n * PER_FILER, (n + 1) * PER_FILER),))
        for n in range(FILERS)
    ]
    try:
        for filer in filers:
            filer.start()
        wait_until(lambda: len(receipts) >= 10, timeout=30, interval=0.01)
        service.kill()
        time.sleep(CALL_TIMEOUT + 1)  # long enough for the calls in flight to give up
        service = ServiceProcess("feedback", env, tmp_path / "feedback-2.log").start()
        for filer in filers:
            filer.join(timeout=60)
        assert not any(filer.is_alive() for filer in filers)
        assert failed, "the kill interrupted no call: the test proved nothing"
        assert len(receipts) == FILERS * PER_FILER

        cases = databases["feedback"].cases
        with ClusterRpcProxy(amqp, timeout=10) as rpc:
            for receipt in receipts.values():
                assert rpc.feedback.track_case({"code": receipt["code"]})["status"] == "received"
        # one case a form, however often it was sent; every event relayed in the end
        assert cases.count_documents({}) == len(receipts)
        wait_until(lambda: cases.count_documents({"_pending": {"$exists": True}}) == 0, timeout=30)
        codes = {receipt["code"] for receipt in receipts.values()}
        wait_until(lambda: codes <= ReceivedWatcher.seen, timeout=30)
    finally:
        service.stop()
