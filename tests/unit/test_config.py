import pytest

from shared.config import SERVICE_NAMES, ConfigurationError, load_settings


def test_defaults_work_on_a_developer_machine():
    settings = load_settings({})
    assert settings.amqp_uri == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.mongo_url.startswith("mongodb://127.0.0.1:27017/")
    assert settings.database_name("directory") == "danban_directory"
    assert not settings.production


def test_each_service_gets_its_own_database_which_can_be_renamed():
    settings = load_settings({"DANBAN_DB_PREFIX": "phuong7", "DANBAN_DB_NOTIFICATIONS": "inbox"})
    config = settings.nameko_config()
    assert config["MONGO_DATABASES"] == {
        "directory": "phuong7_directory",
        "surveys": "phuong7_surveys",
        "notifications": "inbox",
        "feedback": "phuong7_feedback",
        "training": "phuong7_training",
        "recognition": "phuong7_recognition",
        "webhooks": "phuong7_webhooks",
    }
    assert set(config["MONGO_DATABASES"]) == set(SERVICE_NAMES)


def test_the_gateway_refuses_to_start_without_a_long_secret_key():
    from gateway.app import create_app

    with pytest.raises(ConfigurationError, match="DANBAN_SECRET_KEY"):
        create_app(load_settings({"DANBAN_ENV": "production", "DANBAN_SECRET_KEY": "short"}))


def test_the_first_administrator_needs_a_long_password():
    from pydantic import ValidationError

    from shared.contracts.staff import BootstrapAdmin

    with pytest.raises(ValidationError):
        BootstrapAdmin(password="")
    assert BootstrapAdmin(password="p" * 12).username == "admin"


def test_a_number_setting_that_is_not_a_number_is_named():
    with pytest.raises(ConfigurationError, match="GATEWAY_PORT"):
        load_settings({"GATEWAY_PORT": "eighty"})


def test_webhooks_accept_plain_http_to_this_machine_in_development_only():
    development = load_settings({}).nameko_config()["WEBHOOKS"]
    production = load_settings({"DANBAN_ENV": "production"}).nameko_config()["WEBHOOKS"]

    assert development["allow_http_loopback"] and not production["allow_http_loopback"]
    assert (
        load_settings({"WEBHOOK_MAX_ATTEMPTS": "4"}).nameko_config()["WEBHOOKS"]["max_attempts"]
        == 4
    )
