"""Receipt codes on the paper forms' tear-off stubs: made in batches, kept only as hashes, used once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appeals.models import Appeal
from appeals.receipts import receipt_code_new, receipt_hash
from audit.services import audit_record
from commission.models import (
    Stub,
    StubBatch,
)
from schools.models import School

STUB_BATCH_MAX = 200


@transaction.atomic
def stub_batch_create(*, school: School, count: int, size: str, language: str, actor) -> tuple[StubBatch, list[str]]:
    """New receipt codes for printed forms. Only their keyed hashes are stored: the codes exist
    in clear only in the PDF made now."""
    if not 1 <= count <= STUB_BATCH_MAX:
        raise ValidationError(_("Print between 1 and %(max)d forms at a time.") % {"max": STUB_BATCH_MAX})
    batch = StubBatch.objects.create(school=school, count=count, size=size, language=language, created_by=actor)
    codes = [receipt_code_new() for _i in range(count)]
    Stub.objects.bulk_create(Stub(batch=batch, code_hash=receipt_hash(code)) for code in codes)
    audit_record(
        action="ishenim.commission.stubs_printed",
        scope=school.vault_scope,
        actor=actor,
        obj=batch,
        detail={"count": count, "size": size, "language": language},
    )
    return batch, codes


def stub_find(school: School, code: str) -> Stub:
    """The unused stub of this school whose code was typed, or a clear error."""
    hashed = receipt_hash(code)
    stub = (
        Stub.objects.select_for_update(of=("self",)).select_related("batch", "appeal").filter(code_hash=hashed).first()
    )
    if stub is None or stub.batch.school_id != school.pk:
        raise ValidationError(
            _("This receipt code was not printed on this school's forms. Check the letters and digits on the stub."),
            code="unknown",
        )
    if stub.used_at is not None:
        raise ValidationError(
            _("This receipt code was already used for the letter registered under №%(number)s.")
            % {"number": stub.appeal.journal_number if stub.appeal else "—"},
            code="used",
        )
    if Appeal.objects.filter(receipt_hash=hashed).exists():
        raise ValidationError(_("This receipt code already belongs to another appeal."), code="used")
    return stub
