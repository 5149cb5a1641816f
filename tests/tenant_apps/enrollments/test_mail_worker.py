"""The assignment e-mail sent by a real Celery worker, in the schema of the tenant that queued
it."""

from __future__ import annotations

import email
import time
from datetime import UTC, datetime
from email.policy import default

import pytest
from django_tenants.utils import schema_context

from lectern.celery import app
from tenant_apps.enrollments import services
from tenant_apps.enrollments.tasks import enrollment_assignment_send
from tenant_apps.people.models import Role
from tests.tenant_apps.enrollments.concurrency import committed  # noqa: F401 (fixture)


@pytest.mark.celery_worker
def test_worker_sends_the_assignment_with_the_tenants_name(
    committed,  # noqa: F811
    worker,
):
    queue, mail_dir = worker
    admin = committed.person(Role.ADMIN)
    learner = committed.person(email="worker-learner@example.com", full_name="Wanda Worker")
    course = committed.course(owner=admin, title="Forklift Safety")
    with schema_context(committed.schema):
        enrollment = services.enrollment_assign(
            user=learner,
            course=course,
            actor=admin,
            due_at=datetime(2031, 1, 15, 9, 30, tzinfo=UTC),
        )
        # The service's own e-mail ran in-process (tasks are eager in tests); now publish
        # the same task to the worker's queue for real.
        app.conf.task_always_eager = False
        try:
            enrollment_assignment_send.apply_async((enrollment.pk,), queue=queue)
        finally:
            app.conf.task_always_eager = True

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(mail_dir.glob("*.log")):
        time.sleep(0.2)
    messages = [p.read_text() for p in mail_dir.glob("*.log")]

    assert len(messages) == 1
    message = email.message_from_string(messages[0].split("\n" + "-" * 79)[0], policy=default)
    assert message["To"] == "worker-learner@example.com"
    assert message["Subject"] == (
        "Alpha Learning assigned you Forklift Safety, due 15 January 2031, 09:30 UTC"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Please complete it by 15 January 2031, 09:30 UTC." in text
    assert "http://alpha.localhost:8000/" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Forklift Safety</strong>" in html
