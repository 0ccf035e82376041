"""Database-level operations shared by migrations of every app: guards and model moves."""

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


def content_types_move(*, models: tuple[str, ...], source: str, target: str) -> migrations.RunPython:
    """A migration operation renaming the content types of models that moved from app `source` to
    app `target` (their tables unchanged), so permissions, admin history and generic relations that
    point at them come along. A content type the target already has is left as it is."""

    def rename(apps, old: str, new: str) -> None:
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=new, model=model).exists():
                ContentType.objects.filter(app_label=old, model=model).update(app_label=new)

    return migrations.RunPython(lambda apps, editor: rename(apps, source, target),
                                lambda apps, editor: rename(apps, target, source))
