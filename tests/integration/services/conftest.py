"""Services under test run in nameko containers inside this process, against the
real RabbitMQ (a vhost per test) and a real MongoDB-protocol server (a database
per test). eventlet must patch the standard library before anything else."""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from nameko.standalone.rpc import ServiceRpcProxy  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from services.directory.service import DirectoryService  # noqa: E402
from shared.config import SERVICE_NAMES  # noqa: E402
from tests.providers import LocalSmtp, RecordingProvider  # noqa: E402
from tests.samples import PROVINCE, WARD, household, residential_group  # noqa: E402
from tests.support import embedded_mongo, fresh_vhost  # noqa: E402

ADMIN_PASSWORD = "một-mật-khẩu-dài"


def account(username: str, *roles: tuple[str, str | None], actor: str = "admin") -> dict:
    return {
        "actor": actor,
        "username": username,
        "full_name": username.title(),
        "password": ADMIN_PASSWORD,
        "roles": [{"role": role, "unit_id": unit_id} for role, unit_id in roles],
    }


@pytest.fixture(scope="session")
def mongo_url() -> Iterator[str]:
    with embedded_mongo() as url:
        yield url


@pytest.fixture
def amqp_uri() -> Iterator[str]:
    with fresh_vhost() as uri:
        yield uri


@pytest.fixture
def config(amqp_uri: str, mongo_url: str) -> dict[str, Any]:
    """A nameko config of this test's own: its vhost, its databases."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    return {
        "AMQP_URI": amqp_uri,
        "max_workers": 4,
        "MONGO_URL": mongo_url,
        "MONGO_DATABASES": {name: f"{prefix}_{name}" for name in SERVICE_NAMES},
    }


@pytest.fixture
def databases(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Direct pymongo handles on this test's databases, to check what was stored."""
    client = MongoClient(config["MONGO_URL"], tz_aware=True)
    yield {name: client[db] for name, db in config["MONGO_DATABASES"].items()}
    for db in config["MONGO_DATABASES"].values():
        client.drop_database(db)
    client.close()


@pytest.fixture
def start_service(config: dict[str, Any], container_factory: Any) -> Any:
    """Start a service class in a container with this test's config. (Asking for
    `config` first makes pytest stop the containers before deleting the vhost.)"""

    def start(service_class: type, **overrides: Any) -> Any:
        container = container_factory(service_class, {**config, **overrides})
        container.start()
        return container

    return start


@pytest.fixture
def directory(start_service: Any, config: dict[str, Any]) -> Iterator[Any]:
    """A running directory service holding a province, its ward and a system
    administrator `admin` (password ADMIN_PASSWORD); yields an RPC proxy."""
    start_service(DirectoryService)
    with ServiceRpcProxy("directory", config) as proxy:
        proxy.register_unit(PROVINCE)
        proxy.register_unit(WARD)
        proxy.bootstrap_admin({"password": ADMIN_PASSWORD})
        yield proxy


@pytest.fixture
def surveys(directory: Any, start_service: Any, config: dict[str, Any]) -> Iterator[Any]:
    """A running surveys service beside the `directory` fixture's; yields an RPC proxy."""
    from services.surveys.service import SurveysService

    start_service(SurveysService)
    with ServiceRpcProxy("surveys", config) as proxy:
        yield proxy


# The notifications service's deliveries, tried again within seconds in tests.
FAST_RETRIES = {"retry_seconds": 0.3, "max_attempts": 6, "lease_seconds": 3}


@pytest.fixture
def smtp():
    with LocalSmtp() as server:
        yield server


@pytest.fixture
def sms():
    with RecordingProvider("sms") as provider:
        yield provider


@pytest.fixture
def channels(smtp, sms) -> dict:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_sender": "DânBàn <thong-bao@huong-an.test>",
        "smtp_user": "",
        "smtp_password": "",
        "smtp_starttls": False,
        "sms_url": sms.url,
        "sms_token": "sms-secret",
        "zalo_url": "",
        "zalo_token": "",
    }


@pytest.fixture
def ward(directory):
    """The ward with two groups: HAAAA2 and HAAAA3 in tdp-1, HBBBB2 in tdp-2; staff
    `minh`, a group head `tuyet` of tdp-1 and one `lamnh` of tdp-2."""
    directory.register_unit(residential_group(1))
    directory.register_unit(residential_group(2))
    for code, unit in (("HAAAA2", "tdp-1"), ("HAAAA3", "tdp-1"), ("HBBBB2", "tdp-2")):
        directory.register_household(household(code, unit))
    directory.create_account(account("minh", ("commune_staff", "huong-an")))
    directory.create_account(account("tuyet", ("group_head", "tdp-1")))
    directory.create_account(account("lamnh", ("group_head", "tdp-2")))
    return directory


@pytest.fixture
def feedback(directory: Any, start_service: Any, config: dict[str, Any]) -> Iterator[Any]:
    """A running feedback service beside the `directory` fixture's; yields an RPC proxy."""
    from services.feedback.service import FeedbackService

    start_service(FeedbackService)
    with ServiceRpcProxy("feedback", config) as proxy:
        yield proxy
