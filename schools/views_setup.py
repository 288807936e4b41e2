"""Setting up districts, schools and staff in the browser (the platform administrator,
the district officer for their district, the director for their school's staff)."""

import copy
import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.services import audit_record
from ishenim.documents import document_response
from schools import imports
from schools.access import district_for, memberships, school_for
from schools.forms import (
    BoxHoursFormSet,
    DistrictForm,
    HelpNumberFormSet,
    ImportForm,
    MemberForm,
    SchoolCreateForm,
    SchoolForm,
)
from schools.models import District, Membership, Role, School
from schools.offices import Office
from schools.permissions import permitted
from schools.setup import (
    member_add,
    member_invite,
    membership_end,
    officer_add,
    recovery_hold,
    recovery_take,
    recovery_waiting,
    school_set_up,
    staff_rows,
)
from vault.documents import RecoverySheet
from vault.services import active_key, key_create, keyring, keyring_forget

IMPORT_SESSION = "setup_import"


def _district(request, slug: str) -> District:
    if request.user.is_superuser:
        return get_object_or_404(District, slug=slug)
    return district_for(request, slug, "district.setup")


def _school(request, slug: str, permission: str) -> School:
    if request.user.is_superuser:
        return get_object_or_404(School.objects.select_related("district"), slug=slug)
    return school_for(request, slug, permission)


# --- districts and schools --------------------------------------------------------------


def setup(request):
    districts: list[District]
    if request.user.is_superuser:
        districts = list(District.objects.all())
    else:
        districts = [m.district for m in memberships(request) if m.district and permitted({m.role}, "district.setup")]
    if not districts and not request.user.is_superuser:
        raise Http404
    return render(request, "schools/setup/home.html", {"districts": districts})


@never_cache
def district_new(request):
    if not request.user.is_superuser:
        raise Http404
    form = DistrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            district = form.save()
            recovery_hold(scope=district.vault_scope, code=key_create(scope=district.vault_scope))
            audit_record(
                action="ishenim.district.created", scope=district.vault_scope, actor=request.user, obj=district
            )
        messages.success(request, _("The district was created."))
        return redirect("schools:setup_district", district=district.slug)
    return render(request, "schools/setup/district_form.html", {"form": form})


@never_cache
def district(request, district):
    district = _district(request, district)
    form = DistrictForm(request.POST or None, instance=district)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            district = form.save()
            audit_record(
                action="ishenim.district.changed", scope=district.vault_scope, actor=request.user, obj=district
            )
        messages.success(request, _("Saved."))
        return redirect("schools:setup_district", district=district.slug)
    officers = Membership.objects.filter(district=district, active=True).select_related("user")
    officer_form = MemberForm(prefix="officer")
    return render(
        request,
        "schools/setup/district.html",
        {
            "district": district,
            "form": form,
            "schools": district.schools.all(),
            "officers": officers,
            "officer_form": officer_form,
        },
    )


@require_POST
def officer_add_view(request, district):
    district = _district(request, district)
    form = MemberForm(request.POST, prefix="officer")
    form.fields["roles"].required = False
    form.fields["position"].required = False
    if not form.is_valid() or not _not_an_administrator(form):
        messages.error(request, _("Give the officer's full name and login."))
        return redirect("schools:setup_district", district=district.slug)
    data = form.cleaned_data
    result = officer_add(
        district=district, by=request.user, full_name=data["full_name"], username=data["username"], email=data["email"]
    )
    if result.link:
        return _invitation_page(request, None, result.user, result.link, district=district)
    messages.success(request, _("The roles were added."))
    return redirect("schools:setup_district", district=district.slug)


@never_cache
def school_new(request, district):
    district = _district(request, district)
    form = SchoolCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("slug", "name_ky")}
        school = school_set_up(
            district=district,
            by=request.user,
            slug=form.cleaned_data["slug"],
            name_ky=form.cleaned_data["name_ky"],
            **fields,
        )
        messages.success(request, _("The school was created with its key. Now add its director on the staff page."))
        return redirect("schools:staff", school=school.slug)
    return render(request, "schools/setup/school_form.html", {"form": form, "district": district})


def school_settings_edit(request, school, done: str):
    """The school's settings form with its help numbers and box hours: one page for the
    school's own staff and for the district that sets schools up."""
    data = request.POST if request.method == "POST" else None
    form = SchoolForm(data, instance=school)
    numbers = HelpNumberFormSet(data, instance=school, prefix="numbers")
    hours = BoxHoursFormSet(data, instance=school, prefix="hours")
    if data is not None and form.is_valid() and numbers.is_valid() and hours.is_valid():
        with transaction.atomic():
            form.save()
            numbers.save()
            hours.save()
            audit_record(action="ishenim.school.changed", scope=school.vault_scope, actor=request.user, obj=school)
        messages.success(request, _("The school's settings were saved."))
        return redirect(done)
    context = {"school": school, "form": form, "numbers": numbers, "hours": hours}
    return render(request, "schools/staff/settings.html", context)


@never_cache
def school_edit(request, school):
    """Everything of a school the district sets: names, the box's place, schedule, hours, help numbers."""
    school = _school(request, school, "district.setup")
    return school_settings_edit(
        request, school, reverse("schools:setup_district", kwargs={"district": school.district.slug})
    )


# --- spreadsheets ---------------------------------------------------------------------------


def _sets_up(request, kind: str) -> None:
    """The templates are for those who import or add staff; others get 404 (deny by default).
    A blank template holds no data, but every download is audited like any export."""
    allowed = request.user.is_superuser or any(
        permitted({m.role}, "district.setup") or permitted({m.role}, "school.staff") for m in memberships(request)
    )
    if not allowed:
        raise Http404
    audit_record(action="ishenim.setup.template_downloaded", actor=request.user, detail={"template": kind})


def template_xlsx(request):
    _sets_up(request, "xlsx")
    response = HttpResponse(imports.template_xlsx(), content_type=imports.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ishenim-schools-and-staff.xlsx"'
    return response


def _csv(kind: str) -> HttpResponse:
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ishenim-{kind}.csv"'
    return response


def template_schools_csv(request):
    _sets_up(request, "schools.csv")
    return _csv("schools")


def template_staff_csv(request):
    _sets_up(request, "staff.csv")
    return _csv("staff")


@never_cache
def district_import(request, district):
    district = _district(request, district)
    context = {"district": district, "form": ImportForm()}
    if request.method == "POST" and "apply" in request.POST:
        held = request.session.get(IMPORT_SESSION) or {}
        if held.get("district") != district.pk or held.get("digest") != request.POST.get("apply"):
            messages.error(request, _("The checked file was not found: upload it again."))
            return redirect("schools:setup_import", district=district.slug)
        try:
            result = imports.apply(held["rows"], district, request.user)
        except ValueError:
            messages.error(request, _("The rows have errors: upload the corrected file again."))
            return redirect("schools:setup_import", district=district.slug)
        except DatabaseError:
            messages.error(request, _("The database refused a row, so nothing was imported. Try again."))
            return redirect("schools:setup_import", district=district.slug)
        request.session.pop(IMPORT_SESSION, None)
        audit_record(
            action="ishenim.import.applied",
            scope=district.vault_scope,
            actor=request.user,
            obj=district,
            detail={"schools": len(result["schools"]), "members": len(result["invited"])},
        )
        response = render(request, "schools/setup/import_done.html", {"district": district, **result})
        response["Cache-Control"] = "no-store"
        return response
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["sheet"]
            try:
                found = imports.read(upload)
            except imports.ImportError_ as error:
                form.add_error("sheet", str(error))
            else:
                raw = copy.deepcopy(found)
                problems = imports.check(found, district)
                digest = hashlib.sha256(repr(raw).encode()).hexdigest()[:32]
                if not problems:
                    request.session[IMPORT_SESSION] = {"district": district.pk, "digest": digest, "rows": raw}
                audit_record(
                    action="ishenim.import.checked",
                    scope=district.vault_scope,
                    actor=request.user,
                    obj=district,
                    detail={"rows": len(raw["schools"]) + len(raw["staff"]), "problems": len(problems)},
                )
                context.update(found=found, problems=problems, digest=digest, checked=True)
    return render(request, "schools/setup/import.html", context)


# --- the school's staff -------------------------------------------------------------------


@never_cache
def staff(request, school):
    school = _school(request, school, "school.staff")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _not_an_administrator(form):
        data = form.cleaned_data
        result = member_add(
            school=school,
            by=request.user,
            full_name=data["full_name"],
            username=data["username"],
            roles=data["roles"],
            email=data["email"],
            phone=data["phone"],
            position=data["position"],
            parents_representative=data["parents_representative"],
        )
        if result.link:
            return _invitation_page(request, school, result.user, result.link)
        messages.success(request, _("The roles were added."))
        return redirect("schools:staff", school=school.slug)
    may_grant = request.user.is_superuser is False and permitted(
        {m.role for m in memberships(request) if m.school_id == school.pk}, "vault.manage_keys"
    )
    context = {
        "school": school,
        "rows": staff_rows(school),
        "form": form,
        "may_grant": may_grant,
        "keys_url": Office(school=school).url("vault:keys"),
        "grant_url": Office(school=school).url("vault:grant"),
        "has_key": active_key(school.vault_scope) is not None,
    }
    return render(request, "schools/setup/staff.html", context)


def _not_an_administrator(form) -> bool:
    """The platform administrator's account never becomes a school member."""
    if get_user_model().objects.filter(username__iexact=form.cleaned_data["username"], is_superuser=True).exists():
        form.add_error("username", _("This login belongs to an administrator account."))
        return False
    return True


def _invitation_page(request, school, user, link, district=None):
    context = {"school": school, "district": district, "member": user, "link": link}
    response = render(request, "schools/setup/invitation.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _membership(school: School, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), pk=pk, school=school, active=True)


@require_POST
def membership_end_view(request, school, membership):
    school = _school(request, school, "school.staff")
    membership = _membership(school, membership)
    if membership.user == request.user and membership.role == Role.DIRECTOR:
        messages.error(request, _("You cannot end your own role as director; the district can."))
        return redirect("schools:staff", school=school.slug)
    revoked = membership_end(membership=membership, by=request.user)
    messages.success(
        request,
        _("The role was ended and the key taken back.") if revoked else _("The role was ended."),
    )
    return redirect("schools:staff", school=school.slug)


@require_POST
def membership_invite(request, school, membership):
    school = _school(request, school, "school.staff")
    membership = _membership(school, membership)
    if membership.user.has_usable_password():
        messages.error(request, _("This person has already chosen a password."))
        return redirect("schools:staff", school=school.slug)
    link = member_invite(school=school, user=membership.user, by=request.user)
    return _invitation_page(request, school, membership.user, link)


# --- the first login: the recovery sheet, once -------------------------------------------------


def _sheet_places(request) -> list[Office]:
    places: list[Office] = []
    for m in memberships(request):
        if m.school and permitted({m.role}, "vault.manage_keys"):
            place = Office(school=m.school)
        elif m.district and permitted({m.role}, "district.manage_keys"):
            place = Office(district=m.district)
        else:
            continue
        if recovery_waiting(place.scope) and place.scope not in {p.scope for p in places}:
            places.append(place)
    return places


def sheets_waiting(request) -> bool:
    """Whether a recovery sheet waits for this member (shown on their home page until taken)."""
    return bool(_sheet_places(request))


@never_cache
def welcome(request):
    places = _sheet_places(request)
    if not places:
        return redirect("schools:work")
    return render(request, "schools/setup/welcome.html", {"places": places})


@require_POST
def recovery_sheet(request):
    scope = request.POST.get("scope", "")
    place = next((p for p in _sheet_places(request) if p.scope == scope), None)
    if place is None:
        raise Http404
    code = recovery_take(scope=place.scope, user=request.user, private=keyring(request).user_private)
    if code is None:
        raise Http404
    keyring_forget(request)
    sheet = RecoverySheet(place, code, active_key(place.scope))
    return document_response(request, "recovery_sheet", sheet, fmt="pdf", scope=place.scope)
