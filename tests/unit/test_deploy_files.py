"""The compose file cannot be run on the development machines (no Docker engine),
so at least keep it in step with the code: every service is deployed."""

from pathlib import Path

import yaml

from shared.config import SERVICE_NAMES

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"


def test_compose_runs_every_service_on_a_mongodb_replica_set():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    members = [name for name in services if name.startswith("mongo")]
    assert len(members) == 3  # a majority survives one member's loss
    for name in members:
        assert services[name]["command"] == ["--replSet", "rs0", "--bind_ip_all"]
    initiate = " ".join(services["mongo1"]["healthcheck"]["test"])
    assert all(f"host: '{name}:27017'" in initiate for name in members)
    for name in SERVICE_NAMES:
        assert services[name]["command"] == ["python", "-m", "services", name]
        environment = services[name]["environment"]
        assert environment["MONGO_URL"].endswith(
            "mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0"
        )
        probe = " ".join(services[name]["healthcheck"]["test"])
        assert f":{environment['SERVICE_HEALTH_PORT']}/readyz" in probe
    gateway = ["python", "-m", "deploy.serve_http", "gateway.app:create_app", "--factory"]
    assert services["gateway"]["command"][:5] == gateway
    assert "8000/readyz" in " ".join(services["gateway"]["healthcheck"]["test"])


def test_compose_runs_rabbitmq_with_its_management_plugin():
    rabbitmq = yaml.safe_load(COMPOSE.read_text())["services"]["rabbitmq"]
    assert rabbitmq["image"].endswith("-management")
    assert "127.0.0.1:15672:15672" in rabbitmq["ports"]
