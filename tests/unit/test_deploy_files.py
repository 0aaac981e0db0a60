"""The compose file cannot be run on the development machines (no Docker engine),
so at least keep it in step with the code: every service is deployed."""

from pathlib import Path

import yaml

from shared.config import SERVICE_NAMES

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"


def test_compose_runs_every_service_on_a_mongodb_replica_set():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in SERVICE_NAMES:
        assert services[name]["command"] == ["python", "-m", "services", name]
        assert "replicaSet=" in services[name]["environment"]["MONGO_URL"]
    assert "--replSet" in services["mongo"]["command"]
    gateway = ["python", "-m", "deploy.serve_http", "gateway.app:create_app", "--factory"]
    assert services["gateway"]["command"][:5] == gateway
