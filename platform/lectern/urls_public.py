"""URLs of the public host: the operator console and the operator API."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Lectern operator console"
admin.site.site_title = "Lectern operators"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/platform/v1/", include("shared_apps.tenants.urls")),
]
