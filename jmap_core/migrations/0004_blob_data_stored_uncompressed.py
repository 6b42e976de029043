"""Blob bytes stored out of line without PostgreSQL's compression: the default blob store
("postgres-lz4") compresses them with LZ4 in the server process, and PostgreSQL would only try
again, in vain, with pglz. Rows of the plain "postgres" store written from now on are stored
as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("jmap_core", "0003_drop_redundant_indexes")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE jmap_core_blobcontent ALTER COLUMN data SET STORAGE EXTERNAL",
            "ALTER TABLE jmap_core_blobcontent ALTER COLUMN data SET STORAGE EXTENDED",
        )
    ]
