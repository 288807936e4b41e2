"""One login: the admin site is behind the product's login, throttle, two-factor and audit.

`django.contrib.admin` is installed through `AdminConfig` below, so `admin.site` is an
`AdminSite` whose login, logout and password change are the product's own pages."""

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _


class AdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """Staff of the admin site, in a session that passed the second factor."""
        user = request.user
        return user.is_active and user.is_staff and bool(request.session.get("two_factor"))

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """/admin/login/ is the product's login (its POSTs are throttled and audited like any other)."""
        from accounts import views

        if request.user.is_authenticated:
            if request.user.is_staff and not request.session.get("two_factor"):
                messages.error(
                    request, _("The administration pages need a login with two-factor codes. Turn it on here.")
                )
                return redirect("accounts:two_factor")
            return redirect("accounts:account")  # logged in, but not an administrator
        return views.login(request)

    def logout(self, request, extra_context=None):
        from accounts import views

        return views.logout(request)

    def password_change(self, request, extra_context=None):
        return redirect("accounts:password_change")


class AdminConfig(DjangoAdminConfig):
    default_site = "accounts.admin_site.AdminSite"
