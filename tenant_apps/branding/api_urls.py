from django.urls import path

from tenant_apps.branding import api

urlpatterns = [
    path("settings/branding", api.BrandingApi.as_view(), name="branding"),
    path("settings/branding/logo", api.BrandingLogoApi.as_view(), name="branding-logo"),
    path("settings/branding/favicon", api.BrandingFaviconApi.as_view(), name="branding-favicon"),
    path(
        "settings/branding/login-image",
        api.BrandingLoginImageApi.as_view(),
        name="branding-login-image",
    ),
    path("settings/branding/draft", api.BrandingDraftApi.as_view(), name="branding-draft"),
    path(
        "settings/branding/draft/publish",
        api.BrandingPublishApi.as_view(),
        name="branding-publish",
    ),
]
