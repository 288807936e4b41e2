"""The commission's staff pages: composition, meetings and protocols, box openings, the
opening journal, paper forms. Every view starts with `school_for` (404 for anyone else)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from commission import documents, selectors, services
from commission.forms import (
    AgendaItemForm,
    CloseForm,
    CountForm,
    ElectionForm,
    LetterForm,
    MeetingForm,
    MemberEndForm,
    MemberForm,
    OrderForm,
    PaperSignForm,
    PresentForm,
    SealForm,
    StubBatchForm,
)
from commission.models import AgendaItem, Meeting, Member, Opening
from commission.paper_forms import follow_url, paper_forms_pdf
from ishenim.document_registry import DOCUMENTS
from ishenim.documents import document_response, pdf_response
from schools.access import may, school_for
from vault.services import keyring


def _commission(request, slug, permission="commission.read"):
    school = school_for(request, slug, permission)
    return school, services.commission_of(school)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- the commission ---------------------------------------------------------------------


def home(request, school):
    school, commission = _commission(request, school)
    state = selectors.commission_state(commission)
    overview = selectors.openings_overview(school)
    return render(
        request,
        "commission/staff/home.html",
        {
            "school": school,
            "state": state,
            "overview": overview,
            "can_manage": may(request, school, "commission.manage"),
            "can_work": may(request, school, "commission.work"),
        },
    )


def order_new(request, school):
    school, commission = _commission(request, school, "commission.manage")
    form = OrderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        scan = form.cleaned_data.get("scan")
        services.order_record(
            commission=commission,
            number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            scan=scan[0] if scan else None,
            scan_type=scan[1] if scan else "",
            actor=request.user,
        )
        messages.success(request, _("The order is recorded."))
        return redirect("commission:home", school=school.slug)
    return render(request, "commission/staff/order_form.html", {"school": school, "form": form})


def order_scan(request, school, pk):
    school, commission = _commission(request, school, "commission.manage")
    order = get_object_or_404(commission.orders, pk=pk, scan_sealed__isnull=False)
    ring = keyring(request)
    if not ring.can_open(order.scan_sealed):
        raise Http404
    audit_record(action="ishenim.commission.order_scan_viewed", scope=school.vault_scope, actor=request.user, obj=order)
    response = HttpResponse(ring.open(order.scan_sealed), content_type=order.scan_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "no-store"
    return response


def member_new(request, school):
    return _member_form(request, school, None)


def member_edit(request, school, pk):
    return _member_form(request, school, pk)


def _member_form(request, slug, pk):
    school, commission = _commission(request, slug, "commission.manage")
    member = get_object_or_404(commission.members, pk=pk) if pk else Member(commission=commission)
    form = MemberForm(request.POST or None, instance=member, school=school, commission=commission)
    if request.method == "POST" and form.is_valid():
        services.member_save(member=form.save(commit=False), actor=request.user)
        messages.success(request, _("%(name)s is saved.") % {"name": member.full_name})
        return redirect("commission:home", school=school.slug)
    return render(request, "commission/staff/member_form.html", {"school": school, "form": form, "member": member})


def member_end(request, school, pk):
    school, commission = _commission(request, school, "commission.manage")
    member = get_object_or_404(commission.members, pk=pk, member_to__isnull=True)
    form = MemberEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_end(member=member, until=form.cleaned_data["until"], actor=request.user)
        except ValidationError as error:
            form.add_error("until", error)
        else:
            messages.success(request, _("%(name)s's membership ends.") % {"name": member.full_name})
            return redirect("commission:home", school=school.slug)
    return render(request, "commission/staff/member_end.html", {"school": school, "form": form, "member": member})


@require_POST
def members_from_accounts(request, school):
    school, commission = _commission(request, school, "commission.manage")
    added = services.commission_from_accounts(
        commission=commission, on=timezone.localdate(), order=commission.orders.first(), actor=request.user
    )
    if added:
        messages.success(request, _("Added: %(names)s.") % {"names": ", ".join(m.full_name for m in added)})
    else:
        messages.warning(request, _("Every account with the commission role is already a member."))
    return redirect("commission:home", school=school.slug)


# --- meetings and protocols --------------------------------------------------------------


def _meeting(request, slug, pk, permission="commission.read"):
    school, commission = _commission(request, slug, permission)
    try:
        return school, commission, selectors.meeting_detail(pk, commission)
    except Meeting.DoesNotExist as error:
        raise Http404 from error


def meetings(request, school):
    school, commission = _commission(request, school)
    rows = commission.meetings.select_related("entry").order_by("-held_on", "-number")
    return render(request, "commission/staff/meetings.html", {"school": school, "meetings": rows})


def meeting_new(request, school):
    school, commission = _commission(request, school, "commission.work")
    serving = commission.members.filter(member_to__isnull=True).order_by("full_name")
    first = not commission.meetings.exists()
    form = MeetingForm(
        request.POST or None,
        members=serving,
        initial={"held_on": timezone.localdate(), "place": school.box_location, "first": first},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        meeting = services.meeting_create(commission=commission, actor=request.user, attendees=attendees, **data)
        return redirect("commission:meeting", school=school.slug, pk=meeting.pk)
    return render(request, "commission/staff/meeting_form.html", {"school": school, "form": form})


def meeting(request, school, pk):
    school, commission, meeting = _meeting(request, school, pk)
    mine = next((m for m in meeting.attendees.all() if m.user_id == request.user.pk), None)
    confirmed = {c.member_id for c in meeting.confirmations.all()}
    waiting = [m for m in meeting.attendees.all() if m.pk not in confirmed]
    return render(
        request,
        "commission/staff/meeting.html",
        {
            "school": school,
            "meeting": meeting,
            "doc": documents.protocol_context(meeting, get_language()),
            "mine": mine,
            "can_confirm": mine is not None and mine.pk not in confirmed,
            "waiting": waiting,
            "can_work": may(request, school, "commission.work"),
            "paper_form": PaperSignForm(members=Member.objects.filter(pk__in=[m.pk for m in waiting])),
        },
    )


def meeting_edit(request, school, pk):
    school, commission, meeting = _meeting(request, school, pk, "commission.work")
    if not meeting.editable:
        messages.error(request, _("The protocol was sent for confirmation; reopen it as a draft to change it."))
        return redirect("commission:meeting", school=school.slug, pk=meeting.pk)
    serving = commission.members.filter(member_from__lte=meeting.held_on).exclude(member_to__lt=meeting.held_on)
    form = MeetingForm(request.POST or None, instance=meeting, members=serving.order_by("full_name"))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        services.meeting_update(meeting=meeting, actor=request.user, attendees=attendees, **data)
        return redirect("commission:meeting", school=school.slug, pk=meeting.pk)
    return render(request, "commission/staff/meeting_form.html", {"school": school, "form": form, "meeting": meeting})


def item_new(request, school, pk):
    return _item_form(request, school, pk, None)


def item_edit(request, school, pk, item):
    return _item_form(request, school, pk, item)


def _item_form(request, slug, pk, item_pk):
    school, commission, meeting = _meeting(request, slug, pk, "commission.work")
    item = get_object_or_404(meeting.items, pk=item_pk) if item_pk else AgendaItem(meeting=meeting)
    form = AgendaItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_save(item=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            _errors(request, error)
        return redirect("commission:meeting", school=school.slug, pk=meeting.pk)
    return render(
        request, "commission/staff/item_form.html", {"school": school, "form": form, "meeting": meeting, "item": item}
    )


@require_POST
def item_delete(request, school, pk, item):
    school, commission, meeting = _meeting(request, school, pk, "commission.work")
    try:
        services.agenda_item_delete(item=get_object_or_404(meeting.items, pk=item), actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    return redirect("commission:meeting", school=school.slug, pk=meeting.pk)


def election(request, school, pk):
    school, commission, meeting = _meeting(request, school, pk, "commission.work")
    present = list(meeting.attendees.all())
    form = ElectionForm(request.POST or None, candidates=present, initial={"office": request.GET.get("office")})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.election_record(
                meeting=meeting, office=form.cleaned_data["office"], tallies=form.tallies(), actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.elected:
                done = (
                    _("%(name)s is elected chair.")
                    if result.office == result.Office.CHAIR
                    else _("%(name)s is elected secretary.")
                )
                messages.success(request, done % {"name": result.elected.full_name})
            else:
                messages.warning(request, _("No candidate received a majority of the members present."))
            return redirect("commission:meeting", school=school.slug, pk=meeting.pk)
    return render(
        request,
        "commission/staff/election_form.html",
        {"school": school, "form": form, "meeting": meeting, "present": len(present)},
    )


@require_POST
def meeting_circulate(request, school, pk):
    return _meeting_action(request, school, pk, services.meeting_circulate, _("The protocol is sent for confirmation."))


@require_POST
def meeting_reopen(request, school, pk):
    return _meeting_action(request, school, pk, services.meeting_reopen, _("The protocol is a draft again."))


def _meeting_action(request, slug, pk, action, done):
    school, commission, meeting = _meeting(request, slug, pk, "commission.work")
    try:
        action(meeting=meeting, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, done)
    return redirect("commission:meeting", school=school.slug, pk=meeting.pk)


@require_POST
def meeting_confirm(request, school, pk):
    school, commission, meeting = _meeting(request, school, pk, "commission.work")
    member = next((m for m in meeting.attendees.all() if m.user_id == request.user.pk), None)
    if member is None:
        raise Http404
    try:
        services.meeting_confirm(meeting=meeting, member=member, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("You confirmed the protocol."))
    return redirect("commission:meeting", school=school.slug, pk=meeting.pk)


@require_POST
def meeting_paper_sign(request, school, pk):
    school, commission, meeting = _meeting(request, school, pk, "commission.manage")
    form = PaperSignForm(request.POST, members=meeting.attendees.all())
    if form.is_valid():
        try:
            services.meeting_confirm(
                meeting=meeting, member=form.cleaned_data["member"], actor=request.user, on_paper=True
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The paper signature is recorded."))
    return redirect("commission:meeting", school=school.slug, pk=meeting.pk)


def protocol_pdf(request, school, pk):
    return _protocol(request, school, pk, "pdf")


def protocol_docx(request, school, pk):
    return _protocol(request, school, pk, "docx")


def _protocol(request, school, pk, fmt):
    school, commission, meeting = _meeting(request, school, pk, DOCUMENTS["protocol"].permission)
    return document_response(request, "protocol", meeting, fmt=fmt, scope=school.vault_scope)


# --- box openings ------------------------------------------------------------------------------


def openings(request, school):
    school, commission = _commission(request, school)
    return render(
        request,
        "commission/staff/openings.html",
        {
            "school": school,
            "overview": selectors.openings_overview(school),
            "can_work": may(request, school, "commission.work"),
        },
    )


@require_POST
def opening_start(request, school):
    school, commission = _commission(request, school, "commission.work")
    planned = request.POST.get("planned_for")
    planned_for = None
    if planned:
        now = timezone.now()
        window = school.planned_openings(now - dt.timedelta(days=60), now + dt.timedelta(days=1))
        planned_for = next((at for at in window if at.isoformat() == planned), None)
    opening = services.opening_start(school=school, actor=request.user, planned_for=planned_for)
    return redirect("commission:opening_step", school=school.slug, pk=opening.pk, step=Opening.Step.PRESENT)


def _opening(request, slug, pk, permission="commission.read"):
    school, commission = _commission(request, slug, permission)
    try:
        return school, commission, selectors.opening_detail(school, pk)
    except Opening.DoesNotExist as error:
        raise Http404 from error


def opening(request, school, pk):
    school, commission, opening = _opening(request, school, pk)
    if opening.status == Opening.Status.DRAFT and may(request, school, "commission.work"):
        return redirect("commission:opening_step", school=school.slug, pk=opening.pk, step=opening.step)
    return render(
        request,
        "commission/staff/opening.html",
        {
            "school": school,
            "opening": opening,
            "can_work": may(request, school, "commission.work"),
            "can_read_appeals": may(request, school, "appeal.read_content"),
        },
    )


STEP_VIEWS = {}


def opening_step(request, school, pk, step):
    school, commission, opening = _opening(request, school, pk, "commission.work")
    if opening.status != Opening.Status.DRAFT:
        return redirect("commission:opening", school=school.slug, pk=opening.pk)
    if step not in STEP_VIEWS:
        raise Http404
    steps = services.STEPS
    if steps.index(step) > steps.index(opening.step):
        return redirect("commission:opening_step", school=school.slug, pk=opening.pk, step=opening.step)
    context = {"school": school, "opening": opening, "step": step, "steps": Opening.Step.choices}
    return STEP_VIEWS[step](request, school, commission, opening, context)


def _next(school, opening):
    return redirect("commission:opening_step", school=school.slug, pk=opening.pk, step=opening.step)


def _step_present(request, school, commission, opening, context):
    serving = commission.members.filter(member_from__lte=timezone.localdate()).exclude(
        member_to__lt=timezone.localdate()
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
    return render(request, "commission/staff/opening_present.html", {**context, "form": form})


def _step_seal(request, school, commission, opening, context):
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
    return render(request, "commission/staff/opening_seal.html", {**context, "form": form, "last_seal": last_seal})


def _step_count(request, school, commission, opening, context):
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
    return render(request, "commission/staff/opening_count.html", {**context, "form": form})


def _step_letters(request, school, commission, opening, context):
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
                    grade=services.grade_of(data["klass"]),
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
        "commission/staff/opening_letter.html",
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
    school, commission, opening = _opening(request, school, pk, "commission.work")
    if opening.status == Opening.Status.DRAFT:
        services.pending_pages(opening).delete()
    return redirect("commission:opening_step", school=school.slug, pk=opening.pk, step=Opening.Step.LETTERS)


def _step_close(request, school, commission, opening, context):
    form = CloseForm(request.POST or None, initial={"sealed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_close(opening=opening, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The opening is written in the box-opening journal."))
            return redirect("commission:opening", school=school.slug, pk=opening.pk)
    return render(
        request,
        "commission/staff/opening_close.html",
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
    school, commission, opening = _opening(request, school, pk, "commission.work")
    try:
        services.opening_discard(opening=opening, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("commission:opening", school=school.slug, pk=pk)
    messages.success(request, _("The unfinished opening is discarded."))
    return redirect("commission:openings", school=school.slug)


def _act(request, slug, pk, fmt):
    school, commission, opening = _opening(request, slug, pk, DOCUMENTS["act"].permission)
    if opening.status != Opening.Status.DONE or not opening.act_number:
        raise Http404
    return document_response(request, "act", opening, fmt=fmt, scope=school.vault_scope)


def act_pdf(request, school, pk):
    return _act(request, school, pk, "pdf")


def act_docx(request, school, pk):
    return _act(request, school, pk, "docx")


# --- the box-opening journal ---------------------------------------------------------------------


def _book(request, slug, year):
    school, commission = _commission(request, slug)
    books = selectors.books_of(school)
    if year is None:
        book = books[0] if books else None
    else:
        book = next((b for b in books if b.year == year), None)
        if book is None:
            raise Http404
    return school, books, book


def journal(request, school, year=None):
    school, books, book = _book(request, school, year)
    entries = selectors.book_entries(book) if book else []
    check = services.openings_verify(book) if book else None
    return render(
        request,
        "commission/staff/journal.html",
        {"school": school, "books": books, "book": book, "entries": entries, "check": check},
    )


def journal_pdf(request, school, year):
    school, books, book = _book(request, school, year)
    return document_response(
        request, "opening_journal", book, fmt=request.GET.get("format", "pdf"), scope=school.vault_scope
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
            content = paper_forms_pdf(school=school, forms=printed, size=batch.size, language=batch.language)
            return pdf_response(content, f"ishenim-forms-{batch.pk}.pdf")
    batches = school.stub_batches.select_related("created_by").annotate(
        used=Count("stubs", filter=Q(stubs__used_at__isnull=False))
    )
    return render(
        request,
        "commission/staff/paper_forms.html",
        {"school": school, "form": form, "batches": batches, "follow_url": follow_url(school)},
    )
