from django.urls import path

from shared_apps.tenants import api

urlpatterns = [
    path("tenants", api.TenantListCreateApi.as_view(), name="tenant-list"),
    path("tenants/<str:slug>", api.TenantDetailApi.as_view(), name="tenant-detail"),
    path("tenants/<str:slug>/suspend", api.TenantSuspendApi.as_view(), name="tenant-suspend"),
    path("tenants/<str:slug>/resume", api.TenantResumeApi.as_view(), name="tenant-resume"),
    path("tenants/<str:slug>/archive", api.TenantArchiveApi.as_view(), name="tenant-archive"),
    path("tenants/<str:slug>/restore", api.TenantRestoreApi.as_view(), name="tenant-restore"),
    path("tenants/<str:slug>/domains", api.TenantDomainListApi.as_view(), name="tenant-domains"),
    path(
        "tenants/<str:slug>/domains/<str:domain>",
        api.TenantDomainDetailApi.as_view(),
        name="tenant-domain-detail",
    ),
]
