import datetime as dt

from django.utils import translation

from commission.models import Member
from commission.selectors import commission_state
from commission.services import commission_of, commission_problems, member_end, members_on

DAY = dt.date(2026, 10, 1)


def codes(commission, day=DAY):
    members = members_on(commission, day)
    return {p.code for p in commission_problems(commission, members=members, order=commission.orders.first())}


def test_it_seats_the_five_commission_accounts_in_order(commission):
    members = members_on(commission, DAY)
    assert len(members) == 5
    assert [m.full_name for m in members if m.parents_representative] == ["Эрмек Сыдыков"]
    assert [m.full_name for m in members if m.responsible] == ["Нургүл Асанова"]
    assert codes(commission) == set()


def test_it_shows_an_even_commission_out_of_order_and_records_it_anyway(commission, user):
    teacher = commission.members.get(user__username="teacher")
    member_end(member=teacher, until=dt.date(2026, 9, 30), actor=user("director"))
    assert codes(commission) == {"odd"}
    with translation.override("en"):
        problems = commission_problems(commission, members=members_on(commission, DAY), order=commission.orders.first())
    assert "4 members" in problems[0].message and "odd" in problems[0].message
    # the history keeps who was a member when
    assert len(members_on(commission, dt.date(2026, 9, 15))) == 5


def test_it_requires_a_parents_representative(commission):
    Member.objects.filter(commission=commission).update(parents_representative=False)
    assert codes(commission) == {"parents"}


def test_it_requires_exactly_one_responsible_person(commission):
    Member.objects.filter(commission=commission).update(responsible=False)
    assert codes(commission) == {"responsible"}
    Member.objects.filter(commission=commission, user__username__in=["parent", "teacher"]).update(responsible=True)
    problems = commission_problems(commission, members=members_on(commission, DAY), order=None)
    assert {p.code for p in problems} == {"responsible", "order"}
    assert "Эрмек Сыдыков" in next(p.message for p in problems if p.code == "responsible")


def test_it_explains_an_empty_commission_without_order(demo):
    commission = commission_of(demo)
    state = commission_state(commission, DAY)
    assert not state.in_order
    assert {p.code for p in state.problems} == {"order", "empty"}


def test_it_shows_the_rules_on_the_commission_page(commission, login, user):
    Member.objects.filter(commission=commission).update(parents_representative=False)
    page = login("director").get("/staff/rakhmanov/commission/")
    assert page.status_code == 200
    assert b'data-rule="parents"' in page.content


def test_it_hides_the_commission_from_other_schools(commission, login):
    assert login("director2").get("/staff/rakhmanov/commission/").status_code == 404


def test_it_lets_only_the_director_and_the_responsible_person_change_members(commission, login):
    client = login("teacher")
    assert client.get("/staff/rakhmanov/commission/").status_code == 200
    assert client.get("/staff/rakhmanov/commission/members/new/").status_code == 404


def test_it_adds_a_member_through_the_form_and_keeps_bad_input(commission, login):
    client = login("director")
    response = client.post(
        "/staff/rakhmanov/commission/members/new/",
        {"full_name": "", "position": "parent", "member_from": "2026-10-02", "parents_representative": "on"},
    )
    assert response.status_code == 200
    assert 'value="2026-10-02"' in response.content.decode()
    response = client.post(
        "/staff/rakhmanov/commission/members/new/",
        {"full_name": "Асель Кадырова", "position": "parent", "member_from": "2026-10-02"},
    )
    assert response.status_code == 302
    assert commission.members.filter(full_name="Асель Кадырова").exists()


def test_it_keeps_the_orders_scan_sealed_and_opens_it_for_the_director(demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commission.models import Order

    client = login("director")
    scan = SimpleUploadedFile("order.pdf", b"%PDF-1.4 order 45", content_type="application/pdf")
    response = client.post(
        "/staff/rakhmanov/commission/order/new/", {"number": "45-к", "issued_on": "2026-09-01", "scan": scan}
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert b"order 45" not in bytes(order.scan_sealed)
    assert client.get(f"/staff/rakhmanov/commission/order/{order.pk}/scan/").content == b"%PDF-1.4 order 45"
    assert login("teacher").get(f"/staff/rakhmanov/commission/order/{order.pk}/scan/").status_code == 404


def test_it_refuses_a_scan_that_is_not_a_document(demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("director")
    bad = SimpleUploadedFile("order.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(
        "/staff/rakhmanov/commission/order/new/", {"number": "45-к", "issued_on": "2026-09-01", "scan": bad}
    )
    assert response.status_code == 200 and 'value="45-к"' in response.content.decode()
