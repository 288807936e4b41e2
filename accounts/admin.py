from django.contrib import admin

from accounts.models import SessionRecord, TwoFactor
from audit.services import audit_record


@admin.register(TwoFactor)
class TwoFactorAdmin(admin.ModelAdmin):
    """Lets an administrator remove a lost authenticator (the member sets up a new one at next login);
    the seed itself is never shown."""

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__username", "user__last_name"]
    fields = ("user", "confirmed_at")
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
    fields = ("user", "started_at", "two_factor")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
