"""Database-level guards shared by migrations of every app."""

from django.db import migrations


def append_only(table: str) -> migrations.RunPython:
    """A migration operation making PostgreSQL refuse UPDATE and DELETE on `table`.

    TRUNCATE stays possible (test database flushes); other databases get no trigger.
    """
    function = f"{table}_append_only"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION USING
                    MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
                    ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {function}_guard BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {function}();
        """)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {function}_guard ON {table};"
                              f"DROP FUNCTION IF EXISTS {function}();")

    return migrations.RunPython(forwards, backwards)
