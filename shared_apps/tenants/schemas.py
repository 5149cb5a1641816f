"""Tenant schemas built in milliseconds, identical to what migrations produce.

Three kinds of schema besides tenants' own:

* the **template** (`_lectern_template`): built and kept current by running the tenant
  apps' migrations (`lectern migrate` does it first);
* **spare** schemas (`_spare_<hex>`): copies of the template waiting in a pool that Celery
  keeps topped up; provisioning claims one and renames it (constant time, whatever the
  number of migrations);
* a **copy** of the template made on the spot when the pool is empty.

A copy is made from the template's catalog: the DDL of every table, identity, constraint,
index and sequence is read once per migration state (the *fingerprint*) and replayed into the
new schema in one round trip, followed by the template's rows (migration records, content
types, permissions). `tests/shared_apps/tenants/test_schemas.py` compares the catalog of a
copy with that of a schema built by running the migrations.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.migration_executors.base import run_migrations
from django_tenants.utils import get_public_schema_name, quote_schema_name, schema_context

TEMPLATE_SCHEMA = "_lectern_template"
SPARE_PREFIX = "_spare_"


class TemplateMissing(RuntimeError):
    """The template schema has not been built: run `lectern migrate`."""


class TemplateNotCopyable(RuntimeError):
    """The template holds objects the copier does not reproduce (views, functions, ...)."""


def quote(name: str) -> str:
    return quote_schema_name(name)


# ------------------------------------------------------------------------------------------
# Migration state
@cache
def tenant_migration_fingerprint() -> str:
    """A hash of every migration a tenant schema receives, read from the code on disk."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    tenant_labels = {_app_label(app) for app in settings.TENANT_APPS}
    nodes = sorted(key for key in loader.graph.nodes if key[0] in tenant_labels)
    return hashlib.sha256(repr(nodes).encode()).hexdigest()


def _app_label(app_path: str) -> str:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name == app_path:
            return config.label
    return app_path.rsplit(".", 1)[-1]


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def migrate_schema(schema_name: str, *, verbosity: int = 0) -> None:
    """Create `schema_name` if needed and apply the tenant apps' migrations to it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema_name)}")
    run_migrations(
        args=[],
        options=_migrate_options(verbosity),
        executor_codename="lectern",
        schema_name=schema_name,
    )


def _migrate_options(verbosity: int) -> dict[str, Any]:
    """Every option Django's `migrate` expects, at its default."""
    from django.core.management.commands.migrate import Command as DjangoMigrateCommand

    parser = DjangoMigrateCommand().create_parser("lectern", "migrate")
    options = vars(parser.parse_args([]))
    options.update(verbosity=verbosity, interactive=False, database="default")
    return options


def template_fingerprint() -> str | None:
    """The fingerprint the template was last brought to, or None when it is missing."""
    from shared_apps.tenants.models import TemplateState

    state = TemplateState.objects.filter(schema_name=TEMPLATE_SCHEMA).first()
    if state is None or not schema_exists(TEMPLATE_SCHEMA):
        return None
    return state.fingerprint


def template_refresh(*, verbosity: int = 0) -> bool:
    """Bring the template to the current migrations. Returns True when it changed."""
    from shared_apps.tenants.models import TemplateState

    current = tenant_migration_fingerprint()
    if template_fingerprint() == current:
        return False
    migrate_schema(TEMPLATE_SCHEMA, verbosity=verbosity)
    connection.set_schema_to_public()
    TemplateState.objects.update_or_create(
        schema_name=TEMPLATE_SCHEMA, defaults={"fingerprint": current}
    )
    copy_script.cache_clear()
    return True


# ------------------------------------------------------------------------------------------
# Copying the template
#
# `CREATE TABLE ... (LIKE template.t INCLUDING ALL)` copies columns, defaults, identities,
# CHECK constraints, keys and indexes as stored expression trees. Re-creating them from their
# text instead (as pg_dump does) does not always give back the same trees: a partial index
# `WHERE status IN ('a', 'b')` comes back with different casts. LIKE names the keys and
# indexes it copies by its own rules, so a second step gives each its template name back.
# Foreign keys, which LIKE leaves out, are added from their definitions (those round-trip).


@dataclass(frozen=True)
class IndexShape:
    """An index as its definition reads without its name and schema."""

    table: str
    shape: str


@dataclass(frozen=True)
class TemplateIndex:
    shape: IndexShape
    name: str
    constraint: str | None  # the key or exclusion constraint it backs, if any


@dataclass
class CopyScript:
    """What recreates the template in another schema, read once per migration state."""

    fingerprint: str
    tables: list[str] = field(default_factory=list)
    sequence_options: list[str] = field(default_factory=list)
    indexes: list[TemplateIndex] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    data_tables: list[str] = field(default_factory=list)
    sequence_states: list[tuple[str, int, bool]] = field(default_factory=list)

    def create_statements(self, target_schema: str) -> list[str]:
        target = quote(target_schema)
        template = quote(TEMPLATE_SCHEMA)
        tables = [
            f"CREATE TABLE {target}.{quote(table)} (LIKE {template}.{quote(table)} INCLUDING ALL)"
            for table in self.tables
        ]
        return [f"CREATE SCHEMA {target}", *tables]

    def finish_statements(self, target_schema: str, renames: list[str]) -> list[str]:
        target = quote(target_schema)
        template = quote(TEMPLATE_SCHEMA)
        rows = [
            f"INSERT INTO {target}.{quote(table)} SELECT * FROM {template}.{quote(table)}"
            for table in self.data_tables
        ]
        sequences = [
            f"SELECT setval('{target}.{quote(name)}', {value}, {'true' if called else 'false'})"
            for name, value, called in self.sequence_states
        ]
        return [
            f"SET LOCAL search_path = {target}",
            *self.sequence_options,
            *renames,
            *self.foreign_keys,
            *rows,
            *sequences,
        ]


def _fetch(sql: str, params: list[Any] | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _check_copyable(namespace_oid: int) -> None:
    unsupported = _fetch(
        """
        SELECT 'relation ' || relname || ' (kind ' || relkind::text || ')' FROM pg_class
         WHERE relnamespace = %s AND relkind NOT IN ('r', 'i', 'S')
        UNION ALL
        SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = %s
        UNION ALL
        SELECT 'type ' || typname FROM pg_type
         WHERE typnamespace = %s AND typtype IN ('e', 'd', 'c') AND typrelid = 0
        UNION ALL
        SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = %s AND NOT t.tgisinternal
        UNION ALL
        SELECT 'sequence ' || s.relname || ' (not an identity column)' FROM pg_class s
         WHERE s.relnamespace = %s AND s.relkind = 'S'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i')
        """,
        [namespace_oid] * 5,
    )
    if unsupported:
        names = ", ".join(row[0] for row in unsupported)
        raise TemplateNotCopyable(f"the template holds objects the copier skips: {names}")


_INDEX_SHAPES_SQL = r"""
    SELECT t.relname, x.relname, k.conname,
           regexp_replace(pg_get_indexdef(i.indexrelid),
                          '^(CREATE (UNIQUE )?INDEX )\S+ ON \S+?\.', '\1 ON ')
      FROM pg_index i
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_class x ON x.oid = i.indexrelid
      LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                               AND k.contype IN ('p', 'u', 'x')
     WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)
     ORDER BY t.relname, x.oid
"""


def _index_shapes(schema_name: str) -> list[TemplateIndex]:
    return [
        TemplateIndex(shape=IndexShape(table, shape), name=name, constraint=constraint)
        for table, name, constraint, shape in _fetch(_INDEX_SHAPES_SQL, [schema_name])
    ]


@cache
def copy_script(fingerprint: str) -> CopyScript:
    """Read the template's catalog once per migration state."""
    script = CopyScript(fingerprint=fingerprint)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Unqualified names in the definitions below: they then apply to any schema.
            cursor.execute(f"SET LOCAL search_path = {quote(TEMPLATE_SCHEMA)}")
        found = _fetch("SELECT oid FROM pg_namespace WHERE nspname = %s", [TEMPLATE_SCHEMA])
        if not found:
            raise TemplateMissing("the template schema is missing; run `lectern migrate`")
        namespace = found[0][0]
        _check_copyable(namespace)

        script.tables = [
            row[0]
            for row in _fetch(
                "SELECT relname FROM pg_class WHERE relnamespace = %s AND relkind = 'r' "
                "ORDER BY relname",
                [namespace],
            )
        ]
        # LIKE makes every identity sequence a bigint one; give each the template's options.
        for name, typ, start, inc, low, high, cache_size, cycle in _fetch(
            """
            SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                   s.seqmin, s.seqmax, s.seqcache, s.seqcycle
              FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
             WHERE c.relnamespace = %s ORDER BY c.relname
            """,
            [namespace],
        ):
            script.sequence_options.append(
                f"ALTER SEQUENCE {quote(name)} AS {typ} START {start} INCREMENT {inc} "
                f"MINVALUE {low} MAXVALUE {high} CACHE {cache_size} "
                + ("CYCLE" if cycle else "NO CYCLE")
            )
        script.indexes = _index_shapes(TEMPLATE_SCHEMA)
        script.foreign_keys = [
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
            for table, name, definition in _fetch(
                """
                SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
                  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                 WHERE c.relnamespace = %s AND k.contype = 'f'
                 ORDER BY c.relname, k.conname
                """,
                [namespace],
            )
        ]
        for table in script.tables:
            if _fetch(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")[0][0]:
                script.data_tables.append(table)
        for (name,) in _fetch(
            "SELECT relname FROM pg_class WHERE relnamespace = %s AND relkind = 'S'", [namespace]
        ):
            value, called = _fetch(f"SELECT last_value, is_called FROM {quote(name)}")[0]
            script.sequence_states.append((name, value, called))
    return script


def _renames(template: list[TemplateIndex], copied: list[TemplateIndex]) -> list[str]:
    """Statements giving each copied key and index the name it has in the template.

    Everything is first moved aside to a temporary name, so that no new name can clash
    with a generated one not yet renamed."""
    waiting: dict[IndexShape, list[TemplateIndex]] = {}
    for index in copied:
        waiting.setdefault(index.shape, []).append(index)
    aside: list[str] = []
    final: list[str] = []
    for number, wanted in enumerate(template):
        candidates = waiting.get(wanted.shape)
        if not candidates:
            raise TemplateNotCopyable(f"no copy of index {wanted.name} on {wanted.shape.table}")
        made = candidates.pop(0)
        temporary = quote(f"_lectern_copy_{number}")
        table = quote(wanted.shape.table)
        if wanted.constraint:
            aside.append(f"ALTER TABLE {table} RENAME CONSTRAINT {quote(made.name)} TO {temporary}")
            final.append(
                f"ALTER TABLE {table} RENAME CONSTRAINT {temporary} TO {quote(wanted.constraint)}"
            )
        else:
            aside.append(f"ALTER INDEX {quote(made.name)} RENAME TO {temporary}")
            final.append(f"ALTER INDEX {temporary} RENAME TO {quote(wanted.name)}")
    return aside + final


def copy_template(target_schema: str) -> None:
    """Create `target_schema` as a copy of the template, inside the caller's transaction.

    Three round trips: create the tables, read the names LIKE gave their indexes, then
    rename them, add the foreign keys and copy the template's rows."""
    fingerprint = template_fingerprint()
    if fingerprint is None:
        raise TemplateMissing("the template schema is missing; run `lectern migrate`")
    script = copy_script(fingerprint)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(script.create_statements(target_schema)))
        renames = _renames(script.indexes, _index_shapes(target_schema))
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(script.finish_statements(target_schema, renames)))
    # The SET LOCAL above changed the search_path behind the backend's back.
    connection.search_path_set_schemas = None


def drop_schema(schema_name: str) -> None:
    if schema_name == get_public_schema_name():
        raise ValueError("refusing to drop the public schema")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema_name)} CASCADE")


def rename_schema(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {quote(old)} RENAME TO {quote(new)}")


# ------------------------------------------------------------------------------------------
# The spare pool
def spare_claim() -> str | None:
    """Take one current spare schema out of the pool (locked until the caller commits)."""
    from shared_apps.tenants.models import SpareSchema

    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=template_fingerprint() or "")
        .order_by("id")
        .first()
    )
    if spare is None:
        return None
    spare.delete()
    return spare.schema_name


def spare_schemas_top_up(*, target: int | None = None) -> int:
    """Drop spares of an old migration state and build new ones up to `target`."""
    from shared_apps.tenants.models import SpareSchema

    wanted = settings.TENANT_SPARE_SCHEMAS if target is None else target
    current = template_fingerprint()
    if current is None:
        return 0
    for stale in SpareSchema.objects.exclude(fingerprint=current):
        with transaction.atomic():
            drop_schema(stale.schema_name)
            stale.delete()
    built = 0
    while SpareSchema.objects.filter(fingerprint=current).count() < wanted:
        name = SPARE_PREFIX + secrets.token_hex(6)
        with transaction.atomic():
            copy_template(name)
            SpareSchema.objects.create(schema_name=name, fingerprint=current)
        built += 1
    return built


# ------------------------------------------------------------------------------------------
# Catalog snapshot, for comparing schemas
def catalog_snapshot(schema_name: str) -> dict[str, Any]:
    """Everything that defines a schema, with its own name left out, for comparisons."""
    namespace = _fetch("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema_name])[0][0]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL search_path = {quote(schema_name)}")
        snapshot = {
            "columns": _fetch(
                """
                SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                       a.attcollation::regcollation::text,
                       row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum)
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE c.relnamespace = %s AND c.relkind = 'r' AND a.attnum > 0
                   AND NOT a.attisdropped
                 ORDER BY 1, 2
                """,
                [namespace],
            ),
            "constraints": _fetch(
                """
                SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid),
                       k.condeferrable, k.condeferred
                  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                 WHERE c.relnamespace = %s ORDER BY 1, 2
                """,
                [namespace],
            ),
            "indexes": _fetch(
                """
                SELECT t.relname, x.relname,
                       replace(pg_get_indexdef(i.indexrelid), %s, ' ON '),
                       i.indisunique, i.indisprimary
                  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                  JOIN pg_class x ON x.oid = i.indexrelid
                 WHERE t.relnamespace = %s ORDER BY 1, 2
                """,
                [f" ON {_fetch('SELECT quote_ident(%s)', [schema_name])[0][0]}.", namespace],
            ),
            "sequences": _fetch(
                """
                SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                       s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                       (SELECT t.relname || '.' || a.attname || ':' || d.deptype::text
                          FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
                         WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
                  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
                 WHERE c.relnamespace = %s ORDER BY 1
                """,
                [namespace],
            ),
            "relations": _fetch(
                "SELECT relname, relkind, relpersistence FROM pg_class "
                "WHERE relnamespace = %s ORDER BY 1",
                [namespace],
            ),
        }
    with schema_context(schema_name):
        snapshot["migrations"] = sorted(
            MigrationRecorder.Migration.objects.values_list("app", "name")
        )
        snapshot["content_types"] = _fetch(
            "SELECT id, app_label, model FROM django_content_type ORDER BY id"
        )
        snapshot["permissions"] = _fetch(
            "SELECT id, content_type_id, codename, name FROM auth_permission ORDER BY id"
        )
        snapshot["sequence_values"] = [
            (name, *_fetch(f"SELECT last_value, is_called FROM {quote(name)}")[0])
            for name, *_rest in snapshot["sequences"]
        ]
    return snapshot
