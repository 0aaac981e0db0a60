"""A fake of our own RPC port (gateway.rpc.RpcClient) for gateway unit tests."""

from collections.abc import Callable
from typing import Any

from shared.errors import ServiceUnavailable


class FakeRpc:
    """Answers `call(service, method, ...)` with the handler registered for it;
    a service with no handlers behaves as one that is not running."""

    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], Callable[..., Any]] = {}
        self.calls: list[tuple[str, str, tuple]] = []
        self.connected = True

    def answer(self, service: str, method: str, handler: Callable[..., Any]) -> None:
        self.handlers[(service, method)] = handler

    def calls_to(self, service: str, method: str) -> list[tuple]:
        return [args for s, m, args in self.calls if (s, m) == (service, method)]

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def call(
        self, service: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        self.calls.append((service, method, args))
        handler = self.handlers.get((service, method))
        if handler is None:
            raise ServiceUnavailable(f"{service} is not running")
        return handler(*args)
