"""Every message the product sends to a person: one outbox row per message, recipient and channel.

A row holds the rendered subject and body and nothing of an appeal's content:
the school, the journal number, a due date and a link at most. Rows are never
deleted by the sender; their status says what became of them.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import District, School


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    NONE = "none", _("no channel")


class Kind(models.TextChoices):
    URGENT = "urgent", _("urgent appeal")
    URGENT_ESCALATED = "urgent_escalated", _("urgent appeal not acknowledged")
    URGENT_UNREACHED = "urgent_unreached", _("urgent alert reached nobody")
    CASE_ASSIGNED = "case_assigned", _("case assigned")
    CASE_REOPENED = "case_reopened", _("case reopened by its writer")
    PROTOCOL_CONFIRM = "protocol_confirm", _("protocol to confirm")
    SEAL_INCIDENT = "seal_incident", _("seal incident")
    WEEKLY_SUMMARY = "weekly_summary", _("weekly summary")
    REPORT_DRAFTED = "report_drafted", _("reminder: report drafted")
    REPORT_DUE = "report_due", _("reminder: report due")
    OPENING_SOON = "opening_soon", _("reminder: box opening")
    MEETINGS_SHORT = "meetings_short", _("reminder: commission meetings")
    OVERDUE_CASES = "overdue_cases", _("reminder: overdue cases")
    ACTION_DUE = "action_due", _("reminder: a measure is due")
    INVITATION = "invitation", _("invitation to Ishenim")
    TEST = "test", _("test message")


class Outbox(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        GAVE_UP = "gave_up", _("gave up")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    school = models.ForeignKey(
        School, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    district = models.ForeignKey(
        District, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("district")
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("appeal")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="messages_received",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    urgent = models.BooleanField(_("urgent"), default=False)
    level = models.PositiveSmallIntegerField(_("alert level"), default=0)
    batch = models.UUIDField(_("sent together"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    answer = models.CharField(_("channel's answer"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["school", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient or self.address} ({self.get_channel_display()})"


class ChannelSettings(models.Model):
    """How a person wants to be told: channels, the Telegram chat linked, a phone for SMS, a verified WhatsApp
    number, the language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="channel_settings", verbose_name=_("user")
    )
    email_on = models.BooleanField(_("by email"), default=True)
    telegram_on = models.BooleanField(_("by Telegram"), default=True)
    sms_on = models.BooleanField(_("by SMS"), default=False)
    whatsapp_on = models.BooleanField(_("by WhatsApp"), default=True)
    telegram_chat_id = models.CharField(_("Telegram chat"), max_length=32, blank=True)
    phone = models.CharField(_("phone for SMS"), max_length=20, blank=True)
    whatsapp_phone = models.CharField(
        _("WhatsApp number"),
        max_length=20,
        blank=True,
        help_text=_("Set only once the person typed the code sent there."),
    )
    language = models.CharField(_("language of messages"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("channel settings")
        verbose_name_plural = _("channel settings")

    def __str__(self) -> str:
        return str(self.user)


def _link_code() -> str:
    return secrets.token_urlsafe(12)


class TelegramLink(models.Model):
    """A one-time code that ties a Telegram chat to an account (`/start <code>` to the bot)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    code = models.CharField(_("code"), max_length=32, unique=True, default=_link_code)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link code")
        verbose_name_plural = _("Telegram link codes")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


def _verification_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


class WhatsAppCode(models.Model):
    """A six-digit code sent by WhatsApp to a number; typed back on the account page, it proves the number is theirs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    phone = models.CharField(_("WhatsApp number"), max_length=20)
    code = models.CharField(_("code"), max_length=6, default=_verification_code)
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("WhatsApp code")
        verbose_name_plural = _("WhatsApp codes")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
