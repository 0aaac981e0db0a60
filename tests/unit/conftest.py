"""Fixtures gateway page tests share: the app with a fake RPC port, signed in or not."""

from tests.unit.test_gateway_pages import client, rpc  # noqa: F401
