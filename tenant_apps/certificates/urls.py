from django.urls import path

from tenant_apps.certificates import views

urlpatterns = [
    path("certificates/", views.my_certificates, name="my-certificates"),
    path(
        "certificates/<int:certificate_id>/download/",
        views.certificate_download,
        name="certificate-download",
    ),
    path(
        "certificates/verify/<str:code>/",
        views.CertificateVerifyPage.as_view(),
        name="certificate-verify-page",
    ),
]
