"""Documents a school prints and files: PDF from HTML templates, DOCX for Word.

Every document is rendered in the language the reader chose, with Noto Sans
embedded (it has ң, ө, ү), on A4.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import pgettext

MONTHS = {
    # Kyrgyz documents write «2025-жылдын 1-сентябры».
    "ky": [
        "январы",
        "февралы",
        "марты",
        "апрели",
        "майы",
        "июну",
        "июлу",
        "августу",
        "сентябры",
        "октябры",
        "ноябры",
        "декабры",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    # Uzbek documents write «2026-yil 28-noyabr».
    "uz": [
        "yanvar",
        "fevral",
        "mart",
        "aprel",
        "may",
        "iyun",
        "iyul",
        "avgust",
        "sentabr",
        "oktabr",
        "noyabr",
        "dekabr",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


# The same months as the ablative ("from July") and dative ("until September") of a Kyrgyz period.
KY_FROM = [
    "январынан",
    "февралынан",
    "мартынан",
    "апрелинен",
    "майынан",
    "июнунан",
    "июлунан",
    "августунан",
    "сентябрынан",
    "октябрынан",
    "ноябрынан",
    "декабрынан",
]
KY_UNTIL = [
    "январына",
    "февралына",
    "мартына",
    "апрелине",
    "майына",
    "июнуна",
    "июлуна",
    "августуна",
    "сентябрына",
    "октябрына",
    "ноябрына",
    "декабрына",
]
UZ_FROM_SUFFIX, UZ_UNTIL_SUFFIX = "dan", "gacha"


def school_zone(school=None) -> zoneinfo.ZoneInfo:
    """The school's time zone: its own if it has one, else the installation's (Asia/Bishkek)."""
    name = getattr(school, "time_zone", "") or settings.TIME_ZONE
    return zoneinfo.ZoneInfo(name)


def local_day(value: dt.date | dt.datetime, school=None) -> dt.date:
    """The school's calendar day of a moment (an aware datetime) or a day (returned as it is).

    `.date()` of a stored time is the UTC day: an appeal sent at 00:30 in Bishkek is the
    previous day in UTC. Every date a document prints goes through here.
    """
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            return value.date()
        return value.astimezone(school_zone(school)).date()
    return value


def local_time(value: dt.datetime | None, school=None) -> str:
    """HH:MM of a moment, in the school's time zone."""
    return f"{value.astimezone(school_zone(school)):%H:%M}" if value else ""


def document_date(value: dt.date | dt.datetime, language: str, *, school=None) -> str:
    """The official date form: «2026-жылдын 28-ноябры», «28 ноября 2026 г.», «2026-yil 28-noyabr»."""
    day = local_day(value, school)
    month = MONTHS.get(language, MONTHS["en"])[day.month - 1]
    if language == "ky":
        return f"{day.year}-жылдын {day.day}-{month}"
    if language == "ru":
        return f"{day.day} {month} {day.year} г."
    if language == "uz":
        return f"{day.year}-yil {day.day}-{month}"
    return f"{day.day} {month} {day.year}"


def document_moment(value: dt.datetime, language: str, school=None) -> str:
    """A date in words and the local time: «2026-жылдын 12-ноябры, 14:30»."""
    return f"{document_date(value, language, school=school)}, {local_time(value, school)}"


def document_period(start: dt.date, end: dt.date, language: str) -> str:
    """A period in words: «2026-жылдын 1-июлунан 30-сентябрына чейин», «с 1 июля по 30 сентября 2026 г.»."""
    same_year = start.year == end.year
    if language == "ky":
        first = f"{start.year}-жылдын {start.day}-{KY_FROM[start.month - 1]}"
        last = (
            f"{end.day}-{KY_UNTIL[end.month - 1]}"
            if same_year
            else f"{end.year}-жылдын {end.day}-{KY_UNTIL[end.month - 1]}"
        )
        return f"{first} {last} чейин"
    if language == "ru":
        months = MONTHS["ru"]
        first = f"{start.day} {months[start.month - 1]}" + ("" if same_year else f" {start.year} г.")
        return f"с {first} по {end.day} {months[end.month - 1]} {end.year} г."
    if language == "uz":
        months = MONTHS["uz"]
        first = f"{start.year}-yil {start.day}-{months[start.month - 1]}{UZ_FROM_SUFFIX}"
        last = f"{'' if same_year else f'{end.year}-yil '}{end.day}-{months[end.month - 1]}{UZ_UNTIL_SUFFIX}"
        return f"{first} {last}"
    months = MONTHS["en"]
    first = f"{start.day} {months[start.month - 1]}" + ("" if same_year else f" {start.year}")
    return f"{first} – {end.day} {months[end.month - 1]} {end.year}"


def plain_number(number: str | int | None) -> str:
    """A seal or form number without a typed «№» or «No.» (the sentence already says «№»)."""
    text = str(number or "").strip()
    return re.sub(r"^(№|No\.?|N)\s*", "", text, flags=re.IGNORECASE).strip() or "—"


_KY_HARMONY = {"а": "ы", "ы": "ы", "я": "ы", "е": "и", "и": "и", "э": "и", "о": "у", "у": "у", "ё": "у", "ю": "у"}
_KY_HARMONY |= {"ө": "ү", "ү": "ү"}
_KY_VOICELESS = set("пткс шчфхцщ".replace(" ", ""))


def ky_genitive(name: str) -> str:
    """«Н. Рахманов атындагы орто мектеби» → «… мектебинин»: the genitive of the name's last word."""
    word = name.rstrip()
    last = word[-1:].lower()
    vowel = next((_KY_HARMONY[c] for c in reversed(word.lower()) if c in _KY_HARMONY), None)
    if vowel is None or not last.isalpha():
        return ""
    if last in _KY_HARMONY:
        start = "н"
    elif last in _KY_VOICELESS:
        start = "т"
    else:
        start = "д"
    return f"{word}{start}{vowel}н"


def head_of(name: str, language: str) -> list[str]:
    """The lines naming the head of an organisation: «…мектебинин директору», «Директор / …»."""
    if language == "ky" and (genitive := ky_genitive(name)):
        return [f"{genitive} директору"]
    with translation.override(language):
        return [pgettext("approval", "Director"), name]


def render_html(template: str, context: dict, *, language: str) -> str:
    """The document's one definition: its template filled with its context, in `language`."""
    with translation.override(language):
        return render_to_string(template, {**context, "LANGUAGE": language, "FONTS": _fonts_url()})


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render a template extending `documents/base.html` to PDF bytes."""
    from weasyprint import HTML  # Pango is needed only when a document is made

    html = render_html(template, context, language=language)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_docx(template: str, context: dict, *, language: str) -> bytes:
    """The same template, the same context and the same words, written as a Word file."""
    from ishenim.docx_writer import html_to_docx

    return html_to_docx(render_html(template, context, language=language))


def _fonts_url() -> str:
    return (settings.BASE_DIR / "static" / "fonts").as_uri()


def file_response(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    return file_response(content, filename, "application/pdf", inline=inline)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class DocumentType:
    """One document the product makes: its template, the context it is filled with, who may have it.

    `context(obj, language, request)` builds everything the template prints (inside the
    reader's language); the PDF and the DOCX are both made from the same template and
    context, so their words cannot drift. `permission` is a name of `schools.permissions`
    (None: a public document); `audit` is the action code written when it is printed.
    """

    code: str
    template: str
    context: Callable[..., dict]
    filename: Callable[[Any, str], str]
    permission: str | None
    audit: str | None
    language: Callable[[HttpRequest, Any], str] = field(default=lambda request, obj: reader_language(request))
    formats: tuple[str, ...] = ("pdf", "docx")

    def render(self, obj, *, language: str, fmt: str, request: HttpRequest | None = None) -> bytes:
        if fmt not in self.formats:
            raise Http404
        with translation.override(language):
            context = self.context(obj, language, request)
        render = render_pdf if fmt == "pdf" else render_docx
        return render(self.template, context, language=language)


def reader_language(request: HttpRequest | None) -> str:
    """?lang= (or ?language=) if it is one of ours, else the language the reader uses."""
    languages = dict(settings.LANGUAGES)
    if request is not None:
        for key in ("lang", "language"):
            if request.GET.get(key) in languages:
                return request.GET[key]
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in languages else settings.LANGUAGE_CODE


def document_response(
    request: HttpRequest,
    code: str,
    obj,
    *,
    fmt: str,
    scope: str = "",
    language: str | None = None,
    detail: dict | None = None,
    inline: bool = False,
) -> HttpResponse:
    """Serve a registered document: the view has checked `permission`; this audits, renders, answers."""
    from ishenim.document_registry import DOCUMENTS

    document = DOCUMENTS[code]
    language = language or document.language(request, obj)
    content = document.render(obj, language=language, fmt=fmt, request=request)
    if document.audit:
        from audit.services import audit_record

        audit_record(
            action=document.audit,
            scope=scope or "platform",
            actor=request.user,
            obj=getattr(obj, "audit_object", obj) if hasattr(obj, "pk") or hasattr(obj, "audit_object") else None,
            detail={"format": fmt, "language": language, **(detail or {})},
        )
    filename = f"{document.filename(obj, language)}.{fmt}"
    if fmt == "pdf":
        return pdf_response(content, filename, inline=inline)
    return file_response(content, filename, DOCX_TYPE)
