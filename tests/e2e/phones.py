"""Households voting from their phones, for the e2e tests of a poll under faults
and scaled out: the demo ward's cards, phones that send the same page again until
they get a receipt, and the check that every receipt shown is counted once."""

import asyncio
import re
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import requests
from pymongo import MongoClient

from gateway.rpc import RpcClient
from shared.ballot_codes import receipt_hash
from tests.support import Stack

PASSWORD = "mật-khẩu-e2e-đủ-dài"

DECISION = f"{1:032x}"  # the demo decision (deploy/demo_polls.py)
GROUPS = [f"demo-huong-an-tdp-{n}" for n in range(1, 6)]
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
GIVE_UP_SECONDS = 120


def card_codes(stack: Stack) -> list[str]:
    async def issue() -> list[str]:
        rpc = RpcClient(stack.env["AMQP_URI"], timeout=30)
        await rpc.start()
        try:
            sheets = [
                await rpc.call(
                    "surveys", "issue_cards", {"actor": "admin", "poll_id": DECISION, "unit_id": g}
                )
                for g in GROUPS
            ]
        finally:
            await rpc.close()
        return [card["card_code"] for sheet in sheets for card in sheet["cards"]]

    return asyncio.run(issue())


class Phone:
    """One household's phone: answer, confirm, send; send the same page again until
    the ballot is accepted (a receipt) or refused for a good reason."""

    def __init__(self, base_url: str, card: str, answer: str) -> None:
        self.base, self.card, self.answer = base_url, card, answer
        self.receipt: str | None = None
        self.retries = 0

    def vote(self) -> None:
        session, deadline = requests.Session(), time.monotonic() + GIVE_UP_SECONDS
        ballot = None
        while self.receipt is None and time.monotonic() < deadline:
            try:
                if ballot is None:
                    page = session.post(
                        f"{self.base}/b/{self.card}/confirm", data={"q-q1": self.answer}, timeout=10
                    )
                    if page.status_code == 200:
                        ballot = dict(HIDDEN.findall(page.text))
                    continue
                sent = session.post(
                    f"{self.base}/b/{self.card}/cast",
                    data=ballot,
                    allow_redirects=False,
                    timeout=10,
                )
                if sent.status_code == 303:
                    # /r/<receipt>?s=<what the receipt page shows, signed>
                    self.receipt = urlsplit(sent.headers["location"]).path.rsplit("/", 1)[1]
                    return
                assert sent.status_code == 503, sent.text  # "unavailable": nothing else may happen
            except requests.RequestException:
                pass  # a gateway worker died under this request: the phone sends again
            self.retries += 1
            time.sleep(0.5)


def vote_in_waves(phones: list[Phone], at_a_time: int = 4) -> list[threading.Thread]:
    def run(chunk: list[Phone]) -> None:
        for phone in chunk:
            phone.vote()

    threads = [
        threading.Thread(target=run, args=(phones[i::at_a_time],), daemon=True)
        for i in range(at_a_time)
    ]
    for thread in threads:
        thread.start()
    return threads


def receipts(phones: list[Phone]) -> int:
    return sum(phone.receipt is not None for phone in phones)


def check_every_receipt_is_counted_once(stack: Stack, phones: list[Phone]) -> None:
    """Receipts shown == ballots stored, no duplicates, and the answers stored equal
    a recount of what the phones sent."""
    assert receipts(phones) == len(phones), [p.card for p in phones if p.receipt is None]
    with MongoClient(stack.mongo_url) as client:
        took_part = {"poll_id": DECISION, "channel": {"$exists": True}}
        stored = list(client.danban_surveys.electors.find(took_part))
    hashes = Counter(document["receipt_hash"] for document in stored)
    assert len(stored) == len(phones) and max(hashes.values()) == 1
    assert {receipt_hash(phone.receipt) for phone in phones} == set(hashes)
    recount = Counter(phone.answer for phone in phones)
    assert Counter(d["answers"]["q1"][0] for d in stored) == recount
