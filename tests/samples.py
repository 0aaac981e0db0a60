"""Sample units, households and polls that tests share, as they travel over the wire
(JSON)."""

import uuid
from datetime import UTC, date, datetime, timedelta

PROVINCE = {"id": "hue", "kind": "province", "name": "Thành phố Huế", "valid_from": "2025-07-01"}
WARD = {
    "id": "huong-an",
    "kind": "ward",
    "name": "Phường Hương An",
    "parent_id": "hue",
    "valid_from": "2025-07-01",
}
OTHER_WARD = {
    "id": "kim-long",
    "kind": "ward",
    "name": "Phường Kim Long",
    "parent_id": "hue",
    "valid_from": "2025-07-01",
}


def residential_group(number: int, commune_id: str = "huong-an") -> dict:
    """`register_unit`'s payload for "Tổ dân phố <number>", id "tdp-<number>"."""
    return {
        "id": f"tdp-{number}",
        "kind": "residential_group",
        "name": f"Tổ dân phố {number}",
        "parent_id": commune_id,
        "valid_from": "2025-07-01",
    }


def household(code: str, unit_id: str = "tdp-1", since: str = "2025-07-01", **extra) -> dict:
    return {
        "actor": "admin",
        "code": code,
        "unit_id": unit_id,
        "address": f"Số nhà của {code}",
        "representative_name": "Nguyễn Văn An",
        "since": since,
        **extra,
    }


SAMPLE_UNIT = "tổ-dân-phố-1"
AGREE_QUESTION = {
    "id": "q1",
    "type": "single",
    "text": "Hộ gia đình có đồng ý không?",
    "options": [{"id": "dong-y", "label": "Đồng ý"}, {"id": "khong", "label": "Không đồng ý"}],
    "required": True,
}
ELECTORATE = {
    "as_of": "2026-03-01",
    "total": 1241,
    "by_unit": {SAMPLE_UNIT: 34, "tổ-dân-phố-2": 1207},
    "unit_names": {SAMPLE_UNIT: "Tổ dân phố 1", "tổ-dân-phố-2": "Tổ dân phố 2"},
}


def sample_poll(**changes) -> dict:
    """A poll as surveys.get_poll answers it (JSON)."""
    return {
        "id": "p1",
        "kind": "decision",
        "commune_id": "huong-an",
        "unit_id": "huong-an",
        "unit_name": "Phường Hương An",
        "title": "Bê tông hóa kiệt 12",
        "description": "",
        "matter": "infrastructure",
        "channels": ["paper", "meeting"],
        "secret": False,
        "public_results": True,
        "questions": [AGREE_QUESTION],
        "deciding_options": ["dong-y"],
        "noticed_on": "2026-02-27",
        "opens_at": "2026-03-01T00:00:00Z",
        "closes_at": "2026-03-08T10:00:00Z",
        "online_opt_in": None,
        "meeting_fell_short": False,
        "status": "open",
        "created_by": "minh",
        "created_at": "2026-02-26T01:00:00Z",
        "electorate": ELECTORATE,
        **changes,
    }


def sample_decision(**extra) -> dict:
    """`surveys.create_poll`'s payload for a secret decision on another
    self-management matter of Tổ dân phố 1, online and on paper, opening now."""
    now = datetime.now(UTC)
    return {
        "actor": "admin",
        "request_id": uuid.uuid4().hex,
        "kind": "decision",
        "commune_id": "huong-an",
        "unit_id": "tdp-1",
        "title": "Biểu quyết lắp đèn đường trong tổ",
        "matter": "other",
        "channels": ["online", "paper"],
        "secret": True,
        "questions": [
            {
                "id": "q1",
                "type": "single",
                "text": "Tán thành lắp đèn đường?",
                "options": [
                    {"id": "agree", "label": "Tán thành"},
                    {"id": "disagree", "label": "Không tán thành"},
                ],
            }
        ],
        "deciding_options": ["agree"],
        "noticed_on": (date.today() - timedelta(days=2)).isoformat(),
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "online_opt_in": 3,
        **extra,
    }
