"""A case's stored document and what each side may see of it: the filer and the
public (`public_case`: no identity, texts masked) and staff (`staff_case`).
Pure: no I/O."""

from datetime import date, datetime
from typing import Any

from services.feedback import domain
from shared.calendar import vietnam_day
from shared.contracts.feedback import (
    CaseStatus,
    CaseSummary,
    CaseType,
    Category,
    Complexity,
    Deadline,
    ExtensionRecord,
    Place,
    PublicAnswer,
    PublicCase,
    Rating,
    StaffCase,
    TimelineStep,
    TransferRecord,
)
from shared.contracts.staff import Role
from shared.i18n import N_

# Steps on the public timeline are signed by role, never by name.
ONLINE = N_("Cổng tiếp nhận trực tuyến")
FILER = N_("Người gửi")
SYSTEM = N_("Hệ thống")
ROLE_SIGNATURE = {
    Role.SYSTEM_ADMIN: N_("Quản trị hệ thống"),
    Role.COMMUNE_ADMIN: N_("Lãnh đạo Ủy ban nhân dân xã"),
    Role.COMMUNE_STAFF: N_("Cán bộ Ủy ban nhân dân xã"),
    Role.INSPECTOR: N_("Ban Thanh tra nhân dân"),
    Role.GROUP_HEAD: N_("Trưởng thôn, tổ trưởng tổ dân phố"),
}
SIGNATURE_ORDER = (
    Role.COMMUNE_ADMIN,
    Role.COMMUNE_STAFF,
    Role.INSPECTOR,
    Role.GROUP_HEAD,
    Role.SYSTEM_ADMIN,
)


def signature(roles: set[Role]) -> str:
    """How a step is signed on the public side: the actor's highest role."""
    for role in SIGNATURE_ORDER:
        if role in roles:
            return ROLE_SIGNATURE[role]
    return SYSTEM


def step(status: CaseStatus, at: datetime, by_role: str, note: str = "") -> dict[str, Any]:
    return TimelineStep(status=status, at=at, by_role=by_role, note=note).model_dump()


def days(deadlines: dict[Deadline, date]) -> dict[str, str]:
    """Deadlines as stored: ISO days, which sort as dates."""
    return {deadline.value: due.isoformat() for deadline, due in deadlines.items()}


def deadlines_of(document: dict[str, Any]) -> dict[Deadline, date]:
    return {Deadline(k): date.fromisoformat(v) for k, v in document["deadlines"].items()}


def due_fields(
    deadlines: dict[Deadline, date], status: CaseStatus, transferred_out: bool
) -> dict[str, Any]:
    """The fields the dashboard and the overdue sweep read: the next deadline not
    met, and whether the case still waits for the commune."""
    met = domain.deadlines_met(status, transferred_out)
    due = domain.next_due(deadlines, met)
    return {
        "deadlines": days(deadlines),
        "due": due[1].isoformat() if due else None,
        "due_deadline": due[0].value if due else None,
        "open": status not in (CaseStatus.ANSWERED, CaseStatus.CLOSED) and not transferred_out,
    }


def figures_cell(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The figures counter a case counts in: its commune, the month it was received,
    its unit and category."""
    received = vietnam_day(document["received_at"])
    unit = document.get("unit_id") or ""
    key = f"{document['commune_id']}:{received:%Y-%m}:{unit}:{document['category']}"
    fields = {
        "commune_id": document["commune_id"],
        "year": received.year,
        "month": received.month,
        "unit_id": unit,
        "category": document["category"],
    }
    return key, fields


def category_names(categories: list[Category]) -> dict[str, str]:
    return {category.key: category.name for category in categories}


def _due(document: dict[str, Any]) -> date | None:
    return date.fromisoformat(document["due"]) if document.get("due") else None


def _answer(document: dict[str, Any]) -> PublicAnswer | None:
    return PublicAnswer.model_validate(document["answer"]) if document.get("answer") else None


def _rating(document: dict[str, Any]) -> Rating | None:
    return Rating.model_validate(document["rating"]) if document.get("rating") else None


def public_case(document: dict[str, Any], names: dict[str, str], *, for_filer: bool) -> PublicCase:
    """What the filer sees with their code (`for_filer`), or anyone on the public
    list: masked texts, no identity; the code and photos only for the filer."""
    status = CaseStatus(document["status"])
    rating = _rating(document)
    satisfied = rating.satisfied if rating else document.get("last_satisfied")
    return PublicCase(
        case_id=document["_id"],
        code=document["code"] if for_filer else None,
        commune_id=document["commune_id"],
        category=document["category"],
        category_name=names.get(document["category"], document["category"]),
        type=document.get("type"),
        title=document["public_title"],
        text=document["public_text"],
        unit_id=document.get("unit_id"),
        status=status,
        received_at=document["received_at"],
        due=_due(document),
        timeline=[TimelineStep.model_validate(s) for s in document["timeline"]],
        answer=_answer(document),
        rating=rating,
        may_rate=for_filer and domain.may_rate(status, rating is not None),
        may_reopen=for_filer and domain.may_reopen(status, satisfied, document.get("reopened", 0)),
        photo_ids=document.get("photo_ids", []) if for_filer else [],
    )


def summary_fields(document: dict[str, Any], today: date) -> dict[str, Any]:
    due = _due(document)
    return {
        "case_id": document["_id"],
        "code": document["code"],
        "commune_id": document["commune_id"],
        "unit_id": document.get("unit_id"),
        "handling_unit_id": document.get("handling_unit_id"),
        "assignee": document.get("assignee"),
        "category": document["category"],
        "type": document.get("type"),
        "title": document["title"],
        "status": CaseStatus(document["status"]),
        "received_at": document["received_at"],
        "due": due,
        "due_deadline": document.get("due_deadline"),
        "overdue": document["open"] and domain.is_overdue(due, today),
        "confidential": document.get("confidential", False),
    }


def case_summary(document: dict[str, Any], today: date) -> CaseSummary:
    return CaseSummary(**summary_fields(document, today))


def staff_case(document: dict[str, Any], today: date, has_identity: bool) -> StaffCase:
    return StaffCase(
        **summary_fields(document, today),
        text=document["text"],
        place=Place.model_validate(document.get("place") or {}),
        deadlines=deadlines_of(document),
        complexity=Complexity(document.get("complexity", Complexity.NORMAL)),
        remote_area=document.get("remote_area", False),
        extensions=[ExtensionRecord.model_validate(e) for e in document.get("extensions", [])],
        transfers=[TransferRecord.model_validate(t) for t in document.get("transfers", [])],
        timeline=[TimelineStep.model_validate(s) for s in document["timeline"]],
        answer=_answer(document),
        answer_text=document.get("answer_text"),
        rating=_rating(document),
        reopened=document.get("reopened", 0),
        parent_id=document.get("parent_id"),
        children=document.get("children", []),
        photo_ids=document.get("photo_ids", []),
        anonymous=document.get("anonymous", False),
        has_identity=has_identity,
        filed_by=document.get("filed_by"),
        reception_id=document.get("reception_id"),
        escalated=document.get("escalated", False),
    )


def known_personal_data(identity: dict[str, Any] | None, place: dict[str, Any] | None) -> list[str]:
    """What the filer gave about themselves (household code, name, phone, email) and
    the address they typed: masked wherever it appears in public."""
    contact = (identity or {}).get("contact") or {}
    known = [
        (place or {}).get("address"),
        (identity or {}).get("household"),
        contact.get("name"),
        contact.get("phone"),
        contact.get("email"),
    ]
    return [value for value in known if value]


def is_public(case_type: CaseType | None) -> bool:
    return case_type in domain.PUBLIC_TYPES
