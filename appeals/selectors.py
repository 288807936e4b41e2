"""Reads of the online box: the staff inbox, one appeal, the writer's thread."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    ((school, -received_at), urgent ones, unread messages), no annotation per row, no join."""
    appeals = Appeal.objects.filter(_visible(request, school))
    if show == "open":
        appeals = appeals.filter(status__in=Appeal.OPEN_STATUSES)
    elif show == "urgent":
        appeals = appeals.filter(urgent=True)
    elif show == "unread":
        unread = Message.objects.filter(side=Message.Side.WRITER, read_at=None).values("appeal_id")
        appeals = appeals.filter(pk__in=unread)
    # No join: the rows need no column of the school or district, and a join lets SQLite read the
    # school first and then sort every matching appeal instead of walking an appeals index in order.
    return appeals.defer("text_sealed", "author_sealed")


PINNED = 50


def inbox_split(appeals: QuerySet[Appeal], *, urgent_only: bool) -> tuple[QuerySet[Appeal], QuerySet[Appeal]]:
    """The urgent open appeals, pinned above the list (nobody on it yet first, R22; at most
    `PINNED`), and the rest of the list, which is paged by its index.

    `urgent_only`: `appeals` are urgent ones already (the tab or the filter). The condition is then
    not said twice: PostgreSQL would count its rarity twice, think the urgent open appeals a
    handful and sort all of them instead of reading the first rows of `appeal_urgent_pinned`.
    """
    urgent_open = Q(status__in=Appeal.OPEN_STATUSES) if urgent_only else Q(urgent=True, status__in=Appeal.OPEN_STATUSES)
    # The order of the index: whether someone is on it, since when, the newest first.
    someone_on_it = ExpressionWrapper(Q(acknowledged_at__isnull=False), output_field=BooleanField())
    pinned = appeals.filter(urgent_open).order_by(someone_on_it, "acknowledged_at", "-received_at", "-pk")[:PINNED]
    return pinned, appeals.exclude(urgent=True, status__in=Appeal.OPEN_STATUSES)


@dataclass(frozen=True)
class InboxRow:
    """One row of the inbox with every cell's text made here, once per page: the template reads plain
    values (no filter, include, URL reversal or translation per cell), which on a first page of 75
    rows was most of the request's time."""

    pk: int
    number: str
    url: str
    choose: str  # the checkbox's label
    urgent: bool
    mark: int  # 2: urgent, open and nobody on it yet (R22); 1: urgent and open; 0
    unread: bool
    files: str
    received: str
    channel: str
    category: str
    author: str
    anonymous: bool
    to_district: bool
    status: str
    due: str  # empty once closed
    due_class: str
    left: str
    handlers: str


def inbox_rows(rows: list[Appeal], school: School, today: dt.date) -> list[InboxRow]:
    """The shown rows with what each needs besides its columns (three queries for the page's rows:
    unread messages, files, handlers) and its cells' text."""
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
    # Labels once per page, not `get_FOO_display` per cell; an unknown value shows as itself, as there.
    channel, category, author, status = (
        {value: capitalize(str(label)) for value, label in choices.choices}
        for choices, capitalize in (
            (Appeal.Channel, str),
            (Appeal.Category, capfirst),
            (Appeal.AuthorKind, capfirst),
            (Appeal.Status, capfirst),
        )
    )
    # One reversal for the page: each row's address is the same pattern with its own id.
    before, _pk, after = reverse("appeals:detail", args=[school.slug, 987654321]).rpartition("987654321")
    result = []
    for appeal in rows:
        due, left = appeal.due(), appeal.days_left(today)
        n = files.get(appeal.pk, 0)
        number = str(appeal.journal_number or "—")
        urgent_open = appeal.urgent and appeal.is_open
        result.append(
            InboxRow(
                pk=appeal.pk,
                number=number,
                url=f"{before}{appeal.pk}{after}",
                choose=_("Choose appeal № %(n)s") % {"n": number},
                urgent=appeal.urgent,
                mark=(2 if appeal.acknowledged_at is None else 1) if urgent_open else 0,
                unread=appeal.pk in unread,
                files=ngettext("%(n)s file", "%(n)s files", n) % {"n": n} if n else "",
                received=timezone.localtime(appeal.received_at).strftime("%Y-%m-%d %H:%M"),
                channel=channel.get(appeal.channel, appeal.channel),
                category=category.get(appeal.category, appeal.category),
                author=author.get(appeal.author_kind, appeal.author_kind),
                anonymous=appeal.anonymous,
                to_district=appeal.district_id is not None,
                status=status.get(appeal.status, appeal.status),
                due=due.isoformat() if left is not None and due is not None else "",  # none once closed
                due_class=deadline_class(left),
                left=deadline_words(left),
                handlers=", ".join(person.get_full_name() or person.get_username() for person in appeal.handlers.all()),
            )
        )
    return result


def deadline_class(left: int | None) -> str:
    """The colour of a deadline, `left` working days away: red when late, amber on the last two days."""
    if left is None:
        return ""
    return "overdue" if left < 0 else ("due-soon" if left <= 2 else "")


def deadline_words(left: int | None) -> str:
    """A deadline `left` working days away in words: "overdue by 3 working days", "due today"."""
    if left is None:
        return ""
    if left < 0:
        return ngettext("overdue by %(days)s working day", "overdue by %(days)s working days", -left) % {"days": -left}
    if left == 0:
        return _("due today")
    return ngettext("%(days)s working day left", "%(days)s working days left", left) % {"days": left}


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
