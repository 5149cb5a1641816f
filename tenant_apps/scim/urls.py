"""SCIM 2.0 at /scim/v2/ on the tenant's host."""

from django.urls import path, re_path

from tenant_apps.scim import views

urlpatterns = [
    path("scim/v2/ServiceProviderConfig", views.service_provider_config, name="scim-config"),
    path("scim/v2/ResourceTypes", views.resource_types, name="scim-resource-types"),
    path("scim/v2/ResourceTypes/<str:resource_id>", views.resource_types),
    path("scim/v2/Schemas", views.schemas, name="scim-schemas"),
    path("scim/v2/Schemas/<str:resource_id>", views.schemas),
    path("scim/v2/Users", views.users, name="scim-users"),
    path("scim/v2/Users/.search", views.users_search),
    path("scim/v2/Users/<str:resource_id>", views.user, name="scim-user"),
    path("scim/v2/Groups", views.groups, name="scim-groups"),
    path("scim/v2/Groups/.search", views.groups_search),
    path("scim/v2/Groups/<str:resource_id>", views.group, name="scim-group"),
    path("scim/v2/.search", views.root_search),
    path("scim/v2/Bulk", views.bulk, name="scim-bulk"),
    re_path(r"^scim/v2/(?P<rest>.*)$", views.unknown, name="scim-root"),
]
