"""The writer's key: how an anonymous writer reads the school's replies.

The receipt code is the writer's only secret. From it we derive (HKDF, the
code already carries ~99 random bits) an X25519 key pair; its public half is
stored with the appeal, and everything meant for the writer — staff messages,
the official answer, a copy of their own text — is sealed to it as well as to
the school. In a public request the server can open those only while the
writer presents the code.

After the writer typed the code (or just got it), the browser keeps it in one
cookie, encrypted (AES-GCM) under a key derived from the server key: whoever
reads the cookie jar later reads no code, and the database holds nothing of the
visit (no session row: a submission costs no statement for it). The cookie
lasts until the browser closes and, like a session, at most
SESSION_COOKIE_AGE after the writer's last page of the box (each page that
shows the appeal renews it); "quick exit" and "leave" delete it.
"""

import base64
import json
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from appeals.receipts import receipt_normalise
from vault import crypto
from vault.crypto import VaultError
from vault.services import server_box, server_unbox

COOKIE = "ishenim_wk"
COOKIE_PURPOSE = "writer-code-cookie"


def writer_private_key(code: str) -> bytes:
    """The same 32 bytes for the same code; X25519 accepts any 32 bytes as a private key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ishenim-writer-key").derive(
        receipt_normalise(code).encode()
    )


def writer_public_key(code: str) -> bytes:
    return crypto.public_key_of(writer_private_key(code))


def seal_for_writer(followup, text: str) -> bytearray:
    return crypto.seal(followup.writer_key_id, bytes(followup.writer_public_key), text.encode())


def followup_new(appeal, public_key: bytes, text: str):
    """The writer's key of a new appeal, with the writer's own text sealed to it. Stored
    without a link of the stored-rows chain: the appeal's journal entry vouches for it
    (`appeals.stored.stored_in_entry`), in the same transaction."""
    from appeals.models import FollowUp

    followup = FollowUp(appeal=appeal, writer_key_id=uuid.uuid4(), writer_public_key=public_key)
    followup.text_for_writer = seal_for_writer(followup, text)
    followup.save(force_insert=True, linked=False)
    return followup


def open_for_writer(code: str, blob: crypto.Blob | None) -> str:
    if not blob:
        return ""
    try:
        return crypto.unseal(writer_private_key(code), bytes(blob)).decode()
    except VaultError:
        return ""


# --- keeping the code for this browser ----------------------------------------


def _cookie_value(code: str, school_slug: str) -> str:
    kept = json.dumps({"s": school_slug, "c": receipt_normalise(code), "t": int(time.time())}).encode()
    return base64.urlsafe_b64encode(server_box(COOKIE_PURPOSE, kept)).decode()


def _cookie_set(response: HttpResponse, value: str) -> None:
    # No max_age: gone when the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE); the idle limit is inside.
    response.set_cookie(COOKIE, value, httponly=True, secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")


def session_keep(request: HttpRequest, response: HttpResponse, code: str, school_slug: str) -> None:
    """Remember the code on this browser: encrypted in a cookie, nothing server-side."""
    _cookie_set(response, _cookie_value(code, school_slug))


def session_code(request: HttpRequest, school_slug: str) -> str | None:
    """The code this browser proved for this school, if it is still kept (not idle too long)."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        kept = json.loads(server_unbox(COOKIE_PURPOSE, base64.urlsafe_b64decode(raw)))
        slug, code, idle = kept["s"], kept["c"], time.time() - kept["t"]
    except (VaultError, ValueError, TypeError, KeyError):
        return None  # not ours, tampered with, or the server key changed
    if slug != school_slug or not isinstance(code, str) or not 0 <= idle <= settings.SESSION_COOKIE_AGE:
        return None
    request._writer_code = (code, school_slug)  # type: ignore[attr-defined]  # renewed on the response (session_renew)
    return code


def session_renew(request: HttpRequest, response: HttpResponse) -> None:
    """A page read with the kept code renews the cookie's idle limit, as a session's would be."""
    kept = getattr(request, "_writer_code", None)
    if kept is not None and COOKIE not in response.cookies:
        _cookie_set(response, _cookie_value(*kept))


def session_forget(request: HttpRequest, response: HttpResponse) -> None:
    request._writer_code = None  # type: ignore[attr-defined]  # nothing to renew on this response
    response.delete_cookie(COOKIE, samesite="Lax")
