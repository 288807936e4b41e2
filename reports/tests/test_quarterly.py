import datetime as dt
import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from commission.models import AgendaItem, Commission, Meeting
from reports.models import QuarterlyReport, Subject
from reports.periods import quarter_in
from reports.services import (
    quarterly_report_draft,
    quarterly_report_finalise,
    quarterly_report_write,
    report_figures,
    subject_tag,
)
from reports.tests.conftest import at

Q3 = quarter_in("calendar", dt.date(2026, 8, 1))


@pytest.fixture
def report(demo):
    return quarterly_report_draft(school=demo, period=Q3)


def test_it_drafts_one_report_per_quarter(demo, report):
    again = quarterly_report_draft(school=demo, period=Q3)
    assert again.pk == report.pk
    assert (report.period_start, report.period_end, report.due_on) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 5),
    )


def test_it_freezes_the_figures_and_locks_the_report_once_discussed(demo, report, submit):
    submit(demo, received=at("2026-08-03"), category="smoking")
    quarterly_report_write(report=report, analysis="Причины: …", measures="1. Дежурство", actor=None)
    quarterly_report_finalise(report=report, discussed_on=dt.date(2026, 10, 3), actor=None)
    report.refresh_from_db()
    submit(demo, received=at("2026-08-04"), category="smoking")  # entered after the report was final

    assert report.locked and report.on_time
    assert report_figures(report)["current"]["total"] == 1
    with pytest.raises(ValidationError):
        quarterly_report_write(report=report, analysis="changed", measures="changed", actor=None)
    report.refresh_from_db()
    assert report.analysis == "Причины: …"


def test_it_refuses_to_finalise_without_analysis_or_with_a_wrong_date(report):
    with pytest.raises(ValidationError, match="analysis"):
        quarterly_report_finalise(report=report, discussed_on=dt.date(2026, 10, 3), actor=None)
    quarterly_report_write(report=report, analysis="a", measures="m", actor=None)
    with pytest.raises(ValidationError, match="after the end"):
        quarterly_report_finalise(report=report, discussed_on=dt.date(2026, 9, 1), actor=None)
    with pytest.raises(ValidationError, match="future"):
        quarterly_report_finalise(report=report, discussed_on=dt.date(2099, 1, 1), actor=None)
    report.refresh_from_db()
    assert report.state == QuarterlyReport.State.DRAFT


def test_it_marks_a_report_finalised_after_the_5th_as_late(report):
    quarterly_report_write(report=report, analysis="a", measures="m", actor=None)
    quarterly_report_finalise(report=report, discussed_on=dt.date(2026, 10, 9), actor=None)
    report.refresh_from_db()
    assert report.on_time is False


def test_staff_write_the_analysis_and_a_commission_member_only_reads_it(demo, report, login, client):
    login("responsible")
    response = client.post(
        f"/staff/rakhmanov/reports/quarterly/{report.pk}/write/",
        {"analysis": "Себептер: тыныгууда көзөмөл аз.", "measures": "Кезметчилик"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.measures == "Кезметчилик"

    client.logout()
    login("teacher")  # a commission member
    page = client.get(f"/staff/rakhmanov/reports/quarterly/{report.pk}/")
    assert page.status_code == 200 and "Себептер" in page.content.decode()
    refused = client.post(f"/staff/rakhmanov/reports/quarterly/{report.pk}/write/", {"analysis": "x", "measures": "y"})
    assert refused.status_code == 404


def test_it_keeps_what_was_typed_when_the_form_is_wrong(demo, report, login, client):
    login("responsible")
    response = client.post(
        f"/staff/rakhmanov/reports/quarterly/{report.pk}/write/", {"analysis": "x" * 10, "measures": ""}
    )
    assert response.status_code == 302  # measures may stay empty while drafting
    response = client.post(f"/staff/rakhmanov/reports/quarterly/{report.pk}/finalise/", {"discussed_on": "soon"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.analysis == "x" * 10 and report.state == QuarterlyReport.State.DRAFT


def test_it_puts_the_report_on_a_commission_meeting_agenda(demo, report, login, client):
    commission = Commission.objects.create(school=demo)
    meeting = Meeting.objects.create(commission=commission, number=1, year=2026, held_on=dt.date(2099, 10, 3))
    login("responsible")

    page = client.get(f"/staff/rakhmanov/reports/quarterly/{report.pk}/")
    assert f'value="{meeting.pk}"' in page.content.decode()
    client.post(f"/staff/rakhmanov/reports/quarterly/{report.pk}/agenda/", {"meeting": meeting.pk})

    report.refresh_from_db()
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.object_ref == f"reports.quarterlyreport:{report.pk}"
    assert report.state == QuarterlyReport.State.ON_AGENDA


def test_it_groups_appeals_by_subject_and_shows_what_came_back(demo, report, submit, login, client):
    before = submit(demo, received=at("2026-05-10"), category="suggestion")
    now = [submit(demo, received=at("2026-08-10"), category="suggestion") for _ in range(2)]
    subject_tag(school=demo, name="ашканадагы кезек", appeal_ids=[before.pk], actor=None)
    login("responsible")

    response = client.post(
        f"/staff/rakhmanov/reports/quarterly/{report.pk}/subjects/",
        {"name": "  Ашканадагы   кезек ", "appeals": [a.pk for a in now], "action": "add"},
    )
    assert response.status_code == 302
    assert Subject.objects.filter(school=demo).count() == 1  # the same subject, whatever the spacing and case

    page = client.get(f"/staff/rakhmanov/reports/quarterly/{report.pk}/").content.decode()
    assert "ашканадагы кезек" in page
    refused = client.post(f"/staff/rakhmanov/reports/quarterly/{report.pk}/subjects/", {"name": "x", "appeals": []})
    assert refused.status_code == 400 and 'value="x"' in refused.content.decode()


def test_it_prints_the_report_as_pdf_with_charts_and_as_docx(demo, report, submit, login, client, tmp_path):
    for grade in (5, 5, 5, 5, 5, 7):
        submit(demo, received=at("2026-08-10"), category="bullying", grade=grade)
    quarterly_report_write(report=report, analysis="Тыныгууда көзөмөл аз.", measures="Кезметчилик.", actor=None)
    login("director")

    pdf = client.get(f"/staff/rakhmanov/reports/quarterly/{report.pk}/report.pdf?language=en")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Analytical report" in text and "Тыныгууда көзөмөл аз." in text
    assert "fewer than 5" in text  # grade 7 has one appeal

    docx = client.get(f"/staff/rakhmanov/reports/quarterly/{report.pk}/report.docx?language=en")
    document = Document(io.BytesIO(docx.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Кезметчилик." in paragraphs and "bullying or violence" in cells
    assert "fewer than 5" in cells
