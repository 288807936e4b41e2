"""Receipt codes: how an anonymous writer follows their appeal.

A code carries 100 random bits from the operating system's CSPRNG, written in
groups of five letters from an alphabet without look-alikes (no 0/O, 1/I/L). It
is stored only as a keyed hash (HMAC with the server key): with codes this
random a slow password hash would add cost, not safety.
"""

import secrets

from vault.services import server_hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 letters, ~4.95 bits each
LENGTH = 20  # 20 × 4.95 ≈ 99 bits
GROUP = 5


def receipt_code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def receipt_normalise(code: str) -> str:
    """What the writer typed, as the canonical code: case, spaces and dashes do not matter."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I")  # typed look-alikes
    return "-".join(cleaned[i : i + GROUP] for i in range(0, len(cleaned), GROUP))


def receipt_hash(code: str) -> str:
    return server_hmac("receipt", receipt_normalise(code))
