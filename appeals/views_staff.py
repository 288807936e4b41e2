"""The staff side of the online box: inbox, one appeal, replies, urgent words.

Every read of content or identity is audited; the content is opened with the
staff member's own keyring, so a session without it shows a notice instead.
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appeals.forms import MessageForm, UrgentWordsForm
from appeals.models import Attachment, FollowUp, Message, UrgentWords
from appeals.selectors import appeal_for_staff, identity_visible, inbox_appeals
from appeals.services import message_post, messages_mark_read, urgent_words_save
from appeals.triage import concept_label, urgent_concepts
from appeals.views_case import case_panel_context
from audit.services import audit_record
from ishenim.documents import file_response
from schools.access import school_for
from vault.services import VaultError, keyring

PER_PAGE = 25
SHOW = ("open", "urgent", "unread", "all")


def inbox(request, school):
    school = school_for(request, school, "appeal.inbox")
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "open"
    page = Paginator(inbox_appeals(request, school, show), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "appeals/staff/inbox.html", {"school": school, "page": page, "show": show, "SHOW": SHOW})


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
        author=json.loads(ring.open_text(appeal.author_sealed)) if show_identity and appeal.author_sealed else None,
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
