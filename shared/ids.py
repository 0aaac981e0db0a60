"""Identifiers."""

import re
import uuid

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def new_id() -> str:
    """A random 128-bit id as 32 hex digits: unguessable, safe in URLs."""
    return uuid.uuid4().hex
