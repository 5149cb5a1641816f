from django.urls import path

from tenant_apps.people import api

urlpatterns = [
    path("auth/login", api.LoginApi.as_view(), name="auth-login"),
    path("auth/refresh", api.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", api.LogoutApi.as_view(), name="auth-logout"),
    path("auth/register", api.RegisterApi.as_view(), name="auth-register"),
    path("auth/password-reset", api.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm",
        api.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("me", api.MeApi.as_view(), name="me"),
    path("me/avatar", api.MyAvatarApi.as_view(), name="me-avatar"),
    path("me/password", api.MyPasswordApi.as_view(), name="me-password"),
    path("me/tokens", api.MyTokensApi.as_view(), name="me-tokens"),
    path("me/tokens/revoke-all", api.MyTokensRevokeAllApi.as_view(), name="me-tokens-revoke-all"),
    path("me/tokens/<int:token_id>", api.MyTokenApi.as_view(), name="me-token"),
    path("users", api.UserListApi.as_view(), name="user-list"),
    path("users/<int:user_id>", api.UserDetailApi.as_view(), name="user-detail"),
    path("users/<int:user_id>/deactivate", api.UserDeactivateApi.as_view(), name="user-deactivate"),
    path("users/<int:user_id>/reactivate", api.UserReactivateApi.as_view(), name="user-reactivate"),
    path("groups", api.GroupListApi.as_view(), name="group-list"),
    path("groups/<int:group_id>", api.GroupDetailApi.as_view(), name="group-detail"),
    path("groups/<int:group_id>/members", api.GroupMembersApi.as_view(), name="group-members"),
    path("settings/people", api.PeoplePolicyApi.as_view(), name="people-policy"),
]
