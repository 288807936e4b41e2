"""Facts of a case in the clear (place, people by role, grade band, subjects) and measures by kind;
a case cannot be closed without its measures."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal, FollowUp, Involvement, Measure
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from appeals.services.cases import case_answer, case_close_unanswered, case_dismiss, case_facts, case_measures
from audit.models import AuditRecord
from journal.models import Record, Volume
from journal.services import journal_verify
from reports.models import Subject

TEXT = "Тыныгууда короодо улуу класстын балдары кордоп жатышат."


@pytest.fixture
def appeal(demo):
    return appeal_submit(
        school=demo,
        channel=Appeal.Channel.PAPER,
        text=TEXT,
        category=Appeal.Category.BULLYING,
        author_kind=Appeal.AuthorKind.STUDENT,
        grade=6,
    )


@pytest.fixture
def director(demo):
    return get_user_model().objects.get(username="director")


def act(client, appeal, name, data=None):
    return client.post(reverse("cases:action", args=[appeal.school.slug, appeal.pk, name]), data or {})


@pytest.mark.parametrize(
    ("grade", "band"), [(None, ""), (0, ""), (1, "1-4"), (4, "1-4"), (5, "5-6"), (6, "5-6"), (9, "7-9"), (11, "10-11")]
)
def test_the_grade_band_of_a_grade(grade, band):
    assert Appeal.band_for_grade(grade) == band


def test_staff_record_the_facts_on_the_case_page_audited_and_on_the_timeline(client, login, appeal):
    Subject.objects.create(school=appeal.school, name="тыныгууда кордоо")
    login("director")
    form = client.get(reverse("cases:action", args=["rakhmanov", appeal.pk, "facts"])).content.decode()
    assert 'value="5-6" selected' in form  # the band defaults from the grade
    subject = Subject.objects.get(name="тыныгууда кордоо")
    response = act(
        client,
        appeal,
        "facts",
        {"place": "yard", "grade_band": "5-6", "involved": ["older", "classmates"], "subjects": [subject.pk]},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.place, appeal.grade_band) == ("yard", "5-6")
    assert set(appeal.involved.values_list("who", flat=True)) == {"older", "classmates"}
    assert list(appeal.subjects.all()) == [subject]
    record = Record.objects.filter(appeal=appeal, kind="amendment").get()
    assert record.fields["event"] == "facts" and record.fields["involved"] == ["classmates", "older"]
    assert record.sealed is None  # nothing to seal: no names, no words of the appeal
    assert AuditRecord.objects.filter(action="ishenim.case.facts", object_id=str(appeal.pk)).exists()
    assert journal_verify(Volume.objects.get(school=appeal.school)).ok

    # Changed later: a role taken off, a new subject named on the way.
    assert (
        act(
            client,
            appeal,
            "facts",
            {"place": "toilets", "grade_band": "", "involved": ["older"], "new_subject": "  X "},
        ).status_code
        == 302
    )
    appeal.refresh_from_db()
    assert (appeal.place, appeal.grade_band) == ("toilets", "")
    assert list(appeal.involved.values_list("who", flat=True)) == ["older"]
    assert [s.name for s in appeal.subjects.all()] == ["X"]

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("appeals:detail", args=["rakhmanov", appeal.pk])).content.decode()
    assert page.count("toilets · older students · X") == 2  # the facts, and their record on the timeline
    assert "school yard · grades 5–6 · classmates, older students · тыныгууда кордоо" in page
    assert "Facts for the reports recorded" in page


def test_facts_refuse_a_value_outside_the_lists(appeal, director):
    with pytest.raises(ValidationError):
        case_facts(appeal=appeal, place="roof", grade_band="", involved=[], subjects=[], actor=director)
    with pytest.raises(ValidationError):
        case_facts(appeal=appeal, place="", grade_band="", involved=["neighbour"], subjects=[], actor=director)
    assert not Involvement.objects.exists()


def test_a_handler_not_on_the_case_cannot_record_facts(client, login, appeal):
    login("psychologist")  # a handler, not assigned to this case
    assert act(client, appeal, "facts", {"place": "yard"}).status_code == 404
    appeal.refresh_from_db()
    assert appeal.place == ""


def test_measures_take_their_kinds_in_the_same_step_as_the_sealed_text(client, login, appeal):
    login("director")
    data = {"text": "Класс жетекчи менен сүйлөшүү өттү.", "taken_on": "2026-11-20"}
    response = act(client, appeal, "measures", data)
    assert response.status_code == 400 and not Measure.objects.exists()
    assert act(client, appeal, "measures", {**data, "kinds": ["talk_student", "organisation"]}).status_code == 302
    assert sorted(Measure.objects.filter(appeal=appeal).values_list("kind", flat=True)) == [
        "organisation",
        "talk_student",
    ]
    record = Record.objects.filter(appeal=appeal, kind="amendment").get()
    assert record.fields["kinds"] == ["organisation", "talk_student"] and record.sealed
    assert "сүйлөшүү".encode() not in bytes(record.sealed)


def test_measures_with_no_kind_or_an_unknown_one_are_refused(appeal, director):
    for kinds in ([], ["magic"]):
        with pytest.raises(ValidationError):
            case_measures(
                appeal=appeal, kinds=kinds, text="Сүйлөшүү өттү.", taken_on=dt.date(2026, 11, 20), actor=director
            )
    assert not Measure.objects.exists() and not Record.objects.filter(appeal=appeal, kind="amendment").exists()


def test_a_case_cannot_be_closed_without_measures(client, login, appeal, director):
    login("director")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = act(client, appeal, "close", {"reason": "Жооп берүүгө эч ким жок."})
    assert response.status_code == 400
    assert "Record the measures taken before closing the case" in response.content.decode()
    with translation.override("en"), pytest.raises(ValidationError, match="Record the measures taken"):
        case_close_unanswered(appeal=appeal, reason="Жооп берүүгө эч ким жок.", actor=director)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REGISTERED
    case_measures(
        appeal=appeal,
        kinds=["psychologist"],
        text="Психолог менен жолугушуу.",
        taken_on=dt.date(2026, 11, 20),
        actor=director,
    )
    case_close_unanswered(appeal=appeal, reason="Жооп берүүгө эч ким жок.", actor=director)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED


def test_an_answer_without_measures_is_refused_and_keeps_the_case_open(demo, director):
    code = receipt_code_new()
    online = appeal_submit(school=demo, text=TEXT, category="bullying", author_kind="student", receipt_code=code)
    with pytest.raises(ValidationError):
        case_answer(
            appeal=online,
            mode="receipt",
            text="Чаралар көрүлдү, рахмат.",
            given_on=dt.date(2026, 11, 20),
            actor=director,
        )
    online.refresh_from_db()
    assert online.status == Appeal.Status.REGISTERED and not online.answers.exists()


def test_a_dismissal_needs_its_reason_not_measures(appeal, director):
    case_dismiss(appeal=appeal, reason="duplicate", details="", actor=director)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.DISMISSED and not appeal.measure_kinds.exists()


def test_the_case_page_shows_measures_beside_the_writers_answer(client, login, demo, director):
    code = receipt_code_new()
    online = appeal_submit(school=demo, text=TEXT, category="bullying", author_kind="student", receipt_code=code)
    case_measures(
        appeal=online,
        kinds=["talk_parents"],
        text="Ата-энелер менен сүйлөштүк.",
        taken_on=dt.date(2026, 11, 20),
        actor=director,
    )
    FollowUp.objects.filter(appeal=online).update(solved=FollowUp.Solved.PARTLY)
    login("director")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("appeals:detail", args=["rakhmanov", online.pk])).content.decode()
    assert "2026-11-20 — talk with the parents" in page
    assert "The writer says" in page and "Partly" in page
