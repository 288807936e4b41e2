"""A CaseKeyCopy is a member's copy only: the scope's copy is in the case key's row (0004)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vault", "0004_case_key_scope_copy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="casekeycopy", name="case_copy_one_holder"),
        migrations.RemoveConstraint(model_name="casekeycopy", name="one_case_copy_per_scope_key"),
        migrations.RemoveField(model_name="casekeycopy", name="scope_key"),
        migrations.AlterField(
            model_name="casekeycopy",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="case_key_copies",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterField(
            model_name="casekeycopy",
            name="user_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="vault.userkey", verbose_name="user key"
            ),
        ),
        migrations.AlterField(
            model_name="casekey",
            name="scope_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="case_keys",
                to="vault.vaultkey",
                verbose_name="scope key",
            ),
        ),
        migrations.AlterField(
            model_name="casekey",
            name="sealed_private",
            field=models.BinaryField(verbose_name="private key sealed to the scope's key"),
        ),
    ]
