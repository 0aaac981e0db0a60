import pytest
from pydantic import ValidationError

from shared.contracts.households import HouseholdRef, Member, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84 912 345 678",
        "84912345678",
        "(0912) 345-678",
    ],
)
def test_vietnamese_phone_numbers_are_kept_in_one_form(typed):
    assert normalize_phone(typed) == "0912345678"


@pytest.mark.parametrize(
    "typed", ["12345", "091234567", "09123456789", "+1 212 555 0100", "0912abc678"]
)
def test_numbers_that_are_not_vietnamese_phone_numbers_are_refused(typed):
    with pytest.raises(ValueError, match="Số điện thoại không hợp lệ"):
        normalize_phone(typed)


def test_a_member_without_a_phone_has_none():
    assert Member(name="Nguyễn Văn An", phone="  ").phone is None


def test_household_codes_are_read_forgivingly_but_never_with_0_O_1_or_I():
    assert HouseholdRef(code=" ha7k2m ").code == "HA7K2M"
    for ambiguous in ("HA7K0M", "HA7KOM", "HA7K1M", "HA7KIM"):
        with pytest.raises(ValidationError):
            HouseholdRef(code=ambiguous)
