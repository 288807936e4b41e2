"""Measures decided for the school: the list with the form to add one (from a quarterly report or a
commission meeting), and one action's page where its owner marks it done."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reports.actions import action_add, action_done, action_owners
from reports.forms import ActionDoneForm, ActionForm
from reports.models import Action
from reports.selectors import reports_of
from schools.access import may, school_for


def _source(request, school):
    """The report or meeting the action is decided in (?report= or ?meeting=), of this school only."""
    from commission.models import Meeting

    report = meeting = None
    source = request.POST if request.method == "POST" else request.GET
    try:
        if source.get("report"):
            report = get_object_or_404(reports_of(school), pk=int(source["report"]))
        if source.get("meeting"):
            meeting = get_object_or_404(Meeting, commission__school=school, pk=int(source["meeting"]))
    except ValueError:
        raise Http404 from None
    return report, meeting


def action_list(request, school):
    school = school_for(request, school, "reports.read")
    manage = may(request, school, "reports.finalise")
    report, meeting = _source(request, school)
    form = None
    if manage:
        initial = {"decided_on": meeting.held_on} if meeting else None
        form = ActionForm(request.POST or None, owners=action_owners(school), initial=initial)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                action_add(school=school, report=report, meeting=meeting, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The measure was recorded with its owner and due date."))
                return redirect(request.get_full_path())
    actions = Action.objects.filter(school=school).select_related("owner", "report", "meeting")
    if report is not None:
        actions = actions.filter(report=report)
    if meeting is not None:
        actions = actions.filter(meeting=meeting)
    return render(
        request,
        "reports/staff/actions.html",
        {
            "school": school,
            "report": report,
            "meeting": meeting,
            "actions": actions.order_by("done_on", "due_on", "pk"),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def action_detail(request, school, pk):
    school = school_for(request, school, "school.view")
    action = get_object_or_404(Action.objects.select_related("owner", "report", "meeting"), school=school, pk=pk)
    owner = action.owner_id == request.user.pk
    if not (owner or may(request, school, "reports.read")):
        raise Http404
    may_close = not action.done and (owner or may(request, school, "reports.finalise"))
    form = ActionDoneForm(request.POST or None) if may_close else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                action_done(
                    action=action,
                    done_on=form.cleaned_data["done_on"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The measure is marked done."))
                return redirect("reports:action", school=school.slug, pk=action.pk)
    return render(
        request,
        "reports/staff/action.html",
        {"school": school, "action": action, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
