"""The tenant admin's people sync pages."""

from django.urls import path
from django.views.generic import RedirectView

from tenant_apps.scim import manage_views

urlpatterns = [
    path("manage/people-sync/scim/", manage_views.scim_home, name="manage-people-sync-scim"),
    # Where the removal policy was before admins could delete people themselves.
    path(
        "manage/people-sync/removal/",
        RedirectView.as_view(pattern_name="manage-people-removal", permanent=True),
    ),
    path(
        "manage/people-sync/scim/tokens/",
        manage_views.scim_token_add,
        name="manage-people-sync-scim-token-add",
    ),
    path(
        "manage/people-sync/scim/tokens/<int:token_id>/revoke/",
        manage_views.scim_token_remove,
        name="manage-people-sync-scim-token-revoke",
    ),
    path(
        "manage/people-sync/scim/role-rules/",
        manage_views.scim_role_rule_add,
        name="manage-people-sync-scim-role-rule-add",
    ),
    path(
        "manage/people-sync/scim/role-rules/<int:rule_id>/remove/",
        manage_views.scim_role_rule_remove,
        name="manage-people-sync-scim-role-rule-remove",
    ),
]
