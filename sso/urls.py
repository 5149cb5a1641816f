"""SSO's pages on the tenant host: identity-provider discovery from the login page (the
SAML and OIDC round trips add theirs)."""

from django.urls import path

from sso import views

urlpatterns = [
    path("sso/discover/", views.discover, name="sso-discover"),
]
