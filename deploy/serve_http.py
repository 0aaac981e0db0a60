"""Serve an ASGI app with uvicorn, as `uvicorn --workers N` does, but answering
without Nagle's delay.

    python -m deploy.serve_http gateway.app:create_app --factory --port 8000 --workers 2

With several workers uvicorn binds the listening socket itself, with protocol 0;
asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol
says TCP, so every accepted connection kept it on, and a page sent as headers then
body waited for the phone's delayed acknowledgement: about 40 ms a page (measured
with one phone: 44 ms with two workers, 1 ms with one). The same socket, labelled
TCP, fixes it for every worker. The ward-poll benchmark's bare server runs the
same way, so both sides of its ratio are served alike.
"""

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        bound = super().bind_socket()
        # accepted connections take the listening socket's protocol
        return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", help="module:attribute of the ASGI app (or its factory)")
    parser.add_argument("--factory", action="store_true", help="the attribute makes the app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    config = TcpConfig(
        args.app,
        factory=args.factory,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        log_level=args.log_level,
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:  # one process: uvicorn makes a TCP socket with Nagle off itself
        uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
