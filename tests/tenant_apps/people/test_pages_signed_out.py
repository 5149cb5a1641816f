"""The signed-out pages: sign-in with its place for other methods (empty until a wing
registers one), self-registration where the tenant allows it, and the set-password and
reset pages with each error next to its field."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.people import login_methods
from tenant_apps.people.limits import REGISTER_PER_ADDRESS
from tenant_apps.people.login_methods import LoginButton, login_method_register
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import set_password_url, user_create
from tests.snapshots import snapshot
from tests.tenant_apps.people.conftest import csrf_of


@pytest.fixture(autouse=True)
def _limits(fresh_limits):
    pass


def field_error(html: str, field: str) -> list[str]:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


# ------------------------------------------------------------------------------------------
# Signing in
def test_the_login_page_shows_the_password_form_and_no_other_method_today(client_a):
    html = client_a.get("/accounts/login/").content.decode()
    assert '<label for="id_username">E-mail</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "login-methods" not in html  # nothing registered: no buttons at all
    assert "Create an account" not in html  # self-registration is off by default


def test_a_registered_login_method_shows_its_buttons(client_a, tenant_a):
    def acme_sso(request):
        if request.tenant.schema_name != tenant_a.schema:
            return []
        return [LoginButton(label="Sign in with <Acme> SSO", url="/sso/acme/start/")]

    login_method_register(acme_sso)
    try:
        html = client_a.get("/accounts/login/").content.decode()
    finally:
        login_methods._providers.remove(acme_sso)
    assert (
        '<a class="button button--secondary" href="/sso/acme/start/">'
        "Sign in with &lt;Acme&gt; SSO</a>" in html
    )
    assert html.index("login-methods") < html.index('id="id_username"')


def test_a_wrong_password_is_shown_above_the_form(client_a, make_person):
    make_person(email="lena@example.com")
    response = client_a.post("/accounts/login/", {"username": "lena@example.com", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="error-summary"' in html and "Please enter a correct" in html
    assert 'value="lena@example.com"' in html


def test_the_login_page_links_to_registration_when_it_is_open(client_a, registration_open):
    html = client_a.get("/accounts/login/").content.decode()
    assert '<a href="/accounts/register/">Create an account</a>' in html


# ------------------------------------------------------------------------------------------
# Self-registration
def test_registration_is_404_while_the_tenant_does_not_allow_it(client_a, tenant_a):
    before = snapshot(User, tenant=tenant_a)
    assert client_a.get("/accounts/register/").status_code == 404
    typed = {"email": "new@example.com", "password": "a-long-pass-phrase-9"}
    assert client_a.post("/accounts/register/", typed).status_code == 404
    assert snapshot(User, tenant=tenant_a) == before


def test_registering_creates_a_signed_in_learner_and_audits_it(
    client_a, registration_open, tenant_a
):
    page = client_a.get("/accounts/register/")
    assert page.status_code == 200
    done = client_a.post(
        "/accounts/register/",
        {"full_name": "Nina New", "email": "Nina@Example.com", "password": "a-long-pass-phrase-9"},
    )
    assert (done.status_code, done["Location"]) == (302, "/")
    with schema_context(tenant_a.schema):
        nina = User.objects.get(email="nina@example.com")
        entry = AuditEntry.objects.get(action="user.registered")
    assert (nina.full_name, nina.role, nina.is_active) == ("Nina New", Role.LEARNER, True)
    assert nina.password.startswith(("pbkdf2_", "argon2", "md5$")) and nina.check_password(
        "a-long-pass-phrase-9"
    )
    assert (entry.actor_id, entry.target_id, entry.after) == (
        nina.pk,
        str(nina.pk),
        {"email": "nina@example.com", "role": "learner"},
    )
    assert client_a.get("/account/profile/").status_code == 200  # signed in


@pytest.mark.parametrize(
    ("typed", "field", "errors"),
    [
        (
            {"email": "LENA@example.com", "password": "a-long-pass-phrase-9"},
            "email",
            ["A person with this e-mail already exists."],
        ),
        (
            {"email": "new@example.com", "password": "12345678"},
            "password",
            ["This password is too common.", "This password is entirely numeric."],
        ),
        ({"email": "not-an-address", "password": "a-long-pass-phrase-9"}, "email", None),
    ],
)
def test_a_refused_registration_shows_next_to_its_field_and_creates_nobody(
    client_a, registration_open, make_person, tenant_a, typed, field, errors
):
    make_person(email="lena@example.com")
    before = snapshot(User, tenant=tenant_a)
    response = client_a.post("/accounts/register/", {"full_name": "Typed Name", **typed})
    html = response.content.decode()
    assert response.status_code == 400
    shown = field_error(html, field)
    assert shown == errors if errors else shown
    assert f'href="#id_{field}"' in html and 'value="Typed Name"' in html
    assert typed["password"] not in html
    assert snapshot(User, tenant=tenant_a) == before


def test_registering_is_rate_limited_per_address(client_a, registration_open, tenant_a):
    statuses = []
    for number in range(REGISTER_PER_ADDRESS + 1):
        typed = {"email": f"new{number}@example.com", "password": "a-long-pass-phrase-9"}
        response = client_a.post("/accounts/register/", typed)
        statuses.append(response.status_code)
        client_a.logout()
    assert statuses == [302] * REGISTER_PER_ADDRESS + [429]
    assert "Too many accounts were created from your address." in response.content.decode()
    with schema_context(tenant_a.schema):
        assert User.objects.filter(email__startswith="new").count() == REGISTER_PER_ADDRESS


def test_the_api_registration_shares_the_limit_and_the_audit(api, registration_open, tenant_a):
    response = api().post(
        "/api/v1/auth/register",
        {"email": "via-api@example.com", "password": "a-long-pass-phrase-9"},
        format="json",
    )
    assert response.status_code == 201
    with schema_context(tenant_a.schema):
        assert AuditEntry.objects.filter(action="user.registered").count() == 1


def test_registration_needs_the_csrf_token(csrf_portal, registration_open, tenant_a):
    browser = csrf_portal()
    typed = {"email": "new@example.com", "password": "a-long-pass-phrase-9"}
    assert browser.post("/accounts/register/", typed).status_code == 403
    page = browser.get("/accounts/register/").content.decode()
    done = browser.post("/accounts/register/", {"csrfmiddlewaretoken": csrf_of(page), **typed})
    assert done.status_code == 302


# ------------------------------------------------------------------------------------------
# Choosing a password (invitations and resets), asking for a reset
@pytest.fixture
def invitation_path(tenant_a, db) -> str:
    with schema_context(tenant_a.schema):
        invitee = user_create(email="ivy@example.com")
        return set_password_url(user=invitee, host=tenant_a.host).removeprefix(
            f"http://{tenant_a.host}"
        )


def test_the_set_password_page_shows_each_error_next_to_its_field(client_a, invitation_path):
    form = client_a.get(invitation_path, follow=True)
    assert form.status_code == 200
    html = form.content.decode()
    assert '<label for="id_new_password1">' in html and '<label for="id_new_password2">' in html
    response = client_a.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345679"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, "new_password2") == ["The two password fields didn\u2019t match."]
    assert '<div class="error-summary"' in html and 'href="#id_new_password2"' in html
    assert 'aria-describedby="id_new_password2_helptext id_new_password2_error"' in html


def test_the_reset_form_shows_its_error_next_to_the_field(client_a):
    response = client_a.post("/accounts/password-reset/", {"email": "nope"})
    html = response.content.decode()
    assert field_error(html, "email") == ["Enter a valid email address."]
    assert 'href="#id_email"' in html


def test_the_signed_out_pages_run_a_bounded_number_of_queries(
    client_a, registration_open, invitation_path, django_assert_max_num_queries
):
    client_a.get("/accounts/login/")  # the first request on a host also routes it
    # The login page also reads the tenant's identity providers (sso).
    for path in ("/accounts/login/", "/accounts/register/", "/accounts/password-reset/"):
        with django_assert_max_num_queries(5):
            assert client_a.get(path).status_code == 200, path
    with django_assert_max_num_queries(8):
        assert client_a.get(invitation_path, follow=True).status_code == 200
