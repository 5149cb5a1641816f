from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from tenant_apps.people import views
from tenant_apps.people.forms import NewPasswordForm, ThrottledSignInForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledSignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NewPasswordForm,
            post_reset_login=True,
            success_url=reverse_lazy("password-set-done"),
        ),
        name="set-password",
    ),
    path("accounts/password-set/", views.password_set_done, name="password-set-done"),
    path("accounts/tokens/", views.personal_tokens, name="personal-tokens"),
    path(
        "accounts/tokens/revoke-all/",
        views.personal_tokens_revoke_all,
        name="personal-tokens-revoke-all",
    ),
]
