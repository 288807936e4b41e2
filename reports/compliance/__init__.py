"""Is the school keeping its regulation right now? One small check per requirement R01–R23.

Each check reads `Facts` — counts loaded once for a whole list of schools (a
district's page asks the same questions of every school without a query per
school) — and returns a `Check`: kept, broken, needs attention, or unknown,
with the evidence and what to do. The requirement texts are in
`../shared/docs/regulation.md`.
"""

import datetime as dt

from reports.compliance.base import ATTENTION, BROKEN, KEPT, STATUS_LABELS, UNKNOWN, Check
from reports.compliance.checks import CHECKS
from reports.compliance.facts import Facts
from schools.models import School

__all__ = [
    "ATTENTION",
    "BROKEN",
    "CHECKS",
    "KEPT",
    "STATUS_LABELS",
    "UNKNOWN",
    "Check",
    "Facts",
    "compliance",
    "school_compliance",
]


def compliance(schools: list[School], *, now: dt.datetime | None = None, deep: bool = False) -> dict[int, list[Check]]:
    """Every check for every school, in a fixed number of queries."""
    facts = Facts(schools, now=now, deep=deep)
    return {school.pk: [check(school, facts) for check in CHECKS] for school in schools}


def school_compliance(school: School, *, now: dt.datetime | None = None) -> list[Check]:
    return compliance([school], now=now, deep=True)[school.pk]
