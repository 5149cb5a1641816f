from django.urls import path

from tenant_apps.certificates import views

urlpatterns = [
    path(
        "certificates/verify/<str:code>/",
        views.CertificateVerifyPage.as_view(),
        name="certificate-verify-page",
    ),
]
