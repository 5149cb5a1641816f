"""The operator console on the public host: who may open it, the tenants list, creating a
tenant, the tenant page with its lifecycle and domains, platform metrics."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.tenants import selectors
from shared_apps.tenants.models import Domain, Tenant, TenantStatus
from tenant_apps.people.models import Role, User
from tests.builders import course_build
from tests.shared_apps.conftest import provisioning_rows

PAGES = [
    "/tenants/",
    "/tenants/new/",
    "/tenants/alpha/",
    "/tenants/alpha/delete/",
    "/metrics/",
]
ACTIONS = [
    "/tenants/alpha/suspend/",
    "/tenants/alpha/archive/",
    "/tenants/alpha/delete/",
    "/tenants/alpha/domains/",
]


@pytest.fixture
def ops(console, operator):
    return console(operator.user)


@pytest.fixture
def public_person(db):
    """A user of the public schema who is not an operator."""
    connection.set_schema_to_public()
    person = get_user_model()(email="someone@lectern.example.com", is_staff=False)
    person.set_password("someone-pass-123")
    person.save()
    return person


def tenant_rows(count: int) -> list[Tenant]:
    """Tenants as rows only (no schema): enough for lists and metrics to page through."""
    made = []
    for n in range(count):
        slug = f"bulk-{n:03d}"
        tenant = Tenant.objects.create(
            slug=slug,
            name=f"Bulk {n:03d}",
            schema_name=f"t_bulk_{n:03d}",
            status=TenantStatus.ACTIVE,
            contact_email=f"admin@{slug}.example.com",
        )
        Domain.objects.create(domain=f"{slug}.localhost", tenant=tenant, is_primary=True)
        made.append(tenant)
    return made


# ------------------------------------------------------------------------------------------
# Who may open the console
@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(console, tenant_a, path):
    response = console().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_a_public_user_who_is_no_operator_gets_403(console, public_person, tenant_a, path):
    response = console(public_person).get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ACTIONS)
def test_a_non_operator_posting_changes_nothing(console, public_person, tenant_a, path):
    before = provisioning_rows()
    response = console(public_person).post(
        path, {"confirm_slug": "alpha", "domain": "learn.example.org"}
    )
    assert response.status_code == 403
    assert provisioning_rows() == before


@pytest.mark.parametrize("path", [*PAGES, "/accounts/login/"])
def test_a_tenants_people_cannot_reach_the_console(portal, make_person, tenant_a, path):
    admin = make_person(role=Role.ADMIN)
    response = portal(admin).get(path)
    # On a tenant's host the console's addresses do not exist; its sign-in page is the
    # tenant's own.
    assert response.status_code == (200 if path == "/accounts/login/" else 404)
    assert b"Lectern operator console" not in response.content


def test_a_tenants_person_cannot_sign_in_to_the_console(console, make_person, tenant_a):
    person = make_person(role=Role.ADMIN, email="boss@alpha.example.com")
    assert person.pk
    response = console().post(
        "/accounts/login/", {"username": "boss@alpha.example.com", "password": "x" * 12}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_operator_signs_in_and_out(console, operator, tenant_a):
    client = console()
    page = client.get("/accounts/login/?next=/metrics/")
    assert page.status_code == 200
    assert b"Lectern operator console" in page.content
    assert b'for="id_username"' in page.content
    signed_in = client.post(
        "/accounts/login/",
        {
            "username": "ops@lectern.example.com",
            "password": "operator-pass-123",
            "next": "/metrics/",
        },
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/metrics/"
    assert client.get("/tenants/").status_code == 200
    signed_out = client.post("/accounts/logout/")
    assert signed_out.status_code == 302
    assert signed_out["Location"] == "/accounts/login/"
    assert client.get("/tenants/").status_code == 302


def test_wrong_password_and_non_operators_are_refused_alike(console, operator, public_person):
    client = console()
    wrong = client.post(
        "/accounts/login/", {"username": "ops@lectern.example.com", "password": "nope-nope"}
    )
    not_operator = client.post(
        "/accounts/login/",
        {"username": "someone@lectern.example.com", "password": "someone-pass-123"},
    )
    for response in (wrong, not_operator):
        assert response.status_code == 200
        assert b"error-summary" in response.content
        assert b"Please enter a correct" in response.content
        # What was typed stays, the password does not.
        assert b'value="nope-nope"' not in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_is_throttled_per_account_and_address(console, operator):
    from shared_apps.operators.services import SIGN_IN_FAILURES_ALLOWED

    client = console()
    for _attempt in range(SIGN_IN_FAILURES_ALLOWED):
        wrong = client.post(
            "/accounts/login/", {"username": "ops@lectern.example.com", "password": "guess"}
        )
        assert b"Please enter a correct" in wrong.content
    # Now even the right password waits.
    right = client.post(
        "/accounts/login/",
        {"username": "ops@lectern.example.com", "password": "operator-pass-123"},
    )
    assert right.status_code == 200
    assert b"Too many failed sign-ins. Try again in 15 minutes." in right.content
    assert "_auth_user_id" not in client.session
    # Another address is not held back.
    elsewhere = console().post(
        "/accounts/login/",
        {"username": "ops@lectern.example.com", "password": "operator-pass-123"},
        REMOTE_ADDR="10.9.8.7",
    )
    assert elsewhere.status_code == 302


def test_public_root_leads_to_the_tenants_list(console, operator):
    response = console(operator.user).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/tenants/"


def test_django_admin_is_for_superusers_only(console, operator):
    connection.set_schema_to_public()
    staff = get_user_model()(email="staff@lectern.example.com", is_staff=True)
    staff.set_password("staff-pass-123")
    staff.save()
    assert console(staff).get("/tenants/").status_code == 200
    refused = console(staff).get("/admin/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/admin/login/")
    assert console(operator.user).get("/admin/").status_code == 200


# ------------------------------------------------------------------------------------------
# Tenants list
def test_list_shows_status_people_and_created_date(ops, tenant_a, tenant_b, make_person):
    make_person(role=Role.LEARNER)
    make_person(role=Role.LEARNER)
    with schema_context(tenant_a.schema):
        alpha_people = User.objects.filter(is_active=True).count()
    response = ops.get("/tenants/")
    assert response.status_code == 200
    rows = {row["tenant"].slug: row for row in response.context["rows"]}
    assert list(rows) == ["alpha", "bravo"]  # by name
    assert rows["alpha"]["people"] == alpha_people
    assert rows["bravo"]["people"] == 1  # its first admin
    html = response.content.decode()
    assert "Alpha Learning" in html
    assert "alpha.localhost" in html
    assert timezone.localtime(tenant_a.tenant.created_at).strftime("%Y") in html


def test_list_searches_filters_and_sorts(ops, tenant_a, tenant_b):
    from shared_apps.tenants.services import tenant_suspend

    tenant_suspend(tenant=tenant_b.tenant)

    def slugs(query: str) -> list[str]:
        return [row["tenant"].slug for row in ops.get(f"/tenants/?{query}").context["rows"]]

    assert slugs("q=Academy") == ["bravo"]
    assert slugs("q=alph") == ["alpha"]
    assert slugs("q=bravo.localhost") == ["bravo"]
    assert slugs("status=suspended") == ["bravo"]
    assert slugs("status=active") == ["alpha"]
    assert slugs("status=deleted") == []
    assert slugs("sort=newest") == ["bravo", "alpha"]
    # An unknown filter value lists everything rather than failing.
    assert slugs("status=sleeping") == ["alpha", "bravo"]


def test_htmx_filtering_answers_only_the_results(ops, tenant_a, tenant_b):
    response = ops.get("/tenants/?q=Academy", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Bravo Academy" in html
    assert "Alpha Learning" not in html


def test_list_pages_with_many_tenants_in_bounded_queries(
    ops, tenant_a, tenant_b, django_assert_max_num_queries
):
    from shared_apps.tenants.services import tenant_create

    with django_assert_max_num_queries(12):
        assert ops.get("/tenants/").status_code == 200
    # Three more tenants with schemas of their own (first on the page by name), and sixty
    # rows: the page reads five schemas and twenty rows without one in the same queries.
    for n in (1, 2, 3):
        tenant_create(slug=f"aardvark-{n}", name=f"Aardvark {n}", admin_email=f"a@{n}.example.com")
    tenant_rows(60)
    with django_assert_max_num_queries(12):
        first = ops.get("/tenants/")
    assert len(first.context["rows"]) == 25
    assert first.context["page"].paginator.count == 65
    people = {row["tenant"].slug: row["people"] for row in first.context["rows"]}
    assert [people[f"aardvark-{n}"] for n in (1, 2, 3)] == [1, 1, 1]
    assert people["bulk-000"] == 0
    with django_assert_max_num_queries(12):
        last = ops.get("/tenants/?q=bulk&page=3")
    assert [row["tenant"].slug for row in last.context["rows"]] == [
        f"bulk-{n:03d}" for n in range(50, 60)
    ]
    assert 'href="?q=bulk&amp;page=2"' in last.content.decode()


def test_names_show_as_text(ops, tenant_a):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(name="<script>alert(1)</script>")
    for path in ("/tenants/", "/tenants/alpha/"):
        html = ops.get(path).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ------------------------------------------------------------------------------------------
# Creating a tenant
def test_create_provisions_and_invites_the_first_admin(ops, tenant_a):
    form = ops.get("/tenants/new/")
    key = form.context["form"].initial["request_key"]
    mail.outbox.clear()
    response = ops.post(
        "/tenants/new/",
        {
            "name": "Charlie College",
            "slug": "charlie",
            "admin_email": "Head@Charlie.example.com",
            "plan": "standard",
            "request_key": key,
        },
        follow=True,
    )
    assert response.redirect_chain == [("/tenants/charlie/", 302)]
    tenant = Tenant.objects.get(slug="charlie")
    assert (tenant.name, tenant.status, tenant.contact_email) == (
        "Charlie College",
        TenantStatus.ACTIVE,
        "head@charlie.example.com",
    )
    html = response.content.decode()
    assert re.search(r"Charlie College was provisioned in \d+\.\d\d s\.", html)
    assert "head@charlie.example.com, was sent an invitation" in html
    assert [message.to for message in mail.outbox] == [["head@charlie.example.com"]]
    assert "http://charlie.localhost/accounts/set-password/" in mail.outbox[0].body
    # The same form sent again (a double click) makes no second tenant.
    again = ops.post(
        "/tenants/new/",
        {
            "name": "Charlie College",
            "slug": "charlie",
            "admin_email": "Head@Charlie.example.com",
            "plan": "standard",
            "request_key": key,
        },
    )
    assert again.status_code == 302
    assert Tenant.objects.filter(slug="charlie").count() == 1
    # The same form changed and sent again: told so, with a fresh key to go on with.
    changed = ops.post(
        "/tenants/new/",
        {
            "name": "Charlie Two",
            "slug": "charlie-two",
            "admin_email": "head@charlie.example.com",
            "plan": "standard",
            "request_key": key,
        },
    )
    assert changed.status_code == 400
    assert "This form already created a tenant." in changed.content.decode()
    assert changed.context["form"]["request_key"].value() != key
    assert 'value="Charlie Two"' in changed.content.decode()
    assert not Tenant.objects.filter(slug="charlie-two").exists()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("admin", "&#x27;admin&#x27; is reserved."),
        ("alpha", "A tenant with this slug already exists."),
        ("Bad_Slug", "Use 3 to 63 lowercase letters"),
        ("a--b", "Two hyphens in a row are not allowed."),
    ],
)
def test_slug_errors_show_beside_the_field(ops, tenant_a, slug, message):
    before = provisioning_rows()
    response = ops.post(
        "/tenants/new/",
        {"name": "Delta", "slug": slug, "admin_email": "a@delta.example.com", "plan": "standard"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(r'<ul class="errorlist" id="id_slug_error"><li>(.*?)</li>', html)
    assert field and message in field.group(1)
    assert 'aria-describedby="id_slug_helptext id_slug_error"' in html
    assert 'href="#id_slug"' in html  # the summary links to the field
    assert f'value="{slug}"' in html and 'value="Delta"' in html
    assert provisioning_rows() == before


def test_form_errors_keep_what_was_typed(ops, tenant_a):
    before = provisioning_rows()
    response = ops.post(
        "/tenants/new/", {"name": "", "slug": "echo", "admin_email": "not-an-email", "plan": ""}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "admin_email", "plan"}
    assert 'value="echo"' in response.content.decode()
    assert provisioning_rows() == before


def test_an_unknown_plan_code_is_shown_beside_the_plan_field(ops, tenant_a):
    before = provisioning_rows()
    response = ops.post(
        "/tenants/new/",
        {"name": "Echo", "slug": "echo", "admin_email": "a@echo.example.com", "plan": "gold"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["plan"] == ["No plan has the code “gold”."]
    assert provisioning_rows() == before


def test_create_page_queries_are_bounded(ops, tenant_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert ops.get("/tenants/new/").status_code == 200


# ------------------------------------------------------------------------------------------
# The tenant page
def test_tenant_page_shows_usage_domains_and_portal_links(
    ops, tenant_a, make_person, django_assert_max_num_queries
):
    author = make_person(role=Role.INSTRUCTOR)
    with schema_context(tenant_a.schema):
        course_build(owner=author)
        course_build(owner=author)
        people = User.objects.filter(is_active=True).count()
    with django_assert_max_num_queries(10):
        response = ops.get("/tenants/alpha/")
    assert response.status_code == 200
    usage = response.context["usage"]
    assert (usage.people, usage.courses) == (people, 2)
    assert usage.database_bytes > 0
    assert usage.storage_bytes == usage.database_bytes + usage.file_bytes
    html = response.content.decode()
    assert 'href="http://alpha.localhost/"' in html
    assert "Alpha Learning" in html
    assert f"restored for {settings.TENANT_DELETE_GRACE_DAYS} days" in html


def test_unknown_tenant_is_404(ops):
    assert ops.get("/tenants/nobody/").status_code == 404
    assert ops.post("/tenants/nobody/suspend/").status_code == 404


def test_suspend_resume_archive(ops, tenant_a):
    suspended = ops.post("/tenants/alpha/suspend/", follow=True)
    assert suspended.redirect_chain == [("/tenants/alpha/", 302)]
    assert Tenant.objects.get(slug="alpha").status == TenantStatus.SUSPENDED
    assert "Alpha Learning is suspended" in suspended.content.decode()

    # Suspending twice is refused with the service's reason, not a 500.
    twice = ops.post("/tenants/alpha/suspend/")
    assert twice.status_code == 409
    assert "A tenant that is suspended cannot become suspended." in twice.content.decode()

    ops.post("/tenants/alpha/resume/")
    assert Tenant.objects.get(slug="alpha").status == TenantStatus.ACTIVE
    ops.post("/tenants/alpha/archive/")
    assert Tenant.objects.get(slug="alpha").status == TenantStatus.ARCHIVED
    ops.post("/tenants/alpha/resume/")
    assert Tenant.objects.get(slug="alpha").status == TenantStatus.ACTIVE


def test_actions_need_post(ops, tenant_a):
    assert ops.get("/tenants/alpha/suspend/").status_code == 405
    assert Tenant.objects.get(slug="alpha").status == TenantStatus.ACTIVE


def test_delete_asks_for_confirmation_shows_grace_and_restores(ops, tenant_a):
    page = ops.get("/tenants/alpha/delete/")
    html = page.content.decode()
    assert f"For {settings.TENANT_DELETE_GRACE_DAYS} days you can restore it" in html

    wrong = ops.post("/tenants/alpha/delete/", {"confirm_slug": "alp"})
    assert wrong.status_code == 400
    assert "Type alpha exactly." in wrong.content.decode()
    assert Tenant.objects.get(slug="alpha").purge_after is None

    deleted = ops.post("/tenants/alpha/delete/", {"confirm_slug": "alpha"}, follow=True)
    assert deleted.redirect_chain == [("/tenants/alpha/", 302)]
    tenant = Tenant.objects.get(slug="alpha")
    grace = tenant.purge_after - tenant.deleted_at
    assert grace == timedelta(days=settings.TENANT_DELETE_GRACE_DAYS)
    assert "It can be restored until" in deleted.content.decode()
    # A deleted tenant cannot be suspended; the page says so.
    refused = ops.post("/tenants/alpha/suspend/")
    assert refused.status_code == 409
    assert "A deleted tenant must be restored first." in refused.content.decode()

    restored = ops.post("/tenants/alpha/restore/", follow=True)
    assert "Alpha Learning is restored." in restored.content.decode()
    assert Tenant.objects.get(slug="alpha").purge_after is None


def test_domains_added_and_removed(ops, tenant_a):
    added = ops.post("/tenants/alpha/domains/", {"domain": "Learn.Alpha-Example.com"}, follow=True)
    assert added.redirect_chain == [("/tenants/alpha/", 302)]
    assert "learn.alpha-example.com" in [d.domain for d in tenant_a.tenant.domains.all()]
    assert 'href="http://learn.alpha-example.com/"' in added.content.decode()

    taken = ops.post("/tenants/alpha/domains/", {"domain": "learn.alpha-example.com"})
    assert taken.status_code == 400
    assert "already uses this domain" in taken.content.decode()
    assert 'id="id_domain_error"' in taken.content.decode()

    primary = ops.post("/tenants/alpha/domains/remove/", {"domain": "alpha.localhost"})
    assert primary.status_code == 409
    assert Domain.objects.filter(domain="alpha.localhost").exists()

    removed = ops.post("/tenants/alpha/domains/remove/", {"domain": "learn.alpha-example.com"})
    assert removed.status_code == 302
    assert not Domain.objects.filter(domain="learn.alpha-example.com").exists()


def test_invalid_domain_is_shown_beside_the_field(ops, tenant_a):
    before = provisioning_rows()
    response = ops.post("/tenants/alpha/domains/", {"domain": "beta.localhost"})
    assert response.status_code == 400
    assert "given out by Lectern" in response.content.decode()
    assert 'value="beta.localhost"' in response.content.decode()
    assert provisioning_rows() == before


# ------------------------------------------------------------------------------------------
# Platform metrics
def test_metrics_count_tenants_and_active_learners(ops, tenant_a, tenant_b, make_person):
    cache.delete(selectors.ACTIVE_LEARNERS_CACHE_KEY)
    recent = make_person(role=Role.LEARNER)
    make_person(role=Role.LEARNER)  # never signed in
    make_person(role=Role.LEARNER, tenant=tenant_b)
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=recent.pk).update(last_login=timezone.now())
    from shared_apps.tenants.services import tenant_suspend

    tenant_suspend(tenant=tenant_b.tenant)
    response = ops.get("/metrics/")
    assert response.status_code == 200
    metrics = response.context["metrics"]
    assert {row.label: row.count for row in response.context["by_status"]} == {
        "Provisioning": 0,
        "Active": 1,
        "Suspended": 1,
        "Archived": 0,
        "Deleted": 0,
    }
    assert metrics.new_by_month[-1].count == 2
    assert len(metrics.new_by_month) == 12
    assert metrics.active_learners.total == 1
    assert [(row.label, row.count) for row in metrics.active_learners.top] == [
        ("Alpha Learning", 1)
    ]
    html = response.content.decode()
    assert '<script id="metrics-data" type="application/json">' in html
    assert "vendor/chart.umd.min.js" in html
    assert html.count("<table>") == 3
    cache.delete(selectors.ACTIVE_LEARNERS_CACHE_KEY)


def test_metrics_queries_are_bounded_with_many_tenants(
    ops, tenant_a, tenant_b, django_assert_max_num_queries
):
    tenant_rows(40)
    cache.delete(selectors.ACTIVE_LEARNERS_CACHE_KEY)
    with django_assert_max_num_queries(10):
        response = ops.get("/metrics/")
    assert response.context["tenant_total"] == 42
    # Counted again within minutes: from the kept figure.
    with django_assert_max_num_queries(7):
        ops.get("/metrics/")
    cache.delete(selectors.ACTIVE_LEARNERS_CACHE_KEY)


@pytest.mark.parametrize("path", ["/accounts/login/", *PAGES])
def test_console_pages_carry_the_content_security_policy(console, operator, tenant_a, path):
    client = console() if path == "/accounts/login/" else console(operator.user)
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert (directives["script-src"], directives["style-src"]) == ("'self'", "'self'")
