"""The tables taken over from the commission app get this app's names; the content types of the
moved models follow them (the admin's history and permissions keep pointing at the same rows)."""

from django.db import migrations

MOVED = ["book", "entry", "letter", "opening", "page", "stub", "stubbatch"]


def _content_types_follow(apps, schema_editor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="openings").values_list("model", flat=True))
    ContentType.objects.filter(app_label="commission", model__in=set(MOVED) - taken).update(app_label="openings")


def _content_types_back(apps, schema_editor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="commission").values_list("model", flat=True))
    ContentType.objects.filter(app_label="openings", model__in=set(MOVED) - taken).update(app_label="commission")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('openings', '0001_initial'),
    ]

    operations = [
        migrations.RenameIndex(
            model_name='opening',
            new_name='openings_op_school__1d945d_idx',
            old_name='commission__school__925696_idx',
        ),
        migrations.AlterModelTable(
            name='book',
            table=None,
        ),
        migrations.AlterModelTable(
            name='entry',
            table=None,
        ),
        migrations.AlterModelTable(
            name='letter',
            table=None,
        ),
        migrations.AlterModelTable(
            name='opening',
            table=None,
        ),
        migrations.AlterModelTable(
            name='page',
            table=None,
        ),
        migrations.AlterModelTable(
            name='stub',
            table=None,
        ),
        migrations.AlterModelTable(
            name='stubbatch',
            table=None,
        ),
        migrations.RunPython(_content_types_follow, _content_types_back),
    ]
