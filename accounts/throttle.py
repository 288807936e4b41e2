"""Login throttling that stops guessing without letting anyone lock a school out.

No addresses are used. Each account has two kinds of buckets (in the cache,
keyed by a keyed hash of the username):

- the *untrusted* bucket counts failures from browsers this account never
  logged in from; after a few free tries every further try must wait, the wait
  doubling up to a cap. Guessing drops to a couple of dozen tries a day.
- a *known browser* — one that logged in to this account before and carries
  the signed device cookie — has its own bucket. A stranger hammering the
  account fills the untrusted bucket only, so the real user, on their usual
  browser, still logs in. A known browser that fails too often loses its trust
  and falls back to the untrusted bucket.

This is the "device cookie" scheme recommended by OWASP.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from vault.services import server_hmac

DEVICE_COOKIE = "ishenim_device"
DEFAULTS = {
    "FREE_FAILURES": 5,  # tries before any wait
    "BASE_DELAY": 30,  # seconds after the first extra failure, doubling
    "MAX_DELAY": 3600,
    "DEVICE_FAILURES": 10,  # a known browser loses its trust after this many
    "MEMORY": 24 * 3600,  # a bucket is forgotten after a quiet day
    "DEVICE_COOKIE_AGE": 180 * 24 * 3600,
}


def limits() -> dict:
    return DEFAULTS | getattr(settings, "ISHENIM_LOGIN_THROTTLE", {})


def delay_after(failures: int) -> int:
    cfg = limits()
    extra = failures - cfg["FREE_FAILURES"]
    if extra < 0:
        return 0
    return min(cfg["BASE_DELAY"] * 2**extra, cfg["MAX_DELAY"])


class LoginGuard:
    def __init__(self, request: HttpRequest, username: str):
        self.request = request
        self.account = server_hmac("login-account", username.strip().lower())
        self.device = self._device_nonce()

    # -- the device cookie: a list of (account, nonce) this browser logged in to --

    def _devices(self) -> list[list[str]]:
        raw = self.request.COOKIES.get(DEVICE_COOKIE)
        if not raw:
            return []
        try:
            value = signing.loads(raw, salt="ishenim.device", max_age=limits()["DEVICE_COOKIE_AGE"])
        except signing.BadSignature:
            return []
        return [pair for pair in value if isinstance(pair, list) and len(pair) == 2][:8]

    def _device_nonce(self) -> str | None:
        for account, nonce in self._devices():
            if account == self.account[:32]:
                state = cache.get(self._device_key(nonce))
                if state is None or state["failures"] < limits()["DEVICE_FAILURES"]:
                    return nonce
        return None

    def _device_key(self, nonce: str) -> str:
        return f"login:device:{server_hmac('login-device', nonce)}"

    @property
    def _bucket(self) -> str:
        return self._device_key(self.device) if self.device else f"login:account:{self.account}"

    # -- the checks ------------------------------------------------------------

    def wait_seconds(self) -> int:
        """How long this browser must wait before trying this account again."""
        if self.device:
            return 0  # a known browser is limited by its own count, not by a wait
        state = cache.get(self._bucket)
        if not state:
            return 0
        remaining = state["last"] + delay_after(state["failures"]) - time.time()
        return max(0, int(remaining + 0.999))

    def first_refusal(self, wait: int) -> bool:
        """True once per wait: the first try refused while this bucket waits."""
        return cache.add(f"{self._bucket}:refused", 1, max(wait, 1))

    def failed(self) -> None:
        state = cache.get(self._bucket) or {"failures": 0, "last": 0}
        state = {"failures": state["failures"] + 1, "last": time.time()}
        cache.set(self._bucket, state, limits()["MEMORY"])

    def succeeded(self, response: HttpResponse) -> None:
        cache.delete(self._bucket)
        nonce = self.device or secrets.token_urlsafe(16)
        devices = [pair for pair in self._devices() if pair[0] != self.account[:32]]
        devices = [[self.account[:32], nonce], *devices][:8]
        response.set_cookie(
            DEVICE_COOKIE,
            signing.dumps(devices, salt="ishenim.device"),
            max_age=limits()["DEVICE_COOKIE_AGE"],
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
