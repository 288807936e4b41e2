"""The primitives of the vault, built only from audited libraries.

- Sealing to a public key: X25519 key agreement with a fresh ephemeral key,
  HKDF-SHA256, then AES-256-GCM. Whoever holds only the public key can write
  but not read; this is how the server stores appeals it cannot open.
- Wrapping under a password: Argon2id derives a 256-bit key, AES-256-GCM wraps.
- Symmetric boxes under a random key: AES-256-GCM.

Every ciphertext starts with a version byte and the id of the key it was made
for, so keys can rotate and a blob always says which key opens it.
"""

from __future__ import annotations

import os
import uuid

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED = b"\x01"
BOXED = b"\x02"
_RAW = serialization.Encoding.Raw
_HEADER = 17  # the version byte and the key's id
_TAG = 16  # AES-GCM's authentication tag, after the ciphertext


class VaultError(Exception):
    """A blob that cannot be opened with the key at hand."""


# A stored blob: bytes, or the memoryview a database driver returns for a binary column (and the
# bytearray `seal` and `box` make).
Blob = bytes | bytearray | memoryview


def new_private_key() -> bytes:
    return X25519PrivateKey.generate().private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def public_key_of(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def _kdf(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ishenim-seal" + ephemeral + recipient).derive(
        shared
    )


def _blob(aead: AESGCM, head: bytes, nonce: bytes, plaintext: Blob) -> bytearray:
    """`head` (the header, then for a sealed blob the ephemeral key), `nonce`, then the ciphertext
    and its tag, the header as associated data. Encrypted straight into the blob: an 8 MB file
    costs one 8 MB blob, not a ciphertext and its copy."""
    start = len(head) + len(nonce)
    blob = bytearray(start + len(plaintext) + _TAG)
    blob[:start] = head + nonce
    with memoryview(blob) as view:
        aead.encrypt_into(nonce, plaintext, head[:_HEADER], view[start:])
    return blob


def seal(key_id: uuid.UUID, public: bytes, plaintext: Blob) -> bytearray:
    """Encrypt to a public key: only the matching private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    aead = AESGCM(_kdf(shared, ephemeral_public, public))
    return _blob(aead, SEALED + key_id.bytes + ephemeral_public, os.urandom(12), plaintext)


def key_id_of(blob: Blob) -> uuid.UUID:
    if len(blob) < _HEADER or blob[:1] not in (SEALED, BOXED):
        raise VaultError("not a vault blob")
    return uuid.UUID(bytes=bytes(blob[1:_HEADER]))


def unseal(private: bytes, blob: Blob) -> bytes:
    view = memoryview(blob)  # the ciphertext is read in place, never copied
    if view[:1] != SEALED:
        raise VaultError("not a sealed blob")
    header, ephemeral_public, nonce, ciphertext = bytes(view[:_HEADER]), bytes(view[17:49]), view[49:61], view[61:]
    key = X25519PrivateKey.from_private_bytes(private)
    shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    recipient = public_key_of(private)
    try:
        return AESGCM(_kdf(shared, ephemeral_public, recipient)).decrypt(nonce, ciphertext, header)
    except Exception as exc:  # InvalidTag: wrong key or altered blob
        raise VaultError("blob does not open with this key") from exc


def box(key_id: uuid.UUID, key: bytes, plaintext: Blob) -> bytearray:
    """Encrypt under a symmetric key."""
    return _blob(AESGCM(key), BOXED + key_id.bytes, os.urandom(12), plaintext)


def unbox(key: bytes, blob: Blob) -> bytes:
    view = memoryview(blob)
    if view[:1] != BOXED:
        raise VaultError("not a boxed blob")
    header, nonce, ciphertext = bytes(view[:_HEADER]), view[17:29], view[29:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, header)
    except Exception as exc:
        raise VaultError("blob does not open with this key") from exc


def derive_key(secret: str | bytes, salt: bytes, params: dict) -> bytes:
    """Argon2id: a 256-bit key from a password or a recovery code."""
    if isinstance(secret, str):
        secret = secret.encode()
    return hash_secret_raw(
        secret,
        salt,
        time_cost=params["time_cost"],
        memory_cost=params["memory_cost"],
        parallelism=params["parallelism"],
        hash_len=32,
        type=Type.ID,
    )
