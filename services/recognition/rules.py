"""The recognition service's configurable rules: each a dated series of values with
its source. The law brief marks several points UNCONFIRMED (../shared/domain/
law-brief.md §3, §4, §7): they are rules like the others, shown as unconfirmed, that
a commune administrator changes from a date with a recorded reason, and never a
value hidden in code. Where an amount is unconfirmed there is no default: a decision
that needs it is refused until the commune sets it. Pure: no I/O.

A commune's book is the defaults below and the versions its administrators added;
the value in force on a day is the version with the latest `valid_from` on or
before it (a version added later with an earlier date still decides that date).
"""

from dataclasses import dataclass, field
from datetime import date

from shared.contracts.recognition import (
    RULE_SET_NAMES_VI,
    TITLE_NAMES_VI,
    Gravity,
    Rule,
    RuleSet,
    RuleValue,
    RuleVersion,
    StaffType,
    Title,
)
from shared.errors import InvalidInput
from shared.i18n import N_, _

DEFAULT_SETTER = "DânBàn"
COMMUNE_CHAIR = N_("Chủ tịch Ủy ban nhân dân xã, phường")
DISTRICT_CHAIR = N_("Chủ tịch Ủy ban nhân dân cấp huyện")
REFORM_2025 = date(2025, 7, 1)  # two-tier local government; Decrees 152/2025, 172/2025
PUBLIC_EMPLOYEES_2026 = date(2026, 7, 1)  # Decree 234/2026
SINCE_EVER = date(2000, 1, 1)
RULE_SET_STARTS = {
    RuleSet.DECREE_112_71: SINCE_EVER,
    RuleSet.DECREE_172: REFORM_2025,
    RuleSet.DECREE_234: PUBLIC_EMPLOYEES_2026,
}


@dataclass(frozen=True)
class RuleDefinition:
    key: str
    name: str
    kind: str  # number, money, percent, days, months, years, working_days, text, yes_no
    source: str
    confirmed: bool
    defaults: tuple[tuple[date, RuleValue, str], ...] = field(default=())  # from, value, why


def _multiples() -> list[RuleDefinition]:
    """Decree 152/2025: the cash that goes with a title, as a multiple of the base
    salary. Giấy khen and Gia đình văn hóa amounts are UNCONFIRMED: no default."""
    known = {
        Title.GRASSROOTS_EMULATION_FIGHTER: 1.0,
        Title.ADVANCED_WORKER: 0.3,
        Title.OUTSTANDING_COLLECTIVE: 1.5,
        Title.ADVANCED_COLLECTIVE: 0.8,
        Title.CULTURED_VILLAGE: 1.5,
    }
    source = N_("Nghị định 152/2025/NĐ-CP (mức tiền thưởng theo hệ số mức lương cơ sở)")
    return [
        RuleDefinition(
            key=f"multiple.{title.value}",
            name=_("Hệ số tiền thưởng: {title}").format(title=TITLE_NAMES_VI[title]),
            kind="number",
            source=source if title in known else N_("Chưa xác nhận (law brief §3)"),
            confirmed=title in known,
            defaults=((REFORM_2025, known[title], source),) if title in known else (),
        )
        for title in Title
    ]


def _authorities() -> list[RuleDefinition]:
    """Law 06/2022 Art 80 (as of 2022): the commune Chairman gives Lao động tiên tiến,
    Giấy khen and Gia đình văn hóa; the district Chairman gave the others. With the
    districts gone (1 Jul 2025) these presumably moved to the commune: UNCONFIRMED."""
    art_80 = N_("Luật Thi đua, khen thưởng 2022, Điều 80")
    commune_titles = {Title.ADVANCED_WORKER, Title.CERTIFICATE_OF_MERIT, Title.CULTURED_FAMILY}
    rules = []
    for title in Title:
        if title in commune_titles:
            defaults = ((SINCE_EVER, COMMUNE_CHAIR, art_80),)
        else:
            defaults = (
                (SINCE_EVER, DISTRICT_CHAIR, art_80),
                (
                    REFORM_2025,
                    COMMUNE_CHAIR,
                    N_("Chưa xác nhận: cấp huyện không còn từ 01/7/2025"),
                ),
            )
        rules.append(
            RuleDefinition(
                key=f"authority.{title.value}",
                name=_("Thẩm quyền quyết định: {title}").format(title=TITLE_NAMES_VI[title]),
                kind="text",
                source=art_80,
                confirmed=title in commune_titles,
                defaults=defaults,
            )
        )
    return rules


def _discipline() -> list[RuleDefinition]:
    rules = []
    limitation = {  # years, by rule set and gravity (law brief §4)
        RuleSet.DECREE_112_71: (2, 5, True, N_("Nghị định 112/2020/NĐ-CP, Điều 6")),
        RuleSet.DECREE_172: (
            5,
            10,
            False,
            N_("Nghị định 172/2025/NĐ-CP (điều khoản chưa xác nhận)"),
        ),
        RuleSet.DECREE_234: (5, 10, True, N_("Nghị định 234/2026/NĐ-CP, Điều 5")),
    }
    for rule_set, (minor, other, confirmed, source) in limitation.items():
        starts = RULE_SET_STARTS[rule_set]
        for gravity, years in ((Gravity.REPRIMAND_LEVEL, minor), (Gravity.OTHER, other)):
            if gravity == Gravity.REPRIMAND_LEVEL:
                name = _("Thời hiệu xử lý kỷ luật, vi phạm mức khiển trách: {rule_set}")
            else:
                name = _("Thời hiệu xử lý kỷ luật, vi phạm các mức khác: {rule_set}")
            rules.append(
                RuleDefinition(
                    key=f"limitation.{rule_set.value}.{gravity.value}",
                    name=name.format(rule_set=RULE_SET_NAMES_VI[rule_set]),
                    kind="years",
                    source=source,
                    confirmed=confirmed,
                    defaults=((starts, years, source),),
                )
            )
    # Whether Decree 172 keeps the 12-month effect and the 3/5/5 working-day steps is
    # UNCONFIRMED (law brief §7.3); Decree 112 as amended by 71/2023 has them.
    # Each step's name with the rule set's: "{title}: {rule_set}", one message each.
    steps = (
        (
            "effect_months",
            N_("Thời gian có hiệu lực của quyết định kỷ luật: {rule_set}"),
            "months",
            12,
        ),
        ("review_report_wd", N_("Báo cáo kết quả họp kiểm điểm: {rule_set}"), "working_days", 3),
        (
            "council_notice_wd",
            N_("Gửi giấy triệu tập họp Hội đồng kỷ luật trước: {rule_set}"),
            "working_days",
            5,
        ),
        (
            "recommendation_wd",
            N_("Hội đồng kỷ luật gửi kiến nghị sau cuộc họp: {rule_set}"),
            "working_days",
            5,
        ),
        (
            "decision_wd",
            N_("Ra quyết định kỷ luật sau khi nhận kiến nghị: {rule_set}"),
            "working_days",
            5,
        ),
    )
    for rule_set in RuleSet:
        confirmed = rule_set == RuleSet.DECREE_112_71
        source = (
            N_("Nghị định 112/2020/NĐ-CP, sửa đổi bởi Nghị định 71/2023/NĐ-CP")
            if confirmed
            else _("{rule_set}: chưa xác nhận, tạm theo Nghị định 112/2020").format(
                rule_set=RULE_SET_NAMES_VI[rule_set]
            )
        )
        for name, title, kind, value in steps:
            rules.append(
                RuleDefinition(
                    key=f"{name}.{rule_set.value}",
                    name=title.format(rule_set=RULE_SET_NAMES_VI[rule_set]),
                    kind=kind,
                    source=source,
                    confirmed=confirmed,
                    defaults=((RULE_SET_STARTS[rule_set], value, source),),
                )
            )
    handling = N_("Nghị định 112/2020/NĐ-CP; Nghị định 172/2025/NĐ-CP (thời hạn xử lý kỷ luật)")
    rules += [
        RuleDefinition(
            "handling_days", N_("Thời hạn xử lý kỷ luật"), "days", handling, True,
            ((SINCE_EVER, 90, handling),),
        ),
        RuleDefinition(
            "handling_days_complex", N_("Thời hạn xử lý kỷ luật, vụ việc phức tạp"), "days",
            handling, True, ((SINCE_EVER, 150, handling),),
        ),
    ]  # fmt: skip
    for staff_type, confirmed in (
        (StaffType.PUBLIC_EMPLOYEE, True),
        (StaffType.CIVIL_SERVANT, False),
        (StaffType.CADRE, False),
    ):
        source = (
            N_("Viên chức: law brief §4 [2nd]") if confirmed else N_("Chưa xác nhận (law brief §4)")
        )
        rules.append(
            RuleDefinition(
                key=f"recidivism.{staff_type.value}",
                name=_(
                    "Tính tái phạm khi vi phạm trong thời gian có hiệu lực ({staff_type})"
                ).format(staff_type=staff_type.value),
                kind="yes_no",
                source=source,
                confirmed=confirmed,
                defaults=((SINCE_EVER, True, source),),
            )
        )
    return rules


def _commendation() -> list[RuleDefinition]:
    salary = N_("Nghị định 24/2023/NĐ-CP; Nghị định 73/2024/NĐ-CP (mức lương cơ sở)")
    return [
        RuleDefinition(
            "base_salary", N_("Mức lương cơ sở"), "money", salary, True,
            ((date(2023, 7, 1), 1_800_000, N_("Nghị định 24/2023/NĐ-CP")),
             (date(2024, 7, 1), 2_340_000, N_("Nghị định 73/2024/NĐ-CP"))),
        ),
        RuleDefinition(
            "cstdcs_cap_percent",
            N_("Tỷ lệ Chiến sĩ thi đua cơ sở tối đa trên số Lao động tiên tiến của đơn vị"),
            "percent", N_("Nghị định 98/2023/NĐ-CP (tỷ lệ không quá 15%) [2nd]"), True,
            ((SINCE_EVER, 15, N_("Quy định lâu nay: không quá 15%")),),
        ),
        RuleDefinition(
            "comment_days", N_("Số ngày niêm yết danh sách đề nghị khen thưởng để lấy ý kiến"),
            "days", N_("Chưa xác nhận thời hạn luật định (law brief §3)"), False,
            ((SINCE_EVER, 5,
              N_("Thực tiễn phổ biến; chưa có thời hạn luật định được xác nhận")),),
        ),
        RuleDefinition(
            "council_pass_percent",
            N_("Hội đồng thi đua, khen thưởng đồng ý khi số phiếu đồng ý vượt quá (% thành viên)"),
            "percent", N_("Chưa xác nhận (law brief §3: thủ tục cấp xã)"), False,
            ((SINCE_EVER, 50, N_("Quá nửa tổng số thành viên Hội đồng")),),
        ),
    ]  # fmt: skip


DEFINITIONS = {
    rule.key: rule for rule in (*_commendation(), *_multiples(), *_authorities(), *_discipline())
}


def definition(key: str) -> RuleDefinition:
    if key not in DEFINITIONS:
        raise InvalidInput(fields={"key": _("Không có quy tắc này.")})
    return DEFINITIONS[key]


def default_versions(key: str) -> list[RuleVersion]:
    return [
        RuleVersion(value=value, valid_from=start, reason=why, set_by=DEFAULT_SETTER)
        for start, value, why in definition(key).defaults
    ]


def _order(version: RuleVersion) -> tuple:
    """By start; on the same start a commune's version after the default, and a later
    one after an earlier one."""
    return (version.valid_from, version.set_at is not None, version.set_at or 0)


def in_force(versions: list[RuleVersion], day: date) -> RuleValue | None:
    """The value of the version with the latest start on or before `day`; a commune's
    version wins over a default that starts the same day."""
    chosen = None
    for version in sorted(versions, key=_order):
        if version.valid_from <= day:
            chosen = version.value
    return chosen


def checked_value(key: str, value: RuleValue) -> RuleValue:
    """A new value as its kind wants it, or a refusal naming what is wrong."""
    kind = definition(key).kind
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(fields={"value": _("Vui lòng nhập nội dung.")})
        return value.strip()[:200]
    if kind == "yes_no":
        if not isinstance(value, bool):
            raise InvalidInput(fields={"value": _("Chọn Có hoặc Không.")})
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidInput(fields={"value": _("Vui lòng nhập một số không âm.")})
    if kind == "number":
        return float(value)
    if kind == "percent" and value > 100:
        raise InvalidInput(fields={"value": _("Tỷ lệ không quá 100%.")})
    if int(value) != value:
        raise InvalidInput(fields={"value": _("Vui lòng nhập một số nguyên.")})
    return int(value)


class Book:
    """A commune's rules: the defaults and its own versions, by key."""

    def __init__(self, added: dict[str, list[RuleVersion]]) -> None:
        self.added = added

    def versions(self, key: str) -> list[RuleVersion]:
        return sorted(default_versions(key) + self.added.get(key, []), key=_order)

    def value(self, key: str, day: date) -> RuleValue | None:
        return in_force(self.versions(key), day)

    def needed(self, key: str, day: date, field_name: str) -> RuleValue:
        """The value in force, or a refusal that says which rule to set."""
        value = self.value(key, day)
        if value is None:
            rule = definition(key)
            raise InvalidInput(
                fields={
                    field_name: _(
                        "Chưa có quy tắc “{rule}” có hiệu lực ngày {day} ({source}). "
                        "Quản trị cấp xã cần đặt giá trị này trong Quy tắc khen thưởng, kỷ luật."
                    ).format(rule=rule.name, day=f"{day:%d/%m/%Y}", source=rule.source)
                }
            )
        return value

    def rules(self, day: date) -> list[Rule]:
        return [
            Rule(
                key=key,
                name=rule.name,
                kind=rule.kind,
                source=rule.source,
                confirmed=rule.confirmed,
                value=self.value(key, day),
                versions=self.versions(key),
            )
            for key, rule in DEFINITIONS.items()
        ]
