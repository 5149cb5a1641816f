"""SSO's pages on the tenant host: identity-provider discovery from the login page (the
SAML and OIDC round trips add theirs)."""

from django.urls import path

from sso import oidc_views, views

urlpatterns = [
    path("sso/discover/", views.discover, name="sso-discover"),
    path("sso/oidc/<slug:slug>/login/", oidc_views.oidc_login, name="sso-oidc-login"),
    path("sso/oidc/<slug:slug>/callback/", oidc_views.oidc_callback, name="sso-oidc-callback"),
]
