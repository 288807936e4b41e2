"""A person's own channels and language, the Telegram link and the WhatsApp number; the messages that did not
arrive; the Telegram webhook."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notify.channels import ChannelError
from notify.forms import ChannelsForm, WhatsAppCodeForm, WhatsAppNumberForm
from notify.models import ChannelSettings, Kind, Outbox, TelegramLink, WhatsAppCode
from notify.services import (
    channel_settings_save,
    failures,
    language_of,
    notify_send,
    telegram_deep_link,
    telegram_link_start,
    telegram_update,
    whatsapp_verify_finish,
    whatsapp_verify_start,
)
from schools.access import school_for


def _prefs(user) -> ChannelSettings:
    return ChannelSettings.objects.filter(user=user).first() or ChannelSettings(user=user)


def _channels_page(request, *, status: int = 200, **forms):
    """My channels, language, Telegram link and WhatsApp number; the last messages sent to me.

    A form that came back with errors replaces its empty twin."""
    prefs = _prefs(request.user)
    initial = {
        "email_on": prefs.email_on,
        "telegram_on": prefs.telegram_on,
        "sms_on": prefs.sms_on,
        "whatsapp_on": prefs.whatsapp_on,
        "phone": prefs.phone,
        "language": language_of(request.user),
    }
    link = TelegramLink.objects.filter(user=request.user, used_at__isnull=True).order_by("-created_at").first()
    pending = WhatsAppCode.objects.filter(user=request.user, used_at__isnull=True).order_by("-created_at").first()
    return render(
        request,
        "notify/staff/channels.html",
        {
            "form": forms.get("form") or ChannelsForm(initial=initial),
            "whatsapp_number_form": forms.get("whatsapp_number_form")
            or WhatsAppNumberForm(initial={"whatsapp_phone": prefs.whatsapp_phone or prefs.phone}),
            "whatsapp_code_form": forms.get("whatsapp_code_form") or WhatsAppCodeForm(),
            "whatsapp_pending": pending,
            "prefs": prefs,
            "link": link,
            "deep_link": telegram_deep_link(link) if link else "",
            "bot": settings.TELEGRAM_BOT_NAME,
            "recent": Outbox.objects.filter(recipient=request.user).order_by("-created_at")[:10],
        },
        status=status,
    )


def channels(request):
    if request.method != "POST":
        return _channels_page(request)
    form = ChannelsForm(request.POST)
    if not form.is_valid():
        return _channels_page(request, form=form, status=400)
    channel_settings_save(user=request.user, **form.cleaned_data)
    messages.success(request, _("Saved."))
    return redirect("notify:channels")


@require_POST
def whatsapp_code(request):
    """Send a one-time code to the WhatsApp number typed; it becomes the channel once typed back."""
    form = WhatsAppNumberForm(request.POST)
    if not form.is_valid():
        return _channels_page(request, whatsapp_number_form=form, status=400)
    try:
        whatsapp_verify_start(user=request.user, phone=form.cleaned_data["whatsapp_phone"])
    except ChannelError as error:
        form.add_error(None, _("WhatsApp did not take the message: %(reason)s") % {"reason": error})
        return _channels_page(request, whatsapp_number_form=form, status=400)
    except ValidationError as error:
        form.add_error(None, error)
        return _channels_page(request, whatsapp_number_form=form, status=429)
    messages.success(request, _("A code was sent to this number by WhatsApp. Type it below."))
    return redirect("notify:channels")


@require_POST
def whatsapp_verify(request):
    form = WhatsAppCodeForm(request.POST)
    if form.is_valid() and whatsapp_verify_finish(user=request.user, code=form.cleaned_data["code"]):
        messages.success(request, _("Your WhatsApp number is confirmed. Alerts will come there."))
        return redirect("notify:channels")
    if form.is_valid():
        form.add_error("code", _("This code is not valid. Send yourself a new one."))
    return _channels_page(request, whatsapp_code_form=form, status=400)


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
