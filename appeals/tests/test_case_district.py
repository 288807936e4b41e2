"""Appeals about a school's leadership sent to the district: the district's journal and inbox, not the school's."""

import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import appeal_submit
from appeals.services.cases import case_assign
from journal.models import Volume
from journal.services import journal_verify
from schools.demo import DEMO_PASSWORD
from vault.services import Keyring, user_key_unlock


@pytest.fixture
def to_district(demo):
    return appeal_submit(
        school=demo,
        text="Директор ата-энелерден акча чогултуп жатат.",
        category=Appeal.Category.CORRUPTION,
        author_kind=Appeal.AuthorKind.PARENT,
        author={"full_name": "Маматов Бакыт", "address": "Ош ш.", "class": "", "phone": "0700 00 00 00"},
        to_district=True,
    )


def test_it_numbers_a_district_appeal_in_the_district_s_journal(to_district, demo):
    assert Volume.objects.filter(district=demo.district, last_number=1).exists()
    assert not Volume.objects.filter(school=demo).exists()
    assert journal_verify(Volume.objects.get(district=demo.district)).ok


def test_it_keeps_a_district_appeal_from_the_school_s_director(client, login, to_district):
    login("director")
    assert client.get(reverse("appeals:detail", args=["rakhmanov", to_district.pk])).status_code == 404
    assert client.post(reverse("cases:action", args=["rakhmanov", to_district.pk, "consider"])).status_code == 404
    page = client.get(reverse("journal:page", kwargs={"school": "rakhmanov"})).content.decode()
    assert "Маматов" not in page
    assert client.get(reverse("district:inbox", args=["osh"])).status_code == 404


def test_it_lets_the_district_officer_handle_it_and_keep_its_journal(client, login, to_district, django_user_model):
    officer = django_user_model.objects.get(username="district")
    login("district")
    assert str(to_district.pk) in client.get(reverse("district:inbox", args=["osh"])).content.decode()
    response = client.post(
        reverse("cases:action", args=["rakhmanov", to_district.pk, "assign"]), {"handlers": [officer.pk]}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:action", args=["rakhmanov", to_district.pk, "measures"]),
        {"kinds": ["district"], "text": "Мектепте текшерүү жүргүзүлдү.", "taken_on": "2026-11-20"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:action", args=["rakhmanov", to_district.pk, "answer"]),
        {"mode": "phone", "given_on": "2026-11-20", "text": "Текшерүү жүргүзүлдү, акча кайтарылды."},
    )
    assert response.status_code == 302
    page = client.get(reverse("journal:page", kwargs={"district": "osh"})).content.decode()
    assert "Маматов Бакыт" in page and Volume.objects.get(district__slug="osh").head_hash[56:] in page
    pdf = client.get(reverse("journal:pdf", kwargs={"district": "osh"}), {"language": "ky"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_it_shows_the_name_only_to_those_who_need_it(client, login, demo, django_user_model):
    signed = appeal_submit(
        school=demo,
        text="Менин балам мектепке барбай калды.",
        category=Appeal.Category.CHILD_RIGHTS,
        author_kind=Appeal.AuthorKind.PARENT,
        author={"full_name": "Осмонова Жаркын", "address": "Ош ш.", "class": "5А", "phone": "0700 11 11 11"},
    )
    psychologist = django_user_model.objects.get(username="psychologist")
    login("psychologist")
    assert client.get(reverse("appeals:detail", args=["rakhmanov", signed.pk])).status_code == 404
    director = django_user_model.objects.get(username="director")
    ring = Keyring(director, user_key_unlock(director, DEMO_PASSWORD))
    case_assign(appeal=signed, handlers=[psychologist], actor=director, ring=ring, share_identity=True)
    page = client.get(reverse("appeals:detail", args=["rakhmanov", signed.pk])).content.decode()
    assert "Осмонова Жаркын" in page  # the director chose to show the name to the handler
    # An assigned handler may work the case but not reassign it.
    assert (
        client.post(
            reverse("cases:action", args=["rakhmanov", signed.pk, "assign"]), {"handlers": [psychologist.pk]}
        ).status_code
        == 404
    )


def test_it_lists_the_district_inbox_without_a_query_per_row(client, login, demo, django_assert_max_num_queries):
    for n in range(12):
        appeal_submit(
            school=demo,
            text=f"Директор тууралуу кайрылуу {n}.",
            category="other",
            author_kind="parent",
            to_district=True,
        )
    login("district")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("district:inbox", args=["osh"]))
    assert page.content.decode().count("/appeals/") >= 12


def test_it_shows_the_case_panel_without_a_query_per_record(
    client, login, to_district, django_user_model, django_assert_max_num_queries
):
    officer = django_user_model.objects.get(username="district")
    import datetime as dt

    from appeals.services.cases import case_measures, case_note_add

    for n in range(6):
        case_measures(
            appeal=to_district,
            kinds=["district"],
            text=f"Текшерүү {n} жүргүзүлдү.",
            taken_on=dt.date(2026, 11, 20),
            actor=officer,
        )
        case_note_add(appeal=to_district, text=f"Эскертүү {n}", actor=officer)
    login("district")
    url = reverse("appeals:detail", args=["rakhmanov", to_district.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as queries:
        page = client.get(url)
    assert "Эскертүү 5" in page.content.decode() and "Текшерүү 5 жүргүзүлдү." in page.content.decode()
    base = len(queries.captured_queries)
    for n in range(6, 12):
        case_measures(
            appeal=to_district,
            kinds=["district"],
            text=f"Текшерүү {n} жүргүзүлдү.",
            taken_on=dt.date(2026, 11, 20),
            actor=officer,
        )
        case_note_add(appeal=to_district, text=f"Эскертүү {n}", actor=officer)
    with django_assert_max_num_queries(base) as again:
        client.get(url)
    assert len(again.captured_queries) == base
