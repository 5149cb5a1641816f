"""URLs of a tenant's host."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenant_apps.people.urls")),
]
