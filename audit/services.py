from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from audit.models import AuditChain, AuditRecord
from ishenim.chain import GENESIS, link


def _chain_locked(scope: str) -> AuditChain:
    try:
        with transaction.atomic():
            AuditChain.objects.get_or_create(scope=scope)
    except IntegrityError:
        pass  # created by a concurrent writer
    return AuditChain.objects.select_for_update().get(scope=scope)


@transaction.atomic
def audit_record(
    *, action: str, scope: str = "platform", actor=None, obj: models.Model | None = None, detail: dict | None = None
) -> AuditRecord:
    """Append one record to the scope's chain (e.g. "school:12").

    `action` is a dotted code such as "ishenim.appeal.viewed"; `detail` holds
    ids and flags only, never appeal content or identity.
    """
    chain = _chain_locked(scope)
    record = AuditRecord(
        chain=chain,
        seq=chain.last_seq + 1,
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        prev_hash=chain.head_hash,
    )
    record.hash = link(record.prev_hash, record.chained_fields())
    record.save()
    chain.last_seq, chain.head_hash = record.seq, record.hash
    chain.save(update_fields=["last_seq", "head_hash"])
    return record


@dataclass
class ChainCheck:
    scope: str
    records: int
    ok: bool
    problem: str = ""


def audit_verify(scope: str) -> ChainCheck:
    """Walk one chain; report the first record that was edited, removed, inserted or moved."""
    chain = AuditChain.objects.get(scope=scope)
    prev, expected_seq = GENESIS, 1
    for record in chain.records.order_by("seq").iterator(chunk_size=2000):
        if record.seq != expected_seq:
            return ChainCheck(scope, expected_seq - 1, False, f"record {expected_seq} is missing or moved")
        if record.prev_hash != prev or link(prev, record.chained_fields()) != record.hash:
            return ChainCheck(scope, expected_seq - 1, False, f"record {record.seq} was altered")
        prev, expected_seq = record.hash, expected_seq + 1
    if expected_seq - 1 != chain.last_seq or prev != chain.head_hash:
        return ChainCheck(scope, expected_seq - 1, False, "the last records were removed")
    return ChainCheck(scope, expected_seq - 1, True)
