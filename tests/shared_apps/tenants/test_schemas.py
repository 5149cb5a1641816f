"""Fast schemas are exactly what the migrations produce."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from shared_apps.tenants import schemas
from shared_apps.tenants.models import SpareSchema
from shared_apps.tenants.services import tenant_create
from tenant_apps.people.models import User


@pytest.fixture
def migrated_schema(db) -> str:
    """A schema built the slow way: every tenant migration applied in order."""
    schemas.migrate_schema("check_migrated")
    connection.set_schema_to_public()
    return "check_migrated"


def test_copy_of_template_has_the_catalog_of_a_migrated_schema(migrated_schema):
    with transaction.atomic():
        schemas.copy_template("check_copied")
    expected = schemas.catalog_snapshot(migrated_schema)
    copied = schemas.catalog_snapshot("check_copied")
    assert expected["relations"]  # the comparison covers real tables
    assert expected["migrations"]
    for part in expected:
        assert copied[part] == expected[part], part


def test_provisioned_tenant_from_spare_matches_migrated_schema(migrated_schema):
    built = schemas.spare_schemas_top_up(target=1)
    assert built == 1
    spare_name = SpareSchema.objects.get().schema_name

    tenant = tenant_create(
        slug="from-spare", name="From Spare", admin_email="a@spare.example"
    ).tenant

    assert not SpareSchema.objects.exists()
    assert not schemas.schema_exists(spare_name)  # renamed, not copied
    expected = schemas.catalog_snapshot(migrated_schema)
    provisioned = schemas.catalog_snapshot(tenant.schema_name)
    expected.pop("sequence_values")
    values = provisioned.pop("sequence_values")
    assert provisioned == expected
    # The only difference: the admin user row the provisioning added.
    assert ("people_user_id_seq", 1, True) in values


def test_copied_schema_accepts_rows_with_fresh_ids(db):
    with transaction.atomic():
        schemas.copy_template("check_rows")
    with schema_context("check_rows"):
        first = User.objects.create(email="one@example.com")
        second = User.objects.create(email="two@example.com")
    assert second.pk == first.pk + 1


def test_stale_spares_are_dropped_when_migrations_change(db):
    SpareSchema.objects.create(schema_name="_spare_oldstate", fingerprint="an-older-state")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "_spare_oldstate"')
    schemas.spare_schemas_top_up(target=0)
    assert not SpareSchema.objects.filter(schema_name="_spare_oldstate").exists()
    assert not schemas.schema_exists("_spare_oldstate")


def test_spare_of_another_migration_state_is_never_claimed(db):
    SpareSchema.objects.create(schema_name="_spare_elsewhere", fingerprint="an-older-state")
    with transaction.atomic():
        assert schemas.spare_claim() is None
    assert SpareSchema.objects.filter(schema_name="_spare_elsewhere").exists()


def test_template_with_an_uncopyable_object_is_refused(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIEW {schemas.quote(schemas.TEMPLATE_SCHEMA)}.odd AS SELECT 1")
    schemas.copy_script.cache_clear()
    try:
        with pytest.raises(schemas.TemplateNotCopyable, match="relation odd"):
            schemas.copy_script(schemas.template_fingerprint())
    finally:
        schemas.copy_script.cache_clear()
