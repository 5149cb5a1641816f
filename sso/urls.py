"""SSO's pages on the tenant host: identity-provider discovery from the login page, the
SAML service provider (login, ACS, single logout, metadata) and the OIDC round trip."""

from django.urls import path

from sso import oidc_views, saml_views, views

urlpatterns = [
    path("sso/discover/", views.discover, name="sso-discover"),
    path("sso/saml/<slug:slug>/login/", saml_views.saml_login, name="sso-saml-login"),
    path("sso/saml/<slug:slug>/acs/", saml_views.saml_acs, name="sso-saml-acs"),
    path("sso/saml/<slug:slug>/sls/", saml_views.saml_sls, name="sso-saml-sls"),
    path("sso/saml/<slug:slug>/logout/", saml_views.saml_logout, name="sso-saml-logout"),
    path("sso/saml/<slug:slug>/metadata/", saml_views.saml_metadata, name="sso-saml-metadata"),
    path("sso/oidc/<slug:slug>/login/", oidc_views.oidc_login, name="sso-oidc-login"),
    path("sso/oidc/<slug:slug>/callback/", oidc_views.oidc_callback, name="sso-oidc-callback"),
]
