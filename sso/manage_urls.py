"""The tenant admin's SSO pages (see manage_views.py)."""

from django.urls import path

from sso import manage_views

urlpatterns = [
    path("manage/sso/", manage_views.sso_home, name="manage-sso"),
    path("manage/sso/add/saml/", manage_views.provider_add_saml, name="manage-sso-add-saml"),
    path("manage/sso/add/oidc/", manage_views.provider_add_oidc, name="manage-sso-add-oidc"),
    path("manage/sso/policy/", manage_views.policy_page, name="manage-sso-policy"),
    path("manage/sso/keys/", manage_views.keys_page, name="manage-sso-keys"),
    path(
        "manage/sso/providers/<int:provider_id>/",
        manage_views.provider_edit,
        name="manage-sso-provider",
    ),
    path(
        "manage/sso/providers/<int:provider_id>/mapping/",
        manage_views.provider_mapping,
        name="manage-sso-mapping",
    ),
    path(
        "manage/sso/providers/<int:provider_id>/metadata/",
        manage_views.provider_metadata,
        name="manage-sso-metadata",
    ),
    path(
        "manage/sso/providers/<int:provider_id>/delete/",
        manage_views.provider_delete,
        name="manage-sso-delete",
    ),
    path(
        "manage/sso/providers/<int:provider_id>/test/",
        manage_views.test_start,
        name="manage-sso-test-start",
    ),
    path("manage/sso/tests/<uuid:test_id>/", manage_views.test_trace, name="manage-sso-test"),
]
