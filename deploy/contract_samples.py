"""Samples of one release's RPC and event messages, kept for the contract test.

    python -m deploy.contract_samples capture --release <rev>

During a rolling upgrade old and new instances of a service consume the same
queues, so a new instance receives what old instances of other services (and old
gateways) send. tests/unit/test_contract_compatibility.py checks that today's
contracts accept every sample of the previous release kept in tests/contracts/.

Run `capture` at each release, from the repository's root, on a machine with
RabbitMQ and its management plugin (what `./dev test` sets up; a few minutes). It

1. exports <rev> into a temporary directory (`git archive`);
2. makes a RabbitMQ vhost of its own with the firehose tracer on and a queue
   bound to `amq.rabbitmq.trace` with `publish.#`, which gets a copy of every
   message published there;
3. runs that release's `python -m deploy.run` on the vhost (its own var
   directory, free ports), which loads the demo ward: many RPCs and events; then
   votes as the demo household from its card link, signs in as the administrator
   and reads the staff pages, and stops it;
4. keeps up to SAMPLES_PER_KEY distinct messages per RPC method (exchange
   `nameko-rpc`, routing key `<service>.<method>`; replies, routed by a uuid, are
   left out) and per event (exchange `<service>.events`), those the release's own
   contracts accept;
5. for every RPC method and event of the release that the run did not send,
   generates samples with polyfactory from the release's own contract;
6. writes tests/contracts/<rev>/rpc/<service>.<method>.json (message bodies,
   `{"args": [...], "kwargs": {...}}`), events/<service>.<event_type>.json
   (payloads) and index.json (every RPC method and event of the release, each
   "captured" or "generated"), and removes the previous release's directory:
   compatibility is kept for one release.

Then, by hand: a method or event marked "none" (nothing could be made) gets a
sample written into its file and is marked "written"; as the code changes, index.json's
`new_since_release` lists each RPC method and event added since the release and
`retired` each one removed on purpose, with the reason (`notes` says why).

What a release has is read from its source, not imported from its services (the
inventory): `@rpc` methods, and the contract each parses its payload with
(`parse(Model, payload)`); events, with the service that `on_event` names as
their source."""

import argparse
import ast
import base64
import contextlib
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

SAMPLES_PER_KEY = 3  # captured messages kept per RPC method or event
GENERATED_PER_KEY = 2  # generated payloads per RPC method or event not captured
GENERATION_ATTEMPTS = 50  # builds tried per kind of payload before giving up
LONGEST_TEXT = 200  # characters of a generated text, where its contract allows
SAMPLES_DIR = Path("tests/contracts")
RPC_EXCHANGE = "nameko-rpc"
TRACE_EXCHANGE = "amq.rabbitmq.trace"
TRACE_QUEUE = "contract-samples"
STACK_START_SECONDS = 300  # the demo ward takes a minute or two on a busy machine
SETTLE_SECONDS = 15  # after the demo: events still being relayed and handled
PAGES_TO_READ = 300  # staff pages read after signing in, for the read-only RPCs
PAGES_PER_KIND = 3  # e.g. three polls' pages, not every poll's
ADMIN_PASSWORD = "contract-samples-admin"


# --- what a release has: read from its source -------------------------------------


@dataclass(frozen=True)
class RpcMethod:
    """An RPC method: how many positional arguments it needs and takes, and the
    contract (`module:Class`) it parses its payload with, if it takes one."""

    required_args: int
    max_args: int
    model: str | None


def rpc_methods(root: Path) -> dict[str, RpcMethod]:
    """Every `@rpc` method of root/services, keyed `<service>.<method>`."""
    methods: dict[str, RpcMethod] = {}
    for path in sorted(root.glob("services/*/*.py")):
        service = path.parent.name
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        imported = imported_names(tree, module_name(root, path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or not is_rpc(function):
                continue
            key = f"{service}.{function.name}"
            if key in methods:
                raise ValueError(f"{path}: {key} is defined twice")
            parameters = function.args.args[1:]  # after self
            methods[key] = RpcMethod(
                required_args=len(parameters) - len(function.args.defaults),
                max_args=len(parameters),
                model=parsed_model(function, parameters, imported, path),
            )
    return methods


def is_rpc(function: ast.FunctionDef) -> bool:
    """`@rpc`, `@rpc(...)`, `@queues.rpc`...: nameko's or shared.queues' decorator."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Name) and target.id == "rpc") or (
            isinstance(target, ast.Attribute) and target.attr == "rpc"
        ):
            return True
    return False


def parsed_model(
    function: ast.FunctionDef, parameters: list[ast.arg], imported: dict[str, str], path: Path
) -> str | None:
    """The model of `parse(Model, payload)` in the method, `payload` being its
    first parameter; None for a method without parameters."""
    if not parameters:
        return None
    payload = parameters[0].arg
    models = {
        call.args[0].id
        for call in ast.walk(function)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "parse"
        and len(call.args) == 2
        and isinstance(call.args[0], ast.Name)
        and isinstance(call.args[1], ast.Name)
        and call.args[1].id == payload
    }
    if len(models) != 1:
        raise ValueError(
            f"{path}: {function.name} should parse its {payload} with one contract "
            f"(parse(Model, {payload})), found {sorted(models) or 'none'}"
        )
    return imported[models.pop()]


def module_name(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def imported_names(tree: ast.Module, module: str) -> dict[str, str]:
    """Each name a module can use, as `module:Name` where it is defined or imported from."""
    names = {
        node.name: f"{module}:{node.name}" for node in tree.body if isinstance(node, ast.ClassDef)
    }
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return names


def events(root: Path) -> dict[str, str]:
    """Every event of the release, keyed `<source service>.<event_type>`, with its
    contract (`module:Class`). The source is what consumers declare with
    `on_event(source, Model)`; for an event no service consumes, the service whose
    code names it. Imports the release's shared.contracts: `root` must be the tree
    on sys.path."""
    import shared.contracts
    from shared.contracts.common import Event

    if Path(shared.contracts.__file__).resolve().parents[2] != root.resolve():
        raise RuntimeError(f"shared.contracts is imported from elsewhere than {root}")
    event_types: dict[str, str] = {}  # "module:Class" -> event_type
    for info in pkgutil.iter_modules(shared.contracts.__path__):
        module = importlib.import_module(f"shared.contracts.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, Event)
                and cls.__module__ == module.__name__
                and isinstance(getattr(cls, "event_type", None), str)
            ):
                event_types[f"{module.__name__}:{name}"] = cls.event_type
    consumed: dict[str, str] = {}
    named: dict[str, str] = {}
    for path in sorted(root.glob("services/*/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        imported = imported_names(tree, module_name(root, path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and imported.get(node.id) in event_types:
                model = imported[node.id]
                named[f"{path.parent.name}.{event_types[model]}"] = model
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "on_event"
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[1], ast.Name)
            ):
                model = imported[node.args[1].id]
                consumed[f"{node.args[0].value}.{event_types[model]}"] = model
    found = dict(consumed)
    for key, model in named.items():
        if model not in consumed.values():
            found[key] = model
    nowhere = set(event_types) - set(found.values())
    if nowhere:
        raise ValueError(f"events no service uses: {sorted(nowhere)}")
    return dict(sorted(found.items()))


def load_model(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def inventory(root: Path) -> dict[str, Any]:
    """The release's RPC methods and events, as JSON."""
    return {
        "rpc": {key: vars(method) for key, method in sorted(rpc_methods(root).items())},
        "events": events(root),
    }


# --- samples generated from a release's own models ---------------------------------


def generated_samples(model_reference: str) -> list[Any]:
    """Up to GENERATED_PER_KEY payloads the model accepts, built by polyfactory from
    its fields and their constraints: one leaving the defaults, one with random
    fields left out, one with every field filled. A validator polyfactory cannot
    read (a phone number's form, one of two fields) may reject every try."""
    from polyfactory.factories.pydantic_factory import ModelFactory
    from pydantic import ValidationError

    model = load_model(model_reference)
    samples: list[Any] = []
    for leave_defaults, leave_out in ((True, True), (False, True), (False, False)):
        factory = ModelFactory.create_factory(
            model,
            __random_seed__=1,  # the same samples each time
            __use_defaults__=leave_defaults,
            __allow_none_optionals__=leave_out,
            __use_examples__=True,  # a field's `examples` (e.g. a phone number) where given
        )
        for _ in range(GENERATION_ATTEMPTS):
            try:
                built = factory.build().model_dump(mode="json")
            except ValidationError:
                continue
            payload = next((p for p in (shortened(built), built) if accepts(model, p)), None)
            if payload is not None:
                if payload not in samples:
                    samples.append(payload)
                break
    return samples[:GENERATED_PER_KEY]


def accepts(model: Any, payload: Any) -> bool:
    from pydantic import ValidationError

    try:
        model.model_validate(payload)  # what a receiver does with it
    except ValidationError:
        return False
    return True


def shortened(value: Any) -> Any:
    """The value with its texts cut to LONGEST_TEXT characters: polyfactory fills a
    photo's base64 up to its limit of megabytes."""
    if isinstance(value, str):
        return value[:LONGEST_TEXT]
    if isinstance(value, dict):
        return {key: shortened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shortened(item) for item in value]
    return value


def describe(request: dict[str, Any]) -> dict[str, Any]:
    """Run in the release's tree (see `capture`): its inventory; which of the
    captured samples its own contracts accept; generated samples for the rest."""
    found = inventory(Path.cwd())
    accepted: dict[str, dict[str, list]] = {"rpc": {}, "events": {}}
    rejected: list[str] = []
    for kind, samples in request["captured"].items():
        for key, messages in samples.items():
            if key not in found[kind]:
                rejected.append(f"{kind} {key}: no such RPC method or event in the release")
                continue
            reference = model_of(found, kind, key)
            for message in messages:
                payload = message if kind == "events" else (message["args"] or [None])[0]
                if reference is None or accepts(load_model(reference), payload):
                    accepted[kind].setdefault(key, []).append(message)
                else:
                    rejected.append(f"{kind} {key}: {canonical(message)[:300]}")
    generated: dict[str, dict[str, list]] = {"rpc": {}, "events": {}}
    for kind in ("rpc", "events"):
        for key in sorted(set(found[kind]) - set(accepted[kind])):
            reference = model_of(found, kind, key)
            if reference is None:  # an RPC method without arguments
                generated[kind][key] = [{"args": [], "kwargs": {}}]
                continue
            payloads = generated_samples(reference)
            generated[kind][key] = (
                [{"args": [p], "kwargs": {}} for p in payloads] if kind == "rpc" else payloads
            )
    return {"inventory": found, "captured": accepted, "rejected": rejected, "generated": generated}


def model_of(found: dict[str, Any], kind: str, key: str) -> str | None:
    return found[kind][key]["model"] if kind == "rpc" else found[kind][key]


# --- capturing a release's messages --------------------------------------------------


@contextlib.contextmanager
def traced_vhost() -> Iterator[tuple[str, str]]:
    """A new vhost with the firehose tracer on and a queue that keeps every published
    message; yields its AMQP URI and that queue's name, and deletes the vhost after.
    The broker and its management API are the tests' (AMQP_URI, RABBIT_API_URI)."""
    from tests.support import _api, fresh_vhost  # the capture's, not the release's, tree

    with fresh_vhost(tracing=True) as amqp_uri:
        vhost = quote(unquote(urlsplit(amqp_uri).path[1:]), safe="")
        _api("PUT", f"queues/{vhost}/{TRACE_QUEUE}", {"durable": False})
        _api(
            "POST",
            f"bindings/{vhost}/e/{TRACE_EXCHANGE}/q/{TRACE_QUEUE}",
            {"routing_key": "publish.#"},
        )
        yield amqp_uri, TRACE_QUEUE


def traced_messages(amqp_uri: str, queue: str) -> Iterator[tuple[str, str, Any]]:
    """(exchange, routing key, JSON body) of each traced message, emptying the queue."""
    from tests.support import _api

    vhost = quote(unquote(urlsplit(amqp_uri).path[1:]), safe="")
    while True:
        batch = _api(
            "POST",
            f"queues/{vhost}/{queue}/get",
            {"count": 500, "ackmode": "ack_requeue_false", "encoding": "base64"},
        ).json()
        if not batch:
            return
        for message in batch:
            headers = message["properties"]["headers"]
            body = base64.b64decode(message["payload"])
            with contextlib.suppress(ValueError):  # not JSON: not a nameko message
                yield headers["exchange_name"], headers["routing_keys"][0], json.loads(body)


def sorted_by_service(traced: Iterator[tuple[str, str, Any]]) -> dict[str, dict[str, list]]:
    """RPC requests and events by `<service>.<method>` and `<service>.<event_type>`;
    replies (routing key: a reply queue's uuid) left out."""
    found: dict[str, dict[str, list]] = {"rpc": {}, "events": {}}
    for exchange, routing_key, body in traced:
        if exchange == RPC_EXCHANGE and is_rpc_request(routing_key, body):
            found["rpc"].setdefault(routing_key, []).append(body)
        elif exchange.endswith(".events"):
            source = exchange.removesuffix(".events")
            found["events"].setdefault(f"{source}.{routing_key}", []).append(body)
    return found


def is_rpc_request(routing_key: str, body: Any) -> bool:
    service, _, method = routing_key.partition(".")
    return (
        service.isidentifier()
        and method.isidentifier()
        and isinstance(body, dict)
        and set(body) == {"args", "kwargs"}
    )


def varied(messages: list[Any], count: int = SAMPLES_PER_KEY) -> list[Any]:
    """Up to `count` distinct messages, of as many different shapes (which fields
    hold something) as there are, the fullest first."""
    distinct = list({canonical(m): m for m in messages}.values())
    by_shape: dict[str, list[Any]] = {}
    for message in distinct:
        by_shape.setdefault(canonical(sorted(filled_paths(message))), []).append(message)
    shapes = sorted(by_shape.values(), key=lambda group: -len(filled_paths(group[0])))
    chosen = [group[0] for group in shapes[:count]]
    for message in distinct:
        if len(chosen) >= count:
            break
        if message not in chosen:
            chosen.append(message)
    return chosen


def filled_paths(value: Any, path: str = "") -> set[str]:
    """The paths of a JSON value that hold something (not null, not empty)."""
    if isinstance(value, dict):
        return {p for key, item in value.items() for p in filled_paths(item, f"{path}.{key}")}
    if isinstance(value, list):
        return {p for item in value for p in filled_paths(item, f"{path}[]")}
    return set() if value in (None, "") else {path}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def export_release(release: str, into: Path) -> None:
    archive = into / "release.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", "--format=tar", release], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    archive.unlink()


def run_release(tree: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, list[str]]:
    """Start the release's whole stack with the demo ward; return once it is loaded,
    with what the runner printed."""
    with log.open("ab") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "deploy.run", "--no-restart"],
            cwd=tree,
            env=env,
            stdout=subprocess.PIPE,
            stderr=out,
            start_new_session=True,
        )
    assert runner.stdout is not None
    deadline = time.monotonic() + STACK_START_SECONDS
    printed = []
    for line in iter(runner.stdout.readline, b""):
        printed.append(line.decode(errors="replace").rstrip())
        say(f"  release: {printed[-1]}")
        if "is running at" in printed[-1]:
            return runner, printed
        if time.monotonic() > deadline or "cannot start" in printed[-1]:
            break
    stop_release(runner)
    raise RuntimeError(f"the release's stack did not start; see {log} and {env['DANBAN_VAR_DIR']}")


def stop_release(runner: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        runner.send_signal(signal.SIGINT)  # the runner stops what it started
    try:
        runner.wait(timeout=120)
    except subprocess.TimeoutExpired:
        runner.kill()
        runner.wait()


def read_staff_pages(base_url: str) -> int:
    """Sign in as the administrator and read the site's pages (GET only), so the
    gateway asks the services what its pages show. Returns how many were read."""
    import requests  # a test extra, as polyfactory: only `capture` needs them

    session = requests.Session()
    session.post(
        f"{base_url}/staff/sign-in",
        data={
            "username": "admin",
            "password": ADMIN_PASSWORD,
            "csrf_token": form_token(session.get(f"{base_url}/staff/sign-in", timeout=30).text),
            "next": "/",
        },
        timeout=30,
    )
    seen, waiting = set(), ["/"]
    kinds: dict[str, int] = {}  # pages read per kind of page (its path, ids left out)
    while waiting and len(seen) < PAGES_TO_READ:
        page = waiting.pop(0)
        kind = re.sub(r"/[^/?]*\d[^/?]*", "/*", page.partition("?")[0])
        if page in seen or kinds.get(kind, 0) >= PAGES_PER_KIND:
            continue
        seen.add(page)
        kinds[kind] = kinds.get(kind, 0) + 1
        response = session.get(f"{base_url}{page}", timeout=30)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in re.findall(r'href="(/[^"#]*)"', response.text):
            if "sign-out" not in link and "/static/" not in link and link not in seen:
                waiting.append(link)
    return len(seen)


def cast_demo_ballot(card_link: str) -> int:
    """Vote as the demo household from its card link (each question's first choice),
    as a resident's phone does; returns the status of the cast."""
    import requests

    phone = requests.Session()
    form = phone.get(card_link, timeout=30).text
    answers: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]*)"', form
    ):
        answers.setdefault(name, value)
    confirm = phone.post(
        f"{card_link}/confirm", data={**hidden_fields(form), **answers}, timeout=30
    )
    cast = phone.post(f"{card_link}/cast", data=hidden_fields(confirm.text), timeout=30)
    return cast.status_code


def form_token(html: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return token.group(1) if token else ""


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def capture(release: str, out: Path) -> None:
    from tests.support import free_port

    revision = subprocess.run(
        ["git", "rev-parse", "--short", release], capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="danban-contracts-") as temporary:
        work = Path(temporary)
        export_release(revision, work)
        tree = work / "tree"
        with traced_vhost() as (vhost_uri, queue):
            gateway_port = free_port()
            env = {
                **os.environ,
                "PYTHONPATH": str(tree),
                "AMQP_URI": vhost_uri,
                "DANBAN_VAR_DIR": str(work / "var"),
                "EMBEDDED_MONGO_PORT": str(free_port()),
                "GATEWAY_PORT": str(gateway_port),
                "DANBAN_ADMIN_PASSWORD": ADMIN_PASSWORD,
            }
            env.pop("MONGO_URL", None)
            say(f"running {revision}'s stack on a traced vhost")
            runner, printed = run_release(tree, env, work / "runner.log")
            try:
                card_link = next(
                    (line.rsplit(" ", 1)[1] for line in printed if "vote as a demo" in line), None
                )
                if card_link:
                    say(f"cast the demo household's ballot: {cast_demo_ballot(card_link)}")
                pages = read_staff_pages(f"http://127.0.0.1:{gateway_port}")
                say(f"read {pages} staff pages; waiting {SETTLE_SECONDS} s for the events")
                time.sleep(SETTLE_SECONDS)
            finally:
                stop_release(runner)
            captured = sorted_by_service(traced_messages(vhost_uri, queue))
        request = {
            kind: {k: varied(v) for k, v in found.items()} for kind, found in captured.items()
        }
        described = subprocess.run(
            [sys.executable, "-P", str(Path(__file__).resolve()), "describe"],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            input=json.dumps({"captured": request}),
            capture_output=True,
            text=True,
        )
        if described.returncode != 0:
            raise RuntimeError(f"describing {revision} failed:\n{described.stderr}")
    write_samples(revision, json.loads(described.stdout), out)


def write_samples(revision: str, described: dict[str, Any], out: Path) -> None:
    for rejected in described["rejected"]:
        say(f"left out, as {revision} itself rejects it: {rejected}")
    for old in out.glob("*/index.json"):
        shutil.rmtree(old.parent)  # one release is kept
    release_dir = out / revision
    index: dict[str, Any] = {
        "release": revision,
        "captured_with": f"python -m deploy.contract_samples capture --release {revision}",
        "rpc": {},
        "events": {},
        "retired": {"rpc": {}, "events": {}},
        "new_since_release": {"rpc": [], "events": []},
        "notes": {},  # why a sample was written by hand, why a new one needs none...
    }
    for kind in ("rpc", "events"):
        (release_dir / kind).mkdir(parents=True, exist_ok=True)
        for key in described["inventory"][kind]:
            origin = "captured" if key in described["captured"][kind] else "generated"
            samples = described[origin][kind][key]
            if samples:
                file = release_dir / kind / f"{key}.json"
                file.write_text(json.dumps(samples, indent=1, ensure_ascii=False) + "\n")
            else:  # the test fails until someone writes one and marks it "written"
                origin = "none"
                say(f"no sample for {kind} {key}: write {kind}/{key}.json by hand")
            index[kind][key] = origin
        origins = list(index[kind].values())
        say(f"{kind}: " + ", ".join(f"{origins.count(o)} {o}" for o in sorted(set(origins))))
    (release_dir / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    say(f"written to {release_dir}")


def say(message: str) -> None:
    print(f"[contract-samples] {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    capture_command = commands.add_parser("capture", help="capture a release's messages")
    capture_command.add_argument("--release", required=True, help="a git revision, e.g. a tag")
    capture_command.add_argument("--out", type=Path, default=SAMPLES_DIR)
    commands.add_parser("describe", help="(internal) run in a release's tree by capture")
    args = parser.parse_args(argv)
    if args.command == "describe":
        print(json.dumps(describe(json.load(sys.stdin))))
        return 0
    # SIGTERM unwinds like Ctrl-C: the release's stack, its vhost and files are removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    capture(args.release, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
