from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from audit.services import audit_record
from vault.services import session_close, session_open


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "schools:home"


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request):
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth.login(request, user)
        response = redirect(_next_url(request))
        session_open(request, response, user, form.cleaned_data["password"])
        audit_record(action="ishenim.account.login", actor=user, obj=user)
        return response
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout(request):
    audit_record(action="ishenim.account.logout", actor=request.user, obj=request.user)
    auth.logout(request)
    response = redirect("home")
    session_close(response)
    return response
