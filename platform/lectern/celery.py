"""The Celery app. Every task runs in the schema of the tenant that queued it."""

from __future__ import annotations

import os

from celery import Celery, Task

from core.tenancy import TASK_SCHEMA_HEADER


def broker_url_from_redis_url(redis_url: str) -> str:
    """Kombu names a Redis unix socket `redis+socket://`; redis-py names it `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


class TenantTask(Task):
    """Carries `connection.schema_name` from the publisher to the worker in a message header.

    At run time the task switches the worker's connection to that schema (and tags log lines
    with it), then back to public, so one tenant's task never touches another's rows.
    """

    SCHEMA_HEADER = TASK_SCHEMA_HEADER

    def apply_async(
        self,
        args=None,
        kwargs=None,
        task_id=None,
        producer=None,
        link=None,
        link_error=None,
        shadow=None,
        **options,
    ):
        from django.db import connection

        headers = dict(options.pop("headers", None) or {})
        headers.setdefault(self.SCHEMA_HEADER, connection.schema_name)
        return super().apply_async(
            args, kwargs, task_id, producer, link, link_error, shadow, headers=headers, **options
        )

    def _schema_of_request(self) -> str | None:
        """A worker sees custom headers on the request itself; an eager run (tests) only
        in `request.headers`."""
        if not self.request:
            return None
        return self.request.get(self.SCHEMA_HEADER) or (self.request.headers or {}).get(
            self.SCHEMA_HEADER
        )

    def __call__(self, *args, **kwargs):
        from django.db import connection

        from core.request_context import bind_context

        schema_name = self._schema_of_request()
        if not schema_name:
            return super().__call__(*args, **kwargs)
        previous = connection.tenant
        connection.set_schema(schema_name)
        try:
            with bind_context(tenant=schema_name, request_id=self.request.id or "-"):
                return super().__call__(*args, **kwargs)
        finally:
            connection.set_tenant(previous)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.dev")

app = Celery("lectern", task_cls=TenantTask)
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_configure.connect
def _configure_broker(sender: Celery, **_: object) -> None:
    from django.conf import settings

    redis_url = settings.CELERY_BROKER_URL or settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    broker_url = broker_url_from_redis_url(redis_url)
    # Celery lets the CELERY_BROKER_URL variable win over `broker_url`; the read and write
    # URLs win over both, so a `unix://` URL from the environment is converted too.
    sender.conf.broker_url = broker_url
    sender.conf.broker_read_url = broker_url
    sender.conf.broker_write_url = broker_url
    sender.conf.result_backend = None


app.autodiscover_tasks()
