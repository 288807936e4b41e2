"""A person's own channels and language; the messages that did not arrive; the Telegram webhook."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notify.forms import ChannelsForm
from notify.models import ChannelSettings, Kind, Outbox, TelegramLink
from notify.services import (
    channel_settings_save,
    failures,
    language_of,
    notify_send,
    telegram_deep_link,
    telegram_link_start,
    telegram_update,
)
from schools.access import school_for


def channels(request):
    """My channels, language and Telegram link; the last messages sent to me."""
    prefs = ChannelSettings.objects.filter(user=request.user).first() or ChannelSettings(user=request.user)
    initial = {
        "email_on": prefs.email_on,
        "telegram_on": prefs.telegram_on,
        "sms_on": prefs.sms_on,
        "phone": prefs.phone,
        "language": language_of(request.user),
    }
    form = ChannelsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        channel_settings_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("notify:channels")
    link = TelegramLink.objects.filter(user=request.user, used_at__isnull=True).order_by("-created_at").first()
    recent = Outbox.objects.filter(recipient=request.user).order_by("-created_at")[:10]
    return render(
        request,
        "notify/staff/channels.html",
        {
            "form": form,
            "prefs": prefs,
            "link": link,
            "deep_link": telegram_deep_link(link) if link else "",
            "bot": settings.TELEGRAM_BOT_NAME,
            "recent": recent,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def telegram_code(request):
    telegram_link_start(user=request.user)
    return redirect("notify:channels")


@require_POST
def test_message(request):
    notify_send(users=[request.user], kind=Kind.TEST, office=None)
    messages.success(request, _("A test message was sent by each of your channels; see below what became of it."))
    return redirect("notify:channels")


def school_failures(request, school):
    """The school's messages that did not arrive: the director sees whom alerts do not reach."""
    school = school_for(request, school, "notify.failures")
    page = Paginator(failures(school=school), 50).get_page(request.GET.get("page"))
    return render(request, "notify/staff/failures.html", {"school": school, "page": page})


def all_failures(request):
    """Every school's failed messages, for the platform administrator."""
    if not request.user.is_superuser:
        raise PermissionDenied
    page = Paginator(failures(), 50).get_page(request.GET.get("page"))
    return render(request, "notify/staff/failures.html", {"school": None, "page": page})


@login_not_required
@csrf_exempt  # Telegram posts here; it proves itself with the secret path and header instead
@require_POST
def telegram_webhook(request, secret):
    expected = settings.TELEGRAM_WEBHOOK_SECRET
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not expected or not hmac.compare_digest(secret, expected) or not hmac.compare_digest(header, expected):
        raise Http404
    try:
        update = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    return JsonResponse({"ok": True, "done": telegram_update(update)})
