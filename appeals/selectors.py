"""Reads of the online box: the staff inbox, one appeal, the writer's thread."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils import timezone

from appeals.followup import open_for_writer
from appeals.models import Appeal, Attachment, Message
from schools.access import appeal_roles, roles_at
from schools.models import School
from schools.permissions import permitted
from vault.casekeys import IDENTITY, case_key_holders


def _visible(request: HttpRequest, school: School) -> Q:
    """Which of the school's appeals this user may open.

    Director and responsible person: every appeal addressed to the school.
    A handler: only those assigned. District officers: the appeals that writers
    sent to the district instead of the school (about its leadership).
    """
    roles, user = roles_at(request, school), request.user
    allowed = Q(pk__in=[])
    if permitted(roles, "appeal.read_all"):
        allowed |= Q(district__isnull=True)
    elif permitted(roles, "appeal.read_content") and user.is_authenticated:  # roles come with an account
        # A semi-join on the handler's own cases (few), not a join (duplicates, DISTINCT) nor a
        # probe per row of a big school's inbox.
        assigned = Appeal.handlers.through.objects.filter(user=user).values("appeal_id")
        allowed |= Q(pk__in=assigned, district__isnull=True)
    if permitted(roles, "district.appeals"):
        allowed |= Q(district__isnull=False)
    return Q(school=school) & allowed


def visible_in(request: HttpRequest, schools) -> Q:
    """Which appeals of any of `schools` this user may open (the same rule as one school's inbox)."""
    allowed = Q(pk__in=[])
    for school in schools:
        allowed |= _visible(request, school)
    return allowed


def inbox_appeals(request: HttpRequest, school: School, show: str = "open") -> QuerySet[Appeal]:
    """The appeals of one inbox tab, newest first: every condition an index can serve
    ((school, -received_at), urgent ones, unread messages), no annotation per row."""
    appeals = Appeal.objects.filter(_visible(request, school))
    if show == "open":
        appeals = appeals.filter(status__in=Appeal.OPEN_STATUSES)
    elif show == "urgent":
        appeals = appeals.filter(urgent=True)
    elif show == "unread":
        unread = Message.objects.filter(side=Message.Side.WRITER, read_at=None).values("appeal_id")
        appeals = appeals.filter(pk__in=unread)
    return appeals.select_related("school", "district").defer("text_sealed", "author_sealed")


PINNED = 50


def inbox_split(appeals: QuerySet[Appeal]) -> tuple[QuerySet[Appeal], QuerySet[Appeal]]:
    """The urgent open appeals, pinned above the list (nobody on it yet first, R22; at most
    `PINNED`), and the rest of the list, which is paged by its index."""
    urgent_open = Q(urgent=True, status__in=Appeal.OPEN_STATUSES)
    pinned = appeals.filter(urgent_open).order_by(F("acknowledged_at").asc(nulls_first=True), "-received_at", "-pk")[
        :PINNED
    ]
    return pinned, appeals.exclude(urgent_open)


def inbox_rows(rows: list[Appeal]) -> list[tuple[Appeal, bool, int, int]]:
    """What each shown row needs besides its columns, for the page's rows only (three queries):
    (appeal with its handlers, unread messages, how many files, the urgent mark (2: nobody on it yet))."""
    pks = [appeal.pk for appeal in rows]
    unread = set(
        Message.objects.filter(appeal__in=pks, side=Message.Side.WRITER, read_at=None).values_list(
            "appeal_id", flat=True
        )
    )
    files = dict(
        Attachment.objects.filter(appeal__in=pks).values("appeal").annotate(n=Count("pk")).values_list("appeal", "n")
    )
    handlers = get_user_model().objects.only("pk", "username", "first_name", "last_name")
    prefetch_related_objects(rows, Prefetch("handlers", queryset=handlers))
    result = []
    for appeal in rows:
        urgent_open = appeal.urgent and appeal.status in Appeal.OPEN_STATUSES
        mark = (2 if appeal.acknowledged_at is None else 1) if urgent_open else 0
        result.append((appeal, appeal.pk in unread, files.get(appeal.pk, 0), mark))
    return result


def inbox_filter(appeals: QuerySet[Appeal], filters: dict, today) -> QuerySet[Appeal]:
    """Narrow the inbox by the fields kept in the clear (`appeals.forms_inbox.InboxFilterForm.filters`)."""
    from reports.selectors import overdue_q  # one rule for "overdue", the reports' own

    for name in ("category", "status", "channel"):
        if name in filters:
            appeals = appeals.filter(**{name: filters[name]})
    if filters.get("urgent"):
        appeals = appeals.filter(urgent=True)
    if filters.get("overdue"):
        appeals = appeals.filter(overdue_q(today))
    if filters.get("handler") == 0:
        appeals = appeals.exclude(Exists(Appeal.handlers.through.objects.filter(appeal=OuterRef("pk"))))
    elif filters.get("handler"):
        handled = Appeal.handlers.through.objects.filter(user_id=filters["handler"]).values("appeal_id")
        appeals = appeals.filter(pk__in=handled)
    # Local days as a range of the indexed column, not a date function of every row.
    if "since" in filters:
        appeals = appeals.filter(received_at__gte=_day_start(filters["since"]))
    if "until" in filters:
        appeals = appeals.filter(received_at__lt=_day_start(filters["until"] + dt.timedelta(days=1)))
    return appeals


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def journal_number_find(request: HttpRequest, school: School, number: int) -> Appeal | None:
    """The appeal with this journal number that the user may open (the latest school year's first)."""
    return (
        Appeal.objects.filter(_visible(request, school), journal_number=number)
        .only("pk", "school")
        .order_by("-received_at", "-pk")
        .first()
    )


def urgent_unacknowledged(schools) -> QuerySet[Appeal]:
    """Open urgent appeals nobody has said "I am on it" to, oldest first (landing pages, R22); no content."""
    return (
        Appeal.objects.filter(school__in=schools, urgent=True, acknowledged_at__isnull=True)
        .filter(status__in=Appeal.OPEN_STATUSES)
        .select_related("school", "district")
        .defer("text_sealed", "author_sealed")
        .order_by("received_at", "pk")
    )


def appeal_for_staff(request: HttpRequest, school: School, pk: int) -> Appeal:
    appeal = Appeal.objects.filter(_visible(request, school), pk=pk).select_related("school", "district").first()
    if appeal is None:
        raise Http404
    return appeal


def identity_visible(request: HttpRequest, appeal: Appeal) -> bool:
    """Whether this person may see who wrote the appeal (R21): the one answer, for the
    appeal's page, the case panel, the letters and every document.

    The director and the responsible person (district officers, for an appeal sent
    to the district) always: they hold the key that opens every identity. A case
    handler only for a signed appeal whose writer's name the person who gave the
    case chose to show them ("Show them the writer's name and contacts"), which
    seals the identity key to them; otherwise they read the case without the name.
    Commission members, and handlers of other cases, never. The keys enforce the
    same rule (`vault.casekeys`): a page that asked wrongly could not open the name.
    """
    roles = appeal_roles(request, appeal)
    if permitted(roles, "appeal.read_identity"):
        return True
    return permitted(roles, "appeal.read_shown_identity") and request.user.pk in case_key_holders(appeal, IDENTITY)


@dataclass(frozen=True)
class ThreadItem:
    side: str
    side_label: str
    at: object
    text: str


@dataclass(frozen=True)
class WriterView:
    appeal: Appeal
    own_text: str
    answer: ThreadItem | None
    thread: list[ThreadItem]
    unread: int


def writer_view(appeal: Appeal, code: str) -> WriterView:
    """What the writer sees with their code: their text, the official answer, the conversation."""
    thread = [
        ThreadItem(m.side, m.get_side_display(), m.created_at, open_for_writer(code, m.body_for_writer))
        for m in appeal.messages.all()
    ]
    answers = [item for item in thread if item.side == Message.Side.ANSWER]
    unread = appeal.messages.filter(side__in=[Message.Side.STAFF, Message.Side.ANSWER], read_at=None).count()
    return WriterView(
        appeal=appeal,
        own_text=open_for_writer(code, appeal.followup.text_for_writer),
        answer=answers[-1] if answers else None,
        thread=[item for item in thread if item.side != Message.Side.ANSWER],
        unread=unread,
    )
