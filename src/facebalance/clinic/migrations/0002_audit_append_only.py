"""Database triggers that refuse UPDATE and DELETE on the audit log, below the ORM.

The model already refuses both; the triggers stop raw SQL and other clients too. Someone with the
database owner's rights can still drop a trigger, which is why the rows are also hash-chained.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS clinic_auditevent_no_update BEFORE UPDATE ON clinic_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS clinic_auditevent_no_delete BEFORE DELETE ON clinic_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION clinic_auditevent_refuse() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent",
    "CREATE TRIGGER clinic_auditevent_append_only BEFORE UPDATE OR DELETE ON clinic_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION clinic_auditevent_refuse()",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_update",
    "DROP TRIGGER IF EXISTS clinic_auditevent_no_delete",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent",
    "DROP FUNCTION IF EXISTS clinic_auditevent_refuse()",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = (("clinic", "0001_initial"),)
    operations = (
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}), _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})
        ),
    )
