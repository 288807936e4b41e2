import csv
import io
import re

import pytest
from openpyxl import load_workbook

from reports.models import ReportLanguage, WeeklySummary
from reports.services import weekly_summary_build
from reports.tests.conftest import at
from schools.models import School


@pytest.fixture
def appeals(demo, submit):
    """A few appeals at both demo schools in the current quarter (so pages show figures)."""
    from django.utils import timezone

    now = timezone.now()
    other = School.objects.get(slug="gymnasium5")
    made = [submit(demo, received=now, category="bullying", grade=5, urgent=True) for _ in range(6)]
    made += [submit(other, received=now, category="smoking") for _ in range(2)]
    return made


def _no_inline_code(html: str) -> None:
    assert ' style="' not in html and "onclick" not in html
    assert re.findall(r"<script[^>]*>", html) == [re.search(r"<script[^>]*>", html).group(0)]
    assert "src=" in re.search(r"<script[^>]*>", html).group(0)


def test_the_dashboard_shows_open_cases_and_the_quarter_with_charts(
    appeals, login, client, django_assert_max_num_queries
):
    login("director")
    with django_assert_max_num_queries(30):
        page = client.get("/staff/rakhmanov/reports/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in html
    assert f">{appeals[0].journal_number}<" in html  # the case list, by journal number
    assert "Тест кайрылуусу" not in html  # never content
    _no_inline_code(html)


def test_the_dashboard_asks_the_same_number_of_queries_for_many_cases(demo, submit, login, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    login("director")
    submit(demo, received=timezone.now())
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/rakhmanov/reports/")
    for _ in range(10):
        submit(demo, received=timezone.now())
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/rakhmanov/reports/")
    assert len(many) == len(few)


def test_a_handler_sees_the_figures_but_not_the_list_of_cases(appeals, login, client):
    login("socped")
    html = client.get("/staff/rakhmanov/reports/").content.decode()
    assert "data:image/svg+xml" in html and "/appeals/" not in html.split("<main")[1].split("quarter")[0]


def test_another_school_or_an_outsider_gets_not_found(appeals, login, client):
    login("director2")
    assert client.get("/staff/rakhmanov/reports/").status_code == 404
    assert client.get("/district/osh/").status_code == 404


def test_the_district_sees_every_school_anonymised_and_who_is_out_of_order(
    appeals, login, client, django_assert_max_num_queries
):
    login("district")
    with django_assert_max_num_queries(40):
        page = client.get("/district/osh/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "N. Rakhmanov Secondary School" in html and "School-Gymnasium No. 5" in html
    assert "fewer than 5" in html  # gymnasium No. 5 had two appeals
    assert "Тест" not in html
    assert html.count('href="/staff/rakhmanov/reports/compliance/"') == 1
    _no_inline_code(html)


def test_the_district_exports_its_schools_and_statistics(appeals, login, client):
    login("district")
    rows = list(
        csv.reader(
            io.StringIO(client.get("/district/osh/?format=csv".replace("?", "export/?")).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][0] == "school" and len(rows) == 3
    assert "fewer than 5" in {cell for row in rows for cell in row}
    book = load_workbook(io.BytesIO(client.get("/district/osh/export/?what=statistics&format=xlsx").content))
    assert book.active.max_row > 20


def test_it_exports_the_quarter_statistics_and_the_journal_without_personal_columns(appeals, login, client):
    login("director")
    stats = client.get("/staff/rakhmanov/reports/export/statistics/?format=csv")
    rows = list(csv.reader(io.StringIO(stats.content.decode("utf-8-sig"))))
    assert ["By category", "bullying or violence", "6", "0", "0"] in rows
    journal = client.get("/staff/rakhmanov/reports/export/journal/?format=xlsx")
    sheet = load_workbook(io.BytesIO(journal.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "serial number" and len(values) == 7
    assert all("Тест" not in str(v) for row in values for v in row)
    assert client.get("/staff/rakhmanov/reports/export/journal/?format=pdf").status_code == 404


def test_the_director_chooses_the_language_of_report_emails(demo, login, client):
    login("director")
    response = client.post("/staff/rakhmanov/reports/language/", {"language": "ru"})
    assert response.status_code == 302
    assert ReportLanguage.objects.get(user__username="director").language == "ru"
    client.post("/staff/rakhmanov/reports/language/", {"language": "xx"})
    assert ReportLanguage.objects.get(user__username="director").language == "ru"


def test_weekly_summaries_are_listed_and_shown(appeals, login, client):
    summary = weekly_summary_build(school=appeals[0].school, on=at("2026-11-20").date())
    login("director")
    assert client.get("/staff/rakhmanov/reports/weekly/").status_code == 200
    page = client.get(f"/staff/rakhmanov/reports/weekly/{summary.pk}/").content.decode()
    assert summary.figures["journal"]["head_hash"] in page
    assert WeeklySummary.objects.count() == 1
