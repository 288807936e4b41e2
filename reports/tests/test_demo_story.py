"""The demo's cases carry places, people, grade bands, measures and the writers' answers that tell a
story for the first demo school's last complete quarter (Q3 2026 on 20 November 2026)."""

import datetime as dt

import pytest
from django.db.models import Count

from appeals.models import Appeal, FollowUp, Measure
from journal.models import Record, Volume
from journal.services import journal_verify
from reports.demo import demo_appeals
from reports.models import Action
from reports.periods import Period
from reports.tests.conftest import at
from schools.models import School

NOW = at("2026-11-20", 12)
Q2 = Period(dt.date(2026, 4, 1), dt.date(2026, 7, 1), 2026, 2)
Q3 = Period(dt.date(2026, 7, 1), dt.date(2026, 10, 1), 2026, 3)


@pytest.fixture
def rakhmanov(demo):
    demo_appeals(now=NOW)
    return School.objects.get(slug="rakhmanov")


def in_quarter(school, period, **filters):
    return Appeal.objects.filter(
        school=school, received_at__gte=period.start_at, received_at__lt=period.end_at, **filters
    )


def check_bullying_in_the_yard_for_grades_5_6_rises_and_smoking_in_the_toilets_falls(rakhmanov):
    yard = {"category": "bullying", "place": "yard", "grade_band": "5-6"}
    assert (in_quarter(rakhmanov, Q2, **yard).count(), in_quarter(rakhmanov, Q3, **yard).count()) == (3, 18)
    assert (
        in_quarter(rakhmanov, Q2, category="bullying").count(),
        in_quarter(rakhmanov, Q3, category="bullying").count(),
    ) == (4, 20)
    toilets = {"category": "smoking", "place": "toilets"}
    assert (in_quarter(rakhmanov, Q2, **toilets).count(), in_quarter(rakhmanov, Q3, **toilets).count()) == (8, 2)
    older = in_quarter(rakhmanov, Q3, involved__who="older", **yard).count()
    assert older == 16


def check_the_measures_decided_and_what_became_of_them(rakhmanov):
    yard = Action.objects.get(school=rakhmanov, place="yard")
    assert yard.title == "Тыныгууда короодо кезметчи мугалим" and yard.kind == "organisation"
    assert (yard.decided_on, yard.done_on) == (dt.date(2026, 10, 3), dt.date(2026, 10, 10))
    assert yard.report.period_start == Q3.start and yard.owner.username == "deputy"
    toilets = Action.objects.get(school=rakhmanov, place="toilets")
    assert (toilets.decided_on, toilets.done_on) == (dt.date(2026, 7, 3), dt.date(2026, 7, 10))
    assert toilets.report.period_start == Q2.start
    open_one = Action.objects.get(school=rakhmanov, kind="psychologist")
    assert open_one.done_on is None and open_one.due_on == dt.date(2026, 11, 22)  # in the psychologist's My work


def check_writers_said_solved_in_2_of_5_for_the_yard(rakhmanov):
    answers = (
        FollowUp.objects.filter(appeal__in=in_quarter(rakhmanov, Q3, category="bullying", place="yard"), solved__gt="")
        .values("solved")
        .annotate(n=Count("pk"))
    )
    assert {row["solved"]: row["n"] for row in answers} == {"yes": 2, "partly": 2, "no": 1}


def check_every_closed_case_has_its_measures_in_the_clear_and_in_column_f(rakhmanov):
    closed = Appeal.objects.filter(status="closed")
    assert closed.count() > 100
    assert not closed.exclude(pk__in=Measure.objects.values("appeal")).exists()
    assert Appeal.objects.filter(school=rakhmanov).exclude(place="").count() > 150
    for volume in Volume.objects.all():
        assert journal_verify(volume).ok
    column_f = Record.objects.filter(kind="amendment", fields__event="measures", sealed__isnull=False)
    assert not closed.exclude(pk__in=column_f.values("appeal")).exists()


def check_the_other_school_records_fewer_facts(rakhmanov):
    gymnasium = School.objects.get(slug="gymnasium5")
    share = {
        school.slug: Appeal.objects.filter(school=school).exclude(place="").count()
        / Appeal.objects.filter(school=school).exclude(status="registered").count()
        for school in (rakhmanov, gymnasium)
    }
    assert share["rakhmanov"] > 0.8 and share["gymnasium5"] < 0.65


def test_the_demo_tells_the_story_of_its_last_quarter(rakhmanov):
    """One test for the whole story: building the demo year takes half a minute."""
    check_bullying_in_the_yard_for_grades_5_6_rises_and_smoking_in_the_toilets_falls(rakhmanov)
    check_the_measures_decided_and_what_became_of_them(rakhmanov)
    check_writers_said_solved_in_2_of_5_for_the_yard(rakhmanov)
    check_every_closed_case_has_its_measures_in_the_clear_and_in_column_f(rakhmanov)
    check_the_other_school_records_fewer_facts(rakhmanov)
