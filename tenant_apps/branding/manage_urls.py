"""Tenant admins' pages: the branding (draft, preview, publish) and custom domains."""

from django.urls import path

from tenant_apps.branding import manage_views

urlpatterns = [
    path("manage/branding/", manage_views.branding_edit, name="manage-branding"),
    path("manage/branding/preview/", manage_views.branding_preview, name="manage-branding-preview"),
    path("manage/branding/publish/", manage_views.branding_publish, name="manage-branding-publish"),
    path("manage/domains/", manage_views.domain_list, name="manage-domains"),
    path("manage/domains/<int:domain_id>/", manage_views.domain_detail, name="manage-domain"),
    path(
        "manage/domains/<int:domain_id>/verify/",
        manage_views.domain_verify,
        name="manage-domain-verify",
    ),
    path(
        "manage/domains/<int:domain_id>/remove/",
        manage_views.domain_remove,
        name="manage-domain-remove",
    ),
]
