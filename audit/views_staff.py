"""The audit trail as the director (one school) and the district (its schools) see it."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.forms import TrailFilter
from audit.labels import action_label
from audit.models import AuditChain
from audit.selectors import members_of, trail
from audit.services import audit_verify
from schools.access import district_for, school_for

PER_PAGE = 50


def _trail(request, *, scopes, member_ids, template_context):
    people = get_user_model().objects.filter(pk__in=member_ids).order_by("last_name", "username")
    form = TrailFilter(request.GET or None, people=people)
    filters = form.cleaned_data if form.is_valid() else {}
    records = trail(scopes=scopes, member_ids=member_ids, **{k: v for k, v in filters.items() if v})
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    names = template_context.get("names", {})
    rows = [(record, action_label(record.action), names.get(record.chain.scope, "")) for record in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {**template_context, "form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "audit/staff/trail.html", context)


def school_trail(request, school):
    school = school_for(request, school, "audit.read")
    return _trail(
        request,
        scopes=[school.vault_scope],
        member_ids=members_of(schools=[school]),
        template_context={"school": school, "place_name": school.name, "scopes": [school.vault_scope]},
    )


def district_trail(request, district):
    district = district_for(request, district, "district.audit")
    schools = list(district.schools.all())
    return _trail(
        request,
        scopes=[district.vault_scope] + [s.vault_scope for s in schools],
        member_ids=members_of(schools=schools, district=district),
        template_context={
            "district": district,
            "place_name": district.name,
            "names": {district.vault_scope: district.name} | {s.vault_scope: s.name for s in schools},
        },
    )


def _verify(request, scopes, back):
    broken = []
    for chain in AuditChain.objects.filter(scope__in=scopes):
        check = audit_verify(chain.scope)
        if not check.ok:
            broken.append(f"{chain.scope}: {check.problem_display}")
    if broken:
        messages.error(request, _("The audit trail was altered: %(problems)s") % {"problems": "; ".join(broken)})
    else:
        messages.success(request, _("The audit trail is intact: no record was changed, removed or inserted."))
    return redirect(back)


@require_POST
def school_verify(request, school):
    school = school_for(request, school, "audit.read")
    return _verify(request, [school.vault_scope], reverse("audit:school_trail", args=[school.slug]))


@require_POST
def district_verify(request, district):
    district = district_for(request, district, "district.audit")
    scopes = [district.vault_scope] + [s.vault_scope for s in district.schools.all()]
    return _verify(request, scopes, reverse("audit:district_trail", args=[district.slug]))
