"""The registration journal on the staff side: the volume, its head, verify, print and export.

A school's journal is open to its director and responsible person; the
district office's own journal (appeals about a school's leadership) to the
district officers. Every read of the sealed columns, print and export is audited.
"""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.services import audit_record
from ishenim.documents import pdf_response
from journal.documents import JournalExporter, column_titles, journal_context
from journal.models import Volume
from journal.selectors import journal_rows, volumes
from journal.services import journal_verify
from journal.volume_pdf import file_key, volume_pdf_read, volume_pdf_ready, volume_pdf_start, volume_sheet
from schools.access import office_for
from schools.offices import Office
from vault.services import active_key, keyring, server_hmac

PER_PAGE = 50


class DocumentForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the document"), choices=settings.LANGUAGES)
    year = forms.IntegerField(required=False, widget=forms.HiddenInput)


class VerifyForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    head = forms.CharField(
        label=gettext_lazy("Head written down earlier (optional)"),
        required=False,
        max_length=80,
        help_text=gettext_lazy(
            "At least its first 16 characters. Verify then also proves the journal was not rewritten since."
        ),
    )

    def clean_head(self):
        head = "".join(self.cleaned_data["head"].split()).lower()
        if head and (len(head) < 16 or any(ch not in "0123456789abcdef" for ch in head)):
            raise forms.ValidationError(_("A head is 16 to 64 characters of 0–9 and a–f, as printed."))
        return head


def _office(request, where, permission: str = "journal.read") -> Office:
    return office_for(request, where, school=permission, district="district.journal")


def _volume(office: Office, year) -> Volume | None:
    found = volumes(office)
    if year in (None, ""):
        return found.first()
    try:
        return found.filter(year=int(year)).first()
    except (TypeError, ValueError):
        raise Http404 from None


def _urls(office: Office) -> dict:
    return {key: office.url(f"journal:{key}") for key in ("page", "verify", "pdf", "xlsx")}


def journal(request, **where):
    office = _office(request, where)
    volume = _volume(office, request.GET.get("year"))
    context = {
        "office": office,
        "school": office.school,
        "district": office.district,
        "volume": volume,
        "volumes": list(volumes(office)),
        "urls": _urls(office),
        "columns": column_titles(),
        "document_form": DocumentForm(
            initial={"language": request.LANGUAGE_CODE, "year": volume.year if volume else None}
        ),
        "verify_form": VerifyForm(initial={"year": volume.year if volume else None}),
        "check": request.session.pop("journal_check", None),
        # In groups of eight, to copy onto paper without losing one's place.
        "head_groups": [volume.head_hash[i : i + 8] for i in range(0, 64, 8)] if volume else [],
    }
    if volume is not None and volume.last_number:
        pages = max(1, (volume.last_number + PER_PAGE - 1) // PER_PAGE)
        try:
            number = min(max(1, int(request.GET.get("page", "0") or 0) or pages), pages)
        except ValueError:
            number = pages  # the newest entries first
        start = (number - 1) * PER_PAGE + 1
        context.update(
            rows=journal_rows(volume, keyring(request), numbers=range(start, start + PER_PAGE)),
            page_number=number,
            # First, last and nearby pages: a big volume's page stays small.
            page_range=list(Paginator(range(pages), 1).get_elided_page_range(number, on_each_side=3, on_ends=1)),
            ellipsis=Paginator.ELLIPSIS,
        )
        audit_record(
            action="ishenim.journal.viewed",
            scope=office.scope,
            actor=request.user,
            obj=volume,
            detail={"numbers": [start, min(start + PER_PAGE - 1, volume.last_number)]},
        )
    return render(request, "journal/staff/journal.html", context)


@require_POST
def verify(request, **where):
    office = _office(request, where)
    form = VerifyForm(request.POST)
    year = request.POST.get("year", "")
    if form.is_valid():
        volume = _volume(office, form.cleaned_data["year"])
        if volume is None:
            raise Http404
        check = journal_verify(volume, head=form.cleaned_data["head"] or None)
        audit_record(
            action="ishenim.journal.verified",
            scope=office.scope,
            actor=request.user,
            obj=volume,
            detail={
                "ok": check.ok,
                "records": check.records,
                "bad_record": check.bad_seq,
                "head": bool(form.cleaned_data["head"]),
            },
        )
        request.session["journal_check"] = {
            "ok": check.ok,
            "records": check.records,
            "problem": check.problem_display,
            "bad_seq": check.bad_seq,
            "head": form.cleaned_data["head"],
        }
    else:
        for error in form.errors.get("head", []):
            messages.error(request, str(error))
    return redirect(_urls(office)["page"] + (f"?year={year}" if year.isdigit() else ""))


def _document(request, office: Office, fmt: str):
    form = DocumentForm(request.GET)
    if not form.is_valid():
        raise Http404
    volume = _volume(office, form.cleaned_data["year"])
    if volume is None:
        raise Http404
    language = form.cleaned_data["language"]
    if fmt == "pdf":
        return _bound_journal(request, office, volume, language)
    rows = journal_rows(volume, keyring(request))
    audit_record(
        action="ishenim.journal.exported",
        scope=office.scope,
        actor=request.user,
        obj=volume,
        detail={"format": fmt, "language": language, "entries": len(rows)},
    )
    return JournalExporter(office, volume, rows, language=language).response("xlsx")


def _bound_journal(request, office: Office, volume: Volume, language: str):
    """The bound journal: made by a child process (`journal.volume_pdf`), kept until the volume's head moves.

    The web worker opens the rows and hands their words to the child; it never lays
    out the pages, so its memory does not grow with the volume. A small volume is
    ready within JOURNAL_PDF_WAIT seconds and is answered at once; a big one shows
    "being prepared", which reloads itself until the file is there.
    """
    ring = keyring(request)
    office_key = active_key(office.scope)
    office_private = ring.private_for(office_key.id) if office_key is not None else None
    # The kept file opens with the office's key: a reader without it gets a file of their own
    # ("sealed" where their keys do not open), under their own key.
    reader = "" if office_private is not None else f"u{request.user.pk}"
    secret = office_private or ring.user_private or server_hmac("journal-pdf", reader).encode()
    path = volume_pdf_ready(volume, language, reader)
    if path is None:

        def sheet():
            rows = journal_rows(volume, ring)
            context = journal_context(office, volume, rows, language=language, printed_by=request.user)
            return volume_sheet(context, language=language)

        path = volume_pdf_start(volume, language, sheet, secret, reader)
        deadline = time.monotonic() + getattr(settings, "JOURNAL_PDF_WAIT", 8)
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not path.exists():
            response = render(
                request,
                "journal/staff/journal_preparing.html",
                {"office": office, "school": office.school, "district": office.district, "volume": volume},
                status=202,
            )
            response["Refresh"] = "3"
            response["Cache-Control"] = "no-store"
            return response
    audit_record(
        action="ishenim.journal.printed",
        scope=office.scope,
        actor=request.user,
        obj=volume,
        detail={"format": "pdf", "language": language, "entries": volume.last_number, "head": volume.head_hash[:16]},
    )
    pdf = volume_pdf_read(path, file_key(secret, path))
    return pdf_response(pdf, f"journal-{office.slug}-{volume.year}-{language}.pdf")


def pdf(request, **where):
    return _document(request, _office(request, where, "journal.print"), "pdf")


def xlsx(request, **where):
    return _document(request, _office(request, where, "journal.print"), "xlsx")
