"""The public online box of a school: no login, no trace of who visits.

Nothing here reads or logs the visitor's address or user agent. The receipt
code travels only in POST bodies; afterwards it is kept encrypted in a cookie
(see `appeals.followup`), so the writer can reload and reply.
"""

import functools
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.db.models.query import get_related_populators
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import throttle
from appeals import followup
from appeals.documents import Receipt
from appeals.forms import AppealForm, MessageForm, ReceiptCodeForm, SendOnForm, SolvedForm
from appeals.models import Appeal, FollowUp, Message, UrgentWords
from appeals.receipts import receipt_code_new
from appeals.selectors import writer_view
from appeals.services import (
    appeal_submit,
    case_send_to_district,
    followup_solved_record,
    message_post,
    messages_mark_read,
    receipt_find,
)
from ishenim.decorators import embeddable
from ishenim.documents import document_response
from schools.models import BoxHours, HelpNumber, School
from vault.casekeys import school_with_vault_key


def _public_schools():
    words = UrgentWords.objects.filter(school=OuterRef("pk")).values("words")[:1]
    schools = school_with_vault_key(School.objects.select_related("district"))
    return schools.annotate(extra_urgent_words=Subquery(words))


_SLUG = "\x00slug\x00"  # stands for the slug while the statement is compiled


@dataclass(frozen=True)
class _Compiled:
    """`_public_schools()` for one slug, as the ORM compiled it once for a database: the SQL, its
    parameters (the slug's place kept) and how a row becomes a School with its district and
    annotations, exactly as the ORM's own iterator builds it."""

    compiler: Any
    sql: str
    params: tuple
    slug_at: int
    init_list: list[str]
    fields: slice
    populators: list
    annotations: dict[str, int]


@functools.cache
def _compiled(alias: str, vendor: str) -> _Compiled:
    compiler = _public_schools().filter(slug=_SLUG).query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    klass_info, select = compiler.klass_info, compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Compiled(
        compiler=compiler,
        sql=sql,
        params=tuple(params),
        slug_at=list(params).index(_SLUG),
        init_list=[f[0].target.attname for f in select[start:end]],
        fields=slice(start, end),
        populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]  # the stubs are of Django 6 (fetch_mode); 5.2 takes three
        annotations=dict(compiler.annotation_col_map),
    )


def public_school(slug: str) -> School:
    """The school, with what a submission reads of it in the same statement: its own urgent
    words (`triage.school_words`) and its vault key (`casekeys.case_keys_new`). Its hours and
    help numbers are read only when a page shows them (`_context`), not by a POST that redirects.

    Every public request reads it, and building and compiling this query (three subqueries)
    cost the ORM more CPU than anything else a submission does but triage: the statement is
    compiled once per database (`_compiled`) and only run with each slug."""
    alias = router.db_for_read(School)
    connection = connections[alias]
    compiled = _compiled(alias, connection.vendor)
    params = list(compiled.params)
    params[compiled.slug_at] = slug
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = list(compiled.compiler.results_iter([cursor.fetchmany(2)]))
    if len(rows) != 1:
        raise Http404  # slugs are unique: no row or (never) two
    row = rows[0]
    school = School.from_db(alias, compiled.init_list, row[compiled.fields])
    for populator in compiled.populators:
        populator.populate(row, school)
    for name, at in compiled.annotations.items():
        setattr(school, name, row[at])
    return school


def box_url(school: School) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("appeals_public:box", kwargs={"school": school.slug})


def _context(school: School, **extra) -> dict:
    prefetch_related_objects(
        [school],
        Prefetch("hours", BoxHours.objects.order_by("weekday", "opens")),
        Prefetch("help_numbers", HelpNumber.objects.order_by("order", "pk")),
    )
    numbers = list(school.help_numbers.all())
    first = {n.kind: n for n in reversed(numbers)}
    return {
        "school": school,
        "hours": list(school.hours.all()),
        "numbers": numbers,
        "emergency": first.get(HelpNumber.Kind.EMERGENCY),
        "helpline": first.get(HelpNumber.Kind.CHILDREN),
        "counsellor": first.get(HelpNumber.Kind.PSYCHOLOGIST),
        "deadlines": settings.ISHENIM,
        "categories": Appeal.Category.choices,
        **extra,
    }


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    throttle.browser_cookie_set(request, response)
    followup.session_renew(request, response)
    response["Cache-Control"] = "no-store"
    return response


def language_from_link(view):
    """?language=xx on a link (the embed frame's) opens the page in that language, and it stays."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = request.GET.get("language")
        if language not in dict(settings.LANGUAGES):
            return view(request, *args, **kwargs)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return _language_keep(view(request, *args, **kwargs), language)

    return wrapper


@login_not_required
@language_from_link
def box(request, school):
    school = public_school(school)
    return _render(request, "appeals/public/box.html", _context(school, next_opening=school.next_opening()))


@login_not_required
@language_from_link
def write(request, school):
    school = public_school(school)
    if request.method != "POST":
        challenge = throttle.box_under_attack(throttle.submit_limit(), request, school.slug)
        return _render(request, "appeals/public/write.html", _context(school, form=AppealForm(), challenge=challenge))
    if request.POST.get("language") in dict(settings.LANGUAGES):
        return _language_switched(request, school)
    form = AppealForm(request.POST, request.FILES)
    # Counted before the form is read: an invalid POST (a broken photo, a missing field) costs a try too.
    verdict = throttle.box_attempt(throttle.submit_limit(), request, school.slug)

    def again(status: int = 200, **extra) -> HttpResponse:  # the form once more; a sent appeal only redirects
        context = _context(school, form=form, flooded=verdict.flooded, challenge=verdict.challenge, **extra)
        return _render(request, "appeals/public/write.html", context, status)

    if not verdict.allowed:
        return again(429)
    if not form.is_valid():
        return again(files_lost=bool(request.FILES) and "files" not in form.errors)
    code = receipt_code_new()
    appeal_submit(
        school=school,
        text=form.cleaned_data["text"],
        category=form.cleaned_data["category"],
        author_kind=form.cleaned_data["author_kind"],
        author=form.author(),
        grade=form.grade(),
        to_district=form.cleaned_data["to_district"],
        urgent=form.cleaned_data["danger"],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        receipt_code=code,
        attachments=form.clean_files_list,
    )
    response = redirect("appeals_public:receipt", school=school.slug)
    followup.session_keep(request, response, code, school.slug)
    throttle.writer_pass_give(request, response, school.slug)
    return response


def _language_take(request: HttpRequest) -> str:
    """The language a form page's language button asked for, active from now on in this request."""
    language = request.POST["language"]
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _language_keep(response: HttpResponse, language: str) -> HttpResponse:
    """The same cookie Django's set_language view sets, so the next pages stay in this language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # the settings stubs type it str, not the Literal set_cookie takes
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    response["Content-Language"] = language
    return response


def _language_switched(request: HttpRequest, school: School) -> HttpResponse:
    """The language buttons of the form page post the form itself: the page comes back in the
    new language with everything typed still in it (files excepted: browsers cannot refill them)."""
    language = _language_take(request)
    draft: dict[str, object] = {
        name: request.POST.get(name) for name in AppealForm.base_fields if name not in ("files", "website")
    }
    draft["danger"] = bool(draft["danger"])
    draft["to_district"] = bool(draft["to_district"])
    form = AppealForm(initial={name: value for name, value in draft.items() if value is not None})
    challenge = throttle.box_under_attack(throttle.submit_limit(), request, school.slug)
    context = _context(school, form=form, files_lost=bool(request.FILES), challenge=challenge)
    return _language_keep(_render(request, "appeals/public/write.html", context), language)


def _kept(request: HttpRequest, school: School) -> tuple[str, Appeal] | None:
    """The code this browser proved in this session and its appeal."""
    code = followup.session_code(request, school.slug)
    if not code:
        return None
    appeal = receipt_find(school=school, code=code)
    return (code, appeal) if appeal else None


@login_not_required
@never_cache
def receipt(request, school):
    school = public_school(school)
    kept = _kept(request, school)
    if kept is None:
        return redirect("appeals_public:follow", school=school.slug)
    code, appeal = kept
    return _render(
        request,
        "appeals/public/receipt.html",
        _context(school, code=code, groups=code.split("-"), appeal=appeal),
    )


@login_not_required
def receipt_pdf(request, school):
    school = public_school(school)
    kept = _kept(request, school)
    if kept is None:
        raise Http404
    code, appeal = kept
    return document_response(
        request, "receipt", Receipt(school, appeal, code), fmt="pdf", language=_language_asked(request)
    )


@login_not_required
@never_cache
@language_from_link
def follow(request, school):
    school = public_school(school)
    if request.method == "POST":
        return _code_entered(request, school)
    kept = _kept(request, school)
    if kept is None:
        challenge = throttle.box_under_attack(throttle.code_limit(), request, school.slug)
        return _render(
            request, "appeals/public/code.html", _context(school, form=ReceiptCodeForm(), challenge=challenge)
        )
    return _thread(request, school, *kept)


def _code_entered(request: HttpRequest, school: School) -> HttpResponse:
    form = ReceiptCodeForm(request.POST)
    verdict = throttle.box_attempt(throttle.code_limit(), request, school.slug)
    limited = _context(school, form=form, flooded=verdict.flooded, challenge=verdict.challenge)
    if not verdict.allowed:
        return _render(request, "appeals/public/code.html", limited, 429)
    appeal = receipt_find(school=school, code=form.cleaned_data["code"]) if form.is_valid() else None
    if appeal is None:
        if form.is_valid():
            form.add_error("code", _("No appeal to this school has this code. Check it letter by letter."))
        return _render(request, "appeals/public/code.html", limited)
    response = redirect("appeals_public:follow", school=school.slug)
    followup.session_keep(request, response, form.cleaned_data["code"], school.slug)
    throttle.writer_pass_give(request, response, school.slug)
    return response


def _thread(
    request, school, code, appeal, *, message_form=None, solved_form=None, send_on_form=None, status=200
) -> HttpResponse:
    view = writer_view(appeal, code)
    if view.unread:
        messages_mark_read(appeal=appeal, sides=[Message.Side.STAFF, Message.Side.ANSWER])
    closed = appeal.status in (Appeal.Status.CLOSED, Appeal.Status.DISMISSED)
    followup = appeal.followup
    # Asked again after each closing: a case reopened on "not solved" may be closed again.
    asked = bool(followup.solved) and not (
        appeal.closed_at and followup.solved_at and followup.solved_at < appeal.closed_at
    )
    not_solved = followup.solved == FollowUp.Solved.NO
    context = _context(
        school,
        view=view,
        appeal=appeal,
        closed=closed,
        message_form=message_form or MessageForm(),
        solved_form=solved_form or (SolvedForm() if closed and not asked else None),
        reopened=not_solved and appeal.is_open,
        send_on_form=send_on_form
        or (SendOnForm() if not_solved and not appeal.district_id and not followup.district_appeal_id else None),
    )
    return _render(request, "appeals/public/follow.html", context, status)


@login_not_required
@require_POST
def follow_message(request, school):
    school = public_school(school)
    kept = _kept(request, school)
    if kept is None:
        return redirect("appeals_public:follow", school=school.slug)
    code, appeal = kept
    if request.POST.get("language") in dict(settings.LANGUAGES):  # the language buttons: keep the draft
        language = _language_take(request)
        draft = MessageForm(initial={"body": request.POST.get("body", "")})
        return _language_keep(_thread(request, school, code, appeal, message_form=draft), language)
    form = MessageForm(request.POST)
    if not throttle.box_attempt(throttle.message_limit(), request, f"appeal:{appeal.pk}").allowed:
        form.add_error(None, _("Too many messages in a short time. Please wait an hour and send it again."))
        return _thread(request, school, code, appeal, message_form=form, status=429)
    if appeal.status in (Appeal.Status.CLOSED, Appeal.Status.DISMISSED):
        form.add_error(None, _("This appeal is closed. If something new happened, write a new appeal."))
    if not form.is_valid():
        return _thread(request, school, code, appeal, message_form=form)
    message_post(appeal=appeal, side=Message.Side.WRITER, body=form.cleaned_data["body"])
    return redirect(reverse("appeals_public:follow", kwargs={"school": school.slug}) + "#thread")


@login_not_required
@require_POST
def follow_solved(request, school):
    school = public_school(school)
    kept = _kept(request, school)
    if kept is None:
        return redirect("appeals_public:follow", school=school.slug)
    code, appeal = kept
    form = SolvedForm(request.POST)
    if not form.is_valid() or appeal.status not in (Appeal.Status.CLOSED, Appeal.Status.DISMISSED):
        return _thread(request, school, code, appeal, solved_form=form)
    followup_solved_record(appeal=appeal, solved=form.cleaned_data["solved"])
    return redirect("appeals_public:follow", school=school.slug)


@login_not_required
@require_POST
def follow_district(request, school):
    """ "Not solved": the writer sends the case on to the district and gets the new appeal's receipt."""
    school = public_school(school)
    kept = _kept(request, school)
    if kept is None:
        return redirect("appeals_public:follow", school=school.slug)
    code, appeal = kept
    form = SendOnForm(request.POST)
    # A new appeal, so it counts as one: the same limit as the form.
    if not throttle.box_attempt(throttle.submit_limit(), request, school.slug).allowed:
        form.add_error(None, _("Too many appeals were sent from here in a short time. Please wait a while."))
        return _thread(request, school, code, appeal, send_on_form=form, status=429)
    if form.is_valid():
        try:
            _sent, new_code = case_send_to_district(appeal=appeal, code=code, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return _thread(request, school, code, appeal, send_on_form=form)
    response = redirect("appeals_public:receipt", school=school.slug)
    followup.session_keep(request, response, new_code, school.slug)
    return response


@login_not_required
@require_POST
def follow_leave(request, school):
    school = public_school(school)
    response = redirect("appeals_public:box", school=school.slug)
    followup.session_forget(request, response)
    return response


@login_not_required
@embeddable
def embed(request, school):
    """The frame on the school's website, in the language its page asks for (?language=ru):
    a framed page may not get the box's language cookie, so the address carries it."""
    school = public_school(school)
    with translation.override(_language_asked(request)):
        context = _context(school, next_opening=school.next_opening(), box_url=box_url(school), embedded=True)
        response = render(request, "appeals/public/embed.html", context)
        response["Content-Language"] = translation.get_language()
    return response


@login_not_required
def website(request, school):
    school = public_school(school)
    embed_url = box_url(school) + "embed/"
    embed_urls = [(code, name, f"{embed_url}?language={code}") for code, name in settings.LANGUAGES]
    context = _context(school, box_url=box_url(school), embed_url=embed_url, embed_urls=embed_urls)
    return _render(request, "appeals/public/website.html", context)


def _language_asked(request: HttpRequest) -> str:
    """?language=xx if it is one of ours, else the reader's language."""
    wanted = request.GET.get("language", "")
    return wanted if wanted in dict(settings.LANGUAGES) else translation.get_language() or settings.LANGUAGE_CODE


@login_not_required
def poster(request, school):
    school = public_school(school)
    fmt = "docx" if request.GET.get("format") == "docx" else "pdf"
    return document_response(request, "poster", school, fmt=fmt, language=_language_asked(request), inline=True)


@login_not_required
@never_cache
def neutral(request):
    """Where "quick exit" leads: a multiplication table, nothing of the box, not even its name.

    Whoever picks up the phone next must not find the appeal: the code this
    browser kept for the follow-up page is forgotten here too.
    """
    response = render(request, "appeals/public/neutral.html", {"rows": range(1, 11)})
    followup.session_forget(request, response)
    return response


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: answer with ours, never a 404."""
    return redirect(static("img/favicon.ico"))
