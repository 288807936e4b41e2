import datetime as dt

from appeals.models import Appeal, FollowUp
from reports.counts import counts_verify
from reports.periods import quarter_in
from reports.presentation import grade_section, headline, masked, sections
from reports.selectors import figures, in_period, per_school, period_figures, quarter_figures, school_appeals
from reports.tests.conftest import at
from schools.models import School

Q3 = quarter_in("calendar", dt.date(2026, 8, 1))


def q3(school, today=None) -> dict:
    """The quarter's figures as the kept counts give them, checked against the same from the rows."""
    kept = period_figures(school, Q3, today=today)
    assert kept == figures(in_period(school_appeals(school), Q3), today=today)
    assert counts_verify() == []
    return kept


def test_it_counts_a_quarter_by_every_dimension(demo, submit):
    submit(demo, received=at("2026-07-02"), category="bullying", grade=7, urgent=True)
    submit(demo, received=at("2026-08-10"), category="smoking", channel="paper", author_kind="parent", grade=7)
    submit(demo, received=at("2026-09-30", 23), category="bullying", anonymous=False, author_kind="citizen")
    submit(demo, received=at("2026-10-01", 1), category="wish")  # the next quarter
    submit(demo, received=at("2026-06-30", 23), category="wish")  # the quarter before

    f = q3(demo, today=dt.date(2026, 10, 1))

    assert f["total"] == 3
    assert f["category"]["bullying"] == 2 and f["category"]["smoking"] == 1 and f["category"]["wish"] == 0
    assert f["channel"] == {"online": 2, "paper": 1}
    assert f["author_kind"] == {"student": 1, "parent": 1, "citizen": 1}
    assert f["grade"]["7"] == 2 and f["grade"]["none"] == 1
    assert f["anonymous"] == 2 and f["urgent"] == 1
    assert f["days_to_register"] == 0.0  # one hour, in days


def test_it_counts_overdue_cases_after_any_extension(demo, submit):
    day = at("2026-07-01")
    submit(demo, received=day, due_on=dt.date(2026, 7, 20))  # open, late
    submit(demo, received=day, due_on=dt.date(2026, 7, 20), extended_due_on=dt.date(2026, 12, 1))  # extended
    submit(demo, received=day, due_on=dt.date(2026, 7, 20), status="closed", closed_at=at("2026-07-20", 15))  # on time
    submit(demo, received=day, due_on=dt.date(2026, 7, 20), status="closed", closed_at=at("2026-07-21", 9))  # late

    f = q3(demo, today=dt.date(2026, 10, 1))

    assert f["overdue"] == 2
    assert f["open"] == 2 and f["closed"] == 2
    assert f["days_to_answer"] is not None


def test_it_counts_what_writers_said_after_closure(demo, submit):
    for solved in ("yes", "yes", "no", ""):
        appeal = submit(demo, received=at("2026-08-01"), status="closed", closed_at=at("2026-08-05"))
        FollowUp.objects.create(
            appeal=appeal,
            writer_key_id="00000000-0000-0000-0000-000000000001",
            writer_public_key=b"k" * 32,
            solved=solved,
        )

    f = q3(demo)

    assert f["feedback"] == {"yes": 2, "partly": 0, "no": 1}
    rows = {row.label: row for row in headline(f)}
    assert rows["Writers who said the problem was solved"].share == 67


def test_it_compares_with_the_previous_quarter_and_a_year_before(demo, submit):
    submit(demo, received=at("2026-08-01"), category="smoking")
    submit(demo, received=at("2026-08-02"), category="smoking")
    submit(demo, received=at("2026-05-01"), category="smoking")
    submit(demo, received=at("2025-08-01"), category="smoking")

    quarter = quarter_figures(demo, Q3)
    row = next(r for r in sections(quarter, with_charts=False)[0].rows if r.label == "smoking, nasvay, alcohol")

    assert (row.count, row.previous, row.year_before) == (2, 1, 1)
    assert row.trend == 100


def test_it_shows_small_grade_groups_as_fewer_than_five(demo, submit):
    for _ in range(4):
        submit(demo, received=at("2026-08-01"), grade=3)
    for _ in range(5):
        submit(demo, received=at("2026-08-01"), grade=9)

    quarter = quarter_figures(demo, Q3)
    shown = {row.label: row.shown for row in grade_section(quarter, with_chart=True).rows}

    assert shown["grade 3"] == "fewer than 5"
    assert shown["grade 9"] == "5"
    assert shown["grade 1"] == "0"
    assert masked(None) == "—"


def test_it_leaves_appeals_sent_to_the_district_out_of_the_school_figures(demo, submit):
    appeal = submit(demo, received=at("2026-08-01"))
    Appeal.objects.filter(pk=appeal.pk).update(district=demo.district)

    assert q3(demo)["total"] == 0
    row = next(r for r in per_school(demo.district, Q3) if r["school"] == demo)
    assert row["total"] == 1 and row["to_district"] == 1


def test_it_counts_a_district_per_school_from_the_kept_counts(demo, submit, django_assert_max_num_queries):
    other = School.objects.get(slug="gymnasium5")
    submit(demo, received=at("2026-08-01"), urgent=True)
    submit(other, received=at("2026-08-01"))
    submit(other, received=at("2026-08-02"))
    district = demo.district

    with django_assert_max_num_queries(3):  # the counts, the open ones by due day, the schools
        rows = per_school(district, Q3)

    counts = {row["school"].slug: (row["total"], row["urgent"]) for row in rows}
    assert counts == {"rakhmanov": (1, 1), "gymnasium5": (2, 0)}


def test_a_chart_is_drawn_once_for_the_same_figures_and_anew_when_they_change():
    from django.utils import translation

    from reports import charts

    labels, counts = ["bullying", "food"], [7, 3]
    first = charts.bars("Categories", labels, counts)
    drawn = charts._bars.cache_info().misses
    assert charts.bars("Categories", list(labels), list(counts)) is first  # kept: not drawn again
    assert charts._bars.cache_info().misses == drawn
    changed = charts.bars("Categories", labels, [8, 3])
    value = '<desc class="value">8</desc>'
    assert value in changed and value not in first  # a new appeal: a new chart
    # a masked chart says "fewer than N" in the page's language: one kept chart per language
    with translation.override("ru"):
        ru = charts.suppressed_bars("Классы", ["7", "8"], [1, 9])
    with translation.override("en"):
        en = charts.suppressed_bars("Классы", ["7", "8"], [1, 9])
    assert "fewer than" in en and "fewer than" not in ru
