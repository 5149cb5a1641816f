from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "tenant_apps.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from core.pages import signed_in

        nav_entry_register(NavEntry(Area.LEARN, _("Home"), "home", signed_in, order=0))
