"""Rate limits for the public box, without knowing who anyone is.

No IP address is used: a whole school often shares one public address, and
the address must not be written anywhere. Instead two counters are kept in
the cache, each under a keyed hash (HMAC with the server key) that lives only
for its time window:

- per browser: a random cookie the box sets on its own pages (it says nothing
  about the person and is not stored server-side);
- per school: a generous ceiling that a class writing at the same time does not
  reach, but a script hammering the form does.

A browser that throws its cookie away gets a new one, so the school ceiling is
what holds a flood back. Counting fails open: if the cache is down, the box
still takes appeals.
"""

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from vault.services import server_hmac

log = logging.getLogger(__name__)

COOKIE = "ishenim_b"


@dataclass(frozen=True)
class Limit:
    name: str
    per_browser: int
    per_school: int
    window: int  # seconds


def _setting(name: str, default: int) -> int:
    return int(settings.ISHENIM.get(name, default))


def submit_limit() -> Limit:
    return Limit(
        "submit",
        _setting("SUBMITS_PER_BROWSER_HOUR", 6),
        _setting("SUBMITS_PER_SCHOOL_HOUR", 200),
        3600,
    )


def code_limit() -> Limit:
    """Wrong receipt codes: a code has ~99 random bits, so this is defence in depth."""
    return Limit(
        "code",
        _setting("WRONG_CODES_PER_BROWSER_15MIN", 10),
        _setting("WRONG_CODES_PER_SCHOOL_15MIN", 300),
        900,
    )


def message_limit() -> Limit:
    return Limit(
        "message",
        _setting("MESSAGES_PER_BROWSER_HOUR", 20),
        _setting("MESSAGES_PER_SCHOOL_HOUR", 400),
        3600,
    )


def browser_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(COOKIE, "")
    if len(token) != 32 or not token.isalnum():
        token = getattr(request, "_throttle_token", None) or secrets.token_hex(16)
        request._throttle_token = token
    return token


def browser_cookie_set(request: HttpRequest, response: HttpResponse) -> None:
    """Give the browser its random counter key (session cookie, nothing server-side)."""
    token = browser_token(request)
    if request.COOKIES.get(COOKIE) != token:
        response.set_cookie(COOKIE, token, httponly=True, secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")


def _keys(limit: Limit, request: HttpRequest, school_slug: str) -> tuple[str, str]:
    slot = int(time.time() // limit.window)
    browser = server_hmac(f"throttle:{limit.name}:browser", f"{browser_token(request)}:{slot}")
    school = server_hmac(f"throttle:{limit.name}:school", f"{school_slug}:{slot}")
    return f"t:{browser}", f"t:{school}"


def throttled(limit: Limit, request: HttpRequest, school_slug: str) -> bool:
    """True when this browser, or the whole school, has used up the window."""
    browser, school = _keys(limit, request, school_slug)
    try:
        counts = cache.get_many([browser, school])
    except Exception:  # noqa: BLE001 - a cache outage must not close the box
        log.warning("rate-limit cache unavailable; not limiting")
        return False
    return counts.get(browser, 0) >= limit.per_browser or counts.get(school, 0) >= limit.per_school


def throttle_count(limit: Limit, request: HttpRequest, school_slug: str) -> None:
    for key in _keys(limit, request, school_slug):
        try:
            if not cache.add(key, 1, timeout=limit.window):
                cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=limit.window)  # expired between add and incr
        except Exception:  # noqa: BLE001
            log.warning("rate-limit cache unavailable; not counting")
            return
