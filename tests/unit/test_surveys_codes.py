"""Ballot card and receipt codes (shared/ballot_codes.py)."""

from shared.ballot_codes import (
    card_code,
    card_matches,
    normalize_receipt,
    participation_mark,
    receipt_code,
    receipt_hash,
    split_card_code,
)

KEY = b"k" * 32


def test_a_card_code_is_the_household_code_and_a_check_that_only_the_key_makes():
    code = card_code(KEY, "poll", "HA7K2M", 1)
    household, check = split_card_code(code)
    assert household == "HA7K2M" and code.startswith("HA7K2M-")
    assert card_matches(KEY, "poll", "HA7K2M", 1, check)
    assert not card_matches(b"x" * 32, "poll", "HA7K2M", 1, check)  # another poll's key
    assert not card_matches(KEY, "other-poll", "HA7K2M", 1, check)


def test_a_reissued_card_makes_the_old_check_code_fail():
    old = split_card_code(card_code(KEY, "poll", "HA7K2M", 1))[1]
    assert not card_matches(KEY, "poll", "HA7K2M", 2, old)


def test_an_altered_check_code_fails():
    household, check = split_card_code(card_code(KEY, "poll", "HA7K2M", 1))
    altered = ("2" if check[0] != "2" else "3") + check[1:]
    assert not card_matches(KEY, "poll", household, 1, altered)


def test_typed_codes_forgive_case_spaces_and_a_missing_dash():
    code = card_code(KEY, "poll", "HA7K2M", 1)
    typed = code.lower().replace("-", " ")
    assert split_card_code(typed) == split_card_code(code)
    assert split_card_code(code.replace("-", "")) == split_card_code(code)


def test_what_cannot_be_a_card_code_is_refused_before_any_lookup():
    for typed in ("", "abc", "HA7K2M-SHORT", "HA0K2M-" + "A" * 8, "<script>-AAAAAAAA"):
        assert split_card_code(typed) is None


def test_the_same_submission_gets_the_same_receipt_and_another_a_new_one():
    first = receipt_code(KEY, "poll", "HA7K2M", "a" * 32)
    assert first == receipt_code(KEY, "poll", "HA7K2M", "a" * 32)
    assert first != receipt_code(KEY, "poll", "HA7K2M", "b" * 32)
    assert first != receipt_code(KEY, "poll", "HB7K2M", "a" * 32)


def test_receipts_are_found_by_hash_however_they_are_typed():
    receipt = receipt_code(KEY, "poll", "HA7K2M", "a" * 32)
    assert normalize_receipt(receipt.lower().replace("-", " ")) == receipt
    assert receipt_hash(receipt.replace("-", "")) == receipt_hash(receipt)
    # the participation mark of a secret ballot cannot be matched to its ballot's hash
    assert participation_mark(receipt) != receipt_hash(receipt)
