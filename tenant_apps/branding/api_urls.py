from django.urls import path

from tenant_apps.branding import api

urlpatterns = [
    path("settings/branding", api.BrandingApi.as_view(), name="branding"),
    path("settings/branding/logo", api.BrandingLogoApi.as_view(), name="branding-logo"),
]
