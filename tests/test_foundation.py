import pytest
from django.urls import reverse

from schools.models import HelpNumber, School


def test_it_serves_the_home_page_in_kyrgyz_by_default(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="ky">' in response.content.decode()
    assert "Н. Рахманов атындагы орто мектеби" in response.content.decode()


def test_it_remembers_the_chosen_language(client, demo):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="ru">' in page
    assert "Средняя школа им. Н. Рахманова" in page


def test_it_creates_default_help_numbers_and_hours(demo):
    numbers = set(demo.help_numbers.values_list("number", flat=True))
    assert {"101", "102", "103", "112", "111", "115"} <= numbers
    assert demo.hours.count() == 5


def test_it_is_idempotent(demo):
    from schools.demo import demo_create

    before = School.objects.count(), HelpNumber.objects.count()
    demo_create()
    assert (School.objects.count(), HelpNumber.objects.count()) == before


def test_it_requires_login_for_staff_pages(client, demo):
    response = client.get(reverse("schools:school", args=["rakhmanov"]))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_logs_a_director_in_with_a_keyring(client, demo, login):
    login("director")
    response = client.get(reverse("schools:school", args=["rakhmanov"]))
    assert response.status_code == 200
    assert "ishenim_vk" in client.cookies


def test_it_rejects_a_wrong_password_with_a_translated_error(client, demo):
    response = client.post("/accounts/login/", {"username": "director", "password": "nope"})
    assert response.status_code == 200
    # Django's own Kyrgyz catalog says the credentials are wrong.
    assert "alert" in response.content.decode()


def test_it_lets_a_director_edit_help_numbers(client, demo, login):
    login("director")
    url = reverse("schools:settings", args=["rakhmanov"])
    page = client.get(url)
    form = page.context["form"]
    numbers, hours = page.context["numbers"], page.context["hours"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["opening_time"] = "12:00"
    data["schedule_start"] = "2026-09-01"
    for prefix, formset in (("numbers", numbers), ("hours", hours)):
        data[f"{prefix}-TOTAL_FORMS"] = len(formset.forms)
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for f in formset.forms:
            for name in f.fields:
                value = f[name].value()
                data[f.add_prefix(name)] = (
                    value.strftime("%H:%M") if hasattr(value, "strftime") else ("" if value is None else value)
                )
    last = len(numbers.initial_forms)
    data[f"numbers-{last}-kind"] = "education"
    data[f"numbers-{last}-number"] = "0312 66 24 42"
    data[f"numbers-{last}-order"] = "9"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["numbers"].errors if response.context else ""
    assert demo.help_numbers.filter(number="0312 66 24 42").exists()


def test_it_sends_security_headers(client, demo):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/healthz"])
def test_it_serves_public_pages_without_login(client, db, url):
    assert client.get(url).status_code == 200


def test_it_leads_a_district_officer_to_the_district_pages(client, demo, login):
    login("district")
    page = client.get(reverse("schools:home")).content.decode()
    assert 'href="/district/osh/"' in page
    assert 'href="/district/osh/appeals/"' in page
    assert client.get("/district/osh/").status_code == 200
