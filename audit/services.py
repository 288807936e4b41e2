from django.db import models, transaction

from audit.models import AuditChain, AuditRecord
from ishenim.chain import ChainCheck, chain_append, chain_verify, head_locked


@transaction.atomic(savepoint=False)  # a failure aborts the caller's transaction: no savepoint to pay
def audit_record(
    *, action: str, scope: str = "platform", actor=None, obj: models.Model | None = None, detail: dict | None = None
) -> AuditRecord:
    """Append one record to the scope's chain (e.g. "school:12").

    `action` is a dotted code such as "ishenim.appeal.viewed"; `detail` holds
    ids and flags only, never appeal content or identity.
    """
    chain = head_locked(AuditChain, scope=scope)
    record = AuditRecord(
        chain=chain,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )
    return chain_append(chain, record)


def audit_verify(scope: str) -> ChainCheck:
    """Walk one scope's chain (`ishenim.chain.chain_verify`)."""
    return chain_verify(AuditChain.objects.get(scope=scope))
