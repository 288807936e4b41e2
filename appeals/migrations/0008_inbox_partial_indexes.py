from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0007_case_facts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("urgent", True)), fields=["school", "-received_at"], name="appeal_urgent_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("read_at", None), ("side", "writer")),
                fields=["appeal"],
                name="message_unread_writer",
            ),
        ),
    ]
