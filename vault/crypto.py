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


class VaultError(Exception):
    """A blob that cannot be opened with the key at hand."""


# A stored blob: bytes, or the memoryview a database driver returns for a binary column.
Blob = bytes | memoryview


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


def seal(key_id: uuid.UUID, public: bytes, plaintext: bytes) -> bytes:
    """Encrypt to a public key: only the matching private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = os.urandom(12)
    header = SEALED + key_id.bytes
    ciphertext = AESGCM(_kdf(shared, ephemeral_public, public)).encrypt(nonce, plaintext, header)
    return header + ephemeral_public + nonce + ciphertext


def key_id_of(blob: Blob) -> uuid.UUID:
    if len(blob) < 17 or blob[:1] not in (SEALED, BOXED):
        raise VaultError("not a vault blob")
    return uuid.UUID(bytes=bytes(blob[1:17]))


def unseal(private: bytes, blob: Blob) -> bytes:
    blob = bytes(blob)
    if blob[:1] != SEALED:
        raise VaultError("not a sealed blob")
    header, ephemeral_public, nonce, ciphertext = blob[:17], blob[17:49], blob[49:61], blob[61:]
    key = X25519PrivateKey.from_private_bytes(private)
    shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    recipient = public_key_of(private)
    try:
        return AESGCM(_kdf(shared, ephemeral_public, recipient)).decrypt(nonce, ciphertext, header)
    except Exception as exc:  # InvalidTag: wrong key or altered blob
        raise VaultError("blob does not open with this key") from exc


def box(key_id: uuid.UUID, key: bytes, plaintext: bytes) -> bytes:
    """Encrypt under a symmetric key."""
    nonce = os.urandom(12)
    header = BOXED + key_id.bytes
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header)


def unbox(key: bytes, blob: Blob) -> bytes:
    blob = bytes(blob)
    if blob[:1] != BOXED:
        raise VaultError("not a boxed blob")
    header, nonce, ciphertext = blob[:17], blob[17:29], blob[29:]
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
