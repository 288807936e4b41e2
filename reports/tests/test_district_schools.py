"""The district officer sees every school's exact workload and opens its finalised quarterly reports."""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from reports.models import QuarterlyReport
from reports.periods import quarter_in
from reports.services import quarterly_report_draft
from schools.models import School

pytestmark = pytest.mark.django_db

PAGE = "/district/osh/schools/"


def submit(school, **fields):
    fields.setdefault("category", "request")
    fields.setdefault("author_kind", "student")
    text = fields.pop("text", "Мектептин короосунда жарык жок.")
    return appeal_submit(school=school, text=text, receipt_code=receipt_code_new(), **fields)


def test_it_shows_exact_counts_per_school_without_small_count_suppression(client, demo, login):
    late = submit(demo)
    Appeal.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    submit(demo, text="Мени коркутушат, үйгө баргым келбейт.", urgent=True)
    submit(School.objects.get(slug="gymnasium5"))
    login("district")
    response = client.get(PAGE)
    assert response.status_code == 200
    rows = {row["school"].slug: row for row in response.context["rows"]}
    assert rows["rakhmanov"]["open"] == 2 and rows["rakhmanov"]["overdue"] == 1
    assert rows["rakhmanov"]["urgent"] == 1 and rows["rakhmanov"]["unacknowledged"] == 1
    assert rows["rakhmanov"]["unanswered"] == 2 and rows["gymnasium5"]["open"] == 1
    assert "fewer than" not in response.content.decode() and "&lt;5" not in response.content.decode()


def test_it_opens_finalised_reports_only_and_only_to_the_district(client, demo, login):
    period = quarter_in(School.QuarterMode.CALENDAR, timezone.localdate() - dt.timedelta(days=100))
    report = quarterly_report_draft(school=demo, period=period)
    login("district")
    assert client.get(f"{PAGE}quarterly/{report.pk}/report.pdf").status_code == 404  # a draft is the school's
    QuarterlyReport.objects.filter(pk=report.pk).update(state=QuarterlyReport.State.FINAL)
    pdf = client.get(f"{PAGE}quarterly/{report.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(f"{PAGE}quarterly/{report.pk}/report.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert f"quarterly/{report.pk}/report.pdf" in client.get(PAGE).content.decode()
    for username in ("director", "responsible", "parent"):
        login(username)
        assert client.get(f"{PAGE}quarterly/{report.pk}/report.pdf").status_code == 404, username
        assert client.get(PAGE).status_code == 404, username
