"""Real delivery providers on 127.0.0.1 for tests: an SMTP server and an HTTP API that
records what it is sent. Each listens on a port of its own that stays the same
across `stop()` and `start()`, so a test can take a provider down and bring it back.

Both run in a thread (aiosmtpd's asyncio loop, http.server's serve_forever) and work
in plain pytest and in the eventlet-patched service tests alike: there the threads and
selectors are green and yield to the hub.
"""

import itertools
import json
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any, Literal, Self, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support import free_port


class LocalSmtp:
    """An SMTP server keeping every message it accepts in `messages`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refused_recipients: set[str] = set()  # answered 550 at RCPT
        self._busy_answers: list[str] = []  # answers to the next messages' DATA
        self._controller: Controller | None = None

    def start(self) -> Self:
        # A controller closes its loop when stopped; each start has a new one.
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def busy_for(self, count: int, answer: str = "451 4.3.0 Try again later") -> None:
        """Answer the next `count` messages with a temporary error."""
        self._busy_answers.extend([answer] * count)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class _SmtpHandler:
    def __init__(self, server: LocalSmtp) -> None:
        self.server = server

    async def handle_RCPT(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.server.refused_recipients:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        if self.server._busy_answers:
            return self.server._busy_answers.pop(0)
        content = cast(bytes, envelope.original_content or envelope.content)
        self.server.messages.append(
            cast(EmailMessage, message_from_bytes(content, policy=policy.default))
        )
        return "250 Message accepted"


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: Message  # case-insensitive: `headers["idempotency-key"]`
    body: Any  # the decoded JSON, or None when it was not JSON


class RecordingProvider:
    """An SMS (`kind="sms"`) or Zalo OA (`kind="zalo"`) JSON API recording each request.

    It answers like the real one: SMS `{"id": "<n>"}`, Zalo `{"error": 0, "message":
    "Success", "data": {"message_id": "<n>"}}`, unless told otherwise for the next
    requests with `fail_next` or `answer_next`."""

    def __init__(self, kind: Literal["sms", "zalo"]) -> None:
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1/messages"
        self.requests: list[Recorded] = []
        self._scripted: list[tuple[int, bytes]] = []
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: Thread | None = None

    def start(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next `count` requests with this HTTP status."""
        body = json.dumps({"error": status, "message": "scripted failure"}).encode()
        self._scripted.extend([(status, body)] * count)

    def answer_next(self, body: bytes | dict[str, Any], count: int = 1, status: int = 200) -> None:
        """Answer the next `count` requests with this body: raw bytes (e.g. a malformed
        one) or a dict sent as JSON (e.g. a Zalo error)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._scripted.extend([(status, raw)] * count)

    def _answer(self) -> tuple[int, bytes]:
        if self._scripted:
            return self._scripted.pop(0)
        n = str(next(self._ids))
        if self.kind == "sms":
            return 200, json.dumps({"id": n}).encode()
        success = {"error": 0, "message": "Success", "data": {"message_id": n}}
        return 200, json.dumps(success).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                provider.requests.append(Recorded(self.path, self.headers, body))
                status, answer = provider._answer()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

        return Handler

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
