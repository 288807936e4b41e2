"""Hash chains shared by the registration journal, the opening journal and the audit log."""

import json
from hashlib import sha256

GENESIS = "0" * 64


def canonical(fields: dict) -> bytes:
    """One byte string per record, the same on every database and Python version."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def link(prev_hash: str, fields: dict) -> str:
    return sha256(prev_hash.encode() + canonical(fields)).hexdigest()
