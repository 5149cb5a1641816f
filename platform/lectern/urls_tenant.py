"""URLs of a tenant's host: the portal and the REST API v1."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.media import TenantMediaView
from lectern.api_root import ApiDocsView, ApiRootApi

api_v1 = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("tenant_apps.people.api_urls")),
    path("", include("tenant_apps.branding.api_urls")),
    path("", include("tenant_apps.courses.api_urls")),
    path("", include("tenant_apps.enrollments.api_urls")),
    path("", include("tenant_apps.progress.api_urls")),
    path("", include("tenant_apps.assessments.api_urls")),
    path("", include("tenant_apps.certificates.api_urls")),
    path("", include("tenant_apps.notifications.api_urls")),
    path("", include("tenant_apps.dashboards.api_urls")),
    path("", include("tenant_apps.audit.api_urls")),
    path("", include("sso.api_urls")),
    path("", include("webhooks.api_urls")),
    path("", include("billing.payments.api_urls")),
    path("", include("billing.subscriptions.tenant_api_urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("media/<str:schema_name>/<path:path>", TenantMediaView.as_view(), name="tenant-media"),
    # The portal: each app's pages beside its API.
    path("", include("tenant_apps.people.urls")),
    path("", include("tenant_apps.branding.urls")),
    path("", include("tenant_apps.courses.urls")),
    path("", include("tenant_apps.enrollments.urls")),
    path("", include("tenant_apps.progress.urls")),
    path("", include("tenant_apps.assessments.urls")),
    path("", include("tenant_apps.certificates.urls")),
    path("", include("tenant_apps.notifications.urls")),
    path("", include("tenant_apps.dashboards.urls")),
    path("", include("tenant_apps.audit.urls")),
    path("", include("tenant_apps.scim.urls")),
    # Wings.
    path("", include("sso.urls")),
    path("", include("billing.payments.webhook_urls")),
    path("", include("billing.payments.urls")),
    # Authors' pages (`/teach/...`) and tenant admins' pages (`/manage/...`).
    path("", include("tenant_apps.courses.teach_urls")),
    path("", include("tenant_apps.assessments.teach_urls")),
    path("", include("tenant_apps.dashboards.teach_urls")),
    path("", include("tenant_apps.people.manage_urls")),
    path("", include("tenant_apps.enrollments.manage_urls")),
    path("", include("tenant_apps.dashboards.manage_urls")),
    path("", include("tenant_apps.scim.manage_urls")),
    path("", include("tenant_apps.imports.manage_urls")),
    path("", include("sso.manage_urls")),
    path("", include("webhooks.manage_urls")),
    path("", include("billing.subscriptions.manage_urls")),
    path("", include("billing.payments.manage_urls")),
]
