"""deploy/k8s: the manifests render, validate offline and stay in step with the code
(deploy/k8s_check.py). The failures are checked on a broken copy of the base's files,
read as the checker reads them, so each message can name its file and field."""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy import k8s_check

MANIFESTS = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


@pytest.fixture(scope="module")
def queues() -> dict[str, dict[str, list[str]]]:
    return k8s_check.declared_queues()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A copy of deploy/k8s to break."""
    shutil.copytree(MANIFESTS, tmp_path / "k8s")
    return tmp_path / "k8s" / "base"


def edit(path: Path, change: Callable[[list[Any]], None]) -> None:
    documents = list(yaml.safe_load_all(path.read_text()))
    change(documents)
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))


def problems_of(base: Path, queues, settings: set[str] | None = None) -> list[str]:
    settings = k8s_check.settings_read() if settings is None else settings
    manifests = k8s_check.read_base(base.parent)
    return k8s_check.check(manifests, str(base), queues, settings)


def named(documents: list[Any], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name)


def test_the_manifests_render_validate_and_keep_in_step_with_the_code(queues):
    assert k8s_check.problems(MANIFESTS, queues) == []


def test_the_queues_come_from_the_service_classes(queues):
    assert set(queues) == set(k8s_check.SERVICE_NAMES)
    assert queues["surveys"] == {"rpc": ["rpc-surveys"], "events": []}
    assert "evt-surveys-poll_opened--webhooks.poll_opened" in queues["webhooks"]["events"]


def test_the_recorded_settings_are_those_the_code_reads():
    settings = k8s_check.settings_read()
    assert {"AMQP_URI", "MONGO_URL", "DANBAN_DB_SURVEYS", "FORWARDED_ALLOW_IPS"} <= settings
    assert "SMTP_PASSWORD" in settings and k8s_check.is_secret("SMTP_PASSWORD")
    assert not k8s_check.is_secret("SMTP_HOST")


def test_the_unbroken_copy_has_no_problem(base, queues):
    assert problems_of(base, queues) == []


def test_a_missing_probe_names_its_file_and_field(base, queues):
    edit(
        base / "surveys.yaml",
        lambda docs: docs[0]["spec"]["template"]["spec"]["containers"][0].pop("readinessProbe"),
    )
    assert problems_of(base, queues) == [
        f"{base}/surveys.yaml: Deployment danban-surveys: "
        "spec.template.spec.containers[0].readinessProbe is missing"
    ]


def test_a_service_without_a_deployment_is_named(base, queues):
    (base / "webhooks.yaml").write_text("")
    assert f"{base}: Deployment danban-webhooks is missing" in problems_of(base, queues)


def test_too_short_a_grace_period_and_a_missing_limit_are_named(base, queues):
    def hurry(docs):
        pod = docs[0]["spec"]["template"]["spec"]
        pod["terminationGracePeriodSeconds"] = 10
        del pod["containers"][0]["resources"]["limits"]["memory"]

    edit(base / "gateway.yaml", hurry)
    at = f"{base}/gateway.yaml: Deployment danban-gateway: spec.template.spec."
    assert problems_of(base, queues) == [
        f"{at}terminationGracePeriodSeconds is 10: at least 30 lets running work finish on SIGTERM",
        f"{at}containers[0].resources.limits.memory is missing",
    ]


def test_a_service_without_a_scaled_object_is_named(base, queues):
    edit(
        base / "keda.yaml",
        lambda docs: docs.remove(named(docs, "ScaledObject", "danban-training")),
    )
    assert problems_of(base, queues) == [
        f"{base}/training.yaml: Deployment danban-training: "
        "no ScaledObject targets it (spec.scaleTargetRef.name)"
    ]


def test_an_event_queue_no_trigger_matches_is_named(base, queues):
    def only_poll_events(docs):
        triggers = named(docs, "ScaledObject", "danban-webhooks")["spec"]["triggers"]
        triggers[1]["metadata"]["queueName"] = r"^evt-surveys-.+--webhooks\..+$"

    edit(base / "keda.yaml", only_poll_events)
    found = problems_of(base, queues)
    assert (
        f"{base}/keda.yaml: ScaledObject danban-webhooks: spec.triggers: no queueName matches "
        "evt-feedback-petition_answered--webhooks.petition_answered"
    ) in found
    assert all("ScaledObject danban-webhooks: spec.triggers: no queueName" in p for p in found)


def test_a_trigger_on_another_services_queues_is_named(base, queues):
    def too_wide(docs):
        triggers = named(docs, "ScaledObject", "danban-webhooks")["spec"]["triggers"]
        triggers[1]["metadata"]["queueName"] = r"^evt-.+$"

    edit(base / "keda.yaml", too_wide)
    found = problems_of(base, queues)
    assert (
        f"{base}/keda.yaml: ScaledObject danban-webhooks: spec.triggers: ^evt-.+$ also matches "
        "evt-surveys-poll_opened--notifications.tell_households_poll_opened, not its queue"
    ) in found


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("SMTP_PASSWORD", "hunter2-hunter2", "is a secret (its name says so)"),
        ("REPORTS_URL", "https://reports:s3cret@example.org/", "holds a user and password"),
    ],
)
def test_a_secret_in_the_config_map_is_named(base, queues, key, value, why):
    edit(base / "configmap.yaml", lambda docs: docs[0]["data"].update({key: value}))
    assert problems_of(base, queues) == [
        f"{base}/configmap.yaml: ConfigMap danban-config: data.{key} {why}: use a Secret"
    ]


def test_a_setting_the_code_reads_but_the_config_map_lacks_is_named(base, queues):
    edit(base / "configmap.yaml", lambda docs: docs[0]["data"].pop("DELIVERY_MAX_ATTEMPTS"))
    assert problems_of(base, queues) == [
        f"{base}/configmap.yaml: ConfigMap danban-config: "
        "data.DELIVERY_MAX_ATTEMPTS is missing (a setting the code reads)"
    ]


def test_a_new_setting_of_the_code_must_reach_the_config_map(base, queues):
    settings = k8s_check.settings_read() | {"DANBAN_NEW_SETTING"}
    assert problems_of(base, queues, settings) == [
        f"{base}/configmap.yaml: ConfigMap danban-config: "
        "data.DANBAN_NEW_SETTING is missing (a setting the code reads)"
    ]


def test_a_secret_the_code_reads_must_come_from_a_secret(base, queues):
    def drop_session_key(docs):
        env = docs[0]["spec"]["template"]["spec"]["containers"][0]["env"]
        env[:] = [v for v in env if v["name"] != "DANBAN_SECRET_KEY"]

    edit(base / "gateway.yaml", drop_session_key)
    assert problems_of(base, queues) == [
        f"{base}: DANBAN_SECRET_KEY, a secret the code reads, comes from no secretKeyRef "
        "in a Deployment's or a Job's env"
    ]


def test_a_secret_with_data_is_refused(base, queues):
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "danban-amqp"},
        "stringData": {"uri": "amqp://danban:s3cret@danban-rabbitmq:5672/"},
    }
    edit(base / "configmap.yaml", lambda docs: docs.append(secret))
    assert problems_of(base, queues) == [
        f"{base}/configmap.yaml: Secret danban-amqp: "
        "stringData: no secret belongs in the repository"
    ]


def test_a_misspelt_field_of_an_operators_resource_fails_our_schema(base, queues):
    def misspell(docs):
        spec = named(docs, "ScaledObject", "danban-surveys")["spec"]
        spec["maxReplicasCount"] = spec.pop("maxReplicaCount")

    edit(base / "keda.yaml", misspell)
    assert problems_of(base, queues) == [
        f"{base}/keda.yaml: ScaledObject danban-surveys: spec: Additional properties are not "
        "allowed ('maxReplicasCount' was unexpected)"
    ]


def test_a_trigger_parameter_must_be_a_string_as_keda_reads_it(base, queues):
    def unquoted(docs):
        triggers = named(docs, "ScaledObject", "danban-notifications")["spec"]["triggers"]
        triggers[1]["metadata"]["useRegex"] = True

    edit(base / "keda.yaml", unquoted)
    assert (
        f"{base}/keda.yaml: ScaledObject danban-notifications: "
        "spec.triggers[1].metadata.useRegex: True is not one of ['true', 'false']"
    ) in problems_of(base, queues)


def test_a_misspelt_field_of_a_kubernetes_resource_fails_strict_validation(base, queues):
    def misspell(docs):
        spec = named(docs, "PodDisruptionBudget", "danban-surveys")["spec"]
        spec["maxUnavailble"] = spec.pop("maxUnavailable")

    edit(base / "pdb.yaml", misspell)
    found = problems_of(base, queues)
    assert len(found) == 1
    assert found[0].startswith(f"{base}/pdb.yaml: PodDisruptionBudget danban-surveys: spec: ")
    assert "'maxUnavailble' was unexpected" in found[0]


def test_a_kind_with_no_schema_fails(base, queues):
    widget = {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}}
    edit(base / "namespace.yaml", lambda docs: docs.append(widget))
    assert problems_of(base, queues) == [
        f"{base}/namespace.yaml: Widget w: no schema for apiVersion example.org/v1 kind Widget: "
        "neither Kubernetes 1.31.0's nor one of ours in deploy/k8s/schemas"
    ]


def test_a_deployment_no_budget_or_policy_selects_is_named(base, queues):
    def relabel(docs):
        docs[0]["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] = "x"
        docs[0]["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] = "y"
        docs[0]["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = "y"

    edit(base / "feedback.yaml", relabel)
    found = problems_of(base, queues)
    at = f"{base}/feedback.yaml: Deployment danban-feedback: "
    pods = "its pods (spec.template.metadata.labels)"
    assert f"{at}no PodDisruptionBudget's spec.selector selects {pods}" in found
    assert f"{at}no NetworkPolicy's spec.podSelector selects {pods}" in found


def test_a_service_user_that_may_write_another_database_is_named(base, queues):
    def widen(docs):
        surveys = next(u for u in docs[0]["spec"]["users"] if u["name"] == "surveys")
        surveys["roles"].append({"name": "readWrite", "db": "danban_directory"})

    edit(base / "mongodb.yaml", widen)
    assert problems_of(base, queues) == [
        f"{base}/mongodb.yaml: MongoDBCommunity danban-mongodb: "
        "spec.users[2].roles: surveys may write danban_surveys only"
    ]


def test_a_file_left_out_of_the_kustomization_is_named(base):
    (base / "extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    assert k8s_check.unlisted_files(base.parent) == [
        f"{base}/extra.yaml: not in {base}/kustomization.yaml's resources, so never deployed"
    ]


def test_an_overlay_that_does_not_build_is_named(base):
    (base.parent / "overlays" / "ward" / "kustomization.yaml").write_text(
        "resources: [../nowhere]\n"
    )
    with pytest.raises(k8s_check.RenderError, match=r"overlays/ward: kustomize build failed"):
        k8s_check.render(base.parent / "overlays" / "ward")
