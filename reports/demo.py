"""A year of demo appeals for the demo schools, so the reports have something to show.

Appeals go in through `appeal_submit` (sealed, numbered, journaled), in the
order they were received; their later history (registration time, closure,
deadlines) is then written straight onto the rows, as case handling would
have left it. The two schools differ on purpose, so the compliance page shows
rules kept at one and broken at the other, each for a visible reason:
the Rakhmanov school's summaries went out and its last report was finalised
in time; gymnasium No. 5 registered some letters late, let cases go overdue,
sent no weekly summaries and has its last report still in draft.
"""

import datetime as dt
import json
import random
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from appeals.models import Appeal, FollowUp, Involvement, Measure, Message
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit, message_post
from ishenim.workdays import add_working_days
from journal.models import Record
from journal.services import journal_amend
from reports.models import Action, Attestation, QuarterlyReport, Subject, SubjectTag, WeeklySummary
from reports.periods import last_complete_quarter, last_summary_day, summary_week
from reports.services import quarterly_report_draft, weekly_figures
from schools.models import Role, School
from schools.permissions import roles_with
from vault.casekeys import case_seal_text

C, K = Appeal.Category, Appeal.AuthorKind

TEXTS: dict[str, str] = {
    C.CHILD_RIGHTS: "Бизди класста сабактан кийин кармап калышат, үйгө кеч кетебиз.",
    C.BULLYING: "Танапис учурунда улуу класстын балдары кичүүлөрдү кордоп, акчасын тартып алышат.",
    C.CORRUPTION: "Класска ремонт үчүн деп ар бир ата-энеден акча чогултуп жатышат, кайда кетери белгисиз.",
    C.SMOKING: "Спорт залдын артында тыныгууда балдар тамеки, наспай чегишет.",
    C.DISCIPLINE: "Сабак учурунда телефон ойноп, мугалимди укпай коюшат.",
    C.SUGGESTION: "Ашканада кезек узун, тыныгуу аз. Тамактануу убактысын узартса болот.",
    C.REQUEST: "Китепканага окуу китептери жетишпейт, кошумча алып берсеңиздер.",
    C.WISH: "Мугалимибизге ыраазычылык билдиребиз, сабактары кызыктуу.",
    C.OTHER: "Мектептин короосунда кечинде жарык жок, караңгы.",
}
CATEGORY_WEIGHTS = {
    C.BULLYING: 16,
    C.SMOKING: 14,
    C.DISCIPLINE: 14,
    C.SUGGESTION: 14,
    C.REQUEST: 12,
    C.CHILD_RIGHTS: 9,
    C.WISH: 9,
    C.CORRUPTION: 5,
    C.OTHER: 7,
}
SUBJECTS: dict[str, str] = {
    C.SUGGESTION: "ашканадагы кезек",
    C.SMOKING: "спорт залдын артында тамеки чегүү",
    C.DISCIPLINE: "сабакта телефон",
    C.BULLYING: "тыныгууда кордоо",
}
P, W, M = Appeal.Place, Involvement.Who, Measure.Kind
# Where the appeals of each category happen, who is involved, and what is done about them.
PLACES: dict[str, dict[str, int]] = {
    C.BULLYING: {P.YARD: 3, P.CORRIDOR: 3, P.CLASSROOM: 3, P.ONLINE: 3, P.WAY: 1},
    C.SMOKING: {P.TOILETS: 5, P.YARD: 2, P.WAY: 2, P.GYM: 1},
    C.DISCIPLINE: {P.CLASSROOM: 6, P.CORRIDOR: 2, P.GYM: 1},
    C.SUGGESTION: {P.CANTEEN: 4, P.CLASSROOM: 3, P.GYM: 1, P.OTHER: 1},
    C.REQUEST: {P.CLASSROOM: 3, P.OTHER: 3, P.CANTEEN: 1},
    C.CHILD_RIGHTS: {P.CLASSROOM: 3, P.HOME: 2, P.WAY: 1, P.OTHER: 1},
    C.CORRUPTION: {P.CLASSROOM: 3, P.OTHER: 2},
    C.WISH: {P.CLASSROOM: 4, P.OTHER: 2},
    C.OTHER: {P.YARD: 3, P.WAY: 2, P.OTHER: 2},
}
WHO: dict[str, dict[str, int]] = {
    C.BULLYING: {W.CLASSMATES: 4, W.OLDER: 4, W.OUTSIDER: 1},
    C.SMOKING: {W.OLDER: 3, W.CLASSMATES: 3},
    C.DISCIPLINE: {W.CLASSMATES: 5, W.TEACHER: 1},
    C.CHILD_RIGHTS: {W.TEACHER: 3, W.STAFF: 1, W.FAMILY: 2},
    C.CORRUPTION: {W.TEACHER: 2, W.STAFF: 3},
}
KINDS: dict[str, list[str]] = {
    C.BULLYING: [M.TALK_STUDENT, M.TALK_PARENTS, M.PSYCHOLOGIST, M.DISCIPLINE],
    C.SMOKING: [M.DISCIPLINE, M.TALK_PARENTS, M.TALK_STUDENT],
    C.DISCIPLINE: [M.TALK_STUDENT, M.TALK_PARENTS],
    C.CHILD_RIGHTS: [M.TALK_PARENTS, M.SOCIAL, M.PSYCHOLOGIST],
    C.CORRUPTION: [M.DISTRICT, M.DISCIPLINE],
    C.SUGGESTION: [M.ORGANISATION],
    C.REQUEST: [M.ORGANISATION],
    C.WISH: [M.OTHER],
    C.OTHER: [M.ORGANISATION, M.OTHER],
}
MEASURE_TEXTS = {
    M.TALK_STUDENT: "Класс жетекчи окуучу менен сүйлөштү.",
    M.TALK_PARENTS: "Ата-энелер мектепке чакырылып, сүйлөшүү өттү.",
    M.PSYCHOLOGIST: "Психолог окуучу менен жеке сабактарды өткөрдү.",
    M.ORGANISATION: "Мектептин ички тартибине өзгөртүү киргизилди.",
    M.DISCIPLINE: "Тартип боюнча чара көрүлдү, эскертүү берилди.",
    M.JUVENILE: "Жашы жете электердин иштери боюнча инспекторго маалымат берилди.",
    M.SOCIAL: "Социалдык коргоо бөлүмүнө маалымат берилди.",
    M.HEALTH: "Медициналык кызматка жөнөтүлдү.",
    M.DISTRICT: "Райондук билим берүү бөлүмүнө маалымат берилди.",
    M.OTHER: "Кайрылуу боюнча түшүндүрмө берилди.",
}

# The story of the careful school's last complete quarter, against the one before (offset -1):
# bullying in the yard at breaks, grades 5–6, rises from 3 to 18 (a teacher on duty in the yard is
# decided when the report is discussed, and done a week later); smoking in the toilets falls from
# 8 to 2 after the measure decided the quarter before (a teacher checks the toilets at every break).
# (quarter offset, category, place, grade, who, measure kinds, the writer's answer or "")
STORY_CATEGORIES = (C.BULLYING, C.SMOKING)
_YARD = (C.BULLYING, P.YARD)
_TOILETS = (C.SMOKING, P.TOILETS)
_TALKS = (M.TALK_STUDENT, M.TALK_PARENTS)
STORY = [
    (-1, *_YARD, 5, (W.OLDER,), _TALKS, "yes"),
    (-1, *_YARD, 6, (W.OLDER,), _TALKS, "partly"),
    (-1, *_YARD, 6, (W.CLASSMATES,), (M.TALK_STUDENT,), ""),
    (-1, C.BULLYING, P.ONLINE, 8, (W.CLASSMATES,), (M.PSYCHOLOGIST,), "yes"),
    *[(-1, *_TOILETS, grade, (W.OLDER,), (M.DISCIPLINE, M.TALK_PARENTS), "") for grade in (7, 8, 8, 9, 9, 10, 10, 11)],
    (0, *_YARD, 5, (W.OLDER,), _TALKS, "yes"),
    (0, *_YARD, 5, (W.OLDER,), (*_TALKS, M.PSYCHOLOGIST), "no"),
    (0, *_YARD, 6, (W.OLDER,), _TALKS, "partly"),
    (0, *_YARD, 6, (W.OLDER, W.CLASSMATES), (M.TALK_STUDENT,), ""),
    (0, *_YARD, 5, (W.CLASSMATES,), (M.TALK_STUDENT,), "yes"),
    (0, *_YARD, 6, (W.OLDER,), (M.PSYCHOLOGIST,), ""),
    (0, *_YARD, 6, (W.OLDER,), _TALKS, "partly"),
    (0, *_YARD, 5, (W.CLASSMATES,), (M.TALK_STUDENT,), ""),
    (0, *_YARD, 6, (W.OLDER,), (M.DISCIPLINE,), ""),
    (0, *_YARD, 5, (W.OLDER,), _TALKS, ""),
    (0, *_YARD, 6, (W.OLDER,), (M.TALK_STUDENT,), ""),
    (0, *_YARD, 5, (W.OLDER,), (M.PSYCHOLOGIST,), ""),
    *[(0, *_YARD, grade, (W.OLDER,), _TALKS, "") for grade in (5, 5, 6, 6, 5, 6)],
    (0, C.BULLYING, P.CLASSROOM, 8, (W.CLASSMATES,), (M.TALK_STUDENT,), ""),
    (0, C.BULLYING, P.ONLINE, 9, (W.CLASSMATES,), (M.PSYCHOLOGIST,), ""),
    (0, *_TOILETS, 9, (W.OLDER,), (M.DISCIPLINE,), "yes"),
    (0, *_TOILETS, 10, (W.OLDER,), (M.TALK_PARENTS,), ""),
    (0, C.SMOKING, P.WAY, 10, (W.OLDER,), (M.TALK_PARENTS,), ""),
]
STORY_TEXTS = {
    _YARD: "Тыныгууда короодо улуу класстын балдары 5–6-класстарды кордоп, акчасын тартып алышат.",
    _TOILETS: "Тыныгууда дааратканада улуу класстын балдары тамеки, наспай чегишет.",
}
STORY_ACTIONS = [
    # (quarter offset of the report it was decided in, title, kind, category, place, owner's position,
    #  days until due, days until done or None)
    (
        -1,
        "Ар тыныгууда кезметчи мугалим дааратканаларды текшерет",
        M.ORGANISATION,
        C.SMOKING,
        P.TOILETS,
        "deputy",
        14,
        7,
    ),
    (0, "Тыныгууда короодо кезметчи мугалим", M.ORGANISATION, C.BULLYING, P.YARD, "deputy", 10, 7),
    (
        0,
        "5–6-класстарга психологдун «Кордоого жол жок» сабактары",
        M.PSYCHOLOGIST,
        C.BULLYING,
        "",
        "psychologist",
        None,
        None,
    ),
]
NAMES = ["Айбек Сейитов", "Гүлнара Ибраимова", "Нурлан Абдраев", "Жазгүл Маматова", "Бакыт Орозов"]


class _Plan(TypedDict):
    per_week: float
    careful: bool


PLAN: dict[str, _Plan] = {
    "rakhmanov": {"per_week": 5, "careful": True},
    "gymnasium5": {"per_week": 3, "careful": False},
}


def _received_times(rng: random.Random, school: School, start: dt.datetime, end: dt.datetime, per_week: float):
    """Online appeals at any hour; paper ones at the school's openings."""
    times = []
    openings = school.planned_openings(start, end)
    weeks = (end - start).days / 7
    for _ in range(int(per_week * weeks * 0.6)):
        times.append(("online", start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))))
    for when in openings:
        times.append(("opening", when))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            times.append(("paper", when + dt.timedelta(minutes=rng.randint(1, 30))))
    return sorted(times, key=lambda pair: pair[1])


def _history(rng: random.Random, appeal: Appeal, *, careful: bool, now: dt.datetime) -> dict:
    """How the case went: registration delay, deadline, outcome."""
    received = appeal.received_at
    late_registration = not careful and rng.random() < 0.08
    delay = dt.timedelta(days=rng.randint(3, 5)) if late_registration else dt.timedelta(hours=rng.uniform(0.2, 6))
    registered = min(received + delay, now)
    due = add_working_days(timezone.localdate(registered), 14)
    fields: dict[str, object] = {"registered_at": registered, "due_on": due}
    age = (now - received).days
    if age < 12 or (not careful and age < 60 and rng.random() < 0.35):
        fields["status"] = rng.choice(
            [Appeal.Status.REGISTERED, Appeal.Status.CONSIDERING, Appeal.Status.CONSIDERING, Appeal.Status.MEASURES]
        )
        return fields
    roll = rng.random()
    if roll < 0.06:
        fields["status"] = Appeal.Status.DISMISSED
        fields["dismissal_reason"] = Appeal.DismissalReason.NO_SUBSTANCE
    elif roll < 0.12 and age < 40:
        fields["status"] = Appeal.Status.FORWARDED
    else:
        fields["status"] = Appeal.Status.CLOSED
    if fields["status"] != Appeal.Status.FORWARDED:
        working = rng.randint(2, 12) if careful or rng.random() < 0.7 else rng.randint(15, 22)
        closed_day = add_working_days(timezone.localdate(registered), working)
        closed = dt.datetime.combine(
            closed_day, dt.time(15, rng.randint(0, 59)), tzinfo=timezone.get_current_timezone()
        )
        fields["closed_at"] = min(closed, now)
    return fields


def _category(rng: random.Random, received: dt.datetime, story: tuple | None) -> str:
    """A category by its weight; during the story's two quarters, bullying and smoking come only from the story."""
    quiet = story is not None and story[0] <= received < story[1]
    weights = [0 if quiet and c in STORY_CATEGORIES else w for c, w in CATEGORY_WEIGHTS.items()]
    return rng.choices(list(CATEGORY_WEIGHTS), weights=weights)[0]


def _appeal(
    rng: random.Random, school: School, channel: str, received: dt.datetime, *, careful: bool, story=None
) -> Appeal:
    category = _category(rng, received, story)
    kind = rng.choices([K.STUDENT, K.PARENT, K.CITIZEN], weights=[55, 35, 10])[0]
    grade = (
        rng.choice(range(5, 12)) if kind == K.STUDENT else (rng.choice(range(1, 12)) if rng.random() < 0.5 else None)
    )
    signed = rng.random() < 0.35
    author = None
    if signed:
        author = {
            "full_name": rng.choice(NAMES),
            "address": "Ош ш.",
            "school_class": str(grade or ""),
            "phone": "+996 555 000 000",
        }
    appeal = appeal_submit(
        school=school,
        text=TEXTS[category],
        category=category,
        author_kind=kind,
        channel=channel,
        author=author,
        grade=grade,
        language="ky",
        received_at=received,
        # Every online writer keeps a receipt code, so online appeals can have a conversation.
        receipt_code=receipt_code_new() if channel == Appeal.Channel.ONLINE else None,
    )
    # Marked urgent afterwards: these old cases must not send today's urgent notices.
    appeal.urgent = appeal.urgent or (category in (C.BULLYING, C.CHILD_RIGHTS) and rng.random() < 0.3)
    return appeal


QUESTIONS = [
    "Саламатсызбы. Кайрылуумду окудуңуздарбы? Дагы эмне жазышым керек?",
    "Кечиресиз, бир нерсени кошумчалайын: бул бир жолу эмес, дайыма болот.",
    "Качан жооп бересиздер? Абал ошол бойдон.",
]
REPLIES = [
    "Саламатсызбы. Кайрылууңуз катталды, психолог менен директордун орун басары карап жатат.",
    "Рахмат, жазганыңыз жакшы болду. Ушул аптада класс жетекчи менен сүйлөшөбүз.",
    "Кайрылууңуз боюнча чара көрүлүүдө. Жоопту ушул код менен ушул жерден окуй аласыз.",
]


def _conversation(rng: random.Random, appeal: Appeal, school: School, *, now: dt.datetime) -> None:
    """The writer asks with their receipt code, staff answer online; the newest question may wait unread."""
    staff = school.memberships.filter(role__in=roles_with("appeal.read_all"), active=True).first()
    asked = min(appeal.received_at + dt.timedelta(hours=rng.randint(6, 72)), now - dt.timedelta(minutes=30))
    question = message_post(appeal=appeal, side=Message.Side.WRITER, body=rng.choice(QUESTIONS))
    waiting = appeal.is_open and now - asked < dt.timedelta(days=5)
    Message.objects.filter(pk=question.pk).update(created_at=asked, read_at=None if waiting else asked)
    if waiting or staff is None:
        return
    reply = message_post(appeal=appeal, side=Message.Side.STAFF, body=rng.choice(REPLIES), sender=staff.user)
    answered = min(asked + dt.timedelta(hours=rng.randint(2, 30)), now)
    Message.objects.filter(pk=reply.pk).update(created_at=answered)


class _Box:
    """The physical box: each scheduled opening since the commission was appointed is recorded through
    the commission's own services (members present, seal, letters registered as paper appeals, new
    seal, the box-opening journal), so the paper appeals come from recorded openings and the
    missed-openings list and the weekly summaries agree."""

    def __init__(self, school: School, now: dt.datetime, story: tuple | None = None):
        from commission.models import Commission

        self.school, self.now, self.seal, self.story = school, now, 0, story
        commission = Commission.objects.filter(school=school).first()
        self.members = list(commission.members.select_related("user")) if commission else []
        director = school.memberships.filter(role=Role.DIRECTOR, active=True).select_related("user").first()
        self.actor = director.user if director else None

    def members_on(self, when: dt.datetime) -> list:
        day = timezone.localdate(when)
        return [m for m in self.members if m.serves_on(day)] if self.actor else []

    def record(self, rng: random.Random, when: dt.datetime) -> list[Appeal] | None:
        from openings.services.opening import (
            opening_close,
            opening_letter_register,
            opening_set_count,
            opening_set_present,
            opening_set_seal,
            opening_start,
        )

        present = self.members_on(when)
        if len(present) < 3 or when > self.now - dt.timedelta(hours=1):
            return None
        letters = rng.choice([0, 0, 1, 1, 2, 3])
        opening = opening_start(school=self.school, actor=self.actor, planned_for=when)
        opening_set_present(
            opening=opening,
            opened_at=when,
            place=self.school.box_location or "1-кабат",
            present=present[:4],
            actor=self.actor,
        )
        found = f"OSH-{4100 + self.seal}" if self.seal else f"OSH-{4100}"
        opening_set_seal(opening=opening, number=found, state="intact", note="", actor=self.actor, expected=found)
        opening_set_count(opening=opening, letters_found=letters, actor=self.actor)
        found_letters: list[Appeal] = []
        for _ in range(letters):
            category = _category(rng, when, self.story)
            kind = rng.choices([K.STUDENT, K.PARENT, K.CITIZEN], weights=[55, 35, 10])[0]
            signed = rng.random() < 0.35
            letter = opening_letter_register(
                opening=opening,
                actor=self.actor,
                category=category,
                author_kind=kind,
                summary=TEXTS[category],
                author={"full_name": rng.choice(NAMES), "address": "Ош ш.", "school_class": "", "phone": ""}
                if signed
                else None,
                grade=rng.choice(range(5, 12)) if kind == K.STUDENT else None,
            )
            found_letters.append(letter.appeal)
        self.seal += 1
        opening_close(
            opening=opening,
            new_seal_number=f"OSH-{4100 + self.seal}",
            sealed_at=when + dt.timedelta(minutes=25),
            actor=self.actor,
        )
        return found_letters


def _close_in_journal(appeal: Appeal, status: str) -> None:
    entry = Record.objects.filter(appeal=appeal, kind=Record.Kind.ENTRY).first()
    if entry is not None:
        journal_amend(entry=entry, fields={"status": status})


def _story_span(school: School, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The story's two quarters: the last complete one and the one before."""
    last = last_complete_quarter(school, timezone.localdate(now))
    return last.shifted(-1).start_at, last.end_at


def _story(school: School, now: dt.datetime) -> list[tuple[Appeal, tuple]]:
    """The story's appeals, spread evenly over their quarters, each closed; with each, its facts and measures
    (place, who, kinds)."""
    last = last_complete_quarter(school, timezone.localdate(now))
    made = []
    for offset in (-1, 0):
        quarter = last.shifted(offset)
        lines = [line for line in STORY if line[0] == offset]
        step = (quarter.end_at - quarter.start_at) / len(lines)
        for i, (_offset, category, place, grade, who, kinds, solved) in enumerate(lines):
            received = (quarter.start_at + step * (i + 0.5)).replace(hour=11, minute=5 * i % 60)
            appeal = appeal_submit(
                school=school,
                text=STORY_TEXTS.get((category, place), TEXTS[category]),
                category=category,
                author_kind=K.STUDENT,
                grade=grade,
                language="ky",
                received_at=received,
                receipt_code=receipt_code_new(),
            )
            registered = received + dt.timedelta(hours=2)
            closed = dt.datetime.combine(
                add_working_days(timezone.localdate(registered), 4 + i % 5),
                dt.time(15, 30),
                tzinfo=timezone.get_current_timezone(),
            )
            closed_at = min(closed, now)
            history = {
                "registered_at": registered,
                "due_on": add_working_days(timezone.localdate(registered), 14),
                "status": Appeal.Status.CLOSED,
                "closed_at": closed_at,
            }
            Appeal.objects.filter(pk=appeal.pk).update(**history)
            for key, value in history.items():
                setattr(appeal, key, value)
            _close_in_journal(appeal, appeal.status)
            if solved:
                FollowUp.objects.filter(appeal=appeal).update(solved=solved, solved_at=closed_at + dt.timedelta(days=3))
            made.append((appeal, (place, who, kinds)))
    return made


def _facts(school: School, appeals: list[Appeal], stories: dict[int, tuple], *, careful: bool) -> None:
    """Place, grade band and people involved, as staff recorded them (most cases at the careful school,
    half at the other); measures by kind on every case that has them, with column f's sealed text."""
    rng = random.Random(f"ishenim-demo-facts-{school.slug}")
    director = school.memberships.filter(role=Role.DIRECTOR, active=True).select_related("user").first()
    if director is None:
        return
    places: dict[tuple[str, str], list[int]] = {}
    involved, measures = [], []
    for appeal in appeals:
        if appeal.status == Appeal.Status.REGISTERED:
            continue
        story = stories.get(appeal.pk)
        if story is not None:
            place, who, kinds = story
            band = Appeal.band_for_grade(appeal.grade)
        else:
            kinds = _kinds(rng, appeal)
            if rng.random() > (0.9 if careful else 0.5):
                place, who, band = "", (), ""
            else:
                options = PLACES[appeal.category]
                place = rng.choices(list(options), weights=list(options.values()))[0]
                band = Appeal.band_for_grade(appeal.grade)
                people = WHO.get(appeal.category, {})
                who = {rng.choices(list(people), weights=list(people.values()))[0]} if people else set()
        places.setdefault((place, band), []).append(appeal.pk)
        involved += [Involvement(appeal=appeal, who=w) for w in sorted(set(who))]
        if kinds:
            start = appeal.registered_at or appeal.received_at
            taken_on = timezone.localdate(appeal.closed_at or start + dt.timedelta(days=3))
            measures += [Measure(appeal=appeal, kind=kind, taken_on=taken_on, by=director.user) for kind in kinds]
            text = " ".join(MEASURE_TEXTS[kind] for kind in kinds)
            journal_amend(
                entry=Record.objects.get(appeal=appeal, kind=Record.Kind.ENTRY),
                fields={"event": "measures", "on": taken_on.isoformat(), "kinds": sorted(kinds)},
                sealed=case_seal_text(appeal, json.dumps({"measures": text}, ensure_ascii=False)),
                actor=director.user,
            )
    for (place, band), pks in places.items():
        if place or band:
            Appeal.objects.filter(pk__in=pks).update(place=place, grade_band=band)
    Involvement.objects.bulk_create(involved)
    Measure.objects.bulk_create(measures)


def _kinds(rng: random.Random, appeal: Appeal) -> list[str]:
    """The measures a case has: a closed one always (it cannot close without), an open one sometimes."""
    if appeal.status == Appeal.Status.DISMISSED:
        return []
    if appeal.status == Appeal.Status.FORWARDED:
        return [M.JUVENILE if appeal.category in (C.BULLYING, C.CHILD_RIGHTS) else M.DISTRICT]
    if appeal.status == Appeal.Status.CONSIDERING:
        return []
    options = KINDS[appeal.category]
    return sorted(set(rng.sample(options, k=min(len(options), rng.choice([1, 1, 2])))))


def _story_actions(school: School, now: dt.datetime) -> None:
    """The measures decided when the story's reports were discussed, and what became of them."""
    today = timezone.localdate(now)
    last = last_complete_quarter(school, today)
    staff = {m.position: m.user for m in school.memberships.filter(active=True).select_related("user").order_by("-pk")}
    for offset, title, kind, category, place, position, due_days, done_days in STORY_ACTIONS:
        period = last.shifted(offset)
        report = QuarterlyReport.objects.filter(school=school, period_start=period.start).first()
        decided = report.discussed_on if report and report.discussed_on else period.due_on - dt.timedelta(days=2)
        due = decided + dt.timedelta(days=due_days) if due_days else max(today + dt.timedelta(days=2), decided)
        done = decided + dt.timedelta(days=done_days) if done_days else None
        Action.objects.create(
            school=school,
            report=report,
            title=title,
            kind=kind,
            category=category,
            place=place,
            owner=staff[position],
            decided_on=decided,
            due_on=due,
            done_on=done if done and done <= today else None,
            done_note="Графикке киргизилди: ар тыныгууда кезметчи мугалим турат." if done and done <= today else "",
        )


def _subjects(rng: random.Random, school: School, appeals: list[Appeal]) -> None:
    subjects: dict[str, Subject] = {
        category: Subject.objects.get_or_create(school=school, name=name)[0] for category, name in SUBJECTS.items()
    }
    SubjectTag.objects.bulk_create(
        [
            SubjectTag(subject=subjects[a.category], appeal=a)
            for a in appeals
            if a.category in subjects and rng.random() < 0.6
        ],
        ignore_conflicts=True,
    )


def _reports(school: School, now: dt.datetime, *, careful: bool) -> None:
    last = last_complete_quarter(school, timezone.localdate(now))
    for back in range(3, -1, -1):
        period = last.shifted(-back)
        report = quarterly_report_draft(school=school, period=period)
        if back == 0 and not careful:
            continue  # gymnasium No. 5 has not finished its last report
        QuarterlyReport.objects.filter(pk=report.pk).update(
            analysis=(
                "Чейректин ичинде эң көп кайрылуулар тыныгуудагы кордоо жана тамеки чегүү боюнча болду. "
                "Себептери: тыныгууда кезметчи мугалимдер аз, спорт залдын арты көзөмөлсүз."
            ),
            measures=(
                "1. Тыныгууда кезметчилик графигин күчөтүү (тарбия иштери боюнча орун басар, ай сайын).\n"
                "2. Спорт залдын артына жарык жана видеокамера коюу (чарба бөлүмү, бир айда).\n"
                "3. 7–9-класстар үчүн психологдун сабактары (психолог, чейрек бою)."
            ),
            state=QuarterlyReport.State.FINAL,
            discussed_on=period.due_on - dt.timedelta(days=2),
            finalised_at=timezone.make_aware(dt.datetime.combine(period.due_on - dt.timedelta(days=1), dt.time(15))),
        )


def _summaries(school: School, now: dt.datetime) -> None:
    day = last_summary_day(school, timezone.localdate(now))
    for back in range(8, 0, -1):
        on = day - dt.timedelta(weeks=back - 1)
        week = summary_week(school, on)
        WeeklySummary.objects.get_or_create(
            school=school,
            week_end=week.last_day,
            defaults={
                "week_start": week.start,
                "figures": weekly_figures(school, week),
                "sent_at": timezone.make_aware(dt.datetime.combine(on, dt.time(8, 1))),
                "sent_to": 1,
            },
        )


def demo_appeals(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create a year of appeals (and the reports' history) at each demo school that has none yet."""
    now = now or timezone.now()
    made = {}
    for slug, plan in PLAN.items():
        school = School.objects.filter(slug=slug).first()
        if school is None or Appeal.objects.filter(school=school).exists():
            continue
        made[slug] = _school_year(school, now, **plan)
    return made


@transaction.atomic
def _school_year(school: School, now: dt.datetime, *, per_week: float, careful: bool) -> int:
    rng = random.Random(f"ishenim-demo-{school.slug}")
    if careful and not school.website:
        school.website = f"https://{school.slug}.school.example"
        school.save(update_fields=["website"])
    appeals = []
    stories: dict[int, tuple] = {}
    start = now - dt.timedelta(days=365)
    # The school has used Ishenim for the year the demo shows: its missed-openings list looks back that far.
    School.objects.filter(pk=school.pk).update(created_at=start)
    school.created_at = start
    story = _story_span(school, now) if careful else None
    box = _Box(school, now, story)
    recorded = False  # whether the box's last opening was recorded (its letters came in with it)
    for channel, received in _received_times(rng, school, start, now, per_week):
        if channel == "opening":
            letters = box.record(rng, received)
            recorded = letters is not None
            fresh = letters or []
        elif channel == "paper" and recorded:
            continue  # registered by the opening it was found at
        else:
            fresh = [_appeal(rng, school, channel, received, careful=careful, story=story)]
        for appeal in fresh:
            _settle(rng, appeal, school, careful=careful, now=now)
            appeals.append(appeal)
    if story:
        for appeal, facts in _story(school, now):
            appeals.append(appeal)
            stories[appeal.pk] = facts
    _subjects(rng, school, appeals)
    _facts(school, appeals, stories, careful=careful)
    _reports(school, now, careful=careful)
    if story:
        _story_actions(school, now)
    if careful:
        _summaries(school, now)
        _attestations(school, now)
    return len(appeals)


def _settle(rng: random.Random, appeal: Appeal, school: School, *, careful: bool, now: dt.datetime) -> None:
    """How the case went since, written onto the row as case handling would have left it."""
    history = {**_history(rng, appeal, careful=careful, now=now), "urgent": appeal.urgent}
    Appeal.objects.filter(pk=appeal.pk).update(**history)
    for key, value in history.items():
        setattr(appeal, key, value)
    if appeal.status != Appeal.Status.REGISTERED:
        _close_in_journal(appeal, appeal.status)  # the journal vouches for the row as it now is
    closed = appeal.status not in Appeal.OPEN_STATUSES
    if appeal.channel == Appeal.Channel.ONLINE and rng.random() < 0.45:
        _conversation(rng, appeal, school, now=now)
    if closed and appeal.channel == Appeal.Channel.ONLINE and appeal.closed_at and rng.random() < 0.6:
        FollowUp.objects.filter(appeal=appeal).update(
            solved=rng.choices(list(FollowUp.Solved.values), weights=[6, 2, 2])[0],
            solved_at=appeal.closed_at + dt.timedelta(days=2),
        )


def _attestations(school: School, now: dt.datetime) -> None:
    """The careful school's director confirmed what the machine cannot check (R06, R21)."""
    director = school.memberships.filter(role=Role.DIRECTOR, active=True).select_related("user").first()
    if director is None:
        return
    today = timezone.localdate(now)
    on = min(today, max(dt.date(school.school_year(today), school.year_start_month, 10), today - dt.timedelta(days=60)))
    notes = {
        Attestation.Requirement.WEBSITE: "Сайттын башкы бетинде «Ишеним кутусу» шилтемеси бар.",
        Attestation.Requirement.CONFIDENTIALITY: "Купуялуулук боюнча нускама өттү, 9 кызматкер кол койду.",
    }
    for requirement, note in notes.items():
        Attestation.objects.create(
            school=school, requirement=requirement, confirmed_on=on, confirmed_by=director.user, note=note
        )
