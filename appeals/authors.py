"""The writer of a signed appeal as it is sealed: full_name, address, school_class, phone.

Appeals sealed before the class was called school_class carry it under "class"; a sealed blob
cannot be rewritten without the school's key, so every reader takes the author through
`author_read`, which gives the one name.
"""

from __future__ import annotations

import json


def author_read(sealed_json: str | dict | None) -> dict | None:
    """The author dict from its opened JSON (or the dict inside a journal record), under today's names."""
    if sealed_json is None:
        return None
    author = json.loads(sealed_json) if isinstance(sealed_json, str) else dict(sealed_json)
    if "class" in author:
        author.setdefault("school_class", author.pop("class"))
    return author
