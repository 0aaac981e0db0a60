"""The codes residents hold: ballot cards and receipts. Pure, no I/O.

A card code is the household code and a check code: `HA7K2M-3F9Q2XK7`. The check
code is an HMAC of the poll, household and card version under the poll's own
secret key, so nothing needs storing per card, a forged or altered code fails,
and reissuing a card (a new version) makes the old one stop working.

A receipt code is derived from the ballot's submission id the same way, so the
same submission sent twice gets the same receipt. Only hashes of receipts are
stored: the receipt proves a ballot was counted without the database holding
anything a resident could be traced by (for a secret ballot, see
services/surveys/store.py). Here in shared/ because the gateway reads the codes
residents type, and the surveys service makes and checks them.
"""

import hashlib
import hmac
import re

from shared.ids import CODE_ALPHABET

CHECK_LENGTH = 8  # 32^8 ≈ 10^12 guesses per household card
RECEIPT_LENGTH = 12


def _code(key: bytes, message: str, length: int) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in digest[:length])


def card_code(key: bytes, poll_id: str, household: str, version: int) -> str:
    return f"{household}-{_code(key, f'card|{poll_id}|{household}|{version}', CHECK_LENGTH)}"


def split_card_code(typed: str) -> tuple[str, str] | None:
    """(household, check) from what a resident typed or scanned, forgiving of case,
    spaces and a missing dash; None if it cannot be a card code."""
    text = re.sub(r"[\s.]", "", typed).upper()
    household, dash, check = text.rpartition("-")
    if not dash:
        household, check = text[:-CHECK_LENGTH], text[-CHECK_LENGTH:]
    alphabet = f"^[{CODE_ALPHABET}]+$"
    if not (4 <= len(household) <= 12 and len(check) == CHECK_LENGTH):
        return None
    if not (re.match(alphabet, household) and re.match(alphabet, check)):
        return None
    return household, check


def card_matches(key: bytes, poll_id: str, household: str, version: int, check: str) -> bool:
    expected = card_code(key, poll_id, household, version).rpartition("-")[2]
    return hmac.compare_digest(expected, check)


def receipt_code(key: bytes, poll_id: str, household: str, submission_id: str) -> str:
    code = _code(key, f"receipt|{poll_id}|{household}|{submission_id}", RECEIPT_LENGTH)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalize_receipt(typed: str) -> str:
    text = re.sub(r"[^0-9A-Za-z]", "", typed).upper()
    return f"{text[:4]}-{text[4:8]}-{text[8:]}" if len(text) == RECEIPT_LENGTH else text


def receipt_hash(receipt: str) -> str:
    """What is stored with a ballot to find it by its receipt."""
    return hashlib.sha256(f"ballot|{normalize_receipt(receipt)}".encode()).hexdigest()


def participation_mark(receipt: str) -> str:
    """Stored with a secret ballot's participation, to know a retry of the same
    submission; unlinkable to `receipt_hash` without the receipt itself."""
    return hashlib.sha256(f"participation|{normalize_receipt(receipt)}".encode()).hexdigest()
