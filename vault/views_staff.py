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
from schools.access import may
from vault.casekeys import legacy_appeals
from vault.documents import RecoverySheet
from vault.forms import MemberForm, RecoveryCodeForm, RotateForm
from vault.models import VaultKey
from vault.places import Place, district_place, school_place
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


def _context(place: Place, **extra) -> dict:
    return {"place": place, "school": place.school, **extra}


def _keys(request, place: Place):
    ring = keyring(request)
    key = active_key(place.scope)
    holders = key_holders(place.scope)
    readers = list(place.readers())
    seen, members = set(), []
    for m in readers:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        roles = [r.get_role_display() for r in readers if r.user_id == m.user_id]
        members.append({"user": m.user, "roles": roles, "holds": m.user_id in holders})
    outsiders = get_user_model().objects.filter(pk__in=holders - seen).order_by("username")
    context = _context(
        place,
        key=key,
        members=members,
        outsiders=outsiders,
        can_open=key is not None and ring.private_for(key.id) is not None,
        retired=VaultKey.objects.filter(scope=place.scope).exclude(retired_at=None).count(),
        # Appeals stored by an earlier version, sealed straight to this key: replacing the key converts them.
        older=len(legacy_appeals(set(VaultKey.objects.filter(scope=place.scope).values_list("id", flat=True)))),
    )
    return render(request, "vault/staff/keys.html", context)


def _member(request, place: Place):
    form = MemberForm(request.POST)
    if not form.is_valid():
        raise Http404
    user = get_user_model().objects.filter(pk=form.cleaned_data["user"]).first()
    if user is None:
        raise Http404
    return user


def _grant(request, place: Place):
    user = _member(request, place)
    if not place.readers().filter(user=user).exists():
        messages.error(request, _("Only members whose role reads appeals can be given the key."))
        return redirect(place.url("keys"))
    try:
        key_grant(ring=keyring(request), scope=place.scope, user=user, by=request.user)
    except VaultError:
        messages.error(
            request,
            _("The key could not be given: you do not hold it yourself, or %(name)s has never logged in.")
            % {"name": user.get_full_name() or user.username},
        )
        return redirect(place.url("keys"))
    audit_record(action="ishenim.key.granted", scope=place.scope, actor=request.user, obj=user)
    messages.success(request, _("%(name)s can now read appeals.") % {"name": user.get_full_name() or user.username})
    return redirect(place.url("keys"))


def _revoke(request, place: Place):
    user = _member(request, place)
    if user == request.user:
        messages.error(request, _("You cannot remove your own access here; another director can."))
        return redirect(place.url("keys"))
    if key_revoke(scope=place.scope, user=user):
        audit_record(action="ishenim.key.revoked", scope=place.scope, actor=request.user, obj=user)
        messages.success(
            request, _("%(name)s can no longer read appeals.") % {"name": user.get_full_name() or user.username}
        )
    return redirect(place.url("keys"))


def _sheet(request, place: Place, code: str, *, rotated=None):
    response = render(request, "vault/staff/recovery_sheet.html", _context(place, code=code, rotated=rotated))
    response["Cache-Control"] = "no-store"
    return response


def _rotate(request, place: Place):
    form = RotateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rotation = key_rotate(ring=keyring(request), scope=place.scope)
        except VaultError:
            messages.error(request, _("You do not hold this key, so you cannot replace it."))
            return redirect(place.url("keys"))
        audit_record(
            action="ishenim.key.rotated",
            scope=place.scope,
            actor=request.user,
            obj=rotation.key,
            detail={"resealed": rotation.resealed, "kept": rotation.kept, "holders": rotation.holders},
        )
        return _sheet(request, place, rotation.code, rotated=rotation)
    return render(request, "vault/staff/rotate.html", _context(place, form=form))


def _recovery_new(request, place: Place):
    try:
        code = key_recovery_renew(ring=keyring(request), scope=place.scope)
    except VaultError:
        messages.error(request, _("You do not hold this key, so you cannot make its recovery sheet."))
        return redirect(place.url("keys"))
    audit_record(action="ishenim.key.recovery_renewed", scope=place.scope, actor=request.user)
    return _sheet(request, place, code)


def _recovery_pdf(request, place: Place):
    form = RecoveryCodeForm(request.POST)
    if not form.is_valid() or recovery_check(scope=place.scope, code=form.cleaned_data["code"]) is None:
        messages.error(request, _("That is not the current recovery code: make a new recovery sheet."))
        return redirect(place.url("keys"))
    sheet = RecoverySheet(place, form.cleaned_data["code"], active_key(place.scope))
    return document_response(request, "recovery_sheet", sheet, fmt="pdf", scope=place.scope)


def _recover(request, place: Place):
    form = RecoveryCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key_recover(scope=place.scope, code=form.cleaned_data["code"], user=request.user, by=request.user)
        except VaultError:
            audit_record(action="ishenim.key.recover_failed", scope=place.scope, actor=request.user)
            form.add_error("code", _("This code does not open the key. Check each group of letters."))
        else:
            audit_record(action="ishenim.key.recovered", scope=place.scope, actor=request.user, obj=request.user)
            messages.success(request, _("Access restored. Print a new recovery sheet if the old one was exposed."))
            keyring_forget(request)
            return redirect(place.url("keys") if _manages(request, place) else place.url("recover"))
    return render(request, "vault/staff/recover.html", _context(place, form=form))


def _manages(request, place: Place) -> bool:
    return place.school is None or may(request, place.school, "vault.manage_keys")


# --- the URLs: one view per action and place ------------------------------------


@never_cache
def school_keys(request, school):
    return _keys(request, school_place(request, school, "vault.manage_keys"))


@require_POST
def school_grant(request, school):
    return _grant(request, school_place(request, school, "vault.manage_keys"))


@require_POST
def school_revoke(request, school):
    return _revoke(request, school_place(request, school, "vault.manage_keys"))


@never_cache
def school_rotate(request, school):
    return _rotate(request, school_place(request, school, "vault.manage_keys"))


@require_POST
def school_recovery_new(request, school):
    return _recovery_new(request, school_place(request, school, "vault.manage_keys"))


@require_POST
@sensitive_post_parameters("code")
def school_recovery_pdf(request, school):
    return _recovery_pdf(request, school_place(request, school, "vault.manage_keys"))


@never_cache
@sensitive_post_parameters("code")
def school_recover(request, school):
    return _recover(request, school_place(request, school, "vault.recover"))


@never_cache
def district_keys(request, district):
    return _keys(request, district_place(request, district))


@require_POST
def district_grant(request, district):
    return _grant(request, district_place(request, district))


@require_POST
def district_revoke(request, district):
    return _revoke(request, district_place(request, district))


@never_cache
def district_rotate(request, district):
    return _rotate(request, district_place(request, district))


@require_POST
def district_recovery_new(request, district):
    return _recovery_new(request, district_place(request, district))


@require_POST
@sensitive_post_parameters("code")
def district_recovery_pdf(request, district):
    return _recovery_pdf(request, district_place(request, district))


@never_cache
@sensitive_post_parameters("code")
def district_recover(request, district):
    return _recover(request, district_place(request, district))
