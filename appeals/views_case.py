"""Case handling on the staff side: one view per action, the letters, the district inbox.

The case panel sits on the appeal's page (`appeals.views_staff.detail` builds it
with `case_panel_context`); its forms post here. A form with an error
comes back on a page of its own with what was typed, and every success goes
back to the appeal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from appeals import forms_case as forms
from appeals.authors import author_read
from appeals.models import Answer, Appeal, Forwarding
from appeals.outgoing_letters import OutgoingLetter
from appeals.selectors import appeal_for_staff, identity_visible
from appeals.selectors_case import case_panel, case_permitted
from appeals.services import cases
from appeals.services.urgent import appeal_acknowledge
from ishenim.documents import document_response
from schools.access import appeal_roles, district_for, school_for
from schools.models import Membership, School
from schools.permissions import roles_with
from vault.casekeys import IDENTITY, case_key_holders
from vault.services import keyring

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise


def handler_candidates(appeal: Appeal):
    """Who may be given the case: the school's case handlers, or the district's officers."""
    from django.contrib.auth import get_user_model

    if appeal.district_id:
        people = Membership.objects.filter(district=appeal.district, role__in=roles_with("case.handle"), active=True)
    else:
        people = Membership.objects.filter(school=appeal.school, role__in=roles_with("case.handle"), active=True)
    return get_user_model().objects.filter(pk__in=people.values("user")).order_by("last_name", "first_name")


def _case(request: HttpRequest, slug: str, pk: int, action: str) -> tuple[School, Appeal]:
    """The case, if the user may see it and take `action` on it; 404 otherwise."""
    school = school_for(request, slug, "appeal.inbox")
    appeal = appeal_for_staff(request, school, pk)
    if not case_permitted(appeal_roles(request, appeal), action):
        raise Http404
    return school, appeal


def appeal_url(appeal: Appeal) -> str:
    return reverse("appeals:detail", kwargs={"school": appeal.school.slug, "pk": appeal.pk}) + "#case"


@dataclass(frozen=True)
class Action:
    title: StrPromise
    done: StrPromise
    form: type | None
    run: Callable
    form_kwargs: Callable = lambda appeal: {}


ACTIONS = {
    "acknowledge": Action(
        gettext_lazy("I am on it"),
        gettext_lazy("You are on this case: the alert stops here."),
        None,
        lambda appeal, data, user: appeal_acknowledge(appeal=appeal, actor=user),
    ),
    "consider": Action(
        gettext_lazy("Take into consideration"),
        gettext_lazy("The case is under consideration."),
        None,
        lambda appeal, data, user: cases.case_consider(appeal=appeal, actor=user),
    ),
    "assign": Action(
        gettext_lazy("Assign case handlers"),
        gettext_lazy("The case handlers were assigned."),
        forms.AssignForm,
        lambda appeal, data, user: cases.case_assign(
            appeal=appeal,
            handlers=data["handlers"],
            actor=user,
            ring=data["keyring"],
            share_identity=data.get("share_identity", False),
        ),
        lambda appeal: {"candidates": handler_candidates(appeal)},
    ),
    "measures": Action(
        gettext_lazy("Record measures taken"),
        gettext_lazy("The measures were entered in the journal."),
        forms.MeasuresForm,
        lambda appeal, data, user: cases.case_measures(
            appeal=appeal, kinds=data["kinds"], text=data["text"], taken_on=data["taken_on"], actor=user
        ),
    ),
    "forward": Action(
        gettext_lazy("Forward to a competent body"),
        gettext_lazy("The forwarding was recorded. Print the cover letter below."),
        forms.ForwardForm,
        lambda appeal, data, user: cases.case_forward(
            appeal=appeal,
            body=data["body"],
            addressee=data["addressee"],
            forwarded_on=data["forwarded_on"],
            cover=data["cover"],
            actor=user,
        ),
    ),
    "answer": Action(
        gettext_lazy("Answer the author and close"),
        gettext_lazy("The answer was recorded and the case is closed."),
        forms.AnswerForm,
        lambda appeal, data, user: cases.case_answer(
            appeal=appeal, mode=data["mode"], text=data["text"], given_on=data["given_on"], actor=user
        ),
        lambda appeal: {"appeal": appeal},
    ),
    "close": Action(
        gettext_lazy("Close without an answer (anonymous paper appeal)"),
        gettext_lazy("The case is closed."),
        forms.ReasonForm,
        lambda appeal, data, user: cases.case_close_unanswered(appeal=appeal, reason=data["reason"], actor=user),
    ),
    "dismiss": Action(
        gettext_lazy("Leave without consideration"),
        gettext_lazy("The appeal was left without consideration."),
        forms.DismissForm,
        lambda appeal, data, user: cases.case_dismiss(
            appeal=appeal, reason=data["reason"], details=data["details"], actor=user
        ),
    ),
    "extend": Action(
        gettext_lazy("Extend the deadline"),
        gettext_lazy("The deadline was extended."),
        forms.ExtendForm,
        lambda appeal, data, user: cases.case_extend(
            appeal=appeal, due_on=data["due_on"], reason=data["reason"], actor=user
        ),
        lambda appeal: {"appeal": appeal},
    ),
    "reopen": Action(
        gettext_lazy("Reopen the case"),
        gettext_lazy("The case is under consideration again."),
        forms.ReasonForm,
        lambda appeal, data, user: cases.case_reopen(appeal=appeal, reason=data["reason"], actor=user),
    ),
    "correct": Action(
        gettext_lazy("Correct the journal entry"),
        gettext_lazy("The correction was added to the journal."),
        forms.CorrectForm,
        lambda appeal, data, user: cases.case_correct(
            appeal=appeal, summary=data["summary"], category=data["category"], actor=user
        ),
    ),
    "facts": Action(
        gettext_lazy("Facts for the reports"),
        gettext_lazy("The facts of the case were recorded."),
        forms.FactsForm,
        lambda appeal, data, user: cases.case_facts(
            appeal=appeal,
            place=data["place"],
            grade_band=data["grade_band"],
            involved=data["involved"],
            subjects=list(data.get("subjects") or []),
            new_subject=data.get("new_subject", ""),
            actor=user,
        ),
        lambda appeal: {"appeal": appeal},
    ),
    "note": Action(
        gettext_lazy("Add an internal note"),
        gettext_lazy("The note was added."),
        forms.NoteForm,
        lambda appeal, data, user: cases.case_note_add(appeal=appeal, text=data["text"], actor=user),
    ),
}


def action_form(name: str, appeal: Appeal, data=None):
    spec = ACTIONS[name]
    if spec.form is None:
        return None
    initial: dict[str, object] | None = {"category": appeal.category} if name == "correct" else None
    if name == "assign":
        initial = {
            "handlers": [user.pk for user in appeal.handlers.all()],
            "share_identity": bool(case_key_holders(appeal, IDENTITY)),
        }
    form = spec.form(data, initial=initial, **spec.form_kwargs(appeal))
    if name == "assign" and appeal.anonymous:
        del form.fields["share_identity"]  # nobody's name to show
    return form


def action(request, school, pk, name):
    if name not in ACTIONS:
        raise Http404
    school, appeal = _case(request, school, pk, name)
    spec = ACTIONS[name]
    form = action_form(name, appeal, request.POST if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            # The keyring too: giving a case seals its key to the new handlers (vault.casekeys).
            spec.run(appeal, {**(form.cleaned_data if form else {}), "keyring": keyring(request)}, request.user)
        except ValidationError as error:
            if form is None:
                errors = error.messages
            else:
                form.add_error(None, error)
        else:
            messages.success(request, spec.done)
            return redirect(appeal_url(appeal))
    return render(
        request,
        "appeals/staff/case_action.html",
        {"school": school, "appeal": appeal, "name": name, "title": spec.title, "form": form, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


def _author(request, appeal: Appeal) -> dict | None:
    if appeal.anonymous or not appeal.author_sealed or not identity_visible(request, appeal):
        return None
    return author_read(keyring(request).open_text(appeal.author_sealed))


def _letter_choice(request) -> tuple[str, str]:
    form = forms.OutgoingLetterForm(request.GET)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["language"], form.cleaned_data["format"]


def answer_letter_view(request, school, pk, answer):
    school, appeal = _case(request, school, pk, "print_letters")
    item = get_object_or_404(Answer, appeal=appeal, pk=answer, mode=Answer.Mode.LETTER)
    author = _author(request, appeal)
    if author is None:
        raise Http404  # no letter without the author's name and address, and only for those who may see them
    language, fmt = _letter_choice(request)
    return document_response(
        request,
        "answer_letter",
        OutgoingLetter(appeal, item, author),
        fmt=fmt,
        language=language,
        scope=appeal.vault_scope,
        detail={"answer": item.pk, "identity": True},
    )


def cover_letter_view(request, school, pk, forwarding):
    school, appeal = _case(request, school, pk, "print_letters")
    item = get_object_or_404(Forwarding, appeal=appeal, pk=forwarding)
    language, fmt = _letter_choice(request)
    author = _author(request, appeal)
    return document_response(
        request,
        "cover_letter",
        OutgoingLetter(appeal, item, author),
        fmt=fmt,
        language=language,
        scope=appeal.vault_scope,
        detail={"forwarding": item.pk, "identity": author is not None},
    )


def deadline_order(appeals):
    """Urgent open cases first, then the open ones by due date (the most overdue on top), then the rest."""
    return appeals.annotate(
        due_by=Coalesce(F("extended_due_on"), F("due_on")),
        open_rank=Case(
            When(status__in=Appeal.OPEN_STATUSES, urgent=True, then=Value(0)),
            When(status__in=Appeal.OPEN_STATUSES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    ).order_by("open_rank", "due_by", "-received_at", "-pk")


def district_inbox(request, district):
    district = district_for(request, district, "district.appeals")
    show = "all" if request.GET.get("show") == "all" else "open"
    appeals = Appeal.objects.filter(district=district).select_related("school").defer("text_sealed", "author_sealed")
    if show == "open":
        appeals = appeals.filter(status__in=Appeal.OPEN_STATUSES)
    page = Paginator(deadline_order(appeals), 50).get_page(request.GET.get("page"))
    return render(request, "appeals/staff/case_district_inbox.html", {"district": district, "page": page, "show": show})


FORMS = set(ACTIONS) - {"note"}  # the note has its own form under the notes


@dataclass(frozen=True)
class CaseForms:
    """The forms of the case panel: one per action the person may take now."""

    actions: list[tuple[str, StrPromise, object]]
    note: object
    letter: forms.OutgoingLetterForm


def case_panel_context(request: HttpRequest, appeal: Appeal) -> dict:
    """The case panel's part of the appeal page: its data (audited read) and its forms."""
    panel = case_panel(request, appeal)
    return {
        "case": panel,
        "case_forms": CaseForms(
            actions=[(name, ACTIONS[name].title, action_form(name, appeal)) for name in panel.actions if name in FORMS],
            note=forms.NoteForm() if "note" in panel.actions else None,
            letter=forms.OutgoingLetterForm(initial={"language": appeal.language}),
        ),
    }
