"""POSTing one CloudEvent to one endpoint, and the senders: one green thread per
subscription, so an endpoint that is slow or failing delays its own deliveries and
no one else's.

Only the standard library's http.client: the service is eventlet-patched, so its
sockets yield to other green threads. Redirects are not followed (the signed body
would not follow them; an endpoint that moved is registered again).
"""

import http.client
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import eventlet
from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)
AGENT = "DanBan-Webhooks/1.0"


class PostFailed(Exception):
    def __init__(self, reason: str, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body`; return the 2xx status, or raise PostFailed. `timeout` bounds the
    whole exchange, not only each socket read: an endpoint trickling an answer is cut
    off too."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        with eventlet.Timeout(timeout):
            connection.request("POST", path, body=body, headers={**headers, "User-Agent": AGENT})
            response = connection.getresponse()
            response.read(4096)  # the answer is not kept; a little is read to end it politely
    except eventlet.Timeout:
        raise PostFailed(f"no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise PostFailed(f"cannot reach the endpoint: {exc!r:.200}") from exc
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise PostFailed(f"HTTP {response.status} {response.reason:.100}", response.status)
    return response.status


class Senders(DependencyProvider):
    """The service's running senders, one per subscription at most in this process.
    Green threads managed by the container: stopped with the service."""

    def setup(self) -> None:
        self.running: dict[str, Any] = {}

    def get_dependency(self, worker_ctx: Any) -> "Senders":
        return self

    def ensure(self, subscription_id: str, drain: Callable[[str], None]) -> None:
        """Start `drain(subscription_id)` unless it is already running here."""
        if subscription_id in self.running:
            return

        def run() -> None:
            try:
                drain(subscription_id)
            except Exception:  # never let a sender's fault stop the service
                log.exception("sender of webhook %s failed; runs again next tick", subscription_id)
            finally:
                self.running.pop(subscription_id, None)

        self.running[subscription_id] = self.container.spawn_managed_thread(
            run, identifier=f"webhook-sender-{subscription_id}"
        )

    def stop(self) -> None:
        # before the store's client closes: a delivery cut off mid-send is claimed
        # until its claim runs out, then sent again (nothing accepted is lost)
        for thread in list(self.running.values()):
            thread.kill()
        self.running.clear()

    kill = stop
