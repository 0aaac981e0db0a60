"""What a household's answers to a poll must be, checked the same way where the
resident fills in the ballot (the gateway, to show each problem beside its
question) and where the ballot is kept (the surveys service). Pure, no I/O."""

import re

from shared.contracts.surveys import FREE_TEXT_MAX, RATING_SCALE, Question, QuestionType
from shared.errors import InvalidInput
from shared.i18n import _

# Free text is shown to staff and published in summaries: markup is refused, not
# escaped away, so what the resident sees in the receipt is what is kept.
_MARKUP = re.compile(r"<\s*[/!?a-zA-Z]|&#|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_answers(questions: list[Question], answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """The answers as they will be kept, or InvalidInput naming each bad question."""
    known = {question.id: question for question in questions}
    errors = {key: _("Câu hỏi không có trong phiếu.") for key in answers if key not in known}
    kept: dict[str, list[str]] = {}
    for question in questions:
        given = [value.strip() for value in answers.get(question.id, []) if value.strip()]
        problem = _answer_problem(question, given)
        if problem:
            errors[question.id] = problem
        elif given:
            kept[question.id] = (
                sorted(set(given)) if question.type == QuestionType.MULTIPLE else given
            )
    if errors:
        raise InvalidInput(_("Phiếu chưa hợp lệ."), errors)
    return kept


def _answer_problem(question: Question, given: list[str]) -> str | None:
    if not given:
        return _("Vui lòng trả lời câu hỏi này.") if question.required else None
    options = {option.id for option in question.options}
    match question.type:
        case QuestionType.SINGLE if len(given) != 1 or given[0] not in options:
            return _("Vui lòng chọn một phương án trong danh sách.")
        case QuestionType.MULTIPLE if not set(given) <= options:
            return _("Vui lòng chọn các phương án trong danh sách.")
        case QuestionType.RATING if len(given) != 1 or given[0] not in RATING_SCALE:
            return _("Vui lòng chọn mức từ 1 đến 5.")
        case QuestionType.TEXT:
            if len(given) != 1:
                return _("Vui lòng nhập một ý kiến.")
            if len(given[0]) > FREE_TEXT_MAX:
                return _("Ý kiến quá dài: tối đa {limit} ký tự (đã nhập {length}).").format(
                    limit=FREE_TEXT_MAX, length=len(given[0])
                )
            if _MARKUP.search(given[0]) or _CONTROL.search(given[0]):
                return _(
                    "Ý kiến không được chứa mã HTML (dấu < liền trước chữ) hoặc ký tự điều khiển."
                )
    return None
