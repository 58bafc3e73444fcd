# The content types of provider reporting's models follow them from measures to returns. Change history
# (django-auditlog's entries) and model permissions point at a content type by id: renaming the rows keeps every
# entry and permission attached to its model, where creating new rows would leave the history behind. A new database
# has no such rows yet (Django creates content types after migrating), so there is nothing to move.

from django.db import migrations

MODELS = ["dataset", "datasetindicator", "datasetprovider", "providerreturn", "returnvalue", "returnevent"]


def _move(apps, *, db: str, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        moving = content_type.objects.using(db).filter(app_label=source, model=model).first()
        if moving is None:
            continue
        if content_type.objects.using(db).filter(app_label=target, model=model).exists():
            # Two rows would each hold part of the history; which is right is for a person to decide, not a guess.
            raise RuntimeError(
                f"Both content types {source}.{model} and {target}.{model} exist, so the change history of {model} cannot "
                f"be moved to {target} without choosing between them. Repoint the rows that refer to {target}.{model} "
                f"(auditlog_logentry.content_type_id, auth_permission.content_type_id) to {source}.{model}, delete "
                f"{target}.{model}, and migrate again.")
        moving.app_label = target
        moving.save(update_fields=["app_label"], using=db)
    content_type.objects.clear_cache()


def forwards(apps, schema_editor):
    _move(apps, db=schema_editor.connection.alias, source="measures", target="returns")


def backwards(apps, schema_editor):
    _move(apps, db=schema_editor.connection.alias, source="returns", target="measures")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('returns', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=True),  # rows only: nothing to do on a new database
    ]
