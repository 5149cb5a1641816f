from django.contrib.auth import views as auth_views
from django.urls import path

from tenant_apps.people import views

urlpatterns = [
    path(
        "accounts/login/",
        views.SignInView.as_view(),
        name="login",
    ),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set-password",
    ),
    path("accounts/password-set/", views.password_set_done, name="password-set-done"),
    path("accounts/tokens/", views.personal_tokens, name="personal-tokens"),
    path(
        "accounts/tokens/revoke-all/",
        views.personal_tokens_revoke_all,
        name="personal-tokens-revoke-all",
    ),
    path("accounts/register/", views.register, name="register"),
    path("account/profile/", views.profile, name="profile"),
    path("account/profile/avatar/", views.profile_avatar, name="profile-avatar"),
    path("account/profile/password/", views.profile_password, name="profile-password"),
    path("account/profile/tokens/", views.profile_token_create, name="profile-token-create"),
    path(
        "account/profile/tokens/<int:token_id>/revoke/",
        views.profile_token_revoke,
        name="profile-token-revoke",
    ),
]
