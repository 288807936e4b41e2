"""The staff side of the online box: inbox, one appeal, replies, urgent words.

Every read of content or identity is audited; the content is opened with the
staff member's own keyring, so a session without it shows a notice instead.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from appeals.authors import author_read
from appeals.forms import MessageForm, UrgentWordsForm
from appeals.forms_inbox import BulkAssignForm, InboxFilterForm
from appeals.models import Appeal, Attachment, FollowUp, Message, UrgentWords
from appeals.selectors import (
    PINNED,
    appeal_for_staff,
    identity_visible,
    inbox_appeals,
    inbox_filter,
    inbox_rows,
    inbox_split,
    journal_number_find,
)
from appeals.selectors_case import case_permitted
from appeals.services import message_post, messages_mark_read, urgent_words_save
from appeals.services.cases import case_assign
from appeals.triage import concept_label, urgent_concepts
from appeals.views_case import case_panel_context
from audit.services import audit_record
from ishenim.documents import file_response
from ishenim.keyset import capped_count, keyset_page
from schools.access import appeal_roles, may, school_for
from schools.selectors import school_handlers
from vault.services import VaultError, keyring

PER_PAGE = 25
SHOW = ("open", "urgent", "unread", "all")


def inbox(request, school):
    school = school_for(request, school, "appeal.inbox")
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "open"
    handlers = list(school_handlers(school))
    search = InboxFilterForm(request.GET, handlers=handlers)
    number = search.journal_number()
    if number is not None:
        found = journal_number_find(request, school, number)
        if found is not None:
            return redirect("appeals:detail", school=school.slug, pk=found.pk)
        messages.warning(request, _("No appeal you may open has the journal number %(n)d.") % {"n": number})
    filters, today = search.filters(), timezone.localdate()
    appeals = inbox_filter(inbox_appeals(request, school, show), filters, today)
    pinned, rest = inbox_split(appeals, urgent_only=show == "urgent" or bool(filters.get("urgent")))
    page = keyset_page(rest, request.GET, PER_PAGE)
    if page.newer is None:  # the first page: the urgent open ones above the newest
        page.object_list = list(pinned) + page.object_list
    query = request.GET.copy()
    for position in ("older", "newer", "at"):
        query.pop(position, None)
    context = {
        "school": school,
        "page": page,
        "rows": inbox_rows(page.object_list, school, today),
        "count": capped_count(appeals) if filters else None,
        "show": show,
        "SHOW": SHOW,
        "search": search,
        "filtered": bool(filters),
        "query": query.urlencode(),
        "handlers": handlers,
        "may_assign": may(request, school, "case.assign") and bool(handlers),
    }
    return render(request, "appeals/staff/inbox.html", context)


@require_POST
def inbox_assign(request, school):
    """Give several cases to one handler at once, each through `case_assign` (keys sealed to them)."""
    school = school_for(request, school, "case.assign")
    handlers = list(school_handlers(school))
    chosen = [pk for pk in request.POST.getlist("appeal") if pk.isdigit()][: PER_PAGE + PINNED]
    visible = inbox_appeals(request, school, "all").filter(pk__in=chosen).values_list("pk", flat=True)
    form = BulkAssignForm(request.POST, appeals=visible, handlers=handlers)
    if not form.is_valid():
        messages.error(request, _("Choose the appeals and the person to give them to."))
        return redirect(_inbox_again(request, school))
    handler = next(user for user in handlers if user.pk == form.cleaned_data["handler"])
    ring, given, refused = keyring(request), 0, []
    for appeal in Appeal.objects.filter(pk__in=form.cleaned_data["appeal"]).select_related("school", "district"):
        if not case_permitted(appeal_roles(request, appeal), "assign"):
            refused.append(appeal)
            continue
        try:
            case_assign(appeal=appeal, handlers=[*appeal.handlers.all(), handler], actor=request.user, ring=ring)
        except ValidationError:
            refused.append(appeal)
        else:
            given += 1
    if given:
        messages.success(
            request,
            ngettext("%(n)d case was given to %(name)s.", "%(n)d cases were given to %(name)s.", given)
            % {"n": given, "name": handler.get_full_name() or handler.get_username()},
        )
    if refused:
        numbers = ", ".join(str(a.journal_number or "—") for a in refused)
        messages.warning(request, _("Not given (already theirs, or closed): № %(numbers)s.") % {"numbers": numbers})
    return redirect(_inbox_again(request, school))


def _inbox_again(request, school) -> str:
    """The inbox with the filters the person had (only a query string is taken from the form)."""
    query = request.POST.get("query", "")
    return reverse("appeals:inbox", args=[school.slug]) + (f"?{query}" if query and "/" not in query else "")


def detail(request, school, pk):
    school = school_for(request, school, "appeal.inbox")
    appeal = appeal_for_staff(request, school, pk)
    return render(
        request, "appeals/staff/detail.html", _detail_context(request, school, appeal, MessageForm(prefix="reply"))
    )


def _detail_context(request, school, appeal, form) -> dict:
    ring = keyring(request)
    context = {
        "school": school,
        "appeal": appeal,
        "reply_form": form,
        "followup": FollowUp.objects.filter(appeal=appeal).first(),
        "attachments": list(appeal.attachments.defer("content_sealed")),
        "locked": not ring.can_open(appeal.text_sealed),
    }
    if context["locked"]:
        return {**context, "text": "", "author": None, "author_visible": False, "thread": [], "concepts": []}
    show_identity = identity_visible(request, appeal)
    thread = list(appeal.messages.select_related("sender"))
    context.update(
        text=ring.open_text(appeal.text_sealed),
        author_visible=show_identity,
        author=author_read(ring.open_text(appeal.author_sealed)) if show_identity and appeal.author_sealed else None,
        thread=[(m, ring.open_text(m.body_sealed)) for m in thread],
    )
    # Which kinds of danger, and which words, made the appeal urgent (empty when the writer chose "urgent").
    found = urgent_concepts(context["text"], school) if appeal.urgent else []
    context["concepts"] = [(concept_label(code), words) for code, words in found]
    context.update(case_panel_context(request, appeal))
    for attachment in context["attachments"]:
        attachment.name = ring.open_text(attachment.name_sealed)
    audit_record(
        action="ishenim.appeal.viewed",
        scope=appeal.vault_scope,
        actor=request.user,
        obj=appeal,
        detail={"identity": bool(context["author"]), "messages": len(thread)},
    )
    if any(m.side == Message.Side.WRITER and m.read_at is None for m in thread):
        messages_mark_read(appeal=appeal, sides=[Message.Side.WRITER])
    return context


@require_POST
def reply(request, school, pk):
    school = school_for(request, school, "appeal.inbox")
    appeal = appeal_for_staff(request, school, pk)
    form = MessageForm(request.POST, prefix="reply")
    if not hasattr(appeal, "followup"):
        raise Http404  # a paper appeal has no online conversation
    if not form.is_valid():
        return render(request, "appeals/staff/detail.html", _detail_context(request, school, appeal, form))
    message_post(appeal=appeal, side=Message.Side.STAFF, body=form.cleaned_data["body"], sender=request.user)
    messages.success(request, _("The message was sent. The writer sees it with their receipt code."))
    return redirect("appeals:detail", school=school.slug, pk=appeal.pk)


def attachment(request, school, pk, file):
    school = school_for(request, school, "appeal.inbox")
    appeal = appeal_for_staff(request, school, pk)
    item = get_object_or_404(Attachment, appeal=appeal, pk=file)
    ring = keyring(request)
    try:
        content = ring.open(item.content_sealed)
        name = ring.open_text(item.name_sealed)
    except VaultError:
        raise Http404 from None
    audit_record(
        action="ishenim.appeal.attachment_viewed",
        scope=appeal.vault_scope,
        actor=request.user,
        obj=appeal,
        detail={"attachment": item.pk},
    )
    safe_name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name) or f"file-{item.pk}"
    return file_response(content, safe_name, item.content_type, inline=item.kind == Attachment.Kind.IMAGE)


def urgent_words(request, school):
    school = school_for(request, school, "appeal.urgent_words")
    current = UrgentWords.objects.filter(school=school).first()
    form = UrgentWordsForm(request.POST or None, initial={"words": current.words if current else ""})
    if request.method == "POST" and form.is_valid():
        urgent_words_save(school=school, words=form.cleaned_data["words"], actor=request.user)
        messages.success(request, _("The urgent words were saved. They apply to appeals that come in from now on."))
        return redirect("appeals:urgent_words", school=school.slug)
    return render(request, "appeals/staff/urgent_words.html", {"school": school, "form": form})
