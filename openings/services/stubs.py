"""Receipt codes on the paper forms' tear-off stubs: made in batches, kept only as hashes, used once.

The part of the form that goes into the box carries only its form number ("12-07-3": batch,
position, check digit), which opens nothing; the tear-off stub the writer keeps carries the code.
At registration the commission types the form number and the letter gets the stub's code hash
and the writer's public key (both made when the forms were printed), never the code itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appeals.followup import writer_public_key
from appeals.models import Appeal
from appeals.receipts import receipt_code_new, receipt_hash
from audit.services import audit_record
from openings.models import (
    Stub,
    StubBatch,
)
from schools.models import School

STUB_BATCH_MAX = 200
FORM_NUMBER = re.compile(r"^\s*(\d{1,7})\s*[-–/. ]\s*(\d{1,3})\s*[-–/. ]\s*(\d)\s*$")


@dataclass(frozen=True)
class PrintedForm:
    number: str  # on the form that goes into the box
    code: str  # on the stub the writer keeps


def form_number(batch_id: int, position: int) -> str:
    """ "12-07-3": batch 12, form 7, and a check digit that catches a mistyped or swapped digit."""
    digits = f"{batch_id}{position:02d}"
    check = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits))) % 10
    return f"{batch_id}-{position:02d}-{check}"


@transaction.atomic
def stub_batch_create(
    *, school: School, count: int, size: str, language: str, actor
) -> tuple[StubBatch, list[PrintedForm]]:
    """New receipt codes for printed forms. Only their keyed hashes (and the writer's public key
    made from each) are stored: the codes exist in clear only in the PDF made now."""
    if not 1 <= count <= STUB_BATCH_MAX:
        raise ValidationError(_("Print between 1 and %(max)d forms at a time.") % {"max": STUB_BATCH_MAX})
    batch = StubBatch.objects.create(school=school, count=count, size=size, language=language, created_by=actor)
    codes = [receipt_code_new() for _i in range(count)]
    Stub.objects.bulk_create(
        Stub(batch=batch, position=n, code_hash=receipt_hash(code), writer_public_key=writer_public_key(code))
        for n, code in enumerate(codes, start=1)
    )
    audit_record(
        action="ishenim.openings.stubs_printed",
        scope=school.vault_scope,
        actor=actor,
        obj=batch,
        detail={"count": count, "size": size, "language": language},
    )
    return batch, [PrintedForm(form_number(batch.pk, n), code) for n, code in enumerate(codes, start=1)]


def stub_find(school: School, typed: str) -> Stub:
    """The unused stub of this school whose form number was typed, or a clear error.

    A receipt code is still taken for forms printed before forms had numbers.
    """
    stubs = Stub.objects.select_for_update(of=("self",)).select_related("batch", "appeal")
    match = FORM_NUMBER.match(typed)
    if match:
        batch_id, position = int(match[1]), int(match[2])
        if form_number(batch_id, position)[-1] != match[3]:
            raise ValidationError(_("This form number is not right: check its digits on the letter."), code="unknown")
        stub = stubs.filter(batch_id=batch_id, position=position).first()
    else:
        stub = stubs.filter(code_hash=receipt_hash(typed), position__isnull=True).first()
    if stub is None or stub.batch.school_id != school.pk:
        raise ValidationError(
            _("This form number was not printed on this school's forms. Check the digits on the letter."),
            code="unknown",
        )
    if stub.used_at is not None:
        raise ValidationError(
            _("This form was already used for the letter registered under №%(number)s.")
            % {"number": stub.appeal.journal_number if stub.appeal else "—"},
            code="used",
        )
    if Appeal.objects.filter(receipt_hash=stub.code_hash).exists():
        raise ValidationError(_("This form's receipt code already belongs to another appeal."), code="used")
    return stub
