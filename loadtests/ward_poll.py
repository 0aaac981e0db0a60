"""Locust scenario: a ward-wide poll. Each simulated phone takes the card of one
household and opens its ballot, answers, confirms, sends, and opens the receipt,
as a browser would (each form sent with the hidden fields of the page it is on,
the receipt opened at the link the 303 gives), then goes on to the next
household's card with no cookie kept; a page that says the stack is unavailable
(or no answer) is sent again a second later, as a resident would, each failed try
counting as an error; a share of requests are invalid (a forged card, a second
ballot of a household that voted, a malformed form) and must be refused without
changing anything; a few staff refresh the live results. Users are locust's
FastHttpUser (geventhttpclient), the cheaper generator.
Driven by loadtests/poll_benchmark.py, which seeds the ward and passes these
settings in the environment:

    DANBAN_POLL_CARDS     file with one card code per line (each used once)
    DANBAN_POLL_ID        the poll, for the staff's results page
    DANBAN_POLL_RECEIPTS  file the accepted receipts are written to, as JSON
    DANBAN_STAFF_PASSWORD the benchmark's admin password (staff users)
    DANBAN_INVALID_SHARE  share of invalid requests mixed in (default 0.05)
    DANBAN_THINK_SECONDS  pause between a phone's steps (0: as fast as it can)
    DANBAN_BARE=1         against loadtests/bare_server.py: the same four steps, no
                          invalid requests, no staff

Only loopback addresses are targets (any other host is refused at start); the
run is bounded by --run-time and by the number of cards, and stops by itself
when the cards run out.
"""

import ipaddress
import json
import os
import random
import re
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
THINK = float(os.environ.get("DANBAN_THINK_SECONDS", "0"))
INVALID_SHARE = float(os.environ.get("DANBAN_INVALID_SHARE", "0.05"))
BARE = os.environ.get("DANBAN_BARE") == "1"
UNAVAILABLE = (0, 502, 503)  # no answer (a worker died), or the "try again" page
RETRIES = 60  # a second apart: the stack is back within a minute after any fault

_cards = iter(Path(os.environ["DANBAN_POLL_CARDS"]).read_text().split())
accepted: dict[str, dict] = {}  # card → {"receipt", "answer"}
refused_as_expected = {"forged": 0, "second": 0, "malformed": 0}


def hidden_fields(response) -> dict[str, str]:  # noqa: ANN001
    """The hidden fields of a page's form, which a browser sends with it."""
    return dict(HIDDEN.findall(response.text or "")) if response is not None else {}


class Phone(FastHttpUser):
    """Households' phones, one after the other: each task is one household's ballot
    on a phone of its own (no cookies kept); the user stops when the cards run out."""

    weight = 50
    wait_time = constant(0)

    def pause(self) -> None:
        """A resident reads and taps (locust's gevent makes the sleep cooperative)."""
        if THINK:
            time.sleep(THINK * random.uniform(0.5, 1.5))

    @task
    def vote(self) -> None:
        card = next(_cards, None)
        if card is None:
            raise StopUser()
        self.client.cookiejar.clear()  # a phone of its own: nothing kept from the last one
        answer = random.choice(("opt1", "opt1", "opt2"))
        if not BARE and random.random() < INVALID_SHARE:
            self.invalid(card)
        page = self.again_if_unavailable(lambda: self.client.get(f"/b/{card}", name="/b/[card]"))
        form = {**hidden_fields(page), "q-q1": answer}
        self.pause()
        confirm = self.again_if_unavailable(
            lambda: self.client.post(f"/b/{card}/confirm", data=form, name="/b/[card]/confirm")
        )
        ballot = hidden_fields(confirm)
        self.pause()
        cast = self.again_if_unavailable(lambda: self.send(card, ballot, 303))
        if cast is None or cast.status_code != 303:
            return
        link = cast.headers["location"]  # /r/<receipt>, and what it shows, signed
        receipt = urlsplit(link).path.rsplit("/", 1)[1]
        accepted[card] = {"receipt": receipt, "answer": answer}
        self.client.get(link, name="/r/[receipt]")
        if not BARE and random.random() < INVALID_SHARE:  # the same household tries again
            again = {**ballot, "submission_id": os.urandom(16).hex()}
            if self.refused(card, again, 409, "second ballot (refused)"):
                refused_as_expected["second"] += 1

    @staticmethod
    def again_if_unavailable(request):  # noqa: ANN001, ANN205
        """Send the same page again while the stack is unavailable (a 503 page, or no
        answer at all), as a resident would; each failed try counts as an error."""
        for _ in range(RETRIES):
            response = request()
            if response is None or response.status_code not in UNAVAILABLE:
                return response
            time.sleep(1)
        return response

    def invalid(self, card: str) -> None:
        household, _, check = card.rpartition("-")
        forged = f"{household}-{check[::-1]}"
        if forged != card and self.refused(forged, {"submission_id": "a" * 32, "q-q1": "opt1"},
                                           404, "forged card (refused)"):  # fmt: skip
            refused_as_expected["forged"] += 1
        if self.refused(card, {"submission_id": "not-hex", "q-q1": "opt9"}, 422,
                        "malformed ballot (refused)"):  # fmt: skip
            refused_as_expected["malformed"] += 1

    def refused(self, card: str, form: dict, expected: int, name: str) -> bool:
        """Was this invalid ballot refused with the expected status?"""
        response = self.send(card, form, expected, name)
        return response is not None and response.status_code == expected

    def send(self, card: str, form: dict, expected: int, name: str = "/b/[card]/cast"):
        """POST the ballot form; the response if it is the one expected (or says the
        stack is unavailable, to be sent again), else None."""
        with self.client.post(
            f"/b/{card}/cast", data=form, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expected:
                response.failure(f"expected {expected}, got {response.status_code}")
                return response if response.status_code in UNAVAILABLE else None
            response.success()
            return response


class Staff(FastHttpUser):
    """A clerk watching the live results (signed in: the session cookie is kept)."""

    weight = 1
    wait_time = between(4, 6)

    def on_start(self) -> None:
        if BARE:
            raise StopUser()
        token = CSRF.search(self.client.get("/staff/sign-in").text).group(1)
        self.client.post(
            "/staff/sign-in",
            data={"username": "admin", "password": os.environ["DANBAN_STAFF_PASSWORD"],
                  "csrf_token": token, "next": "/"},
        )  # fmt: skip

    @task
    def watch_results(self) -> None:
        poll = os.environ["DANBAN_POLL_ID"]
        with self.client.get(
            f"/polls/{poll}/results", name="/polls/[poll]/results (staff)",
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:  # a 303 to the sign-in page: the session lost
                response.failure(f"expected 200, got {response.status_code}")


@events.init.add_listener
def only_this_machine(environment, **_: object) -> None:  # noqa: ANN001
    """Refuse any target but a loopback address: this load must never leave the machine."""
    host = urlsplit(environment.host or "").hostname or ""
    try:
        loopback = ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        loopback = False
    if not loopback:
        sys.exit(f"ward_poll.py runs against this machine only (loopback), not {host!r}")


@events.test_stop.add_listener
def write_receipts(**_: object) -> None:
    with open(os.environ["DANBAN_POLL_RECEIPTS"], "w") as out:
        json.dump({"accepted": accepted, "refused": refused_as_expected}, out)
