"""The audit trail as the director (one school) and the district (its schools) see it."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.forms import TrailFilter
from audit.labels import action_label
from audit.models import AuditChain
from audit.selectors import members_of
from audit.selectors import trail as trail_of
from audit.services import audit_verify
from schools.access import office_for
from schools.models import School
from schools.offices import Office

PER_PAGE = 50


def _audited(request, where) -> Office:
    return office_for(request, where, school="audit.read", district="district.audit")


def _schools(office: Office) -> list[School]:
    """The schools whose records the office reads: a school its own, a district office all of its district's."""
    if office.school is not None:
        return [office.school]
    assert office.district is not None  # an office is a school or a district
    return list(office.district.schools.all())


def trail(request, **where):
    office = _audited(request, where)
    schools = _schools(office)
    names = {office.scope: office.name} | {s.vault_scope: s.name for s in schools}
    member_ids = members_of(schools=schools, district=office.district)
    people = get_user_model().objects.filter(pk__in=member_ids).order_by("last_name", "username")
    form = TrailFilter(request.GET or None, people=people)
    filters = form.cleaned_data if form.is_valid() else {}
    records = trail_of(scopes=list(names), member_ids=member_ids, **{k: v for k, v in filters.items() if v})
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(record, action_label(record.action), names.get(record.chain.scope, "")) for record in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "office": office,
        "school": office.school,
        "district": office.district,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "verify_url": office.url("audit:verify"),
    }
    return render(request, "audit/staff/trail.html", context)


@require_POST
def verify(request, **where):
    office = _audited(request, where)
    scopes = {office.scope} | {s.vault_scope for s in _schools(office)}
    broken = []
    for chain in AuditChain.objects.filter(scope__in=scopes):
        check = audit_verify(chain.scope)
        if not check.ok:
            broken.append(f"{chain.scope}: {check.problem_display}")
    if broken:
        messages.error(request, _("The audit trail was altered: %(problems)s") % {"problems": "; ".join(broken)})
    else:
        messages.success(request, _("The audit trail is intact: no record was changed, removed or inserted."))
    return redirect(office.url("audit:trail"))
