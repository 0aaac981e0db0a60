"""Today's contracts accept the previous release's messages (issue #18).

During a rolling upgrade old and new instances of a service consume the same
queues, so a new instance receives what old instances of other services and old
gateways send. tests/contracts/<release>/ keeps that release's RPC requests and
events (deploy/contract_samples.py captures them); every one must still pass
today's contract, every RPC method and event of that release must still exist
(or be retired on purpose, with the reason), and every one added since must be
listed as new, so that someone has looked at it.
"""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from deploy.contract_samples import (
    events,
    inventory,
    load_model,
    rpc_methods,
    sorted_by_service,
    varied,
)
from shared.contracts.surveys import CastBallot

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "contracts"


def previous_release() -> Path:
    releases = [index.parent for index in SAMPLES.glob("*/index.json")]
    assert len(releases) == 1, f"keep the samples of one release, the previous, not {releases}"
    return releases[0]


def compatibility_problems(release_dir: Path, today: dict[str, Any]) -> list[str]:
    """What would break between the release whose samples are in `release_dir`
    and today's code (`today` as `inventory` gives it)."""
    index = json.loads((release_dir / "index.json").read_text(encoding="utf-8"))
    release = index["release"]
    problems = []
    for kind in ("rpc", "events"):
        retired = index["retired"][kind]
        new = index["new_since_release"][kind]
        for key, origin in index[kind].items():
            if key not in today[kind]:
                if key not in retired:
                    problems.append(
                        f"{kind} {key} of {release} is gone, and its old callers with it; "
                        f"keep it, or list it in index.json's retired with the reason"
                    )
                continue
            if key in retired:
                problems.append(f"{kind} {key} is listed as retired but still exists")
            file = release_dir / kind / f"{key}.json"
            samples = json.loads(file.read_text(encoding="utf-8")) if file.exists() else []
            if origin == "none" or not samples:
                problems.append(f"{file.relative_to(release_dir.parent)}: no sample of {key}")
            for number, sample in enumerate(samples):
                rejected = rejection(kind, today[kind][key], sample)
                if rejected:
                    where = f"{file.relative_to(release_dir.parent)}, sample {number}"
                    problems.append(f"{where}: today's {key} rejects it: {rejected}")
        for key, reason in retired.items():
            if key not in index[kind]:
                problems.append(f"{kind} {key} is listed as retired but {release} did not have it")
            elif not reason.strip():
                problems.append(f"{kind} {key} is retired without a reason")
        for key in today[kind]:
            if key not in index[kind] and key not in new:
                problems.append(
                    f"{kind} {key} is new since {release}: no instance of {release} sends it; "
                    f"list it in index.json's new_since_release"
                )
        for key in new:
            if key in index[kind] or key not in today[kind]:
                problems.append(f"{kind} {key} is listed as new but is not a new one")
    return problems


def rejection(kind: str, contract: Any, sample: Any) -> str | None:
    """Why today's contract refuses a sample, or None. An event is validated as
    `on_event` does; an RPC request must fit the method's arguments, and its
    payload the contract the method parses it with."""
    if kind == "events":
        return validation_error(contract, sample)
    args, kwargs = sample["args"], sample["kwargs"]
    if kwargs:
        return f"keyword arguments {sorted(kwargs)}: callers here send the payload positionally"
    if not contract["required_args"] <= len(args) <= contract["max_args"]:
        return f"{len(args)} arguments; the method takes {contract['max_args']}"
    return validation_error(contract["model"], args[0]) if contract["model"] else None


def validation_error(reference: str, payload: Any) -> str | None:
    try:
        load_model(reference).model_validate(payload)
    except ValidationError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def today() -> dict[str, Any]:
    return inventory(ROOT)


@pytest.fixture
def release_copy(tmp_path: Path) -> Path:
    """The kept samples, copied to be spoiled."""
    copy = tmp_path / "contracts" / previous_release().name
    shutil.copytree(previous_release(), copy)
    return copy


def edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_todays_contracts_accept_every_message_of_the_previous_release(today):
    assert compatibility_problems(previous_release(), today) == []


def test_every_contract_of_the_previous_release_has_samples_and_says_where_they_came_from():
    index = json.loads((previous_release() / "index.json").read_text(encoding="utf-8"))
    for kind in ("rpc", "events"):
        for key, origin in index[kind].items():
            assert origin in ("captured", "generated", "written"), (kind, key)
            assert json.loads((previous_release() / kind / f"{key}.json").read_text()), (kind, key)
    captured = [key for key, origin in index["rpc"].items() if origin == "captured"]
    assert "surveys.cast_ballot" in captured  # the message a rolling upgrade must not lose


def test_a_sample_with_a_renamed_field_fails_naming_its_file_and_the_error(release_copy, today):
    def rename(samples: list) -> None:
        payload = samples[0]["args"][0]
        payload["code"] = payload.pop("card_code")

    edit_json(release_copy / "rpc" / "surveys.cast_ballot.json", rename)
    [problem] = compatibility_problems(release_copy, today)
    assert problem.startswith(f"{release_copy.name}/rpc/surveys.cast_ballot.json, sample 0:")
    assert "card_code\n  Field required" in problem
    assert "code\n  Extra inputs are not permitted" in problem


class CastBallotWithANewRequiredField(CastBallot):
    channel: str


def test_a_contract_that_gains_a_required_field_fails_on_the_old_messages(today):
    model = f"{__name__}:{CastBallotWithANewRequiredField.__name__}"
    stricter = {**today["rpc"]["surveys.cast_ballot"], "model": model}
    problems = compatibility_problems(
        previous_release(), {**today, "rpc": {**today["rpc"], "surveys.cast_ballot": stricter}}
    )
    assert problems
    for problem in problems:
        assert "rpc/surveys.cast_ballot.json" in problem
        assert "channel\n  Field required" in problem


def test_an_event_today_rejects_fails(release_copy, today):
    edit_json(release_copy / "events" / "surveys.poll_opened.json", lambda s: s[0].pop("poll_id"))
    [problem] = compatibility_problems(release_copy, today)
    assert "events/surveys.poll_opened.json, sample 0" in problem
    assert "poll_id\n  Field required" in problem


def test_a_request_with_arguments_the_method_does_not_take_fails(release_copy, today):
    edit_json(release_copy / "rpc" / "surveys.health.json", lambda s: s[0]["args"].append({}))
    [problem] = compatibility_problems(release_copy, today)
    assert (
        "surveys.health.json, sample 0: today's surveys.health rejects it: 1 arguments" in problem
    )


def test_a_removed_method_fails_unless_retired_with_a_reason(release_copy, today):
    without = {**today, "rpc": {k: v for k, v in today["rpc"].items() if k != "surveys.get_poll"}}
    [problem] = compatibility_problems(release_copy, without)
    assert problem.startswith("rpc surveys.get_poll of ")
    assert "is gone" in problem

    def retire(reason: str) -> Any:
        return lambda index: index["retired"]["rpc"].update({"surveys.get_poll": reason})

    edit_json(release_copy / "index.json", retire(" "))
    assert compatibility_problems(release_copy, without) == [
        "rpc surveys.get_poll is retired without a reason"
    ]
    edit_json(release_copy / "index.json", retire("replaced by surveys.get_polls"))
    assert compatibility_problems(release_copy, without) == []
    assert compatibility_problems(release_copy, today) == [
        "rpc surveys.get_poll is listed as retired but still exists"
    ]


def test_a_removed_event_fails(release_copy, today):
    without = {
        **today,
        "events": {k: v for k, v in today["events"].items() if "poll_closed" not in k},
    }
    [problem] = compatibility_problems(release_copy, without)
    assert problem.startswith("events surveys.poll_closed of ")


def test_a_new_method_or_event_fails_until_listed_as_new(release_copy, today):
    added = {
        "rpc": {**today["rpc"], "surveys.reopen_poll": today["rpc"]["surveys.get_poll"]},
        "events": {
            **today["events"],
            "surveys.poll_reopened": "shared.contracts.surveys:PollOpened",
        },
    }
    problems = compatibility_problems(release_copy, added)
    assert [p.split(":")[0] for p in problems] == [
        "rpc surveys.reopen_poll is new since " + release_copy.name,
        "events surveys.poll_reopened is new since " + release_copy.name,
    ]

    def list_new(index: dict) -> None:
        index["new_since_release"]["rpc"].append("surveys.reopen_poll")
        index["new_since_release"]["events"].append("surveys.poll_reopened")

    edit_json(release_copy / "index.json", list_new)
    assert compatibility_problems(release_copy, added) == []
    assert compatibility_problems(release_copy, today) == [
        "rpc surveys.reopen_poll is listed as new but is not a new one",
        "events surveys.poll_reopened is listed as new but is not a new one",
    ]


def test_a_contract_without_samples_fails(release_copy, today):
    (release_copy / "events" / "surveys.poll_closed.json").unlink()
    [problem] = compatibility_problems(release_copy, today)
    assert (
        problem
        == f"{release_copy.name}/events/surveys.poll_closed.json: no sample of surveys.poll_closed"
    )


# --- the inventory, read from the source ---------------------------------------------


def test_an_rpc_method_is_known_with_the_contract_it_parses_its_payload_with(today):
    assert today["rpc"]["surveys.cast_ballot"] == {
        "required_args": 1,
        "max_args": 1,
        "model": "shared.contracts.surveys:CastBallot",
    }
    assert today["rpc"]["surveys.health"] == {"required_args": 0, "max_args": 0, "model": None}
    assert today["events"]["surveys.poll_opened"] == "shared.contracts.surveys:PollOpened"
    assert today["events"]["recognition.recognition_disclosure_requested"] == (
        "shared.contracts.recognition:DisclosureRequested"
    )


def test_an_rpc_method_that_parses_no_contract_is_refused(tmp_path):
    service = tmp_path / "services" / "things"
    service.mkdir(parents=True)
    (service / "service.py").write_text(
        "from nameko.rpc import rpc\n\n"
        "class ThingsService:\n"
        "    @rpc\n"
        "    def add(self, payload):\n"
        "        return payload['name']\n"
    )
    with pytest.raises(ValueError, match=r"add should parse its payload with one contract"):
        rpc_methods(tmp_path)


def test_events_are_read_from_the_tree_that_is_imported(tmp_path):
    with pytest.raises(RuntimeError, match="imported from elsewhere"):
        events(tmp_path)


# --- what capture keeps of the traced messages ------------------------------------------


def test_capture_keeps_requests_and_events_and_leaves_replies_out():
    request = {"args": [{"poll_id": "p1"}], "kwargs": {}}
    traced = [
        ("nameko-rpc", "surveys.get_poll", request),
        ("nameko-rpc", "6f1c2d4e-0b6a-4c1e-9a55-3d1b0f2e7c11", {"result": {}, "error": None}),
        ("surveys.events", "poll_opened", {"event_id": "e1"}),
        ("amq.default", "anything", {}),
    ]
    assert sorted_by_service(iter(traced)) == {
        "rpc": {"surveys.get_poll": [request]},
        "events": {"surveys.poll_opened": [{"event_id": "e1"}]},
    }


def test_capture_keeps_distinct_samples_of_different_shapes_first():
    full = {"unit_id": "u1", "note": "x"}
    messages = [{"unit_id": "u1", "note": None}, full, {"unit_id": "u2", "note": None}, full]
    assert varied(messages, count=2) == [full, {"unit_id": "u1", "note": None}]
    assert varied(messages, count=5) == [
        full,
        {"unit_id": "u1", "note": None},
        {"unit_id": "u2", "note": None},
    ]
