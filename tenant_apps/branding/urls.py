from django.urls import path

from tenant_apps.branding import views

urlpatterns = [
    path("branding/tokens.css", views.tokens_stylesheet, name="branding-tokens"),
]
