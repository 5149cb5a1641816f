from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "tenant_apps.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from core.pages import signed_in
        from tenant_apps.dashboards.manage_views import may_see_admin_dashboard
        from tenant_apps.people.permissions import Capability, user_can

        nav_entry_register(NavEntry(Area.LEARN, _("Home"), "home", signed_in, order=0))
        nav_entry_register(
            NavEntry(
                Area.ADMIN, _("Dashboard"), "manage-dashboard", may_see_admin_dashboard, order=0
            )
        )
        # Authors' home: the courses they may edit (the builder's pages count as within it).
        nav_entry_register(
            NavEntry(
                Area.TEACH,
                _("My courses"),
                "teach-courses",
                allowed=lambda user: user_can(user, Capability.CREATE_COURSES),
                order=10,
                also_current=("teach-course", "teach-lesson", "teach-quiz", "teach-question"),
            )
        )
