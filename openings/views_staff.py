"""The openings' staff pages: a box opening step by step, its act, the opening book, the paper
forms. Every view starts with `school_for` (404 for anyone else)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commission.services import commission_of
from ishenim.document_registry import DOCUMENTS
from ishenim.documents import document_response
from openings import selectors, services
from openings.forms import CloseForm, CountForm, LetterForm, PresentForm, SealForm, StubBatchForm
from openings.models import Opening
from openings.paper_forms import PaperForms, follow_url
from schools.access import may, school_for


def openings(request, school):
    school = school_for(request, school, "commission.read")
    return render(
        request,
        "openings/staff/openings.html",
        {
            "school": school,
            "overview": selectors.openings_overview(school),
            "can_work": may(request, school, "commission.work"),
        },
    )


@require_POST
def opening_start(request, school):
    school = school_for(request, school, "commission.work")
    planned = request.POST.get("planned_for")
    planned_for = None
    if planned:
        now = timezone.now()
        window = school.planned_openings(now - dt.timedelta(days=60), now + dt.timedelta(days=1))
        planned_for = next((at for at in window if at.isoformat() == planned), None)
    opening = services.opening_start(school=school, actor=request.user, planned_for=planned_for)
    return redirect("openings:opening_step", school=school.slug, pk=opening.pk, step=Opening.Step.PRESENT)


def _opening(request, slug, pk, permission="commission.read"):
    school = school_for(request, slug, permission)
    try:
        return school, selectors.opening_detail(school, pk)
    except Opening.DoesNotExist as error:
        raise Http404 from error


def opening(request, school, pk):
    school, opening = _opening(request, school, pk)
    if opening.status == Opening.Status.DRAFT and may(request, school, "commission.work"):
        return redirect("openings:opening_step", school=school.slug, pk=opening.pk, step=opening.step)
    return render(
        request,
        "openings/staff/opening.html",
        {
            "school": school,
            "opening": opening,
            "can_work": may(request, school, "commission.work"),
            "can_read_appeals": may(request, school, "appeal.read_content"),
        },
    )


STEP_VIEWS = {}


def opening_step(request, school, pk, step):
    school, opening = _opening(request, school, pk, "commission.work")
    if opening.status != Opening.Status.DRAFT:
        return redirect("openings:opening", school=school.slug, pk=opening.pk)
    if step not in STEP_VIEWS:
        raise Http404
    steps = services.STEPS
    if steps.index(step) > steps.index(opening.step):
        return redirect("openings:opening_step", school=school.slug, pk=opening.pk, step=opening.step)
    context = {"school": school, "opening": opening, "step": step, "steps": Opening.Step.choices}
    return STEP_VIEWS[step](request, school, opening, context)


def _next(school, opening):
    return redirect("openings:opening_step", school=school.slug, pk=opening.pk, step=opening.step)


def _step_present(request, school, opening, context):
    serving = (
        commission_of(school)
        .members.filter(member_from__lte=timezone.localdate())
        .exclude(member_to__lt=timezone.localdate())
    )
    initial = {
        "opened_at": timezone.localtime(opening.opened_at).strftime("%Y-%m-%dT%H:%M"),
        "place": opening.place,
        "present": [m.pk for m in opening.present.all()] or [m.pk for m in serving if m.user_id == request.user.pk],
    }
    form = PresentForm(request.POST or None, members=serving.order_by("full_name"), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_set_present(opening=opening, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _next(school, opening)
    return render(request, "openings/staff/opening_present.html", {**context, "form": form})


def _step_seal(request, school, opening, context):
    last_seal = services.last_seal_number(school)
    initial = {
        "number": opening.seal_found_number or last_seal,
        "state": opening.seal_found_state or Opening.SealState.INTACT,
        "note": opening.incident_note,
    }
    form = SealForm(request.POST or None, initial=initial, expected=last_seal)
    if request.method == "POST" and form.is_valid():
        services.opening_set_seal(
            opening=opening,
            number=form.cleaned_data["number"].strip(),
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            expected=last_seal,
            actor=request.user,
        )
        if opening.seal_broken:
            messages.warning(request, _("The broken seal is recorded as an incident and reported to the director."))
        return _next(school, opening)
    return render(request, "openings/staff/opening_seal.html", {**context, "form": form, "last_seal": last_seal})


def _step_count(request, school, opening, context):
    form = CountForm(request.POST or None, initial={"letters_found": opening.letters_found})
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_set_count(
                opening=opening, letters_found=form.cleaned_data["letters_found"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("letters_found", error)
        else:
            return _next(school, opening)
    return render(request, "openings/staff/opening_count.html", {**context, "form": form})


def _step_letters(request, school, opening, context):
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        kept_error = None
        files = request.FILES.getlist("pages")
        if files:
            try:
                services.opening_add_pages(opening=opening, files=files, actor=request.user)
            except ValidationError as error:
                kept_error = error
        if kept_error is None and form.is_valid():
            data = form.cleaned_data
            try:
                letter = services.opening_letter_register(
                    opening=opening,
                    actor=request.user,
                    category=data["category"],
                    author_kind=data["author_kind"],
                    summary=data["summary"],
                    text=data["text"],
                    author=form.author(),
                    grade=form.grade(),
                    language=data["language"],
                    urgent=data["urgent"],
                    form_number=data["form_number"],
                )
            except ValidationError as error:
                form.add_error("form_number" if error.code in ("unknown", "used") else None, error)
            else:
                messages.success(
                    request,
                    _("Letter %(position)d is registered in the journal under №%(number)s.")
                    % {"position": letter.position, "number": letter.appeal.journal_number},
                )
                opening.refresh_from_db()
                return _next(school, opening)
        if kept_error is not None:
            form.is_valid()
            form.add_error("pages", kept_error)
    registered = list(opening.letters.select_related("appeal"))
    return render(
        request,
        "openings/staff/opening_letter.html",
        {
            **context,
            "form": form,
            "registered": registered,
            "position": len(registered) + 1,
            "pending": services.pending_pages(opening).count(),
        },
    )


@require_POST
def opening_pages_drop(request, school, pk):
    school, opening = _opening(request, school, pk, "commission.work")
    if opening.status == Opening.Status.DRAFT:
        services.pending_pages(opening).delete()
    return redirect("openings:opening_step", school=school.slug, pk=opening.pk, step=Opening.Step.LETTERS)


def _step_close(request, school, opening, context):
    form = CloseForm(request.POST or None, initial={"sealed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_close(opening=opening, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The opening is written in the box-opening journal."))
            return redirect("openings:opening", school=school.slug, pk=opening.pk)
    return render(
        request,
        "openings/staff/opening_close.html",
        {**context, "form": form, "letters": list(opening.letters.select_related("appeal"))},
    )


STEP_VIEWS.update(
    {
        Opening.Step.PRESENT: _step_present,
        Opening.Step.SEAL: _step_seal,
        Opening.Step.COUNT: _step_count,
        Opening.Step.LETTERS: _step_letters,
        Opening.Step.CLOSE: _step_close,
    }
)


@require_POST
def opening_discard(request, school, pk):
    school, opening = _opening(request, school, pk, "commission.work")
    try:
        services.opening_discard(opening=opening, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("openings:opening", school=school.slug, pk=pk)
    messages.success(request, _("The unfinished opening is discarded."))
    return redirect("openings:openings", school=school.slug)


def _act(request, slug, pk, fmt):
    school, opening = _opening(request, slug, pk, DOCUMENTS["act"].permission)
    if opening.status != Opening.Status.DONE or not opening.act_number:
        raise Http404
    return document_response(request, "act", opening, fmt=fmt, scope=school.vault_scope)


def act_pdf(request, school, pk):
    return _act(request, school, pk, "pdf")


def act_docx(request, school, pk):
    return _act(request, school, pk, "docx")


# --- the opening book ----------------------------------------------------------------------------


def _book(request, slug, year):
    school = school_for(request, slug, "commission.read")
    books = selectors.books_of(school)
    if year is None:
        book = books[0] if books else None
    else:
        book = next((b for b in books if b.year == year), None)
        if book is None:
            raise Http404
    return school, books, book


def book(request, school, year=None):
    school, books, book = _book(request, school, year)
    entries = selectors.book_entries(book) if book else []
    check = services.openings_verify(book) if book else None
    return render(
        request,
        "openings/staff/book.html",
        {"school": school, "books": books, "book": book, "entries": entries, "check": check},
    )


def book_pdf(request, school, year):
    school, books, book = _book(request, school, year)
    return document_response(
        request, "opening_book", book, fmt=request.GET.get("format", "pdf"), scope=school.vault_scope
    )


# --- paper forms ------------------------------------------------------------------------------


def paper_forms(request, school):
    school = school_for(request, school, "commission.manage")
    form = StubBatchForm(request.POST or None, initial={"language": get_language()[:2]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch, printed = services.stub_batch_create(school=school, actor=request.user, **data)
        except ValidationError as error:
            form.add_error("count", error)
        else:
            forms = PaperForms(school, printed, batch.size)
            return document_response(request, "paper_forms", forms, fmt="pdf", language=batch.language)
    batches = school.stub_batches.select_related("created_by").annotate(
        used=Count("stubs", filter=Q(stubs__used_at__isnull=False))
    )
    return render(
        request,
        "openings/staff/paper_forms.html",
        {"school": school, "form": form, "batches": batches, "follow_url": follow_url(school)},
    )
