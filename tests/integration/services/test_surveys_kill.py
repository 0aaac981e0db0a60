"""kill -9 of the surveys process while households vote: every receipt a resident
was shown is counted, once, and the recount matches the receipts."""

import random
import threading
import time
import uuid

from nameko.standalone.rpc import ClusterRpcProxy

from services.surveys.ballot_store import TOOK_PART
from services.surveys.store import SurveysStore
from shared.config import SERVICE_NAMES
from shared.contracts.surveys import Poll
from shared.ids import CODE_ALPHABET
from tests.samples import household, residential_group, sample_decision
from tests.support import ServiceProcess, python_env, wait_until

UNITS = ("tdp-1", "tdp-2", "tdp-3")
PER_UNIT = 20
VOTERS = 6  # threads, each with its own proxy
CALL_TIMEOUT = 4  # seconds a resident's phone waits before "send" is pressed again


def household_codes(unit_number: int) -> list[str]:
    return [f"K{CODE_ALPHABET[unit_number]}{CODE_ALPHABET[n]}A" for n in range(PER_UNIT)]


def secret_decision() -> dict:
    return sample_decision(unit_id="huong-an", online_opt_in=40)


def test_killing_surveys_while_households_vote_loses_and_doubles_no_ballot(
    directory, config, databases, tmp_path
):
    for number, unit_id in enumerate(UNITS, start=1):
        directory.register_unit(residential_group(number))
        for code in household_codes(number):
            directory.register_household(household(code, unit_id))
    env = python_env(
        AMQP_URI=config["AMQP_URI"],
        MONGO_URL=config["MONGO_URL"],
        **{f"DANBAN_DB_{name.upper()}": db for name, db in config["MONGO_DATABASES"].items()},
    )
    assert set(config["MONGO_DATABASES"]) == set(SERVICE_NAMES)
    amqp = {"AMQP_URI": config["AMQP_URI"]}
    service = ServiceProcess("surveys", env, tmp_path / "surveys-1.log").start()
    try:
        with ClusterRpcProxy(amqp, timeout=10) as rpc:
            created = rpc.surveys.create_poll(secret_decision())
            poll = wait_until(
                lambda: (
                    (p := rpc.surveys.get_poll({"poll_id": created["id"]}))["status"] == "open"
                    and p
                ),
                timeout=10,
            )
            assert poll["electorate"]["total"] == len(UNITS) * PER_UNIT
            ballots = [
                (card["household_code"], card["card_code"])
                for unit_id in UNITS
                for card in rpc.surveys.issue_cards(
                    {"actor": "admin", "poll_id": poll["id"], "unit_id": unit_id}
                )["cards"]
            ]
        random.shuffle(ballots)

        receipts: dict[str, tuple[dict, dict]] = {}  # household → (receipt, answers)
        failed: set[str] = set()

        def vote(share: list[tuple[str, str]]) -> None:
            proxy = ClusterRpcProxy(amqp, timeout=CALL_TIMEOUT)
            cluster = proxy.start()
            for code, card in share:
                answers = {"q1": [random.choice(["agree", "disagree"])]}
                submission = uuid.uuid4().hex  # the confirmation form's, kept on retries
                while code not in receipts:
                    try:
                        receipt = cluster.surveys.cast_ballot(
                            {"card_code": card, "submission_id": submission, "answers": answers}
                        )
                    except Exception:  # no answer, or the service is down: press again
                        failed.add(code)
                        proxy.stop()
                        time.sleep(0.3)
                        proxy = ClusterRpcProxy(amqp, timeout=CALL_TIMEOUT)
                        cluster = proxy.start()
                    else:
                        receipts[code] = (receipt, answers)
            proxy.stop()

        voters = [threading.Thread(target=vote, args=(ballots[n::VOTERS],)) for n in range(VOTERS)]
        for voter in voters:
            voter.start()
        wait_until(lambda: len(receipts) >= 20, timeout=20, interval=0.01)
        service.kill()
        time.sleep(CALL_TIMEOUT + 1)  # long enough for the calls in flight to give up
        service = ServiceProcess("surveys", env, tmp_path / "surveys-2.log").start()
        for voter in voters:
            voter.join(timeout=40)
        assert not any(voter.is_alive() for voter in voters)

        assert failed, "the kill interrupted no call: the test proved nothing"
        assert len(receipts) == len(ballots)
        with ClusterRpcProxy(amqp, timeout=10) as rpc:
            for receipt, _ in receipts.values():
                assert rpc.surveys.check_receipt({"receipt_code": receipt["receipt_code"]})[
                    "counted"
                ]
        stored = databases["surveys"]
        unsealed = {"poll_id": poll["id"], "_seal": {"$exists": True}}
        wait_until(lambda: stored.electors.count_documents(unsealed) == 0)
    finally:
        service.stop()

    participations = list(stored.electors.find({"poll_id": poll["id"], **TOOK_PART}))
    assert len(participations) == len(receipts)
    assert sorted(p["household"] for p in participations) == sorted(receipts)
    rows = SurveysStore(None, stored).online_rows(Poll.model_validate(poll))
    assert sorted(answers["q1"][0] for _, answers in rows) == sorted(
        answers["q1"][0] for _, answers in receipts.values()
    )
    assert len(rows) == len(receipts)
