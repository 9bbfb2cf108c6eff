"""Number and hash the entries written before the chain existed, in the order they were written (id), so
that an existing database verifies from its first entry."""

from django.db import migrations

from onewindow.core.chain import entry_hash

GENESIS_HASH = "0" * 64
BATCH = 2000


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    sequence, prev_hash = 0, GENESIS_HASH
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            break
        for entry in batch:
            sequence += 1
            entry.sequence, entry.prev_hash = sequence, prev_hash
            prev_hash = entry.entry_hash = entry_hash(
                sequence=sequence,
                prev_hash=entry.prev_hash,
                created_at=entry.created_at,
                actor_id=entry.actor_id,
                actor_name=entry.actor_name,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                object_repr=entry.object_repr,
                changes=entry.changes,
                source_ip=entry.source_ip,
                region_path=entry.region_path,
            )
        AuditEntry.objects.bulk_update(batch, ["sequence", "prev_hash", "entry_hash"])
        last_id = batch[-1].id
    AuditChainHead.objects.update_or_create(pk=1, defaults={"sequence": sequence, "entry_hash": prev_hash})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_hash_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
