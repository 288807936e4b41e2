"""What a check says: its status, evidence and what to do; texts translated once per language."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language, gettext, gettext_lazy

KEPT, BROKEN, ATTENTION, UNKNOWN = "kept", "broken", "attention", "unknown"
STATUS_LABELS = {
    KEPT: gettext_lazy("kept"),
    BROKEN: gettext_lazy("broken"),
    ATTENTION: gettext_lazy("needs attention"),
    UNKNOWN: gettext_lazy("not known"),
}
LOOKBACK_DAYS = 90
SUMMARY_WEEKS = 4
MEETINGS_PER_HALF_YEAR = 2
TERM_MONTHS = 9  # a school year runs from its first month (September) to the end of May
OPENING_GRACE = dt.timedelta(hours=6)


@dataclass
class Check:
    code: str
    title: str
    status: str
    evidence: str
    todo: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _(message: str) -> str:
    """gettext, remembered per language: a district's page asks the same few dozen texts of every school."""
    return _translated(get_language() or "", message)


@lru_cache(maxsize=2048)
def _translated(language: str, message: str) -> str:
    return gettext(message)
