"""The recovery sheet: the one paper that carries an office's recovery code.

Made once per code through the document registry (`ishenim.document_registry`), as
PDF only: a Word copy would be one more file holding the code.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from schools.offices import Office


@dataclass
class RecoverySheet:
    """The office (school or district), its recovery code and its active key."""

    office: Office
    code: str
    key: object
    printed_at: object = field(default_factory=timezone.now)

    @property
    def audit_object(self):
        return self.key


def recovery_sheet_context(sheet: RecoverySheet, language: str, request=None) -> dict:
    return {"office": sheet.office, "code": sheet.code, "key": sheet.key, "printed_on": sheet.printed_at}
