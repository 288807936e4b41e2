"""The tables the commission app made (commission_opening, …) taken over as they are, rows and
all; the next migration gives them this app's names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('appeals', '0007_case_facts'),
        ('commission', '0005_openings_move_out'),
        ('schools', '0003_school_time_zone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Book',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_seq', models.PositiveIntegerField(default=0, verbose_name='last record')),
                        ('head_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='head hash')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='school year from')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('school', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='opening_books', to='schools.school', verbose_name='school')),
                    ],
                    options={
                        'db_table': 'commission_book',
                        'verbose_name': 'box-opening journal',
                        'verbose_name_plural': 'box-opening journals',
                    },
                ),
                migrations.CreateModel(
                    name='Opening',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('planned_for', models.DateTimeField(blank=True, null=True, verbose_name='planned for')),
                        ('opened_at', models.DateTimeField(verbose_name='opened at')),
                        ('place', models.CharField(max_length=200, verbose_name='place')),
                        ('status', models.CharField(choices=[('draft', 'in progress'), ('done', 'recorded')], default='draft', max_length=10, verbose_name='status')),
                        ('step', models.CharField(choices=[('present', 'Who is present'), ('seal', 'The seal found'), ('count', 'Letters found'), ('letters', 'Letters'), ('close', 'New seal')], default='present', max_length=10, verbose_name='step')),
                        ('seal_found_number', models.CharField(blank=True, max_length=40, verbose_name='seal number found')),
                        ('seal_found_state', models.CharField(blank=True, choices=[('intact', 'intact'), ('broken', 'broken or tampered with'), ('missing', 'missing')], max_length=10, verbose_name='seal state')),
                        ('seal_expected_number', models.CharField(blank=True, max_length=40, verbose_name='seal number put on the box last time')),
                        ('incident_note', models.TextField(blank=True, verbose_name='what was seen')),
                        ('letters_found', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='letters found')),
                        ('new_seal_number', models.CharField(blank=True, max_length=40, verbose_name='new seal number')),
                        ('sealed_at', models.DateTimeField(blank=True, null=True, verbose_name='sealed at')),
                        ('act_number', models.PositiveIntegerField(blank=True, null=True, verbose_name='act number')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='started')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                        ('present', models.ManyToManyField(blank=True, related_name='openings', to='commission.member', verbose_name='present')),
                        ('school', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='openings', to='schools.school', verbose_name='school')),
                    ],
                    options={
                        'db_table': 'commission_opening',
                        'verbose_name': 'box opening',
                        'verbose_name_plural': 'box openings',
                        'ordering': ['-opened_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Letter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(verbose_name='letter')),
                        ('pages', models.PositiveSmallIntegerField(default=0, verbose_name='pages scanned')),
                        ('with_stub', models.BooleanField(default=False, verbose_name='carried a stub code')),
                        ('appeal', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='paper_letter', to='appeals.appeal', verbose_name='appeal')),
                        ('opening', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='openings.opening', verbose_name='opening')),
                    ],
                    options={
                        'db_table': 'commission_letter',
                        'verbose_name': 'letter',
                        'verbose_name_plural': 'letters',
                        'ordering': ['position'],
                    },
                ),
                migrations.CreateModel(
                    name='Entry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveIntegerField(verbose_name='record')),
                        ('at', models.DateTimeField(verbose_name='recorded')),
                        ('body', models.BinaryField(blank=True, null=True, verbose_name='chained bytes')),
                        ('prev_hash', models.CharField(max_length=64, verbose_name='previous hash')),
                        ('hash', models.CharField(max_length=64, verbose_name='hash')),
                        ('kind', models.CharField(choices=[('opening', 'box opening'), ('protocol', 'meeting protocol')], max_length=10, verbose_name='kind')),
                        ('fields', models.JSONField(default=dict, verbose_name='fields')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('book', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='openings.book', verbose_name='journal')),
                        ('meeting', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entry', to='commission.meeting', verbose_name='meeting')),
                        ('opening', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entry', to='openings.opening', verbose_name='opening')),
                    ],
                    options={
                        'db_table': 'commission_entry',
                        'verbose_name': 'box-opening journal entry',
                        'verbose_name_plural': 'box-opening journal entries',
                        'ordering': ['book', 'seq'],
                    },
                ),
                migrations.CreateModel(
                    name='Page',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sealed', models.BinaryField(verbose_name='file (sealed)')),
                        ('content_type', models.CharField(max_length=40, verbose_name='file type')),
                        ('size', models.PositiveIntegerField(verbose_name='size in bytes')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded')),
                        ('opening', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pages', to='openings.opening', verbose_name='opening')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                    ],
                    options={
                        'db_table': 'commission_page',
                        'verbose_name': 'page',
                        'verbose_name_plural': 'pages',
                        'ordering': ['pk'],
                    },
                ),
                migrations.CreateModel(
                    name='StubBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('count', models.PositiveSmallIntegerField(verbose_name='forms')),
                        ('size', models.CharField(choices=[('A4', 'A4, one form per sheet'), ('A5', 'A5, one form per half sheet')], default='A4', max_length=2, verbose_name='paper size')),
                        ('language', models.CharField(default='ky', max_length=5, verbose_name='language')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='printed')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='printed by')),
                        ('school', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stub_batches', to='schools.school', verbose_name='school')),
                    ],
                    options={
                        'db_table': 'commission_stubbatch',
                        'verbose_name': 'batch of paper forms',
                        'verbose_name_plural': 'batches of paper forms',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Stub',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='form in the batch')),
                        ('code_hash', models.CharField(max_length=64, unique=True, verbose_name='receipt code hash')),
                        ('writer_public_key', models.BinaryField(blank=True, null=True, verbose_name='writer public key')),
                        ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used')),
                        ('appeal', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stub', to='appeals.appeal', verbose_name='appeal')),
                        ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stubs', to='openings.stubbatch', verbose_name='batch')),
                    ],
                    options={
                        'db_table': 'commission_stub',
                        'verbose_name': 'receipt stub',
                        'verbose_name_plural': 'receipt stubs',
                    },
                ),
                migrations.AddConstraint(
                    model_name='book',
                    constraint=models.UniqueConstraint(fields=('school', 'year'), name='one_opening_book_per_year'),
                ),
                migrations.AddIndex(
                    model_name='opening',
                    index=models.Index(fields=['school', '-opened_at'], name='commission__school__925696_idx'),
                ),
                migrations.AddConstraint(
                    model_name='letter',
                    constraint=models.UniqueConstraint(fields=('opening', 'position'), name='one_letter_per_position'),
                ),
                migrations.AddConstraint(
                    model_name='entry',
                    constraint=models.UniqueConstraint(fields=('book', 'seq'), name='opening_entry_seq_unique'),
                ),
                migrations.AddConstraint(
                    model_name='stub',
                    constraint=models.UniqueConstraint(fields=('batch', 'position'), name='one_stub_per_form_position'),
                ),
            ],
        ),
    ]
