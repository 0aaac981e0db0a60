"""Keeps the Kubernetes manifests (deploy/k8s/) valid and in step with the code, offline.

    python -m deploy.k8s_check    # prints each problem; exits 1 if there is one

It reads the base's files as YAML, so that a problem names its file, and renders
the base and every overlay with kustomize v4.5.4 (.venv/bin/kustomize, which
`./dev test` installs). In each it checks that:

- every object is valid: a standard kind against Kubernetes' own schema
  (kubernetes-validate, strict: an unknown field fails), an operator's kind against
  ours in deploy/k8s/schemas/; a kind with neither fails;
- every service (shared.config.SERVICE_NAMES) and the gateway has a Deployment whose
  containers have probes, resources and time to finish their work on SIGTERM, and
  a PodDisruptionBudget and a NetworkPolicy select its pods;
- every service has a ScaledObject with a trigger on its RPC queue and, if it handles
  events, a regular expression matching every event queue it declares (read from
  the service classes' nameko entrypoints) and no other service's queue;
- every setting the code reads is in the ConfigMap or, for a secret, comes from a
  Secret; no ConfigMap holds a secret, no Secret with data is in the repository,
  and each service's MongoDB user may write its own database only.
"""

import argparse
import functools
import importlib
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from shared.config import SERVICE_NAMES, ConfigurationError, load_settings

REPO = Path(__file__).resolve().parents[1]
MANIFESTS = REPO / "deploy" / "k8s"
SCHEMAS = MANIFESTS / "schemas"
KUSTOMIZE = REPO / ".venv" / "bin" / "kustomize"
KUBERNETES_VERSION = "1.31.0"  # kubernetes-validate 1.37.0 ships schemas for 1.25 to 1.37

CUSTOM_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "triggerauthentication.json",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "rabbitmqcluster.json",
    ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"): "mongodbcommunity.json",
}
WORKLOADS = ("gateway", *SERVICE_NAMES)  # each a Deployment danban-<name>
CONFIG_MAP = "danban-config"
# On SIGTERM nameko lets running workers finish (RPC calls time out in 5-10 s, event
# handlers pause 2 s between retries) and uvicorn its requests (5 s at most).
MIN_GRACE_SECONDS = 30

# Variables read outside shared.config.load_settings, and where.
OTHER_SETTINGS = {
    "FORWARDED_ALLOW_IPS": "uvicorn.Config, in the gateway (deploy/serve_http.py)",
}
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|KEY")
CREDENTIAL_URLS = {"AMQP_URI", "MONGO_URL"}  # connection strings with a user and password
CREDENTIAL_IN_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s:]+:[^/@\s]+@", re.IGNORECASE)


@dataclass(frozen=True)
class Manifest:
    source: str  # the file it was read from, or the folder it was rendered from
    obj: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.obj.get("kind", "")

    @property
    def name(self) -> str:
        return self.obj.get("metadata", {}).get("name", "")

    def problem(self, what: str) -> str:
        return f"{self.source}: {self.kind} {self.name}: {what}"


class RenderError(Exception):
    pass


def shown(path: Path) -> str:
    """A path as typed from the repository's root."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def read_base(manifests: Path = MANIFESTS) -> list[Manifest]:
    return [
        Manifest(shown(path), obj)
        for path in base_files(manifests)
        for obj in yaml.safe_load_all(path.read_text())
        if obj
    ]


def base_files(manifests: Path) -> list[Path]:
    return sorted(p for p in (manifests / "base").glob("*.yaml") if p.name != "kustomization.yaml")


def render(folder: Path, kustomize: Path = KUSTOMIZE) -> list[Manifest]:
    try:
        built = subprocess.run([kustomize, "build", folder], capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise RenderError(f"{kustomize} is missing: ./dev test installs it") from exc
    if built.returncode:
        raise RenderError(f"{shown(folder)}: kustomize build failed: {built.stderr.strip()}")
    source = f"{shown(folder)} (rendered)"
    return [Manifest(source, obj) for obj in yaml.safe_load_all(built.stdout) if obj]


def problems(
    manifests: Path = MANIFESTS,
    queues: Mapping[str, Mapping[str, list[str]]] | None = None,
    settings: set[str] | None = None,
) -> list[str]:
    """Everything wrong with the manifests: the base's files, then each rendering."""
    queues = declared_queues() if queues is None else queues
    settings = settings_read() if settings is None else settings
    found = unlisted_files(manifests)
    found += check(read_base(manifests), shown(manifests / "base"), queues, settings)
    folders = [manifests / "base", *sorted((manifests / "overlays").iterdir())]
    with ThreadPoolExecutor() as pool:  # a build takes kustomize 1-2 s of CPU
        renderings = list(pool.map(rendered_or_error, folders))
    for folder, rendering in zip(folders, renderings, strict=True):
        if isinstance(rendering, str):
            found.append(rendering)
        else:
            found += check(rendering, f"{shown(folder)} (rendered)", queues, settings)
    return found


def rendered_or_error(folder: Path) -> list[Manifest] | str:
    try:
        return render(folder)
    except RenderError as error:
        return str(error)


def check(
    manifests: list[Manifest],
    origin: str,
    queues: Mapping[str, Mapping[str, list[str]]],
    settings: set[str],
) -> list[str]:
    """The problems of one set of objects (the base's files, or one rendering);
    `origin` names it where a problem is an object that is missing."""
    return [
        *schema_problems(manifests),
        *deployment_problems(manifests, origin),
        *scaling_problems(manifests, origin, queues),
        *coverage_problems(manifests, origin),
        *settings_problems(manifests, origin, settings),
        *secret_problems(manifests),
        *database_user_problems(manifests, origin),
    ]


def unlisted_files(manifests: Path) -> list[str]:
    kustomization = manifests / "base" / "kustomization.yaml"
    listed = set(yaml.safe_load(kustomization.read_text()).get("resources", []))
    return [
        f"{shown(path)}: not in {shown(kustomization)}'s resources, so never deployed"
        for path in base_files(manifests)
        if path.name not in listed
    ]


# Validity


def schema_problems(manifests: list[Manifest]) -> list[str]:
    return [
        m.problem(found)
        for m in manifests
        for found in object_schema_problems(json.dumps(m.obj, sort_keys=True))
    ]


@functools.cache  # the renderings share most objects; a Kubernetes schema is 1.3 MB of JSON
def object_schema_problems(document: str) -> tuple[str, ...]:
    obj = json.loads(document)
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if (api_version, kind) in CUSTOM_SCHEMAS:
        errors = custom_validator(CUSTOM_SCHEMAS[api_version, kind]).iter_errors(obj)
        return tuple(sorted(f"{field(e.absolute_path)}: {e.message}" for e in errors))
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return (
            f"no schema for apiVersion {api_version} kind {kind}: neither Kubernetes "
            f"{KUBERNETES_VERSION}'s nor one of ours in {shown(SCHEMAS)}",
        )
    except kubernetes_validate.ValidationError as error:
        return (f"{field(error.absolute_path)}: {error.message}",)
    return ()


@functools.cache
def custom_validator(schema_file: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / schema_file).read_text()))


def field(path: Iterable[str | int]) -> str:
    """spec.template.spec.containers[0]: a field as kubectl explain names it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the object)"


# Workloads


def of_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m.kind == kind]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    return workload.obj.get("spec", {}).get("template", {}).get("spec", {})


def containers(workload: Manifest) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, container in enumerate(pod_spec(workload).get("containers", [])):
        yield f"spec.template.spec.containers[{i}]", container


def deployment_problems(manifests: list[Manifest], origin: str) -> list[str]:
    deployments = {m.name: m for m in of_kind(manifests, "Deployment")}
    found = [
        f"{origin}: Deployment danban-{name} is missing"
        for name in WORKLOADS
        if f"danban-{name}" not in deployments
    ]
    for deployment in deployments.values():
        grace = pod_spec(deployment).get("terminationGracePeriodSeconds")
        if grace is None or grace < MIN_GRACE_SECONDS:
            found.append(
                deployment.problem(
                    f"spec.template.spec.terminationGracePeriodSeconds is {grace}: at least "
                    f"{MIN_GRACE_SECONDS} lets running work finish on SIGTERM"
                )
            )
        for at, container in containers(deployment):
            for probe in ("readinessProbe", "livenessProbe"):
                if probe not in container:
                    found.append(deployment.problem(f"{at}.{probe} is missing"))
            for bound in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in container.get("resources", {}).get(bound, {}):
                        found.append(
                            deployment.problem(f"{at}.resources.{bound}.{resource} is missing")
                        )
            sources = [s.get("configMapRef", {}).get("name") for s in container.get("envFrom", [])]
            if CONFIG_MAP not in sources:
                found.append(deployment.problem(f"{at}.envFrom has no configMapRef {CONFIG_MAP}"))
    return found


# Autoscaling


def scaling_problems(
    manifests: list[Manifest], origin: str, queues: Mapping[str, Mapping[str, list[str]]]
) -> list[str]:
    deployments = {m.name: m for m in of_kind(manifests, "Deployment")}
    scaled = {
        m.obj.get("spec", {}).get("scaleTargetRef", {}).get("name"): m
        for m in of_kind(manifests, "ScaledObject")
    }
    found = []
    for service, declared in queues.items():
        target = f"danban-{service}"
        scaled_object = scaled.get(target)
        if scaled_object is None:
            missing = "no ScaledObject targets it (spec.scaleTargetRef.name)"
            owner = deployments.get(target)
            found.append(owner.problem(missing) if owner else f"{origin}: {target}: {missing}")
            continue
        others = [
            q for s, qs in queues.items() if s != service for q in (*qs["rpc"], *qs["events"])
        ]
        found += trigger_problems(scaled_object, declared, others)
    return found


def trigger_problems(
    scaled_object: Manifest, declared: Mapping[str, list[str]], others: list[str]
) -> list[str]:
    triggers = [t.get("metadata", {}) for t in scaled_object.obj["spec"].get("triggers", [])]
    names = {t.get("queueName") for t in triggers if t.get("useRegex") != "true"}
    found = [
        scaled_object.problem(f"spec.triggers has no trigger on the queue {queue}")
        for queue in declared["rpc"]
        if queue not in names
    ]
    patterns = []
    for trigger in triggers:
        if trigger.get("useRegex") == "true":
            try:
                patterns.append(re.compile(trigger.get("queueName", "")))
            except re.error as error:
                found.append(scaled_object.problem(f"spec.triggers: {error}"))
    for queue in declared["events"]:
        if not any(p.search(queue) for p in patterns):
            found.append(scaled_object.problem(f"spec.triggers: no queueName matches {queue}"))
    for pattern in patterns:
        for queue in others:
            if pattern.search(queue):
                found.append(
                    scaled_object.problem(
                        f"spec.triggers: {pattern.pattern} also matches {queue}, not its queue"
                    )
                )
    return found


def declared_queues() -> dict[str, dict[str, list[str]]]:
    """Each service's RPC and event queues, as its entrypoints declare them: in a
    process of its own, because importing the services patches the standard library
    for eventlet (never in a process that runs the gateway, or its tests)."""
    listed = subprocess.run(
        [sys.executable, "-m", "deploy.k8s_check", "--list-queues"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if listed.returncode:
        raise RuntimeError(f"listing the services' queues failed:\n{listed.stderr}")
    return json.loads(listed.stdout)


def list_queues() -> dict[str, dict[str, list[str]]]:
    # First, as in a service process: it patches the standard library for eventlet.
    services = importlib.import_module("services.__main__")
    from nameko.events import SERVICE_POOL, EventHandler
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
    from nameko.rpc import Rpc

    queues = {}
    for name in services.SERVICE_CLASSES:
        service_class = services.load_service_class(name)
        rpc, events = [], []
        for method_name, method in inspect.getmembers(service_class, callable):
            for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entrypoint, Rpc):
                    rpc = [f"rpc-{service_class.name}"]  # one queue for all its methods
                elif isinstance(entrypoint, EventHandler):
                    if entrypoint.handler_type != SERVICE_POOL:
                        raise ValueError(f"{name}.{method_name}: only service-pool handlers")
                    events.append(
                        f"evt-{entrypoint.source_service}-{entrypoint.event_type}"
                        f"--{service_class.name}.{method_name}"
                    )
        queues[name] = {"rpc": rpc, "events": sorted(events)}
    return queues


# Disruption budgets and network policies


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector's verdict (an empty one selects everything)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, values = expression["key"], expression.get("values", [])
        verdict = {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[expression["operator"]]
        if not verdict:
            return False
    return True


def coverage_problems(manifests: list[Manifest], origin: str) -> list[str]:
    budgets = [
        m.obj.get("spec", {}).get("selector", {}) for m in of_kind(manifests, "PodDisruptionBudget")
    ]
    policies = [m.obj.get("spec", {}) for m in of_kind(manifests, "NetworkPolicy")]
    found = []
    if not any(is_default_deny(policy) for policy in policies):
        found.append(
            f"{origin}: no NetworkPolicy denies all traffic by default "
            "(podSelector: {}, policyTypes: [Ingress, Egress], no rules)"
        )
    for deployment in of_kind(manifests, "Deployment"):
        labels = deployment.obj.get("spec", {}).get("template", {}).get("metadata", {})
        labels = labels.get("labels", {})
        if not any(selects(selector, labels) for selector in budgets):
            found.append(
                deployment.problem(
                    "no PodDisruptionBudget's spec.selector selects its pods "
                    "(spec.template.metadata.labels)"
                )
            )
        own_policies = [
            p for p in policies if p.get("podSelector") and selects(p["podSelector"], labels)
        ]
        if not own_policies:
            found.append(
                deployment.problem(
                    "no NetworkPolicy's spec.podSelector selects its pods "
                    "(spec.template.metadata.labels)"
                )
            )
    return found


def is_default_deny(policy: Mapping[str, Any]) -> bool:
    return (
        policy.get("podSelector") == {}
        and {"Ingress", "Egress"} <= set(policy.get("policyTypes", []))
        and not policy.get("ingress")
        and not policy.get("egress")
    )


# Settings and secrets


class RecordingEnviron(Mapping[str, str]):
    """An empty environment that remembers every variable it was asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return default

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def settings_read() -> set[str]:
    """Every variable the code reads: what load_settings asks an empty environment
    for (the defaults), and the few read elsewhere."""
    environ = RecordingEnviron()
    load_settings(environ)
    return environ.asked | set(OTHER_SETTINGS)


def is_secret(setting: str) -> bool:
    return bool(SECRET_NAME.search(setting)) or setting in CREDENTIAL_URLS


def workloads(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if m.kind in ("Deployment", "Job")]


def config_map(manifests: list[Manifest]) -> Manifest | None:
    return next((m for m in of_kind(manifests, "ConfigMap") if m.name == CONFIG_MAP), None)


def settings_problems(manifests: list[Manifest], origin: str, settings: set[str]) -> list[str]:
    config = config_map(manifests)
    if config is None:
        return [f"{origin}: ConfigMap {CONFIG_MAP} is missing"]
    data = config.obj.get("data") or {}
    from_secrets = {
        variable["name"]
        for workload in workloads(manifests)
        for _, container in containers(workload)
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    }
    found = []
    for setting in sorted(settings):
        if not is_secret(setting) and setting not in data:
            found.append(config.problem(f"data.{setting} is missing (a setting the code reads)"))
        elif is_secret(setting) and setting not in from_secrets:
            found.append(
                f"{origin}: {setting}, a secret the code reads, comes from no secretKeyRef "
                "in a Deployment's or a Job's env"
            )
    try:
        load_settings(data)
    except ConfigurationError as error:
        found.append(config.problem(f"data: {error}"))
    return found


def secret_problems(manifests: list[Manifest]) -> list[str]:
    found = []
    for config in of_kind(manifests, "ConfigMap"):
        for key, value in (config.obj.get("data") or {}).items():
            if is_secret(key):
                found.append(
                    config.problem(f"data.{key} is a secret (its name says so): use a Secret")
                )
            elif CREDENTIAL_IN_URL.search(str(value)):
                found.append(config.problem(f"data.{key} holds a user and password: use a Secret"))
    for workload in workloads(manifests):
        for at, container in containers(workload):
            for j, variable in enumerate(container.get("env", [])):
                value = str(variable.get("value", ""))
                if "value" in variable and (
                    is_secret(variable["name"]) or CREDENTIAL_IN_URL.search(value)
                ):
                    found.append(
                        workload.problem(f"{at}.env[{j}].value is a secret: use secretKeyRef")
                    )
    for secret in of_kind(manifests, "Secret"):
        for key in ("data", "stringData"):
            if secret.obj.get(key):
                found.append(secret.problem(f"{key}: no secret belongs in the repository"))
    return found


def database_user_problems(manifests: list[Manifest], origin: str) -> list[str]:
    """Inside the one replica set, each service may write its own database only."""
    clusters = of_kind(manifests, "MongoDBCommunity")
    config = config_map(manifests)
    if not clusters or config is None:
        return [f"{origin}: MongoDBCommunity is missing"] if not clusters else []
    try:
        settings = load_settings(config.obj.get("data") or {})
    except ConfigurationError:
        return []  # settings_problems says why
    cluster = clusters[0]
    users = {
        user.get("name"): (i, user) for i, user in enumerate(cluster.obj["spec"].get("users", []))
    }
    deployments = {m.name: m for m in of_kind(manifests, "Deployment")}
    found = []
    for service in SERVICE_NAMES:
        database = settings.database_name(service)
        if service not in users:
            found.append(
                cluster.problem(f"spec.users has no user {service}, the {service} service's")
            )
            continue
        i, user = users[service]
        if user.get("roles") != [{"name": "readWrite", "db": database}]:
            found.append(
                cluster.problem(f"spec.users[{i}].roles: {service} may write {database} only")
            )
        secret = f"{cluster.name}-{user.get('db', 'admin')}-{service}"  # the operator's name for it
        deployment = deployments.get(f"danban-{service}")
        if deployment and secret_of(deployment, "MONGO_URL") != secret:
            found.append(deployment.problem(f"MONGO_URL must come from the Secret {secret}"))
    return found


def secret_of(workload: Manifest, variable: str) -> str | None:
    for _, container in containers(workload):
        for entry in container.get("env", []):
            if entry.get("name") == variable:
                return entry.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--list-queues", action="store_true", help="print each service's queues as JSON"
    )
    args = parser.parse_args(argv)
    if args.list_queues:
        print(json.dumps(list_queues(), indent=2))
        return 0
    found = problems()
    for problem in found:
        print(problem)
    print(f"{len(found)} problems" if found else "no problem", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
