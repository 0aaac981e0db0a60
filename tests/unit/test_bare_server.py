"""The benchmark's bare flow (loadtests/bare_server.py) renders the gateway's own
ballot templates: a change to their context must reach it too, or the benchmark
measures nothing but errors."""

import re

from starlette.testclient import TestClient

from loadtests.bare_server import POLL, app

CARD = "HA7K2M-3F9Q2XK7"


def test_the_four_steps_of_the_bare_flow_answer_as_the_gateway_does():
    client = TestClient(app)
    ballot = client.get(f"/b/{CARD}")
    assert ballot.status_code == 200 and POLL.title in ballot.text
    question = POLL.questions[0]
    review = client.post(f"/b/{CARD}/confirm", data={f"q-{question.id}": question.options[0].id})
    assert review.status_code == 200, review.text[:300]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', review.text))
    sent = client.post(f"/b/{CARD}/cast", data=hidden, follow_redirects=False)
    assert sent.status_code == 303
    receipt = client.get(sent.headers["location"])
    assert receipt.status_code == 200
    english = client.get(f"/b/{CARD}", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text
