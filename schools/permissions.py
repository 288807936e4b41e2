"""The one permission map: every named permission and the roles that hold it.

Views, selectors, menus and templates ask for a permission by name, never for
roles: `school_for(request, slug, "journal.read")`, `permitted(roles, "case.assign")`,
`{% permitted "journal.read" school as may_read %}`. A name that is not in the map is
refused (deny by default), so a typo closes a door instead of opening one.

`ASSIGNED` is not a role but a relation: the person is one of the handlers of
the case at hand (`schools.access.appeal_roles` adds it).
"""

from schools.models import Role

ASSIGNED = "assigned"

_D, _R, _H, _C, _O = Role.DIRECTOR, Role.RESPONSIBLE, Role.HANDLER, Role.COMMISSION, Role.DISTRICT_OFFICER
_CASE_MANAGERS = frozenset({_D, _R, _O})  # on a district's appeal only district officers count
_CASE_WORKERS = _CASE_MANAGERS | {ASSIGNED}

PERMISSIONS: dict[str, frozenset[str]] = {
    # the school's page and the staff home
    "school.view": frozenset({_D, _R, _H, _C, _O}),
    "school.settings": frozenset({_D, _R}),
    "school.staff": frozenset({_D, _O}),  # add, change and end memberships; invite
    "account.two_factor": frozenset({_D, _R, _O}),  # must log in with a second factor
    # appeals
    "appeal.inbox": frozenset({_D, _R, _H, _O}),  # which appeals: `appeal.read_all`, `district.appeals`, assigned
    "appeal.read_all": frozenset({_D, _R}),  # every appeal of the school, not only the assigned ones
    "appeal.read_content": frozenset({_D, _R, _H}),  # holds a key to the school's appeals
    "appeal.read_identity": frozenset({_D, _R, _O}),  # every identity (the school's or district's key)
    "appeal.read_shown_identity": frozenset({ASSIGNED}),  # only when shown to them (appeals.selectors.identity_visible)
    "appeal.urgent_words": frozenset({_D, _R}),
    # case handling: managers decide, assigned handlers work the case
    "case.assign": _CASE_MANAGERS,
    "case.dismiss": _CASE_MANAGERS,
    "case.extend": _CASE_MANAGERS,
    "case.reopen": _CASE_MANAGERS,
    "case.correct": _CASE_MANAGERS,
    "case.acknowledge": _CASE_WORKERS,  # "I am on it" on an urgent appeal (R22)
    "case.consider": _CASE_WORKERS,
    "case.measures": _CASE_WORKERS,
    "case.forward": _CASE_WORKERS,
    "case.answer": _CASE_WORKERS,
    "case.close": _CASE_WORKERS,
    "case.note": _CASE_WORKERS,
    "case.facts": _CASE_WORKERS,  # place, people involved, grade band, subjects: in the clear, for the reports
    "case.print_letters": _CASE_WORKERS,
    "case.handle": frozenset({_H, _R, _O}),  # may be given a case (the district's: its officers)
    # the registration journal
    "journal.read": frozenset({_D, _R}),
    "journal.print": frozenset({_D, _R}),
    # the commission and the box openings
    "commission.read": frozenset({_D, _R, _C, _O}),
    "commission.work": frozenset({_D, _R, _C}),
    "commission.manage": frozenset({_D, _R}),
    # reports
    "reports.read": frozenset({_D, _R, _H, _C}),
    "reports.open_cases": frozenset({_D, _R}),
    "reports.weekly": frozenset({_D, _R}),
    "reports.finalise": frozenset({_D, _R}),
    "reports.compliance": frozenset({_D, _R, _O}),
    "reports.confirm": frozenset({_D}),  # records what the machine cannot check (R06, R21)
    # keys and the audit trail
    "vault.hold_school_key": frozenset({_D, _R}),  # opens every appeal; handlers get their cases' keys only
    "vault.manage_keys": frozenset({_D}),
    "vault.recover": frozenset({_D, _R}),
    "audit.read": frozenset({_D}),
    # messages to staff that did not arrive (notify)
    "notify.failures": frozenset({_D}),
    # the district office (its officers hold only this role)
    "district.appeals": frozenset({_O}),
    # "I am on it" on a school's urgent appeal once the alert climbed to the district (R22): school, number,
    # time and the kinds of danger found are shown, never the content, so no key is needed
    "district.acknowledge_urgent": frozenset({_O}),
    "district.journal": frozenset({_O}),
    "district.read_school_reports": frozenset({_O}),
    "district.manage_keys": frozenset({_O}),
    "district.audit": frozenset({_O}),
    "district.setup": frozenset({_O}),  # edit the district, add and import its schools and staff
}


def permitted(roles, permission: str) -> bool:
    """Whether any of `roles` holds `permission`; an unknown permission is refused."""
    return not PERMISSIONS.get(permission, frozenset()).isdisjoint(roles)


def roles_with(permission: str) -> frozenset[str]:
    """The roles that hold `permission` (for queries: who reads, who must use two factors)."""
    return PERMISSIONS.get(permission, frozenset()) - {ASSIGNED}
