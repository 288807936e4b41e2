from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Everything comes from this host: no CDN, no inline script, no third-party request.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors {ancestors}"
)


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    """Content-Security-Policy and related headers on every response.

    A view meant to be framed by the school's website marks its response with
    `embeddable = True` (see `ishenim.decorators.embeddable`).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        ancestors = "*" if getattr(response, "embeddable", False) else "'none'"
        response.setdefault("Content-Security-Policy", CSP.format(ancestors=ancestors))
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return middleware


def kyrgyz_first(get_response: Callable[[HttpRequest], HttpResponse]):
    """The language is the one the reader chose with the switch, else Kyrgyz.

    The browser's Accept-Language is ignored on purpose: phones in Kyrgyzstan are
    mostly set to English or Russian because their systems offer no Kyrgyz, and a
    school's pages must open in Kyrgyz unless the reader asks otherwise.
    """
    languages = {code for code, _ in settings.LANGUAGES}

    def middleware(request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response

    return middleware


STAFF_PREFIXES = ("/staff/", "/district/", "/accounts/", "/admin/")
# Explicit direction controls (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI) can make a
# writer's text display in another order than it was written (an "RLO" turns
# "exe.txt" into "txt.exe"). Staff pages show them as a visible replacement mark.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], "\ufffd")
BIDI_MARKS = [chr(code) for code in BIDI_CONTROLS]


def staff_pages(get_response: Callable[[HttpRequest], HttpResponse]):
    """Staff pages: never kept by a browser or proxy cache, and no text direction tricks.

    Decrypted appeals, names and audit trails must not stay in a shared
    computer's cache after logout, so every page of a logged-in member (and every
    page under the staff prefixes) is `Cache-Control: no-store`.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if not (request.path.startswith(STAFF_PREFIXES) or (user is not None and user.is_authenticated)):
            return response
        response["Cache-Control"] = "no-store"
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        text = response.content.decode(response.charset)
        # Looked for first (a search per mark, microseconds): mapping every character of a 75 KiB
        # page through a dict costs ~10 ms, and a page almost never holds one.
        if any(mark in text for mark in BIDI_MARKS):
            response.content = text.translate(BIDI_CONTROLS).encode(response.charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response

    return middleware
