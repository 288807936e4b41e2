"""The box openings, the stubs and the opening book move to the `openings` app: only Django's
idea of the models moves here; their tables stay and `openings` takes them over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('commission', '0004_stub_form_number'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                    migrations.RemoveField(
                        model_name='entry',
                        name='book',
                    ),
                    migrations.RemoveField(
                        model_name='entry',
                        name='actor',
                    ),
                    migrations.RemoveField(
                        model_name='entry',
                        name='meeting',
                    ),
                    migrations.RemoveField(
                        model_name='entry',
                        name='opening',
                    ),
                    migrations.RemoveField(
                        model_name='letter',
                        name='appeal',
                    ),
                    migrations.RemoveField(
                        model_name='letter',
                        name='opening',
                    ),
                    migrations.RemoveField(
                        model_name='opening',
                        name='created_by',
                    ),
                    migrations.RemoveField(
                        model_name='opening',
                        name='present',
                    ),
                    migrations.RemoveField(
                        model_name='opening',
                        name='school',
                    ),
                    migrations.RemoveField(
                        model_name='page',
                        name='opening',
                    ),
                    migrations.RemoveField(
                        model_name='page',
                        name='uploaded_by',
                    ),
                    migrations.RemoveField(
                        model_name='stub',
                        name='appeal',
                    ),
                    migrations.RemoveField(
                        model_name='stub',
                        name='batch',
                    ),
                    migrations.RemoveField(
                        model_name='stubbatch',
                        name='created_by',
                    ),
                    migrations.RemoveField(
                        model_name='stubbatch',
                        name='school',
                    ),
                    migrations.DeleteModel(
                        name='Book',
                    ),
                    migrations.DeleteModel(
                        name='Entry',
                    ),
                    migrations.DeleteModel(
                        name='Letter',
                    ),
                    migrations.DeleteModel(
                        name='Opening',
                    ),
                    migrations.DeleteModel(
                        name='Page',
                    ),
                    migrations.DeleteModel(
                        name='Stub',
                    ),
                    migrations.DeleteModel(
                        name='StubBatch',
                    ),
            ],
        ),
    ]
