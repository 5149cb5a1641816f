"""Certificates of people without a name used to print the part of their e-mail address
before the @, on a public page. They now say "a learner of <tenant>"."""

from django.db import migrations


def rename_nameless_learners(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    nameless = [
        certificate
        for certificate in Certificate.objects.select_related("user").filter(
            user__full_name__regex=r"^\s*$"
        )
        if certificate.learner_name == certificate.user.email.split("@", 1)[0]
    ]
    if not nameless:
        return
    # The tenant's name lives in the public schema (only read here, once).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM public.tenants_tenant WHERE schema_name = %s",
            [schema_editor.connection.schema_name],
        )
        row = cursor.fetchone()
    name = f"a learner of {row[0]}" if row else "a learner"
    Certificate.objects.filter(pk__in=[c.pk for c in nameless]).update(learner_name=name[:200])


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [
        migrations.RunPython(rename_nameless_learners, migrations.RunPython.noop, elidable=True)
    ]
