import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.models import Appeal
from commission.models import Commission, Election, Meeting, Member, Order
from journal.models import Record
from openings.models import Opening
from reports.compliance import ATTENTION, BROKEN, KEPT, compliance
from reports.models import Attestation, QuarterlyReport, WeeklySummary
from reports.tests.conftest import at
from schools.models import BoxHours, HelpNumber, Membership, Role, School

NOW = at("2026-11-20", 12)  # a Friday


@pytest.fixture
def school(demo):
    School.objects.filter(pk=demo.pk).update(created_at=at("2025-09-01"))
    demo.refresh_from_db()
    return demo


def check(school, code, now=NOW, deep=True):
    return next(c for c in compliance([school], now=now, deep=deep)[school.pk] if c.code == code)


def test_r05_hours_kept_when_set_and_broken_when_none(school):
    assert check(school, "R05").status == KEPT
    BoxHours.objects.filter(school=school).delete()
    result = check(school, "R05")
    assert result.status == BROKEN and "No hours" in result.evidence and result.todo


def _attest(school, code, on=dt.date(2026, 9, 10), username="director"):
    user = school.memberships.get(user__username=username).user
    return Attestation.objects.create(
        school=school, requirement=code, confirmed_on=on, confirmed_by=user, note="Текшерилди, тизме кол коюлган."
    )


def test_r06_public_page_broken_without_the_school_website_and_kept_only_once_confirmed(school):
    result = check(school, "R06")
    assert result.status == BROKEN and "/s/rakhmanov/" in result.todo
    school.website = "https://rakhmanov.example"
    school.save()
    assert check(school, "R06").status == ATTENTION  # a filled-in address proves nothing
    _attest(school, "R06", on=dt.date(2026, 5, 20))  # last school year's does not count
    assert check(school, "R06").status == ATTENTION
    _attest(school, "R06")
    result = check(school, "R06")
    assert result.status == KEPT and "Confirmed by" in result.evidence and "2026-09-10" in result.evidence


def test_r02_broken_by_an_anonymous_appeal_that_carries_an_identity(school, submit):
    appeal = submit(school, received=at("2026-11-10"))
    assert check(school, "R02").status == KEPT
    Appeal.objects.filter(pk=appeal.pk).update(author_sealed=b"sealed name")
    result = check(school, "R02")
    assert result.status == BROKEN and "1 anonymous appeal" in result.evidence


def test_r02_needs_attention_for_a_signed_appeal_without_its_writer(school, submit):
    appeal = submit(school, received=at("2026-11-10"), anonymous=False)
    assert check(school, "R02").status == KEPT
    Appeal.objects.filter(pk=appeal.pk).update(author_sealed=None)
    assert check(school, "R02").status == ATTENTION


def test_r03_broken_when_a_way_in_drops_a_kind_of_the_regulation(school, monkeypatch):
    from appeals.forms import AppealForm

    assert check(school, "R03").status == KEPT
    field = AppealForm.base_fields["category"]
    monkeypatch.setattr(field, "choices", [c for c in field.choices if c[0] != Appeal.Category.CORRUPTION])
    result = check(school, "R03")
    assert result.status == BROKEN and "corruption" in result.evidence


def test_r21_broken_when_someone_without_the_role_holds_the_key_and_kept_once_instructed(school):
    from vault.models import KeyGrant

    result = check(school, "R21")
    assert result.status == ATTENTION and "Nobody has recorded" in result.evidence
    _attest(school, "R21")
    result = check(school, "R21")
    assert result.status == KEPT and "Confirmed by" in result.evidence
    director = school.memberships.get(role=Role.DIRECTOR)
    assert KeyGrant.objects.filter(user=director.user, key__scope=school.vault_scope).exists()
    Membership.objects.filter(pk=director.pk).update(role=Role.COMMISSION)  # the role goes, the key stays
    result = check(school, "R21")
    assert result.status == BROKEN and director.user.get_full_name() in result.evidence


def test_r23_broken_by_a_month_of_the_school_year_without_an_opening(school):
    user = school.memberships.get(role=Role.DIRECTOR).user
    Opening.objects.create(
        school=school, opened_at=at("2026-09-08", 12), place="фойе", status="done", new_seal_number="1", created_by=user
    )
    result = check(school, "R23")
    assert result.status == BROKEN and "2026-10" in result.evidence and "2026-09" not in result.evidence
    Opening.objects.create(
        school=school, opened_at=at("2026-10-06", 12), place="фойе", status="done", new_seal_number="2", created_by=user
    )
    assert check(school, "R23").status == KEPT
    assert check(school, "R23", now=at("2027-07-15", 12)).status == BROKEN  # November to May had none


def test_r07_help_numbers(school):
    assert check(school, "R07").status == KEPT
    HelpNumber.objects.filter(school=school).delete()
    assert check(school, "R07").status == BROKEN


def test_r08_broken_by_an_appeal_registered_days_after_it_arrived(school, submit):
    submit(school, received=at("2026-11-02", 12), registered_at=at("2026-11-02", 16))
    assert check(school, "R08").status == KEPT
    late = submit(school, received=at("2026-11-02", 12), registered_at=at("2026-11-05", 9))
    result = check(school, "R08")
    assert result.status == BROKEN and f"№ {late.journal_number}" in result.evidence


def test_r08_counts_working_days_so_a_weekend_does_not_break_it(school, submit):
    submit(school, received=at("2026-11-13", 15), registered_at=at("2026-11-16", 9))  # Friday → Monday
    assert check(school, "R08").status == KEPT


def test_r09_broken_when_the_journal_was_edited_behind_its_back(school, submit):
    submit(school, received=at("2026-11-02"))
    assert check(school, "R09").status == KEPT
    Record.objects.filter(volume__school=school).update(fields={"category": "wish"})
    result = check(school, "R09")
    assert result.status == BROKEN and "edited" in result.evidence


def test_r10_broken_without_a_responsible_person(school):
    assert check(school, "R10").status == KEPT
    Membership.objects.filter(school=school, role=Role.RESPONSIBLE).update(active=False)
    assert check(school, "R10").status == BROKEN


def test_r11_broken_by_an_overdue_case_and_kept_after_an_extension(school, submit):
    late = submit(school, received=at("2026-10-01"), due_on=dt.date(2026, 10, 20))
    result = check(school, "R11")
    assert result.status == BROKEN and "1 open case" in result.evidence
    Appeal.objects.filter(pk=late.pk).update(extended_due_on=dt.date(2026, 12, 1))
    assert check(school, "R11").status == KEPT


def _commission(school, *, members=3, parents=True, order=True):
    commission = Commission.objects.create(school=school)
    appointed = (
        Order.objects.create(commission=commission, number="12", issued_on=dt.date(2026, 9, 1)) if order else None
    )
    people = [
        Member.objects.create(
            commission=commission,
            full_name=f"Мүчө {n}",
            member_from=dt.date(2026, 9, 1),
            parents_representative=parents and n == 0,
            responsible=n == 1,
            order=appointed,
        )
        for n in range(members)
    ]
    return commission, people


def test_r12_the_commission_is_in_order_only_when_odd_with_a_parent_and_one_responsible(school):
    assert check(school, "R12").status == BROKEN  # nothing recorded
    _commission(school, members=2, parents=False)
    result = check(school, "R12")
    assert result.status == BROKEN
    assert "even" in result.evidence and "no parents' representative" in result.evidence


def test_r12_kept_for_an_odd_commission_by_order(school):
    _commission(school, members=3)
    assert check(school, "R12").status == KEPT


def test_r13_kept_once_chair_and_secretary_are_elected(school):
    commission, people = _commission(school)
    meeting = Meeting.objects.create(commission=commission, number=1, year=2026, held_on=dt.date(2026, 9, 5))
    Election.objects.create(meeting=meeting, office="chair", present=3, elected=people[0])
    result = check(school, "R13")
    assert result.status == BROKEN and "secretary" in result.evidence
    Election.objects.create(meeting=meeting, office="secretary", present=3, elected=people[2])
    assert check(school, "R13").status == KEPT


def test_r14_broken_when_both_half_years_are_short_of_signed_meetings(school):
    commission, _people = _commission(school)
    Meeting.objects.create(commission=commission, number=1, year=2026, held_on=dt.date(2026, 3, 1), status="final")
    Meeting.objects.create(commission=commission, number=2, year=2026, held_on=dt.date(2026, 9, 10), status="final")
    Meeting.objects.create(commission=commission, number=3, year=2026, held_on=dt.date(2026, 12, 10))  # planned
    result = check(school, "R14")
    assert result.status == BROKEN and "1 meeting(s) held" in result.evidence and "before: 1" in result.evidence
    assert "days are left" in result.todo


def test_r14_kept_when_this_half_year_has_two_signed_meetings_whatever_came_before(school):
    commission, _people = _commission(school)
    for n, day in enumerate([dt.date(2026, 9, 10), dt.date(2026, 10, 10)], start=1):
        Meeting.objects.create(commission=commission, number=n, year=2026, held_on=day)
    result = check(school, "R14")
    assert result.status == ATTENTION and "protocols" in result.todo  # held, not yet signed by all
    Meeting.objects.filter(commission=commission).update(status="final")
    result = check(school, "R14")
    assert result.status == KEPT and not result.todo  # never asks for meetings it already has


def test_r15_and_r16_broken_by_an_opening_without_act_or_new_seal(school):
    user = school.memberships.get(role=Role.DIRECTOR).user
    Opening.objects.create(
        school=school,
        opened_at=at("2026-11-17", 12),
        place="фойе",
        status="done",
        letters_found=2,
        act_number=None,
        new_seal_number="",
        created_by=user,
    )
    assert check(school, "R15").status == BROKEN
    assert check(school, "R16").status == BROKEN
    Opening.objects.update(act_number=1, new_seal_number="000123")
    assert check(school, "R15").status == KEPT and check(school, "R16").status == KEPT


def test_r04_broken_by_a_missed_opening_and_kept_when_each_was_held(school):
    user = school.memberships.get(role=Role.DIRECTOR).user
    for day in ("2026-10-27", "2026-11-03", "2026-11-10"):  # rakhmanov opens on Tuesdays
        Opening.objects.create(
            school=school,
            opened_at=at(day, 12),
            place="фойе",
            status="done",
            letters_found=0,
            new_seal_number="1",
            created_by=user,
        )
    result = check(school, "R04")
    assert result.status == BROKEN and "2026-11-17" in result.evidence
    Opening.objects.create(
        school=school,
        opened_at=at("2026-11-17", 12),
        place="фойе",
        status="done",
        letters_found=0,
        new_seal_number="2",
        created_by=user,
    )
    assert check(school, "R04").status == KEPT


def test_r18_kept_when_every_week_was_sent_and_broken_naming_the_missing_week(school):
    for week_end in ("2026-10-29", "2026-11-05", "2026-11-12", "2026-11-19"):
        end = dt.date.fromisoformat(week_end)
        WeeklySummary.objects.create(school=school, week_start=end - dt.timedelta(days=6), week_end=end, sent_at=NOW)
    assert check(school, "R18").status == KEPT
    WeeklySummary.objects.filter(week_end="2026-11-05").update(sent_at=None)
    result = check(school, "R18")
    assert result.status == BROKEN and "2026-11-05" in result.evidence


def test_r19_broken_when_the_report_is_past_its_due_date_and_kept_when_discussed_in_time(school):
    report = QuarterlyReport.objects.create(
        school=school,
        year=2026,
        quarter=3,
        mode="calendar",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        due_on=dt.date(2026, 10, 5),
    )
    assert check(school, "R19", now=at("2026-10-02")).status == ATTENTION
    result = check(school, "R19")
    assert result.status == BROKEN and "2026-10-05" in result.evidence
    QuarterlyReport.objects.filter(pk=report.pk).update(
        state="final", discussed_on=dt.date(2026, 10, 3), finalised_at=at("2026-10-03")
    )
    assert check(school, "R19").status == KEPT


def test_r22_broken_from_the_first_minute_by_an_urgent_appeal_nobody_said_they_are_on(school, submit):
    submit(school, received=at("2026-11-18"), urgent=True, status="considering", acknowledged_at=at("2026-11-18", 11))
    assert check(school, "R22").status == KEPT
    taken_up = submit(school, received=at("2026-11-18"), urgent=True, status="considering")
    assert check(school, "R22").status == BROKEN  # under consideration, yet nobody pressed "I am on it"
    Appeal.objects.filter(pk=taken_up.pk).update(acknowledged_at=at("2026-11-18", 12))
    submit(school, received=NOW - dt.timedelta(minutes=1), urgent=True)
    result = check(school, "R22")
    assert result.status == BROKEN and "1 min" in result.evidence  # counted from the first minute


def test_it_checks_a_whole_district_in_a_fixed_number_of_queries(school):
    schools = list(School.objects.all())
    with CaptureQueriesContext(connection) as one:
        compliance(schools[:1], now=NOW)
    with CaptureQueriesContext(connection) as both:
        result = compliance(schools, now=NOW)
    assert len(both) == len(one) <= 22
    assert len(result) == 2 and all(len(checks) == 23 for checks in result.values())


def test_the_director_and_the_district_see_the_page_a_handler_does_not(school, login, client):
    login("director")
    page = client.get("/staff/rakhmanov/reports/compliance/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="R01"' in text and 'id="R23"' in text
    assert "check-broken" in text and "check-kept" in text
    client.logout()
    login("district")
    page = client.get("/staff/rakhmanov/reports/compliance/")
    assert page.status_code == 200 and 'href="/district/osh/"' in page.content.decode()
    client.logout()
    login("socped")
    assert client.get("/staff/rakhmanov/reports/compliance/").status_code == 404


def test_the_director_records_an_attestation_the_responsible_person_cannot(school, login, client):
    from audit.models import AuditRecord

    url = "/staff/rakhmanov/reports/compliance/attest/"
    data = {"requirement": "R21", "confirmed_on": "2026-09-10", "note": "Инструктаж өттү, 12 кол."}
    login("responsible")
    assert client.post(url, data).status_code == 404
    client.logout()
    login("director")
    assert 'action="/staff/rakhmanov/reports/compliance/attest/"' in client.get(url[: -len("attest/")]).content.decode()
    response = client.post(url, {**data, "confirmed_on": "2099-01-01"})
    assert response.status_code == 400 and "Инструктаж өттү" in response.content.decode()  # nothing typed is lost
    assert client.post(url, {**data, "requirement": "R99"}).status_code == 404
    response = client.post(url, data)
    assert response.status_code == 302 and response.url.endswith("#R21")
    attestation = Attestation.objects.get(school=school)
    assert AuditRecord.objects.filter(action="ishenim.compliance.confirmed", object_id=str(attestation.pk)).exists()
