"""Fixtures gateway page tests share (see gateway_support.py)."""

import pytest

from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import fake_directory, gateway_client


@pytest.fixture
def rpc() -> FakeRpc:
    return fake_directory()


@pytest.fixture
def client(rpc: FakeRpc):
    with gateway_client(rpc) as test_client:
        yield test_client
