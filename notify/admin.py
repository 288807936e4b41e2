from django.contrib import admin

from notify.models import ChannelSettings, Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "channel", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    readonly_fields = [f.name for f in Outbox._meta.fields]


@admin.register(ChannelSettings)
class ChannelSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "email_on", "telegram_on", "sms_on", "whatsapp_on", "language"]
