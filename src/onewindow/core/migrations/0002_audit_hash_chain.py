import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ACTIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("delete", "Delete"),
    ("transition", "Stage change"),
    ("login", "Login"),
    ("login_failed", "Failed login"),
    ("lockout", "Lockout"),
    ("logout", "Logout"),
    ("permission_denied", "Refused"),
    ("export", "Export"),
    ("prune", "Prune"),
]
GENESIS_HASH = "0" * 64


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_audit_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nullable first: 0003 numbers and hashes the existing rows, 0004 then requires it.
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=32, verbose_name="action"),
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.BigIntegerField(default=0, verbose_name="last sequence")),
                (
                    "entry_hash",
                    models.CharField(default=GENESIS_HASH, max_length=64, verbose_name="last hash"),
                ),
                ("first_sequence", models.BigIntegerField(default=1, verbose_name="first sequence")),
                (
                    "first_prev_hash",
                    models.CharField(default=GENESIS_HASH, max_length=64, verbose_name="first previous hash"),
                ),
            ],
            options={
                "verbose_name": "audit chain",
                "verbose_name_plural": "audit chain",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_chain_single_head")
                ],
            },
        ),
    ]
