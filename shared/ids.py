"""Identifiers."""

import secrets
import uuid

# Printable codes people read aloud or type: no 0/O or 1/I to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_PATTERN = rf"^[{CODE_ALPHABET}]{{4,12}}$"


def new_id() -> str:
    """A random 128-bit id as 32 hex digits: unguessable, safe in URLs."""
    return uuid.uuid4().hex


def new_code(length: int = 6) -> str:
    """A random printable code, e.g. for a household: 32^6 ≈ 1 billion values."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
