"""The counts kept per school and month (`reports.counts`): moved by the database in the statement
that changes an appeal, the same as counting the rows, and checked against them."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from appeals.models import Appeal, FollowUp
from appeals.services.cases import case_consider, case_correct, case_dismiss, case_extend, case_reopen
from reports.counts import counts_rebuild, counts_verify
from reports.models import FigureCount, OpenDueCount
from reports.periods import quarter_in
from reports.selectors import figures, in_period, open_cases, per_school, period_figures, school_appeals
from reports.tests.conftest import at

Q3 = quarter_in("calendar", dt.date(2026, 8, 1))
Q4 = quarter_in("calendar", dt.date(2026, 11, 1))
TODAY = dt.date(2026, 11, 20)


def same_as_rows(school, period, today=TODAY) -> dict:
    kept = period_figures(school, period, today=today)
    assert kept == figures(in_period(school_appeals(school), period), today=today)
    assert period_figures(school.district, period, today=today) == figures(
        in_period(Appeal.objects.filter(school__district=school.district), period), today=today
    )
    assert counts_verify() == []
    return kept


def test_a_change_of_status_moves_the_appeal_between_groups(demo, submit, user):
    director = user("director")
    appeal = submit(demo, received=at("2026-11-02"), due_on=dt.date(2026, 11, 16))
    before = same_as_rows(demo, Q4)
    assert before["status"]["registered"] == 1 and before["overdue"] == 1

    case_consider(appeal=appeal, actor=director)
    assert same_as_rows(demo, Q4)["status"] == before["status"] | {"registered": 0, "considering": 1}

    case_extend(appeal=appeal, due_on=dt.date(2026, 11, 30), reason="Күтүп жатабыз", actor=director)
    assert same_as_rows(demo, Q4)["overdue"] == 0  # the extension moved its due day past today

    case_dismiss(appeal=appeal, reason="duplicate", details="", actor=director)
    dismissed = same_as_rows(demo, Q4)
    assert dismissed["open"] == 0 and dismissed["closed"] == 1 and dismissed["answered"] == 1

    case_reopen(appeal=appeal, reason="Жазуучу жооп бербеди", actor=director)
    case_correct(appeal=appeal, summary="", category="smoking", actor=director)
    reopened = same_as_rows(demo, Q4)
    assert reopened["open"] == 1 and reopened["category"]["smoking"] == 1 and reopened["category"]["bullying"] == 0
    assert open_cases(demo, today=TODAY)["open"] == 1


def test_the_month_is_the_local_one_at_a_quarter_boundary(demo, submit):
    submit(demo, received=at("2026-09-30", 23))  # 17:00 UTC: September in Bishkek and in UTC
    submit(demo, received=at("2026-10-01", 1))  # 19:00 UTC on 30 September: October in Bishkek

    assert same_as_rows(demo, Q3)["total"] == 1
    assert same_as_rows(demo, Q4)["total"] == 1
    months = FigureCount.objects.filter(dimension="status", n__gt=0).values_list("month", flat=True)
    assert sorted(months) == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]


def test_writers_answers_deletions_and_moves_to_the_district_are_counted(demo, submit):
    kept = [submit(demo, received=at("2026-08-03"), status="closed", closed_at=at("2026-08-20")) for _ in range(3)]
    for appeal, solved in zip(kept, ("yes", "", "no"), strict=True):
        FollowUp.objects.create(appeal=appeal, writer_key_id=f"00000000-0000-0000-0000-00000000000{appeal.pk % 10}",
                                writer_public_key=b"k" * 32, solved=solved)  # fmt: skip
    FollowUp.objects.filter(appeal=kept[1]).update(solved="partly")
    assert same_as_rows(demo, Q3)["feedback"] == {"yes": 1, "partly": 1, "no": 1}

    Appeal.objects.filter(pk=kept[0].pk).update(status="considering", closed_at=None)  # the answer moves with it
    FollowUp.objects.filter(appeal=kept[2]).delete()
    assert same_as_rows(demo, Q3)["feedback"] == {"yes": 1, "partly": 1, "no": 0}

    Appeal.objects.filter(pk=kept[1].pk).update(district=demo.district)
    assert same_as_rows(demo, Q3)["total"] == 2
    row = next(r for r in per_school(demo.district, Q3, today=TODAY) if r["school"] == demo)
    assert (row["total"], row["to_district"]) == (3, 1)


def test_verify_finds_a_count_that_differs_from_the_rows_and_rebuild_mends_it(demo, submit, capsys):
    submit(demo, received=at("2026-08-03"), due_on=dt.date(2026, 8, 20))
    submit(demo, received=at("2026-08-04"), due_on=dt.date(2026, 8, 20))
    call_command("figures", "verify")
    assert "agree" in capsys.readouterr().out

    FigureCount.objects.update(n=7)
    OpenDueCount.objects.filter(n__gt=0).update(due=dt.date(2026, 9, 1))
    problems = counts_verify()
    assert any("n is 2 in the rows, 7 kept" in p for p in problems)
    assert any(p.startswith("open, due") for p in problems)
    with pytest.raises(CommandError):
        call_command("figures", "verify")

    call_command("figures", "rebuild")
    assert counts_verify() == []
    assert counts_rebuild() == FigureCount.objects.count() == 5  # one row per dimension
