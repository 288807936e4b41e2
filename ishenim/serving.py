"""What a running server checks and writes: its key, where its printed links point, its logs.

- `refuse_without_secret_key`: a server with DEBUG=0 does not start on the key
  written in the source (sessions, CSRF tokens and signed cookies would be forgeable).
- `checks_deploy`: `ishenim check --deploy` warns when SITE_URL (the address in QR
  codes, posters and paper forms) is not where this server answers.
- `AnonymousLogger`: gunicorn's error log without addresses. gunicorn writes
  "Invalid request from ip=…" for a malformed request; a public visitor must
  leave no trace, so every address is cut out before the line is written.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from gunicorn.glogging import Logger

NO_KEY = (
    "SECRET_KEY is not set and DEBUG is off: Ishenim will not start on the key written in its source. "
    "Set SECRET_KEY (or SECRET_KEY_FILE, a file holding a long random string), e.g. "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))' > /etc/ishenim/secret.key`. "
    "`make run` makes one in var/secret.key."
)


def refuse_without_secret_key() -> None:
    if settings.SECRET_KEY_MISSING and not settings.DEBUG:
        raise ImproperlyConfigured(NO_KEY)


@checks.register(checks.Tags.security, deploy=True)
def checks_deploy(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    if settings.SECRET_KEY_MISSING:
        found.append(checks.Error(NO_KEY, id="ishenim.E001"))
    site = urlsplit(settings.SITE_URL)
    bind = os.environ.get("ISHENIM_BIND", "")
    if bind and ":" in bind and not bind.startswith("unix:"):
        host, _, port = bind.rpartition(":")
        site_port = str(site.port or (443 if site.scheme == "https" else 80))
        wildcard = host in ("0.0.0.0", "[::]", "::")  # noqa: S104 - comparing, not binding
        if (not wildcard and site.hostname != host.strip("[]")) or site_port != port:
            found.append(
                checks.Warning(
                    f"SITE_URL is {settings.SITE_URL} but the server answers on {bind} (ISHENIM_BIND): "
                    "QR codes, posters and paper forms would point elsewhere.",
                    hint="Set SITE_URL to the address people type or scan (behind a proxy: the proxy's address).",
                    id="ishenim.W001",
                )
            )
    if site.hostname and settings.ALLOWED_HOSTS and not _allowed(site.hostname):
        found.append(
            checks.Warning(
                f"SITE_URL's host {site.hostname} is not in ALLOWED_HOSTS: printed links would open an error page.",
                id="ishenim.W002",
            )
        )
    if site.hostname in ("127.0.0.1", "localhost", "::1") and not settings.DEBUG:
        found.append(
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL}: printed links would open only on this computer.",
                id="ishenim.W003",
            )
        )
    return found


def _allowed(host: str) -> bool:
    for pattern in settings.ALLOWED_HOSTS:
        pattern = pattern.strip("[]")
        if pattern == "*" or host == pattern or (pattern.startswith(".") and host.endswith(pattern)):
            return True
    return False


_ADDRESS = re.compile(
    r"\s*(?:from\s+)?ip=\S*"  # gunicorn's "from ip=203.0.113.5:" (with or without the colon)
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"  # IPv4
    r"|\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b|[0-9a-fA-F:]*::[0-9a-fA-F:]+"  # IPv6
)


def address_free(text: str) -> str:
    return _ADDRESS.sub("", text)


class AnonymousLogger(Logger):
    """gunicorn's logger, but no address reaches the error log."""

    def _clean(self, msg, args):
        msg = str(msg) % args if args else str(msg)
        return address_free(msg)

    def critical(self, msg, *args, **kwargs):
        super().critical(self._clean(msg, args), **kwargs)

    def error(self, msg, *args, **kwargs):
        super().error(self._clean(msg, args), **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(self._clean(msg, args), **kwargs)

    def info(self, msg, *args, **kwargs):
        super().info(self._clean(msg, args), **kwargs)

    def debug(self, msg, *args, **kwargs):
        super().debug(self._clean(msg, args), **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(self._clean(msg, args), **kwargs)
