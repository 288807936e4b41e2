"""Readable names of the dotted action codes; an unknown code shows as itself."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "ishenim.account.login": _("logged in"),
    "ishenim.account.logout": _("logged out"),
    "ishenim.account.login_failed": _("failed login"),
    "ishenim.account.login_throttled": _("login refused: too many attempts"),
    "ishenim.account.two_factor_failed": _("wrong two-factor code"),
    "ishenim.account.two_factor_enabled": _("two-factor login turned on"),
    "ishenim.account.two_factor_disabled": _("two-factor login turned off"),
    "ishenim.account.two_factor_reset": _("two-factor login reset by an administrator"),
    "ishenim.account.backup_code_used": _("backup code used"),
    "ishenim.account.backup_codes_renewed": _("new backup codes made"),
    "ishenim.account.password_changed": _("password changed"),
    "ishenim.account.password_change_failed": _("wrong current password when changing it"),
    "ishenim.account.sessions_ended": _("logged out everywhere"),
    "ishenim.key.granted": _("access to appeals given"),
    "ishenim.key.revoked": _("access to appeals removed"),
    "ishenim.key.rotated": _("key replaced"),
    "ishenim.key.recovery_renewed": _("new recovery sheet made"),
    "ishenim.key.recovery_printed": _("recovery sheet printed"),
    "ishenim.key.recovered": _("access recovered with the recovery sheet"),
    "ishenim.key.recover_failed": _("wrong recovery code"),
    "ishenim.appeal.viewed": _("appeal read"),
    "ishenim.appeal.identity_viewed": _("writer's identity read"),
    "ishenim.appeal.erased": _("appeal erased under retention"),
    "ishenim.case.reopened_by_writer": _("case reopened: the writer said it was not solved"),
    "ishenim.case.sent_to_district_by_writer": _("case sent on to the district by its writer"),
    "ishenim.school.changed": _("school settings changed"),
    "ishenim.setup.template_downloaded": _("spreadsheet template downloaded"),
    "ishenim.compliance.confirmed": _("requirement confirmed for the compliance page"),
    "ishenim.audit.viewed": _("audit trail viewed"),
    "ishenim.audit.exported": _("audit trail exported"),
    "ishenim.backup.written": _("backup written"),
    "ishenim.backup.restored": _("backup restored"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))
