"""Completion and certificates anyone can verify (issue #15, points 4 and 5), and a
person's own training page."""

import uuid
from typing import Any

from services.training import domain
from services.training.base import (
    READING_ROLES,
    STAFF_ROLES,
    TrainingBase,
    addressed,
    registrations_in,
    today,
)
from shared.chassis import event_item, utcnow
from shared.contracts.positions import Person
from shared.contracts.training import (
    Certificate,
    CertificateCheck,
    CertificateIssued,
    CertificateRef,
    CompletionRule,
    MyTraining,
    PersonTraining,
    RevokeCertificate,
    VerifyCertificate,
)
from shared.errors import WIRE_ERRORS, Forbidden, InvalidInput, parse
from shared.i18n import N_, _
from shared.queues import rpc

CORRECTED = N_("Điểm danh được sửa lại: chưa đủ số buổi để hoàn thành khóa học.")


class CertificateEntrypoints(TrainingBase):
    def _settle_completion(self, course_id: str, person: dict, actor: str) -> dict | None:
        """Issue the certificate once the course's rule is met, or take it back if a
        corrected attendance no longer meets it; the certificate in force, if any."""
        course = self._course(course_id)
        sessions = self.store.sessions_of([course_id])
        person_id = person["person_id"]
        attended = sum(1 for s in sessions if person_id in s.get("attended", []))
        rule = CompletionRule.model_validate(course["completion"])
        certificate_id = f"{course_id}:{person_id}"
        if not domain.completed(rule, len(sessions), attended):
            audit = self._audit(actor, "revoke_certificate", certificate_id, course["commune_id"])
            if self.store.revoke_certificate(
                certificate_id, CORRECTED, [audit], by_attendance=True
            ):
                self._relay("certificates", certificate_id)
            return None
        existing = self.store.certificate(certificate_id)
        if existing is not None and not existing["revoked_by_attendance"]:
            return existing  # in force, or revoked by staff: attendance does not undo that
        key = self.store.commune_key(course["commune_id"])
        document = {
            "_id": certificate_id,
            "code": domain.certificate_code(key, certificate_id),
            "commune_id": course["commune_id"],
            "commune_name": self._overview(course["commune_id"]).commune.name,
            "course_id": course_id,
            "course_title": course["title"],
            "year": course["year"],
            "positions": course["positions"],
            "person": person,
            "completed_on": today().isoformat(),
            "sessions_attended": attended,
            "revoked": False,
            "revoked_reason": None,
            "revoked_by_attendance": False,
        }
        issued = CertificateIssued(
            event_id=uuid.uuid4().hex,
            occurred_at=utcnow(),
            certificate_id=certificate_id,
            commune_id=course["commune_id"],
            course_title=course["title"],
            code=document["code"],
            link=f"/chung-nhan/{document['code']}",
            **addressed(person),
        )
        audit = self._audit(actor, "issue_certificate", certificate_id, course["commune_id"])
        if self.store.issue_certificate(document, [event_item(issued), audit]):
            self._relay("certificates", certificate_id)
        return self.store.certificate(certificate_id)

    @rpc(expected_exceptions=WIRE_ERRORS)
    def verify_certificate(self, payload: dict) -> dict:
        """Anyone checks a code: whose certificate, which course, when; or not valid."""
        query = parse(VerifyCertificate, payload)
        document = self.store.certificate_by_code(query.code)
        if document is None or not domain.code_is_genuine(
            self.store.commune_key(document["commune_id"]), document["_id"], query.code
        ):
            check = CertificateCheck(
                code=query.code,
                valid=False,
                why_not=_("Không có giấy chứng nhận nào mang mã này: mã sai hoặc bị làm giả."),
            )
            return check.model_dump(mode="json")
        certificate = certificate_of(document)
        check = CertificateCheck(
            code=query.code,
            valid=not certificate.revoked,
            certificate=certificate,
            why_not=(
                _("Giấy chứng nhận này đã bị thu hồi: {reason}").format(
                    reason=certificate.revoked_reason
                )
                if certificate.revoked
                else None
            ),
        )
        return check.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_certificate(self, payload: dict) -> dict:
        """For the PDF: the holder themself, or the commune's staff and inspectors."""
        query = parse(CertificateRef, payload)
        document = self._certificate(query.certificate_id)
        actor = query.who.actor
        if not (actor and self._roles(actor, document["commune_id"]) & READING_ROLES):
            person, _commune = self._person(query.who, document["commune_id"])
            if person.person_id != document["person"]["person_id"]:
                raise Forbidden(_("Đây không phải giấy chứng nhận của bạn."))
        return certificate_of(document).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def revoke_certificate(self, payload: dict) -> dict:
        """Revoked with a reason: the public check then says so."""
        command = parse(RevokeCertificate, payload)
        document = self._certificate(command.certificate_id)
        self._require(command.actor, document["commune_id"], STAFF_ROLES)
        if document["revoked"]:
            raise InvalidInput(_("Giấy chứng nhận này đã bị thu hồi rồi."))
        audit = self._audit(
            command.actor,
            "revoke_certificate",
            document["_id"],
            document["commune_id"],
            after={"reason": command.reason},
        )
        self.store.revoke_certificate(document["_id"], command.reason, [audit])
        self._relay("certificates", document["_id"])
        return certificate_of(self.store.certificate(document["_id"])).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def my_training(self, payload: dict) -> dict:
        """A person's registrations, certificates and the courses open to them now."""
        query = parse(MyTraining, payload)
        person, commune_id = self._person(query.who)
        day = today()
        holdings = [h for h in self._holdings_of(person.person_id) if h.commune_id == commune_id]
        positions = sorted({h.position for h in holdings if h.held_on(day)})
        registrations = [
            r
            for session in self.store.sessions_of_person(person.person_id)
            for r in registrations_in(session)
            if r.person.person_id == person.person_id
        ]
        courses = [
            c
            for c in self.store.courses(commune_id, day.year)
            if c["registration_opens_on"] <= day.isoformat() <= c["registration_closes_on"]
            and set(c["positions"]) & set(positions)
        ]
        sessions = self.store.sessions_of([c["_id"] for c in courses])
        counts = self.store.count_completed([c["_id"] for c in courses])
        open_courses = [
            self._course_contract(
                c, [s for s in sessions if s["course_id"] == c["_id"]], counts.get(c["_id"], 0)
            )
            for c in courses
        ]
        certificates = [
            certificate_of(d) for d in self.store.certificates_of_person(person.person_id)
        ]
        reply = PersonTraining(
            person=_latest(person, holdings),
            commune_id=commune_id,
            positions=positions,
            registrations=registrations,
            certificates=certificates,
            open_courses=open_courses,
        )
        return reply.model_dump(mode="json")


def _latest(person: Person, holdings: list[Any]) -> Person:
    """The person as the directory knows them now (a phone changed since the code)."""
    return holdings[-1].person if holdings else person


def certificate_of(document: dict[str, Any]) -> Certificate:
    return Certificate(
        certificate_id=document["_id"],
        code=document["code"],
        commune_id=document["commune_id"],
        commune_name=document["commune_name"],
        course_id=document["course_id"],
        course_title=document["course_title"],
        year=document["year"],
        person=Person.model_validate(document["person"]),
        completed_on=document["completed_on"],
        sessions_attended=document["sessions_attended"],
        revoked=document["revoked"],
        revoked_reason=document.get("revoked_reason"),
    )
