import pytest
from pydantic import BaseModel, Field

from shared.errors import (
    WIRE_ERRORS,
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    WireError,
    from_wire,
    parse,
)


def as_nameko_sends(error: Exception) -> dict:
    """The reply body's "error" member, as nameko 2.14 serialises an exception."""
    return {
        "exc_type": type(error).__name__,
        "exc_path": f"{type(error).__module__}.{type(error).__name__}",
        "exc_args": list(error.args),
        "value": str(error),
    }


@pytest.mark.parametrize("cls", WIRE_ERRORS)
def test_every_wire_error_survives_the_trip_with_its_fields(cls):
    sent = cls("Chi tiết", {"name": "Vui lòng điền mục này."})
    received = from_wire(as_nameko_sends(sent))
    assert type(received) is cls
    assert (received.detail, received.fields) == ("Chi tiết", {"name": "Vui lòng điền mục này."})


def test_every_wire_error_has_its_own_status_and_both_languages():
    statuses = {cls.http_status for cls in WIRE_ERRORS}
    assert statuses == {422, 404, 409, 401, 423, 403, 429, 503}
    for cls in WIRE_ERRORS:
        assert cls.message_vi and cls.message_vi != WireError.message_vi


def test_an_unknown_remote_exception_becomes_a_plain_internal_error():
    received = from_wire(as_nameko_sends(KeyError("secret internals")))
    assert type(received) is WireError and received.http_status == 500


class Form(BaseModel):
    name: str = Field(min_length=1, max_length=5)
    count: int


def test_parse_reports_each_field_in_vietnamese():
    with pytest.raises(InvalidInput) as refused:
        parse(Form, {"name": "quá dài rồi", "count": "ba"})
    assert refused.value.fields == {
        "name": "Quá dài: tối đa 5 ký tự.",
        "count": "Vui lòng nhập một số nguyên.",
    }


def test_parse_reports_missing_fields():
    with pytest.raises(InvalidInput) as refused:
        parse(Form, {})
    assert refused.value.fields == {
        "name": "Vui lòng điền mục này.",
        "count": "Vui lòng điền mục này.",
    }


def test_statuses_follow_http_meaning():
    assert (NotFound.http_status, Conflict.http_status, ServiceUnavailable.http_status) == (
        404,
        409,
        503,
    )


class Secret(BaseModel):
    password: str = Field(min_length=12)


def test_a_value_shorter_than_its_minimum_is_called_too_short_not_missing():
    with pytest.raises(InvalidInput) as refused:
        parse(Secret, {"password": "ngan"})
    assert refused.value.fields == {"password": "Quá ngắn: ít nhất 12 ký tự."}


def test_a_contracts_own_reason_in_vietnamese_reaches_the_person_as_written():
    from pydantic import model_validator

    from shared.contracts.common import Contract
    from shared.errors import reason_vi

    class Both(Contract):
        a: int | None = None
        b: int | None = None

        @model_validator(mode="after")
        def _both(self) -> "Both":
            if (self.a is None) != (self.b is None):
                raise reason_vi("Cần cả hai số.")
            return self

    with pytest.raises(InvalidInput) as refused:
        parse(Both, {"a": 1})
    assert refused.value.fields == {"__root__": "Cần cả hai số."}
