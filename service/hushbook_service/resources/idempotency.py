"""Idempotent retries: ``Idempotency-Key`` on authenticated ``POST /v1/…`` routes.

A caller (a staff account or an integration key) that sends the header gets
each key's first answer again, byte for byte, for 24 hours, and the route
runs once (see docs/api.md, "Idempotent retries"):

1. **Claim**: insert a record, unique on (tenant, caller, key), in its own
   short transaction. The unique key decides a race between two identical
   requests; the loser reads the record and answers from it (replay), with
   ``409 idempotency_in_progress`` (still running) or with
   ``422 idempotency_key_reused`` (another method, path or body).
2. **Run**: the view and the stored answer commit in **one** transaction, so
   a request's effects exist exactly when its answer is stored. A 5xx or an
   exception undoes both and drops the record: a retry runs again. A record
   left in progress by a worker that died holds no effects, so after
   :data:`LOCK_TIMEOUT` a retry takes it over; the token in ``lock`` makes sure
   only the request holding it can commit.

Nothing here stores the key or the request: the record holds keyed hashes of
them and the answer sealed (AES-256-GCM) under a key derived from the
instance secret *and the caller's own Idempotency-Key*, so even a reader of
the database and the instance secret cannot open it without the key (the
answer may hold a secret shown once, e.g. a new integration key).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta
from functools import wraps

import peewee
from Crypto.Cipher import AES
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from hushbook_service import keys
from hushbook_service.accounts.principals import authenticate
from hushbook_service.db import database, utcnow, write_transaction
from hushbook_service.errors import DomainError, abort
from hushbook_service.models import IdempotencyRecord

log = logging.getLogger("hushbook.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
TTL = timedelta(hours=24)
# A record still in progress after this long belongs to a request that died:
# a retry may take it over (its effects were never committed).
LOCK_TIMEOUT = timedelta(seconds=60)
MAX_STORED_BODY = 64 * 1024  # larger answers are not stored (the record is dropped)
# Besides Content-Type (a column of its own), the headers a replay repeats.
REPLAYED_HEADERS = ("Location", "ETag", "Cache-Control", "Link", "X-Pagination")
EXCLUDED_PREFIXES = ("/v1/auth/", "/v1/public/")
_NONCE, _TAG = 12, 16


def covers(path: str) -> bool:
    """POST routes under ``/v1/`` except login/tokens and the public surface."""
    if not path.startswith("/v1/"):
        return False
    return not any(
        path.startswith(prefix) or path == prefix.rstrip("/") for prefix in EXCLUDED_PREFIXES
    )


def valid_key(value: str) -> bool:
    """1 to 255 printable ASCII characters (space to tilde)."""
    return 0 < len(value) <= MAX_KEY_LENGTH and all(" " <= c <= "~" for c in value)


def init_app(app: Flask) -> None:
    """Wrap every covered POST view (call after the blueprints are registered)."""
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and covers(rule.rule)
    }
    for endpoint in endpoints:
        app.view_functions[endpoint] = _idempotent(app.view_functions[endpoint])
    _document(app)


def purge_expired() -> int:
    """Drop records older than 24 hours (housekeeping)."""
    return IdempotencyRecord.delete().where(IdempotencyRecord.expires_at <= utcnow()).execute()


# --- the request path ----------------------------------------------------------------


class _Context:
    """One request's key, in the forms the record needs (nothing of it is stored)."""

    def __init__(self, tenant_id: int, caller: str, key: str, body: bytes):
        scope = f"{tenant_id}\n{caller}\n".encode() + key.encode("ascii")
        self.tenant_id = tenant_id
        self.caller = caller
        lookup = keys.instance_key("idempotency-id")
        self.key_digest = hmac.new(lookup, scope, hashlib.sha256).hexdigest()
        # Seals the stored answer: derived from the caller's own key as well.
        self.record_key = keys.instance_key("idempotency", scope)
        target = request.path.encode() + b"?" + request.query_string
        request_hash = b"\n".join((request.method.encode(), target, hashlib.sha256(body).digest()))
        self.fingerprint = hmac.new(self.record_key, request_hash, hashlib.sha256).hexdigest()

    def mine(self):
        return (
            (IdempotencyRecord.tenant == self.tenant_id)
            & (IdempotencyRecord.caller == self.caller)
            & (IdempotencyRecord.key_digest == self.key_digest)
        )

    def seal(self, plaintext: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        cipher = AES.new(self.record_key, AES.MODE_GCM, nonce=nonce)
        cipher.update(self.key_digest.encode())
        ciphertext, tag = cipher.encrypt_and_digest(plaintext)
        return nonce + tag + ciphertext

    def open(self, sealed: bytes) -> bytes:
        sealed = bytes(sealed)
        nonce, tag = sealed[:_NONCE], sealed[_NONCE : _NONCE + _TAG]
        cipher = AES.new(self.record_key, AES.MODE_GCM, nonce=nonce)
        cipher.update(self.key_digest.encode())
        return cipher.decrypt_and_verify(sealed[_NONCE + _TAG :], tag)


def _idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method != "POST"
            or "Authorization" not in request.headers
            or not covers(request.path)
        ):
            return view(*args, **kwargs)
        try:
            who = authenticate()
        except (HTTPException, DomainError):
            return view(*args, **kwargs)  # answers 401 as without the header
        if who.staff_id is not None:
            caller = f"staff:{who.staff_id}"
        elif who.key_id is not None:
            caller = f"key:{who.key_id}"
        else:  # pragma: no cover - every principal is one or the other
            return view(*args, **kwargs)
        if not valid_key(key):
            abort(
                422,
                "The request was well-formed but had invalid values.",
                errors={"headers": {HEADER: ["1 to 255 printable ASCII characters."]}},
            )
        ctx = _Context(who.tenant_id, caller, key, request.get_data(cache=True))
        claimed = _claim(ctx)
        if isinstance(claimed, Response):
            return claimed
        record_id, token = claimed
        return _execute(ctx, record_id, token, view, args, kwargs)

    return wrapper


def _in_progress():
    abort(
        409,
        "A request with this Idempotency-Key is still in progress; retry shortly.",
        reason="idempotency_in_progress",
        headers={"Retry-After": "1"},
    )


def _claim(ctx: _Context) -> tuple[int, str] | Response:
    """Insert this key's record, or answer from the one that exists."""
    for _ in range(3):
        now = utcnow()
        token = secrets.token_hex(16)
        try:
            with write_transaction():
                row = IdempotencyRecord.create(
                    tenant=ctx.tenant_id,
                    caller=ctx.caller,
                    key_digest=ctx.key_digest,
                    fingerprint=ctx.fingerprint,
                    lock=token,
                    locked_at=now,
                    expires_at=now + TTL,
                )
            return row.id, token
        except peewee.IntegrityError:
            pass  # the key is taken: by an earlier request, or one running now
        found = IdempotencyRecord.get_or_none(ctx.mine())
        if found is None:
            continue  # dropped meanwhile (a 5xx): try again
        if found.expires_at <= now:
            IdempotencyRecord.delete().where(
                IdempotencyRecord.id == found.id, IdempotencyRecord.expires_at <= now
            ).execute()
            continue
        if not hmac.compare_digest(found.fingerprint, ctx.fingerprint):
            abort(
                422,
                "This Idempotency-Key was used for a different request (method, path or body).",
                reason="idempotency_key_reused",
            )
        if found.status is not None:
            return _replay(ctx, found)
        if now - found.locked_at < LOCK_TIMEOUT:
            _in_progress()
        # Abandoned by a request that died: take it over (one taker wins).
        taken = (
            IdempotencyRecord.update(lock=token, locked_at=now)
            .where(
                IdempotencyRecord.id == found.id,
                IdempotencyRecord.lock == found.lock,
                IdempotencyRecord.status.is_null(),
            )
            .execute()
        )
        if taken:
            return found.id, token
    _in_progress()
    raise AssertionError("unreachable")  # pragma: no cover


def _replay(ctx: _Context, found: IdempotencyRecord) -> Response:
    try:
        plaintext = ctx.open(found.sealed or b"")
    except (ValueError, TypeError):  # the instance secret changed: cannot be the same request
        abort(
            422,
            "This Idempotency-Key was used for a different request (method, path or body).",
            reason="idempotency_key_reused",
        )
    head, _, body = plaintext.partition(b"\n")
    response = current_app.response_class(body, status=found.status)
    if found.content_type:
        response.headers["Content-Type"] = found.content_type
    else:
        response.headers.remove("Content-Type")
    for name, value in json.loads(head).items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


class _Undo(Exception):
    """Roll back the view's effects; answer ``response`` (None: lost the lock)."""

    def __init__(self, response: Response | None):
        super().__init__()
        self.response = response


def _execute(ctx: _Context, record_id: int, token: str, view, args, kwargs) -> Response:
    mine = (IdempotencyRecord.id == record_id) & (IdempotencyRecord.lock == token)
    try:
        with write_transaction():  # the view's effects and the stored answer: both or neither
            response = _run_view(view, args, kwargs)
            if response.status_code >= 500:
                raise _Undo(response)
            stored = _stored(ctx, response)
            if stored is None:  # too large to keep: the effects stay, the record goes
                done = IdempotencyRecord.delete().where(mine).execute()
            else:
                done = IdempotencyRecord.update(lock=None, **stored).where(mine).execute()
            if not done:  # taken over meanwhile: that request's effects count, not ours
                raise _Undo(None)
    except _Undo as undo:
        if undo.response is None:
            _in_progress()
        _release(mine)
        return undo.response  # type: ignore[return-value]
    except BaseException:
        _release(mine)
        raise
    return response


def _run_view(view, args, kwargs) -> Response:
    """The view in a savepoint, its errors turned into answers as Flask would."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rv = None
    error: Exception | None = None
    try:
        with database.atomic():  # an unexpected error undoes the view's writes alone
            try:
                rv = view(*args, **kwargs)
            except (
                HTTPException,
                DomainError,
            ) as exc:  # an answer: keeps what the view wrote, as usual
                error = exc
    except Exception as exc:
        if error is None:
            error = exc
    if error is not None:
        rv = app.handle_user_exception(error)
    return app.make_response(rv)


def _stored(ctx: _Context, response: Response) -> dict | None:
    if response.is_streamed or response.direct_passthrough:
        return None
    body = response.get_data()
    if len(body) > MAX_STORED_BODY:
        return None
    headers = {
        name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers
    }
    return {
        "status": response.status_code,
        "content_type": response.headers.get("Content-Type"),
        "sealed": ctx.seal(json.dumps(headers).encode() + b"\n" + body),
    }


def _release(mine) -> None:
    """Drop the record so that a retry runs again."""
    try:
        IdempotencyRecord.delete().where(mine).execute()
    except peewee.DatabaseError:  # it stays in progress; a retry takes it over later
        log.warning("could not drop an idempotency record")


# --- OpenAPI -------------------------------------------------------------------------


def _document(app: Flask) -> None:
    """Add the optional header to the covered POST operations of ``/openapi.json``."""
    apis = app.extensions.get("flask-smorest", {}).get("apis", {})
    api = apis.get("", {}).get("ext_obj")
    if api is None:
        return
    api.spec.components.parameter(
        "IdempotencyKey",
        "header",
        {
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
            "description": (
                "Makes a retry safe: the first answer (below 500) is stored for 24 hours "
                "and replayed to this caller for the same key, method, path and body "
                f"(with `{REPLAYED_HEADER}: true`). The same key with another request: "
                "422 `idempotency_key_reused`; while the first still runs: 409 "
                "`idempotency_in_progress` with `Retry-After`."
            ),
        },
    )
    ref = api.spec.components.get_ref("parameter", "IdempotencyKey")
    # apispec has no public way to change an operation once registered: its
    # path table is edited in place (skipped if that ever moves).
    paths = getattr(api.spec, "_paths", None)
    for path, operations in (paths if isinstance(paths, dict) else {}).items():
        post = operations.get("post")
        if post is not None and covers(path):
            post.setdefault("parameters", []).append(ref)
