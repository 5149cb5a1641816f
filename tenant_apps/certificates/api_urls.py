from django.urls import path

from tenant_apps.certificates import api

urlpatterns = [
    path("me/certificates", api.MyCertificateListApi.as_view(), name="me-certificates"),
    path("certificates", api.CertificateListApi.as_view(), name="certificate-list"),
    path(
        "certificates/verify/<str:code>",
        api.CertificateVerifyApi.as_view(),
        name="certificate-verify",
    ),
    path(
        "certificates/<int:certificate_id>",
        api.CertificateDetailApi.as_view(),
        name="certificate-detail",
    ),
    path(
        "certificates/<int:certificate_id>/pdf",
        api.CertificatePdfApi.as_view(),
        name="certificate-pdf",
    ),
    path(
        "certificates/<int:certificate_id>/revoke",
        api.CertificateRevokeApi.as_view(),
        name="certificate-revoke",
    ),
]
