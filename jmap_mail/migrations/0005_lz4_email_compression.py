"""The parsed-structure cache, header summary and search vector of each Email compressed with lz4
rather than pglz: cheaper to write at ingest, as fast to read. Kept as pglz where the server
lacks lz4 (built without it, or older than PostgreSQL 14)."""

from django.db import migrations

COLUMNS = ("parsed", "summary", "search")


def _set(method: str) -> str:
    statements = "\n".join(
        f"  ALTER TABLE jmap_mail_email ALTER COLUMN {column} SET COMPRESSION {method};"
        for column in COLUMNS
    )
    return f"DO $$ BEGIN\n{statements}\nEXCEPTION WHEN others THEN NULL;\nEND $$;"


class Migration(migrations.Migration):
    dependencies = [("jmap_mail", "0004_mailbox_counts")]

    operations = [migrations.RunSQL(_set("lz4"), _set("pglz"))]
