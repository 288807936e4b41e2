"""The one way the product tells a person something: render, queue as outbox rows, send, retry.

`notify_send` renders each message in the recipient's language and writes one
outbox row per channel the recipient chose and linked; the send task runs after
the transaction commits. A failed attempt is retried after 1, 5, 15, 60 and 240
minutes (by `ishenim tick`), then given up; every failure stays visible on the
school's failures page and to the platform administrator.
"""

import datetime as dt
import hmac
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from notify.channels import ChannelError, deliver
from notify.models import Channel, ChannelSettings, Kind, Outbox, TelegramLink, WhatsAppCode
from schools.models import District, School
from schools.offices import OfficeOwner

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd … failed attempt; after the last one the row is given up.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
# While one sender works on a row, nobody else takes it (a sender that died is replaced after this).
LEASE = dt.timedelta(minutes=2)


def language_of(user) -> str:
    """The language a person reads messages in: their choice here, else their report language, else Kyrgyz."""
    chosen = ChannelSettings.objects.filter(user=user).values_list("language", flat=True).first()
    if chosen:
        return chosen
    from reports.models import ReportLanguage

    return ReportLanguage.objects.filter(user=user).values_list("language", flat=True).first() or settings.LANGUAGE_CODE


def channels_of(user) -> list[tuple[str, str]]:
    """(channel, address) the person chose and linked; empty if none works."""
    prefs = ChannelSettings.objects.filter(user=user).first() or ChannelSettings(user=user)
    found: list[tuple[str, str]] = []
    if prefs.email_on and user.email:
        found.append((Channel.EMAIL, user.email))
    if prefs.telegram_on and prefs.telegram_chat_id:
        found.append((Channel.TELEGRAM, prefs.telegram_chat_id))
    if prefs.sms_on and prefs.phone:
        found.append((Channel.SMS, prefs.phone))
    if prefs.whatsapp_on and prefs.whatsapp_phone:
        found.append((Channel.WHATSAPP, prefs.whatsapp_phone))
    return found


def _office_name(office: OfficeOwner | None, language: str) -> str:
    return office.name_in(language) if office is not None else ""


def appeal_link(appeal) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "appeals:detail", kwargs={"school": appeal.school.slug, "pk": appeal.pk}
    )


def render(kind: str, language: str, context: dict) -> tuple[str, str]:
    """Subject and body of a message of this kind, in this language."""
    with translation.override(language):
        ctx = {**context, "LANGUAGE": language}
        subject = " ".join(render_to_string(f"notify/{kind}/subject.txt", ctx).split())[:200]
        body = render_to_string(f"notify/{kind}/body.txt", ctx).strip()
    return subject, body


def _context(office: OfficeOwner | None, appeal, params: dict | None, language: str) -> dict:
    """What a template may use. Of an appeal only its number, the due date and a link: never its content."""
    ctx: dict[str, object] = {"office": _office_name(office, language), "SITE_URL": settings.SITE_URL.rstrip("/")}
    if appeal is not None:
        ctx.update(
            number=appeal.journal_number,
            due_on=appeal.due(),
            received=timezone.localtime(appeal.received_at),
            link=appeal_link(appeal),
        )
    return {**ctx, **(params or {})}


def notify_send(
    *,
    users: Iterable,
    kind: str,
    office: OfficeOwner | None,
    appeal=None,
    params: dict | None = None,
    urgent: bool = False,
    level: int = 0,
    office_address: bool = False,
) -> list[Outbox]:
    """Queue a message to each person by each channel they chose; send after commit.

    A person with no working channel gets a row on channel "none", given up at
    once, so the failures page shows who cannot be reached. With
    `office_address`, the office's own email address gets a copy in the default language.
    """
    Kind(kind)  # an unknown kind is a programming error
    batch = uuid.uuid4()
    now = timezone.now()
    school = office if isinstance(office, School) else None
    district = office if isinstance(office, District) else None
    common = dict(kind=kind, school=school, district=district, appeal=appeal, urgent=urgent, level=level, batch=batch)
    rows = []
    people = {user.pk: user for user in users if user.is_active}.values()
    for user in people:
        language = language_of(user)
        subject, body = render(kind, language, _context(office, appeal, params, language))
        targets = channels_of(user)
        if not targets:
            rows.append(
                Outbox(
                    **common,
                    recipient=user,
                    channel=Channel.NONE,
                    language=language,
                    subject=subject,
                    body=body,
                    status=Outbox.Status.GAVE_UP,
                    last_error="no channel chosen or linked",
                )
            )
        for channel, address in targets:
            rows.append(
                Outbox(
                    **common,
                    recipient=user,
                    channel=channel,
                    address=address,
                    language=language,
                    subject=subject,
                    body=body,
                    next_attempt_at=now + LEASE,
                )
            )
    if office_address and office is not None and office.email:
        language = settings.LANGUAGE_CODE
        subject, body = render(kind, language, _context(office, appeal, params, language))
        rows.append(
            Outbox(
                **common,
                channel=Channel.EMAIL,
                address=office.email,
                language=language,
                subject=subject,
                body=body,
                next_attempt_at=now + LEASE,
            )
        )
    Outbox.objects.bulk_create(rows)
    ids = [row.pk for row in rows if row.status == Outbox.Status.QUEUED]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids, str(batch)))
    elif urgent and rows:
        transaction.on_commit(lambda: batch_check(str(batch)))  # nobody to send to: reached nobody
    return rows


def _enqueue(ids: list[int], batch: str) -> None:
    try:
        outbox_send_task.enqueue(ids, batch)
    except Exception:  # noqa: BLE001 - the tick sends what the queue lost
        log.exception("outbox batch %s could not be queued; the tick will send it", batch)


@task()
def outbox_send_task(ids: list[int], batch: str = "") -> int:
    sent = outbox_deliver(ids)
    if batch:
        batch_check(batch)
    return sent


def _claim(row_id: int, now: dt.datetime) -> Outbox | None:
    """Take a row for one attempt, unless another sender has it (its lease runs) or it is done."""
    taken = Outbox.objects.filter(
        Q(attempts=0) | Q(next_attempt_at__lte=now),
        pk=row_id,
        status__in=[Outbox.Status.QUEUED, Outbox.Status.FAILED],
    )
    if not taken.update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE):
        return None
    return Outbox.objects.get(pk=row_id)


def outbox_deliver(ids: Iterable[int], at: dt.datetime | None = None) -> int:
    """One attempt for each of these rows; returns how many were accepted. `at`: the tick's clock."""
    sent = 0
    for row_id in ids:
        now = at or timezone.now()
        row = _claim(row_id, now)
        if row is None:
            continue
        try:
            answer = deliver(row)
        except ChannelError as error:
            last = row.attempts > len(BACKOFF_MINUTES)
            Outbox.objects.filter(pk=row.pk).update(
                status=Outbox.Status.GAVE_UP if last else Outbox.Status.FAILED,
                last_error=str(error)[:200],
                next_attempt_at=None if last else now + dt.timedelta(minutes=BACKOFF_MINUTES[row.attempts - 1]),
            )
            log.warning("message %s by %s failed (attempt %s)", row.pk, row.channel, row.attempts)
            continue
        Outbox.objects.filter(pk=row.pk).update(
            status=Outbox.Status.SENT, sent_at=now, answer=answer[:200], next_attempt_at=None
        )
        sent += 1
    return sent


def batch_check(batch: str) -> None:
    """An urgent alert whose every row failed (or that had nobody to go to) reached nobody: go one level up."""
    rows = list(Outbox.objects.filter(batch=batch).values("status", "attempts", "urgent", "appeal_id", "level"))
    urgent = [row for row in rows if row["urgent"]]
    if not urgent or any(row["status"] == Outbox.Status.SENT for row in urgent):
        return
    if any(row["status"] == Outbox.Status.QUEUED and row["attempts"] == 0 for row in urgent):
        return  # not tried yet
    appeal_id = urgent[0]["appeal_id"]
    if appeal_id is not None:
        from appeals.services.urgent import urgent_unreached

        urgent_unreached(appeal_id=appeal_id, level=urgent[0]["level"])


def outbox_retry_due(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send the rows whose time has come: retries, and first tries a lost queue never made (tick, each minute)."""
    now = now or timezone.now()
    due = list(
        Outbox.objects.filter(status__in=[Outbox.Status.QUEUED, Outbox.Status.FAILED], next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "batch")[:limit]
    )
    sent = outbox_deliver([pk for pk, _batch in due], at=now)
    for batch in {batch for _pk, batch in due}:
        batch_check(str(batch))
    return sent


# --- the person's own settings and the Telegram link -----------------------------


@transaction.atomic
def channel_settings_save(
    *, user, email_on: bool, telegram_on: bool, sms_on: bool, whatsapp_on: bool, phone: str, language: str
):
    prefs, _created = ChannelSettings.objects.get_or_create(user=user)
    prefs.email_on, prefs.telegram_on, prefs.sms_on, prefs.whatsapp_on = email_on, telegram_on, sms_on, whatsapp_on
    prefs.phone, prefs.language = phone.strip(), language
    prefs.save()
    return prefs


LINK_VALID = dt.timedelta(hours=1)


def telegram_link_start(*, user) -> TelegramLink:
    """A fresh one-time code (older unused ones of the person stop working)."""
    TelegramLink.objects.filter(user=user, used_at__isnull=True).delete()
    return TelegramLink.objects.create(user=user)


def telegram_deep_link(link: TelegramLink) -> str:
    bot = settings.TELEGRAM_BOT_NAME
    return f"https://t.me/{bot}?start={link.code}" if bot else ""


@transaction.atomic
def telegram_link_finish(*, code: str, chat_id: str) -> object | None:
    """`/start <code>` came from this chat: store the chat id for the code's owner; None if the code is not valid."""
    link = (
        TelegramLink.objects.select_for_update()
        .filter(code=code.strip(), used_at__isnull=True, created_at__gte=timezone.now() - LINK_VALID)
        .select_related("user")
        .first()
    )
    if link is None:
        return None
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    prefs, _created = ChannelSettings.objects.get_or_create(user=link.user)
    prefs.telegram_chat_id, prefs.telegram_on = str(chat_id), True
    prefs.save(update_fields=["telegram_chat_id", "telegram_on"])
    from audit.services import audit_record

    audit_record(action="ishenim.notify.telegram_linked", actor=link.user, obj=prefs)
    return link.user


def telegram_update(update: dict) -> str:
    """Handle one Bot API update (webhook or getUpdates): `/start <code>` links the chat. Returns what was done."""
    message = update.get("message") or {}
    text = (message.get("text") or "").strip()
    chat_id = (message.get("chat") or {}).get("id")
    if chat_id is None or not text.startswith("/start"):
        return "ignored"
    parts = text.split(maxsplit=1)
    user = telegram_link_finish(code=parts[1], chat_id=str(chat_id)) if len(parts) == 2 else None
    with translation.override(language_of(user) if user else settings.LANGUAGE_CODE):
        from django.utils.translation import gettext as _

        reply = (
            _("This chat is now linked to Ishenim. Alerts will come here.")
            if user
            else _("This code is not valid. Make a new one on your page in Ishenim.")
        )
    try:
        from notify.channels import send_telegram

        send_telegram(str(chat_id), reply)
    except ChannelError:
        log.warning("telegram: the reply to a /start could not be sent")
    return "linked" if user else "bad code"


def telegram_poll(offset: int | None = None) -> tuple[int | None, list[str]]:
    """One getUpdates call (for servers without a public HTTPS address); returns the next offset and outcomes."""
    from notify.channels import telegram_call

    payload = {"timeout": 0, "allowed_updates": ["message"]}
    if offset is not None:
        payload["offset"] = offset
    updates = telegram_call("getUpdates", payload).get("result", [])
    done = [telegram_update(update) for update in updates]
    return (updates[-1]["update_id"] + 1 if updates else offset), done


# --- the WhatsApp number, proved by a code sent there ------------------------------

WHATSAPP_CODE_VALID = dt.timedelta(minutes=30)
WHATSAPP_CODE_TRIES = 5
WHATSAPP_CODES_PER_HOUR = 5  # each one is a paid message to a number the person typed


def whatsapp_verify_start(*, user, phone: str) -> WhatsAppCode:
    """Send a fresh six-digit code to this WhatsApp number (older unused codes stop working).

    Sent at once, not through the outbox: the person waits for it on the page, and
    a code is a secret that no outbox row or failures page should show. Raises
    ChannelError when WhatsApp did not take it, ValidationError past the hourly limit."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from accounts.throttle import bucket, counters_hit
    from notify.channels import send_whatsapp

    if counters_hit([bucket("whatsapp_code", str(user.pk))], 3600)[0] > WHATSAPP_CODES_PER_HOUR:
        raise ValidationError(_("Too many codes were asked for. Try again in an hour."))
    WhatsAppCode.objects.filter(user=user, used_at__isnull=True).delete()
    verification = WhatsAppCode.objects.create(user=user, phone=phone.strip())
    language = language_of(user)
    with translation.override(language):
        text = _("Ishenim: your code is %(code)s. Type it on your page in Ishenim to receive alerts here.") % {
            "code": verification.code
        }
    send_whatsapp(verification.phone, text, language)
    return verification


@transaction.atomic
def whatsapp_verify_finish(*, user, code: str) -> bool:
    """The person typed the code: the number becomes their WhatsApp channel. False if it is wrong or too old;
    after WHATSAPP_CODE_TRIES wrong tries the code stops working."""
    verification = (
        WhatsAppCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, created_at__gte=timezone.now() - WHATSAPP_CODE_VALID)
        .order_by("-created_at")
        .first()
    )
    if verification is None or verification.tries >= WHATSAPP_CODE_TRIES:
        return False
    if not hmac.compare_digest(verification.code, "".join(code.split())):
        WhatsAppCode.objects.filter(pk=verification.pk).update(tries=F("tries") + 1)
        return False
    verification.used_at = timezone.now()
    verification.save(update_fields=["used_at"])
    prefs, _created = ChannelSettings.objects.get_or_create(user=user)
    prefs.whatsapp_phone, prefs.whatsapp_on = verification.phone, True
    prefs.save(update_fields=["whatsapp_phone", "whatsapp_on"])
    from audit.services import audit_record

    audit_record(action="ishenim.notify.whatsapp_verified", actor=user, obj=prefs)
    return True


def failures(*, school: School | None = None):
    """Messages that did not arrive (failed or given up), newest first: a school's or, for the administrator, all."""
    rows = Outbox.objects.filter(status__in=[Outbox.Status.FAILED, Outbox.Status.GAVE_UP])
    if school is not None:
        rows = rows.filter(school=school)
    return rows.select_related("recipient", "school", "district").order_by("-created_at")


def recipients(office: OfficeOwner, *roles: str):
    """Active people with one of these roles at the school (or the district)."""
    field = "memberships__school" if isinstance(office, School) else "memberships__district"
    return (
        get_user_model()
        .objects.filter(**{field: office}, memberships__role__in=roles, memberships__active=True, is_active=True)
        .distinct()
        .order_by("pk")
    )
