import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from appeals.triage import warm_up
from ishenim.serving import refuse_without_secret_key

# gunicorn's access log without %(h)s (address) or %(a)s (user agent): a public
# visitor leaves no trace. Receipt codes never travel in URLs, so "%(r)s" is safe.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


class Command(BaseCommand):
    help = "Apply migrations, collect static files, and serve Ishenim with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ISHENIM_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ISHENIM_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ISHENIM_THREADS", "2")))
        # Printing a whole journal volume can take a minute or more.
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("ISHENIM_TIMEOUT", "300")))
        parser.add_argument("--no-access-log", action="store_true")

    def handle(self, *args, **options):
        try:
            refuse_without_secret_key()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Train the triage model once, here: it is kept in var/triage/, so each gunicorn worker reads it as it starts
        # (about 0.5 s) instead of every worker training it at once (about 20 s each).
        warm_up()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "ishenim.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            # The error log names no address (gunicorn writes "ip=…" for malformed requests).
            "--logger-class",
            "ishenim.serving.AnonymousLogger",
        ]
        if not options["no_access_log"]:
            argv += ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
        self.stdout.write(f"Serving Ishenim on http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn
