"""Benchmark: printing ballot cards for a residential group.

    .venv/bin/python loadtests/ballot_cards.py [--cards 1000]

Builds the PDF sheet of `--cards` household cards (gateway/ballot_cards.py) and,
in the same run, the baseline: encoding the same QR codes with segno alone, as
any card sheet must. Prints CPU seconds of each and their ratio, and appends
them to loadtests/RESULTS.md. A group has at most a few thousand households.
"""

import argparse
import platform
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import segno

from gateway.ballot_cards import card_sheet_pdf, card_url
from shared.ballot_codes import card_code
from shared.config import load_settings
from shared.contracts.surveys import BallotCard, CardSheet, Poll
from shared.ids import CODE_ALPHABET

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BASE_URL = "https://danban.example.gov.vn"


def sheet(cards: int) -> CardSheet:
    now = datetime.now(UTC)
    poll = Poll(
        id="p" * 32, kind="decision", commune_id="c", unit_id="u", unit_name="Tổ dân phố 1",
        title="Chuyển giờ thu gom rác sinh hoạt sang 5 giờ 30 sáng", description="",
        matter="other", channels=["online", "paper"], secret=False, public_results=True,
        questions=[], deciding_options=[], noticed_on=None, opens_at=now,
        closes_at=now + timedelta(days=7), online_opt_in=None, meeting_fell_short=False,
        status="open", created_by="admin", created_at=now,
    )  # fmt: skip
    households = [
        "".join(CODE_ALPHABET[(n // 32**k) % 32] for k in range(4)) + "HA" for n in range(cards)
    ]
    return CardSheet(
        poll=poll,
        unit_name="Tổ dân phố 1",
        cards=[
            BallotCard(
                poll_id=poll.id,
                household_code=h,
                unit_id="u",
                card_code=card_code(b"k" * 32, poll.id, h, 1),
                version=1,
            )
            for h in households
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=1000)
    cards = sheet(parser.parse_args().cards)
    started = time.process_time()
    for card in cards.cards:
        segno.make_qr(card_url(BASE_URL, card), error="m")
    baseline = time.process_time() - started
    started = time.process_time()
    pdf = card_sheet_pdf(cards, BASE_URL, load_settings().pdf_font_dir)
    sheet_seconds = time.process_time() - started
    line = (
        f"{len(cards.cards)} cards: PDF {sheet_seconds:.2f} s CPU ({len(pdf) / 1e6:.1f} MB), "
        f"QR encoding alone {baseline:.2f} s; ratio {sheet_seconds / baseline:.2f}"
    )
    print(line)
    with RESULTS.open("a") as results:
        results.write(
            f"\n## Ballot cards, {datetime.now(UTC):%Y-%m-%d}\n\n"
            f"`.venv/bin/python loadtests/ballot_cards.py --cards {len(cards.cards)}` on "
            f"{platform.node()} ({platform.processor() or platform.machine()}): {line}\n"
        )


if __name__ == "__main__":
    main()
