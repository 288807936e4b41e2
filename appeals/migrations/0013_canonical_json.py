"""The chained JSON columns of StoredLink are written as the chain writes its bytes
(`ishenim.chain.CanonicalEncoder`), so on SQLite a column holds the very text its `body` holds and
verify compares text (`ishenim.chain._written_sqlite`). The column type does not change (no table
is rebuilt); on SQLite the rows written before are rewritten canonically, each from its own value.
Reversing leaves them canonical: it is valid JSON with the same values, which the field reads as
before."""

from django.db import migrations, models

import ishenim.chain


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0012_inbox_pinned_and_status_count"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="storedlink",
                    name="changed",
                    field=models.JSONField(
                        blank=True, default=list, encoder=ishenim.chain.CanonicalEncoder, verbose_name="columns changed"
                    ),
                ),
                migrations.AlterField(
                    model_name="storedlink",
                    name="columns",
                    field=models.JSONField(
                        default=dict, encoder=ishenim.chain.CanonicalEncoder, verbose_name="columns as stored"
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            ishenim.chain.canonical_json_columns("appeals", "storedlink", "changed", "columns"),
            migrations.RunPython.noop,
            elidable=True,
        ),
    ]
