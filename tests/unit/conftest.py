"""Fixtures gateway page tests share (see gateway_support.py)."""

import pytest

from shared import i18n
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import fake_directory, gateway_client


@pytest.fixture
def rpc() -> FakeRpc:
    return fake_directory()


@pytest.fixture
def client(rpc: FakeRpc):
    with gateway_client(rpc) as test_client:
        yield test_client


@pytest.fixture
def english(client):
    """The client as a reader who chose English (the language link's cookie)."""
    client.cookies.set("danban_lang", "en")
    return client


@pytest.fixture
def in_english():
    """The test's own code (not a request) in English, as the gateway serves it."""
    i18n.use(i18n.ENGLISH)
    yield
    i18n.use(i18n.VIETNAMESE)
