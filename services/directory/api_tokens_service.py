"""The directory's entrypoints for a commune's API tokens (services/directory/
api_tokens.py): its administrator issues and revokes them, the gateway checks one
on every /api/v1 call (no cache: a revoked token stops at once) and records each
write made with one. Mixed into DirectoryService (one service, one queue)."""

from collections.abc import Callable
from typing import Any

from services.directory import access, api_tokens
from services.directory.store import DirectoryStore
from shared.chassis import utcnow
from shared.contracts.api import (
    ApiGrant,
    ApiToken,
    ApiTokenList,
    CheckApiToken,
    IssueApiToken,
    IssuedApiToken,
    ListApiTokens,
    RecordApiWrite,
    RevokeApiToken,
)
from shared.contracts.staff import StaffAccount
from shared.errors import WIRE_ERRORS, NotFound, parse
from shared.i18n import N_, _
from shared.ids import new_id
from shared.queues import rpc

REFUSAL = N_("Chỉ quản trị cấp xã cấp và thu hồi được mã truy cập API của xã, phường.")


class ApiTokenEntrypoints:
    store: DirectoryStore  # DirectoryService's (its ApiTokenRecords)
    dispatch: Any  # DirectoryService's EventDispatcher (the tokens publish no events)
    _require: Callable[..., str]  # StaffEntrypoints'
    _account: Callable[[str], StaffAccount]
    _commune_of: Callable[[str], str | None]
    _entry: Callable[..., Any]

    @rpc(expected_exceptions=WIRE_ERRORS)
    def issue_api_token(self, payload: dict) -> dict:
        command = parse(IssueApiToken, payload)
        commune_id = self._require(
            command.actor, command.commune_id, access.may_manage_staff, _(REFUSAL)
        )
        secret = api_tokens.new_secret()
        token = ApiToken(
            id=new_id(),
            commune_id=commune_id,
            name=command.name,
            scope=command.scope,
            issued_by=command.actor,
            issued_at=utcnow(),
        )
        after = token.model_dump(mode="json")
        entry = self._entry(command.actor, "issue_api_token", token.id, commune_id, None, after)
        self.store.add_token(token, api_tokens.secret_hash(secret), entry)
        self.store.relay_events(self.dispatch, only=("api_tokens", token.id))
        return IssuedApiToken(token=token, secret=secret).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def revoke_api_token(self, payload: dict) -> dict:
        command = parse(RevokeApiToken, payload)
        commune_id = self._require(
            command.actor, command.commune_id, access.may_manage_staff, _(REFUSAL)
        )
        before = self.store.token(command.token_id)
        if before is None or before.commune_id != commune_id:
            raise NotFound(_("Không tìm thấy mã truy cập API này."))
        if before.revoked_at is not None:
            return before.model_dump(mode="json")  # revoked already: the form sent twice
        after = before.model_copy(update={"revoked_by": command.actor, "revoked_at": utcnow()})
        entry = self._entry(
            command.actor,
            "revoke_api_token",
            before.id,
            commune_id,
            before.model_dump(mode="json"),
            after.model_dump(mode="json"),
        )
        revoked = self.store.revoke_token(after, entry) or self.store.token(before.id)
        self.store.relay_events(self.dispatch, only=("api_tokens", before.id))
        assert revoked is not None
        return revoked.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_api_tokens(self, payload: dict) -> dict:
        query = parse(ListApiTokens, payload)
        commune_id = self._require(
            query.actor, query.commune_id, access.may_manage_staff, _(REFUSAL)
        )
        return ApiTokenList(tokens=self.store.tokens_of_commune(commune_id)).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def check_api_token(self, payload: dict) -> dict:
        """What the secret allows for `scope` on `commune_id`; NotSignedIn or Forbidden
        otherwise. Read on every call: nothing is cached, so revoking is immediate."""
        query = parse(CheckApiToken, payload)
        token = self.store.token_by_hash(api_tokens.secret_hash(query.secret))
        manages = token is not None and access.may_manage_staff(
            self._issuer_roles(token.issued_by), token.commune_id, self._commune_of
        )
        refused = api_tokens.refusal(token, query.scope, query.commune_id, manages)
        if refused is not None:
            raise refused
        assert token is not None
        grant = ApiGrant(
            token_id=token.id,
            commune_id=token.commune_id,
            scope=token.scope,
            acting_as=token.issued_by,
        )
        return grant.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def record_api_write(self, payload: dict) -> dict:
        """A write made with a token, in the commune's audit log: the service that
        made it logged it too, as the token's issuer."""
        command = parse(RecordApiWrite, payload)
        token = self.store.token(command.token_id)
        if token is None:
            raise NotFound(_("Không tìm thấy mã truy cập API này."))
        after = {"token_id": token.id, "token_name": token.name, "operation": command.operation}
        entry = self._entry(
            token.issued_by, "api_write", command.target, token.commune_id, None, after
        )
        self.store.note_token_write(token.id, entry)
        self.store.relay_events(self.dispatch, only=("api_tokens", token.id))
        return {"recorded": True}

    def _issuer_roles(self, username: str) -> list:
        try:
            return self._account(username).roles
        except NotFound:  # the account is gone: so are its rights
            return []
