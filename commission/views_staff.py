"""The commission's staff pages: composition, meetings and protocols (the box openings, the
opening book and the paper forms are in `openings`). Every view starts with `school_for`
(404 for anyone else)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
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
    ElectionForm,
    MeetingForm,
    MemberEndForm,
    MemberForm,
    OrderForm,
    PaperSignForm,
)
from commission.models import AgendaItem, Meeting, Member
from ishenim.document_registry import DOCUMENTS
from ishenim.documents import document_response
from openings.selectors import openings_overview
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
    overview = openings_overview(school)
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
