from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
