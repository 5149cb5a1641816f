"""Custom domains: added by an admin, verified through a TXT record looked up on a DNS
server on loopback (never the internet), routed only once verified."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Domain
from tenant_apps.audit.models import AuditEntry
from tenant_apps.branding.models import CustomDomain
from tenant_apps.branding.services import custom_domain_add
from tenant_apps.branding.tasks import pending_domains_verify
from tenant_apps.people.models import Role
from tests.snapshots import snapshot

NAME = "learn.alpha-corp.example"


@pytest.fixture
def added(admin, tenant_a) -> CustomDomain:
    with schema_context(tenant_a.schema):
        return custom_domain_add(name=NAME, actor=admin)


def verify(client, domain, callbacks):
    with callbacks(execute=True):  # routing changes reach every process after the commit
        return client.post(f"/manage/domains/{domain.pk}/verify/", follow=True)


def test_adding_shows_the_records_to_create(portal, admin, tenant_a):
    client = portal(admin)
    response = client.post("/manage/domains/", {"name": "  Learn.Alpha-Corp.Example. "})
    with schema_context(tenant_a.schema):
        domain = CustomDomain.objects.get()
        entry = AuditEntry.objects.get(action="domain.added")
    assert (response.status_code, response["Location"]) == (302, f"/manage/domains/{domain.pk}/")
    assert (domain.name, domain.status, len(domain.token)) == (NAME, "pending", 32)
    assert (entry.actor_id, entry.after) == (admin.pk, {"name": NAME})
    html = client.get(response["Location"]).content.decode()
    assert f"<td><code>{NAME}</code></td><td><code>alpha.localhost</code></td>" in html
    assert (
        f"<td><code>_lectern-verify.{NAME}</code></td><td><code>{domain.token}</code></td>" in html
    )
    assert "Pending" in html
    # Pending: not routed.
    assert Client(HTTP_HOST=NAME).get("/accounts/login/").status_code == 404


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not a.domain", "Each part of the host name may hold letters, digits and inner hyphens."),
        ("x.localhost", "Names under localhost are given out by Lectern, not added by hand."),
        ("bravo.localhost", "Names under localhost are given out by Lectern, not added by hand."),
        ("", "This field is required."),
    ],
)
def test_a_bad_name_is_refused_next_to_the_field(portal, admin, tenant_a, name, message):
    before = snapshot(CustomDomain, tenant=tenant_a)
    response = portal(admin).post("/manage/domains/", {"name": name})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_name_error"><li>{message}</li></ul>' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert snapshot(CustomDomain, tenant=tenant_a) == before


def test_another_portals_domain_cannot_be_added(portal, admin, tenant_b):
    from shared_apps.tenants.services import domain_add

    domain_add(tenant=tenant_b.tenant, domain="learn.bravo.example")
    response = portal(admin).post("/manage/domains/", {"name": "learn.bravo.example"})
    assert response.status_code == 400
    assert "Another portal already uses this domain." in response.content.decode()


def test_a_verified_domain_routes_to_the_tenant(
    portal, admin, tenant_a, added, dns_zone, django_capture_on_commit_callbacks
):
    dns_zone.txt[f"_lectern-verify.{NAME}"] = ["something-else", added.token]
    page = verify(portal(admin), added, django_capture_on_commit_callbacks)
    assert f"{NAME} is verified: it now opens this portal." in page.content.decode()
    with schema_context(tenant_a.schema):
        domain = CustomDomain.objects.get()
        entry = AuditEntry.objects.get(action="domain.verified")
    assert (domain.status, domain.failure, entry.actor_id) == ("verified", "", admin.pk)
    assert Domain.objects.get(domain=NAME).tenant_id == tenant_a.tenant.pk
    response = Client(HTTP_HOST=NAME).get("/accounts/login/")
    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == tenant_a.schema


@pytest.mark.parametrize(
    ("records", "failure", "shown"),
    [
        ({}, "nxdomain", "The verification record does not exist (NXDOMAIN)."),
        ({"wrong": ["not-the-token"]}, "wrong_token", "does not hold this domain"),
        ({"empty": True}, "no_record", "The name exists but has no TXT record."),
    ],
)
def test_a_failed_verification_says_why_and_routes_nothing(
    portal,
    admin,
    tenant_a,
    added,
    dns_zone,
    django_capture_on_commit_callbacks,
    records,
    failure,
    shown,
):
    if "wrong" in records:
        dns_zone.txt[f"_lectern-verify.{NAME}"] = records["wrong"]
    if "empty" in records:
        dns_zone.empty.add(f"_lectern-verify.{NAME}")
    page = verify(portal(admin), added, django_capture_on_commit_callbacks).content.decode()
    assert f"{NAME} could not be verified" in page
    assert shown in page
    with schema_context(tenant_a.schema):
        domain = CustomDomain.objects.get()
    assert (domain.status, domain.failure) == ("failed", failure)
    assert not Domain.objects.filter(domain=NAME).exists()
    assert Client(HTTP_HOST=NAME).get("/accounts/login/").status_code == 404


def test_a_dns_server_that_does_not_answer_is_a_timeout(
    portal, admin, tenant_a, added, silent_dns, django_capture_on_commit_callbacks
):
    page = verify(portal(admin), added, django_capture_on_commit_callbacks).content.decode()
    assert "The DNS server did not answer in time." in page
    with schema_context(tenant_a.schema):
        assert CustomDomain.objects.get().failure == "timeout"


def test_the_periodic_task_verifies_pending_domains(
    tenant_a, added, dns_zone, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema):
        assert pending_domains_verify.delay().get() == 0
        assert CustomDomain.objects.get().failure == "nxdomain"
        dns_zone.txt[f"_lectern-verify.{NAME}"] = [added.token]
        with django_capture_on_commit_callbacks(execute=True):
            assert pending_domains_verify.delay().get() == 1
        assert CustomDomain.objects.get().status == "verified"
    assert Client(HTTP_HOST=NAME).get("/accounts/login/").status_code == 200


def test_removing_a_verified_domain_unroutes_it(
    portal, admin, tenant_a, added, dns_zone, django_capture_on_commit_callbacks
):
    dns_zone.txt[f"_lectern-verify.{NAME}"] = [added.token]
    client = portal(admin)
    verify(client, added, django_capture_on_commit_callbacks)
    assert Client(HTTP_HOST=NAME).get("/accounts/login/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/domains/{added.pk}/remove/")
    assert (response.status_code, response["Location"]) == (302, "/manage/domains/")
    with schema_context(tenant_a.schema):
        assert not CustomDomain.objects.exists()
        assert AuditEntry.objects.filter(action="domain.removed").count() == 1
    assert not Domain.objects.filter(domain=NAME).exists()
    assert Client(HTTP_HOST=NAME).get("/accounts/login/").status_code == 404


def test_another_tenants_domain_id_is_404(portal, make_person, tenant_b, admin, tenant_a):
    with schema_context(tenant_b.schema):
        theirs = custom_domain_add(name="learn.bravo.example", actor=None)
    client = portal(admin)
    before = snapshot(CustomDomain, tenant=tenant_b)
    assert client.get(f"/manage/domains/{theirs.pk}/").status_code == 404
    assert client.post(f"/manage/domains/{theirs.pk}/verify/").status_code == 404
    assert client.post(f"/manage/domains/{theirs.pk}/remove/").status_code == 404
    assert snapshot(CustomDomain, tenant=tenant_b) == before


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR])
def test_other_roles_get_403_and_change_nothing(portal, make_person, role, added, tenant_a):
    client = portal(make_person(role))
    before = snapshot(CustomDomain, tenant=tenant_a)
    assert client.get("/manage/domains/").status_code == 403
    assert client.post("/manage/domains/", {"name": "other.example.org"}).status_code == 403
    assert client.get(f"/manage/domains/{added.pk}/").status_code == 403
    assert client.post(f"/manage/domains/{added.pk}/verify/").status_code == 403
    assert client.post(f"/manage/domains/{added.pk}/remove/").status_code == 403
    assert snapshot(CustomDomain, tenant=tenant_a) == before


def test_the_list_runs_a_bounded_number_of_queries(
    portal, admin, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        for number in range(40):
            custom_domain_add(name=f"learn{number}.alpha-corp.example", actor=None)
    client = portal(admin)
    with django_assert_max_num_queries(10):
        page = client.get("/manage/domains/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<span class="badge badge--neutral">Pending</span>') == 40


def test_htmx_verification_answers_the_status_block_only(
    portal, admin, added, dns_zone, django_capture_on_commit_callbacks
):
    dns_zone.txt[f"_lectern-verify.{NAME}"] = [added.token]
    with django_capture_on_commit_callbacks(execute=True):
        response = portal(admin).post(f"/manage/domains/{added.pk}/verify/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="domain-verification" aria-live="polite">')
    assert f"{NAME} is verified: it now opens this portal." in html
    assert "<html" not in html
