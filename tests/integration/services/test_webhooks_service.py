"""The webhooks service on the real broker and the real wire server, delivering to a
local HTTP endpoint that records what it receives and checks each signature: the
endpoint down (refused, then answering 500) for a while and back, with everything
delivered once, each subject's in order; a slow endpoint that delays no other
subscription; dead letters after the most attempts, retried by an administrator; who
may register what, and where."""

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any, Self

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy

from services.feedback.service import FeedbackService
from services.webhooks import domain
from services.webhooks.service import WebhooksService
from shared.chassis import MongoStore, Store, on_event
from shared.contracts.feedback import PetitionReceived
from shared.errors import Forbidden, InvalidInput
from tests.integration.services.conftest import account
from tests.samples import OTHER_WARD, household, residential_group
from tests.support import free_port

FAST = {
    "allow_http_loopback": True,
    "first_retry_seconds": 0.2,
    "retry_cap_seconds": 1.0,
    "max_attempts": 50,
    "timeout_seconds": 2.0,
}
ALL_TYPES = ["vn.danban.poll.opened", "vn.danban.poll.closed", "vn.danban.poll.decided",
             "vn.danban.disclosure.posted"]  # fmt: skip


@dataclass(frozen=True)
class Received:
    path: str
    event: dict[str, Any]
    signed: bool  # the signature checked out under the path's secret


class Endpoint:
    """An HTTP endpoint on 127.0.0.1 recording each CloudEvent it receives, by path;
    it may be down (connection refused), answer 500, or answer slowly."""

    def __init__(self) -> None:
        self.port = free_port()
        self.secrets: dict[str, str] = {}  # path -> the subscription's secret
        self.received: list[Received] = []
        self.failing: set[str] = set()  # paths answered 500
        self.slow: dict[str, float] = {}  # path -> seconds before answering
        self._server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def of(self, path: str) -> list[dict[str, Any]]:
        return [r.event for r in self.received if r.path == path]

    def start(self) -> Self:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                eventlet.sleep(endpoint.slow.get(self.path, 0))
                if self.path in endpoint.failing:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                secret = endpoint.secrets.get(self.path, "")
                signed = domain.verify(secret, headers, raw, datetime.now(UTC))
                assert headers["content-type"].startswith("application/cloudevents+json")
                endpoint.received.append(Received(self.path, json.loads(raw), signed))
                self.send_response(204 if signed else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.stop()


@pytest.fixture
def ward(directory):
    directory.register_unit(OTHER_WARD)
    directory.register_unit(residential_group(1))
    directory.register_household(household("HAAAA2", "tdp-1"))
    directory.create_account(account("lanh-dao", ("commune_admin", "huong-an")))
    directory.create_account(account("can-bo", ("commune_staff", "huong-an")))
    directory.create_account(account("thanh-tra", ("inspector", "huong-an")))
    return directory


def start_webhooks(start_service, config, **settings):
    start_service(WebhooksService, WEBHOOKS=FAST | settings, PUBLIC_URL="https://danban.test")
    return ServiceRpcProxy("webhooks", config)


@pytest.fixture
def webhooks(ward, start_service, config):
    with start_webhooks(start_service, config) as proxy:
        yield proxy


def register(webhooks, endpoint, path, scope="huong-an", actor="lanh-dao", types=ALL_TYPES):
    answer = webhooks.register_webhook(
        {"actor": actor, "scope_id": scope, "url": endpoint.url(path), "event_types": types}
    )
    endpoint.secrets[path] = answer["secret"]
    return answer


def wait_for(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "not within the generous wait"
        eventlet.sleep(0.05)
    return found


class Events:
    """Publishes events as the owning services do (their exchanges, their types)."""

    def __init__(self, config: dict) -> None:
        self.dispatch = event_dispatcher(config)
        self.clock = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)

    def _at(self) -> str:
        self.clock += timedelta(seconds=1)
        return self.clock.isoformat()

    def poll(self, kind: str, poll_id: str, commune: str = "huong-an", **extra) -> str:
        event_id = uuid.uuid4().hex
        payload = {
            "event_id": event_id, "occurred_at": self._at(), "poll_id": poll_id,
            "kind": "decision", "commune_id": commune, "unit_id": "tdp-1",
            "title": f"Biểu quyết {poll_id}", "opens_at": "2026-12-01T00:00:00+00:00",
            "closes_at": "2026-12-04T00:00:00+00:00", "public_results": True,
        } | extra  # fmt: skip
        self.dispatch("surveys", f"poll_{kind}", payload)
        return event_id

    def opened(self, poll_id: str, **kw) -> str:
        return self.poll("opened", poll_id, households=170, **kw)

    def closed(self, poll_id: str, **kw) -> str:
        return self.poll("closed", poll_id, participated=120, households=170, **kw)

    def decided(self, poll_id: str, **kw) -> str:
        return self.poll("decided", poll_id, passes=True, seal="ab" * 32, **kw)


def in_order(received: list[dict], poll_id: str) -> list[str]:
    return [e["type"].rsplit(".", 1)[1] for e in received if e["subject"] == poll_id]


def test_an_endpoint_down_for_a_while_gets_everything_once_each_subject_in_order(
    webhooks, endpoint, config
):
    register(webhooks, endpoint, "/tinh")
    events = Events(config)
    sent = [events.opened("p1"), events.opened("p2"), events.closed("p1"), events.decided("p1")]
    sent.append(events.closed("p2"))
    # refused: nobody listens yet; the first of each subject is tried again and again
    wait_for(lambda: any(d["attempts"] >= 2 for d in deliveries(webhooks)))
    endpoint.start()
    endpoint.failing.add("/tinh")  # now it answers 500 for a while
    seen = len([d for d in deliveries(webhooks) if d["last_status_code"] == 500])
    wait_for(lambda: len([d for d in deliveries(webhooks) if d["last_status_code"] == 500]) > seen)
    sent.append(events.decided("p2"))  # accepted while the endpoint fails
    endpoint.failing.clear()

    wait_for(lambda: len(endpoint.of("/tinh")) == 6)
    eventlet.sleep(1.5)  # a few more ticks: nothing is sent twice

    received = endpoint.of("/tinh")
    assert sorted(e["id"] for e in received) == sorted(sent)  # all, once each
    assert all(r.signed for r in endpoint.received)
    assert in_order(received, "p1") == ["opened", "closed", "decided"]
    assert in_order(received, "p2") == ["opened", "closed", "decided"]
    # each is marked sent once the endpoint has answered, after it recorded the event
    wait_for(lambda: {d["status"] for d in deliveries(webhooks)} == {"sent"})
    first = received[0]
    assert (
        first["specversion"] == "1.0" and first["source"] == "https://danban.test/communes/huong-an"
    )


def deliveries(webhooks, dead_only=False, actor="lanh-dao", scope="huong-an"):
    log = webhooks.list_deliveries({"actor": actor, "scope_id": scope, "dead_only": dead_only})
    return log["deliveries"]


def test_a_slow_endpoint_delays_its_own_deliveries_and_no_one_elses(webhooks, endpoint, config):
    endpoint.start()
    endpoint.slow["/cham"] = 1.5  # each answer takes 1.5 s (the timeout is 2 s)
    register(webhooks, endpoint, "/cham")
    register(webhooks, endpoint, "/nhanh")
    events = Events(config)
    for poll_id in ("p1", "p2", "p3", "p4"):
        events.opened(poll_id)

    wait_for(lambda: len(endpoint.of("/nhanh")) == 4)

    assert len(endpoint.of("/cham")) < 4  # still working through its own
    wait_for(lambda: len(endpoint.of("/cham")) == 4)


def test_a_delivery_failing_every_attempt_becomes_a_dead_letter_retried_by_an_administrator(
    ward, start_service, config, endpoint, databases
):
    endpoint.start()
    endpoint.failing.add("/tinh")
    with start_webhooks(start_service, config, max_attempts=3) as webhooks:
        register(webhooks, endpoint, "/tinh")
        events = Events(config)
        opened, closed = events.opened("p1"), events.closed("p1")

        dead = wait_for(lambda: deliveries(webhooks, dead_only=True))
        assert [d["event_id"] for d in dead] == [opened]
        assert dead[0]["attempts"] == 3 and dead[0]["last_status_code"] == 500
        held = next(d for d in deliveries(webhooks) if d["event_id"] == closed)
        assert held["status"] == "waiting" and held["attempts"] == 0  # behind the dead one

        endpoint.failing.clear()
        with pytest.raises(Forbidden):
            webhooks.retry_delivery({"actor": "can-bo", "delivery_id": dead[0]["id"]})
        webhooks.retry_delivery({"actor": "lanh-dao", "delivery_id": dead[0]["id"]})

        wait_for(lambda: len(endpoint.of("/tinh")) == 2)
        assert in_order(endpoint.of("/tinh"), "p1") == ["opened", "closed"]
        assert not deliveries(webhooks, dead_only=True)

        def audited() -> set[str] | None:
            query = {"actor": "thanh-tra", "commune_id": "huong-an", "limit": 10}
            entries = webhooks.list_audit(query)["entries"]
            return {e["action"] for e in entries} if len(entries) >= 2 else None

        assert wait_for(audited) == {"register_webhook", "retry_webhook_delivery"}


def test_a_province_hears_every_commune_of_it_and_a_commune_only_its_own(
    webhooks, endpoint, config
):
    endpoint.start()
    register(webhooks, endpoint, "/tinh", scope="hue", actor="admin")
    register(webhooks, endpoint, "/xa", types=["vn.danban.poll.opened"])
    events = Events(config)
    ours, theirs = events.opened("p1"), events.opened("p9", commune="kim-long")
    events.closed("p1")  # the commune did not ask for closings

    wait_for(lambda: len(endpoint.of("/tinh")) == 3)
    wait_for(lambda: len(endpoint.of("/xa")) == 1)
    eventlet.sleep(1.0)

    assert {e["id"] for e in endpoint.of("/tinh")} >= {ours, theirs}
    assert [e["id"] for e in endpoint.of("/xa")] == [ours]


def test_an_event_delivered_twice_by_the_broker_is_sent_once(webhooks, endpoint, config):
    endpoint.start()
    register(webhooks, endpoint, "/tinh")
    events = Events(config)
    payload_id = events.opened("p1")
    again = {
        "event_id": payload_id, "occurred_at": "2026-12-05T02:00:01+00:00", "poll_id": "p1",
        "kind": "decision", "commune_id": "huong-an", "unit_id": "tdp-1",
        "title": "Biểu quyết p1", "opens_at": "2026-12-01T00:00:00+00:00",
        "closes_at": "2026-12-04T00:00:00+00:00", "public_results": True, "households": 170,
    }  # fmt: skip
    wait_for(lambda: endpoint.of("/tinh"))
    events.dispatch("surveys", "poll_opened", again)
    events.closed("p1")

    wait_for(lambda: len(endpoint.of("/tinh")) == 2)
    eventlet.sleep(1.0)

    assert [e["id"] for e in endpoint.of("/tinh")].count(payload_id) == 1


def test_a_rotated_secret_signs_what_follows_and_a_deleted_webhook_gets_nothing_more(
    webhooks, endpoint, config
):
    endpoint.start()
    webhook = register(webhooks, endpoint, "/tinh")["webhook"]
    rotated = webhooks.rotate_secret({"actor": "lanh-dao", "webhook_id": webhook["id"]})
    assert rotated["secret"] != endpoint.secrets["/tinh"]
    endpoint.secrets["/tinh"] = rotated["secret"]
    events = Events(config)
    events.opened("p1")
    wait_for(lambda: endpoint.of("/tinh"))
    assert all(r.signed for r in endpoint.received)

    webhooks.delete_webhook({"actor": "lanh-dao", "webhook_id": webhook["id"]})
    events.closed("p1")
    eventlet.sleep(1.5)

    assert len(endpoint.of("/tinh")) == 1
    listed = webhooks.list_webhooks({"actor": "lanh-dao", "scope_id": "huong-an"})
    assert listed["webhooks"] == []


def test_only_administrators_register_and_only_https_or_this_machine_in_development(webhooks):
    hook = {"scope_id": "huong-an", "event_types": ["vn.danban.poll.opened"]}
    with pytest.raises(Forbidden):
        webhooks.register_webhook(hook | {"actor": "can-bo", "url": "https://tinh.test/h"})
    with pytest.raises(Forbidden):  # a commune's administrator is not the province's
        webhooks.register_webhook(
            hook | {"actor": "lanh-dao", "scope_id": "hue", "url": "https://tinh.test/h"}
        )
    with pytest.raises(Forbidden):  # nor another commune's
        webhooks.register_webhook(
            hook | {"actor": "lanh-dao", "scope_id": "kim-long", "url": "https://tinh.test/h"}
        )
    with pytest.raises(InvalidInput):
        webhooks.register_webhook(hook | {"actor": "lanh-dao", "url": "http://tinh.test/h"})

    made = webhooks.register_webhook(hook | {"actor": "lanh-dao", "url": "https://tinh.test/h"})

    assert made["secret"].startswith("whsec_")
    listed = webhooks.list_webhooks({"actor": "lanh-dao", "scope_id": "huong-an"})["webhooks"]
    assert [w["url"] for w in listed] == ["https://tinh.test/h"]
    assert "whsec_" not in json.dumps(listed)  # the secret is shown once only


def test_a_service_killed_with_deliveries_waiting_sends_them_all_when_it_is_back(
    ward, start_service, config, endpoint
):
    container = start_service(WebhooksService, WEBHOOKS=FAST, PUBLIC_URL="https://danban.test")
    with ServiceRpcProxy("webhooks", config) as webhooks:
        register(webhooks, endpoint, "/tinh")
        events = Events(config)
        sent = [events.opened("p1"), events.closed("p1")]
        wait_for(lambda: len(deliveries(webhooks)) == 2)  # accepted, the endpoint down
    container.kill()
    sent.append(events.decided("p1"))  # waits in the service's queue meanwhile
    endpoint.start()

    start_service(WebhooksService, WEBHOOKS=FAST, PUBLIC_URL="https://danban.test")

    wait_for(lambda: len(endpoint.of("/tinh")) == 3)
    assert [e["id"] for e in endpoint.of("/tinh")] == sent


class ReceiptListener:
    """Takes the feedback service's `petition_received` (the notifications service does
    in production): the feedback outbox keeps a case's events in order, so the answer
    goes out only after its receipt did."""

    name = "receipt_listener"
    store = MongoStore(Store)

    @on_event("feedback", PetitionReceived)
    def received(self, event: PetitionReceived) -> None:
        pass


def test_a_petition_answered_reaches_the_province_masked_by_its_public_id_and_a_complaint_not(
    webhooks, endpoint, start_service, config
):
    endpoint.start()
    config["MONGO_DATABASES"]["receipt_listener"] = config["MONGO_DATABASES"]["notifications"]
    start_service(ReceiptListener)
    register(webhooks, endpoint, "/tinh", scope="hue", actor="admin",
             types=["vn.danban.petition.answered"])  # fmt: skip
    start_service(FeedbackService)
    with ServiceRpcProxy("feedback", config) as feedback:
        cases = {}
        for kind in ("feedback", "complaint"):
            receipt = feedback.file_case(
                {"request_id": uuid.uuid4().hex, "commune_id": "huong-an",
                 "category": "lighting", "title": "Đèn đường kiệt 12 hỏng",
                 "text": "Đèn trước nhà hỏng, gọi 0912 345 678.", "household": "HAAAA2",
                 "place": {"unit_id": "tdp-1"}}
            )  # fmt: skip
            cases[kind] = receipt
            feedback.triage_case({"actor": "can-bo", "case_id": receipt["case_id"], "type": kind})
            feedback.answer_case(
                {"actor": "can-bo", "case_id": receipt["case_id"],
                 "text": "Đã thay bóng đèn. Liên hệ anh Lê Văn Cường 0905 111 222."}
            )  # fmt: skip

    [event] = wait_for(lambda: endpoint.of("/tinh"))
    eventlet.sleep(1.0)

    assert len(endpoint.of("/tinh")) == 1  # the complaint is not on the public list
    assert event["subject"] == cases["feedback"]["case_id"]
    text = json.dumps(event, ensure_ascii=False)
    for personal in ("0905 111 222", "0912 345 678", "HAAAA2", cases["feedback"]["code"]):
        assert personal not in text
    assert event["data"]["answer"].startswith("Đã thay bóng đèn.")


def test_a_province_administrator_manages_the_provinces_webhooks_and_a_commune_admin_cannot(
    webhooks, ward, endpoint, config
):
    ward.register_unit(
        {"id": "da-nang", "kind": "province", "name": "Thành phố Đà Nẵng",
         "valid_from": "2025-07-01"}
    )  # fmt: skip
    ward.register_unit(
        {"id": "hai-chau", "kind": "ward", "name": "Phường Hải Châu", "parent_id": "da-nang",
         "valid_from": "2025-07-01"}
    )  # fmt: skip
    ward.create_account(account("tinh", ("province_admin", "hue")))
    ward.create_account(account("da-nang", ("province_admin", "da-nang")))
    hook = {"scope_id": "hue", "event_types": ["vn.danban.poll.opened"]}
    for refused in ("lanh-dao", "da-nang", "can-bo", "thanh-tra"):  # the ward's admin too
        with pytest.raises(Forbidden):
            webhooks.register_webhook(hook | {"actor": refused, "url": "https://tinh.test/h"})
        with pytest.raises(Forbidden):
            webhooks.list_webhooks({"actor": refused, "scope_id": "hue"})

    endpoint.start()
    province = register(webhooks, endpoint, "/tinh", scope="hue", actor="tinh")["webhook"]
    commune = register(webhooks, endpoint, "/xa", scope="kim-long", actor="tinh")["webhook"]
    with pytest.raises(Forbidden):  # not a commune of another province
        webhooks.register_webhook(
            hook | {"actor": "tinh", "scope_id": "hai-chau", "url": "https://tinh.test/h"}
        )

    assert province["scope_kind"] == "province" and province["created_by"] == "tinh"
    assert commune["scope_kind"] == "commune"
    listed = webhooks.list_webhooks({"actor": "tinh", "scope_id": "hue"})["webhooks"]
    assert [w["id"] for w in listed] == [province["id"]]
    with pytest.raises(Forbidden):  # the ward's admin does not rotate the province's secret
        webhooks.rotate_secret({"actor": "lanh-dao", "webhook_id": province["id"]})
    rotated = webhooks.rotate_secret({"actor": "tinh", "webhook_id": province["id"]})
    endpoint.secrets["/tinh"] = rotated["secret"]

    events = Events(config)
    opened = events.opened("p1")
    wait_for(lambda: endpoint.of("/tinh"))
    assert [e["id"] for e in endpoint.of("/tinh")] == [opened]
    assert all(r.signed for r in endpoint.received)
    sent = deliveries(webhooks, actor="tinh", scope="hue")
    assert [d["event_id"] for d in sent] == [opened]
    with pytest.raises(Forbidden):
        deliveries(webhooks, actor="lanh-dao", scope="hue")
    with pytest.raises(Forbidden):  # a province administrator reads no commune's audit log
        webhooks.list_audit({"actor": "tinh", "commune_id": "huong-an"})

    webhooks.delete_webhook({"actor": "tinh", "webhook_id": province["id"]})
    webhooks.delete_webhook({"actor": "tinh", "webhook_id": commune["id"]})
    assert webhooks.list_webhooks({"actor": "tinh", "scope_id": "hue"})["webhooks"] == []
