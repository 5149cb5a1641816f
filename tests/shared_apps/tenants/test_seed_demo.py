"""The demo that `bin/run` shows: created once, with real content, safe to run again."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.assessments.models import Question
from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.people.models import User


def test_demo_is_created_once_with_content(db, django_capture_on_commit_callbacks):
    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=output)
        call_command("seed_demo", stdout=StringIO())
    connection.set_schema_to_public()
    assert Tenant.objects.filter(slug="demo").count() == 1
    assert "http://demo.localhost/" in output.getvalue()
    assert "learner@demo.example.com / demo-learner-pass" in output.getvalue()
    with schema_context("t_demo"):
        assert User.objects.count() == 6
        assert sorted(Course.objects.values_list("title", "status")) == [
            ("Data Analysis with Spreadsheets", "published"),
            ("Giving Effective Feedback", "published"),
            ("Security Awareness Essentials", "published"),
            ("Writing Clear E-mails", "published"),
        ]
        assert Question.objects.count() == 6
        lena = User.objects.get(email="learner@demo.example.com")
        assert sorted(Enrollment.objects.filter(user=lena).values_list("status", flat=True)) == [
            "active",
            "completed",
            "pending",
        ]
        assert lena.check_password("demo-learner-pass")

    client = Client(HTTP_HOST="demo.localhost")
    response = client.post(
        "/api/v1/auth/login",
        {"email": "learner@demo.example.com", "password": "demo-learner-pass"},
        content_type="application/json",
    )
    assert response.status_code == 200

    # The demo learner's pages show real content: where to continue, a course in progress,
    # a completed one with its certificate, a paid one waiting for an admin.
    pages = Client(HTTP_HOST="demo.localhost")
    with schema_context("t_demo"):
        pages.force_login(lena)
        feedback = Course.objects.get(title="Giving Effective Feedback")
        paid = Course.objects.get(title="Data Analysis with Spreadsheets")
    home = pages.get("/").content.decode()
    assert "Reporting an incident" in home and "Security Awareness Essentials" in home
    assert "Download the certificate" in pages.get(f"/courses/{feedback.pk}/").content.decode()
    assert (
        "Paying online is not available yet" in pages.get(f"/courses/{paid.pk}/").content.decode()
    )

    # The instructor has an essay to grade; the operator sees more than one portal; people
    # may register on the demo portal.
    with schema_context("t_demo"):
        instructor = User.objects.get(email="instructor@demo.example.com")
        pages.force_login(instructor)
    assert "Could you send me the quarterly report" in pages.get("/teach/grading/").content.decode()
    # Two learners bought the paid course (49.00 EUR), one got 9.80 EUR back: the admin
    # dashboard shows the revenue overview.
    with schema_context("t_demo"):
        pages.force_login(User.objects.get(email="admin@demo.example.com"))
    dashboard = pages.get("/manage/").content.decode()
    assert "Course revenue, last 30 days" in dashboard
    assert (
        '<th scope="row">EUR</th><td>2</td><td>€98.00</td><td>€9.80</td>'
        "<td><strong>€88.20</strong></td>"
    ) in dashboard
    assert "Partially refunded" in pages.get("/manage/payments/").content.decode()
    seeded = ("demo", "northwind", "globex", "initech")
    statuses = dict(Tenant.objects.filter(slug__in=seeded).values_list("slug", "status"))
    assert statuses == {
        "demo": "active",
        "northwind": "active",
        "globex": "suspended",
        "initech": "archived",
    }
    assert Client(HTTP_HOST="demo.localhost").get("/accounts/register/").status_code == 200
