from django.contrib import admin

from reports.models import DutyRun


@admin.register(DutyRun)
class DutyRunAdmin(admin.ModelAdmin):
    """What `ishenim tick` did and when: for the IT person checking that the timer runs."""

    list_display = ["duty", "key", "school", "state", "started_at", "finished_at", "outcome"]
    list_filter = ["duty", "state"]
    search_fields = ["key"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
