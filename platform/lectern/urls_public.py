"""URLs of the public host: the operator console, Django admin (superusers only) and the
operator API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView

from billing.subscriptions.pay_views import pay_page
from billing.subscriptions.webhook_views import stripe_webhook
from shared_apps.operators import views
from shared_apps.operators.forms import OperatorSignInForm

admin.site.site_header = gettext_lazy("Lectern operator console")
admin.site.site_title = gettext_lazy("Lectern operators")


def _superuser(request) -> bool:
    """Django admin edits rows without the services' rules: superusers only. Operators
    work in the console."""
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superuser

console = [
    path("tenants/", views.tenant_list, name="operator-tenants"),
    path("tenants/new/", views.tenant_create, name="operator-tenant-create"),
    path("tenants/<str:slug>/", views.tenant_detail, name="operator-tenant"),
    path("tenants/<str:slug>/suspend/", views.tenant_suspend, name="operator-tenant-suspend"),
    path("tenants/<str:slug>/resume/", views.tenant_resume, name="operator-tenant-resume"),
    path("tenants/<str:slug>/archive/", views.tenant_archive, name="operator-tenant-archive"),
    path("tenants/<str:slug>/delete/", views.tenant_delete, name="operator-tenant-delete"),
    path("tenants/<str:slug>/restore/", views.tenant_restore, name="operator-tenant-restore"),
    path("tenants/<str:slug>/domains/", views.domain_add, name="operator-domain-add"),
    path(
        "tenants/<str:slug>/domains/remove/",
        views.domain_remove,
        name="operator-domain-remove",
    ),
    path("metrics/", views.platform_metrics, name="operator-metrics"),
]

urlpatterns = [
    # `home`, `login` and `logout` as on a tenant's host, so the settings' redirects work.
    path("", RedirectView.as_view(pattern_name="operator-tenants"), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="operators/login.html",
            authentication_form=OperatorSignInForm,
            redirect_authenticated_user=True,
            next_page="operator-tenants",
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("", include(console)),
    # Platform billing's console pages (plans, subscriptions, MRR, a tenant's plan).
    path("", include("billing.subscriptions.operator_urls")),
    path("admin/", admin.site.urls),
    path("api/platform/v1/", include("shared_apps.tenants.urls")),
    path("api/platform/v1/", include("billing.subscriptions.api_urls")),
    # Platform billing: Stripe's events about the tenants' subscriptions.
    path("billing/webhooks/stripe/", stripe_webhook, name="platform-stripe-webhook"),
    # Platform billing: the page a dunning e-mail's signed link opens (no sign-in).
    path("billing/pay/<str:token>/", pay_page, name="billing-pay"),
]
