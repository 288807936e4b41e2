"""The analysis on fixed data: the tables, the rise test, what worked, actions, and every figure of the draft."""

import datetime as dt
import math
import re

import pytest
from django.utils import translation
from django.utils.text import capfirst

from appeals.models import Appeal, FollowUp, Involvement, Measure
from reports.analysis import district_analysis, school_analysis
from reports.analysis_stats import betainc, binomial_at_least, clopper_pearson, false_discoveries, rate_ratio
from reports.analysis_text import ActionFact, CategoryFact, MeasureFact, TotalFact, draft, facts, on_day
from reports.models import Action, Subject, SubjectTag
from reports.periods import quarter_in
from reports.tests.conftest import at

Q3 = quarter_in("calendar", dt.date(2026, 8, 1))


# --- the statistics against known values -----------------------------------------


def test_the_incomplete_beta_and_the_binomial_tail_match_known_values():
    assert betainc(2, 3, 0.4) == pytest.approx(0.5248, abs=1e-12)  # 1 - (0.6^4 + 4·0.4·0.6^3)
    assert binomial_at_least(9, 12, 0.5) == pytest.approx(299 / 4096, rel=1e-12)
    assert binomial_at_least(0, 5, 0.3) == 1.0 and binomial_at_least(6, 5, 0.3) == 0.0


def test_clopper_pearson_matches_the_published_interval():
    low, high = clopper_pearson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.1871, 0.8129)
    assert clopper_pearson(0, 10)[0] == 0.0 and round(clopper_pearson(0, 10)[1], 4) == 0.3085


def test_a_rise_is_flagged_only_when_the_whole_interval_is_above_one():
    nine_three = rate_ratio(9, 3)
    assert nine_three.ratio == 3.0 and nine_three.p_rise == pytest.approx(0.0730, abs=1e-4)
    assert round(nine_three.low, 2) == 0.75 and not nine_three.rise  # 9 after 3 may be chance
    twelve_two = rate_ratio(12, 2)
    assert twelve_two.p_rise == pytest.approx(106 / 16384) and twelve_two.low > 1 and twelve_two.rise
    assert rate_ratio(5, 0).ratio == math.inf and not rate_ratio(5, 0).rise  # 0.5^5 = 3 % > 2.5 %
    assert rate_ratio(6, 0).rise
    assert rate_ratio(2, 14).fall and not rate_ratio(2, 14).rise
    assert rate_ratio(0, 0).ratio is None and not rate_ratio(0, 0).rise


def test_large_counts_use_the_log_normal_interval():
    big = rate_ratio(12_000, 10_000)
    assert big.rise and big.low == pytest.approx(1.2 * math.exp(-1.959964 * math.sqrt(1 / 12_000 + 1 / 10_000)))


# --- a school's quarter, fixed ------------------------------------------------------

# (quarter start, category, place, band, count)
APPEALS = [
    ("2026-07-10", "bullying", "yard", "5-6", 6),
    ("2026-08-10", "bullying", "yard", "7-9", 2),
    ("2026-08-20", "bullying", "corridor", "5-6", 2),
    ("2026-09-01", "bullying", "", "", 2),
    ("2026-08-05", "smoking", "toilets", "7-9", 4),
    ("2026-07-20", "suggestion", "canteen", "", 3),
    ("2026-05-10", "bullying", "yard", "5-6", 1),
    ("2026-05-11", "bullying", "classroom", "1-4", 1),
    ("2026-04-15", "smoking", "toilets", "7-9", 5),
    ("2026-06-01", "suggestion", "canteen", "", 3),
    ("2025-08-10", "bullying", "yard", "5-6", 3),
    ("2026-02-10", "smoking", "toilets", "10-11", 2),
    ("2026-01-20", "bullying", "corridor", "5-6", 2),
]


@pytest.fixture
def quarter(demo, user):
    """The demo school's appeals of Q3 2026 and the quarters it is compared with; facts recorded."""
    made = {}
    for day, category, place, band, count in APPEALS:
        for n in range(count):
            received = at(day) + dt.timedelta(hours=n)
            made.setdefault((day, category), []).append(
                Appeal.objects.create(
                    school=demo,
                    channel="online",
                    author_kind="student",
                    category=category,
                    place=place,
                    grade_band=band,
                    status="closed",
                    received_at=received,
                    registered_at=received,
                    due_on=received.date() + dt.timedelta(days=15),
                    closed_at=received + dt.timedelta(days=5 if n % 3 else 20),  # every third one late
                    text_sealed=b"x",
                )
            )
    bullying = made[("2026-07-10", "bullying")] + made[("2026-08-10", "bullying")]
    for appeal in bullying[:5]:
        Involvement.objects.create(appeal=appeal, who="older")
    for appeal in bullying[5:7]:
        Involvement.objects.create(appeal=appeal, who="classmates")
    Involvement.objects.create(appeal=made[("2026-05-10", "bullying")][0], who="classmates")
    for appeal, solved in zip(bullying[:5], ["yes", "yes", "no", "partly", "partly"], strict=True):
        FollowUp.objects.create(appeal=appeal, writer_key_id="0" * 32, writer_public_key=b"k", solved=solved)
    staff = user("rakhmanov-psychologist") if _exists("rakhmanov-psychologist") else _anyone()
    # Measures: the January corridor cases (observed: they came back in the corridor in Q3);
    # the February toilets cases (observed; toilets came back in Q2 and Q3); two Q3 yard cases.
    for appeal in made[("2026-01-20", "bullying")]:
        Measure.objects.create(appeal=appeal, kind="talk_parents", taken_on=dt.date(2026, 1, 25), by=staff)
    for appeal in made[("2026-02-10", "smoking")]:
        Measure.objects.create(appeal=appeal, kind="discipline", taken_on=dt.date(2026, 2, 15), by=staff)
        Measure.objects.create(appeal=appeal, kind="talk_parents", taken_on=dt.date(2026, 2, 15), by=staff)
    for appeal in bullying[:2]:
        Measure.objects.create(appeal=appeal, kind="organisation", taken_on=dt.date(2026, 7, 20), by=staff)
    Action.objects.create(
        school=demo,
        title="a teacher on duty in the yard",
        kind="organisation",
        category="bullying",
        place="yard",
        owner=staff,
        decided_on=dt.date(2026, 5, 20),
        due_on=dt.date(2026, 6, 1),
        done_on=dt.date(2026, 5, 28),
    )
    Action.objects.create(
        school=demo,
        title="lock the back door of the toilets",
        kind="organisation",
        category="smoking",
        place="toilets",
        owner=staff,
        decided_on=dt.date(2026, 7, 3),
        due_on=dt.date(2026, 8, 1),
    )
    return made


def _exists(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).exists()


def _anyone():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.order_by("pk").first()


def _cell(cells, **key):
    return next(c for c in cells if all(getattr(c, k) == v for k, v in key.items()))


def test_the_cross_tables_count_each_quarter(demo, quarter):
    a = school_analysis(demo, Q3, today=dt.date(2026, 11, 1))
    bullying = _cell(a.categories, category="bullying")
    assert (bullying.now, bullying.previous, bullying.year_before) == (12, 2, 3)
    assert bullying.rising and a.categories[0] is bullying  # rising first
    yard = _cell(a.places["bullying"], place="yard")
    assert (yard.now, yard.previous, yard.year_before) == (8, 1, 3)
    assert [c.place for c in a.places["bullying"]] == ["yard", "corridor", "classroom"]  # blank place left out
    assert _cell(a.bands["bullying"], band="5-6").now == 8
    assert _cell(a.combos["bullying"], place="yard", band="5-6").now == 6
    assert (_cell(a.who["bullying"], who="older").now, _cell(a.who["bullying"], who="classmates").previous) == (5, 1)
    smoking = _cell(a.categories, category="smoking")
    assert (smoking.now, smoking.previous, smoking.rising) == (4, 5, False)
    assert a.feedback["bullying"] == (2, 5)
    assert a.total == 19


def test_what_worked_counts_cases_on_time_solved_and_came_back(demo, quarter):
    a = school_analysis(demo, Q3, today=dt.date(2026, 11, 1))
    rows = {row.kind: row for row in a.measures}
    # talk_parents: 2 January corridor cases (came back in the corridor in Q3) + 2 February toilets cases
    # (toilets again in Q2) = 4 observed, 4 came back; on time: n % 3 != 0, so one of each pair.
    talk = rows["talk_parents"]
    assert (talk.cases, talk.closed, talk.on_time, talk.observed, talk.came_back) == (4, 4, 2, 4, 4)
    assert (rows["discipline"].cases, rows["discipline"].came_back) == (2, 2)
    organisation = rows["organisation"]  # this quarter's cases: not observed yet
    assert (organisation.cases, organisation.observed, organisation.answered, organisation.solved) == (2, 0, 2, 2)
    assert [row.kind for row in a.measures] == ["talk_parents", "discipline", "organisation"]


def test_a_subject_tag_that_comes_back_counts_even_without_a_place(demo, quarter, user):
    staff = _anyone()
    case = Appeal.objects.create(
        school=demo, channel="paper", author_kind="parent", category="request", status="closed",
        received_at=at("2026-01-15"), text_sealed=b"x",
    )  # fmt: skip
    later = quarter[("2026-07-20", "suggestion")][0]
    subject = Subject.objects.create(school=demo, name="очередь в столовой")
    SubjectTag.objects.create(subject=subject, appeal=case)
    SubjectTag.objects.create(subject=subject, appeal=later)
    Measure.objects.create(appeal=case, kind="psychologist", taken_on=dt.date(2026, 1, 20), by=staff)
    row = next(r for r in school_analysis(demo, Q3).measures if r.kind == "psychologist")
    assert (row.cases, row.observed, row.came_back) == (1, 1, 1)
    SubjectTag.objects.filter(appeal=later).delete()
    row = next(r for r in school_analysis(demo, Q3).measures if r.kind == "psychologist")
    assert (row.observed, row.came_back) == (1, 0)


def test_actions_are_followed_up(demo, quarter):
    from reports.services import quarterly_report_draft

    a = school_analysis(demo, Q3, today=dt.date(2026, 11, 1))
    duty, door = a.actions
    assert duty.action.title == "a teacher on duty in the yard"
    assert (duty.on_time, duty.before, duty.after, duty.fell) == (True, 1, 8, False)  # Q2 yard 1, Q3 yard 8
    assert door.on_time is False and (door.before, door.after) == (4, None)  # decided in Q3: Q4 not over
    # Decided at the meeting on the Q2 report: the problem is compared from Q2 on.
    door.action.report = quarterly_report_draft(school=demo, period=Q3.shifted(-1))
    door.action.save()
    door = school_analysis(demo, Q3, today=dt.date(2026, 11, 1)).actions[1]
    assert (door.before, door.after, door.fell) == (5, 4, True)
    old = Action.objects.create(
        school=demo, title="old", kind="other", owner=duty.action.owner,
        decided_on=dt.date(2025, 1, 10), due_on=dt.date(2025, 2, 1), done_on=dt.date(2025, 1, 20),
    )  # fmt: skip
    assert old.pk not in [row.action.pk for row in school_analysis(demo, Q3).actions]  # done long ago


def test_every_figure_of_the_draft_comes_from_the_tables(demo, quarter):
    a = school_analysis(demo, Q3, today=dt.date(2026, 11, 1))
    told = facts(a)
    total = told[0]
    assert isinstance(total, TotalFact) and (total.now, total.previous, total.year_before) == (19, 10, 3)
    by_category = {f.category: f for f in told if isinstance(f, CategoryFact)}
    assert list(by_category) == ["bullying", "suggestion", "smoking"]  # the strongest rise first
    for fact in by_category.values():
        cell = _cell(a.categories, category=fact.category)
        assert (fact.now, fact.previous, fact.year_before, fact.rise) == (
            cell.now, cell.previous, cell.year_before, cell.rising,
        )  # fmt: skip
        tables = {"place": (a.places, "place"), "band": (a.bands, "band"), "who": (a.who, "who")}
        for part in fact.parts:
            table, attribute = tables[part.what]
            assert part.of == cell.now
            assert part.count == _cell(table[fact.category], **{attribute: part.value}).now
            assert part.count == max(c.now for c in table[fact.category])
        assert (fact.solved, fact.answered) == a.feedback.get(fact.category, (0, 0))
    assert [(p.what, p.value, p.count) for p in by_category["bullying"].parts] == [
        ("place", "yard", 8), ("band", "5-6", 8), ("who", "older", 5),
    ]  # fmt: skip
    actions = [f for f in told if isinstance(f, ActionFact)]
    assert [(f.title, f.before, f.after) for f in actions] == [(r.action.title, r.before, r.after) for r in a.actions]
    measures = [f for f in told if isinstance(f, MeasureFact)]
    for fact, row in zip(measures, a.measures, strict=False):
        assert (fact.kind, fact.cases, fact.on_time, fact.closed, fact.solved, fact.answered) == (
            row.kind, row.cases, row.on_time, row.closed, row.solved, row.answered,
        )  # fmt: skip
        assert (fact.came_back, fact.observed) == (row.came_back, row.observed)


def test_the_draft_reads_the_facts_in_english(demo, quarter):
    text = draft(school_analysis(demo, Q3, today=dt.date(2026, 11, 1)))
    assert text.startswith("This quarter: 19 appeals (10 last quarter, 3 a year before).")
    assert (
        "bullying or violence: 12 appeals (2 last quarter, 3 a year before; a rise unlikely to be chance); "
        "where: school yard, 8 of 12; grades 5–6: 8 of 12; involved: older students, 5 of 12; "
        "writers who said “solved”: 2 of 5." in text.lower()
    )
    assert "smoking, nasvay, alcohol: 4 appeals (5 last quarter, 0 a year before)" in text.lower()
    assert (
        "The measure «a teacher on duty in the yard» decided on 20 May 2026 was carried out on 28 May 2026, "
        "on time. bullying or violence, school yard: 1 appeal in the quarter before the measure, "
        "8 appeals in the quarter after." in text.replace("Bullying", "bullying")
    )
    assert "is not carried out yet" in text
    assert (
        "talk with the parents: 4 cases; closed on time: 2 of 4; the problem came back within two quarters: 4 of 4."
        in text.lower()
    )


@pytest.mark.parametrize("language", ["ky", "ru", "uz"])
def test_the_draft_is_written_in_the_readers_language(demo, quarter, language):
    analysis = school_analysis(demo, Q3, today=dt.date(2026, 11, 1))
    with translation.override(language):
        text = draft(analysis)
        category = capfirst(str(dict(Appeal.Category.choices)["bullying"]))
    english = draft(analysis)
    assert category in text and "appeals" not in text and "last quarter" not in text
    assert sorted(re.findall(r"\d+", text)) == sorted(re.findall(r"\d+", english))  # the same figures


def test_days_inside_a_sentence_take_the_case_ending():
    assert on_day(dt.date(2026, 10, 3), "ky") == "2026-жылдын 3-октябрында"
    assert on_day(dt.date(2026, 4, 3), "ky") == "2026-жылдын 3-апрелинде"
    assert on_day(dt.date(2026, 10, 3), "ru") == "3 октября 2026 г."
    assert on_day(dt.date(2026, 10, 3), "uz") == "2026-yil 3-oktabrda"
    assert on_day(dt.date(2026, 10, 3), "en") == "3 October 2026"


# --- the district ----------------------------------------------------------------


def _more_in_the_yard(school, n=10):
    for k in range(n):
        Appeal.objects.create(
            school=school, channel="paper", author_kind="student", category="bullying", place="yard",
            grade_band="5-6", received_at=at("2026-09-10") + dt.timedelta(hours=k), text_sealed=b"x",
        )  # fmt: skip


def test_false_discoveries_match_the_benjamini_hochberg_example():
    assert false_discoveries([0.01, 0.04, 0.03, 0.005, 0.5]) == [True, True, True, True, False]
    assert false_discoveries([0.02] * 3 + [0.9] * 97) == [False] * 100  # 3 of 100 at 2 %: chance


def test_the_district_ranks_the_schools_whose_problems_rise(demo, quarter):
    from schools.models import School

    other = School.objects.get(slug="gymnasium5")
    for n in range(3):
        Appeal.objects.create(
            school=other, channel="paper", author_kind="student", category="bullying", place="yard",
            received_at=at("2026-08-01") + dt.timedelta(hours=n), text_sealed=b"x",
        )  # fmt: skip
    a = district_analysis(demo.district, Q3, today=dt.date(2026, 11, 1))
    assert a.schools == []  # 12 after 2 is unlikely by chance alone, but not among all the cells compared
    assert _cell(a.categories, category="bullying").now == 15  # both schools
    _more_in_the_yard(demo)
    kept = district_analysis(demo.district, Q3, today=dt.date(2026, 11, 1))
    assert kept.schools == [] and _cell(kept.categories, category="bullying").now == 15  # the day's facts are kept
    a = district_analysis(demo.district, Q3, today=dt.date(2026, 11, 1), max_age=dt.timedelta(0))
    ranked = [(c.school_id, c.category, c.place, c.now, c.previous) for c in a.schools]
    assert ranked == [(demo.pk, "bullying", "", 22, 2), (demo.pk, "bullying", "yard", 18, 1)]  # p 2e-5, 4e-5
    # The district counts only the cases whose two following quarters are over (Q1 and Q2 here).
    assert {row.kind: row.cases for row in a.measures} == {"talk_parents": 4, "discipline": 2}


# --- the report's page and documents -----------------------------------------------


def test_the_report_page_opens_with_the_draft_and_keeps_what_was_written(demo, quarter, login, client):
    from reports.services import quarterly_report_draft, quarterly_report_write

    report = quarterly_report_draft(school=demo, period=Q3)
    login("director")
    page = client.get(f"/staff/{demo.slug}/reports/quarterly/{report.pk}/").content.decode()
    textarea = re.search(r'<textarea name="analysis"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "This quarter: 19 appeals (10 last quarter, 3 a year before)." in textarea
    assert "school yard, 8 of 12" in textarea and "a teacher on duty in the yard" in textarea
    bullying = rate_ratio(12, 2)
    assert "Hotspots: this quarter against the previous one" in page
    assert '<td>Bullying or violence</td><td class="num">12</td><td class="num">2</td>' in page
    assert f"{bullying.low:.2f}–{bullying.high:.2f}" in page and "6.00" in page
    quarterly_report_write(report=report, analysis="Our own words.", measures="m", actor=None)
    page = client.get(f"/staff/{demo.slug}/reports/quarterly/{report.pk}/").content.decode()
    assert re.search(r'<textarea name="analysis"[^>]*>\s*Our own words.</textarea>', page)


def test_the_report_documents_print_the_draft_and_the_tables(demo, quarter):
    import io

    from docx import Document

    from ishenim.document_registry import DOCUMENTS
    from reports.services import quarterly_report_draft

    report = quarterly_report_draft(school=demo, period=Q3)
    docx = Document(io.BytesIO(DOCUMENTS["quarterly_report"].render(report, language="en", fmt="docx")))
    text = "\n".join(p.text for p in docx.paragraphs)
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    assert "This quarter: 19 appeals (10 last quarter, 3 a year before)." in text
    assert "Bullying or violence — school yard" in cells and "talk with the parents".capitalize() in cells
    assert any(shape for shape in docx.inline_shapes)  # the charts are images in the Word file too


def test_the_district_page_ranks_rising_problems_masks_small_counts_and_links_final_reports(
    demo, quarter, login, client
):
    from reports.services import quarterly_report_draft, quarterly_report_finalise, quarterly_report_write

    _more_in_the_yard(demo)
    report = quarterly_report_draft(school=demo, period=Q3)
    quarterly_report_write(report=report, analysis="a", measures="m", actor=None)
    quarterly_report_finalise(report=report, discussed_on=dt.date(2026, 10, 3), actor=None)
    login("district")
    page = client.get(f"/district/{demo.district.slug}/analysis/?on=2026-08-01").content.decode()
    rising = page.split("Problems rising beyond chance, by school")[1].split("All schools together")[0]
    rows = re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>", rising
    )
    assert rows == [
        (demo.name, "Bullying or violence", "22", "fewer than 5"),
        (demo.name, "Bullying or violence — school yard", "18", "fewer than 5"),
    ]
    assert "18.00" not in rising and "11.00" not in rising  # a ratio would give the small previous count away
    assert f"/schools/quarterly/{report.pk}/report.pdf" in rising
    tables = page.split("All schools together")[1]
    assert '<td>Smoking, nasvay, alcohol</td><td class="num">fewer than 5</td>' in tables
    response = client.get(f"/district/{demo.district.slug}/analysis/report.docx?on=2026-08-01&language=en")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(f"/district/{demo.district.slug}/analysis/report.pdf?on=2026-08-01").status_code == 200


def test_a_school_cannot_read_the_district_analysis(demo, login, client):
    login("director")
    assert client.get(f"/district/{demo.district.slug}/analysis/").status_code in (403, 404)


def test_without_appeals_a_year_before_the_draft_does_not_claim_zero(demo, quarter):
    Appeal.objects.filter(school=demo, received_at__lt=at("2026-01-01")).delete()
    text = draft(school_analysis(demo, Q3, today=dt.date(2026, 11, 1)))
    assert text.startswith("This quarter: 19 appeals (10 last quarter).") and "a year before" not in text


# --- the demo's story --------------------------------------------------------------------


def test_the_demo_q3_draft_names_the_hotspot_and_what_became_of_the_measures(demo):
    from reports.analysis_text import on_day
    from reports.demo import demo_appeals
    from schools.models import School

    demo_appeals(now=at("2026-11-20", 12))
    school = School.objects.get(slug="rakhmanov")
    analysis = school_analysis(school, Q3, today=dt.date(2026, 11, 20))
    first = facts(analysis)[1]
    assert isinstance(first, CategoryFact) and first.category == "bullying"  # the strongest rise comes first
    assert [(p.what, p.value, p.count, p.of) for p in first.parts] == [
        ("place", "yard", 18, 20), ("band", "5-6", 18, 20), ("who", "older", 16, 20),
    ]  # fmt: skip
    text = draft(analysis)
    assert "Bullying or violence: 20 appeals (4 last quarter; a rise unlikely to be chance)" in text
    assert first.rise
    assert "where: school yard, 18 of 20; grades 5–6: 18 of 20; involved: older students, 16 of 20" in text
    duty = Action.objects.get(school=school, place="yard")
    assert (
        f"The measure «{duty.title}» decided on {on_day(duty.decided_on)} was carried out on {on_day(duty.done_on)}, "
        "on time." in text
    )
    district = district_analysis(school.district, Q3, today=dt.date(2026, 11, 20), max_age=dt.timedelta(0))
    assert (school.pk, "bullying") in [(c.school_id, c.category) for c in district.schools][:2]  # ranked first
    toilets = Action.objects.get(school=school, place="toilets")
    assert f"«{toilets.title}»" in text
    assert (
        "Smoking, nasvay, alcohol, toilets: 8 appeals in the quarter before the measure, "
        "2 appeals in the quarter after." in text
    )


def test_the_night_tick_refreshes_each_districts_quarter_facts(demo, quarter):
    from django.core.management import call_command

    from reports.models import QuarterFacts

    call_command("tick", "--now", "2026-11-02T09:00")
    assert not QuarterFacts.objects.exists()  # in the day, nothing
    call_command("tick", "--now", "2026-11-03T02:00")
    rows = QuarterFacts.objects.filter(school=demo)
    assert rows.count() == 6  # the running quarter, Q3 2026 and the four before it
    q3 = rows.get(period_start=dt.date(2026, 7, 1)).counts
    assert ["bullying", "yard", 8] in q3["places"] and ["bullying", "5-6", 8] in q3["bands"]
    assert ["bullying", "older", 5] in q3["who"] and ["bullying", 2, 5] in q3["feedback"]
    january = rows.get(period_start=dt.date(2026, 1, 1)).counts["measures"]  # its two quarters after are over
    assert ["talk_parents", 4, 4, 2, 0, 0, 4, 4] in january  # cases, closed, on time, answered, solved, observed, back


def test_the_report_page_reads_the_analysis_in_russian(demo, quarter, login, client, settings):
    from reports.services import quarterly_report_draft

    report = quarterly_report_draft(school=demo, period=Q3)
    login("director")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(f"/staff/{demo.slug}/reports/quarterly/{report.pk}/").content.decode()
    assert "95%-й доверительный интервал" in page and "95% интервал" in page  # a % in a translated label
    assert "В этом квартале: 19 обращений (в прошлом квартале 10, годом ранее 3)." in page
    assert "A rise is marked" not in page and "rate ratio" not in page
