from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_chain_existing_entries")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="sequence"),
        ),
    ]
