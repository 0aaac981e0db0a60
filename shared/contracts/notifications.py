"""Contracts of the notifications service."""

from datetime import datetime

from pydantic import Field

from shared.contracts.common import Contract, Text


class StaffNotice(Contract):
    """A line in a commune's staff notice feed."""

    id: str
    commune_id: str
    title: str
    body: str
    created_at: datetime


class ListStaffNotices(Contract):
    """`notifications.list_staff_notices`."""

    commune_id: Text
    limit: int = Field(default=20, ge=1, le=100)


class StaffNoticeList(Contract):
    notices: list[StaffNotice]
