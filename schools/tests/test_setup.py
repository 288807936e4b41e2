"""Districts, schools and staff set up in the browser: the administrator, the district
officer, the director; invitations, the first recovery sheet, the key, ending a role."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import Invitation
from audit.models import AuditRecord
from notify.models import Outbox
from schools import imports
from schools.demo import DEMO_PASSWORD
from schools.models import District, Membership, PendingRecoverySheet, Role, School
from vault.services import active_key, key_holders

User = get_user_model()


@pytest.fixture
def admin_client(demo):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(User.objects.get(username="admin"))
    return client


def _sheet(schools_rows, staff_rows) -> io.BytesIO:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(imports.template_xlsx()))
    for row in schools_rows:
        book["schools"].append(row)
    for row in staff_rows:
        book["staff"].append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "district.xlsx"
    return out


SCHOOLS = [
    ["ak-tilek", "Ак-Тилек мектеби", "Школа Ак-Тилек", "", "", "Ош ш., Ленин көч. 1", "кире бериште", "", "", ""],
    ["manas-7", "Манас №7 мектеби", "", "", "", "", "", "", "", "", "manas7@school.example"],
]
STAFF = [
    ["ak-tilek", "Айгүл Сапарова", "asaparova", "", "asaparova@school.example", "", "director", "director", "no"],
    ["manas-7", "Бакыт Осмонов", "", "+996 555 123 456", "", "", "director, commission", "director", "ооба"],
]


def test_it_offers_the_templates(admin_client):
    xlsx = admin_client.get("/staff/setup/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    staff_csv = admin_client.get("/staff/setup/template-staff.csv").content.decode("utf-8-sig")
    assert staff_csv.startswith("school,full_name,login,phone,email,telegram,roles,position,parents_representative")
    assert admin_client.get("/staff/setup/template-schools.csv").content.decode("utf-8-sig").startswith("slug,name_ky")


def test_it_imports_schools_and_staff_all_or_nothing(admin_client, demo):
    bad = STAFF + [["nowhere", "", "x", "", "not-an-email", "", "janitor", "", "maybe"]]
    bad += [["manas-7", "Ф" * 151, "long", "", "", "", "commission", "", ""]]
    checked = admin_client.post("/staff/setup/districts/osh/import/", {"sheet": _sheet(SCHOOLS, bad)})
    page = checked.content.decode()
    assert "row 4" in page and "no school with this slug" in page and "unknown role janitor" in page
    assert "write yes or no" in page and "not an email address" in page
    assert "row 5: full_name: at most 150 characters." in page
    assert not School.objects.filter(slug="ak-tilek").exists()
    # the apply button is not offered, and a forged apply changes nothing
    assert 'name="apply"' not in page
    admin_client.post("/staff/setup/districts/osh/import/", {"apply": "forged"})
    assert not School.objects.filter(slug="ak-tilek").exists()

    checked = admin_client.post("/staff/setup/districts/osh/import/", {"sheet": _sheet(SCHOOLS, STAFF)})
    assert checked.context["problems"] == []
    done = admin_client.post("/staff/setup/districts/osh/import/", {"apply": checked.context["digest"]})
    assert done.status_code == 200
    school = School.objects.get(slug="ak-tilek")
    assert school.name_ru == "Школа Ак-Тилек" and school.box_location == "кире бериште"
    assert active_key(school.vault_scope) is not None
    # the recovery code went with the director's invitation link, out of the server's reach
    assert not PendingRecoverySheet.objects.filter(scope=school.vault_scope).exists()
    assert Invitation.objects.filter(user__username="asaparova", sheet_scope=school.vault_scope).exists()
    osmonov = User.objects.get(username="996555123456")
    assert set(osmonov.memberships.values_list("role", flat=True)) == {"director", "commission"}
    assert osmonov.memberships.first().parents_representative
    assert not osmonov.has_usable_password()
    links = [i["link"] for i in done.context["invited"]]
    assert len(links) == 2 and all("/accounts/invitation/" in link for link in links)
    [message] = Outbox.objects.filter(kind="invitation", recipient__username="asaparova")
    assert message.channel == "email" and message.address == "asaparova@school.example"
    assert message.language == "ky" and links[0] in message.body and "Ак-Тилек" in message.subject
    assert AuditRecord.objects.filter(action="ishenim.import.applied").count() == 1


def test_it_checks_again_at_apply_and_changes_nothing_when_a_row_became_wrong(admin_client, demo):
    checked = admin_client.post("/staff/setup/districts/osh/import/", {"sheet": _sheet(SCHOOLS, STAFF)})
    School.objects.create(district=District.objects.get(slug="osh"), slug="manas-7", name_ky="taken meanwhile")
    admin_client.post("/staff/setup/districts/osh/import/", {"apply": checked.context["digest"]})
    assert not School.objects.filter(slug="ak-tilek").exists()
    assert not User.objects.filter(username="asaparova").exists()


@pytest.mark.skipif("sqlite" not in connection.vendor, reason="the refusing trigger is written for SQLite")
def test_it_rolls_back_the_schools_when_the_database_refuses_a_later_row(admin_client, demo):
    checked = admin_client.post("/staff/setup/districts/osh/import/", {"sheet": _sheet(SCHOOLS, STAFF)})
    with connection.cursor() as cursor:  # the database itself refuses the second member (a full disk, a constraint)
        cursor.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON auth_user WHEN NEW.username = '996555123456'"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    response = admin_client.post("/staff/setup/districts/osh/import/", {"apply": checked.context["digest"]})
    assert response.status_code == 302
    assert not School.objects.filter(slug__in=["ak-tilek", "manas-7"]).exists()
    assert not User.objects.filter(username="asaparova").exists()
    assert (
        not PendingRecoverySheet.objects.filter(scope__startswith="school:")
        .exclude(scope__in=[s.vault_scope for s in School.objects.all()])
        .exists()
    )


def test_it_reads_csv_with_semicolons_and_explains_in_russian(admin_client, demo):
    content = "\ufeffslug;name_ky\nBad Slug!;\n".encode()
    upload = io.BytesIO(content)
    upload.name = "schools.csv"
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = admin_client.post("/staff/setup/districts/osh/import/", {"sheet": upload}).content.decode()
    assert "slug: только строчные латинские буквы" in page
    assert "name_ky: название на кыргызском обязательно" in page
    assert not School.objects.filter(name_ky="").exists()


NEW_PASSWORD = "a-long-pass-phrase-9"  # noqa: S105 - a test account


def _accept(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    response = client.post("/" + path, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    return client


def test_a_new_director_comes_in_by_invitation_and_gets_the_recovery_sheet_once(admin_client, demo):
    admin_client.post(
        "/staff/setup/districts/osh/schools/new/",
        {
            "slug": "ak-tilek",
            "name_ky": "Ак-Тилек мектеби",
            "name_uz": "Oq-Tilak maktabi",
            "box_location": "кире бериште",
            "box_location_ru": "у входа",
            "cadence": "weekly",
            "opening_weekday": 1,
            "opening_every_weeks": 2,
            "opening_time": "12:00",
            "schedule_start": "2026-09-01",
            "year_start_month": 9,
            "summary_weekday": 4,
            "quarter_mode": "calendar",
            "time_zone": "Asia/Tashkent",
        },
    )
    school = School.objects.get(slug="ak-tilek")
    assert school.name_uz == "Oq-Tilak maktabi" and school.box_place_in("ru") == "у входа"
    assert school.time_zone == "Asia/Tashkent"
    assert school.box_place_in("en") == "кире бериште"
    invited = admin_client.post(
        "/staff/ak-tilek/staff/",
        {
            "full_name": "Айгүл Сапарова",
            "username": "asaparova",
            "email": "a@school.example",
            "roles": ["director"],
            "position": "director",
        },
    )
    link = invited.context["link"]
    assert invited.status_code == 200 and invited["Cache-Control"] == "no-store"
    client = _accept(link)
    # the link is spent
    assert client.get(link.split("8000", 1)[-1]).status_code == 410
    assert (
        client.post("/accounts/login/", {"username": "asaparova", "password": "a-long-pass-phrase-9"}).status_code
        == 302
    )
    assert "/staff/welcome/" in client.get("/staff/ak-tilek/").content.decode()  # until she takes it
    scope = school.vault_scope
    sheet = client.post("/staff/welcome/recovery-sheet/", {"scope": scope})
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    director = User.objects.get(username="asaparova")
    assert director.pk in key_holders(scope)
    assert client.post("/staff/welcome/recovery-sheet/", {"scope": scope}).status_code == 404  # once
    assert "/staff/welcome/" not in client.get("/staff/ak-tilek/").content.decode()
    assert client.get("/staff/welcome/").status_code == 302
    assert AuditRecord.objects.filter(action="ishenim.key.recovery_delivered", chain__scope=scope).exists()

    # the director adds a responsible person, who comes in and waits for the key
    added = client.post(
        "/staff/ak-tilek/staff/",
        {
            "full_name": "Нурлан Токтоматов",
            "username": "ntoktomatov",
            "roles": ["responsible"],
            "position": "psychologist",
        },
    )
    _accept(added.context["link"])
    page = client.get("/staff/ak-tilek/staff/").content.decode()
    assert "waiting-for-key" in page
    psychologist = User.objects.get(username="ntoktomatov")
    client.post("/staff/ak-tilek/keys/grant/", {"user": psychologist.pk})
    assert psychologist.pk in key_holders(scope)
    assert "waiting-for-key" not in client.get("/staff/ak-tilek/staff/").content.decode()

    # ending the role takes the key back
    membership = Membership.objects.get(user=psychologist, school=school)
    client.post(f"/staff/ak-tilek/staff/memberships/{membership.pk}/end/")
    assert psychologist.pk not in key_holders(scope)
    actions = set(AuditRecord.objects.filter(chain__scope=scope).values_list("action", flat=True))
    assert {
        "ishenim.membership.added",
        "ishenim.membership.ended",
        "ishenim.key.revoked",
        "ishenim.invitation.issued",
        "ishenim.school.created",
        "ishenim.key.granted",
    } <= actions


def test_an_expired_or_replaced_invitation_is_refused(admin_client, demo):
    first = admin_client.post(
        "/staff/rakhmanov/staff/",
        {"full_name": "Жаңы Мугалим", "username": "newteacher", "roles": ["commission"], "position": "teacher"},
    ).context["link"]
    membership = Membership.objects.get(user__username="newteacher")
    second = admin_client.post(f"/staff/rakhmanov/staff/memberships/{membership.pk}/invite/").context["link"]
    client = Client()
    path = lambda link: "/" + link.split("://", 1)[1].split("/", 1)[1]  # noqa: E731
    assert client.get(path(first)).status_code == 410
    Invitation.objects.filter(user__username="newteacher").update(expires_at="2020-01-01T00:00Z")
    assert client.get(path(second)).status_code == 410
    assert client.get("/accounts/invitation/made-up-token/").status_code == 410


def test_the_district_officer_sets_up_only_their_district(login, demo):
    client = login("district")
    assert client.get("/staff/setup/districts/osh/").status_code == 200
    page = client.get("/staff/setup/schools/rakhmanov/")
    assert page.status_code == 200 and "numbers-TOTAL_FORMS" in page.content.decode()
    naryn = District.objects.create(slug="naryn", name_ky="Нарын")
    School.objects.create(district=naryn, slug="naryn1", name_ky="Нарын 1")
    assert client.get("/staff/setup/districts/naryn/").status_code == 404
    assert client.get("/staff/setup/schools/naryn1/").status_code == 404
    assert client.get("/staff/naryn1/staff/").status_code == 404
    assert client.get("/staff/setup/districts/new/").status_code == 404
    assert client.get("/staff/rakhmanov/staff/").status_code == 200


def test_other_roles_cannot_set_up(login, demo):
    for username in ("responsible", "psychologist"):
        client = login(username)
        assert client.get("/staff/setup/template.xlsx").status_code == 404
        assert client.get("/staff/setup/template-staff.csv").status_code == 404
        assert client.get("/staff/rakhmanov/staff/").status_code == 404
        assert client.get("/staff/setup/").status_code == 404
        assert client.get("/staff/setup/districts/osh/import/").status_code == 404


def test_a_director_cannot_end_their_own_directorship(login, demo):
    client = login("director")
    own = Membership.objects.get(user__username="director", school__slug="rakhmanov", role=Role.DIRECTOR)
    client.post(f"/staff/rakhmanov/staff/memberships/{own.pk}/end/")
    own.refresh_from_db()
    assert own.active


def test_the_demo_command_prints_no_recovery_code(db, capsys):
    from django.core.management import call_command

    call_command("demo")
    out = capsys.readouterr().out
    assert "/staff/welcome/" in out
    assert not any(len(w) == 41 and w.count("-") == 6 for w in out.split())
    assert PendingRecoverySheet.objects.count() >= 2
    assert DEMO_PASSWORD and mail


def test_the_administrator_adds_a_district_whose_officer_comes_in_and_gets_its_sheet(admin_client, demo):
    admin_client.post(
        "/staff/setup/districts/new/",
        {"name_ky": "Нарын шаары", "name_ru": "город Нарын", "name_uz": "Narin shahri", "slug": "naryn"},
    )
    naryn = District.objects.get(slug="naryn")
    assert naryn.name_in("uz") == "Narin shahri" and active_key(naryn.vault_scope) is not None
    invited = admin_client.post(
        "/staff/setup/districts/naryn/officers/",
        {"officer-full_name": "Жыпар Бекова", "officer-username": "jbekova", "officer-email": "j@edu.example"},
    )
    client = _accept(invited.context["link"])
    client.post("/accounts/login/", {"username": "jbekova", "password": NEW_PASSWORD})
    sheet = client.post("/staff/welcome/recovery-sheet/", {"scope": naryn.vault_scope})
    assert sheet["Content-Type"] == "application/pdf"
    assert User.objects.get(username="jbekova").pk in key_holders(naryn.vault_scope)
    # the new officer sets up her own district, and imports into it, never into Osh
    assert client.get("/staff/setup/districts/naryn/import/").status_code == 200
    upload = io.BytesIO(b"slug,name_ky\r\nnaryn-1,Naryn 1\r\n")
    upload.name = "schools.csv"
    assert client.post("/staff/setup/districts/osh/import/", {"sheet": upload}).status_code == 404
    upload.seek(0)
    checked = client.post("/staff/setup/districts/naryn/import/", {"sheet": upload})
    client.post("/staff/setup/districts/naryn/import/", {"apply": checked.context["digest"]})
    assert School.objects.get(slug="naryn-1").district == naryn


def test_the_administrator_account_never_becomes_a_member(login, demo):
    client = login("director")
    response = client.post(
        "/staff/rakhmanov/staff/",
        {"full_name": "X", "username": "ADMIN", "roles": ["commission"], "position": "other"},
    )
    assert response.status_code == 200 and not Membership.objects.filter(user__username="admin").exists()


def _posted(form) -> dict:
    """What the browser would send back for an unchanged form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        key = form.add_prefix(name)
        data[key] = value.strftime("%H:%M") if hasattr(value, "strftime") and "time" in name else value
    return data


def test_the_district_officer_edits_a_schools_hours_and_help_numbers(login, demo):
    client = login("district")
    page = client.get("/staff/setup/schools/rakhmanov/")
    data = _posted(page.context["form"])
    data["opening_time"] = "12:00"
    data["schedule_start"] = "2026-09-01"
    for formset in (page.context["numbers"], page.context["hours"]):
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for form in formset.forms:
            data.update(_posted(form))
    data["numbers-0-number"] = "112-1"
    data["box_location_uz"] = "kirish yonida"
    response = client.post("/staff/setup/schools/rakhmanov/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    school = School.objects.get(slug="rakhmanov")
    assert school.help_numbers.filter(number="112-1").exists() and school.box_place_in("uz") == "kirish yonida"
    assert AuditRecord.objects.filter(action="ishenim.school.changed", chain__scope=school.vault_scope).exists()
