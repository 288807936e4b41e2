"""The reports in a real browser on a phone-sized screen: charts show, the strict CSP holds, the report prints."""

import pytest
from django.utils import timezone

from reports.periods import quarter_of
from reports.services import quarterly_report_draft
from schools.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_director_sees_charts_writes_the_analysis_and_downloads_the_report(page, demo, submit):
    for category in ("bullying", "bullying", "smoking", "wish"):
        submit(demo, received=timezone.now(), category=category, grade=6)
    report = quarterly_report_draft(school=demo, period=quarter_of(demo, timezone.localdate()).shifted(-1))
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill("director")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto("/staff/rakhmanov/reports/")

    charts = page.locator("figure.chart img")
    assert charts.count() >= 4
    assert all(charts.nth(i).evaluate("img => img.naturalWidth > 0") for i in range(charts.count()))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # only tables scroll, inside their box

    page.goto(f"/staff/rakhmanov/reports/quarterly/{report.pk}/")
    page.locator("textarea[name=analysis]").fill("Тыныгууда көзөмөл аз.")
    page.locator("textarea[name=measures]").fill("Кезметчилик графиги.")
    page.locator("form[action$='/write/'] button").click()
    page.wait_for_load_state()
    assert page.locator(".messages li").count() == 1
    with page.expect_download() as download:
        page.locator("a[href$='report.pdf?language=ru']").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert not [p for p in problems if "Content Security Policy" in p], problems
