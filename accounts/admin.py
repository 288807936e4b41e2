from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import views
from accounts.models import SessionRecord, TwoFactor
from audit.services import audit_record

# --- one login: the admin site is behind the product's login, throttle, two-factor and audit ---


def admin_permitted(request) -> bool:
    """Staff of the admin site, in a session that passed the second factor."""
    user = request.user
    return user.is_active and user.is_staff and bool(request.session.get("two_factor"))


@login_not_required
def admin_login(request, extra_context=None):
    """/admin/login/ is the product's login (its POSTs are throttled and audited like any other)."""
    if request.user.is_authenticated:
        if request.user.is_staff and not request.session.get("two_factor"):
            messages.error(request, _("The administration pages need a login with two-factor codes. Turn it on here."))
            return redirect("accounts:two_factor")
        return redirect("accounts:account")  # logged in, but not an administrator
    return views.login(request)


def admin_password_change(request, extra_context=None):
    return redirect("accounts:password_change")


def admin_logout(request, extra_context=None):
    return views.logout(request)


admin.site.has_permission = admin_permitted
admin.site.login = admin_login
admin.site.password_change = admin_password_change
admin.site.logout = admin_logout


@admin.register(TwoFactor)
class TwoFactorAdmin(admin.ModelAdmin):
    """Lets an administrator remove a lost authenticator (the member sets up a new one at next login);
    the seed itself is never shown."""

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__username", "user__last_name"]
    fields = ["user", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        audit_record(action="ishenim.account.two_factor_reset", actor=request.user, obj=obj.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for item in queryset.select_related("user"):
            self.delete_model(request, item)


@admin.register(SessionRecord)
class SessionRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "two_factor"]
    fields = ["user", "started_at", "two_factor"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
