"""A service process's own probes, for Kubernetes: `GET /livez` and `GET /readyz`.

Served on SERVICE_HEALTH_PORT by a green thread of its own, outside nameko's
worker pool, so a service busy with a poll's ballots still answers its probes
and a probe never takes a worker from a ballot.

- `/livez`: 200 while the process's event loop runs. A hub blocked by CPU work
  (which also starves the broker's heartbeats) stops answering and the pod is
  restarted.
- `/readyz`: 200 once the service has started (its queues declared and consumed)
  and while its database answers a ping; 503 otherwise, so a rolling upgrade
  waits for the new instance before stopping an old one.

A lost broker connection needs no probe: nameko stops the service then, and the
process exits (see deploy/run.py).
"""

import time
from collections.abc import Callable, Iterable

import eventlet
from eventlet import wsgi
from nameko.containers import ServiceContainer

from shared.chassis import MongoStore, Store

PING_KEPT_SECONDS = 5.0  # the kubelet probes every few seconds: one ping serves several


def database_answers(container: ServiceContainer) -> bool:
    """The `ping` the service's own `health` call makes, on each of its stores."""
    stores = [d for d in container.dependencies if isinstance(d, MongoStore)]
    return all(
        store.client is not None and Store(store.client, store.database).ping() for store in stores
    )


class Probes:
    def __init__(self, containers: Iterable[ServiceContainer]) -> None:
        self.containers = list(containers)
        self.last_ping = (0.0, False)  # (when, answer)

    def ready(self) -> bool:
        if not all(c.started and not c._died.ready() for c in self.containers):
            return False
        checked_at, answer = self.last_ping
        if time.monotonic() - checked_at > PING_KEPT_SECONDS:
            answer = all(database_answers(c) for c in self.containers)
            self.last_ping = (time.monotonic(), answer)
        return answer

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/livez":
            status, body = "200 OK", b"live\n"
        elif path == "/readyz" and self.ready():
            status, body = "200 OK", b"ready\n"
        elif path == "/readyz":
            status, body = "503 Service Unavailable", b"not ready\n"
        else:
            status, body = "404 Not Found", b"not found\n"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]


def serve_probes(port: int, containers: Iterable[ServiceContainer]) -> None:
    """Answer the probes on `port` (all interfaces: the kubelet probes the pod's IP)."""
    listener = eventlet.listen(("0.0.0.0", port))
    eventlet.spawn_n(wsgi.server, listener, Probes(containers), log_output=False)
