"""The chained JSON columns of Entry are written as the chain writes its bytes
(`ishenim.chain.CanonicalEncoder`), so on SQLite a column holds the very text its `body` holds and
verify compares text (`ishenim.chain._written_sqlite`). The column type does not change (no table
is rebuilt); on SQLite the rows written before are rewritten canonically, each from its own value.
Reversing leaves them canonical: it is valid JSON with the same values, which the field reads as
before."""

from django.db import migrations, models

import ishenim.chain


class Migration(migrations.Migration):
    dependencies = [
        ("openings", "0002_tables_renamed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="fields",
                    field=models.JSONField(default=dict, encoder=ishenim.chain.CanonicalEncoder, verbose_name="fields"),
                ),
            ],
        ),
        migrations.RunPython(
            ishenim.chain.canonical_json_columns("openings", "entry", "fields"),
            migrations.RunPython.noop,
            elidable=True,
        ),
    ]
