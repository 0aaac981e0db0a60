"""What a resident's page carries to the next step, signed by the gateway.

A ballot takes four pages (the card's ballot, the review, the send, the receipt);
only the first and the send need the surveys service. What the review and the
receipt show (the poll, its questions, the household) is already known from the
page before: it travels in a hidden field or the receipt's link, signed with the
gateway's secret key (`itsdangerous`), so a phone cannot alter it and no worker
of the gateway has to remember anything. A value that is missing, altered or too
old is simply not used: the page asks the service, as it did before.

The signature proves only what the service said a moment ago; every rule that
counts (the card still valid, one ballot per household, the poll still open) is
checked again by the service when the ballot is sent.
"""

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from shared.contracts.surveys import BallotView, ReceiptStatus

# A ballot page left open longer than this asks the service again.
VIEW_MAX_AGE_SECONDS = 2 * 3600
# The receipt's status (open, closed...) as it was when the ballot was sent; a
# link opened later asks the service, which knows whether the poll closed since.
RECEIPT_MAX_AGE_SECONDS = 600


def _serializer(request: Request, model: type[BaseModel], bound_to: str) -> URLSafeTimedSerializer:
    """Signs for one kind of value bound to one code: a card's view does not open
    another card's pages, nor a receipt's status another receipt's."""
    salt = f"{model.__name__}|{bound_to}"
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt=salt)


def sign(request: Request, model: BaseModel, bound_to: str) -> str:
    """`model`, compressed and signed."""
    return _serializer(request, type(model), bound_to).dumps(model.model_dump(mode="json"))


def unsign[M: BaseModel](
    request: Request, value: object, model: type[M], bound_to: str, max_age: int
) -> M | None:
    """The `model` signed into `value` for `bound_to`, or None if it is absent,
    altered, signed for something else or too old."""
    if not isinstance(value, str) or not value:
        return None
    try:
        data = _serializer(request, model, bound_to).loads(value, max_age=max_age)
        return model.model_validate(data)
    except (BadSignature, ValidationError):
        return None


def ballot_view(request: Request, value: object, card_code: str) -> BallotView | None:
    return unsign(request, value, BallotView, card_code, VIEW_MAX_AGE_SECONDS)


def receipt_status(request: Request, value: object, receipt_code: str) -> ReceiptStatus | None:
    return unsign(request, value, ReceiptStatus, receipt_code, RECEIPT_MAX_AGE_SECONDS)
