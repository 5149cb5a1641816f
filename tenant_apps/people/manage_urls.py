"""The tenant admin's pages for people and the tenant's settings (see manage_views.py)."""

from django.urls import path

from tenant_apps.people import manage_views

urlpatterns = [
    path("manage/people/", manage_views.people_list, name="manage-people"),
    path("manage/people/invite/", manage_views.people_invite, name="manage-people-invite"),
    path("manage/people/groups/", manage_views.groups_page, name="manage-groups"),
    path("manage/people/removal/", manage_views.removal_page, name="manage-people-removal"),
    path("manage/people/<int:user_id>/", manage_views.person_detail, name="manage-person"),
    path(
        "manage/people/<int:user_id>/deactivate/",
        manage_views.person_deactivate,
        name="manage-person-deactivate",
    ),
    path(
        "manage/people/<int:user_id>/reactivate/",
        manage_views.person_reactivate,
        name="manage-person-reactivate",
    ),
    path(
        "manage/people/<int:user_id>/delete/",
        manage_views.person_remove,
        name="manage-person-remove",
    ),
    path("manage/settings/", manage_views.settings_page, name="manage-settings"),
]
