"""A commune's API tokens: pure rules, no I/O.

A token is 32 random bytes, issued by the commune's administrator for a system
that reads (or also writes) the commune's data through /api/v1, shown once and
kept only as its SHA-256. A slow hash such as argon2 protects secrets people
choose, which can be guessed; 256 random bits cannot be found from their hash by
any amount of guessing, so one SHA-256 (a lookup by index) is enough.
"""

import hashlib
import secrets

from shared.contracts.api import ApiScope, ApiToken
from shared.errors import Forbidden, NotSignedIn, WireError
from shared.i18n import _

SECRET_PREFIX = "danban_"  # lets secret scanners and people recognise a leaked token
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def refusal(
    token: ApiToken | None, scope: ApiScope, commune_id: str | None, issuer_manages: bool
) -> WireError | None:
    """Why `token` may not be used for `scope` on `commune_id`, or None if it may.
    It works while it is not revoked and its issuer still administers its commune
    (a token never outlives the rights of whoever issued it)."""
    if token is None or token.revoked_at is not None:
        return NotSignedIn(_("Mã truy cập API không đúng hoặc đã bị thu hồi."))
    if not issuer_manages:
        return NotSignedIn(
            _("Người cấp mã truy cập API này không còn quản trị xã, phường; hãy xin mã mới.")
        )
    if commune_id is not None and commune_id != token.commune_id:
        return Forbidden(_("Mã truy cập API này chỉ dùng được cho dữ liệu của xã, phường đã cấp."))
    if scope == ApiScope.WRITE and token.scope != ApiScope.WRITE:
        return Forbidden(_("Mã truy cập API này chỉ được đọc, không được ghi."))
    return None
