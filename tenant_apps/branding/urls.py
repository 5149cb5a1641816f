from django.urls import include, path

from tenant_apps.branding import views

urlpatterns = [
    path("branding/tokens.css", views.tokens_stylesheet, name="branding-tokens"),
    # The admins' pages (/manage/branding/, /manage/domains/).
    path("", include("tenant_apps.branding.manage_urls")),
]
