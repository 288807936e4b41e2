"""The writer's key: how an anonymous writer reads the school's replies.

The receipt code is the writer's only secret. From it we derive (HKDF, the
code already carries ~99 random bits) an X25519 key pair; its public half is
stored with the appeal, and everything meant for the writer — staff messages,
the official answer, a copy of their own text — is sealed to it as well as to
the school. In a public request the server can open those only while the
writer presents the code.

After the writer typed the code (or just got it), the browser keeps it for the
session the same way staff keys are kept: the session row holds the code boxed
under a random key, and that key lives only in the writer's cookie. Neither
the database nor the cookie alone reveals the code.
"""

import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.http import HttpRequest, HttpResponse

from accounts.sessions import session_box_drop, session_box_get, session_box_put
from appeals.receipts import receipt_normalise
from vault import crypto
from vault.crypto import VaultError

SESSION = "ishenim_followup"
SESSION_SCHOOL = "ishenim_followup_school"
COOKIE = "ishenim_wk"


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


# --- keeping the code for this browser session ---------------------------------


def session_keep(request: HttpRequest, response: HttpResponse, code: str, school_slug: str) -> None:
    """Remember the code for this session: boxed in the session, its key in a cookie."""
    request.session.cycle_key()  # a fresh session id whenever a code is proven
    request.session[SESSION_SCHOOL] = school_slug
    session_box_put(request, response, SESSION, COOKIE, receipt_normalise(code).encode())


def session_code(request: HttpRequest, school_slug: str) -> str | None:
    """The code this browser proved for this school in this session, if any."""
    if request.session.get(SESSION_SCHOOL) != school_slug:
        return None
    code = session_box_get(request, SESSION, COOKIE)
    return code.decode() if code else None


def session_forget(request: HttpRequest, response: HttpResponse) -> None:
    request.session.pop(SESSION_SCHOOL, None)
    session_box_drop(request, response, SESSION, COOKIE)
