"""The channels a message can travel by: email, Telegram (Bot API), SMS (an HTTP gateway), WhatsApp (Cloud API).

Each `send_*` returns the channel's short answer or raises `ChannelError` with
a short reason that names no secret (no token, no gateway URL with its key).
"""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

from notify.models import Channel, Outbox


class ChannelError(Exception):
    """The channel did not accept the message; the text is shown to staff, so it carries no secret."""


def _post_json(url: str, payload: dict, headers: dict | None = None) -> dict:
    if not url.startswith(("https://", "http://")):
        raise ChannelError("the address must start with https:// (or http:// on a private network)")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_TIMEOUT) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        raw = error.read(65536)
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        reason = answer.get("description") or answer.get("error") or error.reason
        if isinstance(reason, dict):  # the Graph API: {"error": {"message": …, "code": …}}
            reason = reason.get("message") or reason.get("code") or "error"
        raise ChannelError(f"HTTP {error.code}: {str(reason)[:120]}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelError(f"unreachable: {str(reason)[:120]}") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def telegram_call(method: str, payload: dict) -> dict:
    """One Bot API call; the token is in the URL, so errors never repeat the URL."""
    if not settings.TELEGRAM_BOT_TOKEN:
        raise ChannelError("Telegram is not configured (TELEGRAM_BOT_TOKEN)")
    url = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
    answer = _post_json(url, payload)
    if not answer.get("ok"):
        raise ChannelError(f"Telegram: {str(answer.get('description', 'not ok'))[:120]}")
    return answer


def send_telegram(chat_id: str, text: str) -> str:
    answer = telegram_call("sendMessage", {"chat_id": chat_id, "text": text, "disable_web_page_preview": True})
    return f"ok, message {answer.get('result', {}).get('message_id', '?')}"


def send_sms(phone: str, text: str) -> str:
    """POST {"to", "text", "sender"} with a bearer token; any 2xx is accepted (README: the gateway's shape)."""
    if not settings.SMS_GATEWAY_URL:
        raise ChannelError("SMS is not configured (SMS_GATEWAY_URL)")
    headers = {"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"} if settings.SMS_GATEWAY_TOKEN else {}
    answer = _post_json(settings.SMS_GATEWAY_URL, {"to": phone, "text": text, "sender": settings.SMS_SENDER}, headers)
    return f"ok, id {answer.get('id', '?')}"


# WhatsApp's language codes for a template in each language of the interface.
WHATSAPP_LANGUAGES = {"ky": "ky_KG", "ru": "ru", "uz": "uz", "en": "en"}


def whatsapp_number(phone: str) -> str:
    """The Cloud API's `to`: the number with its country code, digits only."""
    return "".join(ch for ch in phone if ch.isdigit())


def send_whatsapp(phone: str, text: str, language: str = "") -> str:
    """POST /{phone-number-id}/messages: the approved template (one body parameter) if configured, else text."""
    if not (settings.WHATSAPP_PHONE_NUMBER_ID and settings.WHATSAPP_TOKEN):
        raise ChannelError("WhatsApp is not configured (WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_TOKEN)")
    url = f"{settings.WHATSAPP_API_URL.rstrip('/')}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
    payload: dict[str, object] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": whatsapp_number(phone),
    }
    if settings.WHATSAPP_TEMPLATE:
        # A template parameter may hold no line breaks and no run of more than 4 spaces.
        one_line = " ".join(text.split())[:1000]
        payload |= {
            "type": "template",
            "template": {
                "name": settings.WHATSAPP_TEMPLATE,
                "language": {"code": WHATSAPP_LANGUAGES.get(language, language or "en")},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": one_line}]}],
            },
        }
    else:
        payload |= {"type": "text", "text": {"preview_url": False, "body": text[:4096]}}
    answer = _post_json(url, payload, {"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"})
    ids = [m.get("id") for m in answer.get("messages", []) if isinstance(m, dict)]
    if not ids:
        raise ChannelError("WhatsApp: no message id in the answer")
    return f"ok, {ids[0]}"


def send_email(address: str, subject: str, body: str) -> str:
    try:
        sent = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
    except Exception as error:  # noqa: BLE001 - SMTP, DNS, TLS…: every one is a failed attempt
        raise ChannelError(f"mail: {type(error).__name__}: {str(error)[:120]}") from None
    if not sent:
        raise ChannelError("mail: not accepted")
    return "ok, accepted by the mail server"


def sms_text(row: Outbox) -> str:
    """An SMS is short: the subject and the link only."""
    link = next((line for line in row.body.splitlines() if line.startswith("http")), "")
    return f"{row.subject}\n{link}".strip()


def deliver(row: Outbox) -> str:
    """Send one outbox row by its channel; return the answer or raise ChannelError."""
    if row.channel == Channel.EMAIL:
        return send_email(row.address, row.subject, row.body)
    if row.channel == Channel.TELEGRAM:
        return send_telegram(row.address, f"{row.subject}\n\n{row.body}")
    if row.channel == Channel.SMS:
        return send_sms(row.address, sms_text(row))
    if row.channel == Channel.WHATSAPP:
        return send_whatsapp(row.address, f"{row.subject}\n\n{row.body}", row.language)
    raise ChannelError("no channel chosen or linked")
