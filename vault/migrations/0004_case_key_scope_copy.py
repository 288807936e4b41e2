"""The scope's copy of a case key moves into the key's row (`CaseKey.scope_key`, `sealed_private`).

A new appeal then stores its key in one INSERT instead of two (issue 17: a submission's
statements). Every copy held by a scope key is moved, bytes unchanged: the same sealed
private half, sealed to the same key; the rows that held them are deleted. Member copies
(`CaseKeyCopy` with a user) stay where they are. The next migration drops the columns
only scope copies used.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_scope_copies(apps, schema_editor):
    CaseKey = apps.get_model("vault", "CaseKey")
    CaseKeyCopy = apps.get_model("vault", "CaseKeyCopy")
    VaultKey = apps.get_model("vault", "VaultKey")
    active = set(VaultKey.objects.filter(retired_at=None).values_list("id", flat=True))
    chosen: dict = {}
    for case_key_id, scope_key_id, sealed in CaseKeyCopy.objects.exclude(scope_key=None).values_list(
        "case_key_id", "scope_key_id", "sealed_private"
    ):
        # One copy per key in practice; were there two (sealed to a key and to its successor), the
        # active key's is kept: a retired key is opened through its successor anyway.
        if case_key_id not in chosen or scope_key_id in active:
            chosen[case_key_id] = (scope_key_id, bytes(sealed))
    keys = list(CaseKey.objects.filter(id__in=list(chosen)))
    for key in keys:
        key.scope_key_id, key.sealed_private = chosen[key.id]
    CaseKey.objects.bulk_update(keys, ["scope_key", "sealed_private"], batch_size=500)
    missing = CaseKey.objects.filter(scope_key=None).count()
    if missing:
        raise RuntimeError(f"{missing} case keys have no copy sealed to a scope key: nobody could open them")
    CaseKeyCopy.objects.exclude(scope_key=None).delete()


def move_back(apps, schema_editor):
    CaseKey = apps.get_model("vault", "CaseKey")
    CaseKeyCopy = apps.get_model("vault", "CaseKeyCopy")
    CaseKeyCopy.objects.bulk_create(
        (
            CaseKeyCopy(case_key_id=key_id, scope_key_id=scope_key_id, sealed_private=sealed)
            for key_id, scope_key_id, sealed in CaseKey.objects.values_list("id", "scope_key_id", "sealed_private")
        ),
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("vault", "0003_case_keys")]

    operations = [
        migrations.AddField(
            model_name="casekey",
            name="scope_key",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="case_keys",
                to="vault.vaultkey",
                verbose_name="scope key",
            ),
        ),
        migrations.AddField(
            model_name="casekey",
            name="sealed_private",
            field=models.BinaryField(null=True, verbose_name="private key sealed to the scope's key"),
        ),
        migrations.RunPython(move_scope_copies, move_back),
    ]
