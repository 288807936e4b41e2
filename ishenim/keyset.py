"""Keyset pages: a long list walked by its order's key, as fast on the last page as on the first.

A page is asked for by a position, not a number: `?older=<key>` (the rows after that row in
the list's order, newest first), `?newer=<key>`, `?at=oldest`. The database seeks the
index to the position and reads one page plus one row (to know whether more follow), so a
school with 100,000 appeals pays what a school with 100 pays. A key is `<ISO time>_<id>`: a
position only, checked like any other input; what the list may show is still the queryset's
filter. The count a page shows is capped (`COUNT_CAP`), so it never counts a whole history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

COUNT_CAP = 1000


def key_of(row, time_field: str) -> str:
    return f"{getattr(row, time_field).isoformat()}_{row.pk}"


def key_parse(key: str | None) -> tuple[dt.datetime, int] | None:
    """(time, id) of a key, or None if it is not one."""
    when, _, number = (key or "").rpartition("_")
    try:
        at, pk = dt.datetime.fromisoformat(when), int(number)
    except ValueError:
        return None
    return (at, pk) if at.tzinfo is not None else None


@dataclass
class KeysetPage:
    """One page; `older`/`newer` are the keys of the neighbouring pages (None at an end)."""

    object_list: list
    older: str | None = None
    newer: str | None = None
    first: list = field(default_factory=list)  # rows pinned above the list on its first page

    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def keyset_page(rows: QuerySet, params, per_page: int, *, time_field: str = "received_at") -> KeysetPage:
    """The page of `rows` (newest `time_field` first, then the highest id) that `params` ask for.

    The ordering is the index's: `rows` must be filterable by an index on (…, -time_field).
    """
    newest_first = rows.order_by(f"-{time_field}", "-pk")
    oldest_first = rows.order_by(time_field, "pk")
    older, newer = key_parse(params.get("older")), key_parse(params.get("newer"))
    if older:
        when, pk = older
        found = list(
            newest_first.filter(**{f"{time_field}__lte": when}).exclude(**{time_field: when, "pk__gte": pk})[
                : per_page + 1
            ]
        )
        more_older, more_newer = len(found) > per_page, True
        found = found[:per_page]
    elif newer or params.get("at") == "oldest":
        if newer:
            when, pk = newer
            oldest_first = oldest_first.filter(**{f"{time_field}__gte": when}).exclude(
                **{time_field: when, "pk__lte": pk}
            )
        found = list(oldest_first[: per_page + 1])
        more_older, more_newer = newer is not None, len(found) > per_page
        found = found[:per_page][::-1]
    else:
        found = list(newest_first[: per_page + 1])
        more_older, more_newer = len(found) > per_page, False
        found = found[:per_page]
    return KeysetPage(
        object_list=found,
        older=key_of(found[-1], time_field) if found and more_older else None,
        newer=key_of(found[0], time_field) if found and more_newer else None,
    )


def capped_count(rows: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting at most `cap` + 1: (count, whether there are more than `cap`)."""
    n = rows.order_by()[: cap + 1].count()
    return min(n, cap), n > cap
