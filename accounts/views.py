"""Staff login (password, then the second factor), logout, and the account pages."""

import base64
import time

from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import twofactor
from accounts.forms import CodeForm, EnrolForm, PasswordChangeForm
from accounts.invitations import invitation_accept, invitation_find, invitation_sheet_recover
from accounts.models import SessionRecord, TwoFactor
from accounts.sessions import (
    session_box_drop,
    session_box_get,
    session_box_put,
    session_end,
    session_forget,
    session_record,
    session_rekeyed,
    sessions_end,
    sessions_of,
)
from accounts.throttle import LoginGuard, account_for
from audit.services import audit_record
from schools.access import memberships
from schools.offices import Office
from schools.permissions import permitted
from vault.services import session_close, session_open_private, user_key_set, user_key_unlock

PENDING = "login_pending"
PENDING_COOKIE = "ishenim_pending"
PENDING_SECONDS = 600
CODE_TRIES = 5
ENROL_SEED = "two_factor_seed"
PENDING_KEY = "login_pending_key"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("schools:work")


def _wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many failed attempts for this account. Try again in %(n)d minute.",
        "Too many failed attempts for this account. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


# --- step 1: the password ------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request):
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        guard = LoginGuard(request, username)
        account = account_for(username)
        wait = guard.wait_seconds()
        if wait:
            form = AuthenticationForm(request)
            form.initial["username"] = username
            messages.error(request, _wait_message(wait))
            if guard.first_refusal(wait):  # one record per wait, so a flood cannot flood the trail
                audit_record(action="ishenim.account.login_throttled", obj=account, detail={"wait": wait})
            status = 429
        elif form.is_valid():
            user = form.get_user()
            return _password_ok(request, user, user_key_unlock(user, form.cleaned_data["password"]), guard)
        else:
            guard.failed()
            audit_record(
                action="ishenim.account.login_failed",
                obj=account,
                detail={"known_browser": bool(guard.device), "known_account": account is not None},
            )
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "accounts/login.html", context, status=status)


def _password_ok(request, user, private: bytes, guard: LoginGuard):
    if twofactor.active_for(user):
        step = "code"
    elif twofactor.is_required(user):
        step = "enrol"
    else:
        return _finish(request, redirect(_next_url(request)), user, private, guard, two_factor=False)
    request.session[PENDING] = {
        "user": user.pk,
        "at": time.time(),
        "next": _next_url(request),
        "step": step,
        "tries": 0,
    }
    response = redirect("accounts:login_code" if step == "code" else "accounts:login_enrol")
    session_box_put(request, response, PENDING_KEY, PENDING_COOKIE, private, max_age=PENDING_SECONDS)
    return response


def _pending(request):
    """(user, private key, state) of a login half done in this browser, or None."""
    state = request.session.get(PENDING)
    private = session_box_get(request, PENDING_KEY, PENDING_COOKIE)
    if not state or private is None or time.time() - state["at"] > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=state["user"], is_active=True).first()
    return (user, private, state) if user else None


def _finish(request, response, user, private: bytes, guard: LoginGuard, *, two_factor: bool):
    """Log the user in; `response` may be a callable that builds the page once they are."""
    request.session.pop(PENDING, None)
    request.session.pop(ENROL_SEED, None)
    auth.login(request, user)
    request.session["two_factor"] = two_factor
    if callable(response):
        response = response()
    session_open_private(request, response, private)
    session_record(request, two_factor=two_factor)
    guard.succeeded(response)
    session_box_drop(request, response, PENDING_KEY, PENDING_COOKIE)
    audit_record(action="ishenim.account.login", actor=user, obj=user, detail={"two_factor": two_factor})
    return response


def _restart(request):
    request.session.pop(PENDING, None)
    messages.error(request, _("Your login took too long or was interrupted. Please log in again."))
    return redirect("accounts:login")


# --- step 2: the code from the app ---------------------------------------------------


@login_not_required
@csrf_protect
@never_cache
def login_code(request):
    pending = _pending(request)
    if pending is None or pending[2]["step"] != "code":
        return _restart(request)
    user, private, state = pending
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        guard = LoginGuard(request, user.get_username())
        wait = guard.wait_seconds()
        if wait:
            form.add_error("code", _wait_message(wait))
            return render(request, "accounts/login_code.html", {"form": form}, status=429)
        kind = twofactor.two_factor_check(user=user, code=form.cleaned_data["code"])
        if kind:
            if kind == "backup":
                audit_record(action="ishenim.account.backup_code_used", actor=None, obj=user)
                messages.warning(request, _("You used a backup code. Make new ones if few are left."))
            return _finish(request, redirect(state["next"]), user, private, guard, two_factor=True)
        guard.failed()
        audit_record(action="ishenim.account.two_factor_failed", obj=user)
        state["tries"] += 1
        request.session[PENDING] = state
        if state["tries"] >= CODE_TRIES:
            return _restart(request)
        form.add_error("code", _("That code is not right, or was already used. Wait for a new one."))
    return render(request, "accounts/login_code.html", {"form": form})


# --- or step 2 for a first login where the second factor is required ----------------------


def _enrol_seed(request) -> str:
    boxed = request.session.get(ENROL_SEED)
    if boxed:
        return twofactor.seed_open(base64.b64decode(boxed))
    seed = twofactor.seed_new()
    request.session[ENROL_SEED] = base64.b64encode(twofactor.seed_box(seed)).decode()
    return seed


def _enrol_context(request, user, form) -> dict:
    seed = _enrol_seed(request)
    uri = twofactor.provisioning_uri(seed, user)
    return {"form": form, "qr": twofactor.qr_svg_data_uri(uri), "seed": seed, "account": user.get_username()}


def _codes_page(request, codes: list[str], next_url: str):
    response = render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@csrf_protect
@never_cache
def login_enrol(request):
    pending = _pending(request)
    if pending is None or pending[2]["step"] != "enrol":
        return _restart(request)
    user, private, state = pending
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        seed = _enrol_seed(request)
        if twofactor.matching_step(seed, form.cleaned_data["code"]) is not None:
            codes = twofactor.two_factor_enable(user=user, seed=seed)
            audit_record(action="ishenim.account.two_factor_enabled", actor=user, obj=user)
            guard = LoginGuard(request, user.get_username())
            return _finish(
                request, lambda: _codes_page(request, codes, state["next"]), user, private, guard, two_factor=True
            )
        form.add_error("code", _("That code does not match. Check the phone's clock and try the next code."))
    return render(request, "accounts/login_enrol.html", _enrol_context(request, user, form))


@require_POST
def logout(request):
    audit_record(action="ishenim.account.logout", actor=request.user, obj=request.user)
    session_forget(request.session.session_key)
    auth.logout(request)
    response = redirect("home")
    session_close(response)
    return response


# --- the account pages ------------------------------------------------------------------


def _places(request) -> list[dict]:
    """Where this member manages keys or may recover access, with the links."""
    places: list[dict] = []
    for m in memberships(request):
        roles = {m.role}
        if m.district and permitted(roles, "district.manage_keys"):
            office = Office(district=m.district)
            links = {"keys": "vault:keys", "audit": "audit:trail", "recover": "vault:recover"}
        elif m.school and permitted(roles, "vault.recover"):
            office = Office(school=m.school)
            links = {"recover": "vault:recover"}
            if permitted(roles, "vault.manage_keys"):
                links["keys"] = "vault:keys"
            if permitted(roles, "audit.read"):
                links["audit"] = "audit:trail"
        else:
            continue
        place = next((p for p in places if p["name"] == office.name), None)
        if place is None:
            place = {"name": office.name, "links": {}}
            places.append(place)
        place["links"] |= {key: office.url(name) for key, name in links.items()}
    return places


@never_cache
def account(request):
    context = {
        "two_factor": twofactor.active_for(request.user),
        "required": twofactor.is_required(request.user),
        "sessions": sessions_of(request),
        "places": _places(request),
    }
    return render(request, "accounts/account.html", context)


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        guard = LoginGuard(request, request.user.get_username(), trust_device=False)
        wait = guard.wait_seconds()
        if wait:  # the current password is a password check like the login: the same throttle
            if guard.first_refusal(wait):
                audit_record(action="ishenim.account.login_throttled", actor=request.user, obj=request.user)
            messages.error(request, _wait_message(wait))
            form = PasswordChangeForm(request.user)
            return render(request, "accounts/password_change.html", {"form": form}, status=429)
        if form.has_error("old_password"):
            guard.failed()
            audit_record(action="ishenim.account.password_change_failed", actor=request.user, obj=request.user)
    if request.method == "POST" and form.is_valid():
        user, new = request.user, form.cleaned_data["new_password1"]
        old_key = request.session.session_key
        with transaction.atomic():
            user.set_password(new)
            user.save(update_fields=["password"])
            # Re-wrap the same private key: the grants (access to appeals) survive.
            user_key_set(user=user, password=new, old_password=form.cleaned_data["old_password"])
        auth.update_session_auth_hash(request, user)
        session_rekeyed(request, old_key)
        ended = sessions_end(user, keep=request.session.session_key)
        audit_record(action="ishenim.account.password_changed", actor=user, obj=user, detail={"sessions_ended": ended})
        messages.success(request, _("Your password was changed. Your other sessions were logged out."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
def two_factor(request):
    user = request.user
    current = twofactor.active_for(user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not current:
        seed = _enrol_seed(request)
        if twofactor.matching_step(seed, form.cleaned_data["code"]) is not None:
            codes = twofactor.two_factor_enable(user=user, seed=seed)
            request.session.pop(ENROL_SEED, None)
            request.session["two_factor"] = True  # a code was just proven in this session
            audit_record(action="ishenim.account.two_factor_enabled", actor=user, obj=user)
            return _codes_page(request, codes, reverse("accounts:account"))
        form.add_error("code", _("That code does not match. Check the phone's clock and try the next code."))
    context = {"current": current, "required": twofactor.is_required(user)}
    if not current:
        context |= _enrol_context(request, user, form)
    return render(request, "accounts/two_factor.html", context)


@require_POST
def two_factor_off(request):
    user = request.user
    if twofactor.is_required(user):
        messages.error(request, _("Your role requires two-factor login; it cannot be turned off."))
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST)
    if form.is_valid() and twofactor.two_factor_check(user=user, code=form.cleaned_data["code"]):
        TwoFactor.objects.filter(user=user).delete()
        audit_record(action="ishenim.account.two_factor_disabled", actor=user, obj=user)
        messages.success(request, _("Two-factor login is off."))
        return redirect("accounts:account")
    messages.error(request, _("That code is not right: two-factor login stays on."))
    return redirect("accounts:two_factor")


@require_POST
def backup_codes(request):
    if not twofactor.active_for(request.user):
        return redirect("accounts:two_factor")
    codes = twofactor.backup_codes_renew(user=request.user)
    audit_record(action="ishenim.account.backup_codes_renewed", actor=request.user, obj=request.user)
    return _codes_page(request, codes, reverse("accounts:account"))


@require_POST
def session_logout(request, record):
    target = SessionRecord.objects.filter(user=request.user, pk=record).first()
    if target is not None:
        session_end(target)
        audit_record(action="ishenim.account.sessions_ended", actor=request.user, obj=request.user, detail={"n": 1})
        messages.success(request, _("That session was logged out."))
    return redirect("accounts:account")


@require_POST
def logout_everywhere(request):
    ended = sessions_end(request.user, keep=request.session.session_key)
    audit_record(action="ishenim.account.sessions_ended", actor=request.user, obj=request.user, detail={"n": ended})
    messages.success(
        request,
        ngettext("%(n)d other session was logged out.", "%(n)d other sessions were logged out.", ended) % {"n": ended},
    )
    return redirect("accounts:account")


# --- the invitation link of a new member ----------------------------------------------------


@login_not_required
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
def invitation(request, token):
    found = invitation_find(token)
    if found is None and invitation_sheet_recover(token=token, user=request.user):
        return redirect("schools:welcome")  # a first link that still carried the recovery sheet
    if found is None:  # not audited: an anonymous request must not grow the trail
        return render(request, "accounts/invitation_gone.html", status=410)
    form = SetPasswordForm(found.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invitation_accept(invitation=found, token=token, password=form.cleaned_data["new_password1"])
        messages.success(request, _("Your password is set. Log in with it now."))
        return redirect(reverse("accounts:login") + "?next=" + reverse("schools:welcome"))
    return render(request, "accounts/invitation.html", {"form": form, "member": found.user})
