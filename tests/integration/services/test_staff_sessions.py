"""Expired staff sessions leave the directory's database, on the real wire server."""

from datetime import timedelta

import pytest

from shared.chassis import utcnow
from shared.errors import NotSignedIn
from tests.integration.services.conftest import ADMIN_PASSWORD
from tests.support import wait_until

# MongoDB's TTL monitor sweeps once a minute; the embedded server deletes on the next read.
TTL_SWEEP_SECONDS = 75


def test_an_expired_session_is_deleted_and_a_current_one_kept(directory, databases):
    sessions = databases["directory"].staff_sessions
    expired, current = (
        directory.sign_in({"username": "admin", "password": ADMIN_PASSWORD})["session_id"]
        for _ in range(2)
    )
    # Eight hours cannot pass in a test: move the first session's end into the past.
    sessions.update_one({"_id": expired}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}})

    with pytest.raises(NotSignedIn):
        directory.check_session({"session_id": expired})
    wait_until(lambda: sessions.count_documents({"_id": expired}) == 0, timeout=TTL_SWEEP_SECONDS)
    assert directory.check_session({"session_id": current})["account"]["username"] == "admin"
    assert sessions.count_documents({"_id": current}) == 1
