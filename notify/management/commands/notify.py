"""`ishenim notify test --user NAME [--channel whatsapp]`, `ishenim notify poll`, `ishenim notify send-due`."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import override

from notify.channels import ChannelError, deliver
from notify.models import Channel, Kind, Outbox
from notify.services import channels_of, language_of, notify_send, outbox_retry_due, telegram_poll


class Command(BaseCommand):
    help = "Messages to staff: send a test message, link Telegram chats by polling, send what is due."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        test = sub.add_parser("test", help="Send a test message to a person and print what each channel answered.")
        test.add_argument("--user", required=True, help="username")
        test.add_argument("--channel", choices=[c for c in Channel.values if c != Channel.NONE])
        poll = sub.add_parser("poll", help="Read the bot's updates (getUpdates); link chats that sent /start <code>.")
        poll.add_argument("--forever", action="store_true", help="keep polling every few seconds")
        sub.add_parser("send-due", help="Send queued messages and retries whose time has come (the tick does it too).")

    def handle(self, *args, action, **options):
        if action == "test":
            return self.test(options["user"], options["channel"])
        if action == "poll":
            return self.poll(options["forever"])
        self.stdout.write(f"{outbox_retry_due()} sent")

    def test(self, username: str, channel: str | None) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        found = [c for c, _address in channels_of(user)]
        if not found:
            raise CommandError(
                f"{username} has no channel chosen and linked "
                "(email address, Telegram chat, SMS phone, confirmed WhatsApp number)"
            )
        if channel and channel not in found:
            raise CommandError(f"{username} has not chosen or linked {channel}; they have: {', '.join(found)}")
        with override(language_of(user)):
            rows = notify_send(users=[user], kind=Kind.TEST, office=None)
        failed = 0
        for row in rows:
            if channel and row.channel != channel:
                Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.GAVE_UP, last_error="not tested")
                continue
            Outbox.objects.filter(pk=row.pk).update(attempts=1)
            try:
                answer = deliver(row)
            except ChannelError as error:
                failed += 1
                Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.GAVE_UP, last_error=str(error)[:200])
                self.stdout.write(f"{row.channel} {row.address}: FAILED {error}")
                continue
            Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.SENT, answer=answer[:200])
            self.stdout.write(f"{row.channel} {row.address}: {answer}")
        if failed:
            raise CommandError(f"{failed} channel(s) failed")

    def poll(self, forever: bool) -> None:
        offset = None
        while True:
            try:
                offset, done = telegram_poll(offset)
            except ChannelError as error:
                raise CommandError(str(error)) from None
            for outcome in done:
                self.stdout.write(outcome)
            if not forever:
                return
            time.sleep(3)
