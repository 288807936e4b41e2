"""Key management: who holds the school's (or district's) key, rotation,
the recovery sheet, and recovering access with it."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from audit.services import audit_record
from ishenim.documents import document_response
from schools.access import may, office_for
from schools.models import Membership, Role
from schools.offices import Office
from schools.permissions import roles_with
from vault.casekeys import legacy_appeals
from vault.documents import RecoverySheet
from vault.forms import MemberForm, RecoveryCodeForm, RotateForm
from vault.models import VaultKey
from vault.services import (
    VaultError,
    active_key,
    key_grant,
    key_holders,
    key_recover,
    key_recovery_renew,
    key_revoke,
    key_rotate,
    keyring,
    keyring_forget,
    recovery_check,
)

LINKS = ("keys", "grant", "revoke", "rotate", "recovery_new", "recovery_pdf", "recover")


def _manage(request, where) -> Office:
    return office_for(request, where, school="vault.manage_keys", district="district.manage_keys")


def _context(office: Office, **extra) -> dict:
    links = {name: office.url(f"vault:{name}") for name in LINKS}
    return {"office": office, "school": office.school, "links": links, **extra}


def _readers(office: Office):
    """The active memberships whose role holds the key here (case handlers hold only their cases' keys)."""
    if office.school is not None:
        queryset = Membership.objects.filter(school=office.school, role__in=roles_with("vault.hold_school_key"))
    else:
        queryset = Membership.objects.filter(district=office.district, role=Role.DISTRICT_OFFICER)
    return queryset.filter(active=True).select_related("user").order_by("user__last_name", "user__username")


@never_cache
def keys(request, **where):
    office = _manage(request, where)
    ring = keyring(request)
    key = active_key(office.scope)
    holders = key_holders(office.scope)
    readers = list(_readers(office))
    seen, members = set(), []
    for m in readers:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        roles = [r.get_role_display() for r in readers if r.user_id == m.user_id]
        members.append({"user": m.user, "roles": roles, "holds": m.user_id in holders})
    outsiders = get_user_model().objects.filter(pk__in=holders - seen).order_by("username")
    context = _context(
        office,
        key=key,
        members=members,
        outsiders=outsiders,
        can_open=key is not None and ring.private_for(key.id) is not None,
        retired=VaultKey.objects.filter(scope=office.scope).exclude(retired_at=None).count(),
        # Appeals stored by an earlier version, sealed straight to this key: replacing the key converts them.
        older=len(legacy_appeals(set(VaultKey.objects.filter(scope=office.scope).values_list("id", flat=True)))),
    )
    return render(request, "vault/staff/keys.html", context)


def _member(request):
    form = MemberForm(request.POST)
    if not form.is_valid():
        raise Http404
    user = get_user_model().objects.filter(pk=form.cleaned_data["user"]).first()
    if user is None:
        raise Http404
    return user


@require_POST
def grant(request, **where):
    office = _manage(request, where)
    user = _member(request)
    if not _readers(office).filter(user=user).exists():
        messages.error(request, _("Only members whose role reads appeals can be given the key."))
        return redirect(office.url("vault:keys"))
    try:
        key_grant(ring=keyring(request), scope=office.scope, user=user, by=request.user)
    except VaultError:
        messages.error(
            request,
            _("The key could not be given: you do not hold it yourself, or %(name)s has never logged in.")
            % {"name": user.get_full_name() or user.username},
        )
        return redirect(office.url("vault:keys"))
    audit_record(action="ishenim.key.granted", scope=office.scope, actor=request.user, obj=user)
    messages.success(request, _("%(name)s can now read appeals.") % {"name": user.get_full_name() or user.username})
    return redirect(office.url("vault:keys"))


@require_POST
def revoke(request, **where):
    office = _manage(request, where)
    user = _member(request)
    if user == request.user:
        messages.error(request, _("You cannot remove your own access here; another director can."))
        return redirect(office.url("vault:keys"))
    if key_revoke(scope=office.scope, user=user):
        audit_record(action="ishenim.key.revoked", scope=office.scope, actor=request.user, obj=user)
        messages.success(
            request, _("%(name)s can no longer read appeals.") % {"name": user.get_full_name() or user.username}
        )
    return redirect(office.url("vault:keys"))


def _sheet(request, office: Office, code: str, *, rotated=None):
    response = render(request, "vault/staff/recovery_sheet.html", _context(office, code=code, rotated=rotated))
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def rotate(request, **where):
    office = _manage(request, where)
    form = RotateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rotation = key_rotate(ring=keyring(request), scope=office.scope)
        except VaultError:
            messages.error(request, _("You do not hold this key, so you cannot replace it."))
            return redirect(office.url("vault:keys"))
        audit_record(
            action="ishenim.key.rotated",
            scope=office.scope,
            actor=request.user,
            obj=rotation.key,
            detail={"resealed": rotation.resealed, "kept": rotation.kept, "holders": rotation.holders},
        )
        return _sheet(request, office, rotation.code, rotated=rotation)
    return render(request, "vault/staff/rotate.html", _context(office, form=form))


@require_POST
def recovery_new(request, **where):
    office = _manage(request, where)
    try:
        code = key_recovery_renew(ring=keyring(request), scope=office.scope)
    except VaultError:
        messages.error(request, _("You do not hold this key, so you cannot make its recovery sheet."))
        return redirect(office.url("vault:keys"))
    audit_record(action="ishenim.key.recovery_renewed", scope=office.scope, actor=request.user)
    return _sheet(request, office, code)


@require_POST
@sensitive_post_parameters("code")
def recovery_pdf(request, **where):
    office = _manage(request, where)
    form = RecoveryCodeForm(request.POST)
    if not form.is_valid() or recovery_check(scope=office.scope, code=form.cleaned_data["code"]) is None:
        messages.error(request, _("That is not the current recovery code: make a new recovery sheet."))
        return redirect(office.url("vault:keys"))
    sheet = RecoverySheet(office, form.cleaned_data["code"], active_key(office.scope))
    return document_response(request, "recovery_sheet", sheet, fmt="pdf", scope=office.scope)


@never_cache
@sensitive_post_parameters("code")
def recover(request, **where):
    office = office_for(request, where, school="vault.recover", district="district.manage_keys")
    form = RecoveryCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key_recover(scope=office.scope, code=form.cleaned_data["code"], user=request.user, by=request.user)
        except VaultError:
            audit_record(action="ishenim.key.recover_failed", scope=office.scope, actor=request.user)
            form.add_error("code", _("This code does not open the key. Check each group of letters."))
        else:
            audit_record(action="ishenim.key.recovered", scope=office.scope, actor=request.user, obj=request.user)
            messages.success(request, _("Access restored. Print a new recovery sheet if the old one was exposed."))
            keyring_forget(request)
            return redirect(office.url("vault:keys") if _manages(request, office) else office.url("vault:recover"))
    return render(request, "vault/staff/recover.html", _context(office, form=form))


def _manages(request, office: Office) -> bool:
    return office.school is None or may(request, office.school, "vault.manage_keys")
