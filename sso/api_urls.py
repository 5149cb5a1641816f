from django.urls import path

from sso import api

urlpatterns = [
    path("sso/providers", api.ProviderListApi.as_view(), name="sso-provider-list"),
    path("sso/providers/import", api.ProviderImportApi.as_view(), name="sso-provider-import"),
    path(
        "sso/providers/<int:provider_id>",
        api.ProviderDetailApi.as_view(),
        name="sso-provider-detail",
    ),
    path(
        "sso/providers/<int:provider_id>/metadata",
        api.ProviderMetadataApi.as_view(),
        name="sso-provider-metadata",
    ),
    path(
        "sso/providers/<int:provider_id>/metadata/refresh",
        api.ProviderMetadataRefreshApi.as_view(),
        name="sso-provider-metadata-refresh",
    ),
    path(
        "sso/providers/<int:provider_id>/tests",
        api.ProviderTestsApi.as_view(),
        name="sso-provider-tests",
    ),
    path("sso/tests/<uuid:test_id>", api.TestRunApi.as_view(), name="sso-test"),
    path("sso/presets", api.PresetListApi.as_view(), name="sso-presets"),
    path("sso/policy", api.PolicyApi.as_view(), name="sso-policy"),
    path("sso/keys", api.KeyListApi.as_view(), name="sso-keys"),
    path("sso/keys/next", api.KeyNextApi.as_view(), name="sso-key-next"),
    path("sso/keys/next/activate", api.KeyNextActivateApi.as_view(), name="sso-key-next-activate"),
]
